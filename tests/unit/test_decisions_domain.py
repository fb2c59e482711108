"""Decision rules (issue 7): numbering per council and year (Ek-1 KARAR-n, Art. 12(2)), the
time given (Ek-1 "Verilen Süre"), the state derived from each institution's report (Art.
12(4)) and the reminder and escalation schedule."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.decisions import (
    DeadlineError,
    Stage,
    Status,
    add_months,
    decision_number,
    derived_state,
    next_sequence,
    overdue,
    parse_deadline,
    schedule,
)

MEETING = date(2027, 1, 21)


def test_decisions_are_numbered_per_council_and_year_ek1() -> None:
    assert decision_number(2027, next_sequence([])) == "2027/1"
    assert decision_number(2027, next_sequence([1, 2])) == "2027/3"


@pytest.mark.parametrize(("text", "expected"), [
    ("30.06.2027", date(2027, 6, 30)),
    ("1/7/2027", date(2027, 7, 1)),
    ("30 gün", date(2027, 2, 20)),
    ("30 days", date(2027, 2, 20)),
    ("1 day", date(2027, 1, 22)),
    ("3 ay", date(2027, 4, 21)),
    ("1 month", date(2027, 2, 21)),
    ("  2 Months ", date(2027, 3, 21)),
])
def test_time_given_is_a_date_or_a_span_ek1_verilen_sure(text: str, expected: date) -> None:
    assert parse_deadline(text, MEETING, MEETING) == expected


def test_a_month_later_stays_in_the_month() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["", "soon", "31.02.2027", "0 gün", "3 weeks"])
def test_unreadable_time_is_refused(text: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, MEETING, MEETING)
    assert caught.value.code == "unreadable"


def test_a_deadline_in_the_past_is_refused() -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline("01.01.2027", MEETING, date(2027, 1, 25))
    assert caught.value.code == "past"
    with pytest.raises(DeadlineError):
        parse_deadline("2 gün", MEETING, date(2027, 1, 25))  # counted from the meeting


def test_the_decision_state_is_derived_from_its_institutions_art_12_4() -> None:
    assert derived_state([None, None]) is Status.NOT_STARTED
    assert derived_state([Status.IN_PROGRESS, None]) is Status.IN_PROGRESS
    assert derived_state([Status.DONE, None]) is Status.IN_PROGRESS
    assert derived_state([Status.DONE, Status.DONE]) is Status.DONE
    assert derived_state([Status.DONE, Status.BLOCKED]) is Status.BLOCKED
    assert derived_state([]) is Status.NOT_STARTED


def test_overdue_only_when_not_done_after_the_deadline() -> None:
    assert overdue(date(2027, 2, 1), date(2027, 2, 2), Status.IN_PROGRESS)
    assert not overdue(date(2027, 2, 1), date(2027, 2, 1), Status.NOT_STARTED)
    assert not overdue(date(2027, 2, 1), date(2027, 3, 1), Status.DONE)


def test_reminders_14_7_1_days_before_then_weekly_and_escalation_in_order() -> None:
    deadline = date(2027, 3, 1)
    steps = schedule(deadline, MEETING)
    before = [(s.day, s.n) for s in steps if s.stage is Stage.BEFORE]
    assert before == [(date(2027, 2, 15), 14), (date(2027, 2, 22), 7), (date(2027, 2, 28), 1)]
    after = [s.day for s in steps if s.stage is Stage.AFTER]
    assert after[:2] == [date(2027, 3, 8), date(2027, 3, 15)] and len(after) == 12
    [member] = [s for s in steps if s.stage is Stage.MEMBER]
    [secretariat] = [s for s in steps if s.stage is Stage.SECRETARIAT]
    assert member.day == date(2027, 3, 8) and secretariat.day == date(2027, 3, 15)
    assert [s.day for s in steps] == sorted(s.day for s in steps)


def test_a_short_deadline_has_only_the_reminders_after_the_decision() -> None:
    steps = schedule(date(2027, 1, 26), MEETING)
    assert [s.n for s in steps if s.stage is Stage.BEFORE] == [1]
