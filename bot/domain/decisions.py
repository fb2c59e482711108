"""Decisions of a council's minutes (issue 7): pure rules, no I/O.

This module owns:

* numbering: decisions are numbered per council and calendar year, "2027/3" (the Ek-1 form's
  KARAR-n blocks, Art. 12(2));
* the time given (Ek-1 "Verilen Süre"): a date ``dd.mm.yyyy`` or "n gün / n ay" ("n days /
  n months") counted from the meeting day, turned into one date, never in the past;
* each institution's progress state and the decision's state derived from them (Art. 12(4):
  the institutions carry out the decisions and report);
* the reminder and escalation schedule: to the responsible institutions 14, 7 and 1 days before
  the deadline and weekly after it; an institution still silent after its deadline escalates to
  its member (one week after), then to the secretariat and the chair (two weeks after).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

BEFORE_DAYS = (14, 7, 1)
WEEKLY = timedelta(days=7)
MAX_WEEKS_AFTER = 12          # weekly reminders stop after three months
TEXT_MAX = 2000


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class DeadlineError(ValueError):
    """The time given cannot be read, or lies in the past."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "unreadable" or "past"


_RELATIVE = re.compile(r"^\s*(\d{1,3})\s*(gün|gun|days?|ay|months?)\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*$")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def parse_deadline(text: str, start: date, today: date) -> date:
    """"30.06.2027", "30 gün", "3 ay", "30 days", "3 months" → a date (from ``start``)."""
    match = _DATE.match(text)
    if match:
        try:
            found = date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            raise DeadlineError("unreadable") from None
    else:
        match = _RELATIVE.match(text)
        if not match or int(match[1]) <= 0:
            raise DeadlineError("unreadable")
        n, unit = int(match[1]), match[2].lower()
        found = add_months(start, n) if unit in ("ay", "month", "months") else (
            start + timedelta(days=n))
    if found < today:
        raise DeadlineError("past")
    return found


def decision_number(year: int, sequence: int) -> str:
    return f"{year}/{sequence}"


def next_sequence(taken: Iterable[int]) -> int:
    """The next number of the council's year: one after the highest so far."""
    return max(taken, default=0) + 1


def derived_state(statuses: Iterable[Status | None]) -> Status:
    """The decision's state from its institutions' (None: not reported yet).

    Done only when every institution is done; blocked when any is blocked; in progress when
    any has started; otherwise not started.
    """
    found = list(statuses)
    if found and all(s is Status.DONE for s in found):
        return Status.DONE
    if any(s is Status.BLOCKED for s in found):
        return Status.BLOCKED
    if any(s in (Status.IN_PROGRESS, Status.DONE) for s in found):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


class Stage(enum.StrEnum):
    BEFORE = "before"        # n days before the deadline, to the institution
    AFTER = "after"          # weekly after it, to the institution
    MEMBER = "member"        # escalation: the institution's member
    SECRETARIAT = "secretariat"  # escalation: the secretariat and the chair


@dataclass(frozen=True, slots=True)
class Step:
    stage: Stage
    day: date
    n: int  # days before (BEFORE) or weeks after (AFTER, MEMBER, SECRETARIAT)


def schedule(deadline: date, decided: date) -> list[Step]:
    """Every reminder and escalation step of one institution's task, in order.

    Steps before the decision day are dropped (a task given 5 days has only the D-1 step).
    Escalations apply only while the institution has not reported (the caller's business).
    """
    steps = [Step(Stage.BEFORE, deadline - timedelta(days=n), n) for n in BEFORE_DAYS
             if deadline - timedelta(days=n) > decided]
    for week in range(1, MAX_WEEKS_AFTER + 1):
        day = deadline + WEEKLY * week
        steps.append(Step(Stage.AFTER, day, week))
        if week == 1:
            steps.append(Step(Stage.MEMBER, day, week))
        if week == 2:
            steps.append(Step(Stage.SECRETARIAT, day, week))
    return steps


def overdue(deadline: date, today: date, state: Status) -> bool:
    return state is not Status.DONE and today > deadline
