"""Calendar reminders end to end, on an injected clock: due on time, late after the bot was
down, held in quiet hours until the morning, rebuilt from the store at start-up, and the
secretariat told once about a colleague the bot cannot reach."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.domain.clock import ManualClock
from bot.domain.models import RoleKind
from bot.notify.engine import WAKE_JOB, notifier_of
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.conftest import Province
from tests.e2e.harness import RunningBot, running
from tests.fakebot import FakeBotAPI

SELIN, CAN = 8101, 8102
WINDOW_TEXT = "The ordinary meeting window opens on {start}"


async def _secretariat(db_path: Path, province: Province, clock: ManualClock) -> None:
    async with Database(db_path) as db:
        store = Store(db)
        provincial = await seed.council_of(store, province.name)
        await seed.person(store, clock, SELIN, "Selin Kaya", provincial.id, RoleKind.SECRETARIAT)
        await seed.person(store, clock, CAN, "Can Demir", provincial.id, RoleKind.SECRETARIAT,
                          language="tr")


def _notifier(bot: RunningBot):  # type: ignore[no-untyped-def]
    assert bot.app is not None
    return notifier_of(bot.app)


async def test_reminders_on_time_late_after_downtime_and_in_the_morning(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(datetime(2027, 2, 15, 5, 0, tzinfo=UTC))  # 08:00 in Gaziantep
    await _secretariat(db_path, province, clock)
    selin = fake.user(SELIN, "Selin", language_code="en")
    fake.user(CAN, "Can", language_code="tr")
    fake.block(CAN)
    async with running(fake, db_path, clock) as bot:
        assert bot.app is not None and bot.app.job_queue is not None
        assert len(bot.app.job_queue.get_jobs_by_name(WAKE_JOB)) == 1
        await fake.wait_idle()
        assert not [m for m in selin.messages() if "meeting window" in (m.text or "")]
        # 09:00: the sub-commission's March window is 14 days away. The timer fires.
        clock.set(datetime(2027, 2, 15, 6, 0, tzinfo=UTC))
        await _notifier(bot).rebuild()
        reminder = await selin.expect(WINDOW_TEXT.format(start="1 March 2027 Monday"))
        assert "Gaziantep Sub-commission" in (reminder.text or "")
        assert "Late" not in (reminder.text or "")
        alert = await selin.expect("I could not deliver a message to Can Demir")
        assert "has blocked the bot" in (alert.text or "")
        assert "press Start again" in (alert.text or "")

        # The bot is down from 15 February until 23:30 on 18 March: April's reminder (due at
        # 09:00 that day) is rebuilt from the store at start-up, late, and waits for 08:00.
        await bot.stop()
        clock.set(datetime(2027, 3, 18, 20, 30, tzinfo=UTC))
        await bot.start()
        await fake.wait_idle()
        assert not [m for m in selin.messages() if "1 April 2027" in (m.text or "")]
        clock.set(datetime(2027, 3, 19, 5, 0, tzinfo=UTC))
        _notifier(bot).sender.poke()
        late = await selin.expect(WINDOW_TEXT.format(start="1 April 2027 Thursday"))
        assert (late.text or "").startswith("⏰ Late: I was offline when this was due.")
        assert "Gaziantep Provincial Migration Coordination Council" in (late.text or "")
        await _notifier(bot).sender.settle()
        await fake.wait_idle()
        # Can is still unreachable, and the secretariat was told about him once.
        alerts = [m for m in selin.messages() if "could not deliver" in (m.text or "")]
        assert len(alerts) == 1

        # Can unblocks the bot and presses Start: he is reachable again.
        fake.unblock(CAN)
        can = fake.user(CAN)
        await can.command("start")
        await can.reply()
        await fake.wait_idle()
        assert await bot.app.runtime.store.outbox.unreachable_telegram_ids() == set()


async def test_a_district_added_while_running_is_reminded_without_a_restart(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    clock = ManualClock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    await _secretariat(db_path, province, clock)
    selin = fake.user(SELIN, "Selin", language_code="en")
    fake.user(CAN, "Can", language_code="tr")
    async with running(fake, db_path, clock) as bot:
        notifier = _notifier(bot)
        before = (await notifier.scheduler.rebuild()).next_due
        assert before == datetime(2027, 2, 15, 6, 0, tzinfo=UTC)
        # The secretariat adds a district in the bot; its February window is due sooner.
        await selin.command("districts")
        await selin.press("➕ Add", await selin.expect("District councils"))
        await selin.send_text("Nizip")
        await selin.send_text("9000")
        await selin.press("No", await selin.expect("border district"))
        await selin.press("✅ Confirm", await selin.expect("New district council"))
        await selin.expect("Added:")
        await fake.wait_idle()
        assert bot.app is not None and bot.app.job_queue is not None
        [job] = bot.app.job_queue.get_jobs_by_name(WAKE_JOB)
        assert notifier.scheduler._fingerprint is not None
        assert not await notifier.scheduler.facts_changed()  # rebuilt after the update
        after = (await notifier.scheduler.rebuild()).next_due
        assert after == datetime(2027, 1, 18, 6, 0, tzinfo=UTC)  # 1 February - 14 days
        assert job.next_t is not None
