"""Bugs the update fuzzer (tests/fuzz) found, each pinned by the smallest sequence showing it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.clock import ManualClock
from bot.domain.models import RoleKind
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.steps import register
from tests.fakebot import FakeBotAPI, Fault


async def test_the_help_button_of_the_menu_is_answered(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    user = fake.user(6501, "Ece", language_code="en")
    async with running(fake, db_path):
        await register(user, province.token, "Ece Arslan", lang="en")
        await user.command("menu")
        menu = await user.expect("What would you like to do?")
        await user.press("Help", menu)
        await user.expect("assists the Provincial and District")
        # Telegram shows a spinner on the button until the press is answered.
        assert await user.answer() is not None
        assert fake.unanswered_callbacks() == []


@pytest.mark.parametrize("refusal", [
    "Bad Request: message to edit not found",  # deleted meanwhile
    "Bad Request: there is no text in the message to edit",  # a notice with its .ics
])
async def test_a_flow_goes_on_in_a_new_message_when_its_message_cannot_be_edited(
    fake: FakeBotAPI, db_path: Path, province: Province, refusal: str
) -> None:
    user = fake.user(6502, "Ece", language_code="en")
    async with running(fake, db_path):
        await register(user, province.token, "Ece Arslan", lang="en")
        await user.command("forgetme")
        question = await user.expect("Erase your data?")
        fake.fail_next("editMessageText", Fault("bad_request", description=refusal))
        await user.press("Keep it", question)
        kept = await user.expect("Nothing was erased.")
        assert kept.message_id != question.message_id
        await fake.wait_idle(quiet=0.2)
        assert not any("Sorry, something went wrong" in (m.text or "")
                       for m in user.messages())


# The gate refuses a button whose permission the person holds nowhere (bot/domain/entrypoints.py).
NOT_REGISTERED = "You are not registered yet."
NOT_AUTHORISED = "You are not authorised to do this."


async def test_buttons_of_someone_without_a_role_act_for_no_one(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    stranger = fake.user(6503, "Efe", language_code="en")
    async with running(fake, db_path):
        await stranger.command("help")
        shown = await stranger.reply()
        # Data of the secretariat's "Revoke" and a meeting's buttons, pressed by a stranger.
        for data in ("invrev:1", "dl:ip:0"):
            await stranger.press_data(data, shown.message_id)
            refused = await stranger.answer()
            assert refused.get("show_alert") is True
            assert NOT_REGISTERED in refused.get("text", "")
        # A menu button is refused like its command: with a message.
        await stranger.press_data("menu:invites", shown.message_id)
        await stranger.expect(NOT_REGISTERED)
        await fake.wait_idle(quiet=0.2)
        stranger.assert_no_reply()
        # Registration's own buttons still work for them.
        await stranger.command("start", province.token)
        await stranger.expect("Step 1 of 4")


async def test_a_forged_institution_page_with_nothing_to_follow_is_refused(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with Database(db_path) as db:
        store = Store(db)
        council = await seed.council_of(store, province.name)
        institution = (await store.councils.institutions(council.id))[0]
        await seed.person(store, ManualClock(datetime.now(UTC)), 6504, "Cem Aydın", council.id,
                          RoleKind.MEMBER, institution_id=institution.id)
    member = fake.user(6504, "Cem", language_code="en")
    async with running(fake, db_path):
        await member.command("help")
        shown = await member.reply()
        # Only the secretariat and the chair are offered this button (VIEW_REPORTS).
        await member.press_data("dl:ip:0", shown.message_id)
        refused = await member.answer()
        assert refused.get("show_alert") is True
        assert NOT_AUTHORISED in refused.get("text", "")
        await fake.wait_idle(quiet=0.2)
        member.assert_no_reply()
