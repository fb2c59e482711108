"""Drawing a sequence of steps, performing each against the running bot, and judging it.

A step is one thing one fake person does (or two people at once): a command, a text, a sticker,
a press of a button the bot just offered (most often, so that sequences go deep into the flows),
of an old one, replayed or forged data, an edit, a post in a group or a channel. Each step's
``Recipe`` is drawn from hypothesis's ``data`` after the previous step and read against what the
bot actually shows then (which buttons, which question).

After every step: no ERROR was logged, every private message and press was answered, and every
row that changed was one the actors may change (``WRITERS``; the permission table in
bot/domain/permissions.py): never another province's, a person row only one's own, and each
council table only by the roles whose permissions write it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import strategies as st

from bot.domain.models import RoleKind
from tests.fakebot import DEFAULT_JPEG, BotMessage, FakeUser
from tests.fuzz.inputs import (
    COMMAND_NAMES,
    EMOJI,
    UNKNOWN_COMMANDS,
    command_args,
    mutated,
    numbers,
    random_data,
    texts,
)
from tests.fuzz.world import Cast, RowChange, Sent, StepOutcome, World

T = TypeVar("T")
VERBOSE = bool(os.environ.get("FUZZ_VERBOSE"))
ACTORS = ["secretariat", "chair", "member", "deputy", "liaison", "stranger"]
STRANGER = "stranger"
SEC, CHAIR, MEMBER, DEPUTY, LIAISON = (RoleKind.SECRETARIAT.value, RoleKind.CHAIR.value,
                                       RoleKind.MEMBER.value, RoleKind.DEPUTY.value,
                                       RoleKind.LIAISON.value)
# Who may change each council table (their permissions in bot/domain/permissions.py write it).
# "stranger": someone without an active role, who may only register with an invitation.
WRITERS: dict[str, set[str]] = {
    "province": set(),
    # MANAGE_DISTRICTS; the chair decides whether meetings wait for the chair's approval
    "council": {SEC, CHAIR},
    "institution": {SEC},                      # MANAGE_INSTITUTIONS
    "invite": {SEC, MEMBER},                   # INVITE, INVITE_DEPUTY (and see _registered)
    "role": {SEC},                             # MANAGE_LIAISONS (and see _registered)
    "leave_day": {SEC},                        # MANAGE_LEAVE
    "meeting": {SEC, CHAIR},                   # SCHEDULE_MEETING, APPROVE_MEETING
    "meeting_invitee": {SEC, CHAIR},
    "attendance_answer": {MEMBER, DEPUTY, LIAISON},  # ANSWER_MEETING
    "attendance": {SEC},                       # MARK_ATTENDANCE
    "member_away": {MEMBER},                   # MARK_AWAY
    "proposal": {SEC, MEMBER, LIAISON},        # PROPOSE, REVIEW_PROPOSALS
    "proposal_attachment": {SEC, MEMBER, LIAISON},
    "proposal_question": {SEC, MEMBER, LIAISON},
    "agenda_publication": {SEC},               # REVIEW_PROPOSALS
    "minutes": {SEC},                          # RECORD_MINUTES
    "minutes_addendum": {SEC},
    "decision": {SEC},
    "decision_institution": {SEC},
    "decision_progress": {MEMBER, DEPUTY, LIAISON},  # REPORT_PROGRESS
}

# A message id no chat reaches: a press on a message deleted meanwhile.
GONE_MESSAGE = 999_999
# Kinds of step, repeated to weigh them: pressing what the bot just offered goes deepest.
STEPS = (["press"] * 10 + ["command"] * 4 + ["text"] * 4 + ["old"] * 2 + ["replay"] * 2
         + ["forge"] * 2 + ["start"] * 2 + ["media", "contact", "edit", "double", "others",
                                             "group", "channel", "keyboard"])


@dataclass
class Actor:
    label: str
    user: FakeUser
    kinds: set[str]
    person_ids: set[int]


@dataclass
class Play:
    """One sequence being played: its cast, what was seen, and the transcript."""

    world: World
    cast: Cast
    seen: list[tuple[str, int, str]] = field(default_factory=list)  # (actor, message, data)
    texts: dict[str, list[int]] = field(default_factory=dict)        # actor -> own text ids
    transcript: list[str] = field(default_factory=list)
    last_actor: str = "secretariat"

    # --- state read on the bot's loop -------------------------------------------------------

    def messages(self, label: str) -> list[BotMessage]:
        user = self.cast.users[label]

        async def read() -> list[BotMessage]:
            return user.messages()

        return self.world.run(read())

    def keyboard(self, label: str) -> list[str]:
        user = self.cast.users[label]

        async def read() -> list[str]:
            return user.keyboard()

        return self.world.run(read())

    def actor(self, label: str) -> Actor:
        user = self.cast.users[label]
        db = self.world._db
        assert db is not None
        kinds = {r[0] for r in db.execute(
            "SELECT r.kind FROM role r JOIN person p ON p.id = r.person_id "
            "WHERE p.telegram_user_id = ? AND r.valid_to IS NULL", (user.id,))}
        people = {r[0] for r in db.execute(
            "SELECT id FROM person WHERE telegram_user_id = ?", (user.id,))}
        return Actor(label, user, kinds or {STRANGER}, people)

    def remember(self) -> None:
        """Collect the callback data of every button now showing in the cast's chats."""
        known = {(a, m, d) for a, m, d in self.seen}
        for label in ACTORS:
            for message in self.messages(label):
                for row in (message.reply_markup or {}).get("inline_keyboard") or []:
                    for button in row:
                        data = button.get("callback_data")
                        if data is not None and (label, message.message_id, data) not in known:
                            self.seen.append((label, message.message_id, data))

    # --- judging ------------------------------------------------------------------------------

    def judge(self, actors: list[Actor], outcome: StepOutcome) -> list[str]:
        problems = [f"ERROR logged: {e}" for e in outcome.errors]
        problems += outcome.unanswered
        problems += [f"audit log rewritten: {a}" for a in outcome.audit_rewritten]
        kinds = set().union(*(a.kinds for a in actors))
        ids = {a.user.id for a in actors}
        mine = set().union(*(a.person_ids for a in actors)) | {
            c.rowid for c in outcome.changes
            if c.table == "person" and c.value("telegram_user_id") in ids}
        registered = _registered(outcome.changes, mine)
        for change in outcome.changes:
            if registered and change.table in ("invite", "role") \
                    and change.province_id == self.cast.province_id:
                continue
            reason = self._forbidden(change, kinds, mine, ids)
            if reason:
                problems.append(f"{reason}: {change}")
        return problems

    def _forbidden(self, change: RowChange, kinds: set[str], mine: set[int],
                   telegram_ids: set[int]) -> str | None:
        if change.province_id is not None and change.province_id != self.cast.province_id:
            return "another province's row changed"
        if change.table == "person":
            if change.rowid in mine or change.value("telegram_user_id") in telegram_ids:
                return None
            return "someone else's person row changed"
        if change.table == "role" and change.value("person_id") in mine:
            return None  # one's own roles: /forgetme ends them
        if kinds & WRITERS[change.table]:
            return None
        return f"{'/'.join(sorted(kinds))} may not change {change.table}"


