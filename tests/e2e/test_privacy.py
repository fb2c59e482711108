"""KVKK self-service end to end: the information text at registration, /privacy, /mydata and
/forgetme."""

from __future__ import annotations

import json
from pathlib import Path

from bot.store import Store
from bot.store.db import Database
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.steps import register
from tests.fakebot import FakeBotAPI


async def test_information_text_my_data_and_forget_me(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    user = fake.user(9001, "Ece", language_code="en")
    async with running(fake, db_path):
        await user.command("start", province.token)
        intro = await user.expect("Let us register you")
        assert "/privacy" in (intro.text or "")
        await user.command("privacy")  # mid-registration: answered, the flow keeps its step
        info = await user.expect("How Kurul uses your personal data")
        assert "Art. 12(7)" in (info.text or "") and "/forgetme" in (info.text or "")
        await user.send_text("Ece Arslan")
        await user.expect("Step 2 of 4")
        await user.command("cancel")
        await register(user, province.token, "Ece Arslan", lang="en")

        await user.command("mydata")
        summary = await user.expect("What I keep about you")
        assert "Ece Arslan" in (summary.text or "") and "1 role, past and present." in (
            summary.text or "")
        document = await user.reply()
        assert document.document is not None
        data = json.loads(document.document["content"])
        assert data["person"]["full_name"] == "Ece Arslan"
        assert data["roles"][0]["role"] == "secretariat" and data["roles"][0]["to"] is None

        await user.command("forgetme")
        question = await user.expect("This erases your name, title and phone number")
        await user.press("Keep it", question)
        await user.expect("Nothing was erased.")
        await user.command("forgetme")
        question = await user.expect("This erases your name")
        await user.press("Erase my data", question)
        await user.expect("Your personal data was erased and your roles ended.")
        await user.command("me")
        await user.expect("You are not registered yet")
        await user.command("mydata")  # the bot no longer knows who this is
        await user.expect("You are not registered yet")

    async with Database(db_path) as db:
        store = Store(db)
        assert await store.people.by_telegram_id(9001) is None
        row = await db.fetchone("SELECT full_name, title, phone, forgotten_at FROM person")
        assert row is not None and tuple(row)[:3] == ("", "", "") and row[3] is not None
        roles = await db.fetchall("SELECT valid_to, ended_reason FROM role")
        assert [tuple(r)[1] for r in roles] == ["forgotten (KVKK)"]
        entry = (await store.audit.entries(action_prefix="person.forget"))[0]
        assert "Ece" not in json.dumps(entry.details)
