"""Working days of a province: Turkish official holidays, half-day eves, weekends and leave.

Expected dates were worked out by hand from the official calendars (Diyanet's dates for the
bayrams, Law 2429 for the fixed holidays) and the weekdays checked against a printed calendar;
the `holidays` package is then expected to agree. They feed Art. 6(9) (the sub-commission's
"first working day after") and the deadline warnings of Art. 10-12.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pytest

from bot.domain.workdays import (
    DayKind,
    FixedHolidays,
    Holiday,
    TurkishHolidays,
    WorkingCalendar,
)

D = date


@pytest.fixture(scope="module")
def workdays() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (D(2025, 1, 1), DayKind.HOLIDAY),  # Wed, Yılbaşı
        (D(2025, 1, 2), DayKind.WORKING),  # Thu
        (D(2025, 1, 4), DayKind.WEEKEND),  # Sat
        (D(2025, 3, 28), DayKind.WORKING),  # Fri before Ramazan Bayramı
        (D(2025, 3, 29), DayKind.WEEKEND),  # Sat, arife: a half day that falls on a weekend
        (D(2025, 3, 30), DayKind.HOLIDAY),  # Sun, Ramazan Bayramı day 1
        (D(2025, 3, 31), DayKind.HOLIDAY),  # Mon, day 2
        (D(2025, 4, 1), DayKind.HOLIDAY),  # Tue, day 3
        (D(2025, 4, 2), DayKind.WORKING),  # Wed
        (D(2025, 6, 4), DayKind.WORKING),  # Wed
        (D(2025, 6, 5), DayKind.HALF_DAY),  # Thu, Kurban Bayramı arife
        (D(2025, 6, 6), DayKind.HOLIDAY),  # Fri, Kurban Bayramı day 1
        (D(2025, 6, 7), DayKind.HOLIDAY),  # Sat: a holiday wins over the weekend
        (D(2025, 6, 9), DayKind.HOLIDAY),  # Mon, day 4
        (D(2025, 6, 10), DayKind.WORKING),  # Tue
        (D(2025, 7, 15), DayKind.HOLIDAY),  # Tue, Demokrasi ve Millî Birlik Günü
        (D(2025, 8, 30), DayKind.HOLIDAY),  # Sat, Zafer Bayramı
        (D(2025, 10, 28), DayKind.HALF_DAY),  # Tue, eve of Cumhuriyet Bayramı
        (D(2025, 10, 29), DayKind.HOLIDAY),  # Wed, Cumhuriyet Bayramı
        (D(2026, 3, 19), DayKind.HALF_DAY),  # Thu, Ramazan Bayramı arife
        (D(2026, 3, 20), DayKind.HOLIDAY),  # Fri, Ramazan Bayramı day 1 (20-22 March)
        (D(2026, 5, 26), DayKind.HALF_DAY),  # Tue, Kurban Bayramı arife
        (D(2026, 5, 27), DayKind.HOLIDAY),  # Wed, Kurban Bayramı day 1 (27-30 May)
        (D(2026, 5, 30), DayKind.HOLIDAY),  # Sat, day 4
        (D(2026, 10, 28), DayKind.HALF_DAY),  # Wed
        (D(2027, 3, 8), DayKind.HALF_DAY),  # Mon, Ramazan Bayramı arife (9-11 March)
        (D(2027, 3, 11), DayKind.HOLIDAY),  # Thu
        (D(2027, 5, 15), DayKind.WEEKEND),  # Sat, Kurban Bayramı arife
        (D(2027, 5, 19), DayKind.HOLIDAY),  # Wed, 19 Mayıs and Kurban Bayramı day 4
        (D(2029, 4, 23), DayKind.HOLIDAY),  # Mon, 23 Nisan and the Kurban arife: holiday wins
    ],
)
def test_day_kind_of_turkish_calendar(workdays: WorkingCalendar, day: date, kind: DayKind) -> None:
    """Art. 6(9) "resmi tatil": official holidays, half-day eves and weekends, 2025-2029."""
    assert workdays.day_kind(day) is kind


def test_holiday_names_come_from_the_package_in_turkish(workdays: WorkingCalendar) -> None:
    """Art. 6(9): the holiday a meeting or deadline falls on is named for display."""
    assert workdays.holiday_name(D(2025, 6, 6)) == "Kurban Bayramı"
    assert workdays.holiday_name(D(2025, 6, 5)) == "Kurban Bayramı (saat 13.00'ten)"
    assert workdays.holiday_name(D(2025, 10, 28)) == "Cumhuriyet Bayramı (saat 13.00'ten)"
    assert workdays.holiday_name(D(2025, 1, 1)) == "Yılbaşı"
    assert workdays.holiday_name(D(2025, 6, 4)) is None
    # Two holidays on one day keep both names; a coinciding eve keeps the holiday's name only.
    both = workdays.holiday_name(D(2027, 5, 19))
    assert both is not None and "Kurban Bayramı" in both and "Gençlik ve Spor" in both
    assert workdays.holiday_name(D(2029, 4, 23)) == "Ulusal Egemenlik ve Çocuk Bayramı"


def test_holiday_names_in_another_language() -> None:
    """Art. 6(9): holiday names follow the provider's language when asked."""
    english = WorkingCalendar(holiday_provider=TurkishHolidays(language="en_US"))
    assert english.holiday_name(D(2025, 6, 6)) == "Eid al-Adha"