def _registered(changes: list[RowChange], mine: set[int]) -> bool:
    """Whether one of the actors registered with an invitation in this step. Anyone holding a
    link may: the invitation is used, their role begins, and the seat's previous holder's term
    ends (so role rows of others change too)."""
    return any(c.table == "invite" and c.before is not None and c.value("used_by") in mine
               and c.before[c.columns.index("used_at")] is None for c in changes)


def _press_sent(label: str, query: dict[str, Any], chat_id: int) -> Sent:
    return Sent("callback", chat_id, f"{label}: {query.get('data')!r}", str(query["id"]))


@dataclass(frozen=True)
class Recipe:
    """Everything one step may need, drawn before looking at what the bot shows: every step
    draws the same shape, so that hypothesis can replay and shrink sequences although the
    choices they lead to depend on the bot's answers (``pick`` indexes whatever is offered)."""

    stay: bool          # the same person as in the last step
    focus: int          # 0-99: follow the flow (press what was offered, answer its question)
    actor: str
    kind: str
    pick: int
    command: str
    args: str
    text: str
    token: int
    media: str
    contact: str
    phone: str
    second: str         # who presses at the same time
    group: str
    forged: str
    number: int
    variant: int


PHONES = ["+905321234567", "905327654321", "+12025550123", "123", "+90 532 ABC"]
MEDIA = ["sticker", "photo", "document", "voice", "location"]
CONTACTS = ["own", "someone else's", "no user id"]
GROUP = ["command", "addressed", "text", "press"]

