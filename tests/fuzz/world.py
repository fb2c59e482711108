"""One running bot for many fuzz sequences, and the checks made after every step.

The fake Bot API and the real Application (``tests/e2e/harness.py``) run on an event loop in a
background thread, so that hypothesis's synchronous examples can hand it coroutines one step at
a time. Every sequence gets a province of its own (its councils, institutions and people seeded
through the services), so sequences do not see each other's meetings or flows and everything
earlier sequences made is "another province" to the later ones.

Owned here: waiting until the bot has processed every update a step injected, the ERROR records
logged meanwhile, which private messages and button presses went unanswered, and the rows of the
council tables that changed in a step, each with its province (``RowChange``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

from telegram import Update

from bot.config import Settings
from bot.domain.clock import ManualClock
from bot.domain.meetings import MeetingKind
from bot.domain.models import Rank, RoleKind
from bot.handlers.base import KurulApplication
from bot.services import meetings, setup
from bot.services.invites import hash_token
from bot.store import Store
from tests import seed
from tests.e2e.harness import RunningBot, settings_for
from tests.fakebot import FakeBotAPI, FakeChat, FakeUser

T = TypeVar("T")

# Monday 4 January 2027, 12:00 in Turkey: the year's first meeting windows are ahead.
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
FIRST_ID = 50_000_000
IDS_PER_CAST = 10

# What counts as answering a private message: the bot said or showed something in that chat.
ANSWERS = frozenset({
    "sendmessage", "senddocument", "sendphoto", "editmessagetext", "editmessagereplymarkup",
    "editmessagecaption", "sendmediagroup", "sendlocation", "sendvoice",
})

# The council tables, each with the SQL naming the province a row belongs to (NULL: none).
# Left out: PTB's persistence, the notification engine's bookkeeping (outbox, notice,
# recipient_status: written by the sender in the background) and the audit log (checked
# separately: it is only ever appended to).
_COUNCIL = "(SELECT province_id FROM council WHERE id = {})"
_MEETING = "(SELECT c.province_id FROM meeting m JOIN council c ON c.id = m.council_id " \
           "WHERE m.id = {})"
_PROPOSAL = "(SELECT c.province_id FROM proposal p JOIN council c ON c.id = p.council_id " \
            "WHERE p.id = {})"
_DECISION = "(SELECT c.province_id FROM decision d JOIN council c ON c.id = d.council_id " \
            "WHERE d.id = {})"
PROVINCE_OF: dict[str, str] = {
    "province": "t.id",
    "council": "t.province_id",
    "institution": _COUNCIL.format("t.council_id"),
    "person": "NULL",
    "role": _COUNCIL.format("t.council_id"),
    "invite": "t.province_id",
    "leave_day": "t.province_id",
    "meeting": _COUNCIL.format("t.council_id"),
    "meeting_invitee": _MEETING.format("t.meeting_id"),
    "attendance_answer": _MEETING.format("t.meeting_id"),
    "attendance": _MEETING.format("t.meeting_id"),
    "member_away": "(SELECT c.province_id FROM role r JOIN council c ON c.id = r.council_id "
                   "WHERE r.id = t.role_id)",
    "proposal": _COUNCIL.format("t.council_id"),
    "proposal_attachment": _PROPOSAL.format("t.proposal_id"),
    "proposal_question": _PROPOSAL.format("t.proposal_id"),
    "agenda_publication": _MEETING.format("t.meeting_id"),
    "minutes": _COUNCIL.format("t.council_id"),
    "minutes_addendum": _MEETING.format("t.meeting_id"),
    "decision": _COUNCIL.format("t.council_id"),
    "decision_institution": _DECISION.format("t.decision_id"),
    "decision_progress": _DECISION.format("t.decision_id"),
}

Row = tuple[Any, ...]
Snapshot = dict[str, dict[int, tuple[int | None, Row]]]


@dataclass(frozen=True)
class RowChange:
    table: str
    rowid: int
    province_id: int | None
    before: Row | None
    after: Row | None
    columns: tuple[str, ...]

    def value(self, column: str) -> Any:
        row = self.after if self.after is not None else self.before
        assert row is not None
        return row[self.columns.index(column)]

    def __str__(self) -> str:
        what = "added" if self.before is None else "deleted" if self.after is None else "changed"
        return f"{self.table} row {self.rowid} (province {self.province_id}) {what}: " \
               f"{self.before} -> {self.after}"


@dataclass
class Cast:
    """The people of one sequence, in a province of their own."""

    number: int
    province_id: int
    council_id: int
    subcommission_id: int
    users: dict[str, FakeUser]
    person_ids: dict[int, int]          # telegram id -> person id of the seeded people
    tokens: list[str]                   # valid invitation links of this province
    group: FakeChat
    channel: FakeChat


@dataclass
class StepOutcome:
    errors: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    audit_rewritten: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)


class ErrorLog(logging.Handler):
    """Every ERROR (or worse) record, from any thread: the bot's error handler logs each
    exception a handler raised, PTB logs what it could not hand to one."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []
        self._lock_records = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        with self._lock_records:
            self.records.append(text)

    def take(self) -> list[str]:
        with self._lock_records:
            taken, self.records = self.records, []
        return taken


