"""The entry-point table (issue 8): every command and button the real Application registers is
listed with the permission it needs, and the README shows the table of the code."""

from __future__ import annotations

from pathlib import Path

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.app import build_application
from bot.config import Settings
from bot.domain.entrypoints import BY_KEY, ENTRY_POINTS, STALE, Access, TargetKind, readme_block
from bot.domain.permissions import Permission
from bot.handlers.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def _walk(handler: BaseHandler, found: set[str]) -> None:  # type: ignore[type-arg]
    if isinstance(handler, ConversationHandler):
        for inner in [*handler.entry_points, *handler.fallbacks,
                      *(h for state in handler.states.values() for h in state)]:
            _walk(inner, found)
    elif isinstance(handler, CommandHandler):
        found.update("/" + name for name in handler.commands)
    elif isinstance(handler, CallbackQueryHandler):
        pattern = handler.pattern
        found.add(STALE if pattern is None else str(getattr(pattern, "pattern", pattern)))


def registered_entry_points(tmp_path: Path) -> set[str]:
    app = build_application(Settings(token="1:fake", db_path=tmp_path / "kurul.db"))
    found: set[str] = set()
    for handlers in app.handlers.values():
        for handler in handlers:
            _walk(handler, found)
    return found


def test_every_registered_command_and_button_is_in_the_table(tmp_path: Path) -> None:
    registered = registered_entry_points(tmp_path)
    assert len(registered) > 100  # the walk reaches into the conversations' states
    missing = sorted(registered - set(BY_KEY))
    assert not missing, f"add these entry points to bot/domain/entrypoints.py: {missing}"
    stale = sorted(set(BY_KEY) - registered)
    assert not stale, f"the table lists entry points no handler registers: {stale}"
    assert len(BY_KEY) == len(ENTRY_POINTS), "an entry point is listed twice"


def test_the_command_list_agrees_with_the_table() -> None:
    for command in COMMANDS:
        entry = BY_KEY["/" + command.name]
        if command.public:
            assert entry.need is Access.PUBLIC, command.name
        elif command.personal or command.name == "me":
            assert entry.need is Access.OWN, command.name
        elif command.permission is None:
            assert entry.need is Access.REGISTERED, command.name
        else:
            assert entry.need is command.permission, command.name
    assert {c.name for c in COMMANDS} == {e.key[1:] for e in ENTRY_POINTS if e.is_command}


def test_forged_buttons_name_their_target() -> None:
    """A button the permission walk forges must say what it is about, and the placeholders the
    walk fills must match its target (an institution-bound button names the institution)."""
    for entry in ENTRY_POINTS:
        if entry.forge is None:
            continue
        assert entry.target is not TargetKind.NONE, entry.key
        if entry.target is TargetKind.INSTITUTION:
            assert any(f"{{{name}}}" in entry.forge
                       for name in ("institution", "proposal", "question", "decision")), entry.key


def test_flow_steps_name_the_entry_point_opening_their_flow() -> None:
    """A targeted step inside a guided flow is forged by the walk inside its open flow: it must
    say which entry point opens that flow, and need what that flow's opening needs or less."""
    steps = [e for e in ENTRY_POINTS if e.step_of is not None]
    assert len(steps) >= 15
    for entry in steps:
        assert entry.forge is not None and entry.target is not TargetKind.NONE, entry.key
        opener = BY_KEY[entry.step_of]  # type: ignore[index]
        assert opener.step_of is None, entry.key
    # Every targeted button is walked, forged on its own or inside its flow (the council groups'
    # with a group the pressing person added the bot to in the walk).
    unwalked = {e.key for e in ENTRY_POINTS if e.target is not TargetKind.NONE and e.forge is None}
    assert not unwalked, unwalked


def test_people_whose_roles_ended_keep_their_own_data_only() -> None:
    from bot.domain.entrypoints import permits

    assert permits(Access.OWN, [], registered=False, known=True)
    assert not permits(Access.OWN, [], registered=False, known=False)
    assert not permits(Access.REGISTERED, [], registered=False, known=True)
    assert not permits(Permission.VIEW_MEETINGS, [], registered=False, known=True)


def test_every_permission_guards_some_entry_point() -> None:
    used = {e.need for e in ENTRY_POINTS}
    # INVITE is checked inside the invite flow (its entry points need the narrower deputy one).
    unused = set(Permission) - used - {Permission.INVITE, Permission.VIEW_OWN}
    assert not unused, unused


def test_the_readme_shows_the_entry_points_of_the_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- permissions:start -->\n", 1)[1]
    shown = block.split("\n<!-- permissions:end -->")[0]
    assert shown == readme_block(), "run `python -m bot permissions` and update the README"


def test_callback_data_finds_its_entry_point() -> None:
    from bot.domain.entrypoints import entry_for_data

    found = entry_for_data("mem:c:12")
    assert found is not None and found.need is Permission.VIEW_MEMBERS
    assert found.target is TargetKind.COUNCIL
    answered = entry_for_data("mt:a:1:0:2:y")
    assert answered is not None and answered.need is Permission.ANSWER_MEETING
    assert entry_for_data("nonsense:1") is None  # left to the answer to stale buttons


def test_permits_as_the_handlers_decide() -> None:
    from bot.domain.entrypoints import permits
    from bot.domain.models import CouncilKind, RoleKind
    from bot.domain.permissions import Grant, Target

    secretariat = [Grant(RoleKind.SECRETARIAT, 1, 10, CouncilKind.DISTRICT)]
    member = [Grant(RoleKind.MEMBER, 1, 10, CouncilKind.PROVINCIAL, institution_id=5)]
    # The secretariat's INVITE covers the deputy invitation /invite is filed under.
    assert permits(Permission.INVITE_DEPUTY, secretariat, Target(1, 10), registered=True)
    # Art. 10(2): a member proposes to its council, through its own institution there ...
    assert permits(Permission.PROPOSE, member, Target(1, 10), registered=True)
    # ... but not to another council, nor for another institution.
    assert not permits(Permission.PROPOSE, member, Target(1, 11), registered=True)
    assert not permits(Permission.PROPOSE, member, Target(1, 10, 6), registered=True)
    assert permits(Access.PUBLIC, [], registered=False)
    assert not permits(Access.REGISTERED, [], registered=False)
    assert not permits(Access.OWN, [], registered=False)
