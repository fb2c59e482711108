"""Council groups end to end (issue 8): the secretariat adds the bot to a group → a private
prompt links it → a meeting is scheduled and approved → the group gets a short announcement
without personal data while members get their own notices → a broadcast to the group → the
meeting is cancelled (the reason stays private) → the bot is removed, the link ends and the
secretariat is told. Someone else adding the bot gets one neutral line; commands in a group get
the pointer to a private chat, the same for everyone."""

from __future__ import annotations

from pathlib import Path

from bot.domain.clock import ManualClock
from bot.i18n import translator
from bot.services.groups import GROUP_LOCALE
from bot.store import Store
from bot.store.db import Database
from tests.e2e.conftest import Province
from tests.e2e.harness import running
from tests.e2e.steps import fragment, plain
from tests.e2e.test_meetings import (
    CHAIR,
    L1,
    M1,
    M6,
    NAMES,
    PROVINCIAL,
    SEC,
    START,
    notifier,
    schedule,
    seed_people,
)
from tests.fakebot import BotMessage, FakeBotAPI, FakeChat

GROUP_ID = -1001500
TR = translator(GROUP_LOCALE)  # groups read Turkish, whatever their members speak
TITLES = ("İl Müdürü", "Uzman")


def assert_nothing_personal(messages: list[BotMessage]) -> None:
    for message in messages:
        text = message.text or ""
        for name in NAMES.values():
            surname = name.split()[-1]
            assert name not in text, (name, text)
            if len(surname) > 3:  # "Bey", "Ak" are ordinary words too
                assert surname not in text, (surname, text)
        assert "+90" not in text and "0532" not in text, text
        for title in TITLES:
            assert title not in text, (title, text)
        assert message.buttons() == [] and message.document is None, str(message)


async def pointer_only(group: FakeChat) -> BotMessage:
    pointer = await group.reply()
    assert pointer.buttons() == [translator("en")("Open a private chat")], str(pointer)
    return pointer


