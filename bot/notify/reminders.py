"""Reminders derived from stored facts, and the scheduler that puts them in the outbox.

This module owns the mechanism every reminder goes through and the first real source:

* a ``ReminderSource`` derives, from the database alone, every reminder around now with its
  due instant and a key that names what it is about *and the dates it depends on* (so a fact
  that moves the dates yields a new reminder and the old one becomes pointless);
* ``Scheduler.rebuild`` asks every source, puts each reminder whose time has come into the
  outbox (idempotently: the notice key is unique; a reminder due while the bot was down is
  queued at once and flagged late; quiet hours move it to the morning), and returns the next
  due instant. The engine arms ONE JobQueue timer, ``notify:wake``, for that instant, and
  rebuilds at start-up, when the timer fires, at least hourly, and whenever the facts'
  fingerprint changes after an update. The timer is never the only record of anything: a
  rebuild from the database alone recreates everything it stood for.
* ``CalendarReminders``: the statutory calendar (``bot.domain.calendar``) with each province's
  administrative leave days: "the ordinary meeting window of <council> opens on <date>;
  suggested date <date>", ``lead_days`` before the window opens, at ``at`` o'clock in the
  province's time zone, to the council's secretariat (the provincial directorate for the
  provincial council and the sub-commission, and for a district without a secretariat of its
  own). Re-checked at send time: skipped when the council is gone, the window moved or closed.

Meetings, agenda and decisions will add their sources here (a meeting reminder derived from the
meeting row, pointless once it is cancelled).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.documents.calendar_export import council_title
from bot.domain.calendar import MeetingWindow, local_today, ordinary_meetings
from bot.domain.clock import Clock
from bot.domain.models import CouncilKind
from bot.domain.workdays import WorkingCalendar
from bot.i18n import Translator
from bot.notify.kinds import KINDS, Kind, Rendered, RenderInput
from bot.notify.quiet import QuietHours
from bot.store import Store
from bot.store.outbox import Notice, Recipient
from bot.store.reminders import CouncilFacts

log = logging.getLogger(__name__)

# A reminder queued more than this after its due instant is marked late (the bot was down).
LATE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Reminder:
    key: str
    kind: str
    subject: str
    due_at: datetime                 # UTC
    timezone: str                    # where quiet hours are counted
    province_id: int | None
    council_id: int | None
    payload: dict[str, Any]


class ReminderSource(Protocol):
    name: str

    async def reminders(self, store: Store, now: datetime) -> list[Reminder]:
        """Every reminder not yet pointless around `now`: due already, or to come."""
        ...

    async def recipients(
        self, store: Store, reminders: Sequence[Reminder]
    ) -> dict[str, list[Recipient]]:
        """Who receives each reminder (by key), resolved when it falls due."""
        ...


@dataclass(frozen=True, slots=True)
class Rebuilt:
    queued_notices: int
    queued_rows: int
    late_rows: int
    next_due: datetime | None


class Scheduler:
    """Derives reminders from the sources and materialises the due ones into the outbox."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        sources: Sequence[ReminderSource],
        quiet: QuietHours | None,
    ) -> None:
        self.store, self.clock, self.sources, self.quiet = store, clock, list(sources), quiet
        self._lock = asyncio.Lock()
        self._fingerprint: tuple[object, ...] | None = None

    async def rebuild(self) -> Rebuilt:
        async with self._lock:
            self._fingerprint = await self.store.reminder_facts.fingerprint()
            now = self.clock.now()
            notices = rows = late = 0
            next_due: datetime | None = None
            for source in self.sources:
                derived = await source.reminders(self.store, now)
                due = [r for r in derived if r.due_at <= now]
                upcoming = [r.due_at for r in derived if r.due_at > now]
                if upcoming:
                    soonest = min(upcoming)
                    next_due = soonest if next_due is None else min(next_due, soonest)
                existing = await self.store.outbox.existing_keys([r.key for r in due])
                fresh = [r for r in due if r.key not in existing]
                if not fresh:
                    continue
                recipients = await source.recipients(self.store, fresh)
                for reminder in fresh:
                    people = recipients.get(reminder.key, [])
                    if not people:
                        continue  # nobody to tell yet: derived again at the next rebuild
                    added, was_late = await self._materialise(reminder, people, now)
                    notices += 1
                    rows += added
                    late += added if was_late else 0
            if notices:
                log.info("reminders queued: %d notice(s), %d message(s), %d late",
                         notices, rows, late)
            return Rebuilt(notices, rows, late, next_due)

    async def _materialise(
        self, reminder: Reminder, people: list[Recipient], now: datetime
    ) -> tuple[int, bool]:
        kind = KINDS.get(reminder.kind)
        urgent = kind.urgent if kind else False
        late = now - reminder.due_at > LATE_AFTER
        start = max(reminder.due_at, now)
        not_before = start if urgent or self.quiet is None else self.quiet.release(
            start, reminder.timezone)
        async with self.store.db.transaction():
            notice, _ = await self.store.outbox.add_notice(
                reminder.key, reminder.kind, reminder.subject, reminder.payload, now,
                province_id=reminder.province_id, council_id=reminder.council_id)
            added = await self.store.outbox.enqueue(
                notice.id, people, reminder.due_at, not_before, now, urgent=urgent, late=late)
        return added, late

    async def facts_changed(self) -> bool:
        """Whether the facts reminders depend on changed since the last rebuild."""
        current = await self.store.reminder_facts.fingerprint()
        return current != self._fingerprint


