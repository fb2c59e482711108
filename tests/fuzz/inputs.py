"""Hostile input for the fuzzer: texts of any script and size, commands with garbage arguments,
and callback data that is forged, mutated or borrowed from someone else."""

from __future__ import annotations

import re

from hypothesis import strategies as st

from bot.handlers.commands import COMMANDS

RTL = ["مرحبا بالعالم", "שלום עולם", "محافظة غازي عنتاب ١٢٣", "\u202eevil\u202c", "אבג 123 דהו"]
EMOJI = ["👍", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇹🇷", "👩🏽‍💻", "❤️‍🔥", "🤷‍♀️", "1️⃣"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u200e", "\u200f"]
MARKUP = ["<b>", "</b>", "&", "&amp;", "<i>x</i>", "<script>alert(1)</script>", "<", ">",
          "*bold*", "_x_", "`code`", "[link](http://x)", "{name}", "{0}", "%s", "\\", "'", '"']
PLAUSIBLE = ["Ayşe Yılmaz", "İl Göç İdaresi Müdürü", "Şube Müdürü", "0532 765 43 21",
             "+90 532 123 45 67", "05321234567", "12.03.2027", "2027-03-12", "14:30", "10.00",
             "yarın", "Valilik toplantı salonu", "1", "0", "-1", "99999999999999999999", "evet",
             "hayır", "yes", "no", "OK", "Kaymakamlık", "İÇİŞLERİ", "ı İ ş Ş ğ Ğ ç Ç ö Ö ü Ü",
             "15.01.2027", "2027-01-20", "20/01/2027", "10:00", "31.02.2027", "01.01.2026",
             "Göç politikası ve uyum çalışmaları", "Kararın uygulanması sürüyor.",
             "Ali Veli, Kızılay, Koordinatör", "12.01.2027 14:00"]
FRAGMENTS = RTL + EMOJI + INVISIBLE + MARKUP + PLAUSIBLE + [" ", "\n", "\t"]
COMMAND_NAMES = [c.name for c in COMMANDS]
UNKNOWN_COMMANDS = ["foo", "admin", "start@other_bot", "HELP", "Menu", "ş", "delete_all",
                    "sql", "x" * 40, "1", "_"]


def _visible(text: str) -> bool:
    # Telegram clients do not send an empty or blank message.
    return bool(text.strip())


def texts() -> st.SearchStrategy[str]:
    """Any Unicode, RTL, emoji and ZWJ sequences, zero-width characters, HTML-looking text,
    plausible answers, and very long texts (up to 5,000 characters)."""
    long = st.builds(lambda piece, n: (piece * n)[:5000],
                     st.sampled_from([*FRAGMENTS, "a", "Ş", "مرحبا", "👨‍👩‍👧‍👦"]),
                     st.integers(500, 5000))
    return st.one_of(
        st.sampled_from(PLAUSIBLE),
        st.sampled_from(PLAUSIBLE),
        st.text(min_size=1, max_size=40),
        st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12).map("".join),
        long,
    ).filter(_visible)


def command_args() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), st.just(""), texts().map(lambda s: s[:200]),
                     st.integers(-5, 10**12).map(str))


def random_data() -> st.SearchStrategy[str]:
    """Callback data nobody was offered: any string Telegram would carry (1-64 bytes)."""
    return st.text(min_size=1, max_size=64).filter(lambda s: len(s.encode()) <= 64)


def mutated(data: str, number: int, variant: int, junk: str) -> str:
    """Real callback data with its numbers replaced (other councils', other provinces', absurd
    ones), truncated, extended or with its separators doubled; at most 64 bytes."""
    variants = [
        re.sub(r"\d+", str(number), data, count=1),
        re.sub(r"\d+", str(number), data),
        data[: max(1, variant % (len(data) + 1))],
        data + ":" + junk,
        data.replace(":", "::"),
    ]
    out = variants[variant % len(variants)].encode()[:64].decode(errors="ignore")
    return out or "x"


def numbers() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 300), st.integers(-3, 3), st.integers(10**9, 10**18))
