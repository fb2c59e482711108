"""The notification engine of one bot process, wired together.

This module owns the assembly and the lifecycle of ``bot.notify``: one ``Pacer`` shared by
the sender and by the Application's reply rate limiter; the ``Sender`` with its own
``telegram.Bot``; the ``ProgressReporter``; the reminder ``Scheduler`` and its single
JobQueue timer ``notify:wake``; the one-time alerts about unreachable people; and the
in-memory set of people known to be unreachable, cleared as soon as they write to the bot.

``build_application`` creates a ``Notifier`` and attaches it to the Application (``attach`` /
``notifier_of``); ``post_init`` starts it once the store is open, ``post_shutdown`` stops it.
Handlers reach it through ``notifier_of(ctx.application)`` to poke the sender after queueing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from typing import Any, Protocol

from bot.config import Settings
from bot.domain.clock import Clock
from bot.notify.api import MessageApi
from bot.notify.kinds import UNREACHABLE
from bot.notify.limits import Pacer, Rates
from bot.notify.progress import ProgressReporter
from bot.notify.quiet import QuietHours
from bot.notify.reminders import CalendarReminders, Rebuilt, Scheduler
from bot.notify.sender import Sender, SendPolicy
from bot.services import deliveries
from bot.store import Store
from bot.store.outbox import Item, Notice

log = logging.getLogger(__name__)

WAKE_JOB = "notify:wake"
# The timer never sleeps longer than this: a fact changed where no update could tell us (the
# command line adding a district) is picked up within the hour.
MAX_SLEEP = timedelta(hours=1)
_ATTRIBUTE = "_kurul_notifier"


class OwnedApi(MessageApi, Protocol):
    """The sender's own connection to Telegram, opened and closed with the engine."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Timer(Protocol):
    """One timer, re-armed after every rebuild (the Telegram side uses PTB's JobQueue)."""

    def arm(self, delay: timedelta, callback: Callable[[], Awaitable[None]]) -> None: ...

    def disarm(self) -> None: ...


