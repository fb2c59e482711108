"""The statutory calendar: ordinary meeting windows, deadlines, yearly duties.

Every expected date below was worked out by hand from the article and the real Turkish
calendar (weekday checked on a printed calendar, holidays from the official lists), never
computed by the code under test. Property tests then sweep 2020-2040.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import (
    CalendarWarning,
    DeadlineCode,
    DutyCode,
    MeetingWindow,
    WindowStatus,
    local_today,
    meeting_deadlines,
    ordinary_meetings,
    upcoming,
    window_status,
    yearly_duties,
)
from bot.domain.clock import ManualClock
from bot.domain.models import CouncilKind
from bot.domain.workdays import DayKind, FixedHolidays, Holiday, WorkingCalendar

D = date
P, S, T = CouncilKind.PROVINCIAL, CouncilKind.SUBCOMMISSION, CouncilKind.DISTRICT
W = CalendarWarning
TURKEY = WorkingCalendar()


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _summary(windows: list[MeetingWindow]) -> list[tuple[str, date, date, date]]:
    return [(w.period, w.window_start, w.window_end, w.suggested_date) for w in windows]


# --- Art. 7: provincial council ------------------------------------------------------------


def test_art_7_1_provincial_at_10000_or_more_meets_in_jan_apr_jul_oct() -> None:
    # 2026: the 16ths are Fri 16 Jan, Thu 16 Apr, Thu 16 Jul, Fri 16 Oct, all working days.
    windows = ordinary_meetings(P, 2026, 10_000, False, TURKEY)
    assert _summary(windows) == [
        ("2026-01", D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 16)),
        ("2026-04", D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 16)),
        ("2026-07", D(2026, 7, 1), D(2026, 7, 31), D(2026, 7, 16)),
        ("2026-10", D(2026, 10, 1), D(2026, 10, 31), D(2026, 10, 16)),
    ]
    assert all(w.article == "Art. 7(1)" and w.kind is P for w in windows)
    assert all(w.late_limit is None and w.warnings == () for w in windows)


def test_art_7_2_provincial_below_10000_meets_in_jan_and_jul() -> None:
    windows = ordinary_meetings(P, 2026, 9_999, True, TURKEY)
    assert [w.period for w in windows] == ["2026-01", "2026-07"]
    assert {w.article for w in windows} == {"Art. 7(2)"}


@pytest.mark.parametrize(
    ("year", "population", "period", "expected"),
    [
        # Sat 16 Jan 2027 -> Mon 18 Jan.
        (2027, 50_000, "2027-01", D(2027, 1, 18)),
        # Ramazan Bayramı Wed 14 - Fri 16 Jan 2032, then a weekend -> Mon 19 Jan.
        (2032, 50_000, "2032-01", D(2032, 1, 19)),
        # Kurban Bayramı Sat 13 - Tue 16 Apr 2030 -> Wed 17 Apr.
        (2030, 50_000, "2030-04", D(2030, 4, 17)),
        # Sun 16 Jul 2028 -> Mon 17 Jul (15 Temmuz is the day before, not in the way).
        (2028, 5_000, "2028-07", D(2028, 7, 17)),
    ],
)
def test_art_7_provincial_suggestion_is_first_full_working_day_from_the_16th(
    year: int, population: int, period: str, expected: date
) -> None:
    windows = {w.period: w for w in ordinary_meetings(P, year, population, False, TURKEY)}
    assert windows[period].suggested_date == expected


def test_art_7_provincial_suggestion_skips_leave() -> None:
    # Leave Thu 16 - Fri 17 Jul 2026, then a weekend -> Mon 20 Jul.
    workdays = WorkingCalendar(leave_days=[D(2026, 7, 16), D(2026, 7, 17)])
    july = ordinary_meetings(P, 2026, 20_000, False, workdays)[2]
    assert july.suggested_date == D(2026, 7, 20)


def test_art_7_provincial_suggestion_falls_back_before_the_16th() -> None:
    # Every day from 16 Jul 2026 to the month end off; Wed 15 Jul is 15 Temmuz -> Tue 14 Jul.
    workdays = WorkingCalendar(leave_days=_days(D(2026, 7, 16), D(2026, 7, 31)))
    july = ordinary_meetings(P, 2026, 20_000, False, workdays)[2]
    assert july.suggested_date == D(2026, 7, 14)
    assert july.warnings == ()


def test_art_7_provincial_half_day_only_when_no_full_working_day() -> None:
    # An invented January 2030: every day a holiday except an eve on Mon 21 Jan.
    days = [Holiday(d, "off") for d in _days(D(2030, 1, 1), D(2030, 1, 31)) if d.day != 21]
    workdays = WorkingCalendar(
        holiday_provider=FixedHolidays([*days, Holiday(D(2030, 1, 21), "eve", half_day=True)])
    )
    january = ordinary_meetings(P, 2030, 20_000, False, workdays)[0]
    assert january.suggested_date == D(2030, 1, 21)
    assert january.warnings == (W.SUGGESTED_HALF_DAY,)


def test_art_7_provincial_month_without_working_day_is_flagged() -> None:
    # All of January 2030 off: the suggestion is Fri 1 Feb, after the window, and flagged.
    days = [Holiday(d, "off") for d in _days(D(2030, 1, 1), D(2030, 1, 31))]
    workdays = WorkingCalendar(holiday_provider=FixedHolidays(days))
    january = ordinary_meetings(P, 2030, 20_000, False, workdays)[0]
    assert january.suggested_date == D(2030, 2, 1)
    assert january.warnings == (W.NO_WORKING_DAY_IN_WINDOW,)


def test_art_7_negative_population_is_rejected() -> None:
    with pytest.raises(ValueError):
        ordinary_meetings(P, 2026, -1, False, TURKEY)


# --- Art. 6(9): sub-commission -------------------------------------------------------------


def test_art_6_9_subcommission_at_10000_or_more_meets_in_first_week_of_four_months() -> None:
    # 2025: Sat 1 - Sun 2 Mar, so 3-7 Mar; Kurban Bayramı: Sun 1 Jun, 2-4 Jun, arife Thu 5 Jun,
    # Fri 6 Jun holiday, Sat 7 Jun holiday; Mon 1 Sep - Fri 5 Sep; Mon 1 Dec - Fri 5 Dec.
    windows = ordinary_meetings(S, 2025, 10_000, False, TURKEY)
    assert _summary(windows) == [
        ("2025-03", D(2025, 3, 3), D(2025, 3, 7), D(2025, 3, 3)),
        ("2025-06", D(2025, 6, 2), D(2025, 6, 5), D(2025, 6, 2)),
        ("2025-09", D(2025, 9, 1), D(2025, 9, 5), D(2025, 9, 1)),
        ("2025-12", D(2025, 12, 1), D(2025, 12, 5), D(2025, 12, 1)),
    ]
    assert [w.warnings for w in windows] == [
        (),
        (W.FIRST_WEEK_PARTLY_OFF, W.HALF_DAY_IN_WINDOW),
        (),
        (),
    ]
    assert {w.article for w in windows} == {"Art. 6(9)"}


def test_art_6_9_subcommission_below_10000_meets_in_june_and_december() -> None:
    windows = ordinary_meetings(S, 2025, 9_999, False, TURKEY)
    assert [w.period for w in windows] == ["2025-06", "2025-12"]


def test_art_6_9_subcommission_arife_after_the_week_changes_nothing() -> None:
    # March 2027: Mon 1 - Fri 5 worked; the arife is Mon 8 Mar, after the week.
    march = ordinary_meetings(S, 2027, 10_000, False, TURKEY)[0]
    assert _summary([march]) == [("2027-03", D(2027, 3, 1), D(2027, 3, 5), D(2027, 3, 1))]
    assert march.warnings == ()


def test_art_6_9_subcommission_leave_week_moves_to_first_working_day_after_day_7() -> None:
    # Leave Mon 1 - Fri 5 Dec 2025, 6-7 Dec a weekend -> Mon 8 Dec.
    workdays = WorkingCalendar(leave_days=_days(D(2025, 12, 1), D(2025, 12, 5)))
    december = ordinary_meetings(S, 2025, 500, False, workdays)[1]
    assert _summary([december]) == [("2025-12", D(2025, 12, 8), D(2025, 12, 8), D(2025, 12, 8))]
    assert december.warnings == (W.MOVED_AFTER_FIRST_WEEK,)


def test_art_6_9_subcommission_leave_and_bayram_move_past_the_holiday() -> None:
    # Leave Mon 2 - Thu 5 Jun 2025 (the arife too) and Kurban Bayramı Fri 6 - Mon 9 Jun:
    # nothing is worked in 1-7 Jun, Sun 8 Jun, Mon 9 Jun is still the bayram -> Tue 10 Jun.
    workdays = WorkingCalendar(leave_days=_days(D(2025, 6, 2), D(2025, 6, 5)))
    june = ordinary_meetings(S, 2025, 500, False, workdays)[0]
    assert (june.window_start, june.window_end, june.suggested_date) == (
        D(2025, 6, 10),
        D(2025, 6, 10),
        D(2025, 6, 10),
    )
    assert june.warnings == (W.MOVED_AFTER_FIRST_WEEK,)


def test_art_6_9_subcommission_only_the_arife_left_is_still_in_the_week() -> None:
    # Leave Mon 2 - Wed 4 Jun 2025: the arife Thu 5 Jun is a working morning, so the
    # sub-commission still meets in its week, on the half day.
    workdays = WorkingCalendar(leave_days=_days(D(2025, 6, 2), D(2025, 6, 4)))
    june = ordinary_meetings(S, 2025, 500, False, workdays)[0]
    assert _summary([june]) == [("2025-06", D(2025, 6, 5), D(2025, 6, 5), D(2025, 6, 5))]
    assert june.warnings == (
        W.FIRST_WEEK_PARTLY_OFF,
        W.HALF_DAY_IN_WINDOW,
        W.SUGGESTED_HALF_DAY,
    )


def test_art_6_9_subcommission_week_partly_weekend_and_leave() -> None:
    # September 2026: Tue 1 (leave), Wed 2 - Fri 4, Sat 5 - Sun 6, Mon 7 -> 2-7 Sep.
    workdays = WorkingCalendar(leave_days=[D(2026, 9, 1)])
    september = ordinary_meetings(S, 2026, 10_000, False, workdays)[2]
    assert _summary([september]) == [("2026-09", D(2026, 9, 2), D(2026, 9, 7), D(2026, 9, 2))]
    assert september.warnings == (W.FIRST_WEEK_PARTLY_OFF,)


def test_art_6_9_subcommission_moved_onto_a_half_day() -> None:
    # Leave Mon 1 - Fri 5 Jun 2026 and an invented eve on Mon 8 Jun: the first working day
    # after day 7 is that half day.
    workdays = WorkingCalendar(
        leave_days=_days(D(2026, 6, 1), D(2026, 6, 5)),
        holiday_provider=FixedHolidays([Holiday(D(2026, 6, 8), "eve", half_day=True)]),
    )
    june = ordinary_meetings(S, 2026, 500, False, workdays)[0]
    assert june.suggested_date == D(2026, 6, 8)
    assert june.warnings == (
        W.MOVED_AFTER_FIRST_WEEK,
        W.HALF_DAY_IN_WINDOW,
        W.SUGGESTED_HALF_DAY,
    )


# --- Art. 8: district council --------------------------------------------------------------


def test_art_8_1_8_3_district_at_2000_meets_feb_mar_and_aug_sep_with_late_limits() -> None:
    # 2026: Mon 16 Feb; Sun 16 Aug -> Mon 17 Aug.
    windows = ordinary_meetings(T, 2026, 2_000, False, TURKEY)
    assert _summary(windows) == [
        ("2026-H1", D(2026, 2, 1), D(2026, 3, 31), D(2026, 2, 16)),
        ("2026-H2", D(2026, 8, 1), D(2026, 9, 30), D(2026, 8, 17)),
    ]
    assert [w.late_limit for w in windows] == [D(2026, 4, 30), D(2026, 10, 31)]
    assert {(w.article, w.late_limit_article) for w in windows} == {("Art. 8(1)", "Art. 8(3)")}


def test_art_8_1_border_district_meets_whatever_its_population() -> None:
    windows = ordinary_meetings(T, 2028, 0, True, TURKEY)
    assert [(w.period, w.late_limit) for w in windows] == [
        ("2028-H1", D(2028, 4, 30)),
        ("2028-H2", D(2028, 10, 31)),
    ]


def test_art_8_2_small_inland_district_has_no_ordinary_meetings() -> None:
    assert ordinary_meetings(T, 2026, 1_999, False, TURKEY) == []


def test_art_8_1_district_suggestion_skips_ramazan_bayrami_2029() -> None:
    # Ramazan Bayramı Wed 14 - Fri 16 Feb 2029, then a weekend -> Mon 19 Feb.
    assert ordinary_meetings(T, 2029, 3_000, False, TURKEY)[0].suggested_date == D(2029, 2, 19)


# --- Art. 10-12: deadlines around one meeting ----------------------------------------------


def test_art_10_11_3_12_2_12_3_provincial_deadlines_in_january() -> None:
    # D = Fri 16 Jan 2026. D-15 = Thu 1 Jan (Yılbaşı), D-5 = Sun 11 Jan, D+15 = Sat 31 Jan,
    # month end Sat 31 Jan: none moves, all are flagged.
    result = meeting_deadlines(P, D(2026, 1, 16), TURKEY)
    assert result.warnings == ()
    assert result.meeting_day_kind is DayKind.WORKING
    got = [(d.code, d.due, d.article, d.day_kind, d.warning) for d in result.in_order()]
    assert got == [
        (DeadlineCode.AGENDA_PREPARATION, D(2026, 1, 1), "Art. 10(1)", DayKind.HOLIDAY, True),
        (DeadlineCode.AGENDA_PROPOSALS, D(2026, 1, 1), "Art. 10(2)", DayKind.HOLIDAY, True),
        (DeadlineCode.NOTICE, D(2026, 1, 11), "Art. 11(3)", DayKind.WEEKEND, True),
        (DeadlineCode.MINUTES_DISTRIBUTION, D(2026, 1, 31), "Art. 12(2)", DayKind.WEEKEND, True),
        (DeadlineCode.PLATFORM_ENTRY, D(2026, 1, 31), "Art. 12(3)", DayKind.WEEKEND, True),
    ]
    assert result.district_minutes_to_province is None


def test_art_10_12_2_provincial_deadlines_in_april_minutes_on_1_may() -> None:
    # D = Thu 16 Apr 2026: D-15 Wed 1 Apr, D-5 Sat 11 Apr, D+15 Fri 1 May (Emek ve Dayanışma
    # Günü), platform by Thu 30 Apr.
    result = meeting_deadlines(P, D(2026, 4, 16), TURKEY)
    assert result.agenda_proposals is not None and not result.agenda_proposals.warning
    assert result.agenda_proposals.due == D(2026, 4, 1)
    assert (result.notice.due, result.notice.warning) == (D(2026, 4, 11), True)
    assert result.minutes_distribution is not None
    assert result.minutes_distribution.due == D(2026, 5, 1)
    assert result.minutes_distribution.day_kind is DayKind.HOLIDAY
    assert (result.platform_entry.due, result.platform_entry.warning) == (D(2026, 4, 30), False)


def test_art_10_1_deadline_on_an_arife_is_a_half_day_warning() -> None:
    # D = Fri 20 Jun 2025: D-15 = Thu 5 Jun 2025, the Kurban Bayramı arife.
    result = meeting_deadlines(P, D(2025, 6, 20), TURKEY)
    assert result.agenda_preparation is not None
    assert result.agenda_preparation.due == D(2025, 6, 5)
    assert result.agenda_preparation.day_kind is DayKind.HALF_DAY
    assert result.agenda_preparation.warning


def test_art_11_4_subcommission_notice_d_minus_3_and_12_6_platform() -> None:
    # D = Mon 2 Jun 2025: notice by Fri 30 May (D-3), platform by Mon 30 Jun. No agenda
    # deadlines (Art. 10 is about councils) and no minutes distribution (Art. 12(6)).
    result = meeting_deadlines(S, D(2025, 6, 2), TURKEY)
    assert (result.notice.due, result.notice.article, result.notice.warning) == (
        D(2025, 5, 30),
        "Art. 11(4)",
        False,
    )
    assert (result.platform_entry.due, result.platform_entry.article) == (
        D(2025, 6, 30),
        "Art. 12(6)",
    )
    assert result.agenda_preparation is None and result.agenda_proposals is None
    assert result.minutes_distribution is None and result.district_minutes_to_province is None
    assert [d.code for d in result.in_order()] == [
        DeadlineCode.NOTICE,
        DeadlineCode.PLATFORM_ENTRY,
    ]


def test_art_11_3_vs_11_4_notice_d_minus_5_for_councils_d_minus_3_for_subcommission() -> None:
    # D = Mon 8 Dec 2025: council notice by Wed 3 Dec, sub-commission notice by Fri 5 Dec.
    meeting = D(2025, 12, 8)
    assert meeting_deadlines(P, meeting, TURKEY).notice.due == D(2025, 12, 3)
    assert meeting_deadlines(T, meeting, TURKEY).notice.due == D(2025, 12, 3)
    assert meeting_deadlines(S, meeting, TURKEY).notice.due == D(2025, 12, 5)


def test_art_12_4_12_5_district_deadlines() -> None:
    # D = Mon 16 Feb 2026: agenda Sun 1 Feb, notice Wed 11 Feb, platform by Sat 28 Feb,
    # minutes to members and to the province by Tue 3 Mar.
    result = meeting_deadlines(T, D(2026, 2, 16), TURKEY)
    got = [(d.code, d.due, d.article, d.warning) for d in result.in_order()]
    assert got == [
        (DeadlineCode.AGENDA_PREPARATION, D(2026, 2, 1), "Art. 10(1)", True),
        (DeadlineCode.AGENDA_PROPOSALS, D(2026, 2, 1), "Art. 10(2)", True),
        (DeadlineCode.NOTICE, D(2026, 2, 11), "Art. 11(3)", False),
        (DeadlineCode.PLATFORM_ENTRY, D(2026, 2, 28), "Art. 12(5)", True),
        (DeadlineCode.MINUTES_DISTRIBUTION, D(2026, 3, 3), "Art. 12(4)", False),
        (DeadlineCode.DISTRICT_MINUTES_TO_PROVINCE, D(2026, 3, 3), "Art. 12(5)", False),
    ]


def test_art_12_3_platform_entry_on_the_meeting_day_at_month_end() -> None:
    # D = Tue 31 Mar 2026, the last day of its month.
    assert meeting_deadlines(P, D(2026, 3, 31), TURKEY).platform_entry.due == D(2026, 3, 31)


@pytest.mark.parametrize(
    ("meeting", "kind", "warning"),
    [
        (D(2025, 6, 5), DayKind.HALF_DAY, W.MEETING_ON_HALF_DAY),  # Kurban arife
        (D(2025, 6, 6), DayKind.HOLIDAY, W.MEETING_ON_HOLIDAY),  # Kurban Bayramı
        (D(2025, 6, 14), DayKind.WEEKEND, W.MEETING_ON_WEEKEND),  # Saturday
        (D(2025, 6, 16), DayKind.LEAVE, W.MEETING_ON_LEAVE),  # Monday, leave below
    ],
)
def test_art_11_3_meeting_date_that_is_not_a_full_working_day_is_flagged(
    meeting: date, kind: DayKind, warning: CalendarWarning
) -> None:
    workdays = WorkingCalendar(leave_days=[D(2025, 6, 16)])
    result = meeting_deadlines(P, meeting, workdays)
    assert (result.meeting_day_kind, result.warnings) == (kind, (warning,))


# --- Art. 5, 6, 13: yearly duties ----------------------------------------------------------


def test_art_13_and_5_provincial_yearly_duties() -> None:
    duties = yearly_duties(2026, P, 20_000, False, TURKEY)
    by_code = {d.code: d for d in duties}
    assert list(by_code) == [
        DutyCode.ANNUAL_REPORT_PREPARATION,
        DutyCode.ANNUAL_REPORT_PLATFORM_ENTRY,
        DutyCode.PREVIOUS_YEAR_REVIEW,
        DutyCode.ANNUAL_REPORT_APPROVAL,
        DutyCode.SUBCOMMISSION_FORMATION,
        DutyCode.LIAISON_APPOINTMENT,
        DutyCode.ACTION_PLAN_APPROVAL,
    ]
    report = by_code[DutyCode.ANNUAL_REPORT_PREPARATION]
    assert (report.article, report.reporting_year, report.starts, report.due) == (
        "Art. 13(1)",
        2025,
        D(2026, 1, 1),
        D(2026, 1, 31),
    )
    entry = by_code[DutyCode.ANNUAL_REPORT_PLATFORM_ENTRY]
    assert (entry.article, entry.due, entry.meeting) == ("Art. 13(3)", D(2026, 1, 31), None)
    articles = {d.code: d.article for d in duties if d.meeting is not None}
    assert articles == {
        DutyCode.PREVIOUS_YEAR_REVIEW: "Art. 5(12)",
        DutyCode.ANNUAL_REPORT_APPROVAL: "Art. 5(12), 13(2)",
        DutyCode.SUBCOMMISSION_FORMATION: "Art. 5(8), 6(1)",
        DutyCode.LIAISON_APPOINTMENT: "Art. 6(5), 6(6)",
        DutyCode.ACTION_PLAN_APPROVAL: "Art. 5(13)",
    }
    assert {d.meeting.period for d in duties if d.meeting is not None} == {"2026-01"}


def test_art_5_12_district_reviews_last_year_at_its_first_council() -> None:
    duties = yearly_duties(2026, T, 2_500, False, TURKEY)
    assert [(d.code, d.article) for d in duties] == [(DutyCode.PREVIOUS_YEAR_REVIEW, "Art. 5(12)")]
    assert duties[0].meeting is not None and duties[0].meeting.period == "2026-H1"
    # Art. 8(2): no ordinary meeting to attach it to.
    assert yearly_duties(2026, T, 100, False, TURKEY)[0].meeting is None


def test_art_6_5_subcommission_has_no_yearly_duties_of_its_own() -> None:
    assert yearly_duties(2026, S, 20_000, False, TURKEY) == []


# --- Clock and "this and the next quarter" -------------------------------------------------


def test_art_7_local_today_uses_the_province_time_zone() -> None:
    """Art. 7, 8 windows are in local dates: 22:30 UTC on 31 Dec is 1 Jan in Türkiye."""
    clock = ManualClock(datetime(2025, 12, 31, 22, 30, tzinfo=UTC))
    assert local_today(clock, timezone(timedelta(hours=3))) == D(2026, 1, 1)
    assert local_today(clock, UTC) == D(2025, 12, 31)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (D(2026, 1, 31), WindowStatus.UPCOMING),
        (D(2026, 2, 1), WindowStatus.OPEN),
        (D(2026, 3, 31), WindowStatus.OPEN),
        (D(2026, 4, 1), WindowStatus.LATE),
        (D(2026, 4, 30), WindowStatus.LATE),
        (D(2026, 5, 1), WindowStatus.CLOSED),
    ],
)
def test_art_8_3_district_window_status(today: date, status: WindowStatus) -> None:
    h1 = ordinary_meetings(T, 2026, 5_000, False, TURKEY)[0]
    assert window_status(h1, today) is status


def test_art_7_provincial_window_closes_at_month_end() -> None:
    january = ordinary_meetings(P, 2026, 5_000, False, TURKEY)[0]
    assert window_status(january, D(2026, 1, 31)) is WindowStatus.OPEN
    assert window_status(january, D(2026, 2, 1)) is WindowStatus.CLOSED


def test_art_6_7_8_upcoming_this_and_next_quarter() -> None:
    # 10 Mar 2026: the January council and the 2-6 Mar sub-commission are over; the district's
    # H1 is open; April's council and the 1-5 Jun sub-commission start by 30 Jun; July's and
    # H2 start later.
    windows = [
        *ordinary_meetings(P, 2026, 20_000, False, TURKEY),
        *ordinary_meetings(S, 2026, 20_000, False, TURKEY),
        *ordinary_meetings(T, 2026, 20_000, False, TURKEY),
    ]
    got = [(w.kind, w.period) for w in upcoming(windows, D(2026, 3, 10))]
    assert got == [(T, "2026-H1"), (P, "2026-04"), (S, "2026-06")]


def test_art_6_7_upcoming_across_the_year_end() -> None:
    # 15 Nov 2026: Q4 2026 and Q1 2027. October's council is over.
    windows = [
        *ordinary_meetings(P, 2026, 20_000, False, TURKEY),
        *ordinary_meetings(S, 2026, 20_000, False, TURKEY),
        *ordinary_meetings(P, 2027, 20_000, False, TURKEY),
        *ordinary_meetings(S, 2027, 20_000, False, TURKEY),
    ]
    got = [(w.kind, w.period) for w in upcoming(windows, D(2026, 11, 15))]
    assert got == [(S, "2026-12"), (P, "2027-01"), (S, "2027-03")]
    got = [(w.kind, w.period) for w in upcoming(windows, D(2026, 11, 15), quarters=1)]
    assert got == [(S, "2026-12")]
    with pytest.raises(ValueError):
        upcoming(windows, D(2026, 11, 15), quarters=0)


# --- properties over 2020-2040 -------------------------------------------------------------

POPULATIONS = st.one_of(
    st.sampled_from([0, 1_999, 2_000, 2_001, 9_999, 10_000, 10_001]),
    st.integers(min_value=0, max_value=5_000_000),
)


@st.composite
def leave_calendars(draw: st.DrawFn, year: int) -> WorkingCalendar:
    leave = draw(
        st.lists(st.dates(min_value=D(year, 1, 1), max_value=D(year, 12, 31)), max_size=10)
    )
    # Sub-commission weeks get a chance of being wiped out entirely.
    if draw(st.booleans()):
        month = draw(st.sampled_from([3, 6, 9, 12]))
        leave += _days(D(year, month, 1), D(year, month, 7))
    return WorkingCalendar(leave_days=leave)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_art_6_9_7_8_property_windows(data: st.DataObject) -> None:
    """Art. 6(9), 7, 8: suggestions inside windows, on working days, full ones first."""
    year = data.draw(st.integers(min_value=2020, max_value=2040))
    kind = data.draw(st.sampled_from(list(CouncilKind)))
    population = data.draw(POPULATIONS)
    border = data.draw(st.booleans())
    workdays = data.draw(leave_calendars(year))
    windows = ordinary_meetings(kind, year, population, border, workdays)

    if kind is P:
        assert len(windows) == (4 if population >= 10_000 else 2)
    elif kind is S:
        assert len(windows) == (4 if population >= 10_000 else 2)
    else:
        assert len(windows) == (2 if population >= 2_000 or border else 0)

    for w in windows:
        assert (w.kind, w.year) == (kind, year)
        assert w.window_start <= w.suggested_date <= w.window_end
        assert workdays.is_working_day(w.suggested_date)
        if not workdays.is_full_working_day(w.suggested_date):
            assert workdays.working_days(w.window_start, w.window_end, full=True) == []
            assert W.SUGGESTED_HALF_DAY in w.warnings
        if kind is S:
            assert workdays.is_working_day(w.window_start)
            assert workdays.is_working_day(w.window_end)
            month = int(w.period[5:])
            week = _days(D(year, month, 1), D(year, month, 7))
            in_week = [d for d in week if workdays.is_working_day(d)]
            if in_week:
                assert W.MOVED_AFTER_FIRST_WEEK not in w.warnings
                assert workdays.working_days(w.window_start, w.window_end) == in_week
            else:
                assert W.MOVED_AFTER_FIRST_WEEK in w.warnings
                assert w.window_start == w.window_end == workdays.next_working_day(week[-1])
        if kind is T:
            assert w.late_limit is not None
            assert (w.late_limit + timedelta(days=1)).day == 1
            assert w.late_limit.month == w.window_end.month + 1
        else:
            assert w.late_limit is None


@settings(max_examples=150, deadline=None)
@given(
    meeting=st.dates(min_value=D(2020, 1, 1), max_value=D(2040, 12, 31)),
    kind=st.sampled_from(list(CouncilKind)),
)
def test_art_10_11_12_property_deadlines_are_ordered(meeting: date, kind: CouncilKind) -> None:
    """Art. 10-12: agenda <= notice < D < minutes; D <= platform entry at D's month end."""
    result = meeting_deadlines(kind, meeting, TURKEY)
    assert result.notice.due < meeting
    if kind is S:
        assert result.agenda_preparation is None and result.minutes_distribution is None
    else:
        assert result.agenda_preparation is not None and result.agenda_proposals is not None
        assert result.minutes_distribution is not None
        assert result.agenda_preparation.due <= result.notice.due
        assert result.agenda_proposals.due <= result.notice.due
        assert meeting < result.minutes_distribution.due
    if kind is T:
        assert result.district_minutes_to_province is not None
        assert result.minutes_distribution is not None
        assert result.district_minutes_to_province.due == result.minutes_distribution.due
    else:
        assert result.district_minutes_to_province is None
    platform = result.platform_entry.due
    assert platform >= meeting and platform.month == meeting.month
    assert (platform + timedelta(days=1)).day == 1
    for deadline in result.in_order():
        assert deadline.day_kind is TURKEY.day_kind(deadline.due)
        assert deadline.warning == (deadline.day_kind is not DayKind.WORKING)
