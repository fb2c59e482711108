"""Every cell of the permission table through the running bot (issue 8).

One bot, one seeded world: a province with its provincial council, sub-commission and a
district council, and a second province; a person for each role (provincial and district
secretariat, chair, member, deputy, principal and substitute liaison officer, invitee) and
someone unregistered. The walk sends every command as every role, and presses every button
that names a target (``entrypoints.ENTRY_POINTS`` with a ``forge``) with data forged to point at
the role's own institution, another institution of its council, another council of its
province and another province. What should happen comes from ``permissions.allowed``, never
from the test: an allowed cell gets its real answer; a denied one a polite refusal in the
person's language, and no row of any table changes (PTB's conversation and user data
included: they are flushed before each snapshot, so nothing needs excluding).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path

from bot.domain.agenda import ProposalKind, areas_for
from bot.domain.clock import ManualClock
from bot.domain.entrypoints import (
    ENTRY_POINTS,
    EntryPoint,
    TargetKind,
    entry_for_data,
    permits,
)
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import Person, Rank, RoleKind
from bot.domain.permissions import Grant, Target
from bot.i18n import Translator, translator
from bot.notify.engine import notifier_of
from bot.services import agenda, broadcast, decisions, invites, meetings
from bot.store import Store
from bot.store.db import Database
from tests import seed
from tests.e2e.harness import RunningBot, running
from tests.e2e.steps import plain
from tests.fakebot import BotMessage, FakeBotAPI, FakeUser

LANG = "tr"  # refusals are checked as the person reads them, translated


@dataclass(frozen=True)
class Role:
    name: str
    telegram_id: int
    kind: RoleKind | None           # None: unregistered
    rank: Rank | None = None
    district: bool = False          # home council is the district council
    seated: bool = False            # holds a seat for an institution


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
)
# People the seeding needs but the walk does not: the second province's secretariat and the
# chairs who approve the other councils' meetings.
OTHER_SECRETARIAT, DISTRICT_CHAIR, OTHER_CHAIR = 9201, 9202, 9203
FIRST_PROPOSER = 9300  # a liaison officer for each institution the walk points at
HELPERS = (OTHER_SECRETARIAT, DISTRICT_CHAIR, OTHER_CHAIR)
SCOPES = ("own institution", "other institution of own council",
          "other council of own province", "other province")


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
    decision: int   # of an earlier meeting, the institution responsible for it

    def fill(self, template: str) -> str:
        return template.format(province=self.province, council=self.council,
                               institution=self.institution, meeting=self.meeting,
                               seq=self.seq, invite=self.invite, notice=self.notice,
                               proposal=self.proposal, decision=self.decision)


@dataclass
class World:
    places: dict[tuple[int, int], Place]     # (council, institution) -> place
    institutions: dict[int, list[int]]       # council -> institutions
    provincial: int
    district: int
    other: int


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
                    institution: int) -> int:
    grants, person = await _who(store, proposer)
    council = await store.councils.council(
        (await store.councils.institution(institution)).council_id)  # type: ignore[union-attr]
    assert council is not None
    made = await agenda.start(store, clock, grants, person, f"m:{meeting}", institution,
                              areas_for(council.kind)[0], ProposalKind.REGULAR, "Öneri başlığı")
    await agenda.change(store, clock, grants, person, made.id, description="Gerekçe metni")
    await agenda.submit(store, clock, grants, person, made.id)
    return made.id


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
        institutions = {c: [i.id for i in await store.councils.institutions(c)]
                        for c in (pc, dc, qc)}
        for role in ROLES:
            if role.kind is None:
                continue
            council = dc if role.district else pc
            await seed.person(store, clock, role.telegram_id, role.name.title(), council,
                              role.kind, rank=role.rank, language=LANG,
                              institution_id=institutions[pc][0] if role.seated else None)
        await seed.person(store, clock, OTHER_SECRETARIAT, "Kilis Sekreterya", qc,
                          RoleKind.SECRETARIAT, language=LANG)
        await seed.person(store, clock, DISTRICT_CHAIR, "İlçe Başkanı", dc, RoleKind.CHAIR,
                          language=LANG)
        await seed.person(store, clock, OTHER_CHAIR, "Kilis Başkanı", qc, RoleKind.CHAIR,
                          language=LANG)
        # The walk's own principal liaison officer proposes for its institution.
        proposers = {institutions[pc][0]: 9106}
        for n, institution in enumerate(i for c in (pc, dc, qc) for i in institutions[c][:2]):
            council = next(c for c in (pc, dc, qc) if institution in institutions[c])
            if institution in proposers:
                continue
            proposers[institution] = FIRST_PROPOSER + n
            await seed.person(store, clock, FIRST_PROPOSER + n, f"Öneren {n}", council,
                              RoleKind.LIAISON, rank=Rank.PRINCIPAL, language=LANG,
                              institution_id=institution)
        places: dict[tuple[int, int], Place] = {}
        for council, secretariat, chair, province in (
                (pc, 9101, 9103, home.province_id), (dc, 9101, DISTRICT_CHAIR, home.province_id),
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
            for institution in institutions[council][:2]:
                proposer = proposers[institution]
                proposal = await _proposal(store, clock, proposer, meeting, institution)
                places[(council, institution)] = Place(province, council, institution, meeting,
                                                       seq, invite_id, notice_id, proposal,
                                                       decision)
        return World(places, institutions, pc, dc, qc)


def _place(world: World, role: Role, scope: str) -> Place:
    home = world.district if role.district else world.provincial
    near = world.provincial if role.district else world.district
    council = {SCOPES[0]: home, SCOPES[1]: home, SCOPES[2]: near, SCOPES[3]: world.other}[scope]
    index = 1 if scope == SCOPES[1] else 0
    return world.places[(council, world.institutions[council][index])]


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
        self.error = _("Sorry, something went wrong on my side. What you entered so far is "
                       "kept; please try the last step again.")
        self.failures: list[str] = []
        self.anchor: dict[int, int] = {}  # a bot message in each chat, for forged presses
        self.unsettled = True  # an allowed cell may have queued notices
        self.covered: set[tuple[str, str, str]] = set()

    async def snapshot(self) -> dict[str, str]:
        # PTB's persistence is flushed on a timer; flushed now, its tables show this cell's
        # conversation bookkeeping and not an earlier cell's arriving late.
        await self.app.update_persistence()
        tables = [r[0] for r in await self.store.db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        found = {}
        for table in tables:
            rows = await self.store.db.fetchall(f"SELECT * FROM {table}")
            found[table] = hashlib.sha256(
                repr(sorted(repr(tuple(row)) for row in rows)).encode()).hexdigest()
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
                   ) -> tuple[Outcome, list[str]]:
        """Run one action; returns what the bot did and the tables whose rows changed
        (``watch``: only looked at where nothing may change)."""
        if self.unsettled:
            await notifier_of(self.app).sender.settle()
        self.unsettled = not watch
        for _notice in user.pending():  # what an earlier cell sent everyone is not this cell's
            await user.reply()
        before = await self.snapshot() if watch else {}
        await act()
        replies = await self._until_sentinel(user, key)
        alert = None
        if is_callback:
            answered = await user.answer()
            alert = answered.get("text") or None
        after = await self.snapshot() if watch else {}
        changed = sorted(t for t in after.keys() | before.keys()
                         if before.get(t) != after.get(t))
        return Outcome(replies, alert), changed

    async def close_flow(self, user: FakeUser) -> None:
        await user.command("cancel")
        await self._until_sentinel(user)

    def judge(self, what: str, expected: bool, outcome: Outcome, changed: list[str]) -> None:
        texts = [m.text or "" for m in outcome.replies] + [outcome.alert or ""]
        if any(self.error in text for text in texts):
            self.failures.append(f"{what}: the error handler answered")
        elif expected and outcome.first in self.refusals:
            self.failures.append(f"{what}: allowed, but refused: {outcome.first!r}")
        elif expected and not outcome.first:
            self.failures.append(f"{what}: allowed, but no answer")
        elif not expected and outcome.first not in self.refusals:
            self.failures.append(f"{what}: denied, but answered {outcome.first[:80]!r}")
        elif not expected and changed:
            self.failures.append(f"{what}: denied, but rows changed in {changed}")


async def test_every_permission_cell(fake: FakeBotAPI, db_path: Path) -> None:
    clock = ManualClock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    world = await _seed(db_path, clock)
    users = {role.name: fake.user(role.telegram_id, role.name.title(), language_code=LANG)
             for role in ROLES}
    for helper in (*HELPERS, *range(FIRST_PROPOSER, FIRST_PROPOSER + 6)):
        fake.user(helper, "Yardımcı", language_code=LANG)
    commands = [e for e in ENTRY_POINTS if e.is_command]
    buttons = [e for e in ENTRY_POINTS if e.forge is not None]
    expected_cells = ({(e.key, r.name, "") for e in commands for r in ROLES}
                      | {(e.key, r.name, s) for e in buttons for r in ROLES for s in SCOPES})
    started = time.monotonic()
    async with running(fake, db_path, clock) as bot:
        walk = Walk(bot, fake)
        async with Database(db_path) as db:
            grants_of = {r.name: await Store(db).people.grants(r.telegram_id) for r in ROLES}
        for entry in commands:
            for role in ROLES:
                user, grants = users[role.name], grants_of[role.name]
                expected = permits(entry.need, grants, registered=bool(grants))
                outcome, changed = await walk.cell(
                    user, lambda u=user, e=entry: u.command(e.key[1:]), False, entry.key,
                    watch=not expected)
                walk.judge(f"{entry.key} as {role.name}", expected, outcome, changed)
                walk.covered.add((entry.key, role.name, ""))
                if expected:
                    await walk.close_flow(user)
        for entry in buttons:
            assert entry.forge is not None
            for scope in SCOPES:
                # The refused first: an allowed press may change the record the others press.
                cells = []
                for role in ROLES:
                    place = _place(world, role, scope)
                    grants = grants_of[role.name]
                    cells.append((permits(entry.need, grants, _target(entry, place),
                                          registered=bool(grants)), role, place))
                for expected, role, place in sorted(cells, key=lambda c: c[0]):
                    user = users[role.name]
                    data = place.fill(entry.forge)
                    assert entry_for_data(data) is entry, data  # else a stale-button answer
                    anchor = walk.anchor[user.id]
                    outcome, changed = await walk.cell(
                        user, lambda u=user, d=data, a=anchor: u.press_data(d, a), True,
                        watch=not expected)
                    walk.judge(f"{data} ({entry.key}) as {role.name}, {scope}", expected,
                               outcome, changed)
                    walk.covered.add((entry.key, role.name, scope))
                    if expected:
                        await walk.close_flow(user)
    elapsed = time.monotonic() - started
    print(f"permission cells covered: {len(walk.covered)}/{len(expected_cells)} "
          f"in {elapsed:.1f} s")
    assert not walk.failures, "\n".join(walk.failures)
    assert walk.covered == expected_cells
