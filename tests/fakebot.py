"""A small but faithful fake of the Telegram Bot API, served over HTTP on 127.0.0.1.

This module owns the test double that end-to-end tests run the real python-telegram-bot
``Application`` against (``ApplicationBuilder().base_url(fake.base_url)
.base_file_url(fake.base_file_url)``, or simply ``fake.builder()``), and that tests of the
notification engine use for fault injection and send-rate measurement.  It owns:

* the HTTP server (aiohttp, ephemeral port) speaking the Bot API wire format the way PTB uses it:
  ``POST /bot<token>/<method>`` with form fields (complex values JSON-encoded), multipart uploads,
  JSON bodies or query strings; ``GET /file/bot<token>/<file_path>`` for downloads;
* the simulated Telegram state: chats, their message histories (message ids per chat), files,
  the update queue (long polling with ``offset`` confirmation, or webhook delivery with retries),
  callback queries, bot commands per scope and language, menu buttons;
* Telegram's observable behaviours that bots commonly get wrong: ``parse_mode`` parsing (HTML,
  MarkdownV2, Markdown) into plain text plus entities with "can't parse entities" errors,
  "message is not modified", the inline keyboard being removed by an edit that omits
  ``reply_markup``, ``callback_data`` limited to 64 bytes, message/caption length limits, 403s for
  blocked / deactivated / never-started users, 400 "chat not found", 409 for concurrent
  ``getUpdates`` and for ``getUpdates`` while a webhook is set;
* the simulated people (:class:`FakeUser`, :class:`FakeChat`) that produce updates shaped like
  Telegram's, and each keeps a cursor into its chat's log of what the bot did
  (sent / edited / deleted messages) so tests can read replies in order;
* fault injection (:meth:`FakeBotAPI.fail_next`, :meth:`~FakeBotAPI.block`,
  :meth:`~FakeBotAPI.deactivate`), optional flood limits answered with 429 + ``retry_after``
  (:meth:`~FakeBotAPI.enforce_limits`), and a record of every API call and successful send.

Everything is deterministic: waiting is done on an internal change event with bounded timeouts
that raise :class:`AssertionError` naming what was awaited.  Things it deliberately does not do:
inline mode, payments, media groups, business connections, forwarding/copying; unknown methods
answer 404 "Not Found: method not found" (which PTB surfaces as ``InvalidToken``).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import re
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

import aiohttp
from aiohttp import web

if TYPE_CHECKING:
    from telegram.ext import Application, ApplicationBuilder

__all__ = [
    "ApiCall",
    "BotMessage",
    "FakeBotAPI",
    "FakeChat",
    "FakeUser",
    "Fault",
    "UploadedFile",
    "WebhookDelivery",
    "free_port",
]

JSON = dict[str, Any]
FaultKind = Literal["retry_after", "server_error", "bad_request", "forbidden", "network", "slow"]
EventKind = Literal["sent", "edited", "deleted"]

#: Telegram's limits the fake checks.
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024

#: A tiny valid JPEG-ish payload used as the default photo content.
DEFAULT_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
#: Update types delivered when the bot never specified ``allowed_updates``.
_DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "purchased_paid_media",
        "chat_boost",
        "removed_chat_boost",
    }
)
#: Form fields whose values PTB sends as plain strings (everything else is JSON-encoded).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "language_code",
        "file_id",
        "action",
        "inline_message_id",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "title",
        "description",
        "short_description",
        "name",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "address",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "document",
        "photo",
        "audio",
        "video",
        "voice",
        "sticker",
        "animation",
        "video_note",
        "thumbnail",
        "certificate",
        "custom_title",
        "invite_link",
        "question",
        "explanation",
        "payload",
        "provider_token",
        "currency",
        "start_parameter",
        "sticker_set_name",
        "web_app_query_id",
        "result_id",
        "next_offset",
        "type",
    }
)
_MEDIA_KINDS: dict[str, tuple[str, str]] = {
    # send method param -> (folder of file_path, default extension)
    "document": ("documents", "bin"),
    "photo": ("photos", "jpg"),
    "audio": ("music", "mp3"),
    "video": ("videos", "mp4"),
    "voice": ("voice", "oga"),
    "animation": ("animations", "mp4"),
    "sticker": ("stickers", "webp"),
}


# ----------------------------------------------------------------------------------------------
# Public records
# ----------------------------------------------------------------------------------------------


@dataclass
class Fault:
    """An error the fake answers instead of (or, with ``performed``, after) running a method.

    ``kind``:
      * ``"retry_after"``: 429 "Too Many Requests: retry after N" with ``parameters.retry_after``
        (PTB raises ``RetryAfter``);
      * ``"server_error"``: HTTP ``status`` (default 500) (PTB raises ``NetworkError``);
      * ``"bad_request"``: 400 (``BadRequest``); ``"forbidden"``: 403 (``Forbidden``);
      * ``"network"``: the connection is closed without an answer (``NetworkError``);
      * ``"slow"``: no error at all: the call is held ``delay`` seconds, then carried out and
        answered normally (a slow Telegram, or a request in flight at a chosen moment).

    ``performed``: carry the method out first (the message *is* sent) and only then fail, i.e.
    the answer is lost - what a client sees on a timeout after Telegram accepted the request.
    ``delay``: seconds to hold the request before answering/failing.
    """

    kind: FaultKind
    retry_after: int = 1
    status: int = 500
    description: str = ""
    performed: bool = False
    delay: float = 0.0


@dataclass
class UploadedFile:
    """One multipart file part of a request."""

    field: str
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class ApiCall:
    """One HTTP request the bot made.  The outcome fields are filled in when it is answered."""

    method: str
    params: JSON
    time: float
    files: dict[str, UploadedFile] = field(default_factory=dict)
    http_status: int | None = None
    ok: bool | None = None
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    fault: Fault | None = None

    @property
    def done(self) -> bool:
        """Whether the request has been answered (or dropped)."""
        return self.ok is not None

    @property
    def chat_id(self) -> int | str | None:
        """The ``chat_id`` parameter, if any."""
        return cast("int | str | None", self.params.get("chat_id"))

    def __str__(self) -> str:
        outcome = "pending" if self.ok is None else "ok" if self.ok else f"{self.description}"
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        return f"{self.method}({shown}) -> {outcome}"


@dataclass
class BotMessage:
    """A snapshot of one message the bot sent, as it was at the moment of the event.

    ``text`` is the text or caption *after* Telegram parsed ``parse_mode`` (markup removed; see
    ``entities``); ``raw_text`` is what the bot sent.  ``reply_markup`` is the markup as the bot
    sent it (also reply keyboards, which Telegram does not echo in the returned Message).
    ``document``/``photo``: ``{"file_id", "file_unique_id", "file_name", "mime_type",
    "file_size", "content": bytes}``.  ``event`` says what happened: sent, edited or deleted.
    """

    message_id: int
    chat_id: int
    text: str | None
    reply_markup: JSON | None
    document: JSON | None
    edited: bool
    parse_mode: str | None
    raw_text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    photo: JSON | None = None
    deleted: bool = False
    event: EventKind = "sent"
    raw: JSON = field(default_factory=dict)

    def _inline_buttons(self) -> list[JSON]:
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def buttons(self) -> list[str]:
        """Inline button texts, row-major (URL and other non-callback buttons included)."""
        return [str(button.get("text")) for button in self._inline_buttons()]

    def button_rows(self) -> list[list[str]]:
        """Inline button texts, row by row."""
        markup = self.reply_markup or {}
        return [[str(b.get("text")) for b in row] for row in markup.get("inline_keyboard") or []]

    def keyboard(self) -> list[str]:
        """Reply-keyboard button texts, row-major (empty if the markup is not a reply keyboard)."""
        markup = self.reply_markup or {}
        rows = markup.get("keyboard") or []
        return [b if isinstance(b, str) else str(b.get("text")) for row in rows for b in row]

    def button(self, text: str) -> JSON:
        """The inline button (its JSON) whose text equals, or else uniquely contains, ``text``."""
        buttons = self._inline_buttons()
        exact = [b for b in buttons if b.get("text") == text]
        found = exact or [b for b in buttons if text in str(b.get("text"))]
        if len(found) != 1:
            problem = "no" if not found else "ambiguous"
            raise AssertionError(
                f"{problem} inline button matching {text!r} on message {self.message_id} in "
                f"chat {self.chat_id}; buttons: {self.buttons()}"
            )
        return found[0]

    def button_data(self, text: str) -> str:
        """The ``callback_data`` of the button matching ``text`` (see :meth:`button`)."""
        button = self.button(text)
        if "callback_data" not in button:
            raise AssertionError(f"button {button.get('text')!r} has no callback_data: {button}")
        return str(button["callback_data"])

    def __str__(self) -> str:
        flags = {"sent": "", "edited": " (edited)", "deleted": " (deleted)"}[self.event]
        parts = [f"#{self.message_id}{flags}: {self.text!r}"]
        if self.document:
            parts.append(f"document={self.document.get('file_name')!r}")
        if self.photo:
            parts.append("photo")
        if self.buttons():
            parts.append(f"buttons={self.buttons()}")
        if self.keyboard():
            parts.append(f"keyboard={self.keyboard()}")
        return " ".join(parts)


@dataclass
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    time: float


# ----------------------------------------------------------------------------------------------
# Internals
# ----------------------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class _EntityError(Exception):
    pass


@dataclass
class _FileRecord:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def public(self) -> JSON:
        out: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name is not None:
            out["file_name"] = self.file_name
        if self.mime_type is not None:
            out["mime_type"] = self.mime_type
        return out

    def snapshot(self) -> JSON:
        return {**self.public(), "file_name": self.file_name, "content": self.content}


@dataclass
class _Msg:
    data: JSON
    from_bot: bool
    sender_id: int | None
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    document: _FileRecord | None = None
    photo: _FileRecord | None = None
    edited: bool = False
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    def content_text(self) -> str | None:
        text = self.data.get("text", self.data.get("caption"))
        return None if text is None else str(text)

    def entities(self) -> list[JSON]:
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])


@dataclass
class _Chat:
    id: int
    type: str
    info: JSON
    username: str | None = None
    started: bool = True
    blocked: bool = False
    deactivated: bool = False
    bot_member: bool = True
    next_message_id: int = 1
    messages: dict[int, _Msg] = field(default_factory=dict)
    log: list[BotMessage] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    members: dict[int, str] = field(default_factory=dict)

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bot_messages(self) -> list[_Msg]:
        return [m for m in self.messages.values() if m.from_bot and not m.deleted]


@dataclass
class _Update:
    update_id: int
    data: JSON

    @property
    def type(self) -> str:
        return next((k for k in self.data if k != "update_id"), "")


@dataclass
class _Callback:
    query_id: str
    sender: FakeUser
    answered: JSON | None = None


@dataclass
class _Limit:
    count: int
    window: float

    @classmethod
    def per(cls, rate: float, unit: float, scale: float) -> _Limit:
        """``rate`` sends per ``unit`` seconds, on a clock running ``scale`` times faster."""
        if rate <= 0:
            raise ValueError("rates must be positive")
        count = max(1, math.floor(rate))
        return cls(count=count, window=unit * count / rate / scale)


def _u16(text: str) -> int:
    """Length in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (for PTB's webhook server in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _decode_param(name: str, raw: str) -> Any:
    """Undo PTB's form encoding: complex/non-string values arrive JSON-encoded."""
    if name in _STRING_PARAMS:
        return raw
    if name in ("chat_id", "from_chat_id"):
        with contextlib.suppress(ValueError):
            return int(raw)
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


# --- parse_mode ------------------------------------------------------------------------------


class _TextBuilder:
    """Accumulates plain text and entities, tracking UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSON] = []

    def emit(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.pos += _u16(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            length = self.pos - start
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def result(self) -> tuple[str, list[JSON]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), entities


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_START = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[^\s=>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>"
)
_HTML_ATTR = re.compile(r"([^\s=>]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_HTML_END = re.compile(r"</\s*([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_HTML_CHARREF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")


def _html_unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        ref = match.group(1)
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
        if ref.startswith(("#x", "#X")):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return named.get(ref, match.group(0))

    return _HTML_CHARREF.sub(repl, text)


def _parse_html(src: str) -> tuple[str, list[JSON]]:
    out = _TextBuilder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i = 0
    while i < len(src):
        char = src[i]
        if char == "<":
            end_match = _HTML_END.match(src, i)
            if end_match:
                name = end_match.group(1).lower()
                if not stack:
                    raise _EntityError(
                        f'Unexpected end tag "{name}" at byte offset {_byte_offset(src, i)}'
                    )
                tag, start, attrs = stack.pop()
                if name != tag:
                    raise _EntityError(f'Can\'t find end tag corresponding to start tag "{tag}"')
                _html_entity(out, tag, start, attrs, stack)
                i = end_match.end()
                continue
            start_match = _HTML_START.match(src, i)
            if not start_match:
                raise _EntityError(
                    f"Unclosed start tag at byte offset {_byte_offset(src, i)}"
                    if ">" not in src[i:]
                    else f"Unsupported start tag at byte offset {_byte_offset(src, i)}"
                )
            name = start_match.group(1).lower()
            if name not in _HTML_TAGS:
                raise _EntityError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, i)}'
                )
            attrs = {
                key.lower(): _html_unescape(value.strip("\"'")) if value else ""
                for key, value in _HTML_ATTR.findall(start_match.group(2))
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _EntityError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(src, i)}"
                )
            stack.append((name, out.pos, attrs))
            i = start_match.end()
        elif char == "&":
            ref = _HTML_CHARREF.match(src, i)
            if ref:
                out.emit(_html_unescape(ref.group(0)))
                i = ref.end()
            else:
                out.emit("&")
                i += 1
        else:
            nxt = min((j for j in (src.find("<", i), src.find("&", i)) if j >= 0), default=-1)
            end = len(src) if nxt < 0 else nxt
            out.emit(src[i:end])
            i = end
    if stack:
        raise _EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _html_entity(
    out: _TextBuilder,
    tag: str,
    start: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
) -> None:
    kind = _HTML_TAGS[tag]
    if tag == "a":
        href = attrs.get("href")
        if href:
            out.entity("text_link", start, url=href)
    elif tag == "code" and stack and stack[-1][0] == "pre" and attrs.get("class", ""):
        language = attrs["class"].removeprefix("language-")
        stack[-1][2]["__language"] = language
    elif tag == "pre" and "__language" in attrs:
        out.entity("pre", start, language=attrs["__language"])
    elif tag == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
    elif tag == "tg-emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.entity(kind, start)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}
_MDV2_TYPES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def _mdv2_read_until(src: str, i: int, closer: str, escapable: str) -> tuple[str, int]:
    """Read from ``i`` up to an unescaped ``closer``; returns (content, index after closer)."""
    parts: list[str] = []
    while i < len(src):
        if src[i] == "\\" and i + 1 < len(src) and src[i + 1] in escapable:
            parts.append(src[i + 1])
            i += 2
            continue
        if src.startswith(closer, i):
            return "".join(parts), i + len(closer)
        parts.append(src[i])
        i += 1
    raise _EntityError("EOF")


def _parse_markdown_v2(src: str) -> tuple[str, list[JSON]]:
    out = _TextBuilder()
    stack: list[tuple[str, int, int]] = []  # marker, utf16 start, src index
    quote_start: int | None = None
    i = 0
    while i < len(src):
        char = src[i]
        line_start = i == 0 or src[i - 1] == "\n"
        if char == "\\":
            if i + 1 < len(src) and 0 < ord(src[i + 1]) < 127:
                out.emit(src[i + 1])
                i += 2
                continue
            raise _EntityError(
                "Character '\\' is reserved and must be escaped with the preceding '\\'"
            )
        if char == "`":
            begin = i
            fence = "```" if src.startswith("```", i) else "`"
            try:
                content, i = _mdv2_read_until(src, i + len(fence), fence, "`\\")
            except _EntityError:
                name = "Pre" if fence == "```" else "Code"
                raise _EntityError(
                    f"Can't find end of {name} entity at byte offset {_byte_offset(src, begin)}"
                ) from None
            start = out.pos
            if fence == "```":
                language, newline, body = content.partition("\n")
                if newline and language and " " not in language:
                    out.emit(body)
                    out.entity("pre", start, language=language)
                else:
                    out.emit(content)
                    out.entity("pre", start)
            else:
                out.emit(content)
                out.entity("code", start)
            continue
        if char == ">" and line_start:
            if quote_start is None:
                quote_start = out.pos
            i += 1
            continue
        if char == "\n" and quote_start is not None and not src.startswith(">", i + 1):
            out.entity("blockquote", quote_start)
            quote_start = None
        marker = (
            "__"
            if src.startswith("__", i)
            else "||"
            if src.startswith("||", i)
            else char
            if char in "*_~["
            else ""
        )
        if marker:
            if stack and stack[-1][0] == marker and marker != "[":
                _, start, _ = stack.pop()
                out.entity(_MDV2_TYPES[marker], start)
            else:
                stack.append((marker, out.pos, i))
            i += len(marker)
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            if not src.startswith("(", i + 1):
                raise _EntityError(
                    "Character ']' is reserved and must be escaped with the preceding '\\'"
                )
            try:
                url, i = _mdv2_read_until(src, i + 2, ")", ")\\")
            except _EntityError:
                raise _EntityError(
                    f"Can't find end of a url at byte offset {_byte_offset(src, i)}"
                ) from None
            _, start, _ = stack.pop()
            out.entity("text_link", start, url=url)
            continue
        if char in _MDV2_RESERVED:
            raise _EntityError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.emit(char)
        i += 1
    if stack:
        marker, _, index = stack[-1]
        raise _EntityError(
            f"Can't find end of {_MDV2_NAMES[marker]} entity at byte offset "
            f"{_byte_offset(src, index)}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def _parse_markdown(src: str) -> tuple[str, list[JSON]]:
    out = _TextBuilder()
    i = 0
    while i < len(src):
        char = src[i]
        if char == "\\" and i + 1 < len(src) and src[i + 1] in "_*`[":
            out.emit(src[i + 1])
            i += 2
            continue
        if char in "*_`":
            fence = "```" if src.startswith("```", i) else char
            end = src.find(fence, i + len(fence))
            if end < 0:
                raise _EntityError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = out.pos
            out.emit(src[i + len(fence) : end])
            kind = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[fence]
            out.entity(kind, start)
            i = end + len(fence)
            continue
        if char == "[":
            link = _MD_LINK.match(src, i)
            if link:
                start = out.pos
                out.emit(link.group(1))
                out.entity("text_link", start, url=link.group(2))
                i = link.end()
                continue
        out.emit(char)
        i += 1
    return out.result()


def _apply_parse_mode(text: str, parse_mode: str | None) -> tuple[str, list[JSON]]:
    """Telegram's conversion of ``text`` + ``parse_mode`` into plain text and entities."""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown_v2(text)
        if mode == "markdown":
            return _parse_markdown(text)
    except _EntityError as exc:
        raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    if mode:
        raise _ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
    return text, []


_CMD_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?!\S)")
_URL_RE = re.compile(r"https?://[^\s]+")
_MENTION_RE = re.compile(r"(?<!\S)@[A-Za-z0-9_]{5,32}\b")


