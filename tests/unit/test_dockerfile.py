"""The image's recipe, checked without a container engine (none runs here): the rules a
hadolint-style review would apply to our Dockerfile, and what design.md asks of the image."""

from __future__ import annotations

import re
from pathlib import Path

DOCKERFILE = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_slim_pinned_base_and_no_latest() -> None:
    froms = [rest for word, rest in instructions() if word == "FROM"]
    assert froms == ["python:3.11-slim"]  # a tag, never :latest (hadolint DL3006/DL3007)


def test_runs_as_an_unprivileged_user_with_data_on_a_volume() -> None:
    steps = instructions()
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(word == "VOLUME" and "/data" in rest for word, rest in steps)
    env = " ".join(rest for word, rest in steps if word == "ENV")
    assert "BOT_DB_PATH=/data/" in env
    # the user is switched to after everything that needs root
    last_user = max(i for i, (word, _) in enumerate(steps) if word == "USER")
    assert all(word != "RUN" for word, _ in steps[last_user:])


def test_catalogs_compiled_and_the_bot_is_the_entrypoint() -> None:
    runs = " ".join(rest for word, rest in instructions() if word == "RUN")
    assert "pybabel compile" in runs
    assert "pip install" in runs
    env = " ".join(rest for word, rest in instructions() if word == "ENV")
    assert "PIP_NO_CACHE_DIR=1" in env  # no pip cache left in the image (DL3042)
    entry = [rest for word, rest in instructions() if word == "ENTRYPOINT"]
    assert entry == ['["python", "-m", "bot"]']
    assert not any(word == "ADD" for word, _ in instructions())  # COPY, not ADD (DL3020)
    assert not any(word == "RUN" and "sudo" in rest for word, rest in instructions())


def test_dockerignore_keeps_secrets_and_data_out() -> None:
    ignored = (Path(__file__).resolve().parents[2] / ".dockerignore").read_text().split()
    assert {".git", ".venv", "data"} <= set(ignored)
