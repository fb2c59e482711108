"""Live progress of a broadcast: one message, edited as it goes, then the delivery report.

This module owns what the secretariat sees while its broadcast is being sent: the message
that showed the preview is edited in place ("120 of 300 delivered...") at most every
``min_gap`` seconds unless ``step`` of the recipients were settled since the last edit (so a
1,000-recipient broadcast costs a few dozen edits, never one message per recipient); when no
row is pending any more, a final edit and the delivery report (queued in the outbox like any
notice, so it survives a crash too). Progress is re-read from the outbox on every tick, so it
carries on after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.i18n import Translator, translator
from bot.notify.api import MessageApi, SendError
from bot.notify.kinds import Rendered, audience_label
from bot.services import deliveries
from bot.store import Store
from bot.store.outbox import Notice, NoticeStats, State

log = logging.getLogger(__name__)


@dataclass
class _Shown:
    at: float
    settled: int
    locale: str


def progress_text(t: Translator, notice: Notice, stats: NoticeStats) -> str:
    audience = html.escape(audience_label(t, notice.payload))
    settled = stats.total - stats.pending
    lines = [
        t("📤 <b>Sending</b>: {audience}").format(audience=audience),
        t("{settled} of {total} handled: {sent} delivered, {unreachable} not reachable, "
          "{failed} failed.").format(
            settled=settled, total=stats.total, sent=stats.count(State.SENT),
            unreachable=stats.count(State.UNREACHABLE), failed=stats.count(State.FAILED)),
    ]
    return "\n".join(lines)


def final_text(t: Translator, notice: Notice, stats: NoticeStats) -> str:
    audience = html.escape(audience_label(t, notice.payload))
    return "\n".join([
        t("✅ <b>Sent</b>: {audience}").format(audience=audience),
        t.ngettext("Delivered to {sent} of {total} person; the delivery report follows.",
                   "Delivered to {sent} of {total} people; the delivery report follows.",
                   stats.total).format(sent=stats.count(State.SENT), total=stats.total),
    ])


class ProgressReporter:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        api: Callable[[], MessageApi | None],
        *,
        on_report: Callable[[], None] = lambda: None,
        debit: Callable[[int], None] = lambda chat_id: None,
        interval: float = 1.0,
        min_gap: float = 2.0,
        step: float = 0.1,
        default_locale: str = "tr",
    ) -> None:
        self.store, self.clock, self._api = store, clock, api
        self.on_report = on_report
        self.debit = debit  # edits count against the chat's and the bot's limits too
        self.interval, self.min_gap, self.step = interval, min_gap, step
        self.default_locale = default_locale
        self._shown: dict[int, _Shown] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.edits = 0

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="kurul-progress")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    def poke(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("progress update failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()

    async def tick(self) -> None:
        for notice in await self.store.outbox.live_notices():
            await self._update(notice)

    async def _locale(self, notice: Notice) -> str:
        shown = self._shown.get(notice.id)
        if shown is not None:
            return shown.locale
        author = await self.store.people.get(notice.created_by) if notice.created_by else None
        return author.language if author is not None else self.default_locale

    async def _update(self, notice: Notice) -> None:
        stats = await self.store.outbox.stats(notice.id)
        if stats is None:
            return
        locale = await self._locale(notice)
        t = translator(locale)
        if stats.done:
            await self._edit(notice, final_text(t, notice, stats))
            if await deliveries.queue_report(self.store, self.clock, notice):
                self.on_report()
            self._shown.pop(notice.id, None)
            return
        settled = stats.total - stats.pending
        shown = self._shown.get(notice.id)
        now = time.monotonic()
        if shown is not None:
            if shown.settled == settled:
                return
            if now - shown.at < self.min_gap and settled - shown.settled < self.step * max(
                    stats.total, 1):
                return
            if now - shown.at < self.min_gap / 2:  # even a big step waits a little
                return
        await self._edit(notice, progress_text(t, notice, stats))
        self._shown[notice.id] = _Shown(now, settled, locale)

    async def _edit(self, notice: Notice, text: str) -> None:
        api = self._api()
        if api is None or notice.report_chat_id is None or notice.report_message_id is None:
            return
        self.debit(notice.report_chat_id)
        try:
            await api.edit(notice.report_chat_id, notice.report_message_id, Rendered(text))
            self.edits += 1
        except SendError as exc:  # "not modified", a deleted message: progress is optional
            log.debug("progress edit for notice %s: %s", notice.id, exc)
