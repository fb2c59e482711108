"""The rate limiter of the Application's bot: replies go at once and debit the shared limits.

This module owns what replaces PTB's ``AIORateLimiter`` for everything the handlers send. A
reply to someone's own message is at most a few messages per user action and must not wait
behind a broadcast, so it is never delayed here; it only *debits* the buckets the notification
sender waits for (``bot.notify.limits.Pacer``), so that replies and a running broadcast
together stay under Telegram's overall limit. On a 429 the reply waits ``retry_after`` and is
tried again (at most ``max_retries`` times), and the sender pauses for as long; unlike
``AIORateLimiter``, other replies are not halted by one chat's 429.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.handlers.telegram_api import retry_seconds
from bot.notify.limits import Pacer

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]


class ReplyRateLimiter(BaseRateLimiter[int]):
    def __init__(self, pacer: Pacer, max_retries: int = 2) -> None:
        self.pacer = pacer
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up: the buckets belong to the pacer."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            if chat_id is not None:
                try:
                    self.pacer.debit(int(chat_id))
                except (TypeError, ValueError):  # "@channelname"
                    self.pacer.debit(None)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = self.pacer.pause(retry_seconds(exc))
                log.info("%s hit flood control; retrying in %.1f s", endpoint, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