def _detect_entities(text: str) -> list[JSON]:
    """The entities Telegram clients/servers attach to a plain text a user typed."""
    found: list[JSON] = []
    for kind, pattern in (("bot_command", _CMD_RE), ("url", _URL_RE), ("mention", _MENTION_RE)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": _u16(text[: match.start()]),
                    "length": _u16(match.group(0)),
                }
            )
    return sorted(found, key=lambda e: int(e["offset"]))


_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)


def _check_markup(markup: Any, *, inline_only: bool = False) -> JSON | None:
    """Validate ``reply_markup`` like Telegram; returns it (as a dict) or None."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _ApiError(
                        400, "Bad Request: can't parse inline keyboard button: Text is empty"
                    )
                if not any(key in button for key in _INLINE_ACTIONS):
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text buttons are "
                        "unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not re.match(r"(https?|tg)://\S+$", str(url)):
                    raise _ApiError(
                        400,
                        f"Bad Request: inline keyboard button URL '{url}' is invalid: "
                        "Wrong HTTP URL",
                    )
        return markup
    if inline_only:
        raise _ApiError(400, "Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _ApiError(400, 'Bad Request: field "keyboard" must be an Array')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if not text:
                    raise _ApiError(400, "Bad Request: keyboard button text is empty")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")


def _echoed_markup(markup: JSON | None) -> JSON | None:
    """Telegram only echoes inline keyboards in returned Message objects."""
    if markup and "inline_keyboard" in markup:
        return copy.deepcopy(markup)
    return None


# ----------------------------------------------------------------------------------------------
# Chat views: what a person / group sees of the bot
# ----------------------------------------------------------------------------------------------


class _ChatView:
    """A cursor into one chat's log of bot actions (sent / edited / deleted messages)."""

    def __init__(self, fake: FakeBotAPI, chat: _Chat) -> None:
        self._fake = fake
        self._chat = chat
        self._cursor = 0

    @property
    def chat_id(self) -> int:
        """The chat this view reads."""
        return self._chat.id

    def messages(self) -> list[BotMessage]:
        """Current state of the bot's messages in this chat (after edits, without deleted)."""
        return self._fake.messages(self._chat.id)

    def last_message(self) -> BotMessage:
        """Current state of the bot's most recent live message in this chat."""
        messages = self.messages()
        if not messages:
            raise AssertionError(f"the bot has no messages in chat {self._chat.id}")
        return messages[-1]

    def pending(self) -> list[BotMessage]:
        """Bot actions after the cursor that :meth:`reply` has not returned yet."""
        return list(self._chat.log[self._cursor :])

    def assert_no_reply(self) -> None:
        """Fail if the bot did anything in this chat that has not been read with :meth:`reply`.

        Combine with ``await fake.wait_idle()`` to assert that the bot stayed silent.
        """
        pending = [e for e in self.pending() if e.event != "deleted"]
        if pending:
            shown = "\n  ".join(str(e) for e in pending)
            raise AssertionError(f"unexpected bot activity in chat {self._chat.id}:\n  {shown}")

    def _next_index(self, include_deletions: bool) -> int | None:
        while self._cursor < len(self._chat.log):
            event = self._chat.log[self._cursor]
            if include_deletions or event.event != "deleted":
                return self._cursor
            self._cursor += 1
        return None

    async def reply(self, timeout: float = 5.0, *, include_deletions: bool = False) -> BotMessage:  # noqa: ASYNC109
        """The next thing the bot did in this chat after the previous call (a new message or an
        edit, as a snapshot; deletions too if ``include_deletions``)."""
        ok = await self._fake._wait_until(
            lambda: self._next_index(include_deletions) is not None, timeout
        )
        index = self._next_index(include_deletions)
        if not ok or index is None:
            raise AssertionError(
                f"no reply from the bot in chat {self._chat.id} within {timeout}s "
                f"(after {self._cursor} bot events)\n{self._fake._history(self._chat)}"
            )
        self._cursor = index + 1
        return self._chat.log[index]

    async def replies(self, n: int, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """The next ``n`` replies (see :meth:`reply`), all within one ``timeout``."""
        deadline = time.monotonic() + timeout
        got: list[BotMessage] = []
        for _ in range(n):
            try:
                got.append(await self.reply(max(0.0, deadline - time.monotonic())))
            except AssertionError as exc:
                raise AssertionError(
                    f"expected {n} replies in chat {self._chat.id} within {timeout}s, got "
                    f"{len(got)}: {[str(m) for m in got]}\n{exc}"
                ) from None
        return got

    async def expect(self, contains: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Skip forward to the next bot message/edit whose text contains ``contains``."""
        deadline = time.monotonic() + timeout
        seen: list[BotMessage] = []
        while True:
            try:
                message = await self.reply(max(0.0, deadline - time.monotonic()))
            except AssertionError:
                shown = "\n  ".join(str(m) for m in seen) or "(nothing)"
                raise AssertionError(
                    f"no bot message containing {contains!r} in chat {self._chat.id} within "
                    f"{timeout}s; seen meanwhile:\n  {shown}\n{self._fake._history(self._chat)}"
                ) from None
            if contains in (message.text or ""):
                return message
            seen.append(message)


class FakeUser(_ChatView):
    """A person; their private chat with the bot has chat id == user id.

    Create with :meth:`FakeBotAPI.user` (or :meth:`FakeBotAPI.never_started`).  The methods
    that send things build updates shaped like Telegram's and queue them for the bot; the
    ``reply``/``expect`` family reads what the bot did in the private chat.
    """

    def __init__(
        self,
        fake: FakeBotAPI,
        chat: _Chat,
        first_name: str,
        last_name: str | None,
        language_code: str | None,
        username: str | None,
    ) -> None:
        super().__init__(fake, chat)
        self.id = chat.id
        self.first_name = first_name
        self.last_name = last_name
        self.language_code = language_code
        self.username = username
        self.last_callback_answer: JSON | None = None
        self._last_query: _Callback | None = None

    def as_json(self) -> JSON:
        """The ``User`` object Telegram puts in ``from``."""
        out: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            out["last_name"] = self.last_name
        if self.username is not None:
            out["username"] = self.username
        if self.language_code is not None:
            out["language_code"] = self.language_code
        return out

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    # --- sending -----------------------------------------------------------------------------

    async def send_text(self, text: str) -> JSON:
        """Send a text message (commands get their ``bot_command`` entity); returns it."""
        return await self._fake._user_message(self._chat, self, _text_content(text))

    async def command(self, name: str, args: str = "") -> JSON:
        """Send ``/name args``."""
        return await self.send_text(_command_text(name, args))

    async def share_contact(
        self,
        phone_number: str,
        contact_user_id: int | Literal["self"] | None = "self",
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """Share a contact; by default one's own (``user_id`` == own id, own first name).
        Pass another id, or None, for someone else's contact."""
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or (self.first_name if contact_user_id == "self" else "Kişi"),
        }
        if last_name is not None:
            contact["last_name"] = last_name
        if contact_user_id == "self":
            contact["user_id"] = self.id
        elif contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return await self._fake._user_message(self._chat, self, {"contact": contact})

    async def send_photo(self, content: bytes = DEFAULT_JPEG, caption: str | None = None) -> JSON:
        """Send a photo (two PhotoSize entries, both downloadable via getFile)."""
        return await self._fake._user_message(
            self._chat, self, self._fake._photo_content(content, caption)
        )

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> JSON:
        """Send a file as a document."""
        return await self._fake._user_message(
            self._chat, self, self._fake._document_content(filename, content, mime_type, caption)
        )

    async def send_sticker(self, emoji: str = "👍") -> JSON:
        """Send a (static) sticker."""
        return await self._fake._user_message(self._chat, self, self._fake._sticker_content(emoji))

    async def send_voice(self, content: bytes = b"OggS-fake-voice", duration: int = 3) -> JSON:
        """Send a voice note."""
        return await self._fake._user_message(
            self._chat, self, self._fake._voice_content(content, duration)
        )

    async def send_location(self, lat: float, lon: float) -> JSON:
        """Send a location."""
        content = {"location": {"latitude": lat, "longitude": lon}}
        return await self._fake._user_message(self._chat, self, content)

    async def edit_text(self, message_id: int, text: str) -> JSON:
        """Edit one of this user's earlier text messages (an ``edited_message`` update)."""
        return await self._fake._user_edit(self._chat, self, message_id, text)

    async def press(self, button_text: str, message: BotMessage | None = None) -> JSON:
        """Press the inline button whose text equals (or else uniquely contains)
        ``button_text``, on ``message`` or else on the most recent bot message that has one.
        Returns the ``callback_query`` object sent to the bot."""
        return await self._fake._press(self._chat, self, button_text, message)

    async def press_data(self, data: str, message_id: int) -> JSON:
        """Send a callback query with arbitrary (forged / replayed) data for ``message_id``."""
        return await self._fake._press_data(self._chat, self, data, message_id)

    async def tap(self, text: str) -> JSON:
        """Tap a reply-keyboard button: asserts it is on the keyboard currently shown in this
        chat and sends its text (for ``request_contact`` buttons use :meth:`share_contact`)."""
        keyboard = self._fake._current_keyboard(self._chat)
        if text not in keyboard:
            raise AssertionError(
                f"no reply-keyboard button {text!r} in chat {self.id}; keyboard: {keyboard}"
            )
        return await self.send_text(text)

    def keyboard(self) -> list[str]:
        """The reply keyboard currently shown in this chat (empty if none/removed)."""
        return self._fake._current_keyboard(self._chat)

    async def answer(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Wait until the bot answered this user's last callback query; returns the
        answerCallbackQuery parameters (``text``, ``show_alert``, ...)."""
        query = self._last_query
        if query is None:
            raise AssertionError(f"{self!r} has not pressed any button")
        ok = await self._fake._wait_until(lambda: query.answered is not None, timeout)
        if not ok or query.answered is None:
            raise AssertionError(
                f"the bot did not answer callback query {query.query_id} of {self!r} within "
                f"{timeout}s\n{self._fake._history(self._chat)}"
            )
        return query.answered

    # --- blocking ----------------------------------------------------------------------------

    async def block_bot(self) -> None:
        """The user blocks the bot: further sends get 403, and the bot receives a
        ``my_chat_member`` update (member -> kicked)."""
        self._chat.blocked = True
        await self._fake._my_chat_member(self._chat, self, "member", "kicked")

    async def unblock_bot(self) -> None:
        """The user restarts the bot (``my_chat_member`` kicked -> member)."""
        self._chat.blocked = False
        await self._fake._my_chat_member(self._chat, self, "kicked", "member")


class FakeChat(_ChatView):
    """A group, supergroup or channel the bot is in.  Members are :class:`FakeUser` objects
    passed to the sending methods; ``reply``/``expect`` read what the bot did in the group."""

    def __init__(self, fake: FakeBotAPI, chat: _Chat) -> None:
        super().__init__(fake, chat)
        self.id = chat.id
        self.title = str(chat.info.get("title"))
        self.kind = chat.type

    def __repr__(self) -> str:
        return f"FakeChat(id={self.id}, kind={self.kind!r}, title={self.title!r})"

    def set_role(self, user: FakeUser, status: str = "member") -> None:
        """Set a member's status as getChatMember reports it (creator, administrator,
        member, restricted, left, kicked)."""
        self._chat.members[user.id] = status

    async def send_text(self, user: FakeUser, text: str) -> JSON:
        """``user`` writes ``text`` in the group."""
        return await self._fake._user_message(self._chat, user, _text_content(text))

    async def command(
        self, user: FakeUser, name: str, args: str = "", *, addressed: bool = False
    ) -> JSON:
        """``user`` sends ``/name args`` (``/name@bot args`` if ``addressed``)."""
        suffix = f"@{self._fake.bot_username}" if addressed else ""
        return await self.send_text(user, _command_text(name + suffix, args))

    async def send_document(
        self, user: FakeUser, filename: str, content: bytes, mime_type: str = "application/pdf"
    ) -> JSON:
        """``user`` posts a document in the group."""
        content_json = self._fake._document_content(filename, content, mime_type, None)
        return await self._fake._user_message(self._chat, user, content_json)

    async def send_photo(self, user: FakeUser, content: bytes = DEFAULT_JPEG) -> JSON:
        """``user`` posts a photo in the group."""
        return await self._fake._user_message(
            self._chat, user, self._fake._photo_content(content, None)
        )

    async def edit_text(self, user: FakeUser, message_id: int, text: str) -> JSON:
        """``user`` edits their message in the group."""
        return await self._fake._user_edit(self._chat, user, message_id, text)

    async def press(
        self, user: FakeUser, button_text: str, message: BotMessage | None = None
    ) -> JSON:
        """``user`` presses an inline button on a bot message in the group."""
        return await self._fake._press(self._chat, user, button_text, message)

    async def press_data(self, user: FakeUser, data: str, message_id: int) -> JSON:
        """``user`` sends forged callback data for a message in the group."""
        return await self._fake._press_data(self._chat, user, data, message_id)

    async def post(self, text: str) -> JSON:
        """A ``channel_post`` (channels only)."""
        if self._chat.type != "channel":
            raise AssertionError(f"{self!r} is not a channel")
        return await self._fake._user_message(self._chat, None, _text_content(text))

    async def add_bot(self, by: FakeUser, status: str = "member") -> None:
        """``by`` adds the bot (``my_chat_member`` left -> status)."""
        self._chat.bot_member = True
        await self._fake._my_chat_member(self._chat, by, "left", status)

    async def remove_bot(self, by: FakeUser) -> None:
        """``by`` removes the bot; later sends get 403 "bot was kicked from the group chat"."""
        self._chat.bot_member = False
        await self._fake._my_chat_member(self._chat, by, "member", "kicked")


def _text_content(text: str) -> JSON:
    if not text:
        raise AssertionError("Telegram clients cannot send an empty message")
    content: JSON = {"text": text}
    entities = _detect_entities(text)
    if entities:
        content["entities"] = entities
    return content


def _command_text(name: str, args: str) -> str:
    name = name.removeprefix("/")
    return f"/{name} {args}" if args else f"/{name}"


# ----------------------------------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------------------------------

_Handler = Callable[["_Request"], Awaitable[Any]]


@dataclass
class _Request:
    params: JSON
    files: dict[str, UploadedFile]
    call: ApiCall


class FakeBotAPI:
    """The fake Bot API server and the Telegram state behind it.  See the module docstring.

    Use ``async with FakeBotAPI() as fake:`` (or ``start()``/``stop()``).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 999000,
        bot_username: str = "kurul_test_bot",
        bot_first_name: str = "Kurul",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        #: Every request, in arrival order.
        self.requests: list[ApiCall] = []
        #: Every webhook delivery attempt.
        self.webhook_deliveries: list[WebhookDelivery] = []
        #: How many 429 answers were served (limits and injected faults).
        self.served_429 = 0
        #: Highest update_id the bot confirmed (getUpdates offset, or webhook 200).
        self.updates_confirmed = 0
        self._chats: dict[int, _Chat] = {}
        self._views: dict[int, FakeUser | FakeChat] = {}
        self._files: dict[str, _FileRecord] = {}
        self._files_by_path: dict[str, _FileRecord] = {}
        self._pending: list[_Update] = []
        self._unfetched: set[int] = set()
        self._update_ids = itertools.count(100_001)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(7_000_000_001)
        self._callbacks: dict[str, _Callback] = {}
        self._faults: list[tuple[str, int | None, Fault]] = []
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._keyboards: dict[int, JSON | None] = {}
        self._send_times: list[float] = []
        self._send_times_by_chat: dict[int, list[float]] = {}
        self._limit_overall: _Limit | None = None
        self._limit_chat: _Limit | None = None
        self._limit_group: _Limit | None = None
        self._limit_scale = 1.0
        self._webhook: JSON | None = None
        self._allowed_updates: frozenset[str] = _DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._event = asyncio.Event()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name, handler in self._method_table().items():
            self._methods[name.lower()] = (name, handler)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI already started")
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=2.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = int(sock.getsockname()[1])
        site = web.SockSite(runner, sock)
        await site.start()
        self._runner = runner
        self._session = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_worker(), name="fakebot-webhook")

    async def stop(self) -> None:
        """Answer pending long polls, stop webhook delivery and the server."""
        self._stopping = True
        self._changed()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot's ``User`` object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def builder(self) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """A PTB ``ApplicationBuilder`` pointed at this fake (token and URLs set)."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    @contextlib.asynccontextmanager
    async def running(
        self, app: Application[Any, Any, Any, Any, Any, Any], poll_timeout: float = 2.0
    ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
        """Run ``app`` with long polling against this fake for the duration of the block."""
        import datetime as dtm

        async with app:
            await app.start()
            assert app.updater is not None, "the Application has no Updater"
            await app.updater.start_polling(
                poll_interval=0.0, timeout=dtm.timedelta(seconds=poll_timeout)
            )
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()

    # --- people and chats --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Ayşe",
        last_name: str | None = None,
        language_code: str | None = "tr",
        username: str | None = None,
        *,
        started: bool = True,
    ) -> FakeUser:
        """A person with a private chat (chat id == user id).  Returns the existing one if the
        id is already registered.  ``started=False``: see :meth:`never_started`."""
        existing = self._views.get(user_id)
        if isinstance(existing, FakeUser):
            return existing
        if existing is not None:
            raise ValueError(f"chat id {user_id} is already a {existing!r}")
        info: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name is not None:
            info["last_name"] = last_name
        if username is not None:
            info["username"] = username
        chat = _Chat(id=user_id, type="private", info=info, username=username, started=started)
        self._chats[user_id] = chat
        fake_user = FakeUser(self, chat, first_name, last_name, language_code, username)
        self._views[user_id] = fake_user
        return fake_user

    def never_started(self, user_id: int, first_name: str = "Ayşe", **kwargs: Any) -> FakeUser:
        """A person who never opened the bot: sends to them get 403 "bot can't initiate
        conversation with a user" until they send it something."""
        return self.user(user_id, first_name, started=False, **kwargs)

    def group(
        self,
        chat_id: int,
        title: str = "Kurul grubu",
        kind: str = "group",
        username: str | None = None,
    ) -> FakeChat:
        """A group/supergroup/channel the bot is a member of (returns the existing one).
        With ``username`` it is also addressable as ``chat_id="@username"``."""
        existing = self._views.get(chat_id)
        if isinstance(existing, FakeChat):
            return existing
        if existing is not None:
            raise ValueError(f"chat id {chat_id} is already a {existing!r}")
        if kind not in ("group", "supergroup", "channel"):
            raise ValueError(f"unknown chat kind {kind!r}")
        info: JSON = {"id": chat_id, "type": kind, "title": title}
        if username is not None:
            info["username"] = username
        chat = _Chat(id=chat_id, type=kind, info=info, username=username)
        self._chats[chat_id] = chat
        view = FakeChat(self, chat)
        self._views[chat_id] = view
        return view

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Current state of the bot's messages in that chat, after edits, in order."""
        chat = self._chat_or_fail(chat_id)
        return [self._snapshot(m, "edited" if m.edited else "sent") for m in chat.bot_messages()]

    def message(self, chat_id: int, message_id: int) -> BotMessage:
        """Current state of one message (bot's or user's) in a chat."""
        chat = self._chat_or_fail(chat_id)
        msg = chat.messages.get(message_id)
        if msg is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        event: EventKind = "deleted" if msg.deleted else "edited" if msg.edited else "sent"
        return self._snapshot(msg, event)

    def _chat_or_fail(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"no chat {chat_id} was created with user()/group()")
        return chat

    # --- updates -----------------------------------------------------------------------------

    async def inject(self, update: JSON) -> int:
        """Queue a raw update dict (its update_id is assigned); returns the id."""
        update_id = next(self._update_ids)
        data = {"update_id": update_id, **{k: v for k, v in update.items() if k != "update_id"}}
        self._pending.append(_Update(update_id, data))
        self._unfetched.add(update_id)
        self._changed()
        return update_id

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot."""
        return len(self._pending)

    def all_fetched(self) -> bool:
        """Whether every injected update has been handed to the bot."""
        return not self._unfetched

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Return once every injected update was fetched, no request (other than an empty long
        poll) is in flight, and the bot made no API call for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            idle_for = now - self._last_activity
            settled = self.all_fetched() and self._inflight == 0
            if settled and idle_for >= quiet:
                return
            remaining = deadline - now
            if remaining <= 0:
                unfetched = sorted(self._unfetched)
                raise AssertionError(
                    f"bot not idle within {timeout}s: unfetched updates {unfetched}, "
                    f"{self._inflight} requests in flight, last activity {idle_for:.2f}s ago; "
                    f"last calls: {[str(c) for c in self.requests[-5:]]}"
                )
            step = remaining if not settled else min(remaining, quiet - idle_for)
            await self._wait_change(max(step, 0.001))

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "a condition",
    ) -> None:
        """Wait until ``predicate()`` holds; it is re-checked whenever the fake's state changes
        (a request arrives or is answered, an update is queued or delivered, ...)."""
        if not await self._wait_until(predicate, timeout):
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    # --- faults and limits -------------------------------------------------------------------

    def fail_next(
        self, method: str, error: Fault, times: int = 1, chat_id: int | None = None
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only those for ``chat_id``)
        fail with ``error``.  Faults for the same method are used first-in first-out."""
        for _ in range(times):
            self._faults.append((method.lower(), chat_id, error))

    def clear_faults(self) -> None:
        """Drop all injected faults not yet used."""
        self._faults.clear()

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends answer 403 "Forbidden: bot was blocked by the user"
        (silently; see :meth:`FakeUser.block_bot` for the version with an update)."""
        self._chat_or_fail(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`."""
        self._chat_or_fail(chat_id).blocked = False

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account: sends answer 403 "Forbidden: user is deactivated"."""
        self._chat_or_fail(chat_id).deactivated = True

    def enforce_limits(
        self,
        overall_per_sec: float | None = 30.0,
        per_chat_per_sec: float | None = 1.0,
        scale: float = 1.0,
        *,
        per_group_per_minute: float | None = None,
    ) -> None:
        """Answer send* calls beyond these rates with 429 + ``retry_after`` (like Telegram).

        A rate ``r`` allows ``max(1, floor(r))`` sends in any sliding window of
        ``max(1, floor(r)) / r`` seconds (60 s based for ``per_group_per_minute``, which applies
        to groups and channels on top of ``per_chat_per_sec``).  ``scale`` runs the fake's clock
        faster: windows are divided by ``scale`` (so ``scale=10`` with 1/s per chat allows one
        send per 0.1 real seconds), while ``retry_after`` is reported in Telegram seconds
        (ceil(real wait * scale), at least 1) so an engine that divides its sleeps by the same
        scale behaves as in production.  ``enforce_limits(None, None)`` switches limits off.
        """
        if scale <= 0:
            raise ValueError("scale must be positive")
        self._limit_scale = scale
        self._limit_overall = (
            None if overall_per_sec is None else _Limit.per(overall_per_sec, 1.0, scale)
        )
        self._limit_chat = (
            None if per_chat_per_sec is None else _Limit.per(per_chat_per_sec, 1.0, scale)
        )
        self._limit_group = (
            None if per_group_per_minute is None else _Limit.per(per_group_per_minute, 60.0, scale)
        )

    def send_times(self, chat_id: int | None = None) -> list[float]:
        """Monotonic times of successful send* calls (all chats, or one)."""
        if chat_id is None:
            return list(self._send_times)
        return list(self._send_times_by_chat.get(chat_id, []))

    def max_rate(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The largest number of successful sends within any half-open window of ``window``
        seconds."""
        times = self.send_times(chat_id)
        best = 0
        start = 0
        for end, t in enumerate(times):
            while times[start] <= t - window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def calls(self, method: str) -> list[ApiCall]:
        """The requests of one method (case-insensitive)."""
        wanted = method.lower()
        return [c for c in self.requests if c.method.lower() == wanted]

    def failed_calls(self) -> list[ApiCall]:
        """Requests answered with an error (incl. dropped connections)."""
        return [c for c in self.requests if c.ok is False]

    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries the bot has not answered."""
        return [q.query_id for q in self._callbacks.values() if q.answered is None]

    def commands(self, language_code: str = "", scope: JSON | None = None) -> list[JSON] | None:
        """What setMyCommands stored for exactly that scope + language (None if nothing)."""
        stored = self._commands.get((self._scope_key(scope), language_code))
        return copy.deepcopy(stored)

    def menu_button(self, chat_id: int | None = None) -> JSON | None:
        """What setChatMenuButton stored for the chat (None: the default)."""
        return copy.deepcopy(self._menu_buttons.get(chat_id))

    @property
    def webhook_url(self) -> str | None:
        """The webhook URL currently set, if any."""
        return None if self._webhook is None else str(self._webhook["url"])

    # --- waiting machinery -------------------------------------------------------------------

    def _changed(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def _wait_change(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait for the next state change, at most ``timeout`` seconds."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await event.wait()

    async def _wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until ``predicate()`` holds; False on timeout (never raises on timeout)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return predicate()
            event = self._event
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                return predicate()
        return True

    def _history(self, chat: _Chat, last: int = 12) -> str:
        lines = chat.transcript[-last:] or ["(empty)"]
        failed = [
            str(c)
            for c in self.requests[-50:]
            if c.ok is False and c.chat_id in (chat.id, None, str(chat.id))
        ][-5:]
        out = f"recent history of chat {chat.id}:\n  " + "\n  ".join(lines)
        if failed:
            out += "\nrecent failed API calls:\n  " + "\n  ".join(failed)
        return out

    # --- building user updates ---------------------------------------------------------------

    def _new_file(
        self, kind: str, content: bytes, file_name: str | None, mime_type: str | None
    ) -> _FileRecord:
        number = next(self._file_ids)
        folder, default_ext = _MEDIA_KINDS.get(kind, ("documents", "bin"))
        ext = default_ext
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1].lower()
        record = _FileRecord(
            file_id=f"BQACAgIAAx{kind[:3].upper()}{number:08d}",
            file_unique_id=f"AgAD{number:08d}",
            content=content,
            file_path=f"{folder}/file_{number}.{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[record.file_id] = record
        self._files_by_path[record.file_path] = record
        return record

    def _photo_content(self, content: bytes, caption: str | None) -> JSON:
        small = self._new_file("photo", content, None, None)
        large = self._new_file("photo", content, None, None)
        sizes = [
            {**small.public(), "width": 90, "height": 67},
            {**large.public(), "width": 800, "height": 600},
        ]
        out: JSON = {"photo": sizes}
        if caption:
            out["caption"] = caption
        return out

    def _document_content(
        self, filename: str, content: bytes, mime_type: str, caption: str | None
    ) -> JSON:
        record = self._new_file("document", content, filename, mime_type)
        out: JSON = {"document": record.public()}
        if caption:
            out["caption"] = caption
        return out

    def _sticker_content(self, emoji: str) -> JSON:
        record = self._new_file("sticker", b"RIFF-fake-webp", None, None)
        sticker = {
            **record.public(),
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        return {"sticker": sticker}

    def _voice_content(self, content: bytes, duration: int) -> JSON:
        record = self._new_file("voice", content, None, "audio/ogg")
        return {"voice": {**record.public(), "duration": duration}}

    def _check_sender(self, chat: _Chat, user: FakeUser | None) -> None:
        if user is not None and self._chats[user.id].deactivated:
            raise AssertionError(f"{user!r} is deactivated and cannot send anything")
        if chat.type == "private":
            if user is None or user.id != chat.id:
                raise AssertionError("only the chat's own user can write in a private chat")
            chat.started = True
            chat.blocked = False
        elif user is not None:
            chat.members.setdefault(user.id, "member")

    async def _user_message(self, chat: _Chat, user: FakeUser | None, content: JSON) -> JSON:
        self._check_sender(chat, user)
        data: JSON = {"message_id": chat.new_message_id()}
        if user is not None:
            data["from"] = user.as_json()
        else:
            data["sender_chat"] = dict(chat.info)
        data.update({"chat": dict(chat.info), "date": int(time.time()), **content})
        chat.messages[data["message_id"]] = _Msg(
            data=data,
            from_bot=False,
            sender_id=None if user is None else user.id,
            raw_text=content.get("text"),
        )
        keyboard = self._keyboards.get(chat.id)
        if keyboard and keyboard.get("one_time_keyboard") and "text" in content:
            self._keyboards[chat.id] = None
        who = user.first_name if user is not None else "channel"
        summary = content.get("text") or next(iter(content))
        chat.transcript.append(f"{who} -> #{data['message_id']}: {summary!r}")
        key = "channel_post" if chat.type == "channel" else "message"
        await self.inject({key: data})
        return copy.deepcopy(data)

    async def _user_edit(self, chat: _Chat, user: FakeUser, message_id: int, text: str) -> JSON:
        self._check_sender(chat, user)
        msg = chat.messages.get(message_id)
        if msg is None or msg.from_bot or msg.sender_id != user.id or "text" not in msg.data:
            raise AssertionError(f"{user!r} has no text message {message_id} in chat {chat.id}")
        content = _text_content(text)
        msg.data.pop("entities", None)
        msg.data.update(content)
        msg.data["edit_date"] = int(time.time())
        msg.edited = True
        chat.transcript.append(f"{user.first_name} edited #{message_id}: {text!r}")
        await self.inject({"edited_message": copy.deepcopy(msg.data)})
        return copy.deepcopy(msg.data)

    def _find_button(
        self, chat: _Chat, button_text: str, message: BotMessage | None
    ) -> tuple[_Msg, JSON]:
        if message is not None:
            msg = chat.messages.get(message.message_id)
            if msg is None or msg.deleted:
                raise AssertionError(
                    f"message {message.message_id} no longer exists in chat {chat.id}"
                )
            candidates = [msg]
        else:
            candidates = list(reversed(chat.bot_messages()))
        for msg in candidates:
            snap = self._snapshot(msg, "sent")
            buttons = snap._inline_buttons()
            exact = [b for b in buttons if b.get("text") == button_text]
            found = exact or [b for b in buttons if button_text in str(b.get("text"))]
            if len(found) > 1:
                raise AssertionError(
                    f"ambiguous button {button_text!r} on message {msg.message_id} in chat "
                    f"{chat.id}: {[b.get('text') for b in found]}; use press_data()"
                )
            if found:
                button = found[0]
                if "callback_data" not in button:
                    raise AssertionError(
                        f"button {button.get('text')!r} on message {msg.message_id} is not a "
                        f"callback button and cannot be pressed: {button}"
                    )
                return msg, button
        available = [
            f"#{m.message_id}: {self._snapshot(m, 'sent').buttons()}"
            for m in reversed(candidates)
            if self._snapshot(m, "sent").buttons()
        ]
        raise AssertionError(
            f"no inline button matching {button_text!r} in chat {chat.id}; available buttons: "
            f"{'; '.join(available) or '(none)'}"
        )

    async def _press(
        self, chat: _Chat, user: FakeUser, button_text: str, message: BotMessage | None
    ) -> JSON:
        msg, button = self._find_button(chat, button_text, message)
        chat.transcript.append(f"{user.first_name} pressed {button.get('text')!r}")
        return await self._callback(chat, user, str(button["callback_data"]), msg.message_id)

    async def _press_data(self, chat: _Chat, user: FakeUser, data: str, message_id: int) -> JSON:
        chat.transcript.append(f"{user.first_name} sent callback data {data!r}")
        return await self._callback(chat, user, data, message_id)

    async def _callback(self, chat: _Chat, user: FakeUser, data: str, message_id: int) -> JSON:
        self._check_sender(chat, user)
        query_id = str(next(self._query_ids))
        msg = chat.messages.get(message_id)
        if msg is not None and not msg.deleted:
            message = copy.deepcopy(msg.data)
        else:  # InaccessibleMessage
            message = {"chat": dict(chat.info), "message_id": message_id, "date": 0}
        query: JSON = {
            "id": query_id,
            "from": user.as_json(),
            "message": message,
            "chat_instance": f"-{abs(chat.id) * 7919 + 13}",
            "data": data,
        }
        record = _Callback(query_id, user)
        self._callbacks[query_id] = record
        user._last_query = record
        await self.inject({"callback_query": query})
        return copy.deepcopy(query)

    async def _my_chat_member(self, chat: _Chat, by: FakeUser, old: str, new: str) -> None:
        def member(status: str) -> JSON:
            out: JSON = {"user": self.bot_user, "status": status}
            if status == "kicked":
                out["until_date"] = 0
            if status == "administrator":
                out.update(_admin_rights(can_be_edited=False))
            return out

        update = {
            "chat": dict(chat.info),
            "from": by.as_json(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        chat.transcript.append(f"{by.first_name}: bot status {old} -> {new}")
        await self.inject({"my_chat_member": update})

    def _current_keyboard(self, chat: _Chat) -> list[str]:
        markup = self._keyboards.get(chat.id)
        if not markup:
            return []
        rows = markup.get("keyboard") or []
        return [b if isinstance(b, str) else str(b.get("text")) for row in rows for b in row]

    # --- bot message bookkeeping -------------------------------------------------------------

    def _snapshot(self, msg: _Msg, event: EventKind) -> BotMessage:
        return BotMessage(
            message_id=msg.message_id,
            chat_id=int(msg.data["chat"]["id"]),
            text=msg.content_text(),
            reply_markup=copy.deepcopy(msg.reply_markup),
            document=None if msg.document is None else msg.document.snapshot(),
            edited=msg.edited,
            parse_mode=msg.parse_mode,
            raw_text=msg.raw_text,
            entities=copy.deepcopy(msg.entities()),
            photo=None if msg.photo is None else msg.photo.snapshot(),
            deleted=msg.deleted,
            event=event,
            raw=copy.deepcopy(msg.data),
        )

    def _log(self, chat: _Chat, msg: _Msg, event: EventKind) -> None:
        snap = self._snapshot(msg, event)
        chat.log.append(snap)
        chat.transcript.append(f"bot {event} {snap}")
        self._changed()

    # --- HTTP handlers -----------------------------------------------------------------------

    @staticmethod
    def _error_body(code: int, description: str, parameters: JSON | None = None) -> JSON:
        body: JSON = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return body

    async def _read_params(self, request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
        params: JSON = {k: _decode_param(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if request.method != "POST" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON object") from None
            if isinstance(body, dict):
                params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                with value.file as handle:
                    content = handle.read()
                files[key] = UploadedFile(key, value.filename, value.content_type, content)
            else:
                params[key] = _decode_param(key, str(value))
        return params, files

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(self._error_body(401, "Unauthorized"), status=401)
        record = self._files_by_path.get(request.match_info["path"])
        if record is None:
            return web.json_response(self._error_body(404, "Not Found"), status=404)
        return web.Response(body=record.content, content_type="application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        received = time.monotonic()
        raw_method = request.match_info["method"]
        canonical, handler = self._methods.get(raw_method.lower(), (raw_method, None))
        counts = canonical != "getUpdates"
        if counts:
            self._inflight += 1
            self._last_activity = received
        call = ApiCall(method=canonical, params={}, time=received)
        self.requests.append(call)
        try:
            try:
                call.params, call.files = await self._read_params(request)
            except _ApiError as exc:
                return self._respond(call, exc.code, self._error_body(exc.code, exc.description))
            self._changed()
            if request.match_info["token"] != self.token:
                return self._respond(call, 401, self._error_body(401, "Unauthorized"))
            if handler is None:
                body = self._error_body(404, "Not Found: method not found")
                return self._respond(call, 404, body)
            fault = self._take_fault(canonical, call.params)
            call.fault = fault
            if fault is not None and fault.delay:
                await asyncio.sleep(fault.delay)  # simulated slow server, not a test wait
            if fault is not None and fault.kind == "slow":
                fault = None  # held long enough; now an ordinary call
            if fault is not None and not fault.performed:
                return await self._respond_fault(request, call, fault)
            try:
                result = await handler(_Request(call.params, call.files, call))
            except _ApiError as exc:
                if exc.code == 429:
                    self.served_429 += 1
                body = self._error_body(exc.code, exc.description, exc.parameters)
                return self._respond(call, exc.code, body)
            if fault is not None:
                return await self._respond_fault(request, call, fault)
            call.result = result
            return self._respond(call, 200, {"ok": True, "result": result})
        finally:
            if counts:
                self._inflight -= 1
                self._last_activity = time.monotonic()
            self._changed()

    def _respond(self, call: ApiCall, status: int, body: JSON) -> web.Response:
        call.http_status = status
        call.ok = status == 200
        if status != 200:
            call.error_code = int(body.get("error_code", status))
            call.description = str(body.get("description", ""))
        return web.json_response(body, status=status)

    def _take_fault(self, method: str, params: JSON) -> Fault | None:
        wanted = method.lower()
        for index, (fault_method, chat_id, fault) in enumerate(self._faults):
            if fault_method != wanted:
                continue
            if chat_id is not None and params.get("chat_id") not in (chat_id, str(chat_id)):
                continue
            del self._faults[index]
            return fault
        return None

    async def _respond_fault(
        self, request: web.Request, call: ApiCall, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind == "network":
            call.ok = False
            call.description = "connection dropped (injected network fault)"
            if request.transport is not None:
                request.transport.abort()
            # The handler is cancelled as soon as aiohttp notices the lost connection.
            await self._wait_until(lambda: False, 5.0)
            raise AssertionError("aiohttp did not cancel the handler of a dropped connection")
        if fault.kind == "retry_after":
            self.served_429 += 1
            description = (
                fault.description or f"Too Many Requests: retry after {fault.retry_after}"
            )
            body = self._error_body(429, description, {"retry_after": fault.retry_after})
            return self._respond(call, 429, body)
        defaults = {
            "server_error": (fault.status, "Internal Server Error"),
            "bad_request": (400, "Bad Request: injected fault"),
            "forbidden": (403, "Forbidden: bot was blocked by the user"),
        }
        status, description = defaults[fault.kind]
        body = self._error_body(status, fault.description or description)
        return self._respond(call, status, body)

    # --- method implementations --------------------------------------------------------------

    def _method_table(self) -> dict[str, _Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendDocument": self._media_sender("document"),
            "sendPhoto": self._media_sender("photo"),
            "sendAudio": self._media_sender("audio"),
            "sendVideo": self._media_sender("video"),
            "sendVoice": self._media_sender("voice"),
            "sendAnimation": self._media_sender("animation"),
            "sendSticker": self._media_sender("sticker"),
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": self._bot_text_setter("description"),
            "setMyShortDescription": self._bot_text_setter("short_description"),
            "setMyName": self._bot_text_setter("name"),
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._pin_chat_message,
            "leaveChat": self._leave_chat,
            "close": self._true,
            "logOut": self._true,
        }

    async def _true(self, req: _Request) -> bool:
        return True

    async def _get_me(self, req: _Request) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # updates

    def _confirm(self, upto: int) -> None:
        """Forget updates with id <= upto."""
        if upto > self.updates_confirmed:
            self.updates_confirmed = upto
        self._pending = [u for u in self._pending if u.update_id > upto]

    def _deliverable(self, offset: int | None) -> list[_Update]:
        ready: list[_Update] = []
        for update in list(self._pending):
            if offset is not None and update.update_id < offset:
                continue
            if update.type not in self._allowed_updates:
                self._pending.remove(update)  # Telegram drops updates the bot did not ask for
                self._unfetched.discard(update.update_id)
                continue
            ready.append(update)
        return ready

    async def _get_updates(self, req: _Request) -> list[JSON]:
        params = req.params
        if self._webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._confirm(offset - 1)
        elif isinstance(offset, int) and offset < 0:
            dropped = self._pending[:offset]  # keep only the last -offset updates
            if dropped:
                self._confirm(dropped[-1].update_id)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATE_TYPES
        self._poll_generation += 1
        generation = self._poll_generation
        start_offset = offset if isinstance(offset, int) and offset > 0 else None
        await self._wait_until(
            lambda: (
                bool(self._deliverable(start_offset))
                or self._stopping
                or self._poll_generation != generation
            ),
            timeout,
        )
        if self._poll_generation != generation:
            raise _ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        batch = self._deliverable(start_offset)[:limit]
        for update in batch:
            self._unfetched.discard(update.update_id)
        if batch:
            self._last_activity = time.monotonic()
        return [copy.deepcopy(u.data) for u in batch]

    async def _set_webhook(self, req: _Request) -> bool:
        url = str(req.params.get("url") or "")
        if req.params.get("drop_pending_updates"):
            self._drop_pending()
        allowed = req.params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_UPDATE_TYPES
        if not url:
            self._webhook = None
            return True
        if not re.match(r"https?://", url):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self._webhook = {
            "url": url,
            "secret_token": req.params.get("secret_token"),
            "max_connections": int(req.params.get("max_connections") or 40),
            "last_error_date": None,
            "last_error_message": None,
        }
        self._poll_generation += 1  # a pending getUpdates is terminated
        self._changed()
        return True

    def _drop_pending(self) -> None:
        for update in self._pending:
            self._unfetched.discard(update.update_id)
        self._pending.clear()

    async def _delete_webhook(self, req: _Request) -> bool:
        if req.params.get("drop_pending_updates"):
            self._drop_pending()
        self._webhook = None
        self._changed()
        return True

    async def _get_webhook_info(self, req: _Request) -> JSON:
        info: JSON = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook["max_connections"]
            if self._allowed_updates != _DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = sorted(self._allowed_updates)
            if self._webhook["last_error_date"]:
                info["last_error_date"] = self._webhook["last_error_date"]
                info["last_error_message"] = self._webhook["last_error_message"]
        return info

    async def _webhook_worker(self) -> None:
        """Deliver queued updates to the webhook in order, retrying until it answers 200."""
        backoff = 0.02
        while not self._stopping:
            await self._wait_until(
                lambda: (
                    self._stopping or (self._webhook is not None and bool(self._deliverable(None)))
                ),
                3600.0,
            )
            webhook = self._webhook
            ready = self._deliverable(None)
            if self._stopping or webhook is None or not ready:
                continue
            update = ready[0]
            headers = {"Content-Type": "application/json"}
            if webhook["secret_token"]:
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
            status: int | None = None
            error: str | None = None
            assert self._session is not None
            try:
                async with self._session.post(
                    str(webhook["url"]),
                    data=json.dumps(update.data),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            delivery = WebhookDelivery(
                update.update_id, str(webhook["url"]), status, error, time.monotonic()
            )
            self.webhook_deliveries.append(delivery)
            self._last_activity = time.monotonic()
            if status == 200:
                self._unfetched.discard(update.update_id)
                self._confirm(update.update_id)
                backoff = 0.02
                self._changed()
                continue
            webhook["last_error_date"] = int(time.time())
            webhook["last_error_message"] = error or f"Wrong response from the webhook: {status}"
            self._changed()
            # Telegram retries later; wait (server-side pacing) unless the webhook changes.
            await self._wait_until(self._webhook_changed(webhook), backoff)
            backoff = min(backoff * 2, 1.0)

    def _webhook_changed(self, webhook: JSON) -> Callable[[], bool]:
        return lambda: self._stopping or self._webhook is not webhook

    # chats and sending

    def _target_chat(self, params: JSON, *, sending: bool) -> _Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        chat: _Chat | None = None
        if isinstance(raw, str) and raw.startswith("@"):
            name = raw[1:].lower()
            chat = next(
                (c for c in self._chats.values() if (c.username or "").lower() == name), None
            )
        else:
            try:
                chat = self._chats.get(int(raw))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        if sending:
            if chat.type == "private":
                if chat.deactivated:
                    raise _ApiError(403, "Forbidden: user is deactivated")
                if chat.blocked:
                    raise _ApiError(403, "Forbidden: bot was blocked by the user")
                if not chat.started:
                    raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            elif not chat.bot_member:
                kind = "channel chat" if chat.type == "channel" else "group chat"
                raise _ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        return chat

    def _check_rate(self, chat: _Chat) -> None:
        now = time.monotonic()
        checks: list[tuple[_Limit | None, list[float]]] = [
            (self._limit_overall, self._send_times),
            (self._limit_chat, self._send_times_by_chat.get(chat.id, [])),
        ]
        if chat.type != "private":
            checks.append((self._limit_group, self._send_times_by_chat.get(chat.id, [])))
        wait = 0.0
        for limit, times in checks:
            if limit is None or len(times) < limit.count:
                continue
            oldest = times[-limit.count]
            if oldest > now - limit.window:
                wait = max(wait, oldest + limit.window - now)
        if wait > 0:
            retry_after = max(1, math.ceil(wait * self._limit_scale))
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    def _record_send(self, chat: _Chat) -> None:
        now = time.monotonic()
        bisect.insort(self._send_times, now)
        bisect.insort(self._send_times_by_chat.setdefault(chat.id, []), now)

    def _reply_to(self, chat: _Chat, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        reply_id: Any = params.get("reply_to_message_id")
        allow = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            reply_id = reply.get("message_id")
            allow = allow or bool(reply.get("allow_sending_without_reply"))
        if reply_id is None:
            return None
        target = chat.messages.get(int(reply_id))
        if target is None or target.deleted:
            if allow:
                return None
            raise _ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in copy.deepcopy(target.data).items() if k != "reply_to_message"}

    def _formatted(self, params: JSON, key: str, limit: int) -> tuple[str, list[JSON]]:
        raw = str(params.get(key) or "")
        given = params.get("entities" if key == "text" else "caption_entities")
        if isinstance(given, list):
            text, entities = raw, list(given)
        else:
            text, entities = _apply_parse_mode(raw, params.get("parse_mode"))
        if key == "text" and not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if _u16(text) > limit:
            what = "message" if key == "text" else "message caption"
            raise _ApiError(400, f"Bad Request: {what} is too long")
        return text, entities

    def _bot_message(self, chat: _Chat, params: JSON, markup: JSON | None, content: JSON) -> _Msg:
        reply_to = self._reply_to(chat, params)
        self._check_rate(chat)
        data: JSON = {
            "message_id": chat.new_message_id(),
            "from": self.bot_user,
            "chat": dict(chat.info),
            "date": int(time.time()),
        }
        if chat.type == "channel":
            data.pop("from")
            data["sender_chat"] = dict(chat.info)
        if reply_to is not None:
            data["reply_to_message"] = reply_to
        data.update(content)
        echoed = _echoed_markup(markup)
        if echoed is not None:
            data["reply_markup"] = echoed
        if params.get("protect_content"):
            data["has_protected_content"] = True
        msg = _Msg(
            data=data,
            from_bot=True,
            sender_id=self.bot_id,
            raw_text=params.get("text", params.get("caption")),
            parse_mode=params.get("parse_mode"),
            reply_markup=copy.deepcopy(markup),
        )
        return msg

    def _store_sent(self, chat: _Chat, msg: _Msg) -> JSON:
        """Commit a message built by :meth:`_bot_message` (no failure possible after this)."""
        markup = msg.reply_markup
        if markup is not None and ("keyboard" in markup or "remove_keyboard" in markup):
            self._keyboards[chat.id] = markup if "keyboard" in markup else None
        chat.messages[msg.message_id] = msg
        self._record_send(chat)
        self._log(chat, msg, "sent")
        return copy.deepcopy(msg.data)

    async def _send_message(self, req: _Request) -> JSON:
        params = req.params
        chat = self._target_chat(params, sending=True)
        text, entities = self._formatted(params, "text", MAX_TEXT)
        markup = _check_markup(params.get("reply_markup"))
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        preview = params.get("link_preview_options")
        if isinstance(preview, dict) and preview:
            content["link_preview_options"] = preview
        msg = self._bot_message(chat, params, markup, content)
        return self._store_sent(chat, msg)

    def _media_sender(self, kind: str) -> _Handler:
        async def send(req: _Request) -> JSON:
            return await self._send_media(req, kind)

        return send

    def _resolve_file(self, req: _Request, kind: str) -> _FileRecord:
        value = req.params.get(kind)
        upload: UploadedFile | None = req.files.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = req.files.get(value.removeprefix("attach://"))
        if upload is not None:
            if not upload.content:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            if len(upload.content) > MAX_UPLOAD:
                raise _ApiError(413, "Request Entity Too Large")
            name = upload.filename
            mime = None
            if name:
                mime = mimetypes.guess_type(name)[0]
            mime = mime or upload.content_type or "application/octet-stream"
            if kind == "photo":
                return self._new_file("photo", upload.content, None, None)
            if kind == "voice":
                return self._new_file(kind, upload.content, None, "audio/ogg")
            return self._new_file(kind, upload.content, name, mime)
        if isinstance(value, str) and value:
            if re.match(r"https?://", value):
                raise _ApiError(400, "Bad Request: failed to get HTTP URL content")
            record = self._files.get(value)
            if record is None:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return record
        raise _ApiError(400, f"Bad Request: there is no {kind} in the request")

    async def _send_media(self, req: _Request, kind: str) -> JSON:
        params = req.params
        chat = self._target_chat(params, sending=True)
        record = self._resolve_file(req, kind)
        caption, entities = self._formatted(params, "caption", MAX_CAPTION)
        markup = _check_markup(params.get("reply_markup"))
        content: JSON = {}
        if kind == "photo":
            content["photo"] = [
                {**record.public(), "width": 90, "height": 67},
                {**record.public(), "width": 1280, "height": 960},
            ]
        elif kind == "sticker":
            content["sticker"] = {
                **record.public(),
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        elif kind in ("voice", "audio"):
            content[kind] = {**record.public(), "duration": 1}
        elif kind in ("video", "animation"):
            content[kind] = {**record.public(), "width": 640, "height": 480, "duration": 1}
        else:
            content[kind] = record.public()
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        msg = self._bot_message(chat, params, markup, content)
        if kind == "photo":
            msg.photo = record
        else:
            msg.document = record
        return self._store_sent(chat, msg)

    async def _send_location(self, req: _Request) -> JSON:
        chat = self._target_chat(req.params, sending=True)
        markup = _check_markup(req.params.get("reply_markup"))
        location = {
            "latitude": float(req.params["latitude"]),
            "longitude": float(req.params["longitude"]),
        }
        msg = self._bot_message(chat, req.params, markup, {"location": location})
        return self._store_sent(chat, msg)

    async def _send_chat_action(self, req: _Request) -> bool:
        self._target_chat(req.params, sending=True)
        if req.params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    # editing

    def _edit_target(self, params: JSON) -> tuple[_Chat, _Msg]:
        if params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: inline messages are not supported by the fake")
        chat = self._target_chat(params, sending=True)
        message_id = params.get("message_id")
        if message_id is None:
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        msg = chat.messages.get(int(message_id))
        if msg is None or msg.deleted:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if not msg.from_bot:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return chat, msg

    def _apply_edit(
        self,
        chat: _Chat,
        msg: _Msg,
        key: str,
        text: str | None,
        entities: list[JSON] | None,
        markup: JSON | None,
        params: JSON,
    ) -> JSON:
        entity_key = "entities" if key == "text" else "caption_entities"
        old_text = msg.data.get(key)
        old_entities = msg.data.get(entity_key) or []
        new_text = old_text if text is None else text
        new_entities = old_entities if entities is None else entities
        if (
            new_text == old_text
            and new_entities == old_entities
            and _echoed_markup(markup) == msg.data.get("reply_markup")
        ):
            raise _ApiError(400, _NOT_MODIFIED)
        if text is not None:
            msg.data[key] = text
            msg.raw_text = params.get(key)
            msg.parse_mode = params.get("parse_mode")
            if entities:
                msg.data[entity_key] = entities
            else:
                msg.data.pop(entity_key, None)
        echoed = _echoed_markup(markup)
        if echoed is None:
            msg.data.pop("reply_markup", None)
        else:
            msg.data["reply_markup"] = echoed
        if markup is not None or (msg.reply_markup or {}).get("inline_keyboard"):
            msg.reply_markup = copy.deepcopy(markup)  # a reply keyboard is not tied to edits
        msg.data["edit_date"] = int(time.time())
        msg.edited = True
        self._log(chat, msg, "edited")
        return copy.deepcopy(msg.data)

    async def _edit_message_text(self, req: _Request) -> JSON:
        chat, msg = self._edit_target(req.params)
        if "text" not in msg.data:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._formatted(req.params, "text", MAX_TEXT)
        markup = _check_markup(req.params.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, msg, "text", text, entities, markup, req.params)

    async def _edit_message_caption(self, req: _Request) -> JSON:
        chat, msg = self._edit_target(req.params)
        if "text" in msg.data:
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._formatted(req.params, "caption", MAX_CAPTION)
        markup = _check_markup(req.params.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, msg, "caption", caption, entities, markup, req.params)

    async def _edit_message_reply_markup(self, req: _Request) -> JSON:
        chat, msg = self._edit_target(req.params)
        markup = _check_markup(req.params.get("reply_markup"), inline_only=True)
        key = "text" if "text" in msg.data else "caption"
        return self._apply_edit(chat, msg, key, None, None, markup, req.params)

    async def _delete_message(self, req: _Request) -> bool:
        chat = self._target_chat(req.params, sending=False)
        message_id = req.params.get("message_id")
        msg = None if message_id is None else chat.messages.get(int(message_id))
        if msg is None or msg.deleted:
            raise _ApiError(400, "Bad Request: message to delete not found")
        self._delete(chat, msg)
        return True

    async def _delete_messages(self, req: _Request) -> bool:
        chat = self._target_chat(req.params, sending=False)
        for message_id in req.params.get("message_ids") or []:
            msg = chat.messages.get(int(message_id))
            if msg is not None and not msg.deleted:
                self._delete(chat, msg)
        return True

    def _delete(self, chat: _Chat, msg: _Msg) -> None:
        msg.deleted = True
        if msg.from_bot:
            self._log(chat, msg, "deleted")
        else:
            chat.transcript.append(f"bot deleted user message #{msg.message_id}")

    async def _answer_callback_query(self, req: _Request) -> bool:
        query = self._callbacks.get(str(req.params.get("callback_query_id")))
        if query is None or query.answered is not None:
            raise _ApiError(400, _QUERY_INVALID)
        if len(str(req.params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        answer = {k: v for k, v in req.params.items() if k != "callback_query_id"}
        query.answered = answer
        query.sender.last_callback_answer = answer
        self._changed()
        return True

    # commands, menu, descriptions

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not isinstance(scope, dict) or not scope:
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True)

    @staticmethod
    def _language(params: JSON) -> str:
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _ApiError(400, "Bad Request: invalid language code specified")
        return language

    async def _set_my_commands(self, req: _Request) -> bool:
        commands = req.params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSON] = []
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            description = str(command.get("description", "")) if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _ApiError(400, "Bad Request: command description is empty or too long")
            cleaned.append({"command": name, "description": description})
        key = (self._scope_key(req.params.get("scope")), self._language(req.params))
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, req: _Request) -> list[JSON]:
        key = (self._scope_key(req.params.get("scope")), self._language(req.params))
        return copy.deepcopy(self._commands.get(key, []))

    async def _delete_my_commands(self, req: _Request) -> bool:
        key = (self._scope_key(req.params.get("scope")), self._language(req.params))
        self._commands.pop(key, None)
        return True

    async def _set_chat_menu_button(self, req: _Request) -> bool:
        chat_id = req.params.get("chat_id")
        if chat_id is not None:
            chat_id = self._target_chat(req.params, sending=False).id
        button = req.params.get("menu_button")
        if button is None:
            self._menu_buttons.pop(chat_id, None)
        elif isinstance(button, dict) and button.get("type") in ("commands", "web_app", "default"):
            self._menu_buttons[chat_id] = button
        else:
            raise _ApiError(400, "Bad Request: can't parse menu button JSON object")
        return True

    async def _get_chat_menu_button(self, req: _Request) -> JSON:
        chat_id = req.params.get("chat_id")
        if chat_id is not None:
            chat_id = self._target_chat(req.params, sending=False).id
        stored = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return copy.deepcopy(stored) if stored else {"type": "default"}

    def _bot_text_setter(self, key: str) -> _Handler:
        async def setter(req: _Request) -> bool:
            self._bot_texts[(key, self._language(req.params))] = str(req.params.get(key) or "")
            return True

        return setter

    # files and chats

    async def _get_file(self, req: _Request) -> JSON:
        record = self._files.get(str(req.params.get("file_id") or ""))
        if record is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(record.content) > MAX_DOWNLOAD:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.content),
            "file_path": record.file_path,
        }

    async def _get_chat(self, req: _Request) -> JSON:
        chat = self._target_chat(req.params, sending=False)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, req: _Request) -> JSON:
        chat = self._target_chat(req.params, sending=False)
        user_id = int(req.params.get("user_id") or 0)
        if user_id == self.bot_id:
            status = "member" if chat.bot_member else "left"
            return {"user": self.bot_user, "status": status}
        view = self._views.get(user_id)
        if not isinstance(view, FakeUser):
            raise _ApiError(400, "Bad Request: user not found")
        default = "member" if chat.type == "private" else "left"
        status = chat.members.get(user_id, default)
        member: JSON = {"user": view.as_json(), "status": status}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(_admin_rights(can_be_edited=False))
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "restricted":
            member.update(_restricted_rights())
        return member

    async def _pin_chat_message(self, req: _Request) -> bool:
        self._target_chat(req.params, sending=False)
        return True

    async def _leave_chat(self, req: _Request) -> bool:
        chat = self._target_chat(req.params, sending=False)
        chat.bot_member = False
        return True


def _admin_rights(*, can_be_edited: bool) -> JSON:
    rights = (
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    )
    return {"can_be_edited": can_be_edited, "is_anonymous": False, **dict.fromkeys(rights, True)}


def _restricted_rights() -> JSON:
    rights = (
        "is_member",
        "can_send_messages",
        "can_send_audios",
        "can_send_documents",
        "can_send_photos",
        "can_send_videos",
        "can_send_video_notes",
        "can_send_voice_notes",
        "can_send_polls",
        "can_send_other_messages",
        "can_add_web_page_previews",
        "can_change_info",
        "can_invite_users",
        "can_pin_messages",
        "can_manage_topics",
        "can_edit_tag",
        "can_react_to_messages",
    )
    return {**dict.fromkeys(rights, False), "until_date": 0}
