"""The statutory calendar of the circular: when each council meets and what falls due around it.

This module owns the dates the circular fixes:

* the ordinary meeting windows of each body (Art. 6(9) sub-commission, 7 provincial council,
  8 district council) with a suggested date in each;
* the deadlines around one meeting (Art. 10 agenda, 11 notice, 12 minutes and platform entry);
* the yearly duties (Art. 13 annual report; Art. 5(8), 5(12), 5(13), 6(5) at the first council
  of the year);
* helpers that pick the windows that matter on a given day ("this and the next quarter").

It is pure: dates in, frozen dataclasses and `StrEnum` codes out. Which days are worked comes
from an injected `WorkingCalendar`, the current instant from an injected `Clock`. There is no
user-facing text here: codes and article references are rendered and translated elsewhere.

Period codes (`MeetingWindow.period`, stable, used as keys):

* provincial council and sub-commission: ``"YYYY-MM"``, the month the article names
  (``"2027-01"``, ``"2027-03"``); a sub-commission pushed past day 7 keeps its month;
* district council: ``"YYYY-H1"`` (February–March) and ``"YYYY-H2"`` (August–September).

Where the English summary in domain.md and the Turkish text differ, the Turkish text is
followed; the places where that matters are noted at the rule.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from bot.domain.clock import Clock
from bot.domain.models import CouncilKind
from bot.domain.workdays import WORKING_KINDS, DayKind, WorkingCalendar

__all__ = [
    "DISTRICT_THRESHOLD",
    "PROVINCE_THRESHOLD",
    "SUGGESTION_DAY",
    "CalendarWarning",
    "Clock",
    "Deadline",
    "DeadlineCode",
    "DutyCode",
    "MeetingDeadlines",
    "MeetingWindow",
    "WindowStatus",
    "YearlyDuty",
    "local_today",
    "meeting_deadlines",
    "ordinary_meetings",
    "quarter_end",
    "quarter_start",
    "upcoming",
    "window_status",
    "yearly_duties",
]

# Art. 6(9), 7(1), 7(2): "10.000 ve üzeri" — a province at exactly 10,000 meets four times.
PROVINCE_THRESHOLD = 10_000
# Art. 8(1): "2.000 ve üzeri". (Art. 4(2) says "2.000'den fazla" for which Kaymakams sit on the
# provincial council; that is membership, not the calendar.)
DISTRICT_THRESHOLD = 2_000

# The day of the month from which a council's meeting is suggested; see `ordinary_meetings`.
SUGGESTION_DAY = 16

# Art. 10(1), 10(2): "on beş gün önce"; Art. 11(3), 11(4): "en az beş/üç gün önce";
# Art. 12(2), 12(4), 12(5): "on beş gün içinde".
AGENDA_DAYS_BEFORE = 15
COUNCIL_NOTICE_DAYS_BEFORE = 5
SUBCOMMISSION_NOTICE_DAYS_BEFORE = 3
MINUTES_DAYS_AFTER = 15

_PROVINCIAL_MONTHS_LARGE = (1, 4, 7, 10)  # Art. 7(1)
_PROVINCIAL_MONTHS_SMALL = (1, 7)  # Art. 7(2)
_SUBCOMMISSION_MONTHS_LARGE = (3, 6, 9, 12)  # Art. 6(9)
_SUBCOMMISSION_MONTHS_SMALL = (6, 12)  # Art. 6(9)
_DISTRICT_WINDOWS = (("H1", 2, 3), ("H2", 8, 9))  # Art. 8(1): "Şubat/Mart ve Ağustos/Eylül"

_ONE_DAY = timedelta(days=1)


class CalendarWarning(enum.StrEnum):
    """Something about a window or a meeting date the secretariat should look at.

    These are codes for display, not exceptions.
    """

    # Sub-commission: a day of the window is a half day (arife, 28 October).
    HALF_DAY_IN_WINDOW = "half_day_in_window"
    # Sub-commission: a weekday among days 1–7 is an official holiday or leave day, so the
    # window is shorter than the usual first week.
    FIRST_WEEK_PARTLY_OFF = "first_week_partly_off"
    # Sub-commission: no working day is left among days 1–7; the meeting moves to the first
    # working day after (Art. 6(9)).
    MOVED_AFTER_FIRST_WEEK = "moved_after_first_week"
    # The suggested date is a half day: the window has no full working day.
    SUGGESTED_HALF_DAY = "suggested_half_day"
    # A council's window has no working day at all (only a calendar with implausible leave can
    # do this); the suggested date is the first working day after the window.
    NO_WORKING_DAY_IN_WINDOW = "no_working_day_in_window"
    # The meeting date itself is not a full working day.
    MEETING_ON_WEEKEND = "meeting_on_weekend"
    MEETING_ON_HOLIDAY = "meeting_on_holiday"
    MEETING_ON_LEAVE = "meeting_on_leave"
    MEETING_ON_HALF_DAY = "meeting_on_half_day"


_MEETING_DAY_WARNINGS: dict[DayKind, CalendarWarning] = {
    DayKind.WEEKEND: CalendarWarning.MEETING_ON_WEEKEND,
    DayKind.HOLIDAY: CalendarWarning.MEETING_ON_HOLIDAY,
    DayKind.LEAVE: CalendarWarning.MEETING_ON_LEAVE,
    DayKind.HALF_DAY: CalendarWarning.MEETING_ON_HALF_DAY,
}


class DeadlineCode(enum.StrEnum):
    """The deadlines around one meeting, in the order they fall."""

    AGENDA_PREPARATION = "agenda_preparation"
    AGENDA_PROPOSALS = "agenda_proposals"
    NOTICE = "notice"
    MINUTES_DISTRIBUTION = "minutes_distribution"
    DISTRICT_MINUTES_TO_PROVINCE = "district_minutes_to_province"
    PLATFORM_ENTRY = "platform_entry"


_DEADLINE_ORDER = {code: index for index, code in enumerate(DeadlineCode)}


class DutyCode(enum.StrEnum):
    """Duties that come once a year."""

    ANNUAL_REPORT_PREPARATION = "annual_report_preparation"
    ANNUAL_REPORT_PLATFORM_ENTRY = "annual_report_platform_entry"
    PREVIOUS_YEAR_REVIEW = "previous_year_review"
    ANNUAL_REPORT_APPROVAL = "annual_report_approval"
    SUBCOMMISSION_FORMATION = "subcommission_formation"
    LIAISON_APPOINTMENT = "liaison_appointment"
    ACTION_PLAN_APPROVAL = "action_plan_approval"


class WindowStatus(enum.StrEnum):
    """Where a window stands on a given day."""

    UPCOMING = "upcoming"
    OPEN = "open"
    LATE = "late"  # past the window, still within the district's late limit (Art. 8(3))
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class MeetingWindow:
    """One ordinary meeting a body must hold, and when.

    A meeting may be held on any working day from `window_start` to `window_end`; for a
    district council, until `late_limit` if it could not meet in the window (Art. 8(3)).
    `suggested_date` is always a working day, and a full one whenever the window has one; it
    lies inside the window unless the window has no working day at all, which is flagged
    NO_WORKING_DAY_IN_WINDOW.
    """

    kind: CouncilKind
    year: int
    period: str
    window_start: date
    window_end: date
    suggested_date: date
    late_limit: date | None
    late_limit_article: str | None
    article: str
    warnings: tuple[CalendarWarning, ...]

    @property
    def closes(self) -> date:
        """The last day a meeting still counts for this window."""
        return self.late_limit or self.window_end


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline in calendar days. It never moves off a non-working day: `day_kind` shows
    what the day is and `warning` is set when it is not a full working day."""

    code: DeadlineCode
    due: date
    article: str
    day_kind: DayKind
    warning: bool


