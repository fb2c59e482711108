"""Shared fixtures: a store on a temporary SQLite file with migrations applied from zero, a
clock that moves only when told, and, for every test, the audit guard's verdict."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.clock import ManualClock
from bot.store import Store, audit_guard
from bot.store.db import Database


@pytest.fixture(autouse=True)
def every_change_audited() -> Iterator[None]:
    """Whatever a test drives through the bot's code, each change it commits carries an audit
    entry with its values before and after (bot/store/audit_guard.py). A test seeding the store
    directly is not the bot and is not held to it."""
    audit_guard.VIOLATIONS.clear()
    yield
    by_the_bot = [v for v in audit_guard.VIOLATIONS if v.by_the_bot]
    assert not by_the_bot, by_the_bot


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    db = Database(tmp_path / "kurul.db")
    await db.open()
    try:
        yield Store(db)
    finally:
        await db.close()
