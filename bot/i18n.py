"""Translations (gettext catalogs through Babel) and locale-aware dates.

Catalogs are loaded once per process. msgids are English; ``locales/tr`` holds the Turkish the
bot speaks by default and ``locales/en`` is the identity catalog, kept complete so a missing
string is noticed. When a compiled ``.mo`` is missing or older than its ``.po`` (a fresh
checkout), the ``.po`` is compiled in memory, so the bot never silently falls back to English.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
import sys
from dataclasses import dataclass
from datetime import date as _date
from datetime import datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date as _babel_format_date
from babel.dates import format_time as _babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

_ARTICLE = re.compile(r"Art\. (\d+)(?:\((\d+)\))?")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "bot"
SUPPORTED_LOCALES = ("tr", "en")
DEFAULT_LOCALE = "tr"


def N_(message: str) -> str:
    """Mark a module-level string for extraction; it is translated where it is shown."""
    return message


@cache
def _catalog(locale: str) -> _gettext.NullTranslations:
    if locale not in SUPPORTED_LOCALES:
        return _gettext.NullTranslations()
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    po_mtime = po_path.stat().st_mtime if po_path.exists() else 0.0
    if mo_path.exists() and mo_path.stat().st_mtime >= po_mtime:
        with mo_path.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def normalize_locale(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a Telegram ``language_code`` (``tr``, ``en-GB``...) to a supported locale."""
    if code:
        base = code.split("-")[0].split("_")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return default


@dataclass(frozen=True, slots=True)
class Translator:
    """Everything a piece of rendering code needs to speak one language."""

    locale: str

    def gettext(self, message: str) -> str:
        return _catalog(self.locale).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalog(self.locale).ngettext(singular, plural, n)

    __call__ = gettext

    def date(self, value: _date) -> str:
        """A full date as officials write it: ``14 Ocak 2027 Perşembe``."""
        return _babel_format_date(value, "d MMMM y EEEE", locale=self.locale)

    def short_date(self, value: _date) -> str:
        return _babel_format_date(value, "dd.MM.y", locale=self.locale)

    def time(self, value: datetime) -> str:
        return _babel_format_time(value, "HH:mm", locale=self.locale)

    def article(self, reference: str) -> str:
        """An article reference as the reader's officials write it: ``Art. 11(4)`` in English,
        ``Madde 11/4`` in Turkish. The domain names articles in the English form."""
        if self.locale == "tr":
            return _ARTICLE.sub(
                lambda m: f"Madde {m.group(1)}" + (f"/{m.group(2)}" if m.group(2) else ""),
                reference,
            )
        return reference

    def weekday(self, value: _date) -> str:
        return _babel_format_date(value, "EEEE", locale=self.locale)


@cache
def translator(locale: str | None) -> Translator:
    return Translator(normalize_locale(locale))


def fill_identity(po_path: Path) -> int:
    """Fill every empty msgstr of a catalog with its msgid (the English catalog)."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string or ()):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=99)
    return filled


def _main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "fill-identity":
        print(f"{fill_identity(Path(argv[1]))} messages filled")
        return 0
    print("usage: python -m bot.i18n fill-identity PATH.po", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
