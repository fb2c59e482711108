"""The outbox: notices, one row per recipient, and who Telegram refuses messages to.

This module owns the SQL of the notification engine (migration 003): creating a notice and its
rows idempotently (``ON CONFLICT DO NOTHING`` on the notice key and on (notice, chat)), the
sender's claim query and state transitions, the numbers and names of delivery reports, and the
unreachable-recipient records. What a state means and when to move a row is the sender's
business (``bot.notify.sender``); this module only makes each step one short transaction.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.clock import from_db, to_db
from bot.store.db import Database


class State(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    key: str
    kind: str
    subject: str
    province_id: int | None
    council_id: int | None
    payload: dict[str, Any]
    created_by: int | None
    created_at: datetime
    report_chat_id: int | None
    report_message_id: int | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whom one row goes to: a person's private chat (chat id == their Telegram id), or a
    chat without a person (a council's group), rendered in ``language``."""

    chat_id: int
    person_id: int | None = None
    payload: dict[str, Any] | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A row the sender may send now, with what it needs to render it."""

    id: int
    notice_id: int
    kind: str
    chat_id: int
    person_id: int | None
    language: str | None
    urgent: bool
    late: bool
    attempts: int
    due_at: datetime
    not_before: datetime
    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class NoticeStats:
    notice: Notice
    counts: dict[State, int] = field(default_factory=dict)

    def count(self, state: State) -> int:
        return self.counts.get(state, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pending(self) -> int:
        return self.count(State.QUEUED) + self.count(State.SENDING)

    @property
    def done(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True, slots=True)
class Addressee:
    """A recipient of a notice, by name, with where their row stands."""

    person_id: int | None
    full_name: str
    title: str
    state: State
    reason: str | None


@dataclass(frozen=True, slots=True)
class Unreachable:
    person_id: int
    telegram_user_id: int
    full_name: str
    title: str
    reason: str
    since: datetime


def _notice(row: aiosqlite.Row) -> Notice:
    created_at = from_db(row["created_at"])
    assert created_at is not None
    return Notice(
        id=row["id"],
        key=row["key"],
        kind=row["kind"],
        subject=row["subject"],
        province_id=row["province_id"],
        council_id=row["council_id"],
        payload=json.loads(row["payload"]),
        created_by=row["created_by"],
        created_at=created_at,
        report_chat_id=row["report_chat_id"],
        report_message_id=row["report_message_id"],
        finished_at=from_db(row["finished_at"]),
    )


def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


_ITEM_SELECT = """
    SELECT o.id, o.notice_id, n.kind, o.chat_id, o.person_id,
           COALESCE(p.language, o.language) AS language, o.urgent, o.late,
           o.attempts, o.due_at, o.not_before, o.payload
    FROM outbox o JOIN notice n ON n.id = o.notice_id LEFT JOIN person p ON p.id = o.person_id
