"""Shared fixtures: a store on a temporary SQLite file with migrations applied from zero, and a
clock that moves only when told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.clock import ManualClock
from bot.store import Store
from bot.store.db import Database


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