def test_half_day_counts_as_a_working_morning(workdays: WorkingCalendar) -> None:
    """Art. 6(9) "iş günü": an arife is a working day (the morning), not a full one."""
    assert workdays.is_working_day(D(2025, 6, 5))
    assert not workdays.is_full_working_day(D(2025, 6, 5))
    assert workdays.is_full_working_day(D(2025, 6, 4))
    assert not workdays.is_working_day(D(2025, 6, 6))


def test_leave_days_precedence() -> None:
    """Art. 6(9) "idari izin": leave days entered by the secretariat take working days off."""
    leave = [D(2025, 6, 4), D(2025, 6, 5), D(2025, 6, 6), D(2025, 6, 14)]
    workdays = WorkingCalendar(leave_days=leave)
    assert workdays.day_kind(D(2025, 6, 4)) is DayKind.LEAVE  # a plain Wednesday
    assert workdays.day_kind(D(2025, 6, 5)) is DayKind.LEAVE  # a whole arife off
    assert workdays.day_kind(D(2025, 6, 6)) is DayKind.HOLIDAY  # the bayram stays a holiday
    assert workdays.day_kind(D(2025, 6, 14)) is DayKind.WEEKEND  # leave on a Saturday
    assert workdays.leave_days == frozenset(leave)
    assert not workdays.is_working_day(D(2025, 6, 4))


@pytest.mark.parametrize(
    ("after", "full", "expected"),
    [
        # Kurban Bayramı 2025: Thu 5 June arife, Fri 6 - Mon 9 June off.
        (D(2025, 6, 4), False, D(2025, 6, 5)),
        (D(2025, 6, 4), True, D(2025, 6, 10)),
        (D(2025, 6, 5), False, D(2025, 6, 10)),
        # Kurban Bayramı 2026: Tue 26 May arife, Wed 27 - Sat 30 May off, Sun 31 May.
        (D(2026, 5, 25), False, D(2026, 5, 26)),
        (D(2026, 5, 25), True, D(2026, 6, 1)),
        # Across the year end: Thu 1 January 2026 is Yılbaşı.
        (D(2025, 12, 31), False, D(2026, 1, 2)),
        # Friday to Monday.
        (D(2025, 12, 5), False, D(2025, 12, 8)),
    ],
)
def test_next_working_day(
    workdays: WorkingCalendar, after: date, full: bool, expected: date
) -> None:
    """Art. 6(9) "sonraki ilk iş günü": the first working day after a date."""
    assert workdays.next_working_day(after, full=full) == expected


def test_next_working_day_skips_leave() -> None:
    """Art. 6(9): administrative leave is skipped like a holiday."""
    workdays = WorkingCalendar(leave_days=[D(2025, 6, 10), D(2025, 6, 11)])
    assert workdays.next_working_day(D(2025, 6, 5)) == D(2025, 6, 12)


def test_working_days_around_ramazan_bayrami_2025(workdays: WorkingCalendar) -> None:
    """Art. 6(9): working days of a span, with and without half days."""
    # Fri 28 Mar worked; Sat 29 (arife) and Sun 30 weekend/holiday; Mon 31 Mar - Tue 1 Apr off.
    assert workdays.working_days(D(2025, 3, 28), D(2025, 4, 4)) == [
        D(2025, 3, 28),
        D(2025, 4, 2),
        D(2025, 4, 3),
        D(2025, 4, 4),
    ]
    assert workdays.working_days(D(2025, 6, 2), D(2025, 6, 8), full=True) == [
        D(2025, 6, 2),
        D(2025, 6, 3),
        D(2025, 6, 4),
    ]
    assert workdays.working_days(D(2025, 6, 8), D(2025, 6, 2)) == []


class CountingProvider:
    def __init__(self, days: Iterable[Holiday]) -> None:
        self.inner = FixedHolidays(days)
        self.calls: list[int] = []

    def holidays(self, year: int) -> tuple[Holiday, ...]:
        self.calls.append(year)
        return self.inner.holidays(year)


def test_injected_provider_is_asked_once_per_year() -> None:
    """Art. 6(9): holidays are injectable and fetched once per year (benchmark speed)."""
    provider = CountingProvider(
        [Holiday(D(2030, 3, 4), "Test"), Holiday(D(2030, 3, 5), "Test eve", half_day=True)]
    )
    workdays = WorkingCalendar(holiday_provider=provider)
    assert workdays.day_kind(D(2030, 3, 4)) is DayKind.HOLIDAY
    assert workdays.day_kind(D(2030, 3, 5)) is DayKind.HALF_DAY
    assert workdays.holiday_name(D(2030, 3, 5)) == "Test eve"
    # No package holidays here: 1 January is an ordinary Tuesday.
    assert workdays.day_kind(D(2030, 1, 1)) is DayKind.WORKING
    workdays.working_days(D(2030, 1, 1), D(2031, 12, 31))
    assert provider.calls == [2030, 2031]


def test_next_working_day_gives_up_on_a_calendar_without_working_days() -> None:
    """Art. 6(9): a broken calendar with no working day fails loudly instead of looping."""
    every_day = [D(2030, 1, 1) + timedelta(days=i) for i in range(800)]
    workdays = WorkingCalendar(holiday_provider=FixedHolidays(Holiday(d, "x") for d in every_day))
    with pytest.raises(ValueError, match="no working day"):
        workdays.next_working_day(D(2030, 1, 1))
