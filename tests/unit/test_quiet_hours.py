"""Quiet hours (default 21:00-08:00, the council's time zone) move messages to the morning."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.notify.quiet import DEFAULT_QUIET_HOURS, QuietHours

IST = "Europe/Istanbul"  # UTC+3 all year


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2027, 3, 10, 12, 0), utc(2027, 3, 10, 12, 0)),   # 15:00 local: as is
        (utc(2027, 3, 10, 17, 59), utc(2027, 3, 10, 17, 59)),  # 20:59 local: as is
        (utc(2027, 3, 10, 18, 0), utc(2027, 3, 11, 5, 0)),   # 21:00 local: next 08:00
        (utc(2027, 3, 10, 20, 30), utc(2027, 3, 11, 5, 0)),  # 23:30 local, across midnight
        (utc(2027, 3, 10, 22, 0), utc(2027, 3, 11, 5, 0)),   # 01:00 local next day: same day
        (utc(2027, 3, 11, 4, 59), utc(2027, 3, 11, 5, 0)),   # 07:59 local
        (utc(2027, 3, 11, 5, 0), utc(2027, 3, 11, 5, 0)),    # 08:00 local: as is
        (utc(2027, 12, 31, 19, 0), utc(2028, 1, 1, 5, 0)),   # across the new year
    ],
)
def test_night_moves_to_eight_in_istanbul(instant: datetime, expected: datetime) -> None:
    assert DEFAULT_QUIET_HOURS.release(instant, IST) == expected


def test_the_morning_is_a_wall_clock_time_across_daylight_saving() -> None:
    # Berlin leaves summer time in the night of 30-31 October 2027 (03:00 CEST -> 02:00 CET).
    night = utc(2027, 10, 30, 20, 0)  # 22:00 CEST
    assert DEFAULT_QUIET_HOURS.release(night, "Europe/Berlin") == utc(2027, 10, 31, 7, 0)
    summer = utc(2027, 7, 1, 20, 0)
    assert DEFAULT_QUIET_HOURS.release(summer, "Europe/Berlin") == utc(2027, 7, 2, 6, 0)


def test_time_zones_differ() -> None:
    instant = utc(2027, 3, 10, 19, 0)  # 22:00 in Istanbul, 19:00 in London
    assert DEFAULT_QUIET_HOURS.release(instant, IST) == utc(2027, 3, 11, 5, 0)
    assert DEFAULT_QUIET_HOURS.release(instant, "Europe/London") == instant


def test_a_span_inside_one_day() -> None:
    lunch = QuietHours.parse("12:00-13:30")
    assert lunch is not None
    assert lunch.release(utc(2027, 3, 10, 9, 15), IST) == utc(2027, 3, 10, 10, 30)
    assert lunch.release(utc(2027, 3, 10, 10, 30), IST) == utc(2027, 3, 10, 10, 30)


def test_parsing() -> None:
    assert QuietHours.parse("21:00-08:00") == QuietHours(time(21), time(8))
    assert QuietHours.parse(" 22:30 - 7:15 ") == QuietHours(time(22, 30), time(7, 15))
    assert QuietHours.parse("off") is None and QuietHours.parse("") is None
    for bad in ("21-08", "25:00-08:00", "08:00-08:00"):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)
