"""Every cell of the permission table through the running bot (issue 8).

One bot, one seeded world: a province with its provincial council, sub-commission and a
district council, and a second province; a person for each role (provincial and district
secretariat, chair, member, deputy, principal and substitute liaison officer, invitee, a member
whose role ended) and someone unregistered. The walk sends every command as every role, and
presses every button that names a target (``entrypoints.ENTRY_POINTS`` with a ``forge``) with
data forged to point at the role's own institution, another institution of its council, another
council of its province, the province's sub-commission and another province. A step inside a
guided flow (``step_of``) is pressed on the flow's live prompt after opening the flow as far as
that step, as each role that may open it (and a directorate of two provinces, the only one asked
which province); a role that cannot open it presses it on an old message, where it must be
refused or answered as stale. The council-group buttons press with a group the pressing person
added the bot to at the start of the walk (``{chat}``); while the unlinking buttons are walked
each council has a group of its own linked, and an allowed link or unlink is undone at once, so
later cells see the same groups. What should happen comes from ``permissions.allowed`` (through
``entrypoints.permits`` and the council-kind rules below), never from the test: an allowed cell
gets its real answer; a denied one a polite refusal in the person's language, and no row of any
table changes (PTB's conversation and user data included: they are flushed before each
snapshot, so nothing needs excluding; a refused step inside a flow keeps the flow where it was).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path

from bot.domain.agenda import ProposalKind, areas_for
from bot.domain.clock import ManualClock
from bot.domain.entrypoints import (
    BY_KEY,
    ENTRY_POINTS,
    EntryPoint,
    TargetKind,
    entry_for_data,
    permits,
)
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import Person, Rank, RoleKind
from bot.domain.permissions import Grant, Permission, Target
from bot.i18n import Translator, translator
from bot.notify import group_kinds
from bot.notify.engine import notifier_of
from bot.services import agenda, broadcast, decisions, invites, meetings
from bot.services import groups as group_service
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.harness import RunningBot, running
from tests.e2e.steps import plain
from tests.fakebot import BotMessage, FakeBotAPI, FakeChat, FakeUser

LANG = "tr"  # refusals are checked as the person reads them, translated


@dataclass(frozen=True)
class Role:
    name: str
    telegram_id: int
    kind: RoleKind | None           # None: unregistered
    rank: Rank | None = None
    district: bool = False          # home council is the district council
    seated: bool = False            # holds a seat for an institution
    ended: bool = False             # the role has ended: only one's own data is left


ROLES = (
    Role("secretariat", 9101, RoleKind.SECRETARIAT),
    Role("district secretariat", 9102, RoleKind.SECRETARIAT, district=True),
    Role("chair", 9103, RoleKind.CHAIR),
    Role("member", 9104, RoleKind.MEMBER, seated=True),
    Role("deputy", 9105, RoleKind.DEPUTY, seated=True),
    Role("liaison principal", 9106, RoleKind.LIAISON, Rank.PRINCIPAL, seated=True),
    Role("liaison substitute", 9107, RoleKind.LIAISON, Rank.SUBSTITUTE, seated=True),
    Role("invitee", 9108, RoleKind.INVITEE),
    Role("unregistered", 9109, None),
    Role("member whose role ended", 9111, RoleKind.MEMBER, seated=True, ended=True),
)
# Only someone who is the directorate of two provinces is asked which one in /leave and
# /broadcast: walked through the flow steps only (its commands are the secretariat's).
TWO_PROVINCES = Role("secretariat of two provinces", 9112, RoleKind.SECRETARIAT)
FLOW_ROLES = (*ROLES, TWO_PROVINCES)
# People the seeding needs but the walk does not: the second province's secretariat and the
# chairs who approve the other councils' meetings.
OTHER_SECRETARIAT, DISTRICT_CHAIR, OTHER_CHAIR = 9201, 9202, 9203
FIRST_PROPOSER = 9300  # a liaison officer for each institution the walk points at
FIRST_SUBSTITUTE = 9350  # and its substitute
HELPERS = (OTHER_SECRETARIAT, DISTRICT_CHAIR, OTHER_CHAIR)
SCOPES = ("own institution", "other institution of own council",
          "other council of own province", "other province",
          # Its institutions are the provincial council's (the walk points at the first: a
          # provincial member's or liaison officer's own), its members their liaison officers.
          "sub-commission of own province")


@dataclass(frozen=True)
class Place:
    """A council and one of its institutions, with the records buttons point at."""

    province: int
    council: int
    institution: int
    meeting: int
    seq: int
    invite: int
    notice: int
    proposal: int   # sent by the institution for the meeting
    question: int   # the secretariat's question on that proposal
    decision: int   # of an earlier meeting, the institution responsible for it
    held: int       # a meeting of last month whose minutes are still open
    deputy: int     # the walk's deputy (a person id)

    def fill(self, template: str, chat: int | None = None) -> str:
        """``chat``: the group the pressing person added the bot to, for ``{chat}``."""
        return template.format(chat=chat, province=self.province, council=self.council,
                               institution=self.institution, meeting=self.meeting,
                               seq=self.seq, invite=self.invite, notice=self.notice,
                               proposal=self.proposal, question=self.question,
                               decision=self.decision, held=self.held, deputy=self.deputy)


@dataclass
class World:
    places: dict[tuple[int, int], Place]     # (council, institution) -> place
    institutions: dict[int, list[int]]       # council -> institutions
    provincial: int
    district: int
    other: int
    subcommission: int
    groups: dict[int, tuple[int, int]]       # council -> (its linked group, who added the bot)


def _group_id(owner: int, scope: str) -> int:
    """The group a role adds the bot to at the start of the walk, one for each scope: a group
    takes 20 messages a minute, so the links walked in one batch had better go to different
    groups. Councils' own groups are -1000000 - council."""
    return -2_000_000 - 10 * owner - SCOPES.index(scope)


