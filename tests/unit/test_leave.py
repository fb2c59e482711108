"""Administrative leave days (idari izin): the repository, the typed ranges, the service with
its permissions and audit, and the calendars built on them (/calendar, the command line).

Expected dates are worked out by hand: 1–5 March 2027 is Monday to Friday, 6–7 March a
weekend, and 8 March 2027 the half-day eve of Ramazan Bayramı (9–11 March).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.calendar import CalendarWarning, DeadlineCode, WindowStatus
from bot.domain.clock import ManualClock
from bot.domain.models import CouncilKind, LeaveDay, Rank, RoleKind
from bot.domain.permissions import Grant
from bot.domain.validation import InvalidInput
from bot.domain.workdays import WorkingCalendar
from bot.services import calendar as service
from bot.services import registration, setup
from bot.services.calendar import LeaveInputError, LeaveProblem
from bot.services.errors import Refusal, ServiceError
from bot.services.registration import Profile
from bot.store import Store
from bot.store.audit import AuditEntry
from bot.store.db import load_migrations

D = date
SECRETARIAT_TG = 2001
SNOW = "Valilik kararı: kar yağışı"


@pytest.fixture
def clock() -> ManualClock:
    # 1 December 2026, noon in Istanbul: this quarter is Q4 2026, the next Q1 2027.
    return ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


async def _province(store: Store, clock: ManualClock) -> tuple[setup.ProvinceSetup, int]:
    done = await setup.init_province(store, clock, "Gaziantep", 420_000)
    await registration.register(store, clock, done.token, SECRETARIAT_TG, Profile.checked(
        "Selin Kaya", "Uzman", "0532 123 45 67", "tr"))
    person = await store.people.by_telegram_id(SECRETARIAT_TG)
    assert person is not None
    return done, person.id


async def _leave_audit(store: Store, province_id: int) -> list[AuditEntry]:
    entries = await store.audit.entries(f"province:{province_id}")
    return [e for e in entries if e.action.startswith("leave.")]


async def _secretariat(store: Store) -> list[Grant]:
    return await store.people.grants(SECRETARIAT_TG)


# --- repository -----------------------------------------------------------------------------


async def test_migration_creates_the_leave_table(store: Store) -> None:
    assert await store.db.schema_version() == load_migrations()[-1].version
    row = await store.db.fetchone(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'leave_day'")
    assert row is not None and "UNIQUE (province_id, day)" in row[0]


async def test_repository_adds_lists_and_removes_days(store: Store, clock: ManualClock) -> None:
    done, person_id = await _province(store, clock)
    pid = done.province.id
    added = await store.leave.add_days(pid, [D(2027, 3, 2), D(2027, 3, 1)], SNOW, person_id,
                                       clock.now())
    assert added == [D(2027, 3, 1), D(2027, 3, 2)]
    # a day stored once per province: the second note does not replace the first
    again = await store.leave.add_days(pid, [D(2027, 3, 2), D(2027, 3, 3)], "other", None,
                                       clock.now())
    assert again == [D(2027, 3, 3)]
    assert await store.leave.days(pid) == [
        LeaveDay(D(2027, 3, 1), SNOW), LeaveDay(D(2027, 3, 2), SNOW),
        LeaveDay(D(2027, 3, 3), "other")]
    assert [d.day for d in await store.leave.days(pid, D(2027, 3, 2), D(2027, 3, 2))] == [
        D(2027, 3, 2)]
    assert await store.leave.days(pid + 1) == []
    assert await store.leave.remove_days(pid, [D(2027, 3, 3), D(2027, 4, 1)]) == [D(2027, 3, 3)]
    assert len(await store.leave.days(pid)) == 2


# --- typed ranges ---------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("05.01.2027", (D(2027, 1, 5), D(2027, 1, 5))),
    ("5.1.2027", (D(2027, 1, 5), D(2027, 1, 5))),
    ("05.01.2027-08.01.2027", (D(2027, 1, 5), D(2027, 1, 8))),
    (" 05/01/2027 – 08/01/2027 ", (D(2027, 1, 5), D(2027, 1, 8))),
    ("01.03.2027-31.03.2027", (D(2027, 3, 1), D(2027, 3, 31))),  # 31 days: the cap
])
def test_typed_dates_and_ranges_are_read(typed: str, expected: tuple[date, date]) -> None:
    assert service.parse_typed_range(typed) == expected


@pytest.mark.parametrize(("typed", "problem"), [
    ("", LeaveProblem.NOT_A_DATE),
    ("yarın", LeaveProblem.NOT_A_DATE),
    ("2027-01-05", LeaveProblem.NOT_A_DATE),
    ("31.02.2027", LeaveProblem.NOT_A_DATE),
    ("05.01.2027-08.01.2027-09.01.2027", LeaveProblem.NOT_A_DATE),
    ("08.01.2027-05.01.2027", LeaveProblem.END_BEFORE_START),
    ("01.03.2027-01.04.2027", LeaveProblem.RANGE_TOO_LONG),  # 32 days
    ("01.01.2027-01.03.2027", LeaveProblem.RANGE_TOO_LONG),
])
def test_bad_typed_input_names_its_problem(typed: str, problem: LeaveProblem) -> None:
    with pytest.raises(LeaveInputError) as caught:
        service.parse_typed_range(typed)
    assert caught.value.problem is problem
    if problem is LeaveProblem.RANGE_TOO_LONG:
        assert caught.value.limit == service.MAX_LEAVE_RANGE_DAYS == 31


def test_command_line_ranges() -> None:
    assert service.parse_iso_range("2027-03-01..2027-03-05") == (D(2027, 3, 1), D(2027, 3, 5))
    assert service.parse_iso_range("2027-03-01") == (D(2027, 3, 1), D(2027, 3, 1))
    for bad in ("01.03.2027", "2027-03-05..2027-03-01", "2027-01-01..2027-03-01"):
        with pytest.raises(LeaveInputError):
            service.parse_iso_range(bad)


# --- permissions ----------------------------------------------------------------------------


async def test_only_a_secretariat_manages_leave(store: Store, clock: ManualClock) -> None:
    done, _ = await _province(store, clock)
    pid, council = done.province.id, done.council_id
    liaison = [Grant(RoleKind.LIAISON, pid, council, CouncilKind.PROVINCIAL, 1, Rank.PRINCIPAL)]
    chair = [Grant(RoleKind.CHAIR, pid, council, CouncilKind.PROVINCIAL)]
    member = [Grant(RoleKind.MEMBER, pid, council, CouncilKind.PROVINCIAL, 1)]
    elsewhere = [Grant(RoleKind.SECRETARIAT, pid + 1, 99, CouncilKind.PROVINCIAL)]
    for grants in (liaison, chair, member, elsewhere, []):
        assert await service.leave_provinces(store, grants) == []
        with pytest.raises(ServiceError) as caught:
            await service.add_leave(store, clock, grants, None, pid, D(2027, 3, 1),
                                    D(2027, 3, 5), SNOW)
        assert caught.value.refusal is Refusal.FORBIDDEN
        with pytest.raises(ServiceError):
            await service.leave_runs(store, clock, grants, pid)
        with pytest.raises(ServiceError):
            await service.remove_leave(store, clock, grants, None, pid, D(2027, 3, 1),
                                       D(2027, 3, 5))
    assert await store.leave.days(pid) == []
    assert [p.id for p in await service.leave_provinces(store, await _secretariat(store))] == [
        pid]


async def test_art_6_9_only_the_provincial_directorate_enters_leave_days(
    store: Store, clock: ManualClock
) -> None:
    """Administrative leave is declared for the whole province; a district's secretariat sees
    its effect on the calendar but does not enter it."""
    done, _ = await _province(store, clock)
    district = await setup.add_district(store, clock, done.province.id, "Nizip", 9000, False)
    grants = [Grant(RoleKind.SECRETARIAT, done.province.id, district.id, CouncilKind.DISTRICT)]
    with pytest.raises(ServiceError) as caught:
        await service.plan_leave(store, clock, grants, done.province.id, D(2027, 3, 1),
                                 D(2027, 3, 1))
    assert caught.value.refusal is Refusal.FORBIDDEN
    plan = await service.plan_leave(store, clock, await _secretariat(store), done.province.id,
                                    D(2027, 3, 1), D(2027, 3, 1))
    assert plan.days == (D(2027, 3, 1),)


async def test_calendar_is_for_the_secretariat_and_the_chair(
    store: Store, clock: ManualClock
) -> None:
    done, _ = await _province(store, clock)
    pid, council, sub = done.province.id, done.council_id, done.subcommission_id
    liaison = [Grant(RoleKind.LIAISON, pid, council, CouncilKind.PROVINCIAL, 1, Rank.PRINCIPAL)]
    chair = [Grant(RoleKind.CHAIR, pid, council, CouncilKind.PROVINCIAL)]
    with pytest.raises(ServiceError) as caught:
        await service.council_calendar(store, clock, liaison, council)
    assert caught.value.refusal is Refusal.FORBIDDEN
    assert (await service.council_calendar(store, clock, chair, council)).council.id == council
    with pytest.raises(ServiceError):  # the chair's reach is their own council
        await service.council_calendar(store, clock, chair, sub)
    secretariat = await _secretariat(store)
    assert (await service.council_calendar(store, clock, secretariat, sub)).council.id == sub


# --- adding and removing ------------------------------------------------------------------


async def test_art_6_9_leave_over_the_first_week_moves_the_subcommission(
    store: Store, clock: ManualClock
) -> None:
    done, person_id = await _province(store, clock)
    grants = await _secretariat(store)
    change = await service.add_leave(store, clock, grants, person_id, done.province.id,
                                     D(2027, 3, 1), D(2027, 3, 5), SNOW)
    assert change.days == tuple(D(2027, 3, d) for d in range(1, 6))
    # Only the sub-commission's March window moves: the councils' windows have working days.
    [moved] = change.changes
    assert moved.council.kind is CouncilKind.SUBCOMMISSION
    assert moved.after.article == "Art. 6(9)" and moved.after.period == "2027-03"
    assert (moved.before.window_start, moved.before.window_end) == (D(2027, 3, 1), D(2027, 3, 5))
    assert (moved.after.window_start, moved.after.suggested_date) == (D(2027, 3, 8),
                                                                      D(2027, 3, 8))
    assert CalendarWarning.MOVED_AFTER_FIRST_WEEK in moved.after.warnings
    assert CalendarWarning.SUGGESTED_HALF_DAY in moved.after.warnings  # 8 March: arife

    [entry] = await _leave_audit(store, done.province.id)
    assert entry.action == "leave.add" and entry.actor_id == person_id
    assert entry.details == {"before": None,
                             "after": {"days": [f"2027-03-0{d}" for d in range(1, 6)],
                                       "note": SNOW}}

    removed = await service.remove_leave(store, clock, grants, person_id, done.province.id,
                                         D(2027, 3, 1), D(2027, 3, 5))
    assert removed.days == change.days
    [back] = removed.changes
    assert back.after.window_start == D(2027, 3, 1) and back.after.warnings == ()
    assert await store.leave.days(done.province.id) == []
    actions = [e.action for e in await _leave_audit(store, done.province.id)]
    assert actions == ["leave.remove", "leave.add"]


async def test_weekends_and_holidays_in_a_range_are_not_stored(
    store: Store, clock: ManualClock
) -> None:
    done, person_id = await _province(store, clock)
    grants = await _secretariat(store)
    # Thu 31 Dec 2026 – Mon 4 Jan 2027: 1 January is an official holiday, 2–3 a weekend.
    plan = await service.plan_leave(store, clock, grants, done.province.id, D(2026, 12, 31),
                                    D(2027, 1, 4))
    assert plan.days == (D(2026, 12, 31), D(2027, 1, 4))
    assert plan.off_days == (D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3))
    assert not plan.past and not plan.whole_range
    await service.add_leave(store, clock, grants, person_id, done.province.id, D(2026, 12, 31),
                            D(2027, 1, 4), "Yılbaşı köprüsü")
    # ...and they read back as one entry, a Thursday-to-Monday leave
    runs = await service.leave_runs(store, clock, grants, done.province.id)
    assert [(r.start, r.end, r.days) for r in runs] == [
        (D(2026, 12, 31), D(2027, 1, 4), (D(2026, 12, 31), D(2027, 1, 4)))]
    with pytest.raises(LeaveInputError) as caught:
        await service.plan_leave(store, clock, grants, done.province.id, D(2027, 1, 1),
                                 D(2027, 1, 4))
    assert caught.value.problem is LeaveProblem.ALREADY_ENTERED
    with pytest.raises(LeaveInputError) as caught:
        await service.plan_leave(store, clock, grants, done.province.id, D(2027, 1, 9),
                                 D(2027, 1, 10))
    assert caught.value.problem is LeaveProblem.NO_WORKING_DAY


async def test_past_dates_are_allowed_and_flagged(store: Store, clock: ManualClock) -> None:
    done, person_id = await _province(store, clock)
    grants = await _secretariat(store)
    plan = await service.plan_leave(store, clock, grants, done.province.id, D(2026, 11, 2),
                                    D(2026, 11, 2))
    assert plan.past
    change = await service.add_leave(store, clock, grants, person_id, done.province.id,
                                     D(2026, 11, 2), D(2026, 11, 2), "Geçmiş kayıt")
    assert change.days == (D(2026, 11, 2),)
    with pytest.raises(LeaveInputError) as caught:
        await service.plan_leave(store, clock, grants, done.province.id, D(2207, 1, 5),
                                 D(2207, 1, 5))
    assert caught.value.problem is LeaveProblem.OUT_OF_RANGE
    assert caught.value.first == D(2024, 1, 1) and caught.value.last == D(2028, 12, 31)


async def test_a_note_is_required_and_a_stale_run_is_not_found(
    store: Store, clock: ManualClock
) -> None:
    done, person_id = await _province(store, clock)
    grants = await _secretariat(store)
    with pytest.raises(InvalidInput):
        await service.add_leave(store, clock, grants, person_id, done.province.id,
                                D(2027, 3, 1), D(2027, 3, 1), "   ")
    assert await store.leave.days(done.province.id) == []
    with pytest.raises(ServiceError) as caught:
        await service.remove_leave(store, clock, grants, person_id, done.province.id,
                                   D(2027, 3, 1), D(2027, 3, 1))
    assert caught.value.refusal is Refusal.NOT_FOUND


def test_runs_split_on_a_working_day_or_another_note() -> None:
    plain = WorkingCalendar(())
    days = [LeaveDay(D(2027, 3, 4), "a"), LeaveDay(D(2027, 3, 5), "a"),
            LeaveDay(D(2027, 3, 8), "a"),  # after a weekend: same run
            LeaveDay(D(2027, 3, 15), "a"),  # a working week between: a new run
            LeaveDay(D(2027, 3, 16), "b")]  # another note: a new run
    runs = service.group_runs(days, plain)
    assert [(r.start, r.end, r.note) for r in runs] == [
        (D(2027, 3, 4), D(2027, 3, 8), "a"), (D(2027, 3, 15), D(2027, 3, 15), "a"),
        (D(2027, 3, 16), D(2027, 3, 16), "b")]


# --- calendars --------------------------------------------------------------------------------


async def test_council_calendar_shows_this_and_the_next_quarter(
    store: Store, clock: ManualClock
) -> None:
    done, person_id = await _province(store, clock)
    grants = await _secretariat(store)
    await service.add_leave(store, clock, grants, person_id, done.province.id,
                            D(2027, 3, 1), D(2027, 3, 5), SNOW)
    sub = await service.council_calendar(store, clock, grants, done.subcommission_id)
    assert sub.today == D(2026, 12, 1) and sub.horizon == D(2027, 3, 31)
    assert [(m.entry.window.period, m.status) for m in sub.meetings if m.entry.window] == [
        ("2026-12", WindowStatus.OPEN), ("2027-03", WindowStatus.UPCOMING)]
    march = sub.meetings[1].entry
    assert march.meeting_date == D(2027, 3, 8)
    assert march.deadline(DeadlineCode.NOTICE) is not None
    assert march.deadline(DeadlineCode.AGENDA_PROPOSALS) is None  # no agenda for it (Art. 10)
    assert [(r.start, r.end, r.note, len(r.days)) for r in sub.leave] == [
        (D(2027, 3, 1), D(2027, 3, 5), SNOW, 5)]
    council = await service.council_calendar(store, clock, grants, done.council_id)
    assert [m.entry.window.period for m in council.meetings if m.entry.window] == ["2027-01"]


async def test_today_is_the_provinces_date_not_utcs(store: Store, clock: ManualClock) -> None:
    done, _ = await _province(store, clock)
    # 31 March 2027, 22:00 UTC is already 1 April in Istanbul: Q2 and Q3 2027.
    clock.set(datetime(2027, 3, 31, 22, 0, tzinfo=UTC))
    view = await service.council_calendar(store, clock, await _secretariat(store),
                                          done.council_id)
    assert view.today == D(2027, 4, 1) and view.horizon == D(2027, 9, 30)
    assert [m.entry.window.period for m in view.meetings if m.entry.window] == [
        "2027-04", "2027-07"]


async def test_province_calendar_for_the_command_line(store: Store, clock: ManualClock) -> None:
    done, person_id = await _province(store, clock)
    await setup.add_district(store, clock, done.province.id, "Nizip", 1500, False)
    await setup.add_district(store, clock, done.province.id, "Karkamış", 300, True)
    await service.add_leave(store, clock, await _secretariat(store), person_id,
                            done.province.id, D(2027, 3, 1), D(2027, 3, 5), SNOW)
    entries = await service.province_calendar(store, 2027, "GAZİANTEP")
    kinds = [(e.kind.value, e.council) for e in entries]
    # four provincial, four sub-commission, two for the border district; none for Nizip
    assert kinds.count(("provincial", "Gaziantep")) == 4
    assert kinds.count(("subcommission", "Gaziantep")) == 4
    assert kinds.count(("district", "Karkamış")) == 2 and ("district", "Nizip") not in kinds
    march = next(e for e in entries if e.window and e.window.period == "2027-03")
    assert march.meeting_date == D(2027, 3, 8)
    with pytest.raises(ServiceError) as caught:
        await service.province_calendar(store, 2027, "Kilis")
    assert caught.value.refusal is Refusal.PROVINCE_UNKNOWN
