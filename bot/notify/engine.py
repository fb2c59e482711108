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
from datetime import time, timedelta
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.config import Settings
from bot.domain.clock import Clock
from bot.notify.api import MessageApi, TelegramApi
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


class Notifier:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        clock: Clock,
        *,
        api: MessageApi | None = None,
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
        self._owns_api = api is None
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
        self._application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._checking = False
        self._recheck = False
        self._background: set[asyncio.Task[None]] = set()
        self.started = False

    @property
    def api(self) -> MessageApi | None:
        return self._api

    # --- lifecycle ------------------------------------------------------------------------

    async def start(
        self, application: Application[Any, Any, Any, Any, Any, Any] | None = None
    ) -> Rebuilt:
        """Open the sender's connection, queue again what was in flight, rebuild reminders
        and arm the timer. Returns what the first rebuild queued."""
        self._application = application
        if self._api is None:
            settings = self.settings
            if not settings.token:
                raise RuntimeError("the notification sender needs BOT_TOKEN")
            api = TelegramApi(settings.token, settings.api_base_url, settings.api_file_url,
                              connections=max(1, settings.send_concurrency) + 2)
            await api.start()
            self._api = api
        self.unreachable_ids = await self.store.outbox.unreachable_telegram_ids()
        await self.sender.start()
        await self.reporter.start()
        self.started = True
        return await self.rebuild()

    async def stop(self, grace: float = 5.0) -> None:
        if not self.started:
            return
        self.started = False
        self._disarm()
        await self.reporter.stop()
        await self.sender.stop(grace)
        if self._owns_api and isinstance(self._api, TelegramApi):
            await self._api.stop()
            self._api = None

    # --- reminders ------------------------------------------------------------------------

    async def rebuild(self) -> Rebuilt:
        """Derive reminders from the store, queue the due ones, re-arm ``notify:wake``."""
        result = await self.scheduler.rebuild()
        self._arm(result)
        self.sender.poke()
        return result

    def _disarm(self) -> None:
        queue = self._application.job_queue if self._application is not None else None
        if queue is not None:
            for job in queue.get_jobs_by_name(WAKE_JOB):
                job.schedule_removal()

    def _arm(self, result: Rebuilt) -> None:
        queue = self._application.job_queue if self._application is not None else None
        if queue is None:
            return
        self._disarm()
        delay = MAX_SLEEP
        if result.next_due is not None:
            delay = min(delay, max(result.next_due - self.clock.now(), timedelta(seconds=1)))
        # Relative, from the injected clock: a test clock far from real time neither fires at
        # once nor never.
        queue.run_once(self._wake, delay, name=WAKE_JOB)

    async def _wake(self, _ctx: CallbackContext[Any, Any, Any, Any]) -> None:
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
