"""Catalogs stay complete: every string in the code has a Turkish and an English translation
with the same placeholders, and dates read the way officials write them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, normalize_locale, translator

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "t": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"{[a-z_]*}")


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "bot", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", ["tr", "en"])
def test_every_message_in_the_code_is_translated(locale: str) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "bot.po").open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for msgid in sorted(source_messages()):
        message = catalog.get(msgid)
        strings = message.string if message is not None else None
        if isinstance(strings, tuple):
            empty = not all(strings)
        else:
            empty = not strings
        if message is None or empty or message.fuzzy:
            missing.append(msgid)
    assert not missing, f"{locale}: {len(missing)} untranslated, run `make i18n`: {missing[:5]}"


@pytest.mark.parametrize("locale", ["tr", "en"])
def test_translations_keep_placeholders(locale: str) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "bot.po").open("rb") as fh:
        catalog = read_po(fh)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != expected:
                wrong.append((ids[0], string))
    assert not wrong, wrong[:5]


def test_turkish_is_spoken_and_dates_read_officially() -> None:
    tr = translator("tr")
    assert tr("Help") != "Help"
    assert tr.date(date(2027, 1, 14)) == "14 Ocak 2027 Perşembe"
    assert translator("en").date(date(2027, 1, 14)) == "14 January 2027 Thursday"
    assert tr.date(date(2023, 2, 21)) == "21 Şubat 2023 Salı"


def test_locale_normalisation() -> None:
    assert normalize_locale("en-GB") == "en"
    assert normalize_locale("ar") == "tr"
    assert normalize_locale(None, "en") == "en"


def test_articles_are_written_the_turkish_way_in_turkish() -> None:
    assert translator("tr").article("Art. 11(4)") == "Madde 11/4"
    assert translator("tr").article("Art. 13") == "Madde 13"
    assert translator("en").article("Art. 11(4)") == "Art. 11(4)"