# An allowed press of these changes which group a council has: the links are restored at once.
RELINKING = {r"^grp:ok:-?\d+:\d+$", r"^grp:uy:\d+$"}
# These press a council's group: each council has its own linked while they are walked.
UNLINKING = (r"^grp:u:\d+$", r"^grp:uy:\d+$")


async def _meeting(store: Store, clock: ManualClock, secretariat: int, chair: int,
                   council: int) -> tuple[int, int]:
    """A noticed meeting of the council ten days ahead (approved by its chair if need be)."""
    grants, person = await _who(store, secretariat)
    actor = person.id
    done = await meetings.schedule(store, clock, grants, actor, council, MeetingKind.ORDINARY,
                                   date(2027, 1, 14), clock_time(10, 30), "Valilik Salonu",
                                   reason="İl kurulu ile aynı hafta")
    meeting = done.meeting
    if meeting.status is MeetingStatus.AWAITING_CHAIR:
        grants, person = await _who(store, chair)
        actor = person.id
        meeting = (await meetings.approve(store, clock, grants, actor, meeting.id,
                                          meeting.sequence)).meeting
    return meeting.id, meeting.sequence


async def _who(store: Store, telegram_id: int) -> tuple[list[Grant], Person]:
    person = await store.people.by_telegram_id(telegram_id)
    assert person is not None
    return await store.people.grants(telegram_id), person


async def _proposal(store: Store, clock: ManualClock, proposer: int, meeting: int,
                    institution: int, council_id: int) -> int:
    grants, person = await _who(store, proposer)
    council = await store.councils.council(council_id)
    assert council is not None
    made = await agenda.start(store, clock, grants, person, f"m:{meeting}", institution,
                              areas_for(council.kind)[0], ProposalKind.REGULAR, "Öneri başlığı")
    await agenda.change(store, clock, grants, person, made.id, description="Gerekçe metni")
    await agenda.submit(store, clock, grants, person, made.id)
    return made.id


async def _question(store: Store, clock: ManualClock, secretariat: int, proposal: int) -> int:
    grants, person = await _who(store, secretariat)
    return await agenda.ask(store, clock, grants, person, proposal, "Bütçesi nedir?")


async def _decision(store: Store, clock: ManualClock, secretariat: int, council: int,
                    institutions: list[int]) -> int:
    """A decision of a meeting held last month, every institution of the council responsible."""
    grants, person = await _who(store, secretariat)
    held = await store.meetings.add(council, MeetingKind.ORDINARY, MeetingStatus.SCHEDULED,
                                    datetime(2026, 12, 10, 7, 0, tzinfo=UTC), "Valilik",
                                    clock.now())
    made = await decisions.add_decision(store, clock, grants, held, decisions.DecisionDraft(
        "Karar", "Gerekçe", "Amaç", institutions, "30 gün"))
    await decisions.finalise(store, clock, grants, held, None, person.id)
    return made.id


