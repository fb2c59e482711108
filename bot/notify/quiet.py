"""Quiet hours: non-urgent messages due at night wait for the morning.

This module owns the rule (default 21:00–08:00 in the council's time zone) and its parsing
from ``BOT_QUIET_HOURS`` ("21:00-08:00"; "off" or empty switches it off). A span that crosses
midnight is the usual case; one inside a day ("12:00-13:00") works too. The morning is
computed as a wall-clock time in the zone, so daylight-saving changes do not shift it. Pure:
instants in, instants out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str | None) -> QuietHours | None:
        """``"21:00-08:00"``; None for "off", "none" or an empty value."""
        if text is None or text.strip().lower() in ("", "off", "none", "0"):
            return None
        match = _SPAN.match(text)
        if match is None:
            raise ValueError(f"quiet hours must look like 21:00-08:00, got {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = time(h1, m1), time(h2, m2)
        if start == end:
            raise ValueError("quiet hours must not start and end at the same time")
        return cls(start, end)

    def is_quiet(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, instant: datetime, timezone: str) -> datetime:
        """`instant` if it is outside quiet hours in `timezone`, else the end of the quiet
        span (the next morning), as a UTC instant."""
        zone = ZoneInfo(timezone)
        local = instant.astimezone(zone)
        wall = local.time().replace(tzinfo=None)
        if not self.is_quiet(wall):
            return instant.astimezone(UTC)
        day = local.date()
        if wall >= self.end:  # evening part of a span that crosses midnight
            day += timedelta(days=1)
        morning = datetime.combine(day, self.end, tzinfo=zone)
        return morning.astimezone(UTC)


DEFAULT_QUIET_HOURS = QuietHours(time(21, 0), time(8, 0))
