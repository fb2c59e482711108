"""Online backup of the SQLite database: consistent while the bot keeps writing.

SQLite's backup API copies the database page by page under a read transaction, so the copy is
one committed state even with the bot running in WAL mode. The copy is written beside the
target and renamed into place only once it passes ``PRAGMA integrity_check``: a half-written
backup never stands where a good one is expected. The copy is a single file (journal mode
DELETE), ready to be restored by copying it back while the bot is stopped.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    pages: int
    schema_version: int


def verify(path: Path) -> BackupResult:
    """Check a database file where it stands (a restored copy, before the bot starts on it):
    ``PRAGMA integrity_check``, foreign keys, and its schema version."""
    if not path.exists():
        raise BackupError(f"no database at {path}")
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{path} failed its integrity check: {verdict}")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BackupError(f"{path} has {len(broken)} row(s) pointing at missing rows, "
                              f"the first in table {broken[0][0]}")
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable database: {exc}") from exc
    finally:
        conn.close()
    return BackupResult(path, pages, version)


def backup(source: Path, target: Path, pages_per_step: int = 256) -> BackupResult:
    if not source.exists():
        raise BackupError(f"no database at {source}")
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        # Small steps let the bot's writers in between; SQLite restarts a step if they do.
        src.backup(dst, pages=pages_per_step)
        dst.execute("PRAGMA journal_mode = DELETE")
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check: {verdict}")
        pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        version = int(dst.execute("PRAGMA user_version").fetchone()[0])
    finally:
        dst.close()
        src.close()
    os.replace(partial, target)
    return BackupResult(target, pages, version)
