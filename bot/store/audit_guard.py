"""The audit guard: no change to the councils' records commits without its audit entry.

Every write transaction is watched (``Database.watchers``): TEMP triggers on each tracked table
note what the transaction wrote, and the trigger on ``audit_log`` whether each new entry has a
``before`` and an ``after``. Just before COMMIT the guard compares: a transaction that wrote a
tracked table without an audit entry, or with one lacking before/after, is a *violation*. It is
logged (a warning, never an error: a missing audit entry must not lose a user's change) and kept
in ``VIOLATIONS``, which the end-to-end tests and the audit tour assert empty.

Not tracked: the audit log itself, the delivery machinery (notices, outbox rows, delivery
states: the engine's bookkeeping, not a person's change) and PTB's conversation state.
A violation names the code that committed it, so that tests can tell the bot's own writes
from their fixtures seeding the store directly (``Violation.by_the_bot``).
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

UNTRACKED = frozenset({
    "audit_log", "notice", "outbox", "recipient_status",
    "ptb_user_data", "ptb_chat_data", "ptb_bot_data", "ptb_callback_data", "ptb_conversation",
})
_WRITES = "audit_guard_write"
_BOT_DIR = str(Path(__file__).resolve().parents[1]) + "/"


@dataclass(frozen=True, slots=True)
class Violation:
    tables: tuple[str, ...]
    reason: str           # "no audit entry" or "audit entry without before/after"
    where: str = ""       # the code that committed it, innermost first
    origin: str = ""      # the file of the innermost frame outside the store: who committed

    @property
    def by_the_bot(self) -> bool:
        """Committed by the bot's own code, not by a test seeding the store directly."""
        return self.origin.startswith(_BOT_DIR)


VIOLATIONS: deque[Violation] = deque(maxlen=200)
class AuditGuard:
    def __init__(self) -> None:
        self._installed_on: aiosqlite.Connection | None = None

    async def _install(self, conn: aiosqlite.Connection) -> None:
        await conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_WRITES}"
                           " (tbl TEXT NOT NULL, complete INTEGER)")
        tables = [r[0] for r in await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            if table in UNTRACKED:
                continue
            for op in ("INSERT", "UPDATE", "DELETE"):
                await conn.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS audit_guard_{table}_{op.lower()}"
                    f" AFTER {op} ON main.{table}"
                    f" BEGIN INSERT INTO {_WRITES} (tbl) VALUES ('{table}'); END")
        await conn.execute(
            "CREATE TEMP TRIGGER IF NOT EXISTS audit_guard_audit_log"
            " AFTER INSERT ON main.audit_log"
            f" BEGIN INSERT INTO {_WRITES} (tbl, complete) VALUES ('audit_log',"
            " json_type(NEW.details, '$.before') IS NOT NULL"
            " AND json_type(NEW.details, '$.after') IS NOT NULL); END")

    async def begun(self, conn: aiosqlite.Connection) -> None:
        # TEMP objects live as long as the connection: install on each new one. Holding the
        # connection keeps its identity from being reused by a later one. The DDL is part of
        # the transaction, so it counts as installed only once a transaction commits.
        if self._installed_on is not conn:
            try:
                await self._install(conn)
            except sqlite3.Error:  # a watcher never costs a user their change
                log.exception("the audit guard could not be installed")

    async def committing(self, conn: aiosqlite.Connection) -> None:
        try:
            rows = await conn.execute_fetchall(
                f"SELECT tbl, MIN(COALESCE(complete, 1)) FROM {_WRITES} GROUP BY tbl")
            if rows:
                await conn.execute(f"DELETE FROM {_WRITES}")
        except sqlite3.Error:
            self._installed_on = None   # install again with the next transaction
            log.warning("the audit guard could not check a transaction", exc_info=True)
            return
        self._installed_on = conn
        if not rows:
            return
        written = {r[0]: r[1] for r in rows}
        audit_complete = written.pop("audit_log", None)
        tables = tuple(sorted(written))
        if audit_complete is None and tables:
            self._report(Violation(tables, "no audit entry", *_caller()))
        elif audit_complete == 0:
            self._report(Violation(tables, "audit entry without before/after", *_caller()))

    @staticmethod
    def _report(violation: Violation) -> None:
        VIOLATIONS.append(violation)
        log.warning("unaudited change to %s: %s (%s)", ", ".join(violation.tables) or "-",
                    violation.reason, violation.where)


def _caller() -> tuple[str, str]:
    """Where the transaction was committed from, outside the store (only on a violation)."""
    frames = [f for f in traceback.extract_stack()
              if "/bot/store/" not in f.filename and "contextlib" not in f.filename
              and "asyncio" not in f.filename]
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                       for f in frames[-3:][::-1])
    return where, frames[-1].filename if frames else ""
