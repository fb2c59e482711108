"""The fuzzer's verdict on one step (tests/fuzz/sequences.py): which row changes its actors
were allowed, so that a fuzz run with zero failures means something."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tests.fuzz.sequences import Actor, Play
from tests.fuzz.world import Cast, RowChange, StepOutcome

OWN, OTHER = 7, 3
COLUMNS = {
    "meeting": ("id", "council_id", "status"),
    "person": ("id", "telegram_user_id", "full_name"),
    "invite": ("id", "used_at", "used_by"),
    "role": ("id", "person_id", "valid_to"),
    "council": ("id", "province_id", "chair_approval"),
}


def play() -> Play:
    cast = Cast(1, OWN, 11, 12, {}, {}, [], None, None)  # type: ignore[arg-type]
    return Play(None, cast)  # type: ignore[arg-type]


def actor(kind: str, telegram_id: int = 500, person_id: int = 50) -> Actor:
    user = SimpleNamespace(id=telegram_id)
    return Actor(kind, user, {kind}, {person_id})  # type: ignore[arg-type]


def change(table: str, before: tuple[Any, ...] | None, after: tuple[Any, ...] | None,
           province: int | None = OWN) -> RowChange:
    row = after or before
    assert row is not None
    return RowChange(table, row[0], province, before, after, COLUMNS[table])


def verdict(actors: list[Actor], *changes: RowChange, **outcome: Any) -> list[str]:
    return play().judge(actors, StepOutcome(changes=list(changes), **outcome))


def test_a_meeting_is_changed_by_the_secretariat_or_the_chair_only() -> None:
    moved = change("meeting", (1, 11, "scheduled"), (1, 11, "cancelled"))
    assert verdict([actor("secretariat")], moved) == []
    assert verdict([actor("chair")], moved) == []
    for kind in ("member", "deputy", "liaison", "stranger"):
        assert verdict([actor(kind)], moved) == [
            f"{kind} may not change meeting: {moved}"]


def test_no_one_changes_another_provinces_rows() -> None:
    theirs = change("meeting", (1, 11, "scheduled"), (1, 11, "cancelled"), province=OTHER)
    assert verdict([actor("secretariat")], theirs) == [
        f"another province's row changed: {theirs}"]


def test_a_person_row_is_only_ones_own() -> None:
    mine = change("person", (50, 500, "Ayşe"), (50, 500, "Ayşe Y"), province=None)
    theirs = change("person", (51, 501, "Ali"), (51, 501, "Veli"), province=None)
    assert verdict([actor("member")], mine) == []
    assert verdict([actor("secretariat")], theirs) == [
        f"someone else's person row changed: {theirs}"]


def test_registering_with_an_invitation_may_end_someone_elses_term() -> None:
    used = change("invite", (9, None, None), (9, "2027-01-04", 50))
    ended = change("role", (30, 77, None), (30, 77, "2027-01-04"))
    assert verdict([actor("stranger")], used, ended) == []
    # without an invitation used in the step, a stranger changes no one's role
    assert verdict([actor("stranger")], ended) == [f"stranger may not change role: {ended}"]


def test_errors_and_silence_are_failures() -> None:
    problems = verdict([actor("member")], errors=["bot.handlers.common: boom"],
                       unanswered=["message member: /help got no answer"])
    assert problems == ["ERROR logged: bot.handlers.common: boom",
                        "message member: /help got no answer"]
