"""What the sender needs from Telegram, and the outcomes it distinguishes.

This module owns the contract between the sender and Telegram, free of python-telegram-bot:
``MessageApi`` is what the sender calls (``bot.handlers.telegram_api.TelegramApi`` implements
it over the Bot API; tests may give their own), and the ``SendError`` kinds say what the sender
does next: ``RetryLater`` (429: pause everything), ``Transient`` (network, timeouts, 5xx: retry
with backoff), ``Unreachable`` (blocked, never started, deleted, chat gone: never retried) and
``Permanent`` (any other refusal).
"""

from __future__ import annotations

from typing import Protocol

from bot.notify.kinds import Rendered


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
