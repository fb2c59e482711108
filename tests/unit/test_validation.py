"""Input checks: names, titles, phones (phonenumbers, region TR) and Turkish folding."""

from __future__ import annotations

import pytest

from bot.domain.validation import (
    InvalidInput,
    Problem,
    clean_name,
    clean_title,
    display_phone,
    fold,
    normalize_phone,
    parse_count,
    upper_tr,
)


def test_fold_is_turkish_aware() -> None:
    assert fold("ISPARTA") == fold("ısparta") == "ısparta"
    assert fold("İSTANBUL") == fold("istanbul") == "istanbul"
    assert fold("ISPARTA") != fold("istanbul"[:1] + "sparta")
    assert fold("  Çanak\u200bkale   İl ") == "çanakkale il"


def test_upper_tr() -> None:
    assert upper_tr("istanbul ılgaz") == "İSTANBUL ILGAZ"


@pytest.mark.parametrize("raw", ["Ayşe Yılmaz", "  Mehmet   Ali  Öztürk ", "Zeynep O'Neil-Kaya"])
def test_clean_name_accepts_real_names(raw: str) -> None:
    assert clean_name(raw) == " ".join(raw.split())


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("", Problem.EMPTY), ("   ", Problem.EMPTY), ("x" * 101, Problem.TOO_LONG),
     ("12345", Problem.NOT_A_NAME), ("😀😀", Problem.NOT_A_NAME), ("A", Problem.NOT_A_NAME)],
)
def test_clean_name_rejects(raw: str, problem: Problem) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_name(raw)
    assert caught.value.problem is problem


def test_clean_title_limits() -> None:
    assert clean_title("Şube Müdürü") == "Şube Müdürü"
    with pytest.raises(InvalidInput):
        clean_title("x" * 121)
    with pytest.raises(InvalidInput):
        clean_title("1234")


@pytest.mark.parametrize(
    "raw", ["0532 123 45 67", "+90 532 123 45 67", "5321234567", "(0532) 123-4567", "905321234567"]
)
def test_phone_normalised_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+905321234567"


@pytest.mark.parametrize("raw", ["123", "0532 123", "abc", "+90 000 000 00 00"])
def test_phone_rejects_invalid(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_phone(raw)
    assert caught.value.problem is Problem.INVALID_PHONE


def test_display_phone() -> None:
    assert display_phone("+905321234567") == "+90 532 123 45 67"


def test_parse_count() -> None:
    assert parse_count("12.500") == 12500
    assert parse_count("2 000") == 2000
    with pytest.raises(InvalidInput):
        parse_count("-3")
    with pytest.raises(InvalidInput):
        parse_count("çok")
