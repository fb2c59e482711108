"""Issue 8: a bounded fuzz run in the suite (the long one is ``python -m tests.fuzz``).

Hypothesis draws sequences of updates by six fake people (secretariat, chair, member, deputy,
liaison officer, and a stranger holding invitation links) through the real Application over
HTTP; after every step no error may be logged, every private message and press must be
answered, and no row may change that the step's actors may not change (tests/fuzz)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.handlers import common
from tests.fuzz.runner import run_batch

SEQUENCES = 120


def test_fuzzed_sequences_break_no_invariant(tmp_path: Path) -> None:
    result = run_batch(tmp_path, SEQUENCES)
    print(f"fuzz: {result.sequences} sequences, {result.updates} updates")
    assert result.failure is None, result.failure
    assert result.sequences >= SEQUENCES
    assert result.updates >= 3 * SEQUENCES


async def _raises(update: object, ctx: object) -> None:
    raise RuntimeError("planted bug")


async def _silent(update: object, ctx: object) -> None:
    return None


def test_the_fuzzer_catches_a_handler_that_raises_or_stays_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What answers a stray text or sticker is hit within a few sequences.
    monkeypatch.setattr(common, "stray_message", _raises)
    raised = run_batch(tmp_path / "raises", 40, shrink=False, seed=8)
    assert raised.failure is not None and "planted bug" in raised.failure
    monkeypatch.setattr(common, "stray_message", _silent)
    silent = run_batch(tmp_path / "silent", 40, shrink=False, seed=8)
    assert silent.failure is not None and "got no answer" in silent.failure


def test_the_fuzzer_catches_a_row_changed_without_the_permission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_stray = common.stray_message

    async def renames(update: Any, ctx: Any) -> None:
        # A stray text from someone of another province renames the first province's first
        # institution (which nobody outside province 1 may touch), then is answered.
        if any(grant.province_id != 1 for grant in ctx.grants):
            await ctx.store.councils.rename_institution(1, "Ele geçirildi")
        await answer_stray(update, ctx)

    monkeypatch.setattr(common, "stray_message", renames)
    result = run_batch(tmp_path, 40, shrink=False, seed=8)
    assert result.failure is not None and "institution row 1 (province 1)" in result.failure
