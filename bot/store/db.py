"""The SQLite connection: pragmas, numbered migrations and write transactions.

One ``aiosqlite`` connection per process, in autocommit mode so that every write happens in an
explicit ``BEGIN IMMEDIATE`` transaction (taken at once, so two writers never deadlock on a lock
upgrade). An ``asyncio.Lock`` keeps coroutines from interleaving inside one transaction.
Migrations are ``migrations/NNN_name.sql`` files applied in order, each in its own transaction,
and recorded in ``PRAGMA user_version``; a database newer than the code is refused. Numbers
must increase but may skip one (work on parallel branches reserves numbers; a gap is filled
when that branch is merged).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer version of the bot than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"badly named migration {path.name}")
        migrations.append(
            Migration(int(match.group(1)), match.group(2), path.read_text(encoding="utf-8"))
        )
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions) or any(v < 1 for v in versions):
        raise ValueError(f"migrations must have distinct numbers from 001: {versions}")
    return migrations


class TransactionWatcher(Protocol):
    """Sees every write transaction (not migrations) just after BEGIN and just before COMMIT,
    on the transaction's own connection; the audit guard (``audit_guard.py``) is one."""

    async def begun(self, conn: aiosqlite.Connection) -> None: ...

    async def committing(self, conn: aiosqlite.Connection) -> None: ...


class Database:
    """The open database. Repositories take it and run parameterised SQL through it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._in_transaction = False
        # The task inside the open transaction: only its own nested calls may join it; any
        # other task waits for the lock (else its writes would ride on, and be rolled back
        # with, someone else's transaction).
        self._owner: asyncio.Task[Any] | None = None
        self.watchers: list[TransactionWatcher] = []
        self._migrating = False

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self, migrations: Sequence[Migration] | None = None) -> Database:
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = await aiosqlite.connect(str(self.path), isolation_level=None)
        self._conn.row_factory = aiosqlite.Row
        await self._conn.execute("PRAGMA journal_mode = WAL")
        await self._conn.execute("PRAGMA foreign_keys = ON")
        await self._conn.execute("PRAGMA busy_timeout = 5000")
        await self._conn.execute("PRAGMA synchronous = NORMAL")
        try:
            await self.migrate(load_migrations() if migrations is None else migrations)
        except BaseException:
            await self.close()
            raise
        return self

    async def ensure_open(self) -> Database:
        """Open the database unless it is open already (PTB reads persistence before post_init)."""
        if self._conn is None:
            await self.open()
        return self

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Sequence[Migration]) -> int:
        """Apply the migrations this file lacks; return the resulting version."""
        current = await self.schema_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise DatabaseTooNew(
                f"{self.path} is at schema version {current}, this code knows only {latest}: "
                "upgrade the bot before opening it"
            )
        self._migrating = True
        try:
            return await self._apply(migrations, current)
        finally:
            self._migrating = False

    async def _apply(self, migrations: Sequence[Migration], current: int) -> int:
        for migration in migrations:
            if migration.version <= current:
                continue
            async with self.transaction():
                # executescript would commit on its own; run statement by statement instead.
                for statement in _split_sql(migration.sql):
                    await self.conn.execute(statement)
                await self.conn.execute(f"PRAGMA user_version = {migration.version}")
        return await self.schema_version()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction, ``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on error).

        Nested use joins the outer transaction, so services can compose repository calls.
        """
        task = asyncio.current_task()
        if self._in_transaction and self._owner is task:
            yield self.conn
            return
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            self._in_transaction, self._owner = True, task
            watchers = [] if self._migrating else self.watchers
            try:
                for watcher in watchers:
                    await watcher.begun(self.conn)
                yield self.conn
                for watcher in watchers:
                    await watcher.committing(self.conn)
            except BaseException:
                self._in_transaction, self._owner = False, None
                await self.conn.execute("ROLLBACK")
                raise
            self._in_transaction, self._owner = False, None
            await self.conn.execute("COMMIT")

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement inside a transaction; return lastrowid."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.lastrowid or 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[aiosqlite.Row]:
        # One call on the connection's thread: a write by another task between `execute` and
        # `fetchall` would move the rows under the open cursor (SQLite leaves that undefined).
        return list(await self.conn.execute_fetchall(sql, params))


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, letting SQLite's own parser say where one ends."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in current.splitlines()
    ):
        raise ValueError(f"incomplete statement at the end of a migration: {current.strip()!r}")
    return statements
