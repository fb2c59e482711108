"""Telegram's flood limits, kept on our side so that Telegram never has to enforce them.

This module owns the pacing of every message the bot sends: token buckets for the overall
rate (Telegram: about 30 messages/s per bot), the notification sender's own share of it
(default 25/s, leaving headroom for replies), one per private chat (1/s) and one per group
(20/min), plus a global pause after a 429 ``retry_after``.

Replies to users never wait here: they *debit* the shared buckets (which may go below zero),
so a running broadcast slows down by as much as the replies used, and the two together stay
under the overall limit. The sender *waits* for every bucket it needs.

Time comes from an injected monotonic function, so unit tests drive it by hand; ``scale`` runs
the limits that many times faster (more tokens per second, shorter pauses), to match a test
server whose limits are scaled the same way. No I/O and no telegram import here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Now = Callable[[], float]

# A chat's bucket is spaced this much wider than its nominal rate: two sends recorded by
# Telegram a hair under one second apart (network jitter) would otherwise count as a burst.
CHAT_MARGIN = 1.1
# Chat buckets idle long enough to be full again are dropped once there are this many.
MAX_IDLE_CHATS = 2000


class TokenBucket:
    """``rate`` tokens per second, holding at most ``capacity``. ``take`` may overdraw."""

    __slots__ = ("_now", "_stamp", "_tokens", "capacity", "rate")

    def __init__(self, rate: float, capacity: float, now: Now) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("a bucket needs a positive rate and room for one token")
        self.rate = rate
        self.capacity = capacity
        self._now = now
        self._tokens = capacity
        self._stamp = now()

    def _refill(self) -> None:
        now = self._now()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def wait_time(self) -> float:
        """Seconds until one whole token is there (0: now)."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self) -> None:
        self._refill()
        self._tokens -= 1

    def debit(self, floor: float) -> None:
        """Take one token without waiting, but owe at most down to `floor`: a burst of
        replies delays the sender a little, never for long."""
        self._refill()
        self._tokens = max(self._tokens - 1, min(self._tokens, floor))

    @property
    def full(self) -> bool:
        return self.tokens >= self.capacity


@dataclass(frozen=True, slots=True)
class Rates:
    """Limits in Telegram's seconds (before scaling)."""

    overall: float = 30.0          # everything the bot sends, replies included
    sender: float = 25.0           # the notification sender's share of `overall`
    per_chat: float = 1.0          # to one private chat
    per_group_minute: float = 20.0  # to one group or channel, per minute
    scale: float = 1.0             # run the limits this many times faster (tests only)


class Pacer:
    """The buckets of one bot, shared by the sender (which waits) and replies (which debit)."""

    def __init__(self, rates: Rates | None = None, now: Now = time.monotonic) -> None:
        self.rates = rates or Rates()
        scale = self.rates.scale
        self._now = now
        # A bucket of rate r and room for one admits up to r + 1 in a second: one less per
        # second keeps every 1-second window at `overall`, replies included.
        self.overall = TokenBucket(max(self.rates.overall - 1, 1) * scale, 1, now)
        # Room for one message more than the rate: a sender woken a little late (the event
        # loop's timers overshoot by a millisecond or so) catches up instead of losing that
        # time on every message; the worst 1-second window is then sender + 2 <= overall.
        self.sender = TokenBucket(self.rates.sender * scale, 2, now)
        self._chats: dict[int, TokenBucket] = {}
        self._paused_until = 0.0

    def now(self) -> float:
        return self._now()

    def _chat(self, chat_id: int) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= MAX_IDLE_CHATS:
                self._chats = {k: b for k, b in self._chats.items() if not b.full}
            rate = self.rates.per_chat
            if chat_id < 0:  # groups, supergroups and channels have negative ids
                rate = min(rate, self.rates.per_group_minute / 60)
            bucket = TokenBucket(rate * self.rates.scale / CHAT_MARGIN, 1, self._now)
            self._chats[chat_id] = bucket
        return bucket

    # --- the sender -----------------------------------------------------------------------

    def pause_left(self) -> float:
        return max(0.0, self._paused_until - self._now())

    def global_wait(self) -> float:
        """Seconds until the sender may send anything at all."""
        return max(self.pause_left(), self.overall.wait_time(), self.sender.wait_time())

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until one more message may go to this chat."""
        return self._chat(chat_id).wait_time()

    def wait(self, chat_id: int) -> float:
        return max(self.global_wait(), self.chat_wait(chat_id))

    def take(self, chat_id: int) -> None:
        """The sender sends one message to `chat_id` now."""
        self.overall.take()
        self.sender.take()
        self._chat(chat_id).take()

    def spent(self, chat_id: int) -> None:
        """A message may have just reached this chat (in flight at a crash): space the next
        one as if it had."""
        self._chat(chat_id).take()

    # --- everyone -------------------------------------------------------------------------

    def debit(self, chat_id: int | None) -> None:
        """A reply went out without waiting; the sender makes room for it. The debt is
        bounded (one second of the overall rate, one message to the chat): Telegram tolerates
        a short burst, and a long conversation must not hold the sender back for minutes."""
        self.overall.debit(-self.overall.rate)
        if chat_id is not None:
            self._chat(chat_id).debit(-1)

    def pause(self, retry_after: float) -> float:
        """Telegram answered 429: nothing is sent for `retry_after` Telegram seconds.
        Returns the pause in real seconds."""
        seconds = retry_after / self.rates.scale
        self._paused_until = max(self._paused_until, self._now() + seconds)
        return seconds

    def real_seconds(self, telegram_seconds: float) -> float:
        """A wait in Telegram's seconds (backoff, retry_after), in real seconds."""
        return telegram_seconds / self.rates.scale
