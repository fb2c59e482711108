"""End-to-end fixtures: a fake Bot API server on 127.0.0.1 and a province set up through the
real command line, ready for its secretariat to open the first link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.harness import cli_env, run_cli_inline, token_from
from tests.fakebot import FakeBotAPI


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
