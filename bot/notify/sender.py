"""The one sender: drains the outbox, beside update handling, within Telegram's limits.

This module owns the delivery protocol of every scheduled or bulk message:

1. the dispatcher reads due rows in due order (``not_before``, then id), skipping chats that
   have a message in flight or must wait for their per-chat bucket (so one busy chat never
   holds up the others);
2. it waits for the overall and sender buckets (``bot.notify.limits``) and a free slot (at
   most ``concurrency`` messages in flight, never two to the same chat), then commits the row
   as ``sending`` *before* the HTTP call;
3. a task renders the row in the recipient's current language, checks that it still matters,
   sends it and commits the outcome: ``sent`` with Telegram's message id; on 429 a global
   pause of ``retry_after`` and the same row again; on network errors, timeouts and 5xx a retry
   with exponential backoff and jitter, at most ``max_attempts`` times, then ``failed``;
   ``unreachable`` on 403 / "chat not found"; ``failed`` on any other refusal.

A crash between steps 2 and 3 leaves the row ``sending``; ``start`` queues such rows again,
so that message may arrive twice. That is the whole duplicate budget: at most one extra copy
per recipient per notice, and only for rows in flight at the crash (see the README).

Time: due times come from the injected ``Clock``; pacing and backoff use real monotonic time
(``Pacer``), scaled for tests. The sender never sleeps on a due time: it is poked when rows
are added, and otherwise re-reads the outbox after at most ``idle_poll`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.domain.clock import Clock
from bot.i18n import translator
from bot.notify.api import MessageApi, Permanent, RetryLater, Transient, Unreachable
from bot.notify.kinds import KINDS, Kind, Kinds, Rendered, RenderInput, with_late_marker
from bot.notify.limits import Pacer
from bot.store import Store
from bot.store.outbox import Item, Notice

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SendPolicy:
    concurrency: int = 16          # messages in flight at once (each to a different chat)
    max_attempts: int = 5          # tries on network errors and 5xx before 'failed'
    backoff_base: float = 1.0      # Telegram seconds before the 2nd try; doubles each time
    backoff_cap: float = 60.0
    max_throttled: int = 20        # 429s on one row before giving up on it (a safety valve)
    batch: int = 200               # rows read per pass
    idle_poll: float = 30.0        # real seconds between passes when nothing pokes us
    relevance_ttl: float = 30.0    # real seconds a notice's relevance check is reused


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0
    retries: int = 0
    throttled: int = 0
    recovered: int = 0


UnreachableHook = Callable[[Item, Notice, str, bool], Awaitable[None]]
ItemHook = Callable[[Item], None]


@dataclass
class _Caches:
    notices: OrderedDict[int, Notice] = field(default_factory=OrderedDict)
    relevance: dict[int, tuple[float, bool]] = field(default_factory=dict)


class Sender:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        api: MessageApi,
        pacer: Pacer,
        *,
        kinds: Kinds = KINDS,
        policy: SendPolicy | None = None,
        default_locale: str = "tr",
        on_unreachable: UnreachableHook | None = None,
        on_sent: ItemHook | None = None,
        on_settled: ItemHook | None = None,
    ) -> None:
        self.store, self.clock, self.api, self.pacer = store, clock, api, pacer
        self.kinds = kinds
        self.policy = policy or SendPolicy()
        self.default_locale = default_locale
        self.on_unreachable, self.on_sent, self.on_settled = on_unreachable, on_sent, on_settled
        self.stats = SenderStats()
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()  # set by stop(): ends pauses at once
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._inflight: set[int] = set()
        self._paced: dict[int, float] = {}  # chat -> monotonic time its bucket is ready
        self._caches = _Caches()

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        chats = await self.store.outbox.recover_in_flight(self.clock.now())
        self.stats.recovered = len(chats)
        if chats:
            log.warning("%d message(s) were in flight at the last stop; sending them again",
                        len(chats))
        for chat_id in chats:
            # The message may have reached the chat just before the crash: count it against
            # the chat's limit, so the resend keeps the 1/s spacing after a quick restart.
            self.pacer.spent(chat_id)
        self._stopping = False
        self._stopped.clear()
        self._task = asyncio.create_task(self._run(), name="kurul-sender")

    def hold(self) -> None:
        """Take no new row from now on (the process was asked to stop). A message whose
        request is in flight goes on and settles; one waiting to be retried goes back to
        'queued' at once (``_attempts``)."""
        self._stopping = True
        self._stopped.set()
        self._wake.set()

    async def stop(self, grace: float = 5.0) -> None:
        """Stop dispatching; give messages in flight `grace` seconds to settle. Those still
        unsettled stay 'sending' and are sent again after the restart."""
        self.hold()
        if self._task is not None:
            await self._task
            self._task = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def poke(self) -> None:
        """Rows were added or became due: look at the outbox now."""
        self._wake.set()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until nothing due is left unsent (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while True:
            if not self._tasks and not await self.store.outbox.due(self.clock.now(), 1):
                return
            if time.monotonic() > deadline:
                raise TimeoutError("the sender did not settle")
            self.poke()
            await asyncio.sleep(0.02)

    # --- dispatching ----------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                launched = await self._dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:  # never let one bad pass kill the sender
                log.exception("sender pass failed")
                launched = 0
                await self._wait(1.0)
            if not launched and not self._stopping:
                await self._wait(await self._idle_timeout())

    async def _wait(self, timeout: float) -> None:  # noqa: ASYNC109
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(timeout, 0.0)):
                await self._wake.wait()

    async def _idle_timeout(self) -> float:
        now = self.pacer.now()
        self._paced = {c: t for c, t in self._paced.items() if t > now}
        timeout = self.policy.idle_poll
        if self._paced:
            timeout = min(timeout, min(self._paced.values()) - now)
        upcoming = await self.store.outbox.next_not_before()
        if upcoming is not None:
            ahead = (upcoming - self.clock.now()).total_seconds()
            if ahead > 0:  # due rows held back by busy chats wake us when those finish
                timeout = min(timeout, ahead)
        return max(timeout, 0.01)

    async def _dispatch(self) -> int:
        now = self.pacer.now()
        waiting = {c for c, t in self._paced.items() if t > now}
        items = await self.store.outbox.due(
            self.clock.now(), self.policy.batch, exclude_chats=self._inflight | waiting)
        launched = 0
        for item in items:
            if self._stopping:
                break
            if item.chat_id in self._inflight:
                continue
            if not await self._room():
                break
            chat_wait = self.pacer.chat_wait(item.chat_id)
            if chat_wait > 0:
                self._paced[item.chat_id] = self.pacer.now() + chat_wait
                continue
            if not await self._until_ready():
                break
            if self.pacer.chat_wait(item.chat_id) > 0:  # a reply to that chat came first
                continue
            self.pacer.take(item.chat_id)
            launched += 1  # (or raced: either way, read the outbox again at once)
            if not await self.store.outbox.mark_sending(item.id, self.clock.now()):
                continue  # settled meanwhile
            self._launch(item)
        return launched

    async def _room(self) -> bool:
        """Wait for a free slot; False when stopping."""
        while len(self._tasks) >= self.policy.concurrency:
            if self._stopping:
                return False
            self._wake.clear()
            await self._wait(1.0)
        return not self._stopping

    async def _until_ready(self) -> bool:
        """Wait for the overall and sender buckets and any 429 pause; False when stopping."""
        while (delay := self.pacer.global_wait()) > 0:
            if self._stopping:
                return False
            with contextlib.suppress(TimeoutError):  # a long 429 pause ends at stop()
                async with asyncio.timeout(delay):
                    await self._stopped.wait()
        return not self._stopping

    def _launch(self, item: Item) -> None:
        self._inflight.add(item.chat_id)
        task = asyncio.create_task(self._deliver(item), name=f"kurul-send-{item.id}")
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            self._inflight.discard(item.chat_id)
            self._wake.set()

        task.add_done_callback(done)

    # --- one message ----------------------------------------------------------------------

    async def _notice(self, notice_id: int) -> Notice | None:
        cache = self._caches.notices
        if notice_id in cache:
            cache.move_to_end(notice_id)
            return cache[notice_id]
        notice = await self.store.outbox.notice(notice_id)
        if notice is not None:
            cache[notice_id] = notice
            if len(cache) > 256:
                cache.popitem(last=False)
        return notice

    async def _relevant(self, kind: Kind, notice: Notice) -> bool:
        if kind.relevant is None:
            return True
        now = time.monotonic()
        cached = self._caches.relevance.get(notice.id)
        if cached is not None and now - cached[0] < self.policy.relevance_ttl:
            return cached[1]
        relevant = await kind.relevant(self.store, self.clock, notice)
        self._caches.relevance[notice.id] = (now, relevant)
        return relevant

    def _render(self, kind: Kind, notice: Notice, item: Item) -> Rendered:
        t = translator(item.language or self.default_locale)
        rendered = kind.render(RenderInput(notice.payload, item.payload or {}, t))
        if kind.reminder and item.late:
            rendered = with_late_marker(rendered, t)
        return rendered

    def _backoff(self, attempts: int) -> float:
        base = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempts - 1))
        return self.pacer.real_seconds(base * (1 + random.random() / 2))

    async def _deliver(self, item: Item) -> None:
        outbox = self.store.outbox
        try:
            kind = self.kinds.get(item.kind)
            notice = await self._notice(item.notice_id)
            if kind is None or notice is None:
                await outbox.mark_failed(item.id, item.attempts, f"unknown kind {item.kind}",
                                         self.clock.now())
                self.stats.failed += 1
                return
            if not await self._relevant(kind, notice):
                await outbox.mark_skipped(item.id, "no longer relevant", self.clock.now())
                self.stats.skipped += 1
                return
            try:
                rendered = self._render(kind, notice, item)
            except Exception as exc:
                log.exception("cannot render outbox row %s", item.id, extra=_ids(item))
                await outbox.mark_failed(item.id, item.attempts, f"render: {exc!r}",
                                         self.clock.now())
                self.stats.failed += 1
                return
            await self._attempts(item, notice, rendered)
        except asyncio.CancelledError:
            raise  # the row stays 'sending' and is sent again after a restart
        except Exception:
            log.exception("outbox row %s could not be settled; it is retried at restart",
                          item.id, extra=_ids(item))
        finally:
            if self.on_settled is not None:
                self.on_settled(item)

    async def _attempts(self, item: Item, notice: Notice, rendered: Rendered) -> None:
        outbox = self.store.outbox
        attempts, throttled, first = item.attempts, 0, True
        while True:
            if not first:
                if self._stopping:  # not in flight: nothing to settle, back to the queue
                    await outbox.release(item.id, self.clock.now())
                    return
                await self._acquire(item.chat_id)
            first = False
            try:
                message_id = await self.api.send(item.chat_id, rendered)
            except RetryLater as exc:
                seconds = self.pacer.pause(exc.seconds)
                self.stats.throttled += 1
                throttled += 1
                log.info("Telegram asked to wait %.1f s (chat %s)", seconds, item.chat_id,
                         extra=_ids(item))
                if throttled > self.policy.max_throttled:
                    await outbox.mark_failed(item.id, attempts, str(exc), self.clock.now())
                    self.stats.failed += 1
                    return
                continue
            except Transient as exc:
                attempts += 1
                if attempts >= self.policy.max_attempts:
                    log.warning("giving up on outbox row %s after %d attempts: %s",
                                item.id, attempts, exc, extra=_ids(item))
                    await outbox.mark_failed(item.id, attempts, str(exc), self.clock.now())
                    self.stats.failed += 1
                    return
                self.stats.retries += 1
                await outbox.mark_attempt(item.id, attempts, str(exc), self.clock.now())
                await self._rest(self._backoff(attempts))  # cut short by a stop
                continue
            except Unreachable as exc:
                new = await outbox.mark_unreachable(item, exc.reason, self.clock.now())
                self.stats.unreachable += 1
                if self.on_unreachable is not None:
                    await self.on_unreachable(item, notice, exc.reason, new)
                return
            except Permanent as exc:
                log.warning("Telegram refused outbox row %s: %s", item.id, exc,
                            extra=_ids(item))
                await outbox.mark_failed(item.id, attempts + 1, str(exc), self.clock.now())
                self.stats.failed += 1
                return
            await outbox.mark_sent(item.id, message_id, self.clock.now())
            self.stats.sent += 1
            if self.on_sent is not None:
                self.on_sent(item)
            return

    async def _rest(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopped.wait()

    async def _acquire(self, chat_id: int) -> None:
        """Wait for every bucket this chat needs, then take from them (retries only: the
        dispatcher paces first attempts without holding a slot)."""
        while True:
            delay = self.pacer.wait(chat_id)
            if delay <= 0:
                break
            await asyncio.sleep(delay)
        self.pacer.take(chat_id)


def _ids(item: Item) -> dict[str, int]:
    """A row's identifiers as structured log fields (bot/logging_setup.py)."""
    return {"outbox_id": item.id, "notice_id": item.notice_id, "chat_id": item.chat_id}