recipes = st.builds(
    Recipe,
    stay=st.integers(0, 9).map(lambda n: n < 8),
    focus=st.integers(0, 99),
    actor=st.sampled_from(ACTORS),
    kind=st.sampled_from(STEPS),
    pick=st.integers(0, 2**16),
    command=st.sampled_from(COMMAND_NAMES * 3 + UNKNOWN_COMMANDS),
    args=st.one_of(st.just(""), st.just(""), st.just(""), command_args()),
    text=texts(),
    token=st.integers(0, 6),
    media=st.sampled_from(MEDIA),
    contact=st.sampled_from(CONTACTS),
    phone=st.sampled_from(PHONES),
    second=st.sampled_from(ACTORS),
    group=st.sampled_from(GROUP),
    forged=random_data(),
    number=numbers(),
    variant=st.integers(0, 1000),
)


def play(world: World, data: st.DataObject) -> None:
    """Draw and perform one sequence of 3 to 12 steps; raise AssertionError on a violation."""
    cast = world.new_cast()
    game = Play(world, cast)
    steps = data.draw(st.integers(3, 12), label="steps")
    for number in range(steps):
        recipe = data.draw(recipes, label=f"step {number + 1}")
        label = game.last_actor if recipe.stay else recipe.actor
        act, description, labels = _step(game, recipe, label, _kind(game, recipe, label))
        game.last_actor = label
        actors = [game.actor(name) for name in labels]
        _sent, outcome = world.step(act)
        game.transcript.append(f"{number + 1}. {description}")
        problems = game.judge(actors, outcome)
        if problems:
            raise AssertionError(
                f"sequence {cast.number} (province {cast.province_id}) failed at step "
                f"{number + 1}:\n  " + "\n  ".join(game.transcript) + "\nproblems:\n  "
                + "\n  ".join(problems) + "\nbot calls in that step:\n  "
                + "\n  ".join(outcome.calls[-15:]))
        game.remember()
    if VERBOSE:
        print(f"--- sequence {cast.number}\n  " + "\n  ".join(game.transcript), flush=True)


Act = Callable[[], Awaitable[list[Sent]]]


def _pick(items: list[T], recipe: Recipe) -> T:
    return items[recipe.pick % len(items)]


