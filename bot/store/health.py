"""The database as a health check sees it: can a fresh connection open and read it?

A probe opens its own read-only connection (the bot's long-lived one would keep working on a
file that was deleted or whose volume went away) and reads the schema version and the outbox
backlog. It is synchronous, for a worker thread, and bounded by a short busy timeout.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    schema_version: int
    outbox_queued: int    # waiting to be sent (due now or later)
    outbox_sending: int   # committed as in flight


def probe(path: Path, timeout: float = 2.0) -> DatabaseHealth:
    """Raises ``sqlite3.Error`` (or ``OSError``) when the database cannot be read."""
    if not path.exists():
        raise sqlite3.OperationalError(f"no database file at {path}")
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        counts = dict(conn.execute(
            "SELECT state, count(*) FROM outbox WHERE state IN ('queued', 'sending')"
            " GROUP BY state").fetchall())
    finally:
        conn.close()
    return DatabaseHealth(version, int(counts.get("queued", 0)), int(counts.get("sending", 0)))
