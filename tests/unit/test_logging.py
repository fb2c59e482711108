"""Structured, scrubbed logs (issue 8, item 5): the formatter and the redacting filter."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.logging_setup import PHONE_MASK, TOKEN_MASK, configure, redact, token_secrets

TOKEN = "7123456789:AAH3xKq9_zV-example-SECRET-part-0123"

PHONES = [
    "+905321234567", "+90 532 123 45 67", "+90 (532) 123-45-67", "905321234567",
    "05321234567", "0532 123 45 67", "0 (312) 123 45 67", "0312-123-4567",
    "532 123 45 67", "5321234567", "0090 532 123 45 67",
    "+44 20 7946 0958", "+1-202-555-0123", "+49 30 901820",
]

KEPT = [
    "update 30001 from chat 7101", "group -1001234567890", "2026-11-28 23:09:42,123",
    "took 0.512 s", "02.11.2026 10:00", "outbox row 48213 of notice 77", "Art. 11(3)",
    "25 messages/s, 16 in flight",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_are_masked_in_any_usual_format(phone: str) -> None:
    text = f"contact {{'phone_number': '{phone}'}}, then: {phone}."
    scrubbed = redact(text)
    assert scrubbed == f"contact {{'phone_number': '{PHONE_MASK}'}}, then: {PHONE_MASK}."


@pytest.mark.parametrize("text", KEPT)
def test_ids_times_and_figures_are_not_taken_for_phones(text: str) -> None:
    assert redact(text) == text


def test_the_token_is_masked_known_or_not_also_inside_urls() -> None:
    url = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage \"HTTP/1.1 200 OK\""
    assert redact(url, token_secrets(TOKEN)) == (
        f"POST https://api.telegram.org/bot{TOKEN_MASK}/sendMessage \"HTTP/1.1 200 OK\"")
    # a token the process was not told about still looks like one
    assert TOKEN not in redact(url) and "SECRET-part" not in redact(url)
    # a short test token is masked because it is known; its secret half on its own too
    short = "123456:TEST-TOKEN"
    assert redact(f"bot{short}/getMe and TEST-TOKEN", token_secrets(short)) == (
        f"bot{TOKEN_MASK}/getMe and {TOKEN_MASK}")


@contextlib.contextmanager
def logging_restored() -> Iterator[None]:
    """``configure`` changes the process's logging; put pytest's back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("httpx").level, sys.excepthook)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("httpx").setLevel(saved[2])
        sys.excepthook = saved[3]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    with logging_restored():
        configure("json", "INFO", secrets=token_secrets(TOKEN), stream=stream)
        yield stream


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_object_per_line_with_the_extra_fields(captured: io.StringIO) -> None:
    log = logging.getLogger("bot.notify.sender")
    log.info("giving up on outbox row %s after %d attempts", 48, 5,
             extra={"outbox_id": 48, "notice_id": 7})
    logging.getLogger("telegram.ext").warning("plain line\nwith a second line")
    first, second = lines(captured)
    assert first["level"] == "INFO" and first["logger"] == "bot.notify.sender"
    assert first["message"] == "giving up on outbox row 48 after 5 attempts"
    assert first["outbox_id"] == 48 and first["notice_id"] == 7
    assert str(first["time"]).endswith("Z") and "T" in str(first["time"])
    assert second["message"] == "plain line\nwith a second line"
    assert "exception" not in second


def test_secrets_are_scrubbed_from_message_args_extras_and_exception(
    captured: io.StringIO
) -> None:
    log = logging.getLogger("bot.handlers.common")
    try:
        raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/sendContact failed for "
                           "+90 532 123 45 67")
    except RuntimeError:
        log.exception("error while handling update %s: text was %r", 30001, "0532 123 45 67",
                      extra={"update_id": 30001, "note": "phone 905321234567"})
    logging.getLogger("httpx").warning("HTTP Request: POST https://x/bot%s/getMe", TOKEN)
    logging.getLogger("bot").info("contact %s of %s", "0532 123 45 67",
                                  extra={"params": {"phone": "+905321234567"}})
    out = captured.getvalue()
    for secret in (TOKEN, TOKEN.split(":")[1], "532 123 45 67", "5321234567"):
        assert secret not in out
    record, httpx, malformed = lines(captured)
    assert record["message"] == f"error while handling update 30001: text was '{PHONE_MASK}'"
    assert record["update_id"] == 30001 and record["note"] == f"phone {PHONE_MASK}"
    exception = str(record["exception"])
    assert exception.startswith("Traceback") and "RuntimeError" in exception
    assert f"bot{TOKEN_MASK}/sendContact" in exception and PHONE_MASK in exception
    assert httpx["message"] == f"HTTP Request: POST https://x/bot{TOKEN_MASK}/getMe"
    # a call whose arguments do not fit its message is still logged, and scrubbed
    assert malformed["message"] == f"contact %s of %s ('{PHONE_MASK}',)"
    assert malformed["params"] == f"{{'phone': '{PHONE_MASK}'}}"


def test_text_format_is_scrubbed_too_and_a_bad_format_is_refused() -> None:
    stream = io.StringIO()
    with logging_restored():
        configure("text", "WARNING", secrets=[TOKEN], stream=stream)
        logging.getLogger("bot").info("not shown")
        logging.getLogger("bot").warning("token %s phone %s", TOKEN, "+905321234567")
        with pytest.raises(ValueError):
            configure("xml")
    assert stream.getvalue().rstrip().endswith(
        f"WARNING bot: token {TOKEN_MASK} phone {PHONE_MASK}")
    assert "not shown" not in stream.getvalue()