"""


def _item(row: aiosqlite.Row) -> Item:
    due_at, not_before = from_db(row["due_at"]), from_db(row["not_before"])
    assert due_at is not None and not_before is not None
    return Item(
        id=row["id"],
        notice_id=row["notice_id"],
        kind=row["kind"],
        chat_id=row["chat_id"],
        person_id=row["person_id"],
        language=row["language"],
        urgent=bool(row["urgent"]),
        late=bool(row["late"]),
        attempts=row["attempts"],
        due_at=due_at,
        not_before=not_before,
        payload=json.loads(row["payload"]) if row["payload"] else None,
    )


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- creating -------------------------------------------------------------------------

    async def add_notice(
        self,
        key: str,
        kind: str,
        subject: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        province_id: int | None = None,
        council_id: int | None = None,
        created_by: int | None = None,
        report_chat_id: int | None = None,
        report_message_id: int | None = None,
    ) -> tuple[Notice, bool]:
        """The notice with this key, created unless it exists; and whether it was created."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO notice (key, kind, subject, province_id, council_id, payload,"
                " created_by, created_at, report_chat_id, report_message_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (key, kind, subject, province_id, council_id, _json(payload), created_by,
                 to_db(now), report_chat_id, report_message_id),
            )
            created = cursor.rowcount == 1
            notice = await self.notice_by_key(key)
        assert notice is not None
        return notice, created

    async def enqueue(
        self,
        notice_id: int,
        recipients: Iterable[Recipient],
        due_at: datetime,
        not_before: datetime,
        now: datetime,
        *,
        urgent: bool = False,
        late: bool = False,
    ) -> int:
        """Queue one row per recipient; a recipient already queued for the notice is left
        alone. Returns how many rows were added."""
        rows = [
            (notice_id, r.person_id, r.chat_id, _json(r.payload), int(urgent), to_db(due_at),
             to_db(not_before), int(late), to_db(now), to_db(now), r.language)
            for r in recipients
        ]
        if not rows:
            return 0
        async with self.db.transaction() as conn:
            before = conn.total_changes
            await conn.executemany(
                "INSERT INTO outbox (notice_id, person_id, chat_id, payload, urgent, due_at,"
                " not_before, late, created_at, updated_at, language)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (notice_id, chat_id) DO NOTHING",
                rows,
            )
            return conn.total_changes - before

    # --- reading notices ------------------------------------------------------------------

    async def notice(self, notice_id: int) -> Notice | None:
        row = await self.db.fetchone("SELECT * FROM notice WHERE id = ?", (notice_id,))
        return _notice(row) if row else None

    async def notice_by_key(self, key: str) -> Notice | None:
        row = await self.db.fetchone("SELECT * FROM notice WHERE key = ?", (key,))
        return _notice(row) if row else None

    async def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of `keys` are notices already (in chunks: SQLite caps bound parameters)."""
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT key FROM notice WHERE key IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    async def set_report_message(self, notice_id: int, chat_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE notice SET report_chat_id = ?, report_message_id = ? WHERE id = ?",
            (chat_id, message_id, notice_id),
        )

    async def live_notices(self) -> list[Notice]:
        """Notices whose progress someone is watching and that are not finished."""
        rows = await self.db.fetchall(
            "SELECT * FROM notice WHERE report_chat_id IS NOT NULL AND finished_at IS NULL"
            " ORDER BY id"
        )
        return [_notice(r) for r in rows]

    async def finish(self, notice_id: int, now: datetime) -> bool:
        """Mark a notice finished; False if it already was (someone else reported it)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notice SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                (to_db(now), notice_id),
            )
            return cursor.rowcount == 1

    async def stats(self, notice_id: int) -> NoticeStats | None:
        notice = await self.notice(notice_id)
        if notice is None:
            return None
        rows = await self.db.fetchall(
            "SELECT state, COUNT(*) FROM outbox WHERE notice_id = ? GROUP BY state",
            (notice_id,),
        )
        return NoticeStats(notice, {State(r[0]): int(r[1]) for r in rows})

    async def recent(
        self,
        council_ids: Sequence[int],
        kinds: Sequence[str],
        limit: int = 10,
    ) -> list[NoticeStats]:
        """The latest notices of these councils and kinds, newest first, with their counts."""
        if not council_ids or not kinds:
            return []
        council_marks = ",".join("?" * len(council_ids))
        kind_marks = ",".join("?" * len(kinds))
        rows = await self.db.fetchall(
            f"SELECT * FROM notice WHERE council_id IN ({council_marks})"
            f" AND kind IN ({kind_marks}) ORDER BY id DESC LIMIT ?",
            (*council_ids, *kinds, limit),
        )
        notices = [_notice(r) for r in rows]
        if not notices:
            return []
        marks = ",".join("?" * len(notices))
        counted = await self.db.fetchall(
            f"SELECT notice_id, state, COUNT(*) FROM outbox WHERE notice_id IN ({marks})"
            " GROUP BY notice_id, state",
            [n.id for n in notices],
        )
        counts: dict[int, dict[State, int]] = {n.id: {} for n in notices}
        for notice_id, state, count in counted:
            counts[notice_id][State(state)] = int(count)
        return [NoticeStats(n, counts[n.id]) for n in notices]

    async def addressees(
        self, notice_id: int, states: Sequence[State], limit: int = 1000
    ) -> list[Addressee]:
        """Recipients of a notice whose rows are in `states`, by name."""
        marks = ",".join("?" * len(states))
        rows = await self.db.fetchall(
            "SELECT o.person_id, COALESCE(p.full_name, '') AS full_name,"
            " COALESCE(p.title, '') AS title, o.state, o.error FROM outbox o"
            " LEFT JOIN person p ON p.id = o.person_id"
            f" WHERE o.notice_id = ? AND o.state IN ({marks}) ORDER BY p.full_name, o.id"
            " LIMIT ?",
            (notice_id, *[s.value for s in states], limit),
        )
        return [Addressee(r["person_id"], r["full_name"], r["title"], State(r["state"]),
                          r["error"]) for r in rows]

    # --- the sender -----------------------------------------------------------------------

    async def recover_in_flight(self, now: datetime) -> list[int]:
        """Queue again what was being sent when the process died (see the migration);
        returns the chats concerned."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT chat_id FROM outbox WHERE state = 'sending'"
            ) as cursor:
                chats = [int(r[0]) for r in await cursor.fetchall()]
            await conn.execute(
                "UPDATE outbox SET state = 'queued', updated_at = ?,"
                " error = 'in flight at a restart' WHERE state = 'sending'",
                (to_db(now),),
            )
        return chats

    async def due(
        self, now: datetime, limit: int = 100, exclude_chats: Iterable[int] = ()
    ) -> list[Item]:
        """Queued rows whose time has come, in due order, except for the chats given."""
        excluded = sorted(set(exclude_chats))[:500]
        where = ""
        if excluded:
            where = f" AND o.chat_id NOT IN ({','.join('?' * len(excluded))})"
        rows = await self.db.fetchall(
            _ITEM_SELECT + " WHERE o.state = 'queued' AND o.not_before <= ?" + where
            + " ORDER BY o.not_before, o.id LIMIT ?",
            (to_db(now), *excluded, limit),
        )
        return [_item(r) for r in rows]

    async def item(self, item_id: int) -> Item | None:
        row = await self.db.fetchone(_ITEM_SELECT + " WHERE o.id = ?", (item_id,))
        return _item(row) if row else None

    async def next_not_before(self) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT MIN(not_before) FROM outbox WHERE state = 'queued'")
        return from_db(row[0]) if row and row[0] else None

    async def _move(
        self, item_id: int, now: datetime, to: State, sets: str = "", params: Sequence[Any] = (),
        *, from_state: State = State.SENDING,
    ) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE outbox SET state = ?, updated_at = ?{sets}"
                " WHERE id = ? AND state = ?",
                (to.value, to_db(now), *params, item_id, from_state.value),
            )
            return cursor.rowcount == 1

    async def mark_sending(self, item_id: int, now: datetime) -> bool:
        """Committed before the HTTP call: a crash after this may send the row once more."""
        return await self._move(item_id, now, State.SENDING, from_state=State.QUEUED)

    async def release(self, item_id: int, now: datetime) -> bool:
        """Back to 'queued' a row the sender holds but has no request in flight for (it was
        waiting to retry when the process was asked to stop)."""
        return await self._move(item_id, now, State.QUEUED)

    async def mark_sent(self, item_id: int, message_id: int, now: datetime) -> bool:
        return await self._move(item_id, now, State.SENT, ", message_id = ?, sent_at = ?",
                                (message_id, to_db(now)))

    async def mark_attempt(self, item_id: int, attempts: int, error: str, now: datetime) -> None:
        """A failed attempt that will be retried: the row stays 'sending'."""
        await self.db.execute(
            "UPDATE outbox SET attempts = ?, error = ?, updated_at = ? WHERE id = ?",
            (attempts, error[:500], to_db(now), item_id),
        )

    async def mark_failed(self, item_id: int, attempts: int, error: str, now: datetime) -> bool:
        return await self._move(item_id, now, State.FAILED, ", attempts = ?, error = ?",
                                (attempts, error[:500]))

    async def mark_skipped(self, item_id: int, reason: str, now: datetime) -> bool:
        return await self._move(item_id, now, State.SKIPPED, ", error = ?", (reason,))

    async def mark_unreachable(
        self, item: Item, reason: str, now: datetime
    ) -> bool:
        """The row is settled as unreachable and the person recorded so; returns True when
        the secretariat has not been told about this person yet."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state = 'unreachable', error = ?, updated_at = ?"
                " WHERE id = ? AND state = 'sending'",
                (reason, to_db(now), item.id),
            )
            if item.person_id is None:
                return False
            return await self._set_unreachable(conn, item.person_id, reason, now)

    async def _set_unreachable(
        self, conn: aiosqlite.Connection, person_id: int, reason: str, now: datetime
    ) -> bool:
        """Record the person as unreachable (since now, unless already); True while the
        secretariat has not been told about this episode yet."""
        await conn.execute(
            "INSERT INTO recipient_status (person_id, unreachable_since, reason, reported_at)"
            " VALUES (?, ?, ?, NULL) ON CONFLICT (person_id) DO UPDATE SET"
            " unreachable_since = COALESCE(unreachable_since, excluded.unreachable_since),"
            " reason = excluded.reason",
            (person_id, to_db(now), reason),
        )
        async with conn.execute(
            "SELECT reported_at FROM recipient_status WHERE person_id = ?", (person_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return row is not None and row[0] is None

    # --- unreachable people ---------------------------------------------------------------

    async def person_unreachable(self, telegram_user_id: int, reason: str, now: datetime) -> bool:
        """Telegram told us (a my_chat_member update) that this person blocked the bot.
        Nobody is told yet: that happens when a message to them fails."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM person WHERE telegram_user_id = ?", (telegram_user_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return False
            return await self._set_unreachable(conn, row[0], reason, now)

    async def mark_reported(self, person_ids: Iterable[int], now: datetime) -> None:
        await self.db.executemany(
            "UPDATE recipient_status SET reported_at = ? WHERE person_id = ?"
            " AND unreachable_since IS NOT NULL AND reported_at IS NULL",
            [(to_db(now), pid) for pid in person_ids],
        )

    async def reachable_again(self, telegram_user_id: int) -> bool:
        """The person wrote to the bot or a message reached them: forget they were
        unreachable, so a later refusal is reported anew. True if they were unreachable."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE recipient_status SET unreachable_since = NULL, reason = NULL,"
                " reported_at = NULL WHERE unreachable_since IS NOT NULL AND person_id ="
                " (SELECT id FROM person WHERE telegram_user_id = ?)",
                (telegram_user_id,),
            )
            return cursor.rowcount == 1

    async def unreachable_telegram_ids(self) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT p.telegram_user_id FROM recipient_status s JOIN person p ON p.id ="
            " s.person_id WHERE s.unreachable_since IS NOT NULL"
        )
        return {int(r[0]) for r in rows}

    async def unreachable(self, person_ids: Sequence[int]) -> list[Unreachable]:
        """Those of `person_ids` who are unreachable now, by name."""
        found: list[Unreachable] = []
        for start in range(0, len(person_ids), 500):
            chunk = list(person_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                "SELECT p.id, p.telegram_user_id, p.full_name, p.title, s.reason,"
                " s.unreachable_since FROM recipient_status s JOIN person p ON p.id ="
                f" s.person_id WHERE s.unreachable_since IS NOT NULL AND p.id IN ({marks})",
                chunk,
            )
            for r in rows:
                since = from_db(r["unreachable_since"])
                assert since is not None
                found.append(Unreachable(r["id"], r["telegram_user_id"], r["full_name"],
                                         r["title"], r["reason"] or "", since))
        return sorted(found, key=lambda u: (u.full_name, u.person_id))

    # --- audiences ------------------------------------------------------------------------

    async def province_people(self, province_id: int) -> list[tuple[int, int, str]]:
        """(person id, Telegram id, name) of everyone holding an active role on a council of
        the province, once each."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT p.id, p.telegram_user_id, p.full_name FROM role r"
            " JOIN council c ON c.id = r.council_id JOIN person p ON p.id = r.person_id"
            " WHERE c.province_id = ? AND c.removed_at IS NULL AND r.valid_to IS NULL"
            " ORDER BY p.id",
            (province_id,),
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]
