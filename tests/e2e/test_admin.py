"""The secretariat's set-up in the bot: institutions, districts, promoting a substitute, open
invitations; and a member naming a deputy (Art. 9(2))."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.steps import invite, register
from tests.fakebot import FakeBotAPI, FakeUser

PROVINCIAL = "Gaziantep Provincial Migration Coordination Council"


async def _secretariat(fake: FakeBotAPI, province: Province) -> FakeUser:
    user = fake.user(8001, "Selin", language_code="en")
    await register(user, province.token, "Selin Kaya", lang="en")
    return user


async def test_institutions_are_added_renamed_and_removed(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path):
        sec = await _secretariat(fake, province)
        await sec.command("institutions")  # one council with institutions: no need to choose
        await sec.press("➕ Add", await sec.expect("1. Valilik"))
        await sec.expect("Type the name of the new institution.")
        await sec.send_text("İl Müftülüğü")  # exists already, whatever the casing
        await sec.expect("An institution with this name already exists")
        await sec.send_text("Şahinbey Belediyesi")
        await sec.expect("Added: Şahinbey Belediyesi.")
        actions = await sec.expect("27. Şahinbey Belediyesi")
        await sec.press("✏️ Rename", actions)
        picker = await sec.expect("Which institution?")
        for _ in range(3):
            await sec.press("Next ▶", picker)
            picker = await sec.reply()
        await sec.press("Şahinbey Belediyesi", picker)
        await sec.expect("Type the new name for Şahinbey Belediyesi.")
        await sec.send_photo()
        await sec.expect("Please answer with a text message.")
        await sec.send_text("Gaziantep Büyükşehir Belediyesi")
        await sec.expect("Renamed: Gaziantep Büyükşehir Belediyesi.")
        actions = await sec.expect("27. Gaziantep Büyükşehir Belediyesi")
        await sec.press("🗑 Remove", actions)
        picker = await sec.expect("Which institution?")
        while "Gaziantep Büyükşehir Belediyesi" not in picker.buttons():
            await sec.press("Next ▶", picker)
            picker = await sec.reply()
        await sec.press("Gaziantep Büyükşehir Belediyesi", picker)
        await sec.press("🗑 Remove", await sec.expect("Remove Gaziantep Büyükşehir Belediyesi"))
        await sec.expect("Removed: Gaziantep Büyükşehir Belediyesi.")
        final = await sec.expect("Valilik")
        assert "Büyükşehir" not in (final.text or "")
        await sec.press("Cancel", final)
        await sec.expect("Done.")


async def test_an_institution_with_people_cannot_be_removed(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path):
        sec = await _secretariat(fake, province)
        token = await invite(sec, PROVINCIAL, "Member", "Valilik (Vali Yardımcısı)", lang="en")
        await register(fake.user(8002, "Vali", language_code="en"), token, "Ali Vali", lang="en")
        await sec.command("institutions")
        await sec.press("🗑 Remove", await sec.expect("1. Valilik"))
        await sec.press("Valilik (Vali Yardımcısı)", await sec.expect("Which institution?"))
        await sec.press("🗑 Remove", await sec.expect("Remove Valilik"))
        await sec.expect("People still hold roles for this institution.")


async def test_districts_are_added_renamed_and_removed(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path):
        sec = await _secretariat(fake, province)
        await sec.command("districts")
        await sec.press("➕ Add", await sec.expect("No district council yet."))
        await sec.expect("Type the name of the district.")
        await sec.send_text("Nizip")
        await sec.expect("What is the foreign population of Nizip?")
        await sec.send_text("çok")
        await sec.expect("Please type a whole number, like 12500.")
        await sec.send_text("48.000")
        border = await sec.expect("Is Nizip a border district")
        await sec.send_text("yes")
        await sec.expect("Please choose one of the buttons above.")
        await sec.press("Yes", border)
        preview = await sec.expect("New district council")
        assert "48000" in (preview.text or "")
        await sec.press("✅ Confirm", preview)
        await sec.expect("Added: Nizip District Migration Coordination Council.")
        listing = await sec.expect("1. Nizip — foreign population 48.000, border district")
        await sec.press("✏️ Rename", listing)
        await sec.press("Nizip", await sec.expect("Which district?"))
        await sec.send_text("Nizip İlçesi")
        await sec.expect("Renamed: Nizip İlçesi.")
        # Art. 4(2): the Kaymakam of a district above 2,000 sits on the provincial council
        await sec.command("members")
        await sec.press(PROVINCIAL, await sec.expect("Which council?"))
        roster = ""
        for _ in range(4):
            roster += (await sec.reply()).text or ""
            if "Nizip Kaymakamlığı" in roster:
                break
        assert "Nizip Kaymakamlığı" in roster
        await sec.command("districts")
        await sec.press("🗑 Remove", await sec.expect("1. Nizip İlçesi"))
        await sec.press("Nizip İlçesi", await sec.expect("Which district?"))
        await sec.press("🗑 Remove", await sec.expect("Remove the district council of"))
        await sec.expect("The district council was removed.")
        await sec.expect("No district council yet.")


async def test_substitute_promoted_and_member_names_a_deputy(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path):
        sec = await _secretariat(fake, province)
        principal, substitute = (fake.user(8101, "Pınar", language_code="en"),
                                 fake.user(8102, "Sami", language_code="en"))
        member, deputy = (fake.user(8103, "Murat", language_code="en"),
                          fake.user(8104, "Deniz", language_code="en"))
        for user, role, name in [(principal, "Liaison officer (principal)", "Pınar Asil"),
                                 (substitute, "Liaison officer (substitute)", "Sami Yedek"),
                                 (member, "Member", "Murat Üye")]:
            token = await invite(sec, PROVINCIAL, role, "İl Milli Eğitim Müdürlüğü", lang="en")
            await register(user, token, name, lang="en")

        await sec.command("promote")
        await sec.press(PROVINCIAL, await sec.expect("Which council?"))
        await sec.press("İl Milli Eğitim Müdürlüğü: Sami Yedek",
                        await sec.expect("Whose substitute becomes the principal?"))
        await sec.press("✅ Confirm", await sec.expect("the current principal's term ends"))
        done = await sec.expect("Sami Yedek is now the principal liaison officer.")
        assert "Term ended: Pınar Asil." in (done.text or "")
        await principal.command("me")
        await principal.expect("You hold no role at the moment.")

        # Art. 9(2): the member names a deputy; the deputy cannot name another
        await member.command("invite")
        await member.press("Deputy member", await member.expect("Invite as what?"))
        token_message = await member.expect("Invitation ready")
        assert "İl Milli Eğitim Müdürlüğü" in (token_message.text or "")
        from tests.e2e.harness import token_from

        await register(deputy, token_from(token_message.text or ""), "Deniz Vekil", lang="en")
        await deputy.command("invite")
        await deputy.expect("You are not authorised to do this.")

        await sec.command("invites")
        await sec.expect("There are no open invitations.")
        await invite(sec, PROVINCIAL, "Chair", None, lang="en")
        await sec.command("invites")
        listing = await sec.expect("Open invitations")
        assert "Chair" in (listing.text or "")
        await sec.press("Revoke 1", listing)
        await sec.expect("There are no open invitations.")


async def test_the_menu_offers_each_role_its_actions_as_buttons(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path):
        sec = await _secretariat(fake, province)
        await sec.command("menu")
        menu = await sec.expect("What would you like to do?")
        assert {"Invite someone to a council", "Open invitations", "Meeting windows and deadlines",
                "Administrative leave days of the province"} <= set(menu.buttons())
        await sec.press("Invite someone to a council", menu)
        await sec.expect("Invite to which council?")
        await sec.command("cancel")
        await sec.expect("Cancelled. Nothing was saved.")
        await sec.press("My data and roles", menu)
        await sec.expect("My data")
        await sec.press("Members and liaison officers of a council", menu)
        await sec.expect("Which council?")

        officer = fake.user(8201, "Oya", language_code="en")
        token = await invite(sec, PROVINCIAL, "Liaison officer (principal)", "İl Müftülüğü",
                             lang="en")
        await register(officer, token, "Oya Kurt", lang="en")
        await officer.command("menu")
        menu = await officer.expect("What would you like to do?")
        offered = set(menu.buttons())
        assert {"My data and roles", "Meetings of my councils", "Change language",
                "Help"} <= offered
        assert not {"Invite someone to a council", "Open invitations", "Schedule a meeting",
                    "I am away: my deputy gets the meeting notices"} & offered
        # a forged menu button for an action the role lacks is refused
        await officer.press_data("menu:institutions", menu.message_id)
        await officer.expect("You are not authorised to do this.")
