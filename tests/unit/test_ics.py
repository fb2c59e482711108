"""Meeting invitations (issue 5): time zone, stable UID, SEQUENCE, CANCEL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.documents.ics import Invitation, build, meeting_uid

IST = ZoneInfo("Europe/Istanbul")


def parse(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return calendar, events[0]


def test_invitation_keeps_its_time_zone_and_uid() -> None:
    start = datetime(2027, 1, 14, 10, 30, tzinfo=IST)
    data = build(Invitation(meeting_uid(42), 0, start, timedelta(hours=2),
                            "Gaziantep İl Göç Koordinasyon Kurulu", "Valilik Toplantı Salonu"))
    calendar, event = parse(data)
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == "meeting-42@kurul"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=3)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=2)
    assert "VTIMEZONE" in data.decode() and "Europe/Istanbul" in data.decode()
    assert str(event["location"]) == "Valilik Toplantı Salonu"


def test_a_move_keeps_the_uid_and_raises_the_sequence_a_cancel_says_so() -> None:
    start = datetime(2027, 1, 14, 10, 30, tzinfo=IST)
    moved = build(Invitation(meeting_uid(42), 1, start + timedelta(days=1), timedelta(hours=2),
                             "Kurul", "Salon"))
    _, event = parse(moved)
    assert str(event["uid"]) == "meeting-42@kurul" and int(event["sequence"]) == 1
    cancel = build(Invitation(meeting_uid(42), 2, start, timedelta(hours=2), "Kurul", "Salon",
                              cancelled=True))
    calendar, event = parse(cancel)
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        build(Invitation("x", 0, datetime(2027, 1, 14, 10), timedelta(hours=1), "K", "S"))
