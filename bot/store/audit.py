"""The audit log: who changed what, and when, with the values before and after. Written in the
same transaction as the change; each entry is scoped to the council and province it is about
(migration 009), derived from its subject, so that a secretariat reads its own scope only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.clock import from_db, to_db
from bot.store.db import Database

# What an erased value reads as in the trail after /forgetme (KVKK).
REDACTED = "[erased]"

# The council and province an entry is about, from its subject "kind:id" (the same mapping
# backfills older entries in migration 009). Each query returns (council_id, province_id).
SCOPE_OF: dict[str, str] = {
    "province": "SELECT NULL, id FROM province WHERE id = ?",
    "council": "SELECT id, province_id FROM council WHERE id = ?",
    "institution": "SELECT c.id, c.province_id FROM institution i"
                   " JOIN council c ON c.id = i.council_id WHERE i.id = ?",
    "invite": "SELECT council_id, province_id FROM invite WHERE id = ?",
    "role": "SELECT c.id, c.province_id FROM role r JOIN council c ON c.id = r.council_id"
            " WHERE r.id = ?",
    # A person's latest role: where they sit now, or sat last.
    "person": "SELECT c.id, c.province_id FROM role r JOIN council c ON c.id = r.council_id"
              " WHERE r.person_id = ? ORDER BY r.valid_to IS NULL DESC, r.id DESC LIMIT 1",
    "meeting": "SELECT c.id, c.province_id FROM meeting m JOIN council c ON c.id = m.council_id"
               " WHERE m.id = ?",
    "proposal": "SELECT c.id, c.province_id FROM proposal p"
                " JOIN council c ON c.id = p.council_id WHERE p.id = ?",
    "notice": "SELECT council_id, province_id FROM notice WHERE id = ?",
    "decision": "SELECT c.id, c.province_id FROM decision d"
                " JOIN council c ON c.id = d.council_id WHERE d.id = ?",
}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject: str
    details: dict[str, Any]
    council_id: int | None = None
    province_id: int | None = None
    actor_name: str | None = None      # the actor's name now ("" once they were forgotten)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which entries: a scope (provinces whole, or single councils), a period, kinds of change
    (action prefixes), one actor."""

    province_ids: Sequence[int] = ()
    council_ids: Sequence[int] = ()
    since: datetime | None = None
    action_prefixes: Sequence[str] = ()
    actor_id: int | None = None


def _entry(r: Any) -> AuditEntry:
    at = from_db(r["at"])
    assert at is not None
    keys = r.keys()
    return AuditEntry(
        r["id"], at, r["actor_id"], r["action"], r["subject"], json.loads(r["details"]),
        r["council_id"] if "council_id" in keys else None,
        r["province_id"] if "province_id" in keys else None,
        r["actor_name"] if "actor_name" in keys else None,
    )


def _where(query: AuditQuery) -> tuple[str, list[Any]]:
    scope = []
    params: list[Any] = []
    if query.province_ids:
        scope.append(f"a.province_id IN ({','.join('?' * len(query.province_ids))})")
        params += list(query.province_ids)
    if query.council_ids:
        scope.append(f"a.council_id IN ({','.join('?' * len(query.council_ids))})")
        params += list(query.council_ids)
    # No scope at all reads nothing: a secretariat always reads within one.
    clauses = [f"({' OR '.join(scope)})" if scope else "0"]
    if query.since is not None:
        clauses.append("a.at >= ?")
        params.append(to_db(query.since))
    if query.action_prefixes:
        clauses.append("(" + " OR ".join("a.action LIKE ?" for _ in query.action_prefixes) + ")")
        params += [prefix + "%" for prefix in query.action_prefixes]
    if query.actor_id is not None:
        clauses.append("a.actor_id = ?")
        params.append(query.actor_id)
    return " AND ".join(clauses), params


