"""Provinces, councils and their institutions."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.domain.clock import to_db
from bot.domain.models import Council, CouncilKind, Institution, Province
from bot.domain.validation import fold
from bot.store.db import Database


def _province(row: aiosqlite.Row) -> Province:
    return Province(id=row["id"], name=row["name"], timezone=row["timezone"])


def _council(row: aiosqlite.Row) -> Council:
    return Council(
        id=row["id"],
        province_id=row["province_id"],
        kind=CouncilKind(row["kind"]),
        name=row["name"],
        foreign_population=row["foreign_population"],
        border=bool(row["border"]),
        parent_id=row["parent_id"],
        district=row["district"],
    )


def _institution(row: aiosqlite.Row) -> Institution:
    return Institution(
        id=row["id"], council_id=row["council_id"], name=row["name"], sort_order=row["sort_order"]
    )


# A council's display name is derived from its province and district, never typed twice.
_COUNCIL_SELECT = """
    SELECT c.*, p.name AS province_name,
           CASE c.kind WHEN 'district' THEN c.district ELSE p.name END AS name
    FROM council c JOIN province p ON p.id = c.province_id
"""


class CouncilRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def province_by_name(self, name: str) -> Province | None:
        row = await self.db.fetchone("SELECT * FROM province WHERE name_key = ?", (fold(name),))
        return _province(row) if row else None

    async def province(self, province_id: int) -> Province | None:
        row = await self.db.fetchone("SELECT * FROM province WHERE id = ?", (province_id,))
        return _province(row) if row else None

    async def provinces(self) -> list[Province]:
        rows = await self.db.fetchall("SELECT * FROM province ORDER BY name_key")
        return [_province(r) for r in rows]

    async def add_province(self, name: str, timezone: str, now: datetime) -> Province:
        pid = await self.db.execute(
            "INSERT INTO province (name, name_key, timezone, created_at) VALUES (?, ?, ?, ?)",
            (name, fold(name), timezone, to_db(now)),
        )
        return Province(id=pid, name=name, timezone=timezone)

    async def add_council(
        self,
        province_id: int,
        kind: CouncilKind,
        now: datetime,
        *,
        foreign_population: int = 0,
        border: bool = False,
        parent_id: int | None = None,
        district: str | None = None,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO council (province_id, kind, parent_id, district, district_key,"
            " foreign_population, border, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                province_id,
                kind.value,
                parent_id,
                district,
                fold(district) if district else None,
                foreign_population,
                int(border),
                to_db(now),
            ),
        )

    async def council(self, council_id: int) -> Council | None:
        row = await self.db.fetchone(
            _COUNCIL_SELECT + " WHERE c.id = ? AND c.removed_at IS NULL", (council_id,)
        )
        return _council(row) if row else None

    async def councils_of_province(self, province_id: int) -> list[Council]:
        rows = await self.db.fetchall(
            _COUNCIL_SELECT + " WHERE c.province_id = ? AND c.removed_at IS NULL"
            " ORDER BY CASE c.kind WHEN 'provincial' THEN 0 WHEN 'subcommission' THEN 1"
            " ELSE 2 END, c.district_key",
            (province_id,),
        )
        return [_council(r) for r in rows]

    async def council_of_kind(self, province_id: int, kind: CouncilKind) -> Council | None:
        row = await self.db.fetchone(
            _COUNCIL_SELECT + " WHERE c.province_id = ? AND c.kind = ? AND c.removed_at IS NULL",
            (province_id, kind.value),
        )
        return _council(row) if row else None

    async def district_by_name(self, province_id: int, name: str) -> Council | None:
        row = await self.db.fetchone(
            _COUNCIL_SELECT + " WHERE c.province_id = ? AND c.kind = 'district'"
            " AND c.district_key = ? AND c.removed_at IS NULL",
            (province_id, fold(name)),
        )
        return _council(row) if row else None

    async def rename_district(self, council_id: int, name: str) -> None:
        await self.db.execute(
            "UPDATE council SET district = ?, district_key = ? WHERE id = ? AND kind = 'district'",
            (name, fold(name), council_id),
        )

    async def remove_council(self, council_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE council SET removed_at = ? WHERE id = ?", (to_db(now), council_id)
        )

    async def add_institutions(
        self, council_id: int, names: list[str] | tuple[str, ...], now: datetime
    ) -> None:
        start = await self.db.fetchone(
            "SELECT COALESCE(MAX(sort_order), 0) FROM institution WHERE council_id = ?",
            (council_id,),
        )
        first = int(start[0]) + 1 if start else 1
        await self.db.executemany(
            "INSERT INTO institution (council_id, name, name_key, sort_order, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(council_id, n, fold(n), first + i, to_db(now)) for i, n in enumerate(names)],
        )

    async def institutions(self, council_id: int) -> list[Institution]:
        rows = await self.db.fetchall(
            "SELECT * FROM institution WHERE council_id = ? AND removed_at IS NULL"
            " ORDER BY sort_order, id",
            (council_id,),
        )
        return [_institution(r) for r in rows]

    async def institution(self, institution_id: int) -> Institution | None:
        row = await self.db.fetchone(
            "SELECT * FROM institution WHERE id = ? AND removed_at IS NULL", (institution_id,)
        )
        return _institution(row) if row else None

    async def institution_by_name(self, council_id: int, name: str) -> Institution | None:
        row = await self.db.fetchone(
            "SELECT * FROM institution WHERE council_id = ? AND name_key = ?"
            " AND removed_at IS NULL",
            (council_id, fold(name)),
        )
        return _institution(row) if row else None

    async def rename_institution(self, institution_id: int, name: str) -> None:
        await self.db.execute(
            "UPDATE institution SET name = ?, name_key = ? WHERE id = ?",
            (name, fold(name), institution_id),
        )

    async def remove_institution(self, institution_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE institution SET removed_at = ? WHERE id = ?", (to_db(now), institution_id)
        )
