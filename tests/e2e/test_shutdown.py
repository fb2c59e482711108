"""SIGTERM (issue 8, item 5) against the real ``python -m bot run``: the update in hand is
finished, the sender takes nothing new, what is in flight settles, and nothing is lost or sent
twice across the restart.

1. SIGTERM while the secretariat's "Send" press is being handled (its first Bot API call is
   held by the fake server): the broadcast is still committed, the preview still becomes
   "Queued for ...", the press is confirmed to Telegram (not handled again at the restart),
   the process exits 0, and no row has gone out or is left 'sending'.
2. Restarted, the sender works through the broadcast; SIGTERM again while several sends are
   held in flight and a /help is being answered slowly: the reply goes out, the sends in
   flight complete and are recorded 'sent', no new send starts, the rest stays 'queued'.
3. Restarted again: the delivery report comes, every recipient has the message exactly once.
"""

from __future__ import annotations

from pathlib import Path

from bot.domain.clock import SystemClock
from bot.domain.models import RoleKind
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.harness import BotProcess, cli_env
from tests.fakebot import FakeBotAPI, Fault

SECRETARIAT = 8801
RECIPIENTS = 60
FIRST = 40_001
TEXT = "Kurul toplantısı ertelendi; yeni tarih ayrıca bildirilecektir."


async def _seed(db_path: Path) -> list[int]:
    async with Database(db_path) as db:
        store, clock = Store(db), SystemClock()
        seeded = await seed.province(store, clock, "Gaziantep", districts=1)
        await seed.person(store, clock, SECRETARIAT, "Selin Kaya", seeded.provincial_id,
                          RoleKind.SECRETARIAT)
        people = await seed.many(store, clock, seeded, RECIPIENTS, FIRST)
    return sorted(people)


async def _states(db_path: Path) -> dict[str, set[int]]:
    async with Database(db_path) as db:
        rows = await db.fetchall(
            "SELECT o.state, o.chat_id FROM outbox o JOIN notice n ON n.id = o.notice_id"
            " WHERE n.kind = 'broadcast'")
    states: dict[str, set[int]] = {}
    for state, chat in rows:
        states.setdefault(str(state), set()).add(int(chat))
    return states


async def test_sigterm_finishes_the_update_in_hand_and_loses_or_repeats_nothing(
    fake: FakeBotAPI, db_path: Path
) -> None:
    chats = await _seed(db_path)
    env = cli_env(fake, db_path)
    sec = fake.user(SECRETARIAT, "Selin", language_code="en")
    users = {tid: fake.user(tid, "Kişi", language_code="en") for tid in chats}

    def received(tid: int) -> int:
        return len([m for m in users[tid].messages() if TEXT in (m.text or "")])

    # 1. SIGTERM in the middle of the "Send" press's handler.
    bot = BotProcess(env)
    await bot.start()
    try:
        await sec.command("broadcast")
        await sec.press("Everyone in Gaziantep",
                        await sec.expect("Who should receive", timeout=30))
        await sec.expect("Type the message")
        await sec.send_text(TEXT)
        preview = await sec.expect("Preview")
        fake.fail_next("answerCallbackQuery", Fault("slow", delay=1.5))
        await sec.press(f"✅ Send to {RECIPIENTS} people", preview)
        await fake.wait_for(
            lambda: any(c.ok is None for c in fake.calls("answerCallbackQuery")),
            what="the press's handler to be in its slow call")
    finally:
        stderr = await bot.stop()
    assert bot.returncode == 0 and "Traceback" not in stderr, stderr
    # the handler's own reply went out (the progress reporter may have edited it since)
    assert [c for c in fake.calls("editMessageText") if c.ok
            and f"Queued for {RECIPIENTS} people" in str(c.params.get("text"))]
    assert fake.pending_updates == 0  # the press was confirmed: not handled twice
    states = await _states(db_path)
    assert states == {"queued": set(chats)}, {k: len(v) for k, v in states.items()}
    assert all(received(tid) == 0 for tid in chats)

    # 2. SIGTERM while the sender has messages in flight and a slow /help is in hand.
    held = chats[30:]
    for tid in held:
        fake.fail_next("sendMessage", Fault("slow", delay=1.0), chat_id=tid)

    def broadcast_calls() -> list[int]:
        return [int(c.chat_id) for c in fake.calls("sendMessage")  # type: ignore[arg-type]
                if c.chat_id in users]

    bot = BotProcess(env)
    await bot.start()
    try:
        await fake.wait_for(lambda: any(tid in held for tid in broadcast_calls()),
                            timeout=30, what="the held sends to begin")
        fake.fail_next("sendMessage", Fault("slow", delay=3.0), chat_id=SECRETARIAT)
        await sec.command("help")
        await fake.wait_for(lambda: any(c.ok is None and c.chat_id == SECRETARIAT
                                        for c in fake.calls("sendMessage")),
                            what="the /help reply to be in flight")
        before_signal = broadcast_calls()
    finally:
        stderr = await bot.stop()
    assert bot.returncode == 0 and "Traceback" not in stderr, stderr
    after_signal = broadcast_calls()[len(before_signal):]
    # The sender took nothing new while the /help handler was finishing (3 s: without the
    # hold, enough for the whole rest of the broadcast at 25/s); a send or two may have been
    # on their way as the signal landed (one per 40 ms at 25/s).
    assert len(after_signal) <= 3, after_signal
    assert "/start" in (sec.last_message().text or "")  # the reply in hand went out
    states = await _states(db_path)
    assert "sending" not in states  # what was in flight settled
    assert set(before_signal) | set(after_signal) == states["sent"]
    assert states.get("queued"), "the stop must fall mid-broadcast"
    assert all(received(tid) == (1 if tid in states["sent"] else 0) for tid in chats)

    # 3. The rest after the restart, and the report.
    bot = BotProcess(env)
    await bot.start()
    try:
        report = await sec.expect(f"Delivered to {RECIPIENTS} of {RECIPIENTS} people.", timeout=40)
    finally:
        stderr = await bot.stop()
    assert bot.returncode == 0 and "Traceback" not in stderr, stderr
    assert f"Delivered to {RECIPIENTS} of {RECIPIENTS} people." in (report.text or "")
    assert [tid for tid in chats if received(tid) != 1] == []
    assert not [m for m in sec.messages() if "already being sent" in (m.text or "")]