# --- the statutory calendar -------------------------------------------------------------------

CALENDAR_KIND = "calendar_window"


def _window_key(council_id: int, window: MeetingWindow) -> str:
    return (f"remind:window:{council_id}:{window.period}:{window.window_start.isoformat()}:"
            f"{window.window_end.isoformat()}:{window.suggested_date.isoformat()}")


def _windows(facts: CouncilFacts, years: Sequence[int],
             workdays: WorkingCalendar) -> list[MeetingWindow]:
    windows: list[MeetingWindow] = []
    for year in years:
        windows += ordinary_meetings(facts.kind, year, facts.foreign_population, facts.border,
                                     workdays)
    return windows


class CalendarReminders:
    """The ordinary meeting windows of every council, `lead_days` before each opens."""

    name = "calendar"

    def __init__(self, lead_days: int = 14, at: time = time(9, 0)) -> None:
        self.lead_days = lead_days
        self.at = at

    def due_at(self, window: MeetingWindow, timezone: str) -> datetime:
        day = window.window_start - timedelta(days=self.lead_days)
        return datetime.combine(day, self.at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)

    async def reminders(self, store: Store, now: datetime) -> list[Reminder]:
        councils = await store.reminder_facts.councils()
        leave = await store.reminder_facts.leave_days(sorted({c.province_id for c in councils}))
        calendars: dict[int, WorkingCalendar] = {}
        found: list[Reminder] = []
        for facts in councils:
            workdays = calendars.get(facts.province_id)
            if workdays is None:
                workdays = WorkingCalendar(leave.get(facts.province_id, ()))
                calendars[facts.province_id] = workdays
            today = now.astimezone(ZoneInfo(facts.timezone)).date()
            for window in _windows(facts, (today.year, today.year + 1), workdays):
                if window.closes < today:
                    continue  # pointless: the window is over
                due = self.due_at(window, facts.timezone)
                if due < facts.created_at:
                    continue  # the council was not in the bot when this fell due
                found.append(Reminder(
                    key=_window_key(facts.council_id, window),
                    kind=CALENDAR_KIND,
                    subject=f"council:{facts.council_id}",
                    due_at=due,
                    timezone=facts.timezone,
                    province_id=facts.province_id,
                    council_id=facts.council_id,
                    payload=_window_payload(facts, window),
                ))
        return found

    async def recipients(
        self, store: Store, reminders: Sequence[Reminder]
    ) -> dict[str, list[Recipient]]:
        council_ids = sorted({r.council_id for r in reminders if r.council_id is not None})
        facts = {f.council_id: f for f in await store.reminder_facts.councils(council_ids)}
        provincial = await store.reminder_facts.provincial_council_ids(
            sorted({f.province_id for f in facts.values()}))
        seats = await store.reminder_facts.secretariat([*council_ids, *provincial.values()])
        by_council: dict[int, list[Recipient]] = {}
        for seat in seats:
            by_council.setdefault(seat.council_id, []).append(
                Recipient(seat.telegram_user_id, seat.person_id))
        found: dict[str, list[Recipient]] = {}
        for reminder in reminders:
            council = facts.get(reminder.council_id or 0)
            if council is None:
                continue
            own = by_council.get(council.council_id, [])
            directorate = by_council.get(provincial.get(council.province_id, 0), [])
            # The provincial directorate is the secretariat of the provincial council and the
            # sub-commission (Art. 11(1)); a district is told through its own secretariat, or
            # through the directorate while it has none (Art. 11(2), 12(5)).
            if council.kind is CouncilKind.DISTRICT:
                chosen = own or directorate
            else:
                chosen = own + directorate
            unique = {r.chat_id: r for r in chosen}
            if unique:
                found[reminder.key] = list(unique.values())
        return found


