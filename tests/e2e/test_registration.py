"""Issue 2, end to end: init → the secretariat opens its link → invites a liaison officer → the
officer registers with a shared contact → /members lists them; in Turkish and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import translator
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.steps import fragment, invite, register
from tests.fakebot import FakeBotAPI

SECRETARIAT, OFFICER, STRANGER = 5001, 5002, 5003
WELCOME = (
    "Welcome to Kurul, the assistant of the Migration Coordination Councils.\n\nTo register you "
    "need an invitation link. Your council's secretariat (the provincial migration directorate) "
    "creates one for your institution and role. Open it on this phone and I will guide you "
    "through registration."
)
WELCOME_TR = translator("tr")(WELCOME)


@pytest.mark.parametrize("lang", ["tr", "en"])
async def test_first_secretariat_invites_a_liaison_officer_who_registers(
    fake: FakeBotAPI, db_path: Path, province: Province, lang: str
) -> None:
    t = translator(lang)
    if lang == "tr":
        assert t("Invite to which council?") != "Invite to which council?"
    assert f"https://t.me/{fake.bot_username}?start=" in province.output
    secretariat = fake.user(SECRETARIAT, "Selin", language_code=lang)
    officer = fake.user(OFFICER, "Okan", language_code=lang)
    async with running(fake, db_path):
        await register(secretariat, province.token, "Selin Kaya", "Uzman", lang=lang)
        provincial = t("{name} Provincial Migration Coordination Council").format(
            name="Gaziantep")
        token = await invite(secretariat, provincial, t("Liaison officer (principal)"),
                             "İl Sağlık Müdürlüğü", lang=lang)
        confirmation = await register(officer, token, "Okan Demir", "Şube Müdürü", lang=lang)
        assert "İl Sağlık Müdürlüğü" in (confirmation.text or "")
        note = await secretariat.expect(fragment(
            t("New registration: {name} ({title}) is now {role} of {where}."),
            name="Okan Demir", title="Şube Müdürü"))
        assert t("Liaison officer (principal)") in (note.text or "")

        await secretariat.command("members")
        picker = await secretariat.expect(t("Which council?"))
        await secretariat.press(provincial, picker)
        roster = await secretariat.expect(provincial)
        text = roster.text or ""
        while "İl Sağlık Müdürlüğü" not in text:
            text = (await secretariat.reply()).text or ""
        health = text.split("İl Sağlık Müdürlüğü", 1)[1]
        assert "Okan Demir, Şube Müdürü, +90 532" in health.split("\n\n")[0]
        assert "Selin Kaya" in (roster.text or "")
        # the sub-commission is made of the same liaison officers (Art. 6(3))
        await secretariat.command("members")
        picker = await secretariat.expect(t("Which council?"))
        await secretariat.press(t("{name} Sub-commission").format(name="Gaziantep"), picker)
        sub = await secretariat.expect(t("{name} Sub-commission").format(name="Gaziantep"))
        assert sub is not None

        # the officer sees their role, not the member list
        await officer.command("me")
        me = await officer.expect("Okan Demir")
        assert t("Liaison officer (principal)") in (me.text or "")
        await officer.command("members")
        await officer.expect(t("You are not authorised to do this."))

    # the registrations are in the store, with the role granted and audited
    from bot.store import Store
    from bot.store.db import Database

    async with Database(db_path) as db:
        store = Store(db)
        grants = await store.people.grants(OFFICER)
        # The role, on the provincial council, and the sub-commission seat it gives (Art. 6(3)).
        assert [(g.kind.value, g.rank.value if g.rank else None, g.council_kind.value)
                for g in grants] == [("liaison", "principal", "provincial"),
                                     ("liaison", "principal", "subcommission")]
        person = await store.people.by_telegram_id(OFFICER)
        assert person is not None and person.phone.startswith("+90532")
        assert person.language == lang
        actions = [e.action for e in await store.audit.entries()]
        assert actions.count("role.grant") == 2 and "invite.create" in actions


async def test_start_without_a_token_explains_how_to_get_an_invitation(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    assert WELCOME_TR != WELCOME
    turkish = fake.user(STRANGER, "Deniz", language_code="tr")
    english = fake.user(STRANGER + 1, "Dan", language_code="en-GB")
    other = fake.user(STRANGER + 2, "Ahmad", language_code="ar")
    async with running(fake, db_path):
        await turkish.command("start")
        await turkish.expect(WELCOME_TR)
        await english.command("start")
        await english.expect("Welcome to Kurul")
        await other.command("start")  # unsupported language: Turkish, the default
        await other.expect(WELCOME_TR)
        # not registered: only /start, /help, /lang
        await english.command("invite")
        await english.expect("You are not registered yet")
        await english.command("help")
        help_text = await english.expect("/lang")
        assert "/invite" not in (help_text.text or "")
        await english.command("lang")
        await english.expect("Choose your language")
        await english.press("Türkçe")
        await english.expect(translator("tr")("From now on I will speak English with you."))
        await english.command("help")
        assert translator("tr")("Help") in (await english.expect("/help")).text  # type: ignore[operator]


async def test_each_person_gets_the_command_menu_of_their_roles_in_their_language(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    secretariat = fake.user(SECRETARIAT, "Selin", language_code="tr")
    async with running(fake, db_path):
        public_tr = fake.commands("tr", {"type": "all_private_chats"})
        assert public_tr is not None
        assert {c["command"] for c in public_tr} == {"start", "lang", "help", "cancel", "privacy"}
        assert translator("tr")("Help") in {c["description"] for c in public_tr}
        await register(secretariat, province.token, "Selin Kaya", lang="en")
        await fake.wait_idle()
        mine = fake.commands("", {"type": "chat", "chat_id": SECRETARIAT})
        assert mine is not None
        names = {c["command"] for c in mine}
        assert {"invite", "invites", "members", "institutions", "districts", "me"} <= names
        assert "Invite someone to a council" in {c["description"] for c in mine}
        await secretariat.command("lang")
        await secretariat.press("Türkçe", await secretariat.expect("Choose your language"))
        await secretariat.expect(translator("tr")("From now on I will speak English with you."))
        await fake.wait_idle()
        mine = fake.commands("", {"type": "chat", "chat_id": SECRETARIAT})
        assert mine is not None
        assert translator("tr")("Invite someone to a council") in {
            c["description"] for c in mine}


async def test_cancel_keeps_the_invitation_usable(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    user = fake.user(STRANGER, "Deniz", language_code="en")
    async with running(fake, db_path):
        await user.command("start", province.token)
        await user.expect("Step 1 of 4")
        await user.send_text("Deniz Ak")
        await user.command("cancel")
        await user.expect("Registration cancelled.")
        await user.send_text("Uzman")  # no longer in the flow
        await user.expect("To register you need an invitation link")
        await register(user, province.token, "Deniz Ak", lang="en")
