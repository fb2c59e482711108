"""/broadcast and /deliveries end to end: preview with the recipient count, confirm, progress
in ONE edited message, the delivery report naming who could not be reached (once), and the
sender's behaviour against Telegram's faults (429 honoured, 5xx and dropped connections
retried, 403 settled as unreachable)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.domain.clock import SystemClock
from bot.domain.models import CouncilKind, Rank, RoleKind
from bot.notify.engine import notifier_of
from bot.store import Store
from tests import seed
from tests.e2e.conftest import Province
from tests.e2e.harness import RunningBot, running
from tests.fakebot import BotMessage, FakeBotAPI, FakeUser, Fault

SECRETARIAT = 8001
TEXT = "Kurul toplantısı 15 Mart 2027 Pazartesi 10:00'da Valilik toplantı salonunda yapılacaktır."


async def _setup(bot: RunningBot, fake: FakeBotAPI, province: Province, people: int = 6
                 ) -> tuple[FakeUser, seed.Seeded, dict[int, FakeUser], Store]:
    assert bot.app is not None
    store = bot.app.runtime.store
    clock = SystemClock()
    found = await store.councils.province_by_name(province.name)
    assert found is not None
    provincial = await store.councils.council_of_kind(found.id, CouncilKind.PROVINCIAL)
    sub = await store.councils.council_of_kind(found.id, CouncilKind.SUBCOMMISSION)
    assert provincial is not None and sub is not None
    seeded = seed.Seeded(found.id, provincial.id, sub.id)
    await seed.person(store, clock, SECRETARIAT, "Selin Kaya", provincial.id,
                      RoleKind.SECRETARIAT)
    made = await seed.many(store, clock, seeded, people, 20_001)
    users = {tid: fake.user(tid, f"Kişi{tid}", language_code="en") for tid in made}
    return fake.user(SECRETARIAT, "Selin", language_code="en"), seeded, users, store


async def _broadcast(sec: FakeUser, audience: str, text: str, count: int) -> BotMessage:
    await sec.command("broadcast")
    await sec.press(audience, await sec.expect("Who should receive the message?"))
    await sec.expect("Type the message, at most 3.500 characters")
    await sec.send_text(text)
    preview = await sec.expect("Preview")
    people = "person" if count == 1 else "people"
    assert f"— {count} {people}" in (preview.text or "")
    await sec.press(f"✅ Send to {count} {people}", preview)
    return preview


async def test_broadcast_preview_confirm_progress_in_one_message_and_report(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path) as bot:
        sec, _, users, _ = await _setup(bot, fake, province)
        members = [tid for n, tid in enumerate(sorted(users)) if n % 4 in (0, 1)]
        blocked = members[1]
        fake.block(blocked)
        await sec.command("broadcast")
        await sec.press("Members of a council", await sec.expect("Who should receive"))
        await sec.expect("Type the message")
        await sec.send_photo()
        await sec.expect("Only text can be broadcast")
        await sec.send_text("x" * 3501)
        await sec.expect("This is too long: at most 3500 characters")
        await sec.send_text(TEXT)
        preview = await sec.expect("Preview")
        assert "— 4 people" in (preview.text or "") and TEXT in (preview.text or "")
        assert "Message from the secretariat of the Gaziantep Provincial" in (preview.text or "")
        await sec.press("✅ Send to 4 people", preview)
        final = await sec.expect("✅ Sent", timeout=15)
        assert final.message_id == preview.message_id
        report = await sec.expect("Delivery report", timeout=10)
        text = report.text or ""
        assert "Delivered to 3 of 4 people." in text
        assert "Not reachable (1):" in text and "has blocked the bot" in text
        assert f"Kişi {sorted(users).index(blocked) + 1:04d}" in text
        assert "press Start again" in text
        await fake.wait_idle()
        # Everyone else got the message exactly once; liaison officers nothing.
        for tid, user in users.items():
            got = [m for m in user.messages() if TEXT in (m.text or "")]
            assert len(got) == (1 if tid in members and tid != blocked else 0), tid
        # The progress is ONE message edited in place, never one per recipient.
        edits = [c for c in fake.calls("editMessageText") if c.chat_id == SECRETARIAT
                 and int(c.params["message_id"]) >= preview.message_id]
        assert len(edits) >= 2 and {c.params["message_id"] for c in edits} == {
            preview.message_id}
        sent_after = [m for m in sec.messages() if m.message_id > preview.message_id]
        assert [m.message_id for m in sent_after] == [report.message_id]
        # The blocked person is reported in the broadcast's report, not again on their own.
        assert not [m for m in sec.messages() if "I could not deliver" in (m.text or "")]


async def test_sender_honours_429_and_retries_5xx_and_dropped_connections(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path) as bot:
        sec, _, users, _ = await _setup(bot, fake, province, people=12)
        chats = sorted(users)
        fake.fail_next("sendMessage", Fault("retry_after", retry_after=1), chat_id=chats[0])
        fake.fail_next("sendMessage", Fault("server_error", status=502), times=2,
                       chat_id=chats[1])
        fake.fail_next("sendMessage", Fault("server_error", status=500), chat_id=chats[2])
        fake.fail_next("sendMessage", Fault("network"), chat_id=chats[3])
        fake.fail_next("sendMessage", Fault("forbidden", description=(
            "Forbidden: bot can't initiate conversation with a user")), chat_id=chats[4])
        province_wide = "Everyone in Gaziantep"
        await _broadcast(sec, province_wide, TEXT, 12)
        report = await sec.expect("Delivery report", timeout=20)
        assert "Delivered to 11 of 12 people." in (report.text or "")
        assert "has never started the bot" in (report.text or "")
        assert fake.served_429 == 1
        throttled = next(c for c in fake.calls("sendMessage")
                         if c.chat_id == chats[0] and c.error_code == 429)
        later = [t for t in fake.send_times() if t > throttled.time]
        assert later and min(later) - throttled.time >= 0.9  # paused for retry_after
        for tid in chats[:4] + chats[5:]:
            assert len([m for m in users[tid].messages() if TEXT in (m.text or "")]) == 1
        notifier = notifier_of(bot.app)
        assert notifier.sender.stats.retries >= 4 and notifier.sender.stats.throttled == 1


async def test_deliveries_lists_notices_and_each_unreachable_person_once(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path) as bot:
        sec, seeded, users, store = await _setup(bot, fake, province, people=8)
        blocked = sorted(users)[0]  # a member
        fake.deactivate(blocked)
        # ... who is also a liaison officer elsewhere: two notices fail for them
        institution = (await store.councils.institutions(seeded.provincial_id))[5]
        person = await store.people.by_telegram_id(blocked)
        assert person is not None
        await store.people.add_role(person.id, seeded.provincial_id, RoleKind.LIAISON,
                                    SystemClock().now(), institution_id=institution.id,
                                    rank=Rank.PRINCIPAL)
        await _broadcast(sec, "Members of a council", "Birinci duyuru", 4)
        await sec.expect("Delivery report", timeout=10)
        await _broadcast(sec, "Liaison officers of a council", "İkinci duyuru", 5)
        await sec.expect("Delivery report", timeout=10)
        await sec.command("deliveries")
        overview = await sec.expect("Recent notices and reminders")
        text = overview.text or ""
        assert "Liaison officers of the Gaziantep" in text and "Members of the" in text
        assert "✅ 3 delivered" in text and "✅ 4 delivered" in text
        assert text.count("🚫 1 not reachable") == 2
        assert len(re.findall(r"Kişi 0001", text)) == 1  # reported once, not per notice
        assert "has deleted their Telegram account" in text and "press Start again" in text
        await sec.press("1", overview)
        details = await sec.expect("Not reachable (1):")
        assert "Kişi 0001" in (details.text or "")
        # a forged notice id is refused
        await sec.press_data("dlv:n:99999", overview.message_id)
        assert "no longer exists" in ((await sec.answer()).get("text") or "")


async def test_only_the_secretariat_may_broadcast(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    async with running(fake, db_path) as bot:
        _, _, users, _ = await _setup(bot, fake, province, people=1)
        member = users[min(users)]
        await member.command("broadcast")
        await member.expect("You are not authorised to do this.")
        await member.command("deliveries")
        await member.expect("You are not authorised to do this.")
