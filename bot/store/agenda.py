"""Agenda proposals, their attachments and questions, and agenda publications (migration 007).

Plain SQL; who may do what and what it means is ``bot.services.agenda``'s business. A
proposal's target is a meeting or a council's ordinary period: ``for_target`` finds a
meeting's proposals both ways, so proposals made for a period before the meeting was
scheduled belong to it without being copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.agenda import ProposalKind, ProposalStatus, TopicArea
from bot.domain.clock import from_db, to_db
from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    council_id: int
    period: str | None
    meeting_id: int | None
    institution_id: int | None
    area: TopicArea
    kind: ProposalKind
    title: str
    description: str
    status: ProposalStatus
    late: bool
    position: int
    reason: str | None
    merged_into: int | None
    origin_proposal_id: int | None
    origin_council_id: int | None
    created_by: int | None
    submitted_by: int | None
    submitted_at: datetime | None
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    proposal_id: int
    file_unique_id: str
    filename: str
    mime_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    proposal_id: int
    question: str
    asked_at: datetime
    answer: str | None
    answered_by: int | None


def _proposal(row: aiosqlite.Row) -> Proposal:
    return Proposal(
        id=row["id"], council_id=row["council_id"], period=row["period"],
        meeting_id=row["meeting_id"], institution_id=row["institution_id"],
        area=TopicArea(row["area"]), kind=ProposalKind(row["kind"]), title=row["title"],
        description=row["description"], status=ProposalStatus(row["status"]),
        late=bool(row["late"]), position=row["position"], reason=row["reason"],
        merged_into=row["merged_into"], origin_proposal_id=row["origin_proposal_id"],
        origin_council_id=row["origin_council_id"], created_by=row["created_by"],
        submitted_by=row["submitted_by"], submitted_at=from_db(row["submitted_at"]),
        decided_at=from_db(row["decided_at"]),
    )


def _question(row: aiosqlite.Row) -> Question:
    asked = from_db(row["asked_at"])
    assert asked is not None
    return Question(row["id"], row["proposal_id"], row["question"], asked, row["answer"],
                    row["answered_by"])


_TARGET = ("(p.meeting_id = :meeting OR (p.meeting_id IS NULL AND p.council_id = :council"
           " AND p.period IS NOT NULL AND p.period = :period))")


class AgendaRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- proposals --------------------------------------------------------------------------

    async def add(self, *, council_id: int, period: str | None, meeting_id: int | None,
                  institution_id: int | None, area: TopicArea, kind: ProposalKind, title: str,
                  created_by: int | None, now: datetime, description: str = "",
                  status: ProposalStatus = ProposalStatus.DRAFT,
                  origin_proposal_id: int | None = None,
                  origin_council_id: int | None = None) -> int:
        return await self.db.execute(
            "INSERT INTO proposal (council_id, period, meeting_id, institution_id, area, kind,"
            " title, description, status, origin_proposal_id, origin_council_id, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (council_id, period, meeting_id, institution_id, area.value, kind.value, title,
             description, status.value, origin_proposal_id, origin_council_id, created_by,
             to_db(now), to_db(now)),
        )

    async def get(self, proposal_id: int) -> Proposal | None:
        row = await self.db.fetchone("SELECT * FROM proposal WHERE id = ?", (proposal_id,))
        return _proposal(row) if row else None

    async def update(self, proposal_id: int, now: datetime, **fields: Any) -> None:
        """Change plain columns (the service decides which); enums are stored by value."""
        if not fields:
            return
        names = sorted(fields)
        values = [getattr(fields[n], "value", fields[n]) for n in names]
        values = [to_db(v) if isinstance(v, datetime) else v for v in values]
        sets = ", ".join(f"{name} = ?" for name in names)
        await self.db.execute(
            f"UPDATE proposal SET {sets}, updated_at = ? WHERE id = ?",
            [*values, to_db(now), proposal_id],
        )

    async def set_status_if(self, proposal_id: int, expected: Sequence[ProposalStatus],
                            now: datetime, **fields: Any) -> bool:
        """Move a proposal on only from one of the `expected` states (a second tap, or two
        secretaries at once, change nothing); True when this call did it."""
        names = sorted(fields)
        values = [getattr(fields[n], "value", fields[n]) for n in names]
        values = [to_db(v) if isinstance(v, datetime) else v for v in values]
        sets = "".join(f"{name} = ?, " for name in names)
        marks = ",".join("?" * len(expected))
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE proposal SET {sets}updated_at = ? WHERE id = ? AND status IN ({marks})",
                [*values, to_db(now), proposal_id, *[s.value for s in expected]],
            )
            return cursor.rowcount == 1

    async def for_institutions(self, institution_ids: Sequence[int],
                               limit: int = 30) -> list[Proposal]:
        if not institution_ids:
            return []
        marks = ",".join("?" * len(institution_ids))
        rows = await self.db.fetchall(
            f"SELECT * FROM proposal WHERE institution_id IN ({marks})"
            " AND status != 'withdrawn' ORDER BY id DESC LIMIT ?",
            [*institution_ids, limit],
        )
        return [_proposal(r) for r in rows]

    async def for_target(self, council_id: int, meeting_id: int | None, period: str | None,
                         statuses: Sequence[ProposalStatus] | None = None) -> list[Proposal]:
        """A meeting's proposals (or a period's, while no meeting is scheduled), in the
        secretariat's order."""
        where = _TARGET
        params: dict[str, Any] = {"meeting": meeting_id if meeting_id is not None else -1,
                                  "council": council_id, "period": period}
        if statuses is not None:
            names = [f":s{n}" for n in range(len(statuses))]
            where += f" AND p.status IN ({','.join(names)})"
            params.update({f"s{n}": s.value for n, s in enumerate(statuses)})
        rows = await self.db.fetchall(
            f"SELECT p.* FROM proposal p WHERE {where} ORDER BY p.position, p.id", params)
        return [_proposal(r) for r in rows]

    async def institutions_with_proposals(self, council_id: int, meeting_id: int,
                                          period: str | None) -> set[int]:
        rows = await self.db.fetchall(
            f"SELECT DISTINCT p.institution_id FROM proposal p WHERE {_TARGET}"
            " AND p.status NOT IN ('draft', 'withdrawn') AND p.institution_id IS NOT NULL",
            {"meeting": meeting_id, "council": council_id, "period": period})
        return {int(r[0]) for r in rows}

    async def next_position(self, council_id: int, meeting_id: int | None,
                            period: str | None) -> int:
        row = await self.db.fetchone(
            f"SELECT COALESCE(MAX(p.position), 0) + 1 FROM proposal p WHERE {_TARGET}",
            {"meeting": meeting_id if meeting_id is not None else -1, "council": council_id,
             "period": period})
        return int(row[0]) if row else 1

    async def targets_with_pending(self, council_ids: Sequence[int]) -> list[tuple[int, str | None,
                                                                                 int | None]]:
        """(council, period, meeting) of every target with proposals sent and not withdrawn."""
        if not council_ids:
            return []
        marks = ",".join("?" * len(council_ids))
        rows = await self.db.fetchall(
            "SELECT DISTINCT council_id, period, meeting_id FROM proposal"
            f" WHERE council_id IN ({marks}) AND status NOT IN ('draft', 'withdrawn')",
            list(council_ids))
        return [(int(r[0]), r[1], r[2]) for r in rows]

    # --- attachments ------------------------------------------------------------------------

    async def add_attachment(self, proposal_id: int, file_unique_id: str, filename: str,
                             mime_type: str, content: bytes, added_by: int | None,
                             now: datetime) -> bool:
        """Keep a file; the same Telegram file sent twice is kept once. True when added."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO proposal_attachment (proposal_id, file_unique_id, filename,"
                " mime_type, size, content, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (proposal_id, file_unique_id) DO NOTHING",
                (proposal_id, file_unique_id, filename, mime_type, len(content), content,
                 added_by, to_db(now)),
            )
            return cursor.rowcount == 1

    async def attachments(self, proposal_id: int) -> list[Attachment]:
        rows = await self.db.fetchall(
            "SELECT id, proposal_id, file_unique_id, filename, mime_type, size"
            " FROM proposal_attachment WHERE proposal_id = ? ORDER BY id", (proposal_id,))
        return [Attachment(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    async def attachment_content(self, attachment_id: int) -> bytes | None:
        row = await self.db.fetchone(
            "SELECT content FROM proposal_attachment WHERE id = ?", (attachment_id,))
        return bytes(row[0]) if row else None

    async def remove_attachments(self, proposal_id: int) -> None:
        await self.db.execute(
            "DELETE FROM proposal_attachment WHERE proposal_id = ?", (proposal_id,))

    async def copy_attachments(self, source_id: int, target_id: int) -> None:
        await self.db.execute(
            "INSERT INTO proposal_attachment (proposal_id, file_unique_id, filename, mime_type,"
            " size, content, added_by, added_at) SELECT ?, file_unique_id, filename, mime_type,"
            " size, content, added_by, added_at FROM proposal_attachment WHERE proposal_id = ?",
            (target_id, source_id))

    # --- questions --------------------------------------------------------------------------

    async def ask(self, proposal_id: int, question: str, asked_by: int | None,
                  now: datetime) -> int:
        return await self.db.execute(
            "INSERT INTO proposal_question (proposal_id, question, asked_by, asked_at)"
            " VALUES (?, ?, ?, ?)", (proposal_id, question, asked_by, to_db(now)))

    async def question(self, question_id: int) -> Question | None:
        row = await self.db.fetchone(
            "SELECT * FROM proposal_question WHERE id = ?", (question_id,))
        return _question(row) if row else None

    async def questions(self, proposal_id: int) -> list[Question]:
        rows = await self.db.fetchall(
            "SELECT * FROM proposal_question WHERE proposal_id = ? ORDER BY id", (proposal_id,))
        return [_question(r) for r in rows]

    async def answer(self, question_id: int, answer: str, answered_by: int | None,
                     now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE proposal_question SET answer = ?, answered_by = ?, answered_at = ?"
                " WHERE id = ? AND answer IS NULL",
                (answer, answered_by, to_db(now), question_id))
            return cursor.rowcount == 1

    # --- publications -----------------------------------------------------------------------

    async def publish(self, meeting_id: int, published_by: int | None, now: datetime) -> int:
        """Record a publication; returns its version (1 the first, then updates)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM agenda_publication"
                " WHERE meeting_id = ?", (meeting_id,))
            row = await cursor.fetchone()
            version = int(row[0]) if row else 1
            await conn.execute(
                "INSERT INTO agenda_publication (meeting_id, version, published_by,"
                " published_at) VALUES (?, ?, ?, ?)",
                (meeting_id, version, published_by, to_db(now)))
            return version

    async def published_version(self, meeting_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COALESCE(MAX(version), 0) FROM agenda_publication WHERE meeting_id = ?",
            (meeting_id,))
        return int(row[0]) if row else 0
