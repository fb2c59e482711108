"""The long fuzz run: ``python -m tests.fuzz --sequences 10000``.

Sequences run in batches; each batch starts a fresh bot on a fresh database (so that the
database of thousands of provinces does not slow the later ones) and runs one hypothesis search
of ``--batch`` sequences. A failing batch prints its sequence and the run goes on with the
next; the summary counts sequences, updates, failures and minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.fuzz.runner import run_batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--sequences", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=40, help="sequences per fresh bot")
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run")
    args = parser.parse_args(argv)
    started = time.monotonic()
    sequences = updates = failures = 0
    batch = 0
    while sequences < args.sequences:
        size = min(args.batch, args.sequences - sequences)
        with tempfile.TemporaryDirectory(prefix="kurul-fuzz-") as root:
            result = run_batch(Path(root), size, shrink=False,
                               seed=None if args.seed is None else args.seed + batch)
        batch += 1
        sequences += result.sequences
        updates += result.updates
        if result.failure:
            failures += 1
            print(f"FAILURE in batch {batch}:\n{result.failure}\n", flush=True)
        elapsed = time.monotonic() - started
        print(f"batch {batch}: {sequences} sequences, {updates} updates, {failures} failures, "
              f"{elapsed / 60:.1f} min", flush=True)
    elapsed = time.monotonic() - started
    print(f"fuzz: {sequences} sequences, {updates} updates, {failures} failures, "
          f"{elapsed / 60:.1f} minutes ({elapsed / max(sequences, 1) * 1000:.0f} ms a sequence)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
