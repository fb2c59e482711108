"""The store: migrations from zero, refusing a newer database, transactions, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.handlers.persistence import SQLitePersistence
from bot.store import Store
from bot.store.db import Database, DatabaseTooNew, Migration, load_migrations


async def test_migrations_apply_from_zero_and_pragmas_are_set(tmp_path: Path) -> None:
    async with Database(tmp_path / "a.db") as db:
        assert await db.schema_version() == load_migrations()[-1].version
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await db.fetchone("PRAGMA busy_timeout"))[0] == 5000
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
        assert {"province", "council", "institution", "person", "role", "invite",
                "audit_log", "ptb_conversation"} <= tables


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    async with Database(tmp_path / "a.db") as db:
        version = await db.schema_version()
    async with Database(tmp_path / "a.db") as db:
        assert await db.schema_version() == version


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    async with Database(tmp_path / "a.db") as db:
        await db.execute(f"PRAGMA user_version = {load_migrations()[-1].version + 1}")
    with pytest.raises(DatabaseTooNew):
        await Database(tmp_path / "a.db").open()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    broken = [*load_migrations(), Migration(
        load_migrations()[-1].version + 1, "broken",
        "CREATE TABLE half (x INTEGER); SELECT nonsense()"
    )]
    with pytest.raises(Exception, match="nonsense"):
        await Database(tmp_path / "a.db").open(broken)
    async with Database(tmp_path / "a.db") as db:
        assert await db.schema_version() == load_migrations()[-1].version
        assert await db.fetchone("SELECT name FROM sqlite_master WHERE name = 'half'") is None


async def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as conn:
            await conn.execute("INSERT INTO province (name, name_key, created_at)"
                               " VALUES ('X', 'x', '2027-01-01')")
            raise RuntimeError("boom")
    assert await store.councils.provinces() == []


async def test_persistence_round_trip(store: Store) -> None:
    persistence = SQLitePersistence(store.db)
    await persistence.update_conversation("registration", (5, 5), "reg_title")
    await persistence.update_user_data(5, {"lang": "en", "drafts": {"reg": {"name": "Ayşe"}}})
    await persistence.update_bot_data({"k": 1})
    reopened = SQLitePersistence(store.db)
    assert await reopened.get_conversations("registration") == {(5, 5): "reg_title"}
    assert (await reopened.get_user_data())[5]["drafts"]["reg"]["name"] == "Ayşe"
    assert await reopened.get_bot_data() == {"k": 1}
    await persistence.update_conversation("registration", (5, 5), None)
    assert await reopened.get_conversations("registration") == {}
    await persistence.drop_user_data(5)
    assert await reopened.get_user_data() == {}


def test_migration_numbers_may_skip_but_never_repeat(tmp_path: Path) -> None:
    # Parallel branches reserve numbers (this one's 010 may land before another's 009).
    (tmp_path / "001_a.sql").write_text("CREATE TABLE a (x INTEGER);")
    (tmp_path / "003_c.sql").write_text("CREATE TABLE c (x INTEGER);")
    assert [m.version for m in load_migrations(tmp_path)] == [1, 3]
    (tmp_path / "003_d.sql").write_text("CREATE TABLE d (x INTEGER);")
    with pytest.raises(ValueError, match="distinct"):
        load_migrations(tmp_path)