async def test_a_linked_group_gets_announcements_and_nothing_personal(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(START)
    people = await seed_people(db_path, province, clock, fake)
    sec, chair, m1, m6 = people[SEC], people[CHAIR], people[M1], people[M6]
    group = fake.group(GROUP_ID, "Gaziantep Göç Kurulu Duyuru")
    group.set_role(sec, "creator")
    async with running(fake, db_path, clock) as bot:
        assert bot.app is not None
        store: Store = bot.app.runtime.store
        # --- the secretariat adds the bot: one neutral line there, the prompt in private ------
        await group.add_bot(sec, "administrator")
        neutral = await group.expect(fragment(TR(
            "I only post the announcements of a migration coordination council here, once "
            "its secretariat has linked this group. I do not answer here: please write to "
            "me in a private chat.")))
        assert neutral.buttons() == []
        prompt = await sec.expect("You added me to the group “Gaziantep Göç Kurulu Duyuru”")
        assert PROVINCIAL in prompt.buttons() and "Not now" in prompt.buttons()
        await sec.press(PROVINCIAL, prompt)
        ask = await sec.expect("Link the group “Gaziantep Göç Kurulu Duyuru” to the "
                               + PROVINCIAL + "?")
        assert "A group is not private" in (ask.text or "")
        await sec.press("✅ Link", ask)
        await sec.expect("now receives the announcements of the " + PROVINCIAL)
        await group.expect(fragment(TR(
            "Nothing personal is posted here. Members receive their own notices in a private "
            "chat with the bot; please write to it there, not here.")))
        link = await store.groups.of_council(1)
        assert link is not None and link.chat_id == GROUP_ID
        [audit] = await store.audit.entries(action_prefix="group.link")
        assert audit.subject == "council:1" and audit.details["after"]["group"] == GROUP_ID

        # --- a meeting is scheduled and approved ----------------------------------------------
        await schedule(sec, "14", "10:30", "Valilik Toplantı Salonu")
        await sec.press("✅ Done", await sec.expect("Invitees for this meeting"))
        await sec.press("✅ Save", await sec.expect("Statutory checks"))
        await sec.expect("It went to the chair for approval")
        request = await chair.expect("Your decision: a meeting of the " + PROVINCIAL)
        await fake.wait_idle()
        assert len(group.messages()) == 2  # nothing before the chair approves
        await chair.press("✅ Approve", request)
        notice = await m1.expect("Meeting notice")
        assert notice.document is not None and notice.buttons()  # personal: .ics, buttons
        await m6.expect("📣")
        announced = await group.expect("14 Ocak 2027 Perşembe")
        text = plain(announced.text or "")
        assert "10:30" in text and "Valilik Toplantı Salonu" in text
        assert fragment(plain(TR("📣 <b>Meeting notice — {council}</b>"))) in text
        await notifier(bot).sender.settle()

        # --- a broadcast to the group ---------------------------------------------------------
        await sec.command("broadcast")
        audience = await sec.expect("Who should receive the message?")
        await sec.press("A council's Telegram group", audience)
        await sec.expect("To: The Telegram group of the " + PROVINCIAL)
        await sec.send_text("Toplantı salonu değişikliği için duyuruları takip ediniz.")
        preview = await sec.expect("Preview")
        assert "A group is not private" in (preview.text or "")
        assert "“Gaziantep Göç Kurulu Duyuru”" in (preview.text or "")
        await sec.press("✅ Send to the group", preview)
        await group.expect("Toplantı salonu değişikliği için duyuruları takip ediniz.")
        await sec.expect("Delivery report")
        await fake.wait_idle()
        assert not [m for m in m1.messages() if "Toplantı salonu" in (m.text or "")]

        # --- the meeting is cancelled: announced, the reason stays private ---------------------
        await sec.command("meetings")
        await sec.press("14.01.2027 10:30", await sec.expect("Meetings of my councils"))
        await sec.press("🚫 Cancel", await sec.expect("Status: scheduled"))
        await sec.expect("Why is the meeting cancelled?")
        await sec.send_text("Selin Kaya'nın sağlık sorunu")
        await sec.press("🚫 Cancel the meeting", await sec.expect("Cancel the meeting?"))
        cancelled = await m1.expect("Meeting cancelled")
        assert "sağlık sorunu" in (cancelled.text or "")
        gone = await group.expect(fragment(plain(TR("🚫 <b>Meeting cancelled — {council}</b>"))))
        assert "sağlık" not in (gone.text or "")
        await notifier(bot).sender.settle()
        await fake.wait_idle()
        bot_posts = group.messages()
        assert_nothing_personal(bot_posts)
        assert len(bot_posts) == 5  # neutral line, linked, notice, broadcast, cancellation

        # --- /groups shows it -----------------------------------------------------------------
        await sec.command("groups")
        overview = await sec.expect("Council groups")
        assert "“Gaziantep Göç Kurulu Duyuru”" in (overview.text or "")
        assert "Unlink: " + PROVINCIAL in overview.buttons()

        # --- removed from the group: the link ends, the secretariat is told --------------------
        await group.remove_bot(sec)
        told = await sec.expect("I was removed from the group “Gaziantep Göç Kurulu Duyuru”")
        assert PROVINCIAL in (told.text or "")
        assert await store.groups.of_council(1) is None
        await fake.wait_idle()
        assert len(group.messages()) == 5  # nothing more was posted there
        # Members heard nothing about the group.
        assert not [m for m in people[L1].messages() if "group" in (m.text or "").lower()]


async def test_someone_else_adding_the_bot_gets_one_neutral_line(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(START)
    people = await seed_people(db_path, province, clock, fake)
    m1 = people[M1]
    stranger = fake.user(9901, "Kemal", language_code="en")
    group = fake.group(GROUP_ID, "Mahalle grubu")
    async with running(fake, db_path, clock):
        await group.add_bot(stranger)
        neutral = fragment(TR(
            "I only post the announcements of a migration coordination council here, once "
            "its secretariat has linked this group. I do not answer here: please write to "
            "me in a private chat."))
        await group.expect(neutral)
        # A member (registered, not allowed to link) adding it elsewhere: the same, no prompt.
        other = fake.group(GROUP_ID - 1, "Başka grup")
        await other.add_bot(m1)
        await other.expect(neutral)
        await fake.wait_idle()
        assert stranger.messages() == [] and m1.messages() == []
        # Commands in the group: the pointer only, the same for a member and a stranger.
        before = len(group.messages())
        await group.command(stranger, "members")
        first = await pointer_only(group)
        await group.command(m1, "members", addressed=True)
        second = await pointer_only(group)
        assert first.text == second.text and "Ayşe" not in (second.text or "")
        # Ordinary chatter and a channel are ignored.
        await group.send_text(m1, "merhaba")
        channel = fake.group(-1009999, "Kanal", kind="channel")
        await channel.add_bot(stranger, "administrator")
        await channel.post("/start")
        await fake.wait_idle()
        assert len(group.messages()) == before + 2 and channel.messages() == []
    async with Database(db_path) as db:
        store = Store(db)
        assert await store.groups.of_council(1) is None
        assert (await store.groups.group(GROUP_ID)) is not None  # known, not linked
        assert await store.groups.group(-1009999) is None        # channels are not recorded


async def test_link_later_from_groups_follow_a_migration_and_unlink(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(START)
    people = await seed_people(db_path, province, clock, fake)
    sec = people[SEC]
    group = fake.group(GROUP_ID, "Kurul")
    async with running(fake, db_path, clock) as bot:
        assert bot.app is not None
        store: Store = bot.app.runtime.store
        await group.add_bot(sec)
        await sec.press("Not now", await sec.expect("You added me to the group “Kurul”"))
        await sec.expect("Not linked.")
        assert await store.groups.of_council(1) is None
        # /groups offers the group it was added to; a forged link button for another is refused.
        await sec.command("groups")
        overview = await sec.expect("Council groups")
        assert PROVINCIAL + ": no group" in (overview.text or "")
        await sec.press_data("grp:ok:-42:1", overview.message_id)
        assert "no longer exists" in ((await sec.answer()).get("text") or "")
        await sec.press("Link: “Kurul”", overview)
        await sec.press(PROVINCIAL, await sec.expect("Which council's announcements"))
        await sec.press("✅ Link", await sec.expect("Link the group “Kurul”"))
        await sec.expect("now receives the announcements")
        # The group becomes a supergroup: Telegram reports it in the old chat.
        new_id = -1009000000001
        await fake.inject({"message": {
            "message_id": 900, "date": 1_800_000_000, "chat": {"id": GROUP_ID, "type": "group",
                                                                "title": "Kurul"},
            "from": sec.as_json(), "migrate_to_chat_id": new_id}})
        await fake.wait_idle()
        link = await store.groups.of_council(1)
        assert link is not None and link.chat_id == new_id
        # Unlink: confirmed, audited, and the bot leaves the group.
        await sec.command("groups")
        overview = await sec.expect("Council groups")
        await sec.press("Unlink: " + PROVINCIAL, overview)
        await sec.press("Unlink", await sec.expect("Unlink the group “Kurul”"))
        await sec.expect("Unlinked. I left the group “Kurul”.")
        assert await store.groups.of_council(1) is None
        assert [c for c in fake.calls("leaveChat") if c.chat_id == new_id]
        assert await store.audit.entries(action_prefix="group.unlink")
