"""End-to-end fixtures: a fake Bot API server on 127.0.0.1 and a province set up through the
real command line, ready for its secretariat to open the first link."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.store import audit_guard
from tests.e2e.harness import cli_env, run_cli_inline, token_from
from tests.fakebot import FakeBotAPI


@pytest.fixture(autouse=True)
def every_change_audited() -> Iterator[None]:
    """Whatever a test drives through the bot, each change it commits carries an audit entry
    with its values before and after (bot/store/audit_guard.py)."""
    audit_guard.VIOLATIONS.clear()
    yield
    assert not bot_violations(), bot_violations()


def bot_violations() -> list[audit_guard.Violation]:
    """Unaudited changes the bot made (a test seeding the store directly is not the bot)."""
    return [v for v in audit_guard.VIOLATIONS if not any("/tests/" in f for f in v.files)]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "kurul.db"


@dataclass
class Province:
    name: str
    token: str
    output: str


@pytest.fixture
async def province(fake: FakeBotAPI, db_path: Path) -> Province:
    code, output = await run_cli_inline(
        ["init", "--province", "Gaziantep", "--foreign-population", "420000"],
        cli_env(fake, db_path),
    )
    assert code == 0, output
    return Province("Gaziantep", token_from(output), output)
