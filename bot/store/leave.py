"""Administrative leave days (idari izin) of each province: add, list, remove.

The repository stores days as given; which days of a typed range are worth storing (not a
weekend, not an official holiday) and who may change them is the service's business
(``bot.services.calendar``). Days are ISO text (``YYYY-MM-DD``), which sorts in date order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import aiosqlite

from bot.domain.clock import to_db
from bot.domain.models import LeaveDay
from bot.store.db import Database


def _leave(row: aiosqlite.Row) -> LeaveDay:
    return LeaveDay(day=date.fromisoformat(row["day"]), note=row["note"])


class LeaveRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_days(
        self,
        province_id: int,
        days: Iterable[date],
        note: str,
        created_by: int | None,
        now: datetime,
    ) -> list[date]:
        """Store `days` with one note; return the days that were new (a day already stored
        keeps its first note), in date order."""
        added: list[date] = []
        async with self.db.transaction() as conn:
            for day in sorted(set(days)):
                cursor = await conn.execute(
                    "INSERT INTO leave_day (province_id, day, note, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (province_id, day) DO NOTHING",
                    (province_id, day.isoformat(), note, created_by, to_db(now)),
                )
                if cursor.rowcount:
                    added.append(day)
        return added

    async def days(
        self, province_id: int, start: date | None = None, end: date | None = None
    ) -> list[LeaveDay]:
        """The province's leave days from `start` to `end` (both included, open if None)."""
        rows = await self.db.fetchall(
            "SELECT day, note FROM leave_day WHERE province_id = ? AND day >= ? AND day <= ?"
            " ORDER BY day",
            (
                province_id,
                start.isoformat() if start else "0000-00-00",
                end.isoformat() if end else "9999-99-99",
            ),
        )
        return [_leave(r) for r in rows]

    async def remove_days(self, province_id: int, days: Iterable[date]) -> list[date]:
        """Delete `days`; return those that were stored, in date order."""
        removed: list[date] = []
        async with self.db.transaction() as conn:
            for day in sorted(set(days)):
                cursor = await conn.execute(
                    "DELETE FROM leave_day WHERE province_id = ? AND day = ?",
                    (province_id, day.isoformat()),
                )
                if cursor.rowcount:
                    removed.append(day)
        return removed
