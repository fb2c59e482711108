"""Token buckets and the pacer, on a clock moved by hand (no sleeping)."""

from __future__ import annotations

import pytest

from bot.notify.limits import CHAT_MARGIN, Pacer, Rates, TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def sends_in(pacer: Pacer, chat_ids: list[int], seconds: float, clock: FakeTime,
             step: float = 0.001) -> dict[int, int]:
    """Send greedily to `chat_ids` (round robin) for `seconds`; count sends per chat."""
    sent = dict.fromkeys(chat_ids, 0)
    end = clock.t + seconds
    i = 0
    while clock.t < end:
        chat = chat_ids[i % len(chat_ids)]
        if pacer.wait(chat) <= 0:
            pacer.take(chat)
            sent[chat] += 1
        i += 1
        clock.advance(step)
    return sent


def test_a_bucket_refills_at_its_rate_and_caps_at_its_capacity() -> None:
    clock = FakeTime()
    bucket = TokenBucket(2.0, 1, clock)
    assert bucket.wait_time() == 0
    bucket.take()
    assert bucket.wait_time() == pytest.approx(0.5)
    clock.advance(10)
    assert bucket.tokens == 1  # capped
    bucket.take()
    bucket.take()  # overdraw
    assert bucket.wait_time() == pytest.approx(1.0)


def test_the_sender_keeps_its_share_of_the_overall_rate() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(overall=30, sender=25), clock)
    sent = sends_in(pacer, list(range(1, 1001)), 10.0, clock)
    assert 249 <= sum(sent.values()) <= 252  # 25/s


def test_no_second_holds_more_than_the_overall_limit_replies_included() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(overall=30, sender=30), clock)
    times: list[float] = []
    end = clock.t + 5
    chat = 0
    while clock.t < end:
        chat += 1
        if chat % 100 == 0:
            pacer.debit(chat)  # a reply (5/s), never waiting
            times.append(clock.t)
        elif pacer.wait(chat) <= 0:
            pacer.take(chat)
            times.append(clock.t)
        clock.advance(0.002)
    worst = max(sum(1 for u in times if t <= u < t + 1) for t in times)
    assert worst <= 30  # replies do not wait; the sender keeps the rest under the limit


def test_no_second_holds_more_than_the_sender_rate_plus_two() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(overall=30, sender=25), clock)
    times: list[float] = []
    end = clock.t + 5
    chat = 0
    while clock.t < end:
        chat += 1
        if pacer.wait(chat) <= 0:
            pacer.take(chat)
            times.append(clock.t)
        clock.advance(0.003)
    worst = max(sum(1 for u in times if t <= u < t + 1) for t in times)
    assert worst <= 27


def test_one_chat_gets_at_most_one_message_per_second() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(), clock)
    sent = sends_in(pacer, [42], 10.0, clock)
    assert sent[42] == pytest.approx(10 / CHAT_MARGIN, abs=1)


def test_a_group_gets_at_most_twenty_messages_a_minute() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(), clock)
    sent = sends_in(pacer, [-100], 60.0, clock, step=0.01)
    assert sent[-100] <= 20


def test_replies_never_wait_but_slow_the_sender_down() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(overall=30, sender=25), clock)
    for _ in range(30):
        pacer.debit(7)  # a burst of replies: the overall bucket owes a second (29/s + 1)
    assert pacer.global_wait() == pytest.approx(30 / 29, abs=0.01)
    assert pacer.chat_wait(7) == pytest.approx(2 * CHAT_MARGIN)  # the debt is bounded
    for _ in range(100):
        pacer.debit(8)
    assert pacer.global_wait() == pytest.approx(30 / 29, abs=0.01)


def test_retry_after_pauses_everything_and_scales() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(scale=10), clock)
    assert pacer.pause(3) == pytest.approx(0.3)
    assert pacer.global_wait() == pytest.approx(0.3)
    clock.advance(0.31)
    assert pacer.global_wait() == 0
    assert pacer.real_seconds(2) == pytest.approx(0.2)


def test_a_scaled_pacer_sends_scale_times_faster() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(overall=30, sender=25, scale=10), clock)
    sent = sends_in(pacer, list(range(1, 5001)), 1.0, clock, step=0.0001)
    assert 249 <= sum(sent.values()) <= 252


def test_idle_chat_buckets_are_forgotten() -> None:
    clock = FakeTime()
    pacer = Pacer(Rates(), clock)
    for chat in range(3000):
        pacer.take(chat)
        clock.advance(0.01)
    clock.advance(5)
    pacer.take(99999)
    assert len(pacer._chats) < 2100