async def _seed(db_path: Path, clock: ManualClock) -> World:
    async with Database(db_path) as db:
        store = Store(db)
        home = await seed.province(store, clock, "Gaziantep", districts=1)
        away = await seed.province(store, clock, "Kilis", 150_000)
        pc, dc, qc = home.provincial_id, home.districts[0], away.provincial_id
        sc = home.subcommission_id
        institutions = {c: [i.id for i in await store.councils.institutions(c)]
                        for c in (pc, dc, qc)}
        institutions[sc] = institutions[pc]  # the sub-commission's are the provincial council's
        for role in ROLES:
            if role.kind is None:
                continue
            person_id = await seed.person(
                store, clock, role.telegram_id, role.name.title(), dc if role.district else pc,
                role.kind,
                rank=role.rank, language=LANG,
                institution_id=institutions[pc][0] if role.seated else None)
            if role.ended:
                await store.people.end_all_roles(person_id, clock.now(), "term over")
        await seed.person(store, clock, OTHER_SECRETARIAT, "Kilis Sekreterya", qc,
                          RoleKind.SECRETARIAT, language=LANG)
        for council in (pc, qc):
            await seed.person(store, clock, TWO_PROVINCES.telegram_id, "İki İl Sekreterya",
                              council, RoleKind.SECRETARIAT, language=LANG)
        await seed.person(store, clock, DISTRICT_CHAIR, "İlçe Başkanı", dc, RoleKind.CHAIR,
                          language=LANG)
        await seed.person(store, clock, OTHER_CHAIR, "Kilis Başkanı", qc, RoleKind.CHAIR,
                          language=LANG)
        deputy = await store.people.by_telegram_id(9105)
        assert deputy is not None
        # The walk's own principal liaison officer proposes for its institution; the liaison
        # officers of the provincial council's institutions are the sub-commission (Art. 6(3)).
        proposers = {(pc, institutions[pc][0]): 9106, (sc, institutions[pc][0]): 9106}
        for council in (pc, dc, qc):
            for institution in institutions[council][:2]:
                if (council, institution) in proposers:
                    continue
                n = len(proposers)
                proposers[(council, institution)] = FIRST_PROPOSER + n
                await seed.person(store, clock, FIRST_PROPOSER + n, f"Öneren {n}", council,
                                  RoleKind.LIAISON, rank=Rank.PRINCIPAL, language=LANG,
                                  institution_id=institution)
                # ... and a substitute, whom /promote offers to make the principal.
                await seed.person(store, clock, FIRST_SUBSTITUTE + n, f"Yedek {n}", council,
                                  RoleKind.LIAISON, rank=Rank.SUBSTITUTE, language=LANG,
                                  institution_id=institution)
                if council == pc:
                    proposers[(sc, institution)] = FIRST_PROPOSER + n
        places: dict[tuple[int, int], Place] = {}
        for council, secretariat, chair, province in (
                (pc, 9101, 9103, home.province_id), (dc, 9101, DISTRICT_CHAIR, home.province_id),
                (sc, 9101, 9103, home.province_id),
                (qc, OTHER_SECRETARIAT, OTHER_CHAIR, away.province_id)):
            meeting, seq = await _meeting(store, clock, secretariat, chair, council)
            person = await store.people.by_telegram_id(secretariat)
            assert person is not None
            grants = await store.people.grants(secretariat)
            invite = await invites.create_invite(store, clock, grants, person.id, council,
                                                 RoleKind.INVITEE, None, None, 7)
            notice = await broadcast.queue(store, clock, grants, person.id, f"perm-{council}",
                                           broadcast.Audience.MEMBERS, "Duyuru",
                                           council_id=council)
            invite_id, notice_id = invite.view.invite.id, notice.notice.id
            decision = await _decision(store, clock, secretariat, council,
                                       institutions[council])
            held = await store.meetings.add(council, MeetingKind.ORDINARY,
                                            MeetingStatus.SCHEDULED,
                                            datetime(2026, 12, 17, 7, 0, tzinfo=UTC), "Valilik",
                                            clock.now())
            for institution in institutions[council][:2]:
                proposer = proposers[(council, institution)]
                proposal = await _proposal(store, clock, proposer, meeting, institution,
                                           council)
                question = await _question(store, clock, secretariat, proposal)
                places[(council, institution)] = Place(
                    province, council, institution, meeting, seq, invite_id, notice_id,
                    proposal, question, decision, held, deputy.id)
        # Each council's group, which its secretariat added the bot to; linked for the walk
        # of the unlinking buttons only (a linked group gets every agenda published later).
        groups = {}
        for council, secretariat in ((pc, 9101), (dc, 9101), (sc, 9101),
                                     (qc, OTHER_SECRETARIAT)):
            chat = -1_000_000 - council
            await group_service.bot_added(store, clock, chat, "group", f"Kurul {council}",
                                          secretariat)
            groups[council] = (chat, secretariat)
        return World(places, institutions, pc, dc, qc, sc, groups)