class World:
    """The bot and the fake Bot API on a loop in a background thread; see the module doc."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db_path = root / "kurul.db"
        self.clock = ManualClock(START)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzz-bot",
                                       daemon=True)
        self.errors = ErrorLog()
        self.processed: set[int] = set()
        self.injected: list[int] = []
        self.casts = 0
        self.updates = 0
        self._fake: FakeBotAPI | None = None
        self._bot: RunningBot | None = None
        self._db: sqlite3.Connection | None = None
        self._columns: dict[str, tuple[str, ...]] = {}
        self._cached: tuple[int, Snapshot] | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> World:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.thread.start()
        logging.getLogger().addHandler(self.errors)
        self.run(self._start(), timeout=60)
        self._db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True,
                                   check_same_thread=False)

    def stop(self) -> None:
        if self._db is not None:
            self._db.close()
        if self._bot is not None:
            self.run(self._stop(), timeout=60)
        logging.getLogger().removeHandler(self.errors)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _start(self) -> None:
        fake = FakeBotAPI()
        await fake.start()
        original_inject = fake.inject

        async def inject(update: dict[str, Any]) -> int:
            update_id = await original_inject(update)
            self.injected.append(update_id)
            self.updates += 1
            return update_id

        fake.inject = inject  # type: ignore[method-assign]
        self._fake = fake
        self._bot = FastBot(fake, self.db_path, self.clock)
        app = await self._bot.start()
        self._track(app, fake)

    def _track(self, app: KurulApplication, fake: FakeBotAPI) -> None:
        process = app.process_update

        async def tracked(update: object) -> None:
            try:
                await process(update)
            finally:
                if isinstance(update, Update):
                    self.processed.add(update.update_id)
                    fake._changed()

        app.process_update = tracked  # type: ignore[method-assign]

    async def _stop(self) -> None:
        assert self._bot is not None and self._fake is not None
        await self._bot.stop()
        await self._fake.stop()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the bot's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def fake(self) -> FakeBotAPI:
        assert self._fake is not None
        return self._fake

    @property
    def app(self) -> KurulApplication:
        assert self._bot is not None and self._bot.app is not None
        return self._bot.app

    # --- a province and its people for one sequence ----------------------------------------

    def new_cast(self) -> Cast:
        self.casts += 1
        return self.run(self._new_cast(self.casts))

    async def _new_cast(self, number: int) -> Cast:
        store, clock, fake = self.app.runtime.store, self.clock, self.fake
        done = await setup.init_province(store, clock, f"Fuzz {number}", 420_000 + number)
        council = done.council_id
        first, second = (await store.councils.institutions(council))[:2]
        base = FIRST_ID + number * IDS_PER_CAST
        lang = ("en", "tr")[number % 2]
        plan: list[tuple[str, RoleKind, int | None, Rank | None]] = [
            ("secretariat", RoleKind.SECRETARIAT, None, None),
            ("chair", RoleKind.CHAIR, None, None),
            ("member", RoleKind.MEMBER, first.id, None),
            ("deputy", RoleKind.DEPUTY, first.id, None),
            ("liaison", RoleKind.LIAISON, first.id, Rank.PRINCIPAL),
        ]
        users: dict[str, FakeUser] = {}
        person_ids: dict[int, int] = {}
        for offset, (label, kind, institution, rank) in enumerate(plan):
            telegram_id = base + offset
            person_ids[telegram_id] = await seed.person(
                store, clock, telegram_id, f"{label.title()} {_letters(number)}", council, kind,
                institution_id=institution, rank=rank, language=lang)
            users[label] = fake.user(telegram_id, label.title(), language_code=lang)
        users["stranger"] = fake.user(base + 7, "Stranger", language_code=("tr", "de", None)[
            number % 3])
        tokens = [done.token]
        for kind, institution, rank in [(RoleKind.MEMBER, second.id, None),
                                        (RoleKind.LIAISON, first.id, Rank.SUBSTITUTE)]:
            tokens.append(await _seed_invite(store, clock.now(), done.province.id, council,
                                             kind, institution, rank))
        if number % 2 == 0:
            await _meeting(store, clock, base, person_ids[base], council,
                           chair_approval=number % 4 == 0)
        group = fake.group(-(1_000_000_000 + number), f"Kurul {number}", "supergroup")
        channel = fake.group(-(2_000_000_000 + number), f"Duyuru {number}", "channel")
        return Cast(number, done.province.id, council, done.subcommission_id, users,
                    person_ids, tokens, group, channel)

    # --- one step ---------------------------------------------------------------------------

    def step(self, act: Callable[[], Awaitable[list[Sent]]],
             timeout: float = 20.0) -> tuple[list[Sent], StepOutcome]:
        """Do what ``act`` sends, wait until the bot processed all of it, and report what went
        wrong: errors logged, messages and presses left unanswered, rows changed."""
        before = self.snapshot()
        audit_before = self._audit()
        start = len(self.fake.requests)
        self.errors.take()
        sent = self.run(self._act(act, timeout), timeout + 5)
        outcome = StepOutcome(errors=self.errors.take())
        calls = self.fake.requests[start:]
        outcome.calls = [str(c) for c in calls]
        for item in sent:
            if item.kind == "callback":
                if item.query_id in self.fake.unanswered_callbacks():
                    outcome.unanswered.append(f"button press {item.describe} was not answered")
            elif item.kind == "private":
                if not any(c.method.lower() in ANSWERS and c.chat_id == item.chat_id
                           and c.ok for c in calls):
                    outcome.unanswered.append(f"message {item.describe} got no answer")
        outcome.changes = diff(before, self.snapshot(), self._columns)
        audit_after = self._audit()
        outcome.audit_rewritten = [
            f"audit row {rowid}: {row} -> {audit_after.get(rowid)}"
            for rowid, row in audit_before.items() if audit_after.get(rowid) != row]
        return sent, outcome

    async def _act(self, act: Callable[[], Awaitable[list[Sent]]],
                   timeout: float) -> list[Sent]:  # noqa: ASYNC109
        mark = len(self.injected)
        sent = await act()
        waiting = set(self.injected[mark:])
        ok = await self.fake._wait_until(lambda: waiting <= self.processed, timeout)
        if not ok:
            raise AssertionError(f"the bot did not process updates {sorted(waiting)} within "
                                 f"{timeout}s")
        self.processed -= waiting
        return sent

    # --- rows -------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """Every row of the council tables with its province. Read again only when another
        connection wrote to the file since the last read (SQLite's data_version)."""
        assert self._db is not None
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        if self._cached is not None and self._cached[0] == version:
            return self._cached[1]
        out: Snapshot = {}
        for table, province in PROVINCE_OF.items():
            cursor = self._db.execute(f"SELECT t.rowid, {province}, t.* FROM {table} t")
            if table not in self._columns:
                self._columns[table] = tuple(d[0] for d in cursor.description[2:])
            out[table] = {r[0]: (r[1], tuple(r[2:])) for r in cursor.fetchall()}
        self._cached = (version, out)
        return out

    def _audit(self) -> dict[int, Row]:
        assert self._db is not None
        return {r[0]: tuple(r[1:]) for r in self._db.execute("SELECT rowid, * FROM audit_log")}


async def _meeting(store: Store, clock: ManualClock, secretariat: int, actor: int,
                   council: int, *, chair_approval: bool) -> None:
    """Half the sequences start with a meeting in the next window, so that the flows that need
    one (answers, the chair's approval, proposals, the agenda) are reachable in a few steps:
    awaiting the chair's approval, or with its notices on their way to the members."""
    grants = await store.people.grants(secretariat)
    if not chair_approval:
        await meetings.set_chair_approval(store, clock, grants, actor, council, False)
    window = await meetings.ordinary_window(store, clock, council)
    if window is None:
        return
    try:
        await meetings.schedule(store, clock, grants, actor, council, MeetingKind.ORDINARY,
                                window.suggested_date, time(10, 0), "Valilik toplantı salonu",
                                reason="Fuzz")
    except meetings.ScheduleRefused:
        pass  # the window has no day left: the sequence goes without


def _letters(number: int) -> str:
    """A surname made of letters (names with digits are refused by the registration flow)."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[digit]
        if not number:
            return out.title()


class FastBot(RunningBot):
    """The bot with its send rates scaled up: the fake Bot API enforces no limits, and one
    reply a second per chat would make the fuzzer wait instead of work."""

    def settings(self) -> Settings:
        # Persistence is flushed rarely: its writes would make every step re-read the rows.
        return replace(settings_for(self.fake, self.db_path), send_time_scale=1000.0,
                       persistence_interval=30.0)


@dataclass(frozen=True)
class Sent:
    """One update a step made: a private message, a button press, or a group/channel post."""

    kind: str           # "private", "callback", "group"
    chat_id: int
    describe: str
    query_id: str | None = None


def diff(before: Snapshot, after: Snapshot,
         columns: dict[str, tuple[str, ...]]) -> list[RowChange]:
    changes = []
    for table, rows in after.items():
        old = before.get(table, {})
        for rowid in old.keys() | rows.keys():
            was, now = old.get(rowid), rows.get(rowid)
            if was is not None and now is not None and was[1] == now[1]:
                continue
            province = (now or was or (None, ()))[0]
            if was is not None and was[0] is not None:
                province = was[0]
            changes.append(RowChange(table, rowid, province, was and was[1], now and now[1],
                                     columns[table]))
    return changes


async def _seed_invite(store: Store, now: datetime, province_id: int, council_id: int,
                       kind: RoleKind, institution_id: int | None,
                       rank: Rank | None) -> str:
    """An open invitation written straight into the store: seeding, not an action of the bot
    (so the audit guard does not ask for its entry)."""
    token = secrets.token_urlsafe(16)
    await store.invites.add(hash_token(token), province_id, council_id, kind, now,
                            now + timedelta(days=7), institution_id=institution_id, rank=rank)
    return token