@dataclass(frozen=True, slots=True)
class MeetingDeadlines:
    """The deadlines around one meeting. A deadline the circular does not set for this kind of
    body is None (see `meeting_deadlines`)."""

    kind: CouncilKind
    meeting_date: date
    meeting_day_kind: DayKind
    warnings: tuple[CalendarWarning, ...]
    agenda_preparation: Deadline | None
    agenda_proposals: Deadline | None
    notice: Deadline
    minutes_distribution: Deadline | None
    district_minutes_to_province: Deadline | None
    platform_entry: Deadline

    def in_order(self) -> tuple[Deadline, ...]:
        """The deadlines that apply, by due date (ties in `DeadlineCode` order)."""
        present = [
            d
            for d in (
                self.agenda_preparation,
                self.agenda_proposals,
                self.notice,
                self.minutes_distribution,
                self.district_minutes_to_province,
                self.platform_entry,
            )
            if d is not None
        ]
        return tuple(sorted(present, key=lambda d: (d.due, _DEADLINE_ORDER[d.code])))


@dataclass(frozen=True, slots=True)
class YearlyDuty:
    """A duty that comes once a year.

    `starts`/`due` are set for duties with fixed dates (the annual report in January);
    duties of the first council of the year carry that council's first ordinary window in
    `meeting` instead (None when the body has no ordinary meetings).
    """

    code: DutyCode
    article: str
    year: int
    reporting_year: int | None
    starts: date | None
    due: date | None
    meeting: MeetingWindow | None