class Notifier:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        clock: Clock,
        *,
        api: MessageApi | None = None,
        open_api: Callable[[], OwnedApi] | None = None,
        progress_interval: float = 1.0,
    ) -> None:
        self.settings, self.store, self.clock = settings, store, clock
        self.pacer = Pacer(Rates(
            overall=settings.send_rate_overall,
            sender=min(settings.send_rate, settings.send_rate_overall),
            per_chat=settings.send_chat_rate,
            per_group_minute=settings.send_group_per_minute,
            scale=settings.send_time_scale,
        ))
        self.quiet = QuietHours.parse(settings.quiet_hours)
        self._api = api
        self._open_api = open_api
        self._owned: OwnedApi | None = None
        self.sender = Sender(
            store, clock, _LazyApi(self), self.pacer,
            policy=SendPolicy(concurrency=max(1, settings.send_concurrency),
                              max_attempts=max(1, settings.send_max_attempts)),
            default_locale=settings.default_locale,
            on_unreachable=self._unreachable, on_sent=self._sent, on_settled=self._settled,
        )
        self.reporter = ProgressReporter(
            store, clock, lambda: self._api, on_report=self.sender.poke,
            debit=self.pacer.debit, interval=progress_interval / settings.send_time_scale,
            min_gap=2.0 / settings.send_time_scale, default_locale=settings.default_locale,
        )
        self.scheduler = Scheduler(store, clock, [CalendarReminders(
            settings.reminder_lead_days, time(settings.reminder_hour % 24, 0))], self.quiet)
        self.unreachable_ids: set[int] = set()
        self._timer: Timer | None = None
        self._checking = False
        self._recheck = False
        self._background: set[asyncio.Task[None]] = set()
        self.started = False

    @property
    def api(self) -> MessageApi | None:
        return self._api

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, timer: Timer | None = None) -> Rebuilt:
        """Open the sender's connection, queue again what was in flight, rebuild reminders
        and arm the timer. Returns what the first rebuild queued."""
        self._timer = timer
        if self._api is None:
            if self._open_api is None:
                raise RuntimeError("the notification sender has no connection to Telegram")
            owned = self._open_api()
            await owned.start()
            self._api = self._owned = owned
        self.unreachable_ids = await self.store.outbox.unreachable_telegram_ids()
        await self.sender.start()
        await self.reporter.start()
        self.started = True
        return await self.rebuild()

    def hold(self) -> None:
        """The process was asked to stop: the sender takes no new row (what is in flight
        settles); the Application still finishes the updates in hand, whose rows stay queued
        for the next start."""
        self.sender.hold()

    async def stop(self, grace: float = 5.0) -> None:
        # Whatever part did start is stopped, also after a start cut short by a stop signal;
        # stopping twice is harmless.
        self.started = False
        self._disarm()
        await self.reporter.stop()
        await self.sender.stop(grace)
        if self._owned is not None:
            await self._owned.stop()
            self._api = self._owned = None

    # --- reminders ------------------------------------------------------------------------

    async def rebuild(self) -> Rebuilt:
        """Derive reminders from the store, queue the due ones, re-arm ``notify:wake``."""
        result = await self.scheduler.rebuild()
        self._arm(result)
        self.sender.poke()
        return result

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.disarm()

    def _arm(self, result: Rebuilt) -> None:
        if self._timer is None:
            return
        delay = MAX_SLEEP
        if result.next_due is not None:
            delay = min(delay, max(result.next_due - self.clock.now(), timedelta(seconds=1)))
        # Relative, from the injected clock: a test clock far from real time neither fires at
        # once nor never.
        self._timer.arm(delay, self._wake)

    async def _wake(self) -> None:
        await self.rebuild()

    async def facts_maybe_changed(self) -> None:
        """After an update: rebuild when councils or leave days changed. Checks that overlap
        are merged into one follow-up check."""
        if not self.started:
            return
        if self._checking:
            self._recheck = True
            return
        self._checking = True
        try:
            while True:
                self._recheck = False
                if await self.scheduler.facts_changed():
                    await self.rebuild()
                if not self._recheck:
                    break
        finally:
            self._checking = False

    # --- events ---------------------------------------------------------------------------

    def queued(self) -> None:
        """Rows were queued by a handler: send and report now."""
        self.sender.poke()
        self.reporter.poke()

    async def changed(self) -> None:
        """A handler queued rows and changed facts that reminders derive from (a meeting moved,
        minutes finalised, progress reported): send now and derive the reminders again."""
        self.queued()
        if self.started:
            await self.rebuild()

    def _settled(self, _item: Item) -> None:
        self.reporter.poke()

    def _sent(self, item: Item) -> None:
        if item.chat_id in self.unreachable_ids:
            self.unreachable_ids.discard(item.chat_id)
            task = asyncio.get_running_loop().create_task(self._reachable(item.chat_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _reachable(self, telegram_id: int) -> None:
        try:
            await self.store.outbox.reachable_again(telegram_id)
        except Exception:
            log.exception("could not record that %s is reachable again", telegram_id)

    async def _unreachable(self, item: Item, notice: Notice, reason: str, untold: bool) -> None:
        self.unreachable_ids.add(item.chat_id)
        if not untold or item.person_id is None:
            return
        if notice.report_chat_id is not None or notice.kind == UNREACHABLE.name:
            return  # the live delivery report names them; never alert about an alert
        added = await deliveries.queue_unreachable_alert(
            self.store, self.clock, item.person_id, reason, self.quiet)
        if added:
            self.sender.poke()

    async def user_seen(self, telegram_id: int) -> None:
        """Someone known to be unreachable wrote to the bot: messages reach them again."""
        if telegram_id in self.unreachable_ids:
            self.unreachable_ids.discard(telegram_id)
            await self.store.outbox.reachable_again(telegram_id)

    async def user_blocked(self, telegram_id: int) -> None:
        """Telegram told us (my_chat_member) that someone blocked the bot."""
        await self.store.outbox.person_unreachable(telegram_id, "blocked", self.clock.now())
        self.unreachable_ids.add(telegram_id)


class _LazyApi:
    """The sender's door to Telegram, opened in ``Notifier.start`` (it needs the token)."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier

    def _api(self) -> MessageApi:
        api = self._notifier.api
        if api is None:
            raise RuntimeError("the notifier is not started")
        return api

    async def send(self, chat_id: int, message: Any) -> int:
        return await self._api().send(chat_id, message)

    async def edit(self, chat_id: int, message_id: int, message: Any) -> None:
        await self._api().edit(chat_id, message_id, message)


def attach(application: Any, notifier: Notifier) -> None:
    setattr(application, _ATTRIBUTE, notifier)


def notifier_of(application: Any) -> Notifier:
    notifier = getattr(application, _ATTRIBUTE, None)
    if not isinstance(notifier, Notifier):
        raise RuntimeError("no notification engine attached to this application")
    return notifier
