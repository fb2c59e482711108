"""Minutes, their addenda, decisions, responsible institutions and progress reports.

Plain SQL over migration 008; who may change what, and what it means for notices, is
``bot.services.decisions``'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.domain.clock import from_db, to_db
from bot.domain.decisions import Status
from bot.store.db import Database

SECTIONS = ("topics", "problems", "solutions", "evaluation")


@dataclass(frozen=True, slots=True)
class Minutes:
    meeting_id: int
    council_id: int
    topics: str
    problems: str
    solutions: str
    evaluation: str
    participants: int | None
    finalised_at: datetime | None

    @property
    def final(self) -> bool:
        return self.finalised_at is not None


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    meeting_id: int
    council_id: int
    year: int
    sequence: int
    text: str
    rationale: str
    purpose: str
    deadline: date
    institution_ids: tuple[int, ...]

    @property
    def number(self) -> str:
        return f"{self.year}/{self.sequence}"


@dataclass(frozen=True, slots=True)
class Progress:
    id: int
    decision_id: int
    institution_id: int
    status: Status
    reason: str | None
    done_text: str
    filename: str | None
    size: int | None
    reported_by: int | None
    reported_at: datetime


def _minutes(row: aiosqlite.Row) -> Minutes:
    return Minutes(row["meeting_id"], row["council_id"], row["topics"], row["problems"],
                   row["solutions"], row["evaluation"], row["participants"],
                   from_db(row["finalised_at"]))


def _progress(row: aiosqlite.Row) -> Progress:
    at = from_db(row["reported_at"])
    assert at is not None
    return Progress(row["id"], row["decision_id"], row["institution_id"], Status(row["status"]),
                    row["reason"], row["done_text"], row["filename"], row["size"],
                    row["reported_by"], at)


class DecisionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- minutes ---------------------------------------------------------------------------

    async def minutes(self, meeting_id: int) -> Minutes | None:
        row = await self.db.fetchone("SELECT * FROM minutes WHERE meeting_id = ?", (meeting_id,))
        return _minutes(row) if row else None

    async def create_minutes(self, meeting_id: int, council_id: int, sections: dict[str, str],
                             now: datetime) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO minutes (meeting_id, council_id, topics, problems, solutions,"
            " evaluation, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, council_id, *(sections.get(s, "") for s in SECTIONS), to_db(now),
             to_db(now)))

    async def set_section(self, meeting_id: int, section: str, text: str,
                          now: datetime) -> bool:
        if section not in SECTIONS:
            raise ValueError(section)
        changed = await self.db.fetchone("SELECT 1 FROM minutes WHERE meeting_id = ? AND"
                                         " finalised_at IS NULL", (meeting_id,))
        if changed is None:
            return False
        await self.db.execute(f"UPDATE minutes SET {section} = ?, updated_at = ?"
                              " WHERE meeting_id = ? AND finalised_at IS NULL",
                              (text, to_db(now), meeting_id))
        return True

    async def finalise(self, meeting_id: int, participants: int, by: int | None,
                       now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE minutes SET finalised_at = ?, finalised_by = ?, participants = ?,"
                " updated_at = ? WHERE meeting_id = ? AND finalised_at IS NULL",
                (to_db(now), by, participants, to_db(now), meeting_id))
            return cursor.rowcount == 1

    async def add_addendum(self, meeting_id: int, text: str, by: int | None,
                           now: datetime) -> int:
        return await self.db.execute(
            "INSERT INTO minutes_addendum (meeting_id, text, added_by, added_at)"
            " VALUES (?, ?, ?, ?)", (meeting_id, text, by, to_db(now)))

    async def addenda(self, meeting_id: int) -> list[str]:
        rows = await self.db.fetchall("SELECT text FROM minutes_addendum WHERE meeting_id = ?"
                                      " ORDER BY id", (meeting_id,))
        return [r["text"] for r in rows]

    # --- decisions -------------------------------------------------------------------------

    async def add_decision(self, meeting_id: int, council_id: int, year: int, text: str,
                           rationale: str, purpose: str, deadline: date,
                           institution_ids: list[int], now: datetime) -> Decision:
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT COALESCE(MAX(sequence), 0) FROM decision"
                                    " WHERE council_id = ? AND year = ?",
                                    (council_id, year)) as cursor:
                row = await cursor.fetchone()
            sequence = int(row[0] if row else 0) + 1
            cursor = await conn.execute(
                "INSERT INTO decision (meeting_id, council_id, year, sequence, text, rationale,"
                " purpose, deadline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (meeting_id, council_id, year, sequence, text, rationale, purpose,
                 deadline.isoformat(), to_db(now)))
            decision_id = cursor.lastrowid or 0
            await conn.executemany(
                "INSERT INTO decision_institution (decision_id, institution_id) VALUES (?, ?)",
                [(decision_id, i) for i in dict.fromkeys(institution_ids)])
        found = await self.decision(decision_id)
        assert found is not None
        return found

    async def _institutions(self, decision_ids: list[int]) -> dict[int, tuple[int, ...]]:
        if not decision_ids:
            return {}
        marks = ",".join("?" * len(decision_ids))
        rows = await self.db.fetchall(
            f"SELECT * FROM decision_institution WHERE decision_id IN ({marks})"
            " ORDER BY institution_id", decision_ids)
        found: dict[int, list[int]] = {}
        for r in rows:
            found.setdefault(r["decision_id"], []).append(r["institution_id"])
        return {k: tuple(v) for k, v in found.items()}

    async def _decisions(self, rows: list[aiosqlite.Row]) -> list[Decision]:
        institutions = await self._institutions([r["id"] for r in rows])
        return [Decision(r["id"], r["meeting_id"], r["council_id"], r["year"], r["sequence"],
                         r["text"], r["rationale"], r["purpose"],
                         date.fromisoformat(r["deadline"]), institutions.get(r["id"], ()))
                for r in rows]

    async def decision(self, decision_id: int) -> Decision | None:
        rows = await self.db.fetchall("SELECT * FROM decision WHERE id = ?", (decision_id,))
        found = await self._decisions(rows)
        return found[0] if found else None

    async def of_meeting(self, meeting_id: int) -> list[Decision]:
        return await self._decisions(await self.db.fetchall(
            "SELECT * FROM decision WHERE meeting_id = ? ORDER BY year, sequence", (meeting_id,)))

    async def of_councils(self, council_ids: list[int], final_only: bool = True
                          ) -> list[Decision]:
        if not council_ids:
            return []
        marks = ",".join("?" * len(council_ids))
        final = " AND m.finalised_at IS NOT NULL" if final_only else ""
        return await self._decisions(await self.db.fetchall(
            "SELECT d.* FROM decision d JOIN minutes m ON m.meeting_id = d.meeting_id"
            f" WHERE d.council_id IN ({marks}){final}"
            " ORDER BY d.year, d.sequence", council_ids))

    async def all_final(self) -> list[Decision]:
        return await self._decisions(await self.db.fetchall(
            "SELECT d.* FROM decision d JOIN minutes m ON m.meeting_id = d.meeting_id"
            " WHERE m.finalised_at IS NOT NULL ORDER BY d.id"))

    async def remove_decision(self, decision_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM decision_institution WHERE decision_id = ?",
                               (decision_id,))
            await conn.execute("DELETE FROM decision WHERE id = ?", (decision_id,))

    # --- progress --------------------------------------------------------------------------

    async def add_progress(self, decision_id: int, institution_id: int, status: Status,
                           reason: str | None, done_text: str,
                           evidence: tuple[str, str, bytes] | None, by: int | None,
                           now: datetime) -> int:
        filename, mime, content = evidence if evidence else (None, None, None)
        return await self.db.execute(
            "INSERT INTO decision_progress (decision_id, institution_id, status, reason,"
            " done_text, filename, mime_type, size, content, reported_by, reported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (decision_id, institution_id, status.value, reason, done_text, filename, mime,
             len(content) if content is not None else None, content, by, to_db(now)))

    async def latest_progress(self, decision_ids: list[int]
                              ) -> dict[tuple[int, int], Progress]:
        """The latest report of each (decision, institution)."""
        if not decision_ids:
            return {}
        marks = ",".join("?" * len(decision_ids))
        rows = await self.db.fetchall(
            "SELECT * FROM decision_progress WHERE id IN (SELECT MAX(id) FROM decision_progress"
            f" WHERE decision_id IN ({marks}) GROUP BY decision_id, institution_id)",
            decision_ids)
        return {(r["decision_id"], r["institution_id"]): _progress(r) for r in rows}

    async def evidence(self, progress_id: int) -> tuple[str, bytes] | None:
        row = await self.db.fetchone("SELECT filename, content FROM decision_progress"
                                     " WHERE id = ? AND content IS NOT NULL", (progress_id,))
        return (row["filename"], bytes(row["content"])) if row else None
