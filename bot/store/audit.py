"""The audit log: who changed what, and when. Written in the same transaction as the change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.clock import from_db, to_db
from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject: str
    details: dict[str, Any]


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        now: datetime,
        action: str,
        subject: str,
        *,
        actor_id: int | None = None,
        actor_telegram: int | None = None,
        **details: Any,
    ) -> None:
        await self.db.execute(
            "INSERT INTO audit_log (at, actor_id, actor_telegram, action, subject, details)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (to_db(now), actor_id, actor_telegram, action, subject,
             json.dumps(details, ensure_ascii=False, default=str, sort_keys=True)),
        )

    async def entries(
        self,
        subject_prefix: str = "",
        limit: int = 100,
        *,
        actor_id: int | None = None,
        action_prefix: str = "",
        since: datetime | None = None,
    ) -> list[AuditEntry]:
        rows = await self.db.fetchall(
            "SELECT * FROM audit_log WHERE subject LIKE ? AND action LIKE ?"
            " AND (? IS NULL OR actor_id = ?) AND (? IS NULL OR at >= ?)"
            " ORDER BY id DESC LIMIT ?",
            (subject_prefix + "%", action_prefix + "%", actor_id, actor_id,
             to_db(since) if since else None, to_db(since) if since else None, limit),
        )
        result = []
        for r in rows:
            at = from_db(r["at"])
            assert at is not None
            result.append(
                AuditEntry(r["id"], at, r["actor_id"], r["action"], r["subject"],
                           json.loads(r["details"]))
            )
        return result
