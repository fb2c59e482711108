"""Council groups: the Telegram groups the bot is in, and the one group a council announces in.

This module owns the SQL of migration 010: recording that the bot was added to or left a group
(and following a group that became a supergroup), linking a group to a council (one group per
council and one council per group; linking again replaces), and finding the meeting and agenda
notices that a linked group has not been given its announcement of yet. What may be linked by
whom is ``bot.services.groups``'s business.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.clock import from_db, to_db
from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class BotGroup:
    chat_id: int
    kind: str
    title: str
    added_by: int | None       # a Telegram user id
    added_at: datetime
    left_at: datetime | None

    @property
    def present(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True, slots=True)
class CouncilGroup:
    council_id: int
    chat_id: int
    title: str
    linked_by: int | None      # a person id
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class Unannounced:
    """A notice to members whose group counterpart may be due (``bot.notify.group_kinds``)."""

    notice_id: int
    key: str
    kind: str
    council_id: int
    province_id: int | None
    payload: dict[str, object]
    created_at: datetime
    chat_id: int


def _group(row: aiosqlite.Row) -> BotGroup:
    added_at = from_db(row["added_at"])
    assert added_at is not None
    return BotGroup(row["chat_id"], row["kind"], row["title"], row["added_by"], added_at,
                    from_db(row["left_at"]))


def _link(row: aiosqlite.Row) -> CouncilGroup:
    linked_at = from_db(row["linked_at"])
    assert linked_at is not None
    return CouncilGroup(row["council_id"], row["chat_id"], row["title"], row["linked_by"],
                        linked_at)


_LINK_SELECT = (
    "SELECT l.council_id, l.chat_id, l.linked_by, l.linked_at, g.title FROM council_group l"
    " JOIN bot_group g ON g.chat_id = l.chat_id"
)


class GroupRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- the bot in groups ----------------------------------------------------------------

    async def added(self, chat_id: int, kind: str, title: str, added_by: int | None,
                    now: datetime) -> BotGroup:
        await self.db.execute(
            "INSERT INTO bot_group (chat_id, kind, title, added_by, added_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind,"
            " title = excluded.title, added_by = excluded.added_by,"
            " added_at = excluded.added_at, left_at = NULL",
            (chat_id, kind, title, added_by, to_db(now)),
        )
        found = await self.group(chat_id)
        assert found is not None
        return found

    async def group(self, chat_id: int) -> BotGroup | None:
        row = await self.db.fetchone("SELECT * FROM bot_group WHERE chat_id = ?", (chat_id,))
        return _group(row) if row else None

    async def left(self, chat_id: int, now: datetime) -> CouncilGroup | None:
        """The bot is out of the group: its link ends. Returns the link that ended."""
        async with self.db.transaction() as conn:
            link = await self._link_of_chat(chat_id)
            await conn.execute("DELETE FROM council_group WHERE chat_id = ?", (chat_id,))
            await conn.execute(
                "UPDATE bot_group SET left_at = ? WHERE chat_id = ? AND left_at IS NULL",
                (to_db(now), chat_id))
        return link

    async def migrated(self, old_chat_id: int, new_chat_id: int, title: str,
                       now: datetime) -> CouncilGroup | None:
        """The group became a supergroup with a new id: the bot and the link follow it.
        Idempotent (both the old and the new chat report the move). Returns the link now."""
        async with self.db.transaction() as conn:
            old = await self.group(old_chat_id)
            if old is None:
                return await self._link_of_chat(new_chat_id)
            await conn.execute(
                "INSERT INTO bot_group (chat_id, kind, title, added_by, added_at)"
                " VALUES (?, 'supergroup', ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
                " left_at = NULL",
                (new_chat_id, title or old.title, old.added_by, to_db(old.added_at)),
            )
            await conn.execute("UPDATE council_group SET chat_id = ? WHERE chat_id = ?",
                               (new_chat_id, old_chat_id))
            await conn.execute(
                "UPDATE bot_group SET left_at = ? WHERE chat_id = ? AND left_at IS NULL",
                (to_db(now), old_chat_id))
        return await self._link_of_chat(new_chat_id)

    async def waiting(self, added_by: int) -> list[BotGroup]:
        """Groups this Telegram user added the bot to that the bot is in and are not linked."""
        rows = await self.db.fetchall(
            "SELECT g.* FROM bot_group g WHERE g.added_by = ? AND g.left_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM council_group l WHERE l.chat_id = g.chat_id)"
            " ORDER BY g.added_at, g.chat_id",
            (added_by,),
        )
        return [_group(r) for r in rows]

    # --- links ----------------------------------------------------------------------------

    async def link(self, council_id: int, chat_id: int, person_id: int | None,
                   now: datetime) -> tuple[CouncilGroup | None, CouncilGroup | None]:
        """Link; returns what it replaced: (the council's earlier group, the group's earlier
        council)."""
        async with self.db.transaction() as conn:
            before_council = await self.of_council(council_id)
            before_chat = await self._link_of_chat(chat_id)
            await conn.execute("DELETE FROM council_group WHERE council_id = ? OR chat_id = ?",
                               (council_id, chat_id))
            await conn.execute(
                "INSERT INTO council_group (council_id, chat_id, linked_by, linked_at)"
                " VALUES (?, ?, ?, ?)", (council_id, chat_id, person_id, to_db(now)))
        replaced = before_council if before_council and before_council.chat_id != chat_id \
            else None
        moved = before_chat if before_chat and before_chat.council_id != council_id else None
        return replaced, moved

    async def unlink(self, council_id: int) -> CouncilGroup | None:
        async with self.db.transaction() as conn:
            link = await self.of_council(council_id)
            await conn.execute("DELETE FROM council_group WHERE council_id = ?", (council_id,))
        return link

    async def of_council(self, council_id: int) -> CouncilGroup | None:
        row = await self.db.fetchone(_LINK_SELECT + " WHERE l.council_id = ?", (council_id,))
        return _link(row) if row else None

    async def _link_of_chat(self, chat_id: int) -> CouncilGroup | None:
        row = await self.db.fetchone(_LINK_SELECT + " WHERE l.chat_id = ?", (chat_id,))
        return _link(row) if row else None

    async def of_councils(self, council_ids: Sequence[int]) -> dict[int, CouncilGroup]:
        if not council_ids:
            return {}
        marks = ",".join("?" * len(council_ids))
        rows = await self.db.fetchall(
            _LINK_SELECT + f" WHERE l.council_id IN ({marks})", list(council_ids))
        return {r["council_id"]: _link(r) for r in rows}

    # --- announcements --------------------------------------------------------------------

    async def unannounced(self, kinds: Sequence[str], since: datetime) -> list[Unannounced]:
        """Notices of these kinds, created since `since` and not before their council's group
        was linked, paired with that group, whose group copy does not exist yet."""
        if not kinds:
            return []
        marks = ",".join("?" * len(kinds))
        rows = await self.db.fetchall(
            "SELECT n.id, n.key, n.kind, n.council_id, n.province_id, n.payload, n.created_at,"
            " l.chat_id FROM notice n JOIN council_group l ON l.council_id = n.council_id"
            f" WHERE n.kind IN ({marks}) AND n.created_at >= ? AND n.created_at >= l.linked_at"
            # The group's copy is keyed group:<chat>:<key> (bot.notify.group_kinds).
            " AND NOT EXISTS (SELECT 1 FROM notice c WHERE c.key ="
            " 'group:' || l.chat_id || ':' || n.key) ORDER BY n.id",
            (*kinds, to_db(since)),
        )
        found = []
        for r in rows:
            created = from_db(r["created_at"])
            assert created is not None
            found.append(Unannounced(r["id"], r["key"], r["kind"], r["council_id"],
                                     r["province_id"], json.loads(r["payload"]), created,
                                     r["chat_id"]))
        return found

    async def told_of(self, chat_id: int, subject: str, kind: str) -> bool:
        """Whether this group was given a notice of this kind about `subject` already."""
        row = await self.db.fetchone(
            "SELECT 1 FROM notice n JOIN outbox o ON o.notice_id = n.id"
            " WHERE n.kind = ? AND n.subject = ? AND o.chat_id = ? LIMIT 1",
            (kind, subject, chat_id),
        )
        return row is not None