def _scrub(value: Any, needles: Sequence[str], exact: Sequence[str]) -> Any:
    if isinstance(value, str):
        if value in exact:
            return REDACTED
        for needle in needles:
            value = value.replace(needle, REDACTED)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles, exact) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles, exact) for k, v in value.items()}
    return value


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        now: datetime,
        action: str,
        subject: str,
        *,
        before: Any,
        after: Any,
        actor_id: int | None = None,
        actor_telegram: int | None = None,
        **details: Any,
    ) -> None:
        """Write one entry: the values ``before`` and ``after`` the change (None before a
        creation, after a removal), required so that no call site can forget them, and any
        further ``details``."""
        details = {"before": before, "after": after, **details}
        async with self.db.transaction():
            council_id, province_id = await self._scope(subject)
            await self.db.execute(
                "INSERT INTO audit_log (at, actor_id, actor_telegram, action, subject, details,"
                " council_id, province_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (to_db(now), actor_id, actor_telegram, action, subject,
                 json.dumps(details, ensure_ascii=False, default=str, sort_keys=True),
                 council_id, province_id),
            )

    async def _scope(self, subject: str) -> tuple[int | None, int | None]:
        kind, _, ident = subject.partition(":")
        sql = SCOPE_OF.get(kind)
        if sql is None or not ident.isdigit():
            return None, None
        row = await self.db.fetchone(sql, (int(ident),))
        return (row[0], row[1]) if row else (None, None)

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
        return [_entry(r) for r in rows]

    async def search(self, query: AuditQuery, limit: int = 100,
                     offset: int = 0) -> list[AuditEntry]:
        """Entries matching ``query``, newest first, with the actor's name of today."""
        where, params = _where(query)
        rows = await self.db.fetchall(
            "SELECT a.*, p.full_name AS actor_name FROM audit_log a"
            " LEFT JOIN person p ON p.id = a.actor_id"
            f" WHERE {where} ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_entry(r) for r in rows]

    async def count(self, query: AuditQuery) -> int:
        where, params = _where(query)
        row = await self.db.fetchone(f"SELECT COUNT(*) FROM audit_log a WHERE {where}", params)
        return int(row[0]) if row else 0

    async def actors(self, query: AuditQuery, limit: int = 20) -> list[tuple[int, str, int]]:
        """Who made the changes ``query`` finds: (person id, name, entries), most active first."""
        where, params = _where(query)
        rows = await self.db.fetchall(
            "SELECT a.actor_id, p.full_name, COUNT(*) AS n FROM audit_log a"
            " JOIN person p ON p.id = a.actor_id"
            f" WHERE {where} GROUP BY a.actor_id ORDER BY n DESC, p.full_name LIMIT ?",
            (*params, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def redact_person(self, person_id: int, full_name: str, phone: str,
                            title: str) -> int:
        """KVKK erasure: the person's name and phone leave every entry's details (anywhere
        they appear), their title leaves the entries about them, and their Telegram id the
        entries they made. Returns how many entries changed."""
        needles = [v for v in (full_name.strip(), phone.strip()) if len(v) >= 2]
        subject = f"person:{person_id}"
        changed = 0
        async with self.db.transaction():
            rows = await self.db.fetchall(
                "SELECT id, subject, details FROM audit_log WHERE subject = ?"
                + "".join(" OR instr(details, ?) > 0" for _ in needles),
                (subject, *needles),
            )
            for r in rows:
                details = json.loads(r["details"])
                exact = [title] if r["subject"] == subject and title.strip() else []
                scrubbed = _scrub(details, needles, exact)
                if scrubbed != details:
                    changed += 1
                    await self.db.execute(
                        "UPDATE audit_log SET details = ? WHERE id = ?",
                        (json.dumps(scrubbed, ensure_ascii=False, default=str, sort_keys=True),
                         r["id"]),
                    )
            await self.db.execute(
                "UPDATE audit_log SET actor_telegram = NULL WHERE actor_id = ?", (person_id,)
            )
        return changed
