"""Crash safety (issue #4, 4): ``python -m bot run`` killed with SIGKILL in the middle of a
300-recipient broadcast, with Telegram faults injected, then restarted.

Asserted: zero recipients lost; duplicates at most one per recipient and only for rows that
were in flight ('sending') at the kill; no chat above 1 message/s; never above 30/s overall (the
fake server enforces Telegram's limits and answers 429 beyond them: the only 429s served to
recipients are the injected ones). Runs at Telegram's real rates (25/s): ~20 s.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from bot.domain.clock import SystemClock
from bot.domain.models import RoleKind
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.harness import BotProcess, cli_env, run_cli_inline
from tests.fakebot import FakeBotAPI, Fault

SECRETARIAT = 8901
RECIPIENTS = 300
FIRST = 30_001
TEXT = "Olağanüstü kurul toplantısı yarın saat 10:00'da yapılacaktır. Katılımınız önemlidir."


async def _seed(db_path: Path) -> list[int]:
    async with Database(db_path) as db:
        store = Store(db)
        clock = SystemClock()
        found = await store.councils.province_by_name("Gaziantep")
        assert found is not None
        from bot.services import setup

        councils = await store.councils.councils_of_province(found.id)
        seeded = seed.Seeded(found.id, councils[0].id, councils[1].id)
        for n in range(5):
            district = await setup.add_district(store, clock, found.id, f"İlçe {n + 1}",
                                                3000 + n, False)
            seeded.districts.append(district.id)
        await seed.person(store, clock, SECRETARIAT, "Selin Kaya", seeded.provincial_id,
                          RoleKind.SECRETARIAT)
        people = await seed.many(store, clock, seeded, RECIPIENTS, FIRST, language="en")
    return sorted(people)


async def _rows(db_path: Path, state: str) -> set[int]:
    async with Database(db_path) as db:
        rows = await db.fetchall(
            "SELECT o.chat_id FROM outbox o JOIN notice n ON n.id = o.notice_id"
            " WHERE n.kind = 'broadcast' AND o.state = ?", (state,))
    return {int(r[0]) for r in rows}


async def test_kill_9_mid_broadcast_loses_nobody_and_duplicates_only_what_was_in_flight(
    fake: FakeBotAPI, db_path: Path, tmp_path: Path
) -> None:
    env = cli_env(fake, db_path)
    code, out = await run_cli_inline(
        ["init", "--province", "Gaziantep", "--foreign-population", "420000"], env)
    assert code == 0, out
    chats = await _seed(db_path)
    sec = fake.user(SECRETARIAT, "Selin", language_code="en")
    blocked, never, gone = chats[10:20], chats[40:45], chats[200:203]
    users = {}
    for tid in chats:
        users[tid] = (fake.never_started(tid, "Kişi", language_code="en") if tid in never
                      else fake.user(tid, "Kişi", language_code="en"))
    for tid in blocked:
        fake.block(tid)
    for tid in gone:
        fake.deactivate(tid)
    reachable = [c for c in chats if c not in {*blocked, *never, *gone}]
    # Faults before and after the kill: 5xx, dropped connections, flood control.
    for tid in chats[0:150:15]:
        fake.fail_next("sendMessage", Fault("server_error", status=500), chat_id=tid)
    for tid in chats[5:300:50]:
        fake.fail_next("sendMessage", Fault("server_error", status=502), times=2, chat_id=tid)
    for tid in chats[7:300:60]:
        fake.fail_next("sendMessage", Fault("network"), chat_id=tid)
    injected_429 = [chats[30], chats[250]]
    for tid in injected_429:
        fake.fail_next("sendMessage", Fault("retry_after", retry_after=1), chat_id=tid)
    fake.enforce_limits(overall_per_sec=30, per_chat_per_sec=1)

    started = time.monotonic()
    bot = BotProcess(env)
    await bot.start()
    try:
        await sec.command("broadcast")
        await sec.press("Everyone in Gaziantep",
                        await sec.expect("Who should receive", timeout=30))
        await sec.expect("Type the message")
        await sec.send_text(TEXT)
        preview = await sec.expect("Preview")
        assert f"— {RECIPIENTS} people" in (preview.text or "")
        await sec.press(f"✅ Send to {RECIPIENTS} people", preview)
        baseline = len(fake.send_times())
        await fake.wait_for(lambda: len(fake.send_times()) >= baseline + 120, timeout=30,
                            what="120 messages of the broadcast")
    finally:
        stderr = await bot.stop(signal.SIGKILL)
    killed_at = len(fake.send_times()) - baseline
    in_flight = await _rows(db_path, "sending")
    sent_before = await _rows(db_path, "sent")
    assert "Traceback" not in stderr, stderr
    assert 0 < len(sent_before) < len(reachable), "the kill must fall mid-broadcast"

    bot = BotProcess(env)
    await bot.start()
    try:
        report = await sec.expect("Delivery report", timeout=40)
    finally:
        stderr = await bot.stop()
    elapsed = time.monotonic() - started
    assert "Traceback" not in stderr, stderr

    received = {tid: len([m for m in users[tid].messages() if TEXT in (m.text or "")])
                for tid in chats}
    lost = [tid for tid in reachable if received[tid] == 0]
    duplicated = {tid: n for tid, n in received.items() if n > 1}
    per_chat = max(fake.max_rate(1.0, tid) for tid in chats)
    overall = fake.max_rate(1.0)
    limit_429 = [c for c in fake.calls("sendMessage") if c.error_code == 429
                 and c.chat_id in chats and c.chat_id not in injected_429]
    figures = {
        "recipients": RECIPIENTS, "reachable": len(reachable), "killed_after_sends": killed_at,
        "in_flight_at_kill": len(in_flight), "lost": len(lost),
        "duplicated": len(duplicated), "max_copies": max(received.values()),
        "max_per_chat_1s": per_chat, "max_overall_1s": overall,
        "429_served": fake.served_429, "429_beyond_injected": len(limit_429),
        "seconds": round(elapsed, 1),
    }
    (tmp_path / "crash.json").write_text(json.dumps(figures))
    print("crash test:", json.dumps(figures))

    assert lost == []
    assert all(received[tid] == 0 for tid in chats if tid not in reachable)
    assert max(received.values()) <= 2
    assert set(duplicated) <= in_flight, (duplicated, in_flight)
    assert per_chat <= 1
    assert overall <= 30
    assert limit_429 == []
    text = report.text or ""
    assert f"Delivered to {len(reachable)} of {RECIPIENTS} people." in text
    assert f"Not reachable ({len(blocked) + len(never) + len(gone)}):" in text
    final = fake.message(SECRETARIAT, preview.message_id)
    assert "✅ Sent" in (final.text or "")
