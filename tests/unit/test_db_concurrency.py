"""The one SQLite connection under concurrent tasks, as the notification sender uses it:
another task's transaction is never joined (nor rolled back with), and a read is never torn by
a write that lands between its steps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.domain.clock import ManualClock
from bot.store import Store
from bot.store.outbox import Recipient, State


async def test_a_rolled_back_transaction_does_not_take_another_tasks_write(
    store: Store, clock: ManualClock
) -> None:
    inside = asyncio.Event()
    release = asyncio.Event()

    async def failing() -> None:
        with pytest.raises(RuntimeError):
            async with store.db.transaction():
                await store.outbox.add_notice("doomed", "broadcast", "x", {}, clock.now())
                inside.set()
                await release.wait()
                raise RuntimeError("rolled back")

    async def other() -> None:
        await inside.wait()
        writing = asyncio.create_task(
            store.outbox.add_notice("kept", "broadcast", "x", {}, clock.now()))
        await asyncio.sleep(0.05)
        assert not writing.done()  # waits for the other task's transaction to end
        release.set()
        await writing

    await asyncio.gather(failing(), other())
    assert await store.outbox.notice_by_key("doomed") is None
    assert await store.outbox.notice_by_key("kept") is not None


async def test_reads_are_not_torn_by_concurrent_writes(store: Store, clock: ManualClock) -> None:
    now = clock.now()
    ids = []
    for k in range(4):
        notice, _ = await store.outbox.add_notice(f"n{k}", "broadcast", "x", {}, now)
        await store.outbox.enqueue(notice.id, [Recipient(i) for i in range(60)], now, now, now)
        ids.append(notice.id)

    async def read(notice_id: int) -> None:
        for _ in range(300):
            stats = await store.outbox.stats(notice_id)  # raises on a torn row
            assert stats is not None and stats.total == 60

    async def write() -> None:
        for item in await store.outbox.due(now + timedelta(seconds=1), 1000):
            await store.outbox.mark_sending(item.id, now)
            await store.outbox.mark_sent(item.id, 1, now)

    await asyncio.gather(*(read(i) for i in ids), write(), write())
    for notice_id in ids:
        stats = await store.outbox.stats(notice_id)
        assert stats is not None and stats.count(State.SENT) == 60
