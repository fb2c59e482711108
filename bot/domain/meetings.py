"""Meetings: the statutory checks on a proposed date, and the states a meeting goes through.

A meeting is ordinary (inside a window of the statutory calendar) or extraordinary ("ek kurul",
called at any time by the chair on the directorate's proposal, by the chair alone, or at the
Presidency's request; Art. 7(3), 8(4)). Scheduling is checked here, purely:

* a date in the past is refused;
* outside the ordinary window, or too late for the notice period (at least 5 days before a
  council, Art. 11(3); 3 before the sub-commission, Art. 11(4)) needs an explicit confirmation
  with a reason, which is recorded;
* a weekend, holiday, administrative-leave day or half day, and another meeting of the same
  council that day, are warnings shown in the preview.

Also here: reading a typed day (``dd.mm.yyyy``) and time (``HH:MM``), and an institution's
presence from its last answer.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.domain.calendar import MeetingWindow, meeting_deadlines
from bot.domain.models import CouncilKind
from bot.domain.workdays import DayKind, WorkingCalendar


class MeetingKind(enum.StrEnum):
    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"


class CalledBy(enum.StrEnum):
    """Who called an extraordinary meeting (Art. 7(3), 8(4))."""

    CHAIR_ON_PROPOSAL = "chair_on_proposal"   # the chair, on the directorate's proposal
    CHAIR = "chair"                           # the chair, on their own
    PRESIDENCY = "presidency"                 # at the Presidency of Migration Management's request


class MeetingStatus(enum.StrEnum):
    # Drafted by the secretariat; the chair decides day, place and time (Art. 11(3)).
    AWAITING_CHAIR = "awaiting_chair"
    SCHEDULED = "scheduled"             # approved: notices go out
    CANCELLED = "cancelled"
    HELD = "held"


class Check(enum.StrEnum):
    IN_PAST = "in_past"
    OUTSIDE_WINDOW = "outside_window"
    NOTICE_TOO_LATE = "notice_too_late"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    LEAVE = "leave"
    HALF_DAY = "half_day"
    SAME_DAY = "same_day"


# Checks that block saving unless the secretariat confirms with a reason.
NEEDS_REASON = frozenset({Check.OUTSIDE_WINDOW, Check.NOTICE_TOO_LATE})
_DAY_CHECKS = {
    DayKind.WEEKEND: Check.WEEKEND,
    DayKind.HOLIDAY: Check.HOLIDAY,
    DayKind.LEAVE: Check.LEAVE,
    DayKind.HALF_DAY: Check.HALF_DAY,
}


@dataclass(frozen=True, slots=True)
class Finding:
    check: Check
    article: str | None = None
    due: date | None = None   # the notice deadline, or the window's last day

    @property
    def needs_reason(self) -> bool:
        return self.check in NEEDS_REASON


def check_schedule(
    council_kind: CouncilKind,
    kind: MeetingKind,
    starts_at: datetime,
    now: datetime,
    workdays: WorkingCalendar,
    window: MeetingWindow | None = None,
    same_day_meetings: int = 0,
) -> list[Finding]:
    """What the preview must say about holding a meeting at ``starts_at`` (local time).

    ``now`` is in the same time zone. ``window`` is the ordinary window the meeting belongs to
    (None for an extraordinary meeting, which may be held at any time).
    """
    findings: list[Finding] = []
    day = starts_at.date()
    if starts_at <= now:
        return [Finding(Check.IN_PAST)]
    if kind is MeetingKind.ORDINARY and window is not None and not (
        window.window_start <= day <= window.closes
    ):
        findings.append(Finding(Check.OUTSIDE_WINDOW, window.article, window.closes))
    notice = meeting_deadlines(council_kind, day, workdays).notice
    if notice.due < now.date():
        findings.append(Finding(Check.NOTICE_TOO_LATE, notice.article, notice.due))
    day_check = _DAY_CHECKS.get(workdays.day_kind(day))
    if day_check is not None:
        findings.append(Finding(day_check))
    if same_day_meetings:
        findings.append(Finding(Check.SAME_DAY))
    return findings


def needs_reason(findings: list[Finding]) -> bool:
    return any(f.needs_reason for f in findings)


class Answer(enum.StrEnum):
    """A member's answer to a notice."""

    ATTENDING = "attending"          # Katılacağım
    EXCUSED = "excused"              # Katılamayacağım (with the excuse)
    DEPUTY = "deputy"                # Vekilim katılacak (Art. 9(2))
    DEPUTY_CONFIRMED = "deputy_confirmed"


class Presence(enum.StrEnum):
    """Where an institution stands for one meeting, as the secretariat and chair see it."""

    CONFIRMED = "confirmed"
    EXCUSED = "excused"
    DEPUTY = "deputy"
    NO_ANSWER = "no_answer"
    NOBODY_REGISTERED = "nobody_registered"


def presence(answer: Answer | None, member_registered: bool) -> Presence:
    """The institution's state from its member's last answer (the last answer stands)."""
    if not member_registered:
        return Presence.NOBODY_REGISTERED
    if answer is None:
        return Presence.NO_ANSWER
    if answer is Answer.ATTENDING:
        return Presence.CONFIRMED
    if answer is Answer.EXCUSED:
        return Presence.EXCUSED
    return Presence.DEPUTY


# --- typed days and times ---------------------------------------------------------------------


class InputProblem(enum.StrEnum):
    DATE_FORMAT = "date_format"      # not dd.mm.yyyy (2027-01-14, 14.01.27, "yarın")
    NO_SUCH_DAY = "no_such_day"      # 31.02.2027
    TIME_FORMAT = "time_format"      # not HH:MM
    NO_SUCH_TIME = "no_such_time"    # 25:00, 10:75


class MeetingInputError(ValueError):
    """A typed day or time that cannot be used; the handler explains `problem`."""

    def __init__(self, problem: InputProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


_TYPED_DAY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_TYPED_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


def parse_day(text: str | None) -> date:
    """A day as Turkish officials type it: ``14.01.2027`` (``14/01/2027``, ``4.1.2027`` too)."""
    match = _TYPED_DAY.fullmatch((text or "").strip())
    if match is None:
        raise MeetingInputError(InputProblem.DATE_FORMAT)
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError as exc:
        raise MeetingInputError(InputProblem.NO_SUCH_DAY) from exc


def parse_time(text: str | None) -> time:
    """A time of day on the 24-hour clock: ``10:30`` (``10.30``, ``9:00`` too)."""
    match = _TYPED_TIME.fullmatch((text or "").strip())
    if match is None:
        raise MeetingInputError(InputProblem.TIME_FORMAT)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise MeetingInputError(InputProblem.NO_SUCH_TIME)
    return time(hour, minute)
