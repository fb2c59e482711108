"""What the audit trail costs; prints figures, asserts nothing.

1. The audit guard (bot/store/audit_guard.py) on write transactions: the same audited change
   (an institution renamed, with its entry) committed N times with the guard watching and with
   it removed from the database's watchers.
2. Reading /audit on a large trail: a province with 100,000 entries over its councils (a
   district's among them); the count, one page and the person list a provincial and a district
   secretariat ask for, and a full CSV + XLSX export of 20,000 entries.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.clock import ManualClock, to_db
from bot.domain.models import CouncilKind, RoleKind
from bot.domain.permissions import Grant
from bot.i18n import translator
from bot.services import audit, setup
from bot.services.audit import Filters, Kind, Period
from bot.store import Store
from bot.store.audit_guard import AuditGuard
from bot.store.db import Database

WRITES = 2000
ENTRIES = 100_000


async def _writes(store: Store, clock: ManualClock, institution_id: int) -> float:
    started = time.perf_counter()
    for n in range(WRITES):
        async with store.db.transaction():
            await store.councils.rename_institution(institution_id, f"Kurum {n}")
            await store.audit.record(clock.now(), "institution.rename",
                                     f"institution:{institution_id}",
                                     before={"name": f"Kurum {n - 1}"},
                                     after={"name": f"Kurum {n}"})
    return (time.perf_counter() - started) / WRITES * 1e6


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database(Path(folder) / "bench.db").open()
        store = Store(db)
        clock = ManualClock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
        done = await setup.init_province(store, clock, "Gaziantep", 420_000)
        district = await setup.add_district(store, clock, done.province.id, "Nizip", 48_000,
                                            True)
        institution = (await store.councils.institutions(done.council_id))[0]
        watched = await _writes(store, clock, institution.id)
        guards = [w for w in db.watchers if isinstance(w, AuditGuard)]
        db.watchers = [w for w in db.watchers if not isinstance(w, AuditGuard)]
        bare = await _writes(store, clock, institution.id)
        db.watchers += guards
        print(f"audited write transaction: {watched:.0f} µs with the guard, {bare:.0f} µs "
              f"without ({watched - bare:+.0f} µs, {WRITES} each)")

        councils = [done.council_id, done.subcommission_id, district.id]
        actions = ["meeting.move", "proposal.submit", "institution.rename", "role.grant",
                   "minutes.section", "broadcast.queue"]
        start = clock.now() - timedelta(days=365)
        rows = []
        for n in range(ENTRIES):
            council = councils[n % len(councils)]
            rows.append((to_db(start + timedelta(minutes=5 * n)), 1 + n % 7, actions[(n // 3) % 6],
                         f"council:{council}",
                         json.dumps({"before": {"name": f"a{n}"}, "after": {"name": f"b{n}"}}),
                         council, done.province.id))
        async with db.transaction():
            for n in range(1, 8):
                await store.people.upsert(9000 + n, f"Kişi {n}", "Uzman", "+905320000000",
                                          "tr", clock.now())
            people = [r[0] for r in await db.fetchall("SELECT id FROM person")]
            rows = [(*row[:1], people[n % len(people)], *row[2:]) for n, row in enumerate(rows)]
            await store.audit.record(clock.now(), "person.register", "person:1", before=None,
                                     after={"bench": True})
        await db.executemany(
            "INSERT INTO audit_log (at, actor_id, action, subject, details, council_id,"
            " province_id) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        clock.set(start + timedelta(minutes=5 * ENTRIES))
        t = translator("tr")
        provincial = [Grant(RoleKind.SECRETARIAT, done.province.id, done.council_id,
                            CouncilKind.PROVINCIAL)]
        district_sec = [Grant(RoleKind.SECRETARIAT, done.province.id, district.id,
                              CouncilKind.DISTRICT)]
        for label, grants in (("provincial", provincial), ("district", district_sec)):
            for filters in (Filters(), Filters(Period.WEEK, Kind.MEETINGS)):
                started = time.perf_counter()
                page = await audit.page(store, clock, grants, t, filters, 3)
                people = await audit.actors(store, clock, grants, filters)
                took = (time.perf_counter() - started) * 1000
                print(f"/audit {label} {filters.period.name.lower()}"
                      f"/{filters.kind or 'all'}: {page.total} entries, page 4 and "
                      f"{len(people)} people in {took:.1f} ms")
        for format in audit.Format:
            started = time.perf_counter()
            made = await audit.export_file(store, clock, provincial, t, Filters(), format)
            took = time.perf_counter() - started
            print(f"{format.value.upper()} export of {made.count} entries: {took:.2f} s, "
                  f"{len(made.content) // 1024} KiB")
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
