"""Issue 8: a bounded fuzz run in the suite (the long one is ``python -m tests.fuzz``).

Hypothesis draws sequences of updates by six fake people (secretariat, chair, member, deputy,
liaison officer, and a stranger holding invitation links) through the real Application over
HTTP; after every step no error may be logged, every private message and press must be
answered, and no row may change that the step's actors may not change (tests/fuzz)."""

from __future__ import annotations

from pathlib import Path

from tests.fuzz.runner import run_batch

SEQUENCES = 120


def test_fuzzed_sequences_break_no_invariant(tmp_path: Path) -> None:
    result = run_batch(tmp_path, SEQUENCES)
    print(f"fuzz: {result.sequences} sequences, {result.updates} updates")
    assert result.failure is None, result.failure
    assert result.sequences >= SEQUENCES
    assert result.updates >= 3 * SEQUENCES
