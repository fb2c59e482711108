"""Calendar use cases: a province's administrative leave days and its councils' calendars.

This module owns:

* who may enter and remove administrative leave days (idari izin, Permission.MANAGE_LEAVE),
  which days of a typed range are stored (weekdays that are not official holidays: leave on a
  day that is not worked anyway changes nothing), the 31-day cap on one entry, the audit trail,
  and which meeting windows of the province a change moves;
* the working calendar of a province: official holidays plus its stored leave days;
* what `/calendar` shows a council's secretariat and chair (Permission.VIEW_CALENDAR): the
  windows of this and the next quarter with the deadlines of their suggested dates;
* the entries the command line exports (`python -m bot calendar`).

The statutory rules themselves are `bot.domain.calendar`'s; rendering is
`bot.documents.calendar_export`'s.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.documents.calendar_export import CalendarEntry
from bot.domain.calendar import (
    MeetingWindow,
    WindowStatus,
    local_today,
    meeting_deadlines,
    ordinary_meetings,
    quarter_end,
    upcoming,
    window_status,
)
from bot.domain.clock import Clock
from bot.domain.models import Council, CouncilKind, LeaveDay, Province
from bot.domain.permissions import Grant, Permission, Target, allowed
from bot.domain.validation import clean_text
from bot.domain.workdays import DayKind, HolidayProvider, WorkingCalendar
from bot.services.access import council_or_refuse, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.store import Store

# One entry covers at most a month: a longer "leave" is a typo, or several decisions.
MAX_LEAVE_RANGE_DAYS = 31
LEAVE_NOTE_MAX = 200
# A typed leave date must fall in this many years either side of today's year: catches
# 05.01.2207 and 05.01.1027 without stopping anyone from recording last year's leave.
LEAVE_YEARS_AROUND = 2

_ONE_DAY = timedelta(days=1)


class LeaveProblem(enum.StrEnum):
    NOT_A_DATE = "not_a_date"
    END_BEFORE_START = "end_before_start"
    RANGE_TOO_LONG = "range_too_long"
    OUT_OF_RANGE = "out_of_range"
    NO_WORKING_DAY = "no_working_day"  # every day of the range is a weekend or holiday
    ALREADY_ENTERED = "already_entered"  # every working day of the range is leave already


class LeaveInputError(ValueError):
    """A leave date or range that cannot be used; the handler explains `problem`."""

    def __init__(
        self,
        problem: LeaveProblem,
        *,
        limit: int | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit
        self.first = first
        self.last = last


# --- reading dates ---------------------------------------------------------------------------

_TYPED_DAY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_TYPED_RANGE = re.compile(r"\s*[-–—]\s*")
_ISO_RANGE = ".."


def _day(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:  # 31.02.2027, 00.01.2027
        raise LeaveInputError(LeaveProblem.NOT_A_DATE) from exc


def check_range(start: date, end: date) -> tuple[date, date]:
    """The rules every leave range obeys, however it was typed."""
    if end < start:
        raise LeaveInputError(LeaveProblem.END_BEFORE_START)
    if (end - start).days + 1 > MAX_LEAVE_RANGE_DAYS:
        raise LeaveInputError(LeaveProblem.RANGE_TOO_LONG, limit=MAX_LEAVE_RANGE_DAYS)
    return start, end


def parse_typed_range(text: str | None) -> tuple[date, date]:
    """``05.01.2027`` or ``05.01.2027-08.01.2027`` as people type them in the bot (also with
    ``/`` in dates, spaces or an en dash around the range)."""
    parts = _TYPED_RANGE.split((text or "").strip())
    if len(parts) > 2:
        raise LeaveInputError(LeaveProblem.NOT_A_DATE)
    days = []
    for part in parts:
        match = _TYPED_DAY.fullmatch(part)
        if match is None:
            raise LeaveInputError(LeaveProblem.NOT_A_DATE)
        days.append(_day(match.group(3), match.group(2), match.group(1)))
    return check_range(days[0], days[-1])


def parse_iso_range(text: str) -> tuple[date, date]:
    """``2027-01-05`` or ``2027-01-05..2027-01-08`` (the command line's ``--leave``)."""
    parts = text.strip().split(_ISO_RANGE)
    if len(parts) > 2:
        raise LeaveInputError(LeaveProblem.NOT_A_DATE)
    try:
        days = [date.fromisoformat(p.strip()) for p in parts]
    except ValueError as exc:
        raise LeaveInputError(LeaveProblem.NOT_A_DATE) from exc
    return check_range(days[0], days[-1])


def days_of(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- the working calendar of a province ------------------------------------------------------


async def working_calendar(
    store: Store, province_id: int, *, holidays: HolidayProvider | None = None
) -> WorkingCalendar:
    days = await store.leave.days(province_id)
    return WorkingCalendar([d.day for d in days], holidays)


async def _population(store: Store, council: Council) -> int:
    # Art. 6(9) counts the province's foreigners for the sub-commission: take the provincial
    # council's figure, which the secretariat keeps current, over the copy made at set-up.
    if council.kind is CouncilKind.SUBCOMMISSION:
        provincial = await store.councils.council_of_kind(
            council.province_id, CouncilKind.PROVINCIAL
        )
        if provincial is not None:
            return provincial.foreign_population
    return council.foreign_population


async def _windows(
    store: Store, council: Council, years: Iterable[int], workdays: WorkingCalendar
) -> list[MeetingWindow]:
    population = await _population(store, council)
    windows: list[MeetingWindow] = []
    for year in sorted(set(years)):
        windows += ordinary_meetings(council.kind, year, population, council.border, workdays)
    return windows


async def council_windows(
    store: Store, council: Council, years: Iterable[int], workdays: WorkingCalendar
) -> list[MeetingWindow]:
    """The ordinary meeting windows of one council in `years` (meetings use this)."""
    return await _windows(store, council, years, workdays)


def _entry(council: Council, window: MeetingWindow, workdays: WorkingCalendar) -> CalendarEntry:
    return CalendarEntry(
        kind=council.kind,
        council=council.name,
        council_id=council.id,
        window=window,
        deadlines=meeting_deadlines(council.kind, window.suggested_date, workdays),
    )


# --- leave days ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeavePlan:
    """What adding a typed range would do, shown before it is saved."""

    province: Province
    start: date
    end: date
    days: tuple[date, ...]  # to be stored
    off_days: tuple[date, ...]  # weekends and official holidays: not worked anyway
    existing: tuple[date, ...]  # already entered
    past: bool  # the range starts before today

    @property
    def whole_range(self) -> bool:
        return not self.off_days and not self.existing


@dataclass(frozen=True, slots=True)
class LeaveRun:
    """Leave days that read as one entry: the same note, with nothing but weekends and
    official holidays between them (a Thursday–Tuesday leave is one run, not two)."""

    start: date
    end: date
    note: str
    days: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class WindowChange:
    """A meeting window that a leave change moved or re-qualified."""

    council: Council
    before: MeetingWindow
    after: MeetingWindow


@dataclass(frozen=True, slots=True)
class LeaveChange:
    province: Province
    days: tuple[date, ...]
    note: str
    changes: tuple[WindowChange, ...]


def _leave_target(province_id: int) -> Target:
    # Leave days belong to the province: every council's calendar in it counts them.
    return Target(province_id=province_id)


async def leave_provinces(store: Store, grants: list[Grant]) -> list[Province]:
    """The provinces whose leave days `grants` may manage."""
    provinces = []
    for province_id in sorted({g.province_id for g in grants}):
        if allowed(Permission.MANAGE_LEAVE, grants, _leave_target(province_id)):
            province = await store.councils.province(province_id)
            if province is not None:
                provinces.append(province)
    return provinces


async def _leave_province(store: Store, grants: list[Grant], province_id: int) -> Province:
    require(Permission.MANAGE_LEAVE, grants, _leave_target(province_id))
    province = await store.councils.province(province_id)
    if province is None:
        raise ServiceError(Refusal.NOT_FOUND, f"province {province_id}")
    return province


def _today(clock: Clock, province: Province) -> date:
    return local_today(clock, ZoneInfo(province.timezone))


def leave_bounds(today: date) -> tuple[date, date]:
    """The first and last day a leave may be entered for, seen from `today`."""
    return (date(today.year - LEAVE_YEARS_AROUND, 1, 1),
            date(today.year + LEAVE_YEARS_AROUND, 12, 31))


async def plan_leave(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    province_id: int,
    start: date,
    end: date,
    *,
    holidays: HolidayProvider | None = None,
) -> LeavePlan:
    """Check a range and sort its days; raises LeaveInputError when nothing could be added."""
    province = await _leave_province(store, grants, province_id)
    check_range(start, end)
    today = _today(clock, province)
    first, last = leave_bounds(today)
    if start < first or end > last:
        raise LeaveInputError(LeaveProblem.OUT_OF_RANGE, first=first, last=last)
    plain = WorkingCalendar((), holidays)  # what each day would be without leave
    stored = {d.day for d in await store.leave.days(province.id, start, end)}
    days, off, existing = [], [], []
    for day in days_of(start, end):
        if plain.day_kind(day) in (DayKind.WEEKEND, DayKind.HOLIDAY):
            off.append(day)
        elif day in stored:
            existing.append(day)
        else:
            days.append(day)
    if not days:
        raise LeaveInputError(
            LeaveProblem.ALREADY_ENTERED if existing else LeaveProblem.NO_WORKING_DAY
        )
    return LeavePlan(province, start, end, tuple(days), tuple(off), tuple(existing),
                     past=start < today)


async def _province_windows(
    store: Store, province: Province, years: Iterable[int], workdays: WorkingCalendar
) -> dict[tuple[int, str], tuple[Council, MeetingWindow]]:
    found = {}
    for council in await store.councils.councils_of_province(province.id):
        for window in await _windows(store, council, years, workdays):
            found[(council.id, window.period)] = (council, window)
    return found


def _changes(
    before: dict[tuple[int, str], tuple[Council, MeetingWindow]],
    after: dict[tuple[int, str], tuple[Council, MeetingWindow]],
) -> tuple[WindowChange, ...]:
    changed = []
    for key, (council, old) in before.items():
        new = after.get(key, (council, old))[1]
        if new != old:
            changed.append(WindowChange(council, old, new))
    return tuple(sorted(changed, key=lambda c: (c.after.window_start, c.council.id)))


async def add_leave(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    actor_id: int | None,
    province_id: int,
    start: date,
    end: date,
    note: str,
    *,
    holidays: HolidayProvider | None = None,
) -> LeaveChange:
    """Store the working days of a range as leave, audited; report the windows it moves.

    Raises LeaveInputError (range) or InvalidInput (note) for the user to correct, and
    ServiceError(FORBIDDEN) without MANAGE_LEAVE on the province.
    """
    plan = await plan_leave(store, clock, grants, province_id, start, end, holidays=holidays)
    note = clean_text(note, LEAVE_NOTE_MAX)
    years = {start.year, end.year}
    before = await _province_windows(
        store, plan.province, years, await working_calendar(store, province_id, holidays=holidays))
    now = clock.now()
    async with store.db.transaction():
        added = await store.leave.add_days(province_id, plan.days, note, actor_id, now)
        await store.audit.record(now, "leave.add", f"province:{province_id}", actor_id=actor_id,
                                 before=None,
                                 after={"days": [d.isoformat() for d in added], "note": note})
    after = await _province_windows(
        store, plan.province, years, await working_calendar(store, province_id, holidays=holidays))
    return LeaveChange(plan.province, tuple(added), note, _changes(before, after))


def group_runs(days: Sequence[LeaveDay], workdays: WorkingCalendar) -> list[LeaveRun]:
    """Group leave days (in date order) into runs; `workdays` without leave tells what lies
    between two of them."""
    runs: list[LeaveRun] = []
    current: list[LeaveDay] = []

    def close() -> None:
        if current:
            runs.append(LeaveRun(current[0].day, current[-1].day, current[0].note,
                                 tuple(d.day for d in current)))

    for leave in days:
        if current and leave.note == current[-1].note and all(
            workdays.day_kind(d) in (DayKind.WEEKEND, DayKind.HOLIDAY)
            for d in days_of(current[-1].day + _ONE_DAY, leave.day - _ONE_DAY)
        ):
            current.append(leave)
            continue
        close()
        current = [leave]
    close()
    return runs


async def leave_runs(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    province_id: int,
    *,
    holidays: HolidayProvider | None = None,
) -> list[LeaveRun]:
    """The province's leave from 1 January of this year on, as runs."""
    province = await _leave_province(store, grants, province_id)
    since = date(_today(clock, province).year, 1, 1)
    days = await store.leave.days(province.id, since)
    return group_runs(days, WorkingCalendar((), holidays))


async def remove_leave(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    actor_id: int | None,
    province_id: int,
    start: date,
    end: date,
    *,
    holidays: HolidayProvider | None = None,
) -> LeaveChange:
    """Remove the run from `start` to `end` (as `leave_runs` listed it), audited."""
    runs = await leave_runs(store, clock, grants, province_id, holidays=holidays)
    run = next((r for r in runs if (r.start, r.end) == (start, end)), None)
    if run is None:
        raise ServiceError(Refusal.NOT_FOUND, f"leave {start}..{end}")
    province = await _leave_province(store, grants, province_id)
    years = {start.year, end.year}
    before = await _province_windows(
        store, province, years, await working_calendar(store, province_id, holidays=holidays))
    now = clock.now()
    async with store.db.transaction():
        removed = await store.leave.remove_days(province_id, run.days)
        await store.audit.record(now, "leave.remove", f"province:{province_id}",
                                 actor_id=actor_id, after=None,
                                 before={"days": [d.isoformat() for d in removed],
                                         "note": run.note})
    after = await _province_windows(
        store, province, years, await working_calendar(store, province_id, holidays=holidays))
    return LeaveChange(province, tuple(removed), run.note, _changes(before, after))


# --- /calendar -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpcomingMeeting:
    entry: CalendarEntry
    status: WindowStatus


@dataclass(frozen=True, slots=True)
class CouncilCalendar:
    """One council's windows of this and the next quarter, as seen on `today`."""

    council: Council
    today: date
    horizon: date  # the last day of the next quarter
    meetings: tuple[UpcomingMeeting, ...]
    leave: tuple[LeaveRun, ...]  # the province's leave that bears on these windows


async def council_calendar(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    council_id: int,
    *,
    holidays: HolidayProvider | None = None,
) -> CouncilCalendar:
    council = await council_or_refuse(store, council_id)
    require(Permission.VIEW_CALENDAR, grants, target_of(council))
    province = await store.councils.province(council.province_id)
    if province is None:
        raise ServiceError(Refusal.NOT_FOUND, f"province {council.province_id}")
    today = _today(clock, province)
    horizon = quarter_end(quarter_end(today) + _ONE_DAY)
    workdays = await working_calendar(store, province.id, holidays=holidays)
    # Next year's windows too: in the last quarter the next quarter is January–March.
    windows = await _windows(store, council, (today.year, today.year + 1), workdays)
    chosen = upcoming(windows, today)
    meetings = tuple(
        UpcomingMeeting(_entry(council, w, workdays), window_status(w, today)) for w in chosen
    )
    # Leave from the earliest day shown (a window may have opened before today) to the last
    # deadline shown (platform entry at the end of a meeting's month, minutes after 15 days).
    shown_from = min([today, *(w.window_start for w in chosen)])
    shown_to = max([horizon, *(d.due for m in meetings for d in m.entry.deadlines.in_order())])
    leave = await store.leave.days(province.id, shown_from, shown_to)
    runs = tuple(group_runs(leave, WorkingCalendar((), holidays)))
    return CouncilCalendar(council, today, horizon, meetings, runs)


# --- the command line ------------------------------------------------------------------------


async def province_calendar(
    store: Store,
    year: int,
    province_name: str | None = None,
    *,
    holidays: HolidayProvider | None = None,
) -> list[CalendarEntry]:
    """Every council's windows in `year`, of one province or all, with each province's leave.

    Offline: no grants (whoever can read the database file can read this)."""
    if province_name is not None:
        province = await store.councils.province_by_name(province_name)
        if province is None:
            raise ServiceError(Refusal.PROVINCE_UNKNOWN, province_name)
        provinces = [province]
    else:
        provinces = await store.councils.provinces()
    entries: list[CalendarEntry] = []
    for province in provinces:
        workdays = await working_calendar(store, province.id, holidays=holidays)
        for council in await store.councils.councils_of_province(province.id):
            for window in await _windows(store, council, (year,), workdays):
                entries.append(_entry(council, window, workdays))
    return entries


def adhoc_calendar(
    kind: CouncilKind,
    year: int,
    foreign_population: int,
    border: bool,
    leave: Iterable[date] = (),
    *,
    holidays: HolidayProvider | None = None,
) -> list[CalendarEntry]:
    """The windows of a body described on the command line, without a database."""
    workdays = WorkingCalendar(leave, holidays)
    return [
        CalendarEntry(kind, None, None, w, meeting_deadlines(kind, w.suggested_date, workdays))
        for w in ordinary_meetings(kind, year, foreign_population, border, workdays)
    ]


def meeting_calendar(
    kind: CouncilKind,
    meeting_date: date,
    leave: Iterable[date] = (),
    *,
    holidays: HolidayProvider | None = None,
) -> list[CalendarEntry]:
    """The deadlines of one meeting on `meeting_date`."""
    workdays = WorkingCalendar(leave, holidays)
    return [CalendarEntry(kind, None, None, None,
                          meeting_deadlines(kind, meeting_date, workdays))]
