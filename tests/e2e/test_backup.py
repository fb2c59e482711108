"""``python -m bot backup``: a consistent copy while the bot runs, restorable as it is."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tests.e2e.conftest import Province
from tests.e2e.harness import cli_env, run_cli_inline, running
from tests.e2e.steps import register
from tests.fakebot import FakeBotAPI


async def test_backup_while_the_bot_writes_restores_to_a_sound_database(
    fake: FakeBotAPI, db_path: Path, province: Province, tmp_path: Path
) -> None:
    user = fake.user(9101, "Ece", language_code="en")
    env = cli_env(fake, db_path)
    async with running(fake, db_path) as bot:
        await register(user, province.token, "Ece Arslan", lang="en")
        assert bot.app is not None
        store, clock = bot.app.runtime.store, bot.app.runtime.clock

        async def writer() -> int:
            for n in range(300):
                await store.audit.record(clock.now(), "test.write", f"row:{n}", before=None,
                                         after={"n": n})
                await asyncio.sleep(0)
            return 300

        task = asyncio.create_task(writer())
        code, out = await run_cli_inline(["backup", str(tmp_path / "copy.db")], env)
        written = await task
    assert code == 0 and "integrity check passed" in out, out
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # everything committed before the backup began is there; the writes are a prefix
    names = [r[0] for r in copy.execute("SELECT full_name FROM person")]
    assert names == ["Ece Arslan"]
    rows = [r[0] for r in copy.execute(
        "SELECT subject FROM audit_log WHERE action = 'test.write' ORDER BY id")]
    assert rows == [f"row:{n}" for n in range(len(rows))] and len(rows) <= written
    copy.close()
    assert not (tmp_path / "copy.db.partial").exists()

    # restore: the copy, put where the bot expects its database, is opened as it is
    restored = tmp_path / "restored" / "kurul.db"
    restored.parent.mkdir()
    restored.write_bytes((tmp_path / "copy.db").read_bytes())
    async with running(fake, restored):
        await user.command("me")
        await user.expect("Ece Arslan")


async def test_backup_of_a_missing_database_is_a_clear_error(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    code, out = await run_cli_inline(["backup", str(tmp_path / "x.db")],
                                     cli_env(fake, tmp_path / "none.db"))
    assert code == 1 and "no database" in out
