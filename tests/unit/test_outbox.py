"""The outbox repository: unique keys, claim order, guarded state transitions, recovery after a
crash, report numbers, and unreachable people told about once."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.clock import ManualClock
from bot.domain.models import RoleKind
from bot.store import Store
from bot.store.outbox import Recipient, State
from tests import seed


async def _notice(store: Store, clock: ManualClock, key: str = "n:1",
                  council_id: int | None = None) -> int:
    notice, created = await store.outbox.add_notice(key, "broadcast", "council:1", {"x": 1},
                                                    clock.now(), council_id=council_id)
    assert created
    return notice.id


async def test_a_notice_key_and_a_recipient_are_queued_once(
    store: Store, clock: ManualClock
) -> None:
    notice_id = await _notice(store, clock)
    again, created = await store.outbox.add_notice("n:1", "broadcast", "council:1", {"x": 2},
                                                   clock.now())
    assert not created and again.id == notice_id and again.payload == {"x": 1}
    now = clock.now()
    people = [Recipient(100 + i) for i in range(5)]
    assert await store.outbox.enqueue(notice_id, people, now, now, now) == 5
    assert await store.outbox.enqueue(notice_id, [*people, Recipient(200)], now, now, now) == 1
    stats = await store.outbox.stats(notice_id)
    assert stats is not None and stats.total == 6 and stats.count(State.QUEUED) == 6


async def test_due_rows_come_in_due_order_and_not_before_their_time(
    store: Store, clock: ManualClock
) -> None:
    now = clock.now()
    notice_id = await _notice(store, clock)
    later = await _notice(store, clock, "n:2")
    await store.outbox.enqueue(later, [Recipient(1)], now, now + timedelta(hours=1), now)
    await store.outbox.enqueue(notice_id, [Recipient(2), Recipient(3)], now,
                               now - timedelta(minutes=5), now)
    await store.outbox.enqueue(later, [Recipient(4)], now, now - timedelta(minutes=10), now)
    due = await store.outbox.due(now)
    assert [i.chat_id for i in due] == [4, 2, 3]
    assert [i.chat_id for i in await store.outbox.due(now, exclude_chats=[2, 4])] == [3]
    assert await store.outbox.next_not_before() == now - timedelta(minutes=10)
    clock.advance(timedelta(hours=2))
    assert [i.chat_id for i in await store.outbox.due(clock.now())] == [4, 2, 3, 1]


async def test_state_transitions_are_guarded(store: Store, clock: ManualClock) -> None:
    now = clock.now()
    notice_id = await _notice(store, clock)
    await store.outbox.enqueue(notice_id, [Recipient(1), Recipient(2)], now, now, now)
    first, second = await store.outbox.due(now)
    assert not await store.outbox.mark_sent(first.id, 5, now)  # not 'sending' yet
    assert await store.outbox.mark_sending(first.id, now)
    assert not await store.outbox.mark_sending(first.id, now)  # claimed once
    assert await store.outbox.mark_sent(first.id, 77, now)
    assert not await store.outbox.mark_failed(first.id, 1, "late", now)  # settled stays
    assert await store.outbox.mark_sending(second.id, now)
    await store.outbox.mark_attempt(second.id, 2, "500 Internal Server Error", now)
    assert await store.outbox.mark_failed(second.id, 3, "gave up", now)
    stats = await store.outbox.stats(notice_id)
    assert stats is not None
    assert (stats.count(State.SENT), stats.count(State.FAILED), stats.pending) == (1, 1, 0)


async def test_rows_in_flight_at_a_crash_are_queued_again(
    store: Store, clock: ManualClock
) -> None:
    now = clock.now()
    notice_id = await _notice(store, clock)
    await store.outbox.enqueue(notice_id, [Recipient(c) for c in (1, 2, 3)], now, now, now)
    one, two, _ = await store.outbox.due(now)
    await store.outbox.mark_sending(one.id, now)
    await store.outbox.mark_sent(one.id, 9, now)
    await store.outbox.mark_sending(two.id, now)  # ... and the process is killed here
    assert await store.outbox.recover_in_flight(now) == [2]
    assert [i.chat_id for i in await store.outbox.due(now)] == [2, 3]


async def test_an_unreachable_person_is_to_be_told_once_per_episode(
    store: Store, clock: ManualClock
) -> None:
    seeded = await seed.province(store, clock)
    person_id = await seed.person(store, clock, 5001, "Ali Veli", seeded.provincial_id,
                                  RoleKind.MEMBER)
    now = clock.now()
    notice_id = await _notice(store, clock)
    other = await _notice(store, clock, "n:2")
    await store.outbox.enqueue(notice_id, [Recipient(5001, person_id)], now, now, now)
    await store.outbox.enqueue(other, [Recipient(5001, person_id)], now, now, now)
    first, second = await store.outbox.due(now)
    for item in (first, second):
        await store.outbox.mark_sending(item.id, now)
    assert await store.outbox.mark_unreachable(first, "blocked", now)  # untold: tell
    await store.outbox.mark_reported([person_id], now)
    assert not await store.outbox.mark_unreachable(second, "blocked", now)  # told already
    assert await store.outbox.unreachable_telegram_ids() == {5001}
    [who] = await store.outbox.unreachable([person_id])
    assert (who.full_name, who.reason) == ("Ali Veli", "blocked")
    # they press Start again: a later refusal is a new episode
    assert await store.outbox.reachable_again(5001)
    assert await store.outbox.unreachable_telegram_ids() == set()
    assert await store.outbox.person_unreachable(5001, "blocked", now)


async def test_reports_list_names_by_state(store: Store, clock: ManualClock) -> None:
    seeded = await seed.province(store, clock, districts=1)
    people = await seed.many(store, clock, seeded, 6, 9000)
    now = clock.now()
    notice_id = await _notice(store, clock, council_id=seeded.provincial_id)
    await store.outbox.enqueue(notice_id, [Recipient(t, p) for t, p in people.items()], now,
                               now, now)
    items = await store.outbox.due(now)
    for item in items[:4]:
        await store.outbox.mark_sending(item.id, now)
    await store.outbox.mark_sent(items[0].id, 1, now)
    await store.outbox.mark_unreachable(items[1], "not_started", now)
    await store.outbox.mark_failed(items[2].id, 5, "500", now)
    names = await store.outbox.addressees(notice_id, (State.UNREACHABLE,))
    assert [(a.full_name, a.reason) for a in names] == [("Kişi 0002", "not_started")]
    pending = await store.outbox.addressees(notice_id, (State.QUEUED, State.SENDING))
    assert len(pending) == 3
    [recent] = await store.outbox.recent([seeded.provincial_id, 999], ["broadcast"])
    assert recent.notice.id == notice_id
    assert (recent.count(State.SENT), recent.pending, recent.total) == (1, 3, 6)
    assert await store.outbox.recent([seeded.districts[0]], ["broadcast"]) == []
