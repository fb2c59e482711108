"""The notification engine's Telegram side: its door to the Bot API, how Telegram's answers
are sorted, and its timer on the JobQueue.

``TelegramApi`` implements the engine's ``MessageApi`` (``bot.notify.api``) over a
``telegram.Bot`` of its own, sending plain messages and messages with a document
(``WithDocument``: meeting invitations, minutes); Telegram's errors are sorted into what the
sender does next:

* ``RetryLater``: 429 flood control; pause everything for ``retry_after`` and try again;
* ``Transient``: network errors, timeouts, 5xx; try again with backoff, a bounded number of
  times (the message may have reached Telegram: see the README's guarantee);
* ``Unreachable``: the person blocked the bot, never started it, deleted their account, or
  the chat is gone (403, 400 "chat not found"); never retried;
* ``Permanent``: any other refusal (400 for a malformed message); retrying cannot help.

Why a separate ``telegram.Bot`` (own connection pool, no PTB rate limiter) rather than the
Application's: PTB's ``AIORateLimiter`` halts *every* request, user replies included, for the
whole ``retry_after`` of any 429, and a broadcast queued in its limiter would sit in front of
the replies. The sender paces itself (``bot.notify.limits``) and replies only debit the shared
buckets, so a broadcast never queues in front of a reply.
"""

from __future__ import annotations

import datetime as dtm
import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import CallbackContext, JobQueue
from telegram.request import HTTPXRequest

from bot.notify.api import Permanent, RetryLater, SendError, Transient, Unreachable
from bot.notify.engine import WAKE_JOB
from bot.notify.kinds import Buttons, Rendered, WithDocument

# Telegram allows 1,024 characters of caption; a little less leaves room for entities.
CAPTION_LIMIT = 1000


def retry_seconds(error: RetryAfter) -> float:
    """Telegram's ``retry_after`` in seconds. Read from the timedelta PTB keeps, as PTB's own
    AIORateLimiter does: the public attribute warns about its coming change of type."""
    after = error._retry_after
    return after.total_seconds() if isinstance(after, dtm.timedelta) else float(after)


def classify(error: TelegramError) -> SendError:
    """Sort a python-telegram-bot error into what the sender should do."""
    text = str(error)
    lowered = text.lower()
    if isinstance(error, RetryAfter):
        return RetryLater(retry_seconds(error))
    if isinstance(error, Forbidden):
        if "blocked" in lowered or "kicked" in lowered:
            return Unreachable("blocked", text)
        if "deactivated" in lowered:
            return Unreachable("deactivated", text)
        if "initiate conversation" in lowered:
            return Unreachable("not_started", text)
        return Unreachable("forbidden", text)
    if isinstance(error, BadRequest):  # a subclass of NetworkError: test it first
        if "chat not found" in lowered or "user not found" in lowered:
            return Unreachable("chat_not_found", text)
        if "not modified" in lowered:
            return Permanent(text)
        return Permanent(text)
    if isinstance(error, NetworkError):  # TimedOut, connection errors, 5xx
        return Transient(text)
    return Permanent(text)


def markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
         for row in buttons]
    )


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramApi:
    """``MessageApi`` over a ``telegram.Bot`` that belongs to the sender alone."""

    def __init__(self, token: str, base_url: str, base_file_url: str, *,
                 connections: int = 16, timeout: float = 10.0) -> None:
        request = HTTPXRequest(connection_pool_size=connections, read_timeout=timeout,
                               write_timeout=timeout, connect_timeout=timeout,
                               pool_timeout=timeout)
        self.bot = Bot(token, base_url=base_url, base_file_url=base_file_url,
                       request=request, get_updates_request=HTTPXRequest(connection_pool_size=1))

    async def start(self) -> None:
        await self.bot.initialize()

    async def stop(self) -> None:
        await self.bot.shutdown()

    async def send(self, chat_id: int, message: Rendered) -> int:
        if isinstance(message, WithDocument):
            return await self._send_document(chat_id, message)
        try:
            sent = await self.bot.send_message(
                chat_id, message.text, parse_mode=message.parse_mode,
                reply_markup=markup(message.buttons), link_preview_options=_NO_PREVIEW)
        except TelegramError as exc:
            raise classify(exc) from exc
        return sent.message_id

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None:
        try:
            await self.bot.edit_message_text(
                message.text, chat_id=chat_id, message_id=message_id,
                parse_mode=message.parse_mode, reply_markup=markup(message.buttons),
                link_preview_options=_NO_PREVIEW)
        except TelegramError as exc:
            raise classify(exc) from exc

    async def _send_document(self, chat_id: int, message: WithDocument) -> int:
        """A message with a file (an invitation, minutes): the text as the caption when it fits,
        else the document first and the text after it."""
        document = InputFile(message.content, filename=message.filename)
        try:
            if _plain_length(message.text) <= CAPTION_LIMIT:
                sent = await self.bot.send_document(
                    chat_id, document, caption=message.text, parse_mode=message.parse_mode,
                    reply_markup=markup(message.buttons))
                return sent.message_id
            # Document first: if the text then fails, a retry sends both again rather than
            # leaving a notice without its attachment.
            await self.bot.send_document(chat_id, document)
        except TelegramError as exc:
            raise classify(exc) from exc
        return await self.send(chat_id, Rendered(message.text, message.parse_mode,
                                                 message.buttons))


def _plain_length(text: str) -> int:
    return len(html.unescape(re.sub(r"<[^>]+>", "", text)))


class JobQueueTimer:
    """The engine's one timer (``notify:wake``) on PTB's JobQueue; arming replaces it."""

    def __init__(self, queue: JobQueue[Any] | None) -> None:
        self.queue = queue

    def disarm(self) -> None:
        if self.queue is not None:
            for job in self.queue.get_jobs_by_name(WAKE_JOB):
                job.schedule_removal()

    def arm(self, delay: dtm.timedelta, callback: Callable[[], Awaitable[None]]) -> None:
        if self.queue is None:
            return
        self.disarm()

        async def wake(_ctx: CallbackContext[Any, Any, Any, Any]) -> None:
            await callback()

        self.queue.run_once(wake, delay, name=WAKE_JOB)
