"""One hypothesis search of fuzz sequences against one running bot, counted."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from tests.fuzz.sequences import play
from tests.fuzz.world import World


@dataclass
class BatchResult:
    sequences: int
    updates: int
    failure: str | None


def run_batch(root: Path, sequences: int, *, shrink: bool = True,
              seed: int | None = None) -> BatchResult:
    """Run ``sequences`` sequences on a fresh bot under ``root``; the first violation ends the
    search (shrunk to a smaller sequence when ``shrink``) and is returned as text."""
    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    count = 0
    with World(root) as world:

        @settings(max_examples=sequences, deadline=None, database=None, phases=phases,
                  suppress_health_check=list(HealthCheck), print_blob=True)
        @given(st.data())
        def search(data: st.DataObject) -> None:
            nonlocal count
            count += 1
            play(world, data)

        if seed is not None:
            search = hypothesis_seed(seed)(search)
        failure = None
        try:
            search()
        except Exception as exc:  # the search's verdict, reported rather than raised
            failure = _described(exc)
        return BatchResult(count, world.updates, failure)


def _described(exc: BaseException) -> str:
    """The violation as the sequence printed it; for a failure hypothesis could not replay
    (the bot's background sends raced differently), the first run's report too."""
    if isinstance(exc, AssertionError):
        return "".join(traceback.format_exception_only(exc))
    text = traceback.format_exc()
    for inner in getattr(exc, "exceptions", ()):
        text += "\nfirst run:\n" + _described(inner)
    return text
