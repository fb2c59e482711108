"""Meetings, their invitees, attendance answers, actual attendance, and members marked away.

Plain SQL over migrations 005 and 006; who may change what, and what a change means for the
notices, is ``bot.services.meetings``'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import aiosqlite

from bot.domain.clock import from_db, to_db
from bot.domain.meetings import Answer, CalledBy, MeetingKind, MeetingStatus
from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    council_id: int
    kind: MeetingKind
    called_by: CalledBy | None
    period: str | None
    status: MeetingStatus
    starts_at: datetime
    duration_minutes: int
    place: str
    override_reason: str | None
    sequence: int
    created_by: int | None
    approved_by: int | None
    cancel_reason: str | None
    proposed_by_chair: str | None = None
    noticed_at: datetime | None = None     # the last notice (new or moved) was queued
    checkin_until: datetime | None = None  # attendees may check in themselves until then

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    meeting_id: int
    institution_id: int
    answer: Answer
    excuse: str | None
    deputy_person_id: int | None
    answered_by: int
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class Invitee:
    id: int
    meeting_id: int
    person_id: int | None
    name: str
    organization: str
    title: str
    phone: str


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    id: int
    meeting_id: int
    institution_id: int | None
    person_id: int | None
    institution: str
    title: str
    name: str
    phone: str
    present: bool


def _meeting(row: aiosqlite.Row) -> Meeting:
    starts_at = from_db(row["starts_at"])
    assert starts_at is not None
    return Meeting(
        id=row["id"],
        council_id=row["council_id"],
        kind=MeetingKind(row["kind"]),
        called_by=CalledBy(row["called_by"]) if row["called_by"] else None,
        period=row["period"],
        status=MeetingStatus(row["status"]),
        starts_at=starts_at,
        duration_minutes=row["duration_minutes"],
        place=row["place"],
        override_reason=row["override_reason"],
        sequence=row["sequence"],
        created_by=row["created_by"],
        approved_by=row["approved_by"],
        cancel_reason=row["cancel_reason"],
        proposed_by_chair=row["proposed_by_chair"],
        noticed_at=from_db(row["noticed_at"]),
        checkin_until=from_db(row["checkin_until"]),
    )


class MeetingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        council_id: int,
        kind: MeetingKind,
        status: MeetingStatus,
        starts_at: datetime,
        place: str,
        now: datetime,
        *,
        duration_minutes: int = 120,
        called_by: CalledBy | None = None,
        period: str | None = None,
        override_reason: str | None = None,
        created_by: int | None = None,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO meeting (council_id, kind, called_by, period, status, starts_at,"
            " duration_minutes, place, override_reason, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (council_id, kind.value, called_by.value if called_by else None, period,
             status.value, to_db(starts_at), duration_minutes, place, override_reason,
             created_by, to_db(now), to_db(now)),
        )

    async def get(self, meeting_id: int) -> Meeting | None:
        row = await self.db.fetchone("SELECT * FROM meeting WHERE id = ?", (meeting_id,))
        return _meeting(row) if row else None

    async def of_councils(
        self, council_ids: list[int], since: datetime | None = None, limit: int = 50
    ) -> list[Meeting]:
        if not council_ids:
            return []
        marks = ",".join("?" * len(council_ids))
        rows = await self.db.fetchall(
            f"SELECT * FROM meeting WHERE council_id IN ({marks})"
            " AND (? IS NULL OR starts_at >= ?) ORDER BY starts_at LIMIT ?",
            [*council_ids, to_db(since) if since else None, to_db(since) if since else None,
             limit],
        )
        return [_meeting(r) for r in rows]

    async def past(
        self, council_ids: list[int], before: datetime, limit: int = 10
    ) -> list[Meeting]:
        """The latest meetings that started before `before`, newest first."""
        if not council_ids:
            return []
        marks = ",".join("?" * len(council_ids))
        rows = await self.db.fetchall(
            f"SELECT * FROM meeting WHERE council_id IN ({marks}) AND starts_at < ?"
            " ORDER BY starts_at DESC LIMIT ?",
            [*council_ids, to_db(before), limit],
        )
        return [_meeting(r) for r in rows]

    async def scheduled_between(self, start: datetime, end: datetime) -> list[Meeting]:
        """Approved meetings starting in [start, end), of live councils (for reminders)."""
        rows = await self.db.fetchall(
            "SELECT m.* FROM meeting m JOIN council c ON c.id = m.council_id"
            " WHERE m.status = 'scheduled' AND c.removed_at IS NULL"
            " AND m.starts_at >= ? AND m.starts_at < ? ORDER BY m.starts_at, m.id",
            (to_db(start), to_db(end)),
        )
        return [_meeting(r) for r in rows]

    async def last_place(self, council_id: int) -> str | None:
        row = await self.db.fetchone(
            "SELECT place FROM meeting WHERE council_id = ? AND status != 'cancelled'"
            " ORDER BY created_at DESC, id DESC LIMIT 1", (council_id,))
        return str(row[0]) if row else None

    async def same_day(self, council_id: int, start: datetime, end: datetime,
                       exclude: int | None = None) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM meeting WHERE council_id = ? AND status != 'cancelled'"
            " AND starts_at >= ? AND starts_at < ? AND id IS NOT ?",
            (council_id, to_db(start), to_db(end), exclude),
        )
        return int(row[0]) if row else 0

    async def set_status(self, meeting_id: int, status: MeetingStatus, now: datetime,
                         *, approved_by: int | None = None) -> None:
        await self.db.execute(
            "UPDATE meeting SET status = ?, updated_at = ?,"
            " approved_by = COALESCE(?, approved_by),"
            " approved_at = CASE WHEN ? IS NULL THEN approved_at ELSE ? END WHERE id = ?",
            (status.value, to_db(now), approved_by, approved_by, to_db(now), meeting_id),
        )

    async def move(self, meeting_id: int, starts_at: datetime, place: str, now: datetime,
                   override_reason: str | None) -> None:
        """A new day, time or place: the invitation's SEQUENCE goes up, the UID stays."""
        await self.db.execute(
            "UPDATE meeting SET starts_at = ?, place = ?, sequence = sequence + 1,"
            " override_reason = COALESCE(?, override_reason), updated_at = ? WHERE id = ?",
            (to_db(starts_at), place, override_reason, to_db(now), meeting_id),
        )

    async def cancel(self, meeting_id: int, reason: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE meeting SET status = 'cancelled', cancel_reason = ?, cancelled_at = ?,"
            " sequence = sequence + 1, updated_at = ? WHERE id = ?",
            (reason, to_db(now), to_db(now), meeting_id),
        )

    async def set_chair_proposal(self, meeting_id: int, text: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE meeting SET proposed_by_chair = ?, updated_at = ? WHERE id = ?",
            (text, to_db(now), meeting_id),
        )

    async def set_noticed(self, meeting_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE meeting SET noticed_at = ?, updated_at = ? WHERE id = ?",
            (to_db(now), to_db(now), meeting_id),
        )

    async def set_checkin(self, meeting_id: int, until: datetime | None, now: datetime) -> None:
        await self.db.execute(
            "UPDATE meeting SET checkin_until = ?, updated_at = ? WHERE id = ?",
            (to_db(until) if until else None, to_db(now), meeting_id),
        )

    # --- the council's setting: does the chair approve each meeting? (Art. 11(3)) ----------

    async def chair_approval(self, council_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT chair_approval FROM council WHERE id = ?", (council_id,))
        return bool(row[0]) if row else True

    async def set_chair_approval(self, council_id: int, required: bool) -> None:
        await self.db.execute(
            "UPDATE council SET chair_approval = ? WHERE id = ?", (int(required), council_id))

    # --- invitees -------------------------------------------------------------------------

    async def add_invitee(self, meeting_id: int, now: datetime, *, name: str,
                          person_id: int | None = None, organization: str = "",
                          title: str = "", phone: str = "") -> int:
        return await self.db.execute(
            "INSERT INTO meeting_invitee (meeting_id, person_id, name, organization, title,"
            " phone, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (meeting_id, person_id) DO NOTHING",
            (meeting_id, person_id, name, organization, title, phone, to_db(now)),
        )

    async def invitees(self, meeting_id: int) -> list[Invitee]:
        rows = await self.db.fetchall(
            "SELECT * FROM meeting_invitee WHERE meeting_id = ? ORDER BY id", (meeting_id,)
        )
        return [Invitee(r["id"], r["meeting_id"], r["person_id"], r["name"],
                        r["organization"], r["title"], r["phone"]) for r in rows]

    # --- answers --------------------------------------------------------------------------

    async def answer(self, meeting_id: int, institution_id: int, answer: Answer,
                     answered_by: int, now: datetime, *, excuse: str | None = None,
                     deputy_person_id: int | None = None) -> None:
        """Record an institution's answer; the last one stands."""
        await self.db.execute(
            "INSERT INTO attendance_answer (meeting_id, institution_id, answer, excuse,"
            " deputy_person_id, answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (meeting_id, institution_id) DO UPDATE SET answer = excluded.answer,"
            " excuse = excluded.excuse, deputy_person_id = excluded.deputy_person_id,"
            " answered_by = excluded.answered_by, answered_at = excluded.answered_at",
            (meeting_id, institution_id, answer.value, excuse, deputy_person_id, answered_by,
             to_db(now)),
        )

    async def clear_answers(self, meeting_id: int, institution_id: int | None = None) -> int:
        """Forget answers (all of a meeting, or one institution's); returns how many."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM attendance_answer WHERE meeting_id = ?"
                " AND (? IS NULL OR institution_id = ?)",
                (meeting_id, institution_id, institution_id),
            )
            return cursor.rowcount

    async def answers(self, meeting_id: int) -> dict[int, AnswerRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM attendance_answer WHERE meeting_id = ?", (meeting_id,)
        )
        result = {}
        for r in rows:
            at = from_db(r["answered_at"])
            assert at is not None
            result[r["institution_id"]] = AnswerRow(
                r["meeting_id"], r["institution_id"], Answer(r["answer"]), r["excuse"],
                r["deputy_person_id"], r["answered_by"], at)
        return result

    # --- actual attendance ------------------------------------------------------------------

    async def mark(self, meeting_id: int, now: datetime, *, institution: str, title: str,
                   name: str, phone: str, present: bool = True,
                   institution_id: int | None = None, person_id: int | None = None,
                   marked_by: int | None = None) -> None:
        if person_id is not None:
            await self.db.execute(
                "INSERT INTO attendance (meeting_id, institution_id, person_id, institution,"
                " title, name, phone, present, marked_by, marked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (meeting_id, person_id) WHERE person_id IS NOT NULL"
                " DO UPDATE SET present = excluded.present, marked_by = excluded.marked_by,"
                " marked_at = excluded.marked_at",
                (meeting_id, institution_id, person_id, institution, title, name, phone,
                 int(present), marked_by, to_db(now)),
            )
            return
        await self.db.execute(
            "INSERT INTO attendance (meeting_id, institution_id, person_id, institution, title,"
            " name, phone, present, marked_by, marked_at)"
            " VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, institution_id, institution, title, name, phone, int(present),
             marked_by, to_db(now)),
        )

    async def set_present(self, row_id: int, meeting_id: int, present: bool, now: datetime,
                          marked_by: int | None) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE attendance SET present = ?, marked_by = ?, marked_at = ?"
                " WHERE id = ? AND meeting_id = ?",
                (int(present), marked_by, to_db(now), row_id, meeting_id),
            )
            return cursor.rowcount == 1

    async def attendance(self, meeting_id: int) -> list[AttendanceRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM attendance WHERE meeting_id = ? ORDER BY id", (meeting_id,)
        )
        return [AttendanceRow(r["id"], r["meeting_id"], r["institution_id"], r["person_id"],
                              r["institution"], r["title"], r["name"], r["phone"],
                              bool(r["present"])) for r in rows]


    # --- members marked away (Art. 9(2)) --------------------------------------------------

    async def set_away(self, role_id: int, until: date | None, set_by: int | None,
                       now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO member_away (role_id, until, set_by, set_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (role_id) DO UPDATE SET until = excluded.until,"
            " set_by = excluded.set_by, set_at = excluded.set_at",
            (role_id, until.isoformat() if until else None, set_by, to_db(now)),
        )

    async def clear_away(self, role_id: int) -> None:
        await self.db.execute("DELETE FROM member_away WHERE role_id = ?", (role_id,))

    async def away(self, role_ids: Sequence[int]) -> dict[int, date | None]:
        """Which of these roles are marked away, with the last day (None: open-ended)."""
        if not role_ids:
            return {}
        marks = ",".join("?" * len(role_ids))
        rows = await self.db.fetchall(
            f"SELECT role_id, until FROM member_away WHERE role_id IN ({marks})",
            list(role_ids))
        return {int(r[0]): date.fromisoformat(r[1]) if r[1] else None for r in rows}
