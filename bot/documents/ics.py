"""Meeting invitations as iCalendar files (RFC 5545), built with ``icalendar``.

The UID stays the same for the life of a meeting, so a calendar application updates the event
it already has when the meeting moves (a higher SEQUENCE) and removes it on a CANCEL.
Times carry their time zone (TZID with a VTIMEZONE), never a floating local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Kurul//Migration Coordination Councils//TR"


@dataclass(frozen=True, slots=True)
class Invitation:
    uid: str                 # stable per meeting, e.g. "meeting-42@kurul"
    sequence: int            # 0 first; +1 on every move
    starts_at: datetime      # aware, in the council's time zone
    duration: timedelta
    summary: str
    location: str
    description: str = ""
    cancelled: bool = False
    stamp: datetime | None = None   # DTSTAMP; defaults to starts_at for reproducible files


def meeting_uid(meeting_id: int, domain: str = "kurul") -> str:
    return f"meeting-{meeting_id}@{domain}"


def build(invitation: Invitation) -> bytes:
    if invitation.starts_at.tzinfo is None:
        raise ValueError("an invitation needs an aware start time")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if invitation.cancelled else "REQUEST")
    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", invitation.stamp or invitation.starts_at)
    event.add("dtstart", invitation.starts_at)
    event.add("dtend", invitation.starts_at + invitation.duration)
    event.add("summary", invitation.summary)
    event.add("location", invitation.location)
    if invitation.description:
        event.add("description", invitation.description)
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
