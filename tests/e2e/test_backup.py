"""``python -m bot backup``: a consistent copy while the bot runs, restorable as it is; and
``python -m bot check``, the restore's check. The issue's "Done when": a backup taken while a
300-recipient broadcast is being sent by the real ``python -m bot run`` passes
``PRAGMA integrity_check``, is at the current schema version and holds every row committed
before it began (each outbox row as it stood then or further along), and the README's
restore steps bring the bot up on it."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
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


# --- the "Done when": a backup taken while a broadcast runs -------------------------

SECRETARIAT = 8951
RECIPIENTS = 300
FIRST = 50_001
TEXT = "Toplantı gündemi ektedir; görüşlerinizi cuma gününe kadar iletiniz."
# How far each outbox state is along its way; a later read may only find a row further on.
PROGRESS = {"queued": 0, "sending": 1, "sent": 2, "failed": 2, "unreachable": 2, "skipped": 2}


def _snapshot(path: Path) -> tuple[set[int], dict[int, str], set[str]]:
    """People, the broadcast's rows with their states, and notice keys, read from a database
    (the live one through its own read-only connection, or a copy)."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        people = {int(r[0]) for r in conn.execute(
            "SELECT telegram_user_id FROM person WHERE telegram_user_id IS NOT NULL")}
        rows = {int(r[0]): str(r[1]) for r in conn.execute(
            "SELECT o.chat_id, o.state FROM outbox o JOIN notice n ON n.id = o.notice_id"
            " WHERE n.kind = 'broadcast'")}
        notices = {str(r[0]) for r in conn.execute("SELECT key FROM notice")}
    finally:
        conn.close()
    return people, rows, notices


async def test_a_backup_taken_mid_broadcast_restores_everything_committed_before_it(
    fake: FakeBotAPI, db_path: Path, tmp_path: Path
) -> None:
    from bot.domain.clock import SystemClock
    from bot.domain.models import RoleKind
    from bot.store import Store
    from bot.store.db import Database, load_migrations
    from tests import seed
    from tests.e2e.harness import BotProcess, run_cli

    async with Database(db_path) as db:
        store, clock = Store(db), SystemClock()
        seeded = await seed.province(store, clock, "Gaziantep", districts=5)
        await seed.person(store, clock, SECRETARIAT, "Selin Kaya", seeded.provincial_id,
                          RoleKind.SECRETARIAT)
        chats = sorted(await seed.many(store, clock, seeded, RECIPIENTS, FIRST))
    env = cli_env(fake, db_path)
    sec = fake.user(SECRETARIAT, "Selin", language_code="en")
    for tid in chats:
        fake.user(tid, "Kişi", language_code="en")
    fake.enforce_limits(overall_per_sec=30, per_chat_per_sec=1)
    copy = tmp_path / "backups" / "kurul-mid-broadcast.db"

    bot = BotProcess(env)
    await bot.start()
    try:
        await sec.command("broadcast")
        await sec.press("Everyone in Gaziantep", await sec.expect("Who should receive",
                                                                   timeout=30))
        await sec.expect("Type the message")
        await sec.send_text(TEXT)
        await sec.press(f"✅ Send to {RECIPIENTS} people", await sec.expect("Preview"))
        baseline = len(fake.send_times())
        await fake.wait_for(lambda: len(fake.send_times()) >= baseline + 60, timeout=30,
                            what="60 messages of the broadcast")
        people_before, rows_before, notices_before = _snapshot(db_path)
        started, sends_at_start = time.monotonic(), len(fake.send_times())
        code, out, err = await run_cli(["backup", str(copy)], env)  # its own process
        backup_seconds = time.monotonic() - started
        _, rows_after, _ = _snapshot(db_path)
        sent_while_backing_up = len(fake.send_times()) - sends_at_start
    finally:
        stderr = await bot.stop()
    assert code == 0 and "integrity check passed" in out, err
    assert "Traceback" not in stderr, stderr
    sent_before = {c for c, s in rows_before.items() if s == "sent"}
    sent_after = {c for c, s in rows_after.items() if s == "sent"}
    assert len(sent_before) >= 50 and len(sent_after) < RECIPIENTS, (
        "the backup must fall mid-broadcast", len(sent_before), sent_while_backing_up)

    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA user_version").fetchone()[0] == load_migrations()[-1].version
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    finally:
        conn.close()
    people, rows, notices = _snapshot(copy)
    # every row committed before the backup began is in it...
    assert people_before <= people and len(people) == RECIPIENTS + 1
    assert notices_before <= notices
    assert set(rows) == set(rows_before) == set(chats)
    # ...as it stood then or further along, and never further than after the backup
    assert all(PROGRESS[rows_before[c]] <= PROGRESS[rows[c]] <= PROGRESS[rows_after[c]]
               for c in chats)
    sent_in_copy = {c for c, s in rows.items() if s == "sent"}
    assert sent_before <= sent_in_copy <= sent_after
    print("backup mid-broadcast:", {
        "sent_before": len(sent_before), "sent_in_copy": len(sent_in_copy),
        "sent_after": len(sent_after), "sends_while_backing_up": sent_while_backing_up,
        "backup_seconds": round(backup_seconds, 2)})

    # The README's restore, step by step: (the bot is stopped) copy the backup to
    # BOT_DB_PATH, no -wal/-shm beside it, check it, start the bot.
    restored = tmp_path / "restored" / "kurul.db"
    restored.parent.mkdir()
    restored.write_bytes(copy.read_bytes())
    assert os.listdir(restored.parent) == ["kurul.db"]  # no -wal or -shm beside it
    restored_env = cli_env(fake, restored)
    code, out, err = await run_cli(["check"], restored_env)
    assert code == 0 and "integrity check passed" in out, err
    bot = BotProcess(restored_env)
    await bot.start()
    try:
        await sec.command("me")
        await sec.expect("Selin Kaya", timeout=30)
    finally:
        stderr = await bot.stop()
    assert bot.returncode == 0 and "Traceback" not in stderr, stderr


async def test_check_refuses_a_damaged_missing_or_newer_file(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    damaged = tmp_path / "kurul.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4096)
    code, out = await run_cli_inline(["check", str(damaged)], cli_env(fake, damaged))
    assert code == 1 and "error:" in out and "not a readable database" in out
    code, out = await run_cli_inline(["check"], cli_env(fake, tmp_path / "none.db"))
    assert code == 1 and "no database" in out
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    code, out = await run_cli_inline(["check", str(newer)], cli_env(fake, newer))
    assert code == 1 and "newer than this bot" in out and "upgrade the bot" in out