def _step(game: Play, recipe: Recipe, label: str, kind: str
          ) -> tuple[Act, str, list[str]]:
    """The step to perform, its description, and the labels of who acts."""
    user = game.cast.users[label]
    chat = user.id

    def private(make: Callable[[], Awaitable[Any]], what: str) -> tuple[Act, str, list[str]]:
        async def act() -> list[Sent]:
            await make()
            return [Sent("private", chat, f"{label}: {what}")]
        return act, f"{label}: {what}", [label]

    def press(data_: str, message_id: int, what: str) -> tuple[Act, str, list[str]]:
        async def act() -> list[Sent]:
            query = await user.press_data(data_, message_id)
            return [_press_sent(label, query, chat)]
        return act, f"{label} presses {what} {data_!r} on #{message_id}", [label]

    if kind == "press":
        offered = _offered(game, label, 3)
        if offered:
            message_id, value = _pick(offered[-12:], recipe)
            return press(value, message_id, "offered button")
        kind = "command"
    if kind == "old":
        mine = [(m, d) for a, m, d in game.seen if a == label]
        if mine:
            message_id, value = _pick(mine, recipe)
            return press(value, message_id, "old button")
        kind = "forge"
    if kind == "replay" and game.seen:
        _, _, value = _pick(game.seen, recipe)
        return press(value, _latest_id(game, label), "replayed data")
    if kind in ("forge", "replay"):
        value = recipe.forged
        if game.seen and recipe.variant % 3:
            value = mutated(_pick(game.seen, recipe)[2], recipe.number, recipe.variant,
                            recipe.forged[:8])
        return press(value, _latest_id(game, label), "forged data")
    if kind == "command":
        name, args = recipe.command, recipe.args
        return private(lambda: user.command(name, args), f"/{name} {args!r}")
    if kind == "start":
        token = [*game.cast.tokens, "", "x", "A" * 22, game.cast.tokens[0][:-1] + "_"][
            recipe.token]
        return private(lambda: user.command("start", token), f"/start {token!r}")
    if kind == "text":
        text = recipe.text

        async def send_text() -> list[Sent]:
            sent = await user.send_text(text)
            game.texts.setdefault(label, []).append(int(sent["message_id"]))
            return [Sent("private", chat, f"{label}: text {text[:60]!r}")]
        return send_text, f"{label} sends text {text[:80]!r} ({len(text)} chars)", [label]
    if kind == "keyboard":
        keys = game.keyboard(label)
        if keys:
            key = _pick(keys, recipe)
            return private(lambda: user.send_text(key), f"taps keyboard {key!r}")
        kind = "media"
    if kind == "media":
        emoji = _pick(EMOJI, recipe)
        makers: dict[str, Callable[[], Awaitable[Any]]] = {
            "sticker": lambda: user.send_sticker(emoji),
            "photo": lambda: user.send_photo(DEFAULT_JPEG, caption=None),
            "document": lambda: user.send_document("rapor.pdf", b"%PDF-1.4 fuzz"),
            "voice": lambda: user.send_voice(),
            "location": lambda: user.send_location(37.06, 37.38),
        }
        return private(makers[recipe.media], f"sends a {recipe.media}")
    if kind == "contact":
        contact_id: int | str | None = {"own": "self", "someone else's": user.id + 1,
                                        "no user id": None}[recipe.contact]
        phone = recipe.phone
        return private(lambda: user.share_contact(phone, contact_id),  # type: ignore[arg-type]
                       f"shares {recipe.contact} contact {phone}")
    if kind == "edit":
        mine_texts = game.texts.get(label)
        if mine_texts:
            message_id = _pick(mine_texts, recipe)
            text = recipe.text
            return private(lambda: user.edit_text(message_id, text),
                           f"edits #{message_id} to {text[:40]!r}")
        kind = "double"
    if kind == "double":
        offered = _offered(game, label, 1)
        if offered:
            message_id, value = _pick(offered, recipe)
            other_label = recipe.second
            other = game.cast.users[other_label]
            other_message = _latest_id(game, other_label)

            async def twice() -> list[Sent]:
                first = await user.press_data(value, message_id)
                if other_label == label:
                    second = await user.press_data(value, message_id)
                else:
                    second = await other.press_data(value, other_message)
                return [_press_sent(label, first, chat),
                        _press_sent(other_label, second, other.id)]
            return (twice, f"{label} and {other_label} press {value!r} at once",
                    sorted({label, other_label}))
        kind = "others"
    if kind == "others":
        # Someone else's button data, pressed in one's own chat.
        theirs = [(a, d) for a, _m, d in game.seen if a != label]
        if theirs:
            owner, value = _pick(theirs, recipe)
            return press(value, _latest_id(game, label), f"{owner}'s button")
        kind = "group"
    if kind == "group":
        group = game.cast.group
        what = recipe.group
        name = recipe.command

        async def in_group() -> list[Sent]:
            if what == "command":
                await group.command(user, name)
            elif what == "addressed":
                await group.command(user, "start", game.cast.tokens[-1], addressed=True)
            elif what == "text":
                await group.send_text(user, recipe.text)
            else:
                await group.press_data(user, f"menu:{name}", 1)
            return [Sent("group", group.id, f"{label} in the group: {what}")]
        return in_group, f"{label} in the group: {what} {name}", [label]
    # a channel post: nobody to answer, nothing to break
    channel = game.cast.channel

    async def post() -> list[Sent]:
        await channel.post(recipe.text)
        return [Sent("group", channel.id, "channel post")]
    return post, "a post in the channel", []


def _kind(game: Play, recipe: Recipe, label: str) -> str:
    """Mostly follow the flow the person is in, so that sequences get deep into it: press a
    button of the bot's last message, or answer its question with a text."""
    messages = game.messages(label)
    if messages and recipe.focus < 60:
        return "press" if messages[-1].buttons() else "text"
    return recipe.kind


def _offered(game: Play, label: str, last: int) -> list[tuple[int, str]]:
    """(message id, callback data) of the buttons on the bot's last messages in a chat."""
    return [(m.message_id, b["callback_data"]) for m in game.messages(label)[-last:]
            for row in (m.reply_markup or {}).get("inline_keyboard") or []
            for b in row if "callback_data" in b]


def _latest_id(game: Play, label: str) -> int:
    """The bot's latest message with buttons in that chat, where a press can come from (or,
    when there is none, a message that is not there: deleted, as far as the bot knows)."""
    with_buttons = [m for m in game.messages(label) if m.buttons()]
    return with_buttons[-1].message_id if with_buttons else GONE_MESSAGE
