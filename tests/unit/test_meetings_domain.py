"""Scheduling checks of a meeting (Art. 7, 8, 11(3), 11(4)) and attendance states."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.calendar import ordinary_meetings
from bot.domain.meetings import (
    Answer,
    Check,
    MeetingKind,
    Presence,
    check_schedule,
    needs_reason,
    presence,
)
from bot.domain.models import CouncilKind
from bot.domain.workdays import WorkingCalendar

WORKDAYS = WorkingCalendar()


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, 0)


def january_window() -> object:
    return ordinary_meetings(CouncilKind.PROVINCIAL, 2027, 50_000, False, WORKDAYS)[0]


def test_art_11_3_notice_of_five_days_must_still_be_reachable() -> None:
    window = ordinary_meetings(CouncilKind.PROVINCIAL, 2027, 50_000, False, WORKDAYS)[0]
    ok = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.ORDINARY, at(2027, 1, 19),
                        at(2027, 1, 14), WORKDAYS, window)
    assert ok == []
    late = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.ORDINARY, at(2027, 1, 19),
                          at(2027, 1, 15), WORKDAYS, window)
    assert [f.check for f in late] == [Check.NOTICE_TOO_LATE]
    assert late[0].due == date(2027, 1, 14) and late[0].article == "Art. 11(3)"
    assert needs_reason(late)


def test_art_11_4_sub_commission_needs_only_three_days() -> None:
    findings = check_schedule(CouncilKind.SUBCOMMISSION, MeetingKind.ORDINARY, at(2027, 3, 5),
                              at(2027, 3, 1), WORKDAYS)
    assert [f.check for f in findings] == []
    findings = check_schedule(CouncilKind.SUBCOMMISSION, MeetingKind.ORDINARY, at(2027, 3, 5),
                              at(2027, 3, 3), WORKDAYS)
    assert [f.check for f in findings] == [Check.NOTICE_TOO_LATE]


def test_art_7_1_outside_the_window_needs_a_reason_but_extraordinary_does_not() -> None:
    window = ordinary_meetings(CouncilKind.PROVINCIAL, 2027, 50_000, False, WORKDAYS)[0]
    ordinary = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.ORDINARY, at(2027, 2, 10),
                              at(2027, 1, 4), WORKDAYS, window)
    assert [f.check for f in ordinary] == [Check.OUTSIDE_WINDOW]
    assert ordinary[0].due == date(2027, 1, 31)
    extraordinary = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.EXTRAORDINARY,
                                   at(2027, 2, 10), at(2027, 1, 4), WORKDAYS)
    assert extraordinary == []  # Art. 7(3): any time


def test_art_8_3_a_district_meeting_in_the_late_limit_is_inside() -> None:
    window = ordinary_meetings(CouncilKind.DISTRICT, 2027, 5_000, False, WORKDAYS)[0]
    findings = check_schedule(CouncilKind.DISTRICT, MeetingKind.ORDINARY, at(2027, 4, 28),
                              at(2027, 4, 1), WORKDAYS, window)
    assert findings == []


def test_holidays_weekends_leave_and_same_day_are_warnings() -> None:
    now = at(2026, 12, 1)
    sat = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.EXTRAORDINARY, at(2027, 1, 16),
                         now, WORKDAYS)
    assert [f.check for f in sat] == [Check.WEEKEND] and not needs_reason(sat)
    holiday = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.EXTRAORDINARY,
                             at(2027, 1, 1), now, WORKDAYS)
    assert [f.check for f in holiday] == [Check.HOLIDAY]
    leave = WorkingCalendar(leave_days=[date(2027, 1, 18)])
    on_leave = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.EXTRAORDINARY,
                              at(2027, 1, 18), now, leave, same_day_meetings=1)
    assert [f.check for f in on_leave] == [Check.LEAVE, Check.SAME_DAY]


def test_a_past_date_is_refused_outright() -> None:
    findings = check_schedule(CouncilKind.PROVINCIAL, MeetingKind.ORDINARY, at(2027, 1, 4, 9),
                              at(2027, 1, 4, 10), WORKDAYS)
    assert [f.check for f in findings] == [Check.IN_PAST]


def test_presence_follows_the_last_answer() -> None:
    assert presence(None, member_registered=False) is Presence.NOBODY_REGISTERED
    assert presence(None, member_registered=True) is Presence.NO_ANSWER
    assert presence(Answer.ATTENDING, True) is Presence.CONFIRMED
    assert presence(Answer.EXCUSED, True) is Presence.EXCUSED
    assert presence(Answer.DEPUTY_CONFIRMED, True) is Presence.DEPUTY
