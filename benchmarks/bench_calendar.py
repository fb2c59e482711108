"""How long the statutory calendar takes for a whole country; prints figures, asserts nothing.

The country is invented but shaped like Türkiye: 81 provinces, each with its provincial council
and sub-commission, and 973 districts spread over them; populations are drawn from a seeded
generator so that some provinces fall below 10,000 foreigners, some districts below 2,000, and
some districts are border districts. Each province has its own working calendar with a few
administrative leave days, as the secretariats would enter them.

For one year and for ten years, the run computes every body's ordinary meeting windows
(Art. 6(9), 7, 8) and the deadlines of each window's suggested meeting (Art. 10-12).

Three figures per span: "first" is the first run in a fresh process, which also pays for
importing the `holidays` package and building its Turkish tables; "cold" rebuilds every
calendar and empties the holiday cache, so holiday years are computed again; "warm" reuses the
calendars. A service keeps calendars for the life of the process, so "warm" is the steady
state and "cold" what a restart costs.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (`python benchmarks/bench_calendar.py`) without the package installed.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.calendar import meeting_deadlines, ordinary_meetings
from bot.domain.models import CouncilKind
from bot.domain.workdays import WorkingCalendar, clear_holiday_cache

PROVINCES = 81
DISTRICTS = 973
FIRST_YEAR = 2026
SEED = 20230221  # the circular's date
REPEATS = 5


@dataclass(frozen=True, slots=True)
class Body:
    kind: CouncilKind
    province: int
    foreign_population: int
    border: bool


def build_country() -> tuple[list[Body], dict[int, list[date]]]:
    rng = random.Random(SEED)
    bodies: list[Body] = []
    leave: dict[int, list[date]] = {}
    for province in range(PROVINCES):
        # Log-uniform from 500 to 2 million: about a third of provinces under 10,000.
        population = int(10 ** rng.uniform(2.7, 6.3))
        bodies.append(Body(CouncilKind.PROVINCIAL, province, population, False))
        bodies.append(Body(CouncilKind.SUBCOMMISSION, province, population, False))
        leave[province] = [
            date(FIRST_YEAR + rng.randrange(10), rng.randint(1, 12), rng.randint(1, 28))
            for _ in range(rng.randrange(0, 30))
        ]
    for index in range(DISTRICTS):
        # Every province gets districts; the rest go where the dice say.
        province = index if index < PROVINCES else rng.randrange(PROVINCES)
        population = int(10 ** rng.uniform(1.5, 5.5))
        border = rng.random() < 0.08
        bodies.append(Body(CouncilKind.DISTRICT, province, population, border))
    return bodies, leave


def run(bodies: list[Body], calendars: dict[int, WorkingCalendar], years: int) -> int:
    meetings = 0
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        for body in bodies:
            workdays = calendars[body.province]
            for window in ordinary_meetings(
                body.kind, year, body.foreign_population, body.border, workdays
            ):
                meeting_deadlines(body.kind, window.suggested_date, workdays)
                meetings += 1
    return meetings


def fresh_calendars(leave: dict[int, list[date]]) -> dict[int, WorkingCalendar]:
    return {province: WorkingCalendar(leave_days=days) for province, days in leave.items()}


def timed(bodies: list[Body], leave: dict[int, list[date]], years: int, cold: bool) -> float:
    if cold:
        clear_holiday_cache()
    calendars = fresh_calendars(leave)
    start = time.perf_counter()
    run(bodies, calendars, years)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    bodies, leave = build_country()
    councils = len(bodies)
    by_kind = {kind: sum(b.kind is kind for b in bodies) for kind in CouncilKind}
    large = sum(b.foreign_population >= 10_000 for b in bodies if b.kind is CouncilKind.PROVINCIAL)
    meeting_districts = sum(
        b.foreign_population >= 2_000 or b.border for b in bodies if b.kind is CouncilKind.DISTRICT
    )
    print(
        f"country: {councils} bodies ({by_kind[CouncilKind.PROVINCIAL]} provincial, "
        f"{by_kind[CouncilKind.SUBCOMMISSION]} sub-commissions, "
        f"{by_kind[CouncilKind.DISTRICT]} districts); provinces >= 10,000: {large}; "
        f"districts >= 2,000 or border: {meeting_districts}"
    )

    # The very first run in this process: package import and table building included.
    calendars = fresh_calendars(leave)
    start = time.perf_counter()
    meetings_1 = run(bodies, calendars, 1)
    first_ms = (time.perf_counter() - start) * 1000
    meetings_10 = run(bodies, fresh_calendars(leave), 10)

    results: dict[tuple[int, str], float] = {}
    for years in (1, 10):
        for mode in ("cold", "warm"):
            samples = []
            for _ in range(REPEATS):
                if mode == "warm":
                    calendars = fresh_calendars(leave)
                    run(bodies, calendars, years)  # fill the calendars' year caches
                    start = time.perf_counter()
                    run(bodies, calendars, years)
                    samples.append((time.perf_counter() - start) * 1000)
                else:
                    samples.append(timed(bodies, leave, years, cold=True))
            results[(years, mode)] = min(samples)

    print(f"meetings: 1 year {meetings_1}, 10 years {meetings_10} (each with its deadlines)")
    print(f"first run in process, 1 year: {first_ms:8.1f} ms (includes importing `holidays`)")
    for years in (1, 10):
        for mode in ("cold", "warm"):
            ms = results[(years, mode)]
            print(
                f"{years:2d} year(s) {mode}: {ms:8.1f} ms total, "
                f"{ms / councils:.4f} ms per council, "
                f"{ms / councils / years:.4f} ms per council-year"
            )
    for mode in ("cold", "warm"):
        print(f"10-year / 1-year ratio ({mode}): {results[(10, mode)] / results[(1, mode)]:.2f}")
    print(f"best of {REPEATS} runs; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
