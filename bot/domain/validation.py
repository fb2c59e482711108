"""Checks on what people type: names, titles, phone numbers, and Turkish-aware folding.

Each check returns the cleaned value or raises ``InvalidInput`` with a code; the handler turns
the code into a translated sentence, so the rule and its wording stay apart.
"""

from __future__ import annotations

import enum
import unicodedata

import phonenumbers

NAME_MAX = 100
TITLE_MAX = 120
INSTITUTION_NAME_MAX = 150
# Characters that render as nothing but can make two equal-looking names differ.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f"), None)


class Problem(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_NAME = "not_a_name"
    INVALID_PHONE = "invalid_phone"
    NOT_A_NUMBER = "not_a_number"


class InvalidInput(ValueError):
    def __init__(self, problem: Problem, limit: int | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit


def fold(text: str) -> str:
    """Fold for comparison and search the Turkish way: ``I`` → ``ı``, ``İ`` → ``i``.

    Python's ``lower()`` maps ``I`` to ``i`` and ``İ`` to ``i̇`` (two code points), which would
    make ``ISPARTA`` and ``Isparta`` differ from ``ısparta``. Whitespace is collapsed.
    """
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("I", "ı").replace("İ", "i").lower()
    return " ".join(text.split())


def upper_tr(text: str) -> str:
    """Upper-case the Turkish way (``i`` → ``İ``, ``ı`` → ``I``), for official headings."""
    return text.replace("i", "İ").replace("ı", "I").upper()


def clean_text(text: str | None, limit: int) -> str:
    """Collapse whitespace, drop invisible characters, and enforce presence and length."""
    cleaned = " ".join(unicodedata.normalize("NFC", text or "").translate(_INVISIBLE).split())
    if not cleaned:
        raise InvalidInput(Problem.EMPTY)
    if len(cleaned) > limit:
        raise InvalidInput(Problem.TOO_LONG, limit)
    return cleaned


def clean_name(text: str | None) -> str:
    """A person's full name: letters, spaces, apostrophes, dots and hyphens; at least 2 letters."""
    cleaned = clean_text(text, NAME_MAX)
    letters = [ch for ch in cleaned if ch.isalpha()]
    allowed = all(ch.isalpha() or ch in " .'’-" for ch in cleaned)
    if len(letters) < 2 or not allowed:
        raise InvalidInput(Problem.NOT_A_NAME)
    return cleaned


def clean_title(text: str | None) -> str:
    """A title (unvan) such as ``Şube Müdürü``: any text of reasonable length with a letter."""
    cleaned = clean_text(text, TITLE_MAX)
    if not any(ch.isalpha() for ch in cleaned):
        raise InvalidInput(Problem.NOT_A_NAME)
    return cleaned


def normalize_phone(text: str | None, region: str = "TR") -> str:
    """Parse a phone number (Turkish by default) and return it in E.164 form, ``+90...``."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput(Problem.EMPTY)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(Problem.INVALID_PHONE) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(Problem.INVALID_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """``+905321234567`` → ``+90 532 123 45 67`` for reading."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_count(text: str | None) -> int:
    """A non-negative whole number as people type it (``12.500``, ``12 500``, ``12500``)."""
    raw = "".join((text or "").split()).replace(".", "").replace(",", "")
    if not raw:
        raise InvalidInput(Problem.EMPTY)
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput(Problem.NOT_A_NUMBER)
    return int(raw)
