"""The sender against an in-memory API: due order, one message in flight per chat, retries
with backoff, 429 pauses, unreachable and refused recipients, pointless reminders skipped,
rendering in the recipient's language at send time, and recovery of rows in flight."""

from __future__ import annotations

import asyncio
import time as _time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.domain.clock import ManualClock
from bot.domain.models import RoleKind
from bot.notify.api import Permanent, RetryLater, SendError, Transient, Unreachable
from bot.notify.kinds import KINDS, Kind, Rendered
from bot.notify.limits import Pacer, Rates
from bot.notify.sender import Sender, SendPolicy
from bot.store import Store
from bot.store.outbox import Item, Notice, Recipient, State
from tests import seed


@dataclass
class FakeApi:
    """Records sends; `faults[chat]` is a list of errors to raise on the next sends there."""

    faults: dict[int, list[SendError]] = field(default_factory=dict)
    sent: list[tuple[float, int, str]] = field(default_factory=list)
    latency: float = 0.0
    in_flight: dict[int, int] = field(default_factory=dict)
    overlap: bool = False
    next_id: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))

    async def send(self, chat_id: int, message: Rendered) -> int:
        self.in_flight[chat_id] = self.in_flight.get(chat_id, 0) + 1
        if self.in_flight[chat_id] > 1:
            self.overlap = True
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            pending = self.faults.get(chat_id)
            if pending:
                raise pending.pop(0)
            self.sent.append((_time.monotonic(), chat_id, message.text))
            return next(self.next_id)
        finally:
            self.in_flight[chat_id] -= 1

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None:
        return None

    def chats(self) -> list[int]:
        return [chat for _, chat, _ in self.sent]


TEST_KIND = KINDS.register(Kind(
    "test_note", lambda data: Rendered(data.t("Help") + ": " + data.notice["text"], None)))


async def relevant_if_flag(store: Store, clock: object, notice: Notice) -> bool:
    return bool(notice.payload.get("relevant", True))


TEST_REMINDER = KINDS.register(Kind(
    "test_reminder", lambda data: Rendered(data.notice["text"], None), reminder=True,
    relevant=relevant_if_flag))


def make_sender(store: Store, clock: ManualClock, api: FakeApi, **policy: object) -> Sender:
    unreachable: list[tuple[int, str, bool]] = []

    async def on_unreachable(item: Item, notice: Notice, reason: str, untold: bool) -> None:
        unreachable.append((item.chat_id, reason, untold))

    defaults: dict[str, object] = {"backoff_base": 0.01, "idle_poll": 0.5}
    sender = Sender(store, clock, api, Pacer(Rates(overall=1000, sender=1000, per_chat=1000)),
                    policy=SendPolicy(**{**defaults, **policy}),  # type: ignore[arg-type]
                    default_locale="en", on_unreachable=on_unreachable)
    sender.unreachable_log = unreachable  # type: ignore[attr-defined]
    return sender


async def queue(store: Store, clock: ManualClock, key: str, chats: list[int], *,
                kind: str = "test_note", payload: dict[str, object] | None = None,
                delay: timedelta = timedelta(0), late: bool = False,
                people: dict[int, int] | None = None) -> int:
    now = clock.now()
    notice, _ = await store.outbox.add_notice(key, kind, "test", payload or {"text": key}, now)
    recipients = [Recipient(c, (people or {}).get(c)) for c in chats]
    await store.outbox.enqueue(notice.id, recipients, now, now + delay, now, late=late)
    return notice.id


