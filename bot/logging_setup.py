"""The process's logging: one place that configures it, one format, no secrets.

This module owns how ``python -m bot`` logs: records go to stderr either as one JSON object
per line (``BOT_LOG_FORMAT=json``, the default of ``run``: time, level, logger, message, the
record's extra fields such as ``update_id`` or ``outbox_id``, and the exception) or as plain
text lines (``text``, the default of the other commands). Every record first passes
``Redactor``, which removes the bot token (also inside Bot API URLs, as httpx and PTB write
them at DEBUG) and phone numbers, from the message, string extras, the exception and the
stack. Identifiers meant to be kept (update, chat, outbox ids) belong in integer extras, which
are left alone; free text is scrubbed, so a 10-digit Telegram id written into a message may
be masked along with the phone numbers it looks like.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

TOKEN_MASK = "<token>"
PHONE_MASK = "<phone>"
FORMATS = ("json", "text")

# A Bot API token: the bot's numeric id, a colon, 35 URL-safe characters (Telegram's own are
# 35; anything of 20+ is treated as one, so a test server's shorter tokens are caught too).
_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")

# Phone numbers as people type them and as Telegram and our store write them. Every digit
# group may be separated by spaces, dots, dashes or parentheses. Matched only when not glued
# to other word characters, and never after a minus (a group's chat id is -100...).
_SEP = r"[\s().\-/]{0,3}"


def _digits(n: int) -> str:
    return _SEP.join([r"\d"] * n)


_PHONE = re.compile("".join([
    r"(?<![\w+\-.])(?:",
    # international with a plus: +90 532 123 45 67, +44 20 7946 0958, +1-202-555-0123
    r"\+", _digits(8), r"(?:", _SEP, r"\d){0,7}",
    # international with 00: 0090 532 123 45 67
    r"|00", _digits(9), r"(?:", _SEP, r"\d){0,6}",
    # Turkish with the trunk 0: 0532 123 45 67, 0 (312) 123 45 67, 05321234567
    r"|0", _SEP, r"[2-5]", _SEP, _digits(9),
    # Turkish with the country code but no plus, as Telegram sends a contact: 905321234567
    r"|90", _SEP, r"[2-5]", _SEP, _digits(9),
    # a Turkish mobile number without prefix: 532 123 45 67, 5321234567
    r"|5", _SEP, _digits(9),
    r")(?!\w)",
]))

# LogRecord's own attributes; anything else on a record came in through ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without the given secrets, Bot API tokens and phone numbers."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, TOKEN_MASK)
    text = _TOKEN.sub(TOKEN_MASK, text)
    return _PHONE.sub(PHONE_MASK, text)


def token_secrets(token: str | None) -> list[str]:
    """The token and its secret half (after the bot id), each masked wherever it appears."""
    if not token:
        return []
    secret = token.split(":", 1)[-1]
    return [token, secret] if len(secret) >= 8 else [token]


class Redactor(logging.Filter):
    """Scrubs a record in place, before any handler formats it (attached to the handler, so
    it sees records of every logger: ours, PTB's, httpx's, warnings)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call must not raise where it logs
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _format_exception(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        for key, value in list(vars(record).items()):
            if key in _STANDARD or value is None or isinstance(value, (bool, int, float)):
                continue  # identifiers and figures stay as they are
            setattr(record, key, redact(str(value), self.secrets))
        return True


def _format_exception(exc_info: Any) -> str:
    if not isinstance(exc_info, tuple):
        return ""
    return "".join(traceback.format_exception(*exc_info)).rstrip()


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the exception, if any, as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = _format_exception(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(fmt: str = "json", level: str | int = "INFO", secrets: Iterable[str] = (),
              stream: Any = None) -> logging.Handler:
    """Send every record to ``stream`` (stderr) in ``fmt``, scrubbed; returns the handler.

    Replaces whatever handlers the root logger had. httpx logs every request at INFO with its
    URL; it is kept at WARNING unless DEBUG is asked for (and then the token is masked)."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(Redactor(secrets))
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    numeric = root.getEffectiveLevel()
    logging.getLogger("httpx").setLevel(logging.DEBUG if numeric <= logging.DEBUG
                                        else logging.WARNING)
    # PTB's warnings and an uncaught exception leave through the same scrubbed handler.
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    return handler


def _log_uncaught(kind: type[BaseException], value: BaseException,
                  tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("bot").critical("uncaught exception", exc_info=(kind, value, tb))
