"""Bad input at every registration step gets a translated explanation, and nothing already
entered is lost; commands without the role and invitations opened in groups are refused."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import translator
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.steps import register
from tests.fakebot import FakeBotAPI

en = translator("en")


async def test_every_registration_step_rejects_what_it_cannot_use(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    user = fake.user(6001, "Ece", language_code="en")
    async with running(fake, db_path):
        await user.command("start", province.token)
        await user.expect("Step 1 of 4")
        await user.send_text("   ")
        await user.expect("This cannot be empty.")
        await user.send_text("A" * 200)
        await user.expect("This is too long: at most 100 characters")
        await user.send_sticker()
        await user.expect("Please answer with a text message.")
        await user.send_photo()
        await user.expect("Please answer with a text message.")
        await user.send_text("12345")
        await user.expect("This does not look like a name.")
        await user.send_text("Ece Arslan")
        await user.expect("Step 2 of 4")
        await user.send_location(37.06, 37.38)
        await user.expect("Please answer with a text message.")
        await user.send_text("Uzman")
        await user.expect("Step 3 of 4")
        await user.send_text("0532 12")
        await user.expect("This is not a valid phone number.")
        await user.share_contact("+905551112233", contact_user_id=9999, first_name="Başkası")
        await user.expect("This is someone else's contact.")
        await user.send_voice()
        await user.expect("Please share your phone number with the button below, or type it.")
        await user.share_contact("+905321112233")
        await user.expect("Phone number noted: +90 532 111 22 33")
        language = await user.expect("Step 4 of 4")
        await user.send_text("English please")
        await user.expect("Please choose one of the buttons above.")
        await user.press_data("reg:lang:xx", language.message_id)  # forged data
        assert (await user.answer()).get("show_alert") is True
        await user.press("English", language)
        preview = await user.expect("Please check your details")
        # edit one field from the preview: the others are kept
        await user.press("Edit title", preview)
        await user.expect("Please type your title.")
        await user.send_text("Şube Müdürü")
        preview = await user.expect("Please check your details")
        text = preview.text or ""
        assert "Ece Arslan" in text and "Şube Müdürü" in text and "+90 532 111 22 33" in text
        # a button of the old preview no longer acts
        stale = next(m for m in user.messages() if "Please check your details" in (m.text or ""))
        if stale.message_id != preview.message_id:
            await user.press_data("reg:ok", stale.message_id)
            assert "no longer active" in ((await user.answer()).get("text") or "")
        await user.press("✅ Confirm", preview)
        await user.expect("Thank you, Ece Arslan.")


async def test_used_expired_and_garbage_tokens(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    first = fake.user(6101, "Ece", language_code="en")
    second = fake.user(6102, "Efe", language_code="en")
    async with running(fake, db_path):
        await register(first, province.token, "Ece Arslan", lang="en")
        await second.command("start", province.token)
        await second.expect("This invitation has already been used.")
        await second.command("start", "nonsense-token")
        await second.expect("This invitation link is not valid.")
        await second.command("start", "x" * 300)
        await second.expect("This invitation link is not valid.")


async def test_commands_without_the_role_and_old_buttons(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    secretariat = fake.user(6201, "Ece", language_code="en")
    officer = fake.user(6202, "Efe", language_code="en")
    async with running(fake, db_path):
        await register(secretariat, province.token, "Ece Arslan", lang="en")
        from tests.e2e.steps import invite

        token = await invite(secretariat, "Gaziantep Provincial Migration Coordination Council",
                             "Liaison officer (substitute)", "İl Müftülüğü", lang="en")
        await register(officer, token, "Efe Yurt", lang="en")
        for command in ("invite", "invites", "members", "institutions", "districts", "promote"):
            await officer.command(command)
            await officer.expect("You are not authorised to do this.")
        # the secretariat's revoke button is forged by the officer: refused, nothing changes
        await officer.press_data("invrev:1", 1)
        assert "not authorised" in ((await officer.answer()).get("text") or "")
        await officer.command("frobnicate")
        await officer.expect("I do not know this command.")
        await officer.send_text("hello?")
        await officer.expect("I am not waiting for anything from you now.")


async def test_invitation_opened_in_a_group_points_to_a_private_chat(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    user = fake.user(6301, "Ece", language_code="en")
    group = fake.group(-100200, "Gaziantep Göç Kurulu")
    async with running(fake, db_path):
        await group.send_text(user, f"/start {province.token}")
        notice = await group.expect("I work in private chats only.")
        assert notice.buttons() == ["Open a private chat"]
        await group.send_text(user, "merhaba")  # ordinary chatter in a group: ignored
        await fake.wait_idle()
        assert len(group.messages()) == 1
    # the token was not consumed by the group attempt
    async with running(fake, db_path):
        await register(user, province.token, "Ece Arslan", lang="en")


async def test_an_edited_message_is_not_taken_as_the_next_answer(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    user = fake.user(6401, "Ece", language_code="en")
    async with running(fake, db_path):
        await user.command("start", province.token)
        await user.expect("Step 1 of 4")
        sent = await user.send_text("Ece Arslan")
        await user.expect("Step 2 of 4")
        await user.edit_text(sent["message_id"], "Ece Arslan-Kaya")
        await user.expect("Edited messages are not read.")
        await user.send_text("Uzman")
        await user.expect("Step 3 of 4")
        await user.send_text("0532 123 45 67")
        await user.press("English", await user.expect("Step 4 of 4"))
        preview = await user.expect("Please check your details")
        assert "Title: Uzman" in (preview.text or "")
        assert "Name: Ece Arslan\n" in (preview.text or "")