# --- dates ---------------------------------------------------------------------------------


def _last_day_of_month(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - _ONE_DAY


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    first = quarter_start(day)
    return _last_day_of_month(first.year, first.month + 2)


# --- ordinary meetings ---------------------------------------------------------------------


def _suggest(workdays: WorkingCalendar, start: date, end: date, anchor: date) -> date | None:
    """The first full working day from `anchor` to `end`, else the full working day nearest
    before `anchor`; only then half days, in the same order; None if nothing is worked."""
    for check in (workdays.is_full_working_day, workdays.is_working_day):
        day = anchor
        while day <= end:
            if check(day):
                return day
            day += _ONE_DAY
        day = anchor - _ONE_DAY
        while day >= start:
            if check(day):
                return day
            day -= _ONE_DAY
    return None


def _council_window(
    kind: CouncilKind,
    year: int,
    period: str,
    first_month: int,
    last_month: int,
    article: str,
    workdays: WorkingCalendar,
    *,
    late: bool,
) -> MeetingWindow:
    start = date(year, first_month, 1)
    end = _last_day_of_month(year, last_month)
    warnings: list[CalendarWarning] = []
    suggested = _suggest(workdays, start, end, date(year, first_month, SUGGESTION_DAY))
    if suggested is None:
        warnings.append(CalendarWarning.NO_WORKING_DAY_IN_WINDOW)
        suggested = workdays.next_working_day(end)
    if not workdays.is_full_working_day(suggested):
        warnings.append(CalendarWarning.SUGGESTED_HALF_DAY)
    late_limit = _last_day_of_month(year, last_month + 1) if late else None
    return MeetingWindow(
        kind=kind,
        year=year,
        period=period,
        window_start=start,
        window_end=end,
        suggested_date=suggested,
        late_limit=late_limit,
        late_limit_article="Art. 8(3)" if late else None,
        article=article,
        warnings=tuple(warnings),
    )


def _subcommission_window(year: int, month: int, workdays: WorkingCalendar) -> MeetingWindow:
    week = [date(year, month, d) for d in range(1, 8)]
    kinds = [workdays.day_kind(d) for d in week]
    working = [d for d, k in zip(week, kinds, strict=True) if k in WORKING_KINDS]
    warnings: list[CalendarWarning] = []
    if working:
        # A holiday on a Saturday takes no working day away; only lost weekdays are worth
        # a warning.
        if any(
            k in (DayKind.HOLIDAY, DayKind.LEAVE) and d.weekday() < 5
            for d, k in zip(week, kinds, strict=True)
        ):
            warnings.append(CalendarWarning.FIRST_WEEK_PARTLY_OFF)
        start, end = working[0], working[-1]
        full = [d for d in working if workdays.is_full_working_day(d)]
        if len(full) < len(working):
            warnings.append(CalendarWarning.HALF_DAY_IN_WINDOW)
        suggested = full[0] if full else working[0]
    else:
        warnings.append(CalendarWarning.MOVED_AFTER_FIRST_WEEK)
        start = end = suggested = workdays.next_working_day(week[-1])
        if not workdays.is_full_working_day(suggested):
            warnings.append(CalendarWarning.HALF_DAY_IN_WINDOW)
    if not workdays.is_full_working_day(suggested):
        warnings.append(CalendarWarning.SUGGESTED_HALF_DAY)
    return MeetingWindow(
        kind=CouncilKind.SUBCOMMISSION,
        year=year,
        period=f"{year}-{month:02d}",
        window_start=start,
        window_end=end,
        suggested_date=suggested,
        late_limit=None,
        late_limit_article=None,
        article="Art. 6(9)",
        warnings=tuple(warnings),
    )


def ordinary_meetings(
    kind: CouncilKind,
    year: int,
    foreign_population: int,
    border: bool,
    workdays: WorkingCalendar,
) -> list[MeetingWindow]:
    """The ordinary meetings a body must hold in `year`, in date order.

    `foreign_population` is the province's for the provincial council and the sub-commission,
    the district's for a district council; `border` (a border district subject to irregular
    migration, "düzensiz göçe konu olan hudut ilçesi") matters only for a district council.

    Provincial council (Art. 7(1), 7(2)): January, April, July, October at 10,000 foreigners
    or more, otherwise January and July. The window is the whole month.

    District council (Art. 8(1)-(3)): at 2,000 foreigners or more, or in a border district
    whatever its population, February–March and August–September, with a late limit at the
    end of the following month (30 April, 31 October: "en geç takip eden ayın son gününe
    kadar"). Any other district has no ordinary meetings (Art. 8(2): only when the Kaymakam
    decides), so the list is empty.

    Suggested date for a council: the first full working day on or after the 16th of the
    window's first month (the nearest full working day before it if none is left; a half day
    only when the month has no full working day). Why the 16th:

    * the 15-day agenda work (Art. 10(1), 10(2)) then starts on or after the 1st, inside the
      meeting month, instead of over the New Year or the previous quarter's meeting;
    * half a month remains for the minutes to be signed and entered on the platform by the
      last day of the month (Art. 12(3), 12(5)); in January the annual report is prepared in
      the first half (Art. 13(1)), approved at the council (13(2)) and entered by 31 January
      (13(3));
    * a district council on ~16 February / 16 August sends its minutes to the province within
      15 days (Art. 12(5)), before the April / October provincial council prepares its agenda,
      which is to contain the districts' findings (Art. 10(7)), and leaves the window's second
      month as slack before the late limit.

    Sub-commission (Art. 6(9)): "Alt Komisyon ... Mart, Haziran, Eylül ve Aralık aylarının ilk
    haftasında (yabancı nüfusu 10.000 ve üzeri) ... Aralık ve Haziran aylarının ilk haftasında
    (10.000'den az) toplanır. İlgili haftanın resmi tatil veya idari izne denk gelmesi halinde
    sonraki ilk iş gününde toplanır." The reading implemented: the first week is days 1–7 of
    the month; if the week coincides with an official holiday or administrative leave, it
    meets on the first working day after. So the window is the working days among days 1–7
    (a half day counts as a working day, with HALF_DAY_IN_WINDOW); only when none is left is
    the window the single first working day after day 7 (MOVED_AFTER_FIRST_WEEK). The
    suggested date is the first full working day of the window, or its first day if all its
    days are half days.
    """
    if foreign_population < 0:
        raise ValueError("foreign_population must not be negative")
    large_province = foreign_population >= PROVINCE_THRESHOLD
    if kind is CouncilKind.PROVINCIAL:
        months = _PROVINCIAL_MONTHS_LARGE if large_province else _PROVINCIAL_MONTHS_SMALL
        article = "Art. 7(1)" if large_province else "Art. 7(2)"
        return [
            _council_window(kind, year, f"{year}-{m:02d}", m, m, article, workdays, late=False)
            for m in months
        ]
    if kind is CouncilKind.SUBCOMMISSION:
        months = _SUBCOMMISSION_MONTHS_LARGE if large_province else _SUBCOMMISSION_MONTHS_SMALL
        return [_subcommission_window(year, m, workdays) for m in months]
    if foreign_population >= DISTRICT_THRESHOLD or border:
        return [
            _council_window(
                kind, year, f"{year}-{half}", first, last, "Art. 8(1)", workdays, late=True
            )
            for half, first, last in _DISTRICT_WINDOWS
        ]
    return []


# --- deadlines around one meeting ----------------------------------------------------------


def _deadline(code: DeadlineCode, due: date, article: str, workdays: WorkingCalendar) -> Deadline:
    kind = workdays.day_kind(due)
    return Deadline(code, due, article, kind, kind is not DayKind.WORKING)


def meeting_deadlines(
    kind: CouncilKind, meeting_date: date, workdays: WorkingCalendar
) -> MeetingDeadlines:
    """The deadlines around a meeting held on `meeting_date` (D), in calendar days.

    A deadline on a weekend, holiday, leave day or half day is not moved (the circular counts
    plain days and gives no rule for moving them); its `warning` is set instead.

    * agenda preparation starts D−15 (Art. 10(1)) and agenda proposals are due D−15
      (Art. 10(2)) — councils only. Art. 10 speaks of "her kuruldan on beş gün önce" and a
      "kurul" is a provincial or district council (Art. 3(1)(ğ)); the sub-commission's day,
      place and time are simply set by the directorate (Art. 11(4)), so for it both are None.
    * notice to the members: at least 5 days before, due D−5 (Art. 11(3)); to the
      sub-commission's members at least 3 days before, due D−3 (Art. 11(4)).
    * signed minutes to the member institutions within 15 days, due D+15 (Art. 12(2)
      provincial, 12(4) district). The sub-commission's outputs are only archived and entered
      on the platform (Art. 12(6)), so for it this is None.
    * a district's minutes also to the provincial directorate within the same 15 days
      (Art. 12(5)); None for the other bodies.
    * minutes on the Presidency's platform by the last day of D's month (Art. 12(3)
      provincial, 12(5) district, 12(6) sub-commission).
    """
    meeting_kind = workdays.day_kind(meeting_date)
    warning = _MEETING_DAY_WARNINGS.get(meeting_kind)
    warnings = (warning,) if warning is not None else ()
    agenda_due = meeting_date - timedelta(days=AGENDA_DAYS_BEFORE)
    minutes_due = meeting_date + timedelta(days=MINUTES_DAYS_AFTER)
    month_end = _last_day_of_month(meeting_date.year, meeting_date.month)

    if kind is CouncilKind.SUBCOMMISSION:
        notice = _deadline(
            DeadlineCode.NOTICE,
            meeting_date - timedelta(days=SUBCOMMISSION_NOTICE_DAYS_BEFORE),
            "Art. 11(4)",
            workdays,
        )
        return MeetingDeadlines(
            kind=kind,
            meeting_date=meeting_date,
            meeting_day_kind=meeting_kind,
            warnings=warnings,
            agenda_preparation=None,
            agenda_proposals=None,
            notice=notice,
            minutes_distribution=None,
            district_minutes_to_province=None,
            platform_entry=_deadline(
                DeadlineCode.PLATFORM_ENTRY, month_end, "Art. 12(6)", workdays
            ),
        )

    district = kind is CouncilKind.DISTRICT
    return MeetingDeadlines(
        kind=kind,
        meeting_date=meeting_date,
        meeting_day_kind=meeting_kind,
        warnings=warnings,
        agenda_preparation=_deadline(
            DeadlineCode.AGENDA_PREPARATION, agenda_due, "Art. 10(1)", workdays
        ),
        agenda_proposals=_deadline(
            DeadlineCode.AGENDA_PROPOSALS, agenda_due, "Art. 10(2)", workdays
        ),
        notice=_deadline(
            DeadlineCode.NOTICE,
            meeting_date - timedelta(days=COUNCIL_NOTICE_DAYS_BEFORE),
            "Art. 11(3)",
            workdays,
        ),
        minutes_distribution=_deadline(
            DeadlineCode.MINUTES_DISTRIBUTION,
            minutes_due,
            "Art. 12(4)" if district else "Art. 12(2)",
            workdays,
        ),
        district_minutes_to_province=(
            _deadline(
                DeadlineCode.DISTRICT_MINUTES_TO_PROVINCE, minutes_due, "Art. 12(5)", workdays
            )
            if district
            else None
        ),
        platform_entry=_deadline(
            DeadlineCode.PLATFORM_ENTRY,
            month_end,
            "Art. 12(5)" if district else "Art. 12(3)",
            workdays,
        ),
    )


# --- yearly duties -------------------------------------------------------------------------


def yearly_duties(
    year: int,
    kind: CouncilKind,
    foreign_population: int,
    border: bool,
    workdays: WorkingCalendar,
) -> list[YearlyDuty]:
    """The duties that come once in `year` for a body of `kind`.

    Provincial council (and its secretariat, the provincial directorate):

    * the annual evaluation report (Ek-3) on year−1 is prepared in January (Art. 13(1)) and
      entered on the platform by 31 January (Art. 13(3));
    * at the first council of the year (Art. 5(12), 13(2), 5(8), 6(1), 6(5), 6(6), 5(13)):
      last year's decisions are reviewed and the year planned; the annual report approved;
      the sub-commission formed and its member list signed; its members, who are the
      institutions' liaison officers, appointed for the year; the Local Cohesion Action Plan
      approved.

    District council: the review of last year's decisions and the year's plan at its first
    council (Art. 5(12): "kurul" covers district councils too, Art. 3(1)(ğ)). The annual
    report, the sub-commission and the action plan belong to the province.

    Sub-commission: none; it is formed and appointed by the provincial council.

    "The first council of the year" is attached to the first ordinary window; an extraordinary
    council held before it would be the first one, which the caller can see and this module
    cannot.
    """
    if kind is CouncilKind.SUBCOMMISSION:
        return []
    windows = ordinary_meetings(kind, year, foreign_population, border, workdays)
    first = min(windows, key=lambda w: w.window_start) if windows else None

    def at_first(code: DutyCode, article: str) -> YearlyDuty:
        return YearlyDuty(code, article, year, None, None, None, first)

    if kind is CouncilKind.DISTRICT:
        return [at_first(DutyCode.PREVIOUS_YEAR_REVIEW, "Art. 5(12)")]
    january_1, january_31 = date(year, 1, 1), date(year, 1, 31)
    return [
        YearlyDuty(
            DutyCode.ANNUAL_REPORT_PREPARATION,
            "Art. 13(1)",
            year,
            year - 1,
            january_1,
            january_31,
            None,
        ),
        YearlyDuty(
            DutyCode.ANNUAL_REPORT_PLATFORM_ENTRY,
            "Art. 13(3)",
            year,
            year - 1,
            january_1,
            january_31,
            None,
        ),
        at_first(DutyCode.PREVIOUS_YEAR_REVIEW, "Art. 5(12)"),
        YearlyDuty(
            DutyCode.ANNUAL_REPORT_APPROVAL,
            "Art. 5(12), 13(2)",
            year,
            year - 1,
            None,
            None,
            first,
        ),
        at_first(DutyCode.SUBCOMMISSION_FORMATION, "Art. 5(8), 6(1)"),
        at_first(DutyCode.LIAISON_APPOINTMENT, "Art. 6(5), 6(6)"),
        at_first(DutyCode.ACTION_PLAN_APPROVAL, "Art. 5(13)"),
    ]


# --- what matters now ----------------------------------------------------------------------


def local_today(clock: Clock, tz: tzinfo) -> date:
    """Today's date in the province's time zone (the clock answers in UTC)."""
    now = clock.now()
    if now.tzinfo is None:
        raise ValueError("the clock must return an aware datetime")
    return now.astimezone(tz).date()


def window_status(window: MeetingWindow, today: date) -> WindowStatus:
    if today < window.window_start:
        return WindowStatus.UPCOMING
    if today <= window.window_end:
        return WindowStatus.OPEN
    if window.late_limit is not None and today <= window.late_limit:
        return WindowStatus.LATE
    return WindowStatus.CLOSED


def upcoming(
    windows: Iterable[MeetingWindow], today: date, *, quarters: int = 2
) -> list[MeetingWindow]:
    """The windows still open to a meeting on `today` that start within `quarters` calendar
    quarters counting the current one (2: this and the next quarter), by start date.

    Pass the windows of next year too when the horizon crosses 31 December.
    """
    if quarters < 1:
        raise ValueError("quarters must be at least 1")
    horizon = today
    for _ in range(quarters):
        horizon = quarter_end(horizon) + _ONE_DAY
    horizon -= _ONE_DAY
    chosen = [w for w in windows if w.closes >= today and w.window_start <= horizon]
    return sorted(chosen, key=lambda w: (w.window_start, w.suggested_date, w.kind.value))
