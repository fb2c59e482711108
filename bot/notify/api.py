"""The sender's one door to Telegram, and how Telegram's answers are sorted.

This module owns the thin adapter between the sender (which knows nothing of
python-telegram-bot) and the Bot API: ``MessageApi`` is what the sender calls,
``TelegramApi`` implements it over a ``telegram.Bot`` of its own, and Telegram's errors are
sorted into what the sender does next:

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
from typing import Protocol

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.notify.kinds import Buttons, Rendered


class SendError(Exception):
    """Why a message did not go out."""


class RetryLater(SendError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds} s")
        self.seconds = seconds


class Transient(SendError):
    pass


class Unreachable(SendError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Permanent(SendError):
    pass


class MessageApi(Protocol):
    async def send(self, chat_id: int, message: Rendered) -> int:
        """Send; return Telegram's message id. Raises a SendError subclass."""
        ...

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None:
        """Replace a message's text (progress); errors are SendError too."""
        ...


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


def _markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
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
        try:
            sent = await self.bot.send_message(
                chat_id, message.text, parse_mode=message.parse_mode,
                reply_markup=_markup(message.buttons), link_preview_options=_NO_PREVIEW)
        except TelegramError as exc:
            raise classify(exc) from exc
        return sent.message_id

    async def edit(self, chat_id: int, message_id: int, message: Rendered) -> None:
        try:
            await self.bot.edit_message_text(
                message.text, chat_id=chat_id, message_id=message_id,
                parse_mode=message.parse_mode, reply_markup=_markup(message.buttons),
                link_preview_options=_NO_PREVIEW)
        except TelegramError as exc:
            raise classify(exc) from exc
