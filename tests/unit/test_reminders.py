"""Reminders derived from the statutory calendar: due once, late after downtime, moved to the
morning in quiet hours, pointless when the facts move on, sent to the right secretariat."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.clock import ManualClock
from bot.domain.models import RoleKind
from bot.notify.quiet import DEFAULT_QUIET_HOURS
from bot.notify.reminders import CalendarReminders, Scheduler, calendar_window_relevant
from bot.store import Store
from tests import seed

# The fixture clock: Monday 4 January 2027, 09:00 UTC (12:00 in Istanbul).
SUBCOMMISSION_MARCH_DUE = datetime(2027, 2, 15, 6, 0, tzinfo=UTC)  # 1 March - 14 d, 09:00 +3
DISTRICT_H1_DUE = datetime(2027, 1, 18, 6, 0, tzinfo=UTC)          # 1 February - 14 d


@pytest.fixture
async def seeded(store: Store, clock: ManualClock) -> seed.Seeded:
    province = await seed.province(store, clock)
    await seed.person(store, clock, 501, "Selin Kaya", province.provincial_id,
                      RoleKind.SECRETARIAT)
    await seed.person(store, clock, 502, "Can Demir", province.provincial_id,
                      RoleKind.SECRETARIAT, language="tr")
    return province


def scheduler(store: Store, clock: ManualClock) -> Scheduler:
    return Scheduler(store, clock, [CalendarReminders(14, time(9, 0))], DEFAULT_QUIET_HOURS)


async def test_a_reminder_is_queued_once_when_it_falls_due(
    store: Store, clock: ManualClock, seeded: seed.Seeded
) -> None:
    planner = scheduler(store, clock)
    first = await planner.rebuild()
    # The January window fell due before the province was set up: nobody is owed it.
    assert first.queued_notices == 0
    assert first.next_due == SUBCOMMISSION_MARCH_DUE
    clock.set(SUBCOMMISSION_MARCH_DUE)
    due = await planner.rebuild()
    assert (due.queued_notices, due.queued_rows, due.late_rows) == (1, 2, 0)
    assert due.next_due == datetime(2027, 3, 18, 6, 0, tzinfo=UTC)  # the April council
    again = await planner.rebuild()
    assert again.queued_notices == 0  # idempotent
    items = await store.outbox.due(clock.now())
    assert sorted(i.chat_id for i in items) == [501, 502]
    assert all(not i.late and i.not_before == SUBCOMMISSION_MARCH_DUE for i in items)
    notice = await store.outbox.notice(items[0].notice_id)
    assert notice is not None and notice.payload["window_start"] == "2027-03-01"
    assert notice.council_id == seeded.subcommission_id


async def test_a_reminder_due_while_the_bot_was_down_is_late_and_waits_for_the_morning(
    store: Store, clock: ManualClock, seeded: seed.Seeded
) -> None:
    planner = scheduler(store, clock)
    await planner.rebuild()
    clock.set(datetime(2027, 2, 15, 19, 30, tzinfo=UTC))  # 22:30 in Istanbul, 13 h late
    done = await planner.rebuild()
    assert done.late_rows == 2
    assert await store.outbox.due(clock.now()) == []  # quiet hours
    clock.set(datetime(2027, 2, 16, 5, 0, tzinfo=UTC))  # 08:00
    items = await store.outbox.due(clock.now())
    assert len(items) == 2 and all(i.late for i in items)


async def test_a_closed_window_is_not_reminded_and_an_open_one_is_late(
    store: Store, clock: ManualClock, seeded: seed.Seeded
) -> None:
    clock.set(datetime(2027, 4, 2, 9, 0, tzinfo=UTC))  # down from 4 January to 2 April
    done = await scheduler(store, clock).rebuild()
    # March's sub-commission window closed on 5 March; April's council window is open.
    assert (done.queued_notices, done.late_rows) == (1, 2)
    [item, _] = await store.outbox.due(clock.now())
    notice = await store.outbox.notice(item.notice_id)
    assert notice is not None and notice.payload["period"] == "2027-04"


async def test_a_district_is_told_through_its_own_secretariat_or_else_the_directorate(
    store: Store, clock: ManualClock, seeded: seed.Seeded
) -> None:
    from bot.services import setup

    quiet = await setup.add_district(store, clock, seeded.province_id, "Nizip", 9000, False)
    busy = await setup.add_district(store, clock, seeded.province_id, "İslahiye", 9000, True)
    await seed.person(store, clock, 601, "Ece Ak", busy.id, RoleKind.SECRETARIAT)
    clock.set(DISTRICT_H1_DUE)
    done = await scheduler(store, clock).rebuild()
    assert done.queued_notices == 2
    by_council: dict[int, set[int]] = {}
    for item in await store.outbox.due(clock.now()):
        notice = await store.outbox.notice(item.notice_id)
        assert notice is not None and notice.council_id is not None
        by_council.setdefault(notice.council_id, set()).add(item.chat_id)
    assert by_council == {quiet.id: {501, 502}, busy.id: {601}}


async def test_a_reminder_with_nobody_to_tell_waits_for_a_secretariat(
    store: Store, clock: ManualClock
) -> None:
    province = await seed.province(store, clock)
    planner = scheduler(store, clock)
    clock.set(SUBCOMMISSION_MARCH_DUE)
    assert (await planner.rebuild()).queued_notices == 0
    await seed.person(store, clock, 701, "Deniz Ak", province.provincial_id,
                      RoleKind.SECRETARIAT)
    clock.advance(timedelta(hours=1))
    done = await planner.rebuild()
    assert (done.queued_notices, done.queued_rows, done.late_rows) == (1, 1, 1)


async def test_leave_that_moves_a_window_makes_the_old_reminder_pointless(
    store: Store, clock: ManualClock, seeded: seed.Seeded
) -> None:
    planner = scheduler(store, clock)
    clock.set(SUBCOMMISSION_MARCH_DUE)
    await planner.rebuild()
    [item, _] = await store.outbox.due(clock.now())
    notice = await store.outbox.notice(item.notice_id)
    assert notice is not None
    assert await calendar_window_relevant(store, clock, notice)
    assert not await planner.facts_changed()
    # Administrative leave over the whole first week of March: the meeting moves to 8 March.
    await store.leave.add_days(seeded.province_id,
                               [date(2027, 3, d) for d in range(1, 6)], "izin", None,
                               clock.now())
    assert await planner.facts_changed()
    assert not await calendar_window_relevant(store, clock, notice)
    done = await planner.rebuild()
    assert done.queued_notices == 0
    assert done.next_due == datetime(2027, 2, 22, 6, 0, tzinfo=UTC)  # 8 March - 14 days
    clock.set(done.next_due)
    assert (await planner.rebuild()).queued_notices == 1


async def test_a_removed_council_makes_its_reminder_pointless(
    store: Store, clock: ManualClock, seeded: seed.Seeded
) -> None:
    from bot.services import setup

    district = await setup.add_district(store, clock, seeded.province_id, "Nizip", 9000, False)
    clock.set(DISTRICT_H1_DUE)
    await scheduler(store, clock).rebuild()
    item = (await store.outbox.due(clock.now()))[0]
    notice = await store.outbox.notice(item.notice_id)
    assert notice is not None and notice.council_id == district.id
    assert await calendar_window_relevant(store, clock, notice)
    await store.councils.remove_council(district.id, clock.now())
    assert not await calendar_window_relevant(store, clock, notice)
    clock.set(datetime(2027, 10, 1, 9, 0, tzinfo=UTC))
    await store.councils.remove_council(seeded.subcommission_id, clock.now())
    assert not await calendar_window_relevant(store, clock, notice)