async def run(sender: Sender, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    await sender.start()
    try:
        await sender.settle(timeout)
    finally:
        await sender.stop()


async def test_sends_in_due_order_and_renders_in_each_language(
    store: Store, clock: ManualClock
) -> None:
    seeded = await seed.province(store, clock)
    turkish = await seed.person(store, clock, 11, "Ayşe", seeded.provincial_id, RoleKind.MEMBER,
                                language="tr")
    await queue(store, clock, "second", [11, 12], people={11: turkish})
    await queue(store, clock, "first", [13], delay=-timedelta(minutes=1))
    await queue(store, clock, "later", [14], delay=timedelta(hours=1))
    api = FakeApi()
    await run(make_sender(store, clock, api))
    assert api.chats() == [13, 11, 12]
    texts = {chat: text for _, chat, text in api.sent}
    assert texts[11] == "Yardım: second" and texts[12] == "Help: second"
    clock.advance(timedelta(hours=1))
    await run(make_sender(store, clock, api))
    assert api.chats()[-1] == 14


async def test_one_message_in_flight_per_chat_and_all_of_them_delivered(
    store: Store, clock: ManualClock
) -> None:
    for n in range(5):
        await queue(store, clock, f"n{n}", [1, 2, 3])
    api = FakeApi(latency=0.01)
    await run(make_sender(store, clock, api, concurrency=8))
    assert not api.overlap
    assert sorted(api.chats()) == sorted([1, 2, 3] * 5)


async def test_network_errors_are_retried_with_backoff_then_given_up(
    store: Store, clock: ManualClock
) -> None:
    notice_id = await queue(store, clock, "n", [1, 2])
    api = FakeApi(faults={1: [Transient("502 Bad Gateway"), Transient("timed out")],
                          2: [Transient("500")] * 5})
    sender = make_sender(store, clock, api, max_attempts=3)
    await run(sender)
    assert api.chats() == [1]
    stats = await store.outbox.stats(notice_id)
    assert stats is not None
    assert (stats.count(State.SENT), stats.count(State.FAILED)) == (1, 1)
    [failed] = await store.outbox.addressees(notice_id, (State.FAILED,))
    assert failed.reason == "500"
    assert sender.stats.retries == 4


async def test_retry_after_pauses_every_send(store: Store, clock: ManualClock) -> None:
    await queue(store, clock, "n", [1, 2, 3, 4])
    api = FakeApi(faults={2: [RetryLater(0.3)]})
    sender = make_sender(store, clock, api, concurrency=1)
    started = _time.monotonic()
    await run(sender)
    assert sorted(api.chats()) == [1, 2, 3, 4]
    assert sender.stats.throttled == 1
    after = [t for t, chat, _ in api.sent if chat in (2, 3, 4)]
    assert min(after) - started >= 0.3


async def test_unreachable_and_refused_recipients_are_settled_not_retried(
    store: Store, clock: ManualClock
) -> None:
    seeded = await seed.province(store, clock)
    pid = await seed.person(store, clock, 21, "Ali", seeded.provincial_id, RoleKind.MEMBER)
    notice_id = await queue(store, clock, "n", [21, 22, 23], people={21: pid})
    api = FakeApi(faults={21: [Unreachable("blocked", "Forbidden: bot was blocked")],
                          22: [Permanent("Bad Request: can't parse entities")]})
    sender = make_sender(store, clock, api)
    await run(sender)
    assert api.chats() == [23]
    stats = await store.outbox.stats(notice_id)
    assert stats is not None
    assert (stats.count(State.UNREACHABLE), stats.count(State.FAILED)) == (1, 1)
    assert sender.unreachable_log == [(21, "blocked", True)]  # type: ignore[attr-defined]


async def test_pointless_reminders_are_skipped_and_late_ones_marked(
    store: Store, clock: ManualClock
) -> None:
    gone = await queue(store, clock, "gone", [1], kind="test_reminder",
                       payload={"text": "meeting", "relevant": False})
    await queue(store, clock, "late", [2], kind="test_reminder", payload={"text": "window"},
                late=True)
    api = FakeApi()
    await run(make_sender(store, clock, api))
    stats = await store.outbox.stats(gone)
    assert stats is not None and stats.count(State.SKIPPED) == 1
    [(_, chat, text)] = api.sent
    assert chat == 2 and text.startswith("⏰ Late:") and text.endswith("window")


async def test_rows_in_flight_at_a_crash_are_sent_at_the_next_start(
    store: Store, clock: ManualClock
) -> None:
    notice_id = await queue(store, clock, "n", [1, 2, 3])
    items = await store.outbox.due(clock.now())
    await store.outbox.mark_sending(items[0].id, clock.now())  # killed while sending to 1
    api = FakeApi()
    sender = make_sender(store, clock, api)
    await run(sender)
    assert sender.stats.recovered == 1
    assert sorted(api.chats()) == [1, 2, 3]
    stats = await store.outbox.stats(notice_id)
    assert stats is not None and stats.count(State.SENT) == 3


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_the_rate_is_kept(store: Store, clock: ManualClock, concurrency: int) -> None:
    await queue(store, clock, "n", list(range(1, 41)))
    api = FakeApi(latency=0.002)
    sender = Sender(store, clock, api, Pacer(Rates(overall=30, sender=25, scale=4)),
                    policy=SendPolicy(concurrency=concurrency), default_locale="en")
    await run(sender)
    times = sorted(t for t, _, _ in api.sent)
    assert len(times) == 40
    worst = max(sum(1 for u in times if t <= u < t + 0.25) for t in times)
    assert worst <= 27  # 25/s, +2 of burst, in a quarter of a scaled second


async def test_stopping_does_not_wait_out_a_long_flood_pause(
    store: Store, clock: ManualClock
) -> None:
    notice_id = await queue(store, clock, "n", [1, 2, 3])
    api = FakeApi(faults={1: [RetryLater(60)]})
    sender = make_sender(store, clock, api, concurrency=1)
    await sender.start()
    for _ in range(500):
        if sender.stats.throttled:
            break
        await asyncio.sleep(0.01)
    assert sender.stats.throttled
    started = _time.monotonic()
    await sender.stop(grace=0.2)
    assert _time.monotonic() - started < 2
    stats = await store.outbox.stats(notice_id)
    assert stats is not None and stats.pending == 3  # all sent after the restart
    assert api.sent == []


async def test_a_hold_settles_what_is_in_flight_and_takes_nothing_new(
    store: Store, clock: ManualClock
) -> None:
    """SIGTERM: the request in flight to chat 2 completes and is recorded; chat 1's failed
    first try waits out no backoff but goes back to 'queued'; chat 3 is not started."""
    notice_id = await queue(store, clock, "n", [1, 2, 3])
    api = FakeApi(faults={1: [Transient("502 Bad Gateway")]}, latency=0.2)
    sender = make_sender(store, clock, api, concurrency=2, backoff_base=60)
    await sender.start()
    for _ in range(500):
        if sum(api.in_flight.values()) == 2:
            break
        await asyncio.sleep(0.01)
    assert api.in_flight == {1: 1, 2: 1}
    sender.hold()
    started = _time.monotonic()
    await sender.stop(grace=5)
    assert _time.monotonic() - started < 1
    assert api.chats() == [2]
    stats = await store.outbox.stats(notice_id)
    assert stats is not None
    assert (stats.count(State.SENT), stats.count(State.QUEUED), stats.count(State.SENDING)) == (
        1, 2, 0)
    [retry] = [i for i in await store.outbox.due(clock.now()) if i.chat_id == 1]
    assert retry.attempts == 1  # the failed try is remembered for the next start