def _place(world: World, role: Role, scope: str) -> Place:
    home = world.district if role.district else world.provincial
    near = world.provincial if role.district else world.district
    council = {SCOPES[0]: home, SCOPES[1]: home, SCOPES[2]: near, SCOPES[3]: world.other,
               SCOPES[4]: world.subcommission}[scope]
    index = 1 if scope == SCOPES[1] else 0
    return world.places[(council, world.institutions[council][index])]


def _expected(world: World, entry: EntryPoint, role: Role, grants: list[Grant],
              place: Place) -> bool:
    """What the permission table says of this cell, with the council-kind rules above."""
    target = _target(entry, place)
    if place.council == world.subcommission:
        if entry.key in NOT_ON_SUBCOMMISSION:
            return False
        if entry.need is Permission.REPORT_PROGRESS:
            target = replace(target, council_id=world.provincial)
    if entry.key in BOUND_TO_COUNCIL:
        home = _place(world, role, SCOPES[0]).council
        if place.institution not in world.institutions[home]:
            return False
    return permits(entry.need, grants, target, registered=bool(grants))


def _target(entry: EntryPoint, place: Place) -> Target:
    if entry.target is TargetKind.PROVINCE:
        return Target(place.province)
    if entry.target is TargetKind.COUNCIL:
        return Target(place.province, place.council)
    return Target(place.province, place.council, place.institution)


@dataclass
class Outcome:
    replies: list[BotMessage]
    alert: str | None

    @property
    def first(self) -> str:
        if self.alert:
            return self.alert
        if not self.replies:
            return ""
        first = self.replies[0]
        return first.text or ("<document>" if first.document else "<photo>")


