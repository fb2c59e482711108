"""The stored facts reminders are derived from, read in a few set-wise queries.

This module owns the queries of ``bot.notify.reminders``: every live council with its
province's time zone, the population the calendar counts for it and when it was set up; the
administrative leave days of every province; the secretariat who receives a council's
reminders; and a cheap fingerprint of those facts, so that the scheduler can tell after any
update whether the reminders' times may have moved. One query per kind of fact, never one per
council: start-up with a national database (1,135 councils) must stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.clock import from_db
from bot.domain.models import CouncilKind
from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class CouncilFacts:
    council_id: int
    province_id: int
    province_name: str
    timezone: str
    kind: CouncilKind
    name: str
    # The population the statutory calendar counts: the province's for the sub-commission
    # (Art. 6(9), taken from the provincial council, which the secretariat keeps current).
    foreign_population: int
    border: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SecretariatSeat:
    council_id: int
    person_id: int
    telegram_user_id: int


class ReminderFactsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def councils(self, council_ids: Sequence[int] | None = None) -> list[CouncilFacts]:
        where = ""
        params: list[int] = []
        if council_ids is not None:
            if not council_ids:
                return []
            where = f" AND c.id IN ({','.join('?' * len(council_ids))})"
            params = list(council_ids)
        rows = await self.db.fetchall(
            "SELECT c.id, c.province_id, p.name AS province_name, p.timezone, c.kind,"
            " CASE c.kind WHEN 'district' THEN c.district ELSE p.name END AS name,"
            " CASE c.kind WHEN 'subcommission' THEN COALESCE(pc.foreign_population,"
            " c.foreign_population) ELSE c.foreign_population END AS population,"
            " c.border, c.created_at FROM council c JOIN province p ON p.id = c.province_id"
            " LEFT JOIN council pc ON pc.province_id = c.province_id AND pc.kind = 'provincial'"
            " AND pc.removed_at IS NULL"
            " WHERE c.removed_at IS NULL" + where + " ORDER BY c.id",
            params,
        )
        facts = []
        for r in rows:
            created_at = from_db(r["created_at"])
            assert created_at is not None
            facts.append(CouncilFacts(
                council_id=r["id"], province_id=r["province_id"],
                province_name=r["province_name"], timezone=r["timezone"],
                kind=CouncilKind(r["kind"]), name=r["name"] or "",
                foreign_population=int(r["population"]), border=bool(r["border"]),
                created_at=created_at,
            ))
        return facts

    async def leave_days(self, province_ids: Sequence[int] | None = None) -> dict[int, list[date]]:
        """Every stored leave day, by province."""
        where, params = "", []
        if province_ids is not None:
            if not province_ids:
                return {}
            where = f" WHERE province_id IN ({','.join('?' * len(province_ids))})"
            params = list(province_ids)
        rows = await self.db.fetchall(
            "SELECT province_id, day FROM leave_day" + where + " ORDER BY day", params)
        days: dict[int, list[date]] = {}
        for province_id, day in rows:
            days.setdefault(int(province_id), []).append(date.fromisoformat(day))
        return days

    async def secretariat(self, council_ids: Sequence[int]) -> list[SecretariatSeat]:
        """Active secretariat seats on exactly these councils (who of them receives what is
        the caller's rule)."""
        seats: list[SecretariatSeat] = []
        ids = sorted(set(council_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                "SELECT DISTINCT r.council_id, p.id, p.telegram_user_id FROM role r"
                " JOIN person p ON p.id = r.person_id WHERE r.kind = 'secretariat'"
                f" AND r.valid_to IS NULL AND r.council_id IN ({marks})"
                " ORDER BY r.council_id, p.id",
                chunk,
            )
            seats += [SecretariatSeat(int(r[0]), int(r[1]), int(r[2])) for r in rows]
        return seats

    async def provincial_council_ids(self, province_ids: Sequence[int]) -> dict[int, int]:
        """The live provincial council of each province."""
        ids = sorted(set(province_ids))
        found: dict[int, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                "SELECT province_id, id FROM council WHERE kind = 'provincial'"
                f" AND removed_at IS NULL AND province_id IN ({marks})",
                chunk,
            )
            found.update({int(r[0]): int(r[1]) for r in rows})
        return found

    async def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever a council, a province or a leave day that reminders depend on is
        added, removed or changed (one aggregate query; cheap enough to run after updates)."""
        row = await self.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM province),"
            " (SELECT TOTAL(LENGTH(timezone)) FROM province),"
            " (SELECT COUNT(*) || ':' || TOTAL(id) || ':' || TOTAL(foreign_population) || ':'"
            "  || TOTAL(border) || ':' || TOTAL(removed_at IS NULL) || ':'"
            "  || COALESCE(MAX(created_at), '') || ':' || COALESCE(MAX(removed_at), '')"
            "  FROM council),"
            " (SELECT COUNT(*) || ':' || TOTAL(id) FROM leave_day)"
        )
        return tuple(row) if row is not None else ()
