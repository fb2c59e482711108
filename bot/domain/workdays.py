"""Which days are working days for a province's councils.

This module owns the working-day calendar the statutory deadlines are counted against: Turkish
official holidays ("resmi tatil", from the `holidays` package unless another provider is
injected), their half-day eves (arife, and 28 October, afternoons off from 13:00), weekends,
and the administrative leave days ("idari izin") a province's secretariat enters. It does no
I/O of its own and knows nothing of councils or articles; `bot.domain.calendar` builds on it.

Precedence when a day is several things at once: an official holiday wins over a weekend (a
holiday on a Saturday is still shown as the holiday), a weekend wins over a leave day (leave is
only ever granted on days that would otherwise be worked), and a leave day wins over a half day
(leave is often declared for the whole of an arife).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

# A search for the next working day gives up after this many days: even a province that stacks
# leave onto a nine-day bayram has working days within a year, so running out means the
# injected calendar is broken and looping on would hide it.
SEARCH_LIMIT_DAYS = 366

_ONE_DAY = timedelta(days=1)


class DayKind(enum.StrEnum):
    """What a calendar day is for a government office."""

    WORKING = "working"
    HALF_DAY = "half_day"  # a working morning; the afternoon is off (arife, 28 October)
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    LEAVE = "leave"  # administrative leave (idari izin)


# Kinds on which an office works at least in the morning.
WORKING_KINDS = frozenset({DayKind.WORKING, DayKind.HALF_DAY})


@dataclass(frozen=True, slots=True)
class Holiday:
    """An official holiday or half-day eve, with the name its provider gives it."""

    day: date
    name: str
    half_day: bool = False


class HolidayProvider(Protocol):
    """Where official holidays come from; injected so tests can use a calendar of their own."""

    def holidays(self, year: int) -> Iterable[Holiday]:
        """Every official holiday and half-day eve of `year`."""
        ...


@lru_cache(maxsize=128)
def _turkish_holidays(year: int, language: str) -> tuple[Holiday, ...]:
    # Built once per (year, language) for the whole process: every province's calendar shares
    # it, so a national run pays the package's cost once per year, not once per province.
    # Imported here: the package costs ~0.1 s to import and to build its first country, which
    # processes and tests that inject their own provider should not pay.
    import holidays

    public = holidays.country_holidays(
        "TR", years=year, categories=(holidays.PUBLIC,), language=language
    )
    half = holidays.country_holidays(
        "TR", years=year, categories=(holidays.HALF_DAY,), language=language
    )
    # Two separate queries keep the categories apart: asked together, the package merges an
    # eve and a holiday on the same date (23 April 2029) into one name and one kind.
    days = [Holiday(day, name, half_day=False) for day, name in public.items()]
    days += [Holiday(day, name, half_day=True) for day, name in half.items() if day not in public]
    return tuple(sorted(days, key=lambda h: h.day))


def clear_holiday_cache() -> None:
    """Forget the holiday years computed so far (benchmarks measure a cold start with it)."""
    _turkish_holidays.cache_clear()


class TurkishHolidays:
    """Official holidays of Türkiye from the `holidays` package (PUBLIC and HALF_DAY).

    `language` is the package's language for holiday names ("tr", "en_US", ...). It is always
    passed explicitly: left unset, the package guesses from the process locale.
    """

    def __init__(self, language: str = "tr") -> None:
        self.language = language

    def holidays(self, year: int) -> tuple[Holiday, ...]:
        return _turkish_holidays(year, self.language)


class FixedHolidays:
    """A provider holding a fixed list of holidays; for tests and what-if calendars."""

    def __init__(self, days: Iterable[Holiday]) -> None:
        by_year: dict[int, list[Holiday]] = {}
        for holiday in days:
            by_year.setdefault(holiday.day.year, []).append(holiday)
        self._by_year: Mapping[int, tuple[Holiday, ...]] = {
            year: tuple(items) for year, items in by_year.items()
        }

    def holidays(self, year: int) -> tuple[Holiday, ...]:
        return self._by_year.get(year, ())


_DEFAULT_PROVIDER = TurkishHolidays()


class WorkingCalendar:
    """Working days of one province: official holidays plus its administrative leave days.

    Holidays are fetched from the provider once per year and kept; every query after that is
    a dictionary lookup and a weekday test.
    """

    __slots__ = ("_leave", "_loaded", "_names", "_provider", "_special")

    def __init__(
        self,
        leave_days: Iterable[date] = (),
        holiday_provider: HolidayProvider | None = None,
    ) -> None:
        self._leave = frozenset(leave_days)
        self._provider: HolidayProvider = holiday_provider or _DEFAULT_PROVIDER
        # Only the days that are not plain weekdays or weekends are stored; the rest follow
        # from the weekday.
        self._special: dict[date, DayKind] = {}
        self._names: dict[date, str] = {}
        self._loaded: set[int] = set()

    @property
    def leave_days(self) -> frozenset[date]:
        return self._leave

    def _load(self, year: int) -> None:
        special = self._special
        for holiday in self._provider.holidays(year):
            if holiday.day.year != year:
                continue
            self._names.setdefault(holiday.day, holiday.name)
            if holiday.half_day:
                special.setdefault(holiday.day, DayKind.HALF_DAY)
            else:
                special[holiday.day] = DayKind.HOLIDAY
        for day in self._leave:
            if day.year == year and special.get(day) is not DayKind.HOLIDAY:
                special[day] = DayKind.LEAVE
        self._loaded.add(year)

    def day_kind(self, day: date) -> DayKind:
        if day.year not in self._loaded:
            self._load(day.year)
        kind = self._special.get(day)
        if kind is DayKind.HOLIDAY:
            return kind
        if day.weekday() >= 5:
            return DayKind.WEEKEND
        return DayKind.WORKING if kind is None else kind

    def holiday_name(self, day: date) -> str | None:
        """The provider's name of the holiday or half-day eve on `day`, for display."""
        if day.year not in self._loaded:
            self._load(day.year)
        return self._names.get(day)

    def is_working_day(self, day: date) -> bool:
        """True on full and half working days: a half day still has a working morning."""
        return self.day_kind(day) in WORKING_KINDS

    def is_full_working_day(self, day: date) -> bool:
        return self.day_kind(day) is DayKind.WORKING

    def next_working_day(self, after: date, *, full: bool = False) -> date:
        """The first working day strictly after `after` (a full one if `full`)."""
        day = after
        for _ in range(SEARCH_LIMIT_DAYS):
            day += _ONE_DAY
            kind = self.day_kind(day)
            if kind is DayKind.WORKING or (kind is DayKind.HALF_DAY and not full):
                return day
        raise ValueError(f"no working day within {SEARCH_LIMIT_DAYS} days after {after}")

    def working_days(self, start: date, end: date, *, full: bool = False) -> list[date]:
        """Working days from `start` to `end`, both included (only full ones if `full`)."""
        wanted = frozenset({DayKind.WORKING}) if full else WORKING_KINDS
        days: list[date] = []
        day = start
        while day <= end:
            if self.day_kind(day) in wanted:
                days.append(day)
            day += _ONE_DAY
        return days