def _window_payload(facts: CouncilFacts, window: MeetingWindow) -> dict[str, Any]:
    return {
        "council_id": facts.council_id,
        "council_kind": facts.kind.value,
        "council_name": facts.name,
        "province_name": facts.province_name,
        "period": window.period,
        "window_start": window.window_start.isoformat(),
        "window_end": window.window_end.isoformat(),
        "suggested": window.suggested_date.isoformat(),
        "article": window.article,
        "late_limit": window.late_limit.isoformat() if window.late_limit else None,
    }


def render_calendar_window(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    kind = CouncilKind(p["council_kind"])
    start, end = date.fromisoformat(p["window_start"]), date.fromisoformat(p["window_end"])
    suggested = date.fromisoformat(p["suggested"])
    lines = [
        "🗓 <b>" + html.escape(council_title(t, kind, p["council_name"])) + "</b>",
        t("The ordinary meeting window opens on {start} and closes on {end} ({article}).")
        .format(start=t.date(start), end=t.date(end), article=t.article(p["article"])),
        t("Suggested meeting date: {date}.").format(date=t.date(suggested)),
    ]
    if kind is CouncilKind.SUBCOMMISSION:
        lines.append(t("The notice to the sub-commission's members is due at least 3 days "
                       "before the meeting ({article}).").format(
            article=t.article("Art. 11(4)")))
    else:
        lines.append(t("Agenda proposals of the institutions are due 15 days before the "
                       "meeting ({agenda}); the notice to the members at least 5 days before "
                       "({notice}).").format(agenda=t.article("Art. 10(2)"),
                                             notice=t.article("Art. 11(3)")))
    if p.get("late_limit"):
        lines.append(t("If the council cannot meet in the window, it must meet by {date} at "
                       "the latest ({article}).").format(
            date=t.date(date.fromisoformat(p["late_limit"])),
            article=t.article("Art. 8(3)")))
    return Rendered("\n".join(lines))


async def calendar_window_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    """Still worth sending: the council exists, its window for that period has the same
    dates (leave days did not move it) and has not closed."""
    p = notice.payload
    councils = await store.reminder_facts.councils([int(p["council_id"])])
    if not councils:
        return False
    facts = councils[0]
    leave = await store.reminder_facts.leave_days([facts.province_id])
    workdays = WorkingCalendar(leave.get(facts.province_id, ()))
    year = int(str(p["period"])[:4])
    today = local_today(clock, ZoneInfo(facts.timezone))
    for window in _windows(facts, (year,), workdays):
        if window.period != p["period"]:
            continue
        same = (window.window_start.isoformat(), window.window_end.isoformat(),
                window.suggested_date.isoformat()) == (
            p["window_start"], p["window_end"], p["suggested"])
        return same and today <= window.closes
    return False


def describe_calendar_window(payload: dict[str, Any], t: Translator) -> str:
    council = council_title(t, CouncilKind(payload["council_kind"]), payload["council_name"])
    return "🗓 " + t("{council}: the meeting window opens on {date}").format(
        council=council, date=t.short_date(date.fromisoformat(payload["window_start"])))


CALENDAR_WINDOW = KINDS.register(Kind(
    CALENDAR_KIND, render_calendar_window, reminder=True, relevant=calendar_window_relevant,
    describe=describe_calendar_window))