def _data_of(message: BotMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def _live(replies: list[BotMessage], before: BotMessage | None) -> BotMessage | None:
    """The flow's message with buttons after these replies (an edit replaces its buttons)."""
    live = before
    for message in replies:
        if message.event == "deleted" or (live and message.message_id == live.message_id):
            live = None
        if message.event != "deleted" and _data_of(message):
            live = message
    return live


# How far each guided flow must go for a step's state: buttons (filled from the role's own
# place) pressed when the flow offers them, and texts typed.
FLOW_PATHS: dict[str, tuple[str, tuple[str, ...]]] = {
    "^inv:c:": ("/invite", ()),
    "^inv:i:": ("/invite", ("inv:c:{council}", "inv:r:member")),
    "^pro:c:": ("/promote", ()),
    "^pro:i:": ("/promote", ("pro:c:{council}",)),
    "^ins:c:": ("/institutions", ()),
    "^ins:i:": ("/institutions", ("ins:c:{council}", "ins:a:rename")),
    "^dis:i:": ("/districts", ("dis:a:rename",)),
    r"^lv:p:\d+$": ("/leave", ()),
    r"^bc:p:\d+$": ("/broadcast", ()),
    r"^bc:c:\d+$": ("/broadcast", ("bc:a:members",)),
    r"^nm:c:\d+$": ("/newmeeting", ()),
    r"^mn:m:\d+$": ("/minutes", ()),
    r"^mn:i:\d+$": ("/minutes", ("mn:m:{held}", "mn:d", "text:Göç idaresi toplantı kararı",
                                  "text:Gerekçe metni", "text:Amaç metni")),
    r"^pg:t:\d+:\d+$": ("/progress", ()),
    r"^mt:dc:\d+:\d+:\d+:\d+$": ("mt:a:{meeting}:{seq}:{institution}:d", ()),
}
# Steps choosing an institution of the council the flow chose before (the role's own, on the
# path): an institution of another council is refused there, whatever the role may elsewhere.
BOUND_TO_COUNCIL = {"^inv:i:", "^pro:i:", "^ins:i:", r"^mn:i:\d+$"}
# Council kinds: the sub-commission has no institutions of its own (the provincial council's
# serve, Art. 6(3)), no substitutes to promote there, its day is set by the directorate
# without a chair's approval step (Art. 11(4)), and its members are written to through the
# provincial council (broadcast audiences exclude it).
NOT_ON_SUBCOMMISSION = {"^ins:c:", "^pro:c:", r"^mt:ca:\d+$", r"^bc:c:\d+$"}
# The sub-commission's members, the liaison officers of the provincial council's institutions
# (Art. 6(3)), need no rule here: their seats on it are among the grants the store gives
# (``permissions.with_subcommission``). Progress is reported by the responsible institution,
# where its people are recorded (Art. 12(4)): a sub-commission decision's progress is checked
# against the provincial council, whose institutions it names.


class Walk:
    """Drives one cell at a time: act, then read up to the sentinel's answer (updates are
    handled one after another, so everything before it belongs to the cell)."""

    def __init__(self, bot: RunningBot, fake: FakeBotAPI) -> None:
        assert bot.app is not None
        self.app, self.fake = bot.app, fake
        self.store = bot.app.runtime.store
        self.t: Translator = translator(LANG)
        _ = self.t
        self.gate = _("You are not registered yet. You need an invitation link from your "
                      "council's secretariat (the provincial migration directorate). Send "
                      "/help to learn more.")
        self.lang = _("Choose your language:")
        self.help = plain(_("<b>Kurul</b> assists the Provincial and District Migration "
                            "Coordination Councils: registration, meetings, agenda proposals "
                            "and decision follow-up."))
        self.refusals = {
            _("You are not authorised to do this."),
            self.gate,
            _("You are not registered yet."),
        }
        # A forged id outside one's reach may also be answered as if it did not exist.
        self.denials = self.refusals | {_("That record no longer exists. Please start again.")}
        self.stale = {_("This button is no longer active. Send /menu to start again."),
                      _("This button is no longer active.")}
        self.error = _("Sorry, something went wrong on my side. What you entered so far is "
                       "kept; please try the last step again.")
        self.failures: list[str] = []
        self.anchor: dict[int, int] = {}  # a bot message in each chat, for forged presses
        self.unsettled = True  # an allowed cell may have queued notices
        self.covered: set[tuple[str, str, str]] = set()
        self.offered: dict[str, int] = {}  # flow step -> cells pressed on a prompt offering it
        self.last_after: dict[str, str] | None = None  # the last watched cell's snapshot
        self.snapshot_time = 0.0
        self.relinked: dict[str, int] = {}  # allowed links and unlinks checked, by entry point

    async def snapshot(self) -> dict[str, str]:
        # PTB's persistence is flushed on a timer; flushed now, its tables show this cell's
        # conversation bookkeeping and not an earlier cell's arriving late.
        started = time.monotonic()
        await self.app.update_persistence()
        tables = [r[0] for r in await self.store.db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        found = {}
        for table in tables:
            rows = await self.store.db.fetchall(f"SELECT * FROM {table}")
            found[table] = hashlib.sha256(
                repr(sorted(repr(tuple(row)) for row in rows)).encode()).hexdigest()
        self.snapshot_time += time.monotonic() - started
        return found

    async def _until_sentinel(self, user: FakeUser, after: str = "") -> list[BotMessage]:
        """Send a public command whose answer the cell cannot give (/lang, or /help after
        /lang) and return what the bot did before answering it."""
        sentinel, answer = ("help", self.help) if after == "/lang" else ("lang", self.lang)
        await user.command(sentinel)
        got = []
        while True:
            message = await user.reply(timeout=10)
            if (message.text or "").startswith(answer) and message.event == "sent":
                self.anchor[user.id] = message.message_id
                return got
            got.append(message)

    async def cell(self, user: FakeUser, act: Callable[[], Awaitable[object]],
                   is_callback: bool, key: str = "", *, watch: bool = True,
                   settle: bool = True) -> tuple[Outcome, list[str]]:
        """Run one action; returns what the bot did and the tables whose rows changed
        (``watch``: only looked at where nothing may change; ``settle``: wait for what earlier
        cells queued first, which an unwatched cell sending nothing to anyone may skip)."""
        if self.unsettled and (settle or watch):
            # The seeded world queues ten notices to some chats, which the one-a-second limit
            # per chat spreads over about ten seconds: the sender's default wait is too tight
            # on a loaded machine.
            await notifier_of(self.app).sender.settle(timeout=60)
            self.last_after = None
            self.unsettled = False
        self.unsettled = self.unsettled or not watch
        for _notice in user.pending():  # what an earlier cell sent everyone is not this cell's
            await user.reply()
        # Right after a watched cell nothing else ran: its snapshot is this one's "before" (were
        # something to run in between, it would show here as this cell's change, never hide).
        before = (self.last_after or await self.snapshot()) if watch else {}
        self.last_after = None
        await act()
        replies = await self._until_sentinel(user, key)
        alert = None
        if is_callback:
            answered = await user.answer()
            alert = answered.get("text") or None
        after = await self.snapshot() if watch else {}
        self.last_after = after or None
        changed = sorted(t for t in after.keys() | before.keys()
                         if before.get(t) != after.get(t))
        return Outcome(replies, alert), changed

    async def close_flow(self, user: FakeUser) -> None:
        self.last_after = None
        await user.command("cancel")
        await self._until_sentinel(user)

    async def open_flow(self, user: FakeUser, opener: str, path: tuple[str, ...],
                        home: Place) -> BotMessage | None:
        """Open a guided flow as far as its path goes (a chooser the flow skipped is passed
        over) and return the message carrying its live buttons, if any."""
        if opener.startswith("/"):
            outcome, _changed = await self.cell(user, lambda: user.command(opener[1:]), False,
                                                opener, watch=False)
        else:
            anchor = self.anchor[user.id]
            outcome, _changed = await self.cell(
                user, lambda: user.press_data(home.fill(opener), anchor), True, watch=False)
        live = _live(outcome.replies, None)
        for step in path:
            if step.startswith("text:"):
                outcome, _changed = await self.cell(
                    user, lambda t=step[5:]: user.send_text(t), False, watch=False)
            else:
                data = home.fill(step)
                if live is None or data not in _data_of(live):
                    continue
                on = live.message_id
                outcome, _changed = await self.cell(
                    user, lambda d=data, m=on: user.press_data(d, m), True, watch=False)
            live = _live(outcome.replies, live)
        return live

    def judge_inert(self, what: str, outcome: Outcome, changed: list[str]) -> None:
        """Forged data no open prompt offers: the answer to stale buttons (or a refusal),
        and nothing changes."""
        if outcome.first not in self.denials | self.stale:
            self.failures.append(f"{what}: not offered, but answered {outcome.first[:80]!r}")
        elif changed:
            self.failures.append(f"{what}: not offered, but rows changed in {changed}")

    def judge(self, what: str, expected: bool, outcome: Outcome, changed: list[str]) -> None:
        texts = [m.text or "" for m in outcome.replies] + [outcome.alert or ""]
        if any(self.error in text for text in texts):
            self.failures.append(f"{what}: the error handler answered")
        elif expected and outcome.first in self.refusals:
            self.failures.append(f"{what}: allowed, but refused: {outcome.first!r}")
        elif expected and not outcome.first:
            self.failures.append(f"{what}: allowed, but no answer")
        elif not expected and outcome.first not in self.denials:
            self.failures.append(f"{what}: denied, but answered {outcome.first[:80]!r}")
        elif not expected and changed:
            self.failures.append(f"{what}: denied, but rows changed in {changed}")


async def _check_relinked(walk: Walk, world: World, entry: EntryPoint, role: Role, scope: str,
                          place: Place) -> None:
    """An allowed link or unlink did happen: the council has the role's group now, or none
    (and the bot left the group it had)."""
    link = await walk.store.groups.of_council(place.council)
    what = f"{entry.key} as {role.name} on council {place.council}"
    walk.relinked[entry.key] = walk.relinked.get(entry.key, 0) + 1
    if entry.key == r"^grp:uy:\d+$":
        had = await walk.store.groups.group(world.groups[place.council][0])
        if link is not None or had is None or had.present:
            walk.failures.append(f"{what}: allowed, but the group is still linked or joined")
    elif link is None or link.chat_id != _group_id(role.telegram_id, scope):
        walk.failures.append(f"{what}: allowed, but the role's group is not linked: {link}")


async def _set_groups(walk: Walk, world: World, fake: FakeBotAPI, clock: ManualClock,
                     owners: dict[int, FakeUser], linked: bool) -> None:
    """Every council without a group, or (``linked``) with its own: a group the bot left is
    added back by its owner (through the bot), then the link is put back as it was."""
    store = walk.store
    walk.last_after, walk.unsettled = None, True  # linked groups are told of coming meetings
    for council, (chat, owner) in world.groups.items():
        link = await store.groups.of_council(council)
        if not linked:
            if link is not None:
                await store.groups.unlink(council)
            continue
        if link is not None and link.chat_id == chat:
            continue
        group = await store.groups.group(chat)
        if group is None or not group.present:
            await fake.group(chat).add_bot(owners[owner])
            await fake.wait_idle()
        await store.groups.link(council, chat, None, clock.now())
    if linked:  # as after every update; done now, it is not a later refused cell's change
        await group_kinds.announce(notifier_of(walk.app))


async def _walk_flow_step(walk: Walk, world: World, entry: EntryPoint, role: Role,
                          user: FakeUser, grants: list[Grant]) -> None:
    """One step of a guided flow, as one role, against a target in every scope: opened as far
    as the step's state, the forged data pressed on the flow's live prompt; a role that cannot
    open the flow presses it on an old message (the gate or the stale-button answer)."""
    assert entry.forge is not None and entry.step_of is not None
    opener, path = FLOW_PATHS[entry.key]
    home = _place(world, role, SCOPES[0])
    if opener.startswith("/"):
        assert opener == entry.step_of, entry.key
        may_open = permits(BY_KEY[opener].need, grants, registered=bool(grants))
    else:
        opening = entry_for_data(home.fill(opener))
        assert opening is not None and opening.key == entry.step_of, entry.key
        may_open = permits(opening.need, grants, _target(opening, home), registered=bool(grants))
    cells = sorted(((_expected(world, entry, role, grants, place), scope, place)
                    for scope in SCOPES for place in [_place(world, role, scope)]),
                   key=lambda c: c[0])
    live: BotMessage | None = None
    is_open = False
    for expected, scope, place in cells:
        data = place.fill(entry.forge)
        assert entry_for_data(data) is entry, data
        if may_open and not is_open:
            live, is_open = await walk.open_flow(user, opener, path, home), True
        offered = live is not None and any(re.match(entry.key, d) for d in _data_of(live))
        on = live.message_id if live is not None else walk.anchor[user.id]
        outcome, changed = await walk.cell(
            user, lambda d=data, m=on: user.press_data(d, m), True,
            watch=not (expected and offered))
        what = f"{data} ({entry.key}) as {role.name}, {scope}"
        if offered:
            walk.offered[entry.key] = walk.offered.get(entry.key, 0) + 1
            walk.judge(what, expected, outcome, changed)
        else:
            walk.judge_inert(what + (" (flow open)" if is_open else ""), outcome, changed)
        walk.covered.add((entry.key, role.name, scope))
        if is_open and (changed or (expected and offered)):
            await walk.close_flow(user)
            is_open = False
    if is_open:
        await walk.close_flow(user)


async def test_every_permission_cell(fake: FakeBotAPI, db_path: Path) -> None:
    clock = ManualClock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    world = await _seed(db_path, clock)
    users = {role.name: fake.user(role.telegram_id, role.name.title(), language_code=LANG)
             for role in FLOW_ROLES}
    helpers = {helper: fake.user(helper, "Yardımcı", language_code=LANG)
               for helper in (*HELPERS, *range(FIRST_PROPOSER, FIRST_PROPOSER + 8),
                              *range(FIRST_SUBSTITUTE, FIRST_SUBSTITUTE + 8))}
    owners = {**helpers, **{role.telegram_id: users[role.name] for role in ROLES}}
    for chat, _owner in world.groups.values():
        fake.group(chat, f"Kurul {chat}")
    own_groups: dict[int, FakeChat] = {
        _group_id(role.telegram_id, scope): fake.group(_group_id(role.telegram_id, scope),
                                                       f"{role.name} grubu")
        for role in ROLES for scope in SCOPES}
    commands = [e for e in ENTRY_POINTS if e.is_command]
    buttons = [e for e in ENTRY_POINTS if e.forge is not None and e.step_of is None]
    steps = [e for e in ENTRY_POINTS if e.step_of is not None]
    assert {e.key for e in steps} == set(FLOW_PATHS)
    expected_cells = ({(e.key, r.name, "") for e in commands for r in ROLES}
                      | {(e.key, r.name, s) for e in buttons for r in ROLES for s in SCOPES}
                      | {(e.key, r.name, s) for e in steps for r in FLOW_ROLES for s in SCOPES})
    started = time.monotonic()
    async with running(fake, db_path, clock) as bot:
        walk = Walk(bot, fake)
        # Everyone adds the bot to a group of their own (those who may link it get the prompt).
        for role in ROLES:
            for scope in SCOPES:
                await own_groups[_group_id(role.telegram_id, scope)].add_bot(users[role.name])
        await fake.wait_idle()
        async with Database(db_path) as db:
            grants_of = {r.name: await Store(db).people.grants(r.telegram_id)
                         for r in FLOW_ROLES}
        for entry in commands:
            for role in ROLES:
                user, grants = users[role.name], grants_of[role.name]
                expected = permits(entry.need, grants, registered=bool(grants),
                                   known=role.kind is not None)
                outcome, changed = await walk.cell(
                    user, lambda u=user, e=entry: u.command(e.key[1:]), False, entry.key,
                    watch=not expected)
                walk.judge(f"{entry.key} as {role.name}", expected, outcome, changed)
                walk.covered.add((entry.key, role.name, ""))
                if expected:
                    await walk.close_flow(user)
        for entry in buttons:
            assert entry.forge is not None
            if entry.key == UNLINKING[0]:
                await _set_groups(walk, world, fake, clock, owners, linked=True)
            # Links are walked in one batch: each allowed one makes its group wait on the
            # group's rate (the link and the coming meeting), best waited for all at once.
            for batch in [SCOPES] if entry.key in RELINKING else [[s] for s in SCOPES]:
                # The refused first: an allowed press may change the record the others press.
                cells = []
                for scope in batch:
                    for role in ROLES:
                        place = _place(world, role, scope)
                        grants = grants_of[role.name]
                        cells.append((_expected(world, entry, role, grants, place), role,
                                      scope, place))
                for expected, role, scope, place in sorted(cells, key=lambda c: c[0]):
                    user = users[role.name]
                    data = place.fill(entry.forge, _group_id(role.telegram_id, scope))
                    assert entry_for_data(data) is entry, data  # else a stale-button answer
                    anchor = walk.anchor[user.id]
                    outcome, changed = await walk.cell(
                        user, lambda u=user, d=data, a=anchor: u.press_data(d, a), True,
                        watch=not expected, settle=entry.key not in RELINKING)
                    walk.judge(f"{data} ({entry.key}) as {role.name}, {scope}", expected,
                               outcome, changed)
                    walk.covered.add((entry.key, role.name, scope))
                    if expected:
                        await walk.close_flow(user)
                        if entry.key in RELINKING:
                            await _check_relinked(walk, world, entry, role, scope, place)
                            await _set_groups(walk, world, fake, clock, owners,
                                              linked=entry.key in UNLINKING)
            if entry.key == UNLINKING[-1]:
                await _set_groups(walk, world, fake, clock, owners, linked=False)
        flows_started = time.monotonic()
        for entry in steps:
            for role in FLOW_ROLES:
                await _walk_flow_step(walk, world, entry, role, users[role.name],
                                      grants_of[role.name])
    elapsed = time.monotonic() - started
    print(f"permission cells covered: {len(walk.covered)}/{len(expected_cells)} "
          f"in {elapsed:.1f} s (flow steps {time.monotonic() - flows_started:.1f} s)")
    print("flow steps pressed on a prompt offering them: "
          + ", ".join(f"{key} {n}" for key, n in walk.offered.items())
          + f"; snapshots {walk.snapshot_time:.1f} s")
    assert not walk.failures, "\n".join(walk.failures)
    assert walk.covered == expected_cells
    print(f"council groups linked or unlinked and checked: {walk.relinked}")
    assert set(walk.relinked) == RELINKING, walk.relinked  # both were allowed somewhere
    # Every flow step was reached in its state at least once, so its handler was exercised.
    assert {e.key for e in steps} == set(walk.offered)
