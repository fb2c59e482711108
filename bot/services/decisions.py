"""Minutes, decisions and their follow-up (issue 7, Art. 12): the use cases.

This module owns what the secretariat and the institutions may do with minutes and decisions
and what each change sends:

* minutes of a held meeting, created prefilled (topics from the published agenda, the
  evaluation from the previous decisions' progress, Art. 5(7)), edited one section at a time
  until finalised; afterwards only an addendum is recorded;
* decisions with text, rationale, purpose, responsible institutions (of the council only) and
  the time given (a date or "n gün/ay", never in the past), numbered per council and year;
* finalising: the Ek-1 goes to the member institutions and the chair (Art. 12(2), 12(4)),
  for a district also to the provincial directorate (Art. 12(5)); each responsible
  institution's liaison officers and member get their task with a button to report;
* progress reports per institution (status, what was done, optional evidence ≤ 20 MB);
* the register, with each decision's state derived from its institutions' reports;
* the Ek-3 annual report draft of a province and year.

Every use case checks its permission here (``bot.services.access.require``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.documents.ek1 import CATEGORY, Ek1, Ek1Decision, Signatory
from bot.documents.ek3 import Ek3
from bot.domain import decisions as rules
from bot.domain.clock import Clock
from bot.domain.decisions import DeadlineError, Status
from bot.domain.meetings import MeetingStatus
from bot.domain.models import CouncilKind, Institution, RoleKind
from bot.domain.permissions import Grant, Permission, allowed
from bot.i18n import N_
from bot.notify.quiet import QuietHours
from bot.services import meetings as meeting_service
from bot.services import trail
from bot.services.access import reachable_councils, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import institution_council
from bot.store import Store
from bot.store.decisions import SECTIONS, Decision, Minutes, Progress
from bot.store.outbox import Recipient

MINUTES_KIND = "decision_minutes"      # the finalised Ek-1, to the member institutions
TASK_KIND = "decision_task"            # "Karar 2027/3: … Süre: …" with the report button
REMINDER_KIND = "decision_reminder"    # before / after the deadline, to the institution
ESCALATION_KIND = "decision_escalation"  # silent past the deadline: member, then secretariat
EVIDENCE_MAX = 20 * 1024 * 1024
SECTION_MAX = 4000

# What the audit trail keeps of a decision.
DECISION_FIELDS = ("meeting_id", "number", "text", "rationale", "purpose", "deadline",
                   "institution_ids")


class Problem(enum.StrEnum):
    """Why a decision use case refused; the handler says it in the user's language."""

    FINAL = "final"                    # the minutes are finalised: record an addendum
    NOT_HELD = "not_held"              # the meeting has not taken place
    NO_MINUTES = "no_minutes"
    DEADLINE_UNREADABLE = "deadline_unreadable"
    DEADLINE_PAST = "deadline_past"
    NOT_ON_COUNCIL = "not_on_council"  # a responsible institution of another council
    NO_INSTITUTION = "no_institution"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_RESPONSIBLE = "not_responsible"  # progress on another institution's decision
    CLOSED = "closed"                  # progress on a decision already done
    EVIDENCE_TOO_LARGE = "evidence_too_large"
    NO_DECISIONS = "no_decisions"
    REASON_NEEDED = "reason_needed"    # "blocked" needs the reason


class DecisionRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


# --- minutes ----------------------------------------------------------------------------------


async def _meeting_for_minutes(store: Store, clock: Clock, grants: list[Grant],
                               meeting_id: int) -> tuple[Any, meeting_service.Where]:
    meeting, place = await meeting_service.find(store, meeting_id)
    require(Permission.RECORD_MINUTES, grants, target_of(place.council))
    if meeting.status is MeetingStatus.CANCELLED or clock.now() < meeting.starts_at:
        raise DecisionRefused(Problem.NOT_HELD)
    return meeting, place


async def minutes_meetings(store: Store, clock: Clock, grants: list[Grant]) -> list[Any]:
    """Held meetings of the councils where the minutes may be written, latest first."""
    councils = await reachable_councils(store, grants, Permission.RECORD_MINUTES)
    meetings = await store.meetings.of_councils([c.id for c in councils])
    now = clock.now()
    held = [m for m in meetings if m.status is not MeetingStatus.CANCELLED
            and m.starts_at <= now]
    return sorted(held, key=lambda m: m.starts_at, reverse=True)


async def previous_evaluation(store: Store, council_id: int, before: date | None = None) -> str:
    """The evaluation of the previous decisions (Art. 5(7)): each with its derived state."""
    found = [d for d in await store.decisions.of_councils([council_id])]
    if not found:
        return ""
    latest = await store.decisions.latest_progress([d.id for d in found])
    lines = []
    for decision in found:
        state = derived(decision, latest)
        if state is Status.DONE and decision.meeting_id != found[-1].meeting_id:
            continue
        lines.append(f"Karar {decision.number}: {decision.text} — {STATE_TR[state]}")
    return "\n".join(lines)


STATE_TR = {Status.NOT_STARTED: "başlanmadı", Status.IN_PROGRESS: "devam ediyor",
            Status.DONE: "tamamlandı", Status.BLOCKED: "engellendi"}


STATE_LABELS = {
    Status.NOT_STARTED: N_("⚪ Not started"),
    Status.IN_PROGRESS: N_("🔄 In progress"),
    Status.DONE: N_("✅ Completed"),
    Status.BLOCKED: N_("⛔ Blocked"),
}


async def previous_decisions(store: Store, council_id: int, before: datetime
                             ) -> list[dict[str, str]]:
    """For the next agenda's first item (Art. 5(7)): the decisions of the council's meetings
    before ``before`` that are still open, and all of the latest such meeting, with their
    derived state (plain data for a notice payload)."""
    found = []
    for decision in await store.decisions.of_councils([council_id]):
        meeting = await store.meetings.get(decision.meeting_id)
        if meeting is not None and meeting.starts_at < before:
            found.append((meeting.starts_at, decision))
    if not found:
        return []
    last = max(at for at, _ in found)
    latest = await store.decisions.latest_progress([d.id for _, d in found])
    result = []
    for at, decision in found:
        state = derived(decision, latest)
        if state is Status.DONE and at != last:
            continue
        result.append({"number": decision.number, "text": decision.text,
                       "state": state.value})
    return result


def derived(decision: Decision, latest: dict[tuple[int, int], Progress]) -> Status:
    return rules.derived_state(
        latest[(decision.id, i)].status if (decision.id, i) in latest else None
        for i in decision.institution_ids)


async def open_minutes(store: Store, clock: Clock, grants: list[Grant],
                       meeting_id: int, actor_id: int | None = None) -> Minutes:
    """The meeting's minutes, created prefilled on first use."""
    meeting, place = await _meeting_for_minutes(store, clock, grants, meeting_id)
    found = await store.decisions.minutes(meeting_id)
    if found is not None:
        return found
    topics = ""
    try:
        from bot.i18n import translator
        from bot.services.agenda import published_agenda_lines
        topics = "\n".join(await published_agenda_lines(store, clock, meeting_id,
                                                        translator("tr")))
    except Exception:
        topics = ""
    evaluation = await previous_evaluation(store, place.council.id)
    now = clock.now()
    async with store.db.transaction():
        if await store.decisions.minutes(meeting_id) is None:
            sections = {"topics": topics, "evaluation": evaluation}
            await store.decisions.create_minutes(meeting.id, place.council.id, sections, now)
            await store.audit.record(now, "minutes.open", f"meeting:{meeting.id}",
                                     actor_id=actor_id, before=None, after=sections)
    created = await store.decisions.minutes(meeting_id)
    assert created is not None
    return created


async def set_section(store: Store, clock: Clock, grants: list[Grant], meeting_id: int,
                      section: str, text: str, actor_id: int | None = None) -> Minutes:
    await _meeting_for_minutes(store, clock, grants, meeting_id)
    if section not in SECTIONS:
        raise ValueError(section)
    text = text.strip()
    if len(text) > SECTION_MAX:
        raise DecisionRefused(Problem.TOO_LONG)
    minutes = await open_minutes(store, clock, grants, meeting_id, actor_id)
    now = clock.now()
    async with store.db.transaction():
        if minutes.final or not await store.decisions.set_section(meeting_id, section, text,
                                                                  now):
            raise DecisionRefused(Problem.FINAL)
        await store.audit.record(now, "minutes.section", f"meeting:{meeting_id}",
                                 actor_id=actor_id,
                                 before={section: getattr(minutes, section)},
                                 after={section: text})
    updated = await store.decisions.minutes(meeting_id)
    assert updated is not None
    return updated


async def add_addendum(store: Store, clock: Clock, grants: list[Grant], meeting_id: int,
                       text: str, actor_id: int | None) -> None:
    await _meeting_for_minutes(store, clock, grants, meeting_id)
    minutes = await store.decisions.minutes(meeting_id)
    if minutes is None:
        raise DecisionRefused(Problem.NO_MINUTES)
    if not text.strip():
        raise DecisionRefused(Problem.EMPTY)
    now = clock.now()
    async with store.db.transaction():
        await store.decisions.add_addendum(meeting_id, text.strip(), actor_id, now)
        await store.audit.record(now, "minutes.addendum", f"meeting:{meeting_id}",
                                 actor_id=actor_id, before=None, after={"text": text.strip()})


# --- decisions --------------------------------------------------------------------------------


async def council_institutions(store: Store, council_id: int) -> list[Institution]:
    council = await store.councils.council(council_id)
    if council is None:
        raise ServiceError(Refusal.NOT_FOUND, f"council {council_id}")
    return await store.councils.institutions(institution_council(council))


def read_deadline(text: str, meeting_day: date, today: date) -> date:
    try:
        return rules.parse_deadline(text, meeting_day, today)
    except DeadlineError as exc:
        raise DecisionRefused(Problem.DEADLINE_PAST if exc.code == "past"
                              else Problem.DEADLINE_UNREADABLE) from None


@dataclass(frozen=True, slots=True)
class DecisionDraft:
    text: str
    rationale: str
    purpose: str
    institution_ids: list[int]
    deadline: str   # as typed: "30.06.2027", "30 gün", "3 months"


async def add_decision(store: Store, clock: Clock, grants: list[Grant], meeting_id: int,
                       draft: DecisionDraft, actor_id: int | None = None) -> Decision:
    meeting, place = await _meeting_for_minutes(store, clock, grants, meeting_id)
    minutes = await open_minutes(store, clock, grants, meeting_id, actor_id)
    if minutes.final:
        raise DecisionRefused(Problem.FINAL)
    if not draft.text.strip():
        raise DecisionRefused(Problem.EMPTY)
    if any(len(x) > rules.TEXT_MAX for x in (draft.text, draft.rationale, draft.purpose)):
        raise DecisionRefused(Problem.TOO_LONG)
    if not draft.institution_ids:
        raise DecisionRefused(Problem.NO_INSTITUTION)
    own = {i.id for i in await council_institutions(store, place.council.id)}
    if any(i not in own for i in draft.institution_ids):
        raise DecisionRefused(Problem.NOT_ON_COUNCIL)
    day = place.local(meeting.starts_at).date()
    deadline = read_deadline(draft.deadline, day, place.local(clock.now()).date())
    now = clock.now()
    async with store.db.transaction():
        made = await store.decisions.add_decision(
            meeting_id, place.council.id, day.year, draft.text.strip(), draft.rationale.strip(),
            draft.purpose.strip(), deadline, draft.institution_ids, now)
        await store.audit.record(now, "decision.add", f"decision:{made.id}", actor_id=actor_id,
                                 before=None, after=trail.view(made, *DECISION_FIELDS))
    return made


# --- the Ek-1 and finalising ------------------------------------------------------------------


async def ek1(store: Store, meeting_id: int) -> Ek1:
    meeting, place = await meeting_service.find(store, meeting_id)
    minutes = await store.decisions.minutes(meeting_id)
    if minutes is None:
        raise DecisionRefused(Problem.NO_MINUTES)
    names = {i.id: i.name for i in await council_institutions(store, place.council.id)}
    decisions = [Ek1Decision(d.number, d.text, d.rationale, d.purpose,
                             [names.get(i, "?") for i in d.institution_ids],
                             d.deadline.strftime("%d.%m.%Y"))
                 for d in await store.decisions.of_meeting(meeting_id)]
    seats = await meeting_service.council_seats(store, place.council)
    signatories = [Signatory("Kurul Başkanı", s.person.full_name, s.person.title)
                   for s in seats.chairs]
    signatories += [Signatory("Üye", row.primary.person.full_name, row.primary.person.title,
                              row.institution.name)
                    for row in seats.institutions if row.primary is not None]
    attendance = await store.meetings.attendance(meeting_id)
    participants = minutes.participants if minutes.participants is not None else sum(
        1 for a in attendance if a.present)
    local = place.local(meeting.starts_at)
    if place.council.kind is CouncilKind.DISTRICT:
        area = f"{place.province.name} / {place.council.name or ''}"
    else:
        area = place.province.name
    return Ek1(CATEGORY[place.council.kind.value], area,
               f"{meeting.place} / {local.strftime('%d.%m.%Y')}", participants, minutes.topics,
               minutes.problems, minutes.solutions, minutes.evaluation, decisions, signatories,
               await store.decisions.addenda(meeting_id))


def _person(seat: Any, institution: Institution | None = None) -> Recipient:
    payload: dict[str, Any] = {}
    if institution is not None:
        payload = {"institution_id": institution.id, "institution": institution.name}
    return Recipient(seat.person.telegram_user_id, seat.person.id, payload)


async def institution_people(store: Store, council_id: int, institution_id: int,
                             member_only: bool = False) -> list[Recipient]:
    """Who answers for an institution's task: its liaison officers and its member."""
    council = await store.councils.council(council_id)
    if council is None:
        return []
    seats = await meeting_service.council_seats(store, council)
    row = seats.of(institution_id)
    if row is None:
        return []
    chosen = [s for s in (row.primary,) if s is not None]
    if not member_only:
        chosen += [s for s in (row.alternate,) if s is not None and (
            council.kind is CouncilKind.SUBCOMMISSION)]
        chosen += row.liaisons
    found = {s.person.id: _person(s, row.institution) for s in chosen
             if s.person.telegram_user_id > 0}
    return list(found.values())


async def secretariat_and_chair(store: Store, council_id: int) -> list[Recipient]:
    place = await meeting_service.where(store, council_id)
    found = await meeting_service._secretariat(store, place)
    seats = await meeting_service.council_seats(store, place.council)
    found += [Recipient(s.person.telegram_user_id, s.person.id) for s in seats.chairs
              if s.person.telegram_user_id > 0]
    return list({r.chat_id: r for r in found}.values())


async def _distribution(store: Store, place: meeting_service.Where) -> list[Recipient]:
    """Art. 12(2), 12(4): the member institutions and the chair; 12(5): a district's minutes
    also to the provincial directorate."""
    seats = await meeting_service.council_seats(store, place.council)
    found: list[Recipient] = []
    for row in seats.institutions:
        for seat in (row.primary, row.alternate, *row.liaisons):
            if seat is not None:
                found.append(_person(seat, row.institution))
    found += [_person(s) for s in seats.chairs]
    found = [r for r in found if r.chat_id > 0]
    if place.council.kind is CouncilKind.DISTRICT:
        provincial = await store.councils.council_of_kind(place.council.province_id,
                                                          CouncilKind.PROVINCIAL)
        if provincial is not None:
            found += [_person(s) for s in await store.people.seats(provincial.id)
                      if s.role.kind is RoleKind.SECRETARIAT and s.person.telegram_user_id > 0]
    return list({r.chat_id: r for r in found}.values())


def decision_payload(decision: Decision, place: meeting_service.Where,
                     institution: Institution | None = None, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "decision_id": decision.id, "number": decision.number, "text": decision.text,
        "deadline": decision.deadline.isoformat(), "council_id": place.council.id,
        "council_kind": place.council.kind.value, "council_name": place.council.name,
        "meeting_id": decision.meeting_id, **extra}
    if institution is not None:
        payload["institution_id"] = institution.id
        payload["institution"] = institution.name
    return payload


@dataclass(frozen=True, slots=True)
class Finalised:
    recipients: int
    tasks: int


async def finalise(store: Store, clock: Clock, grants: list[Grant], meeting_id: int,
                   quiet: QuietHours | None, actor_id: int | None) -> Finalised:
    meeting, place = await _meeting_for_minutes(store, clock, grants, meeting_id)
    minutes = await store.decisions.minutes(meeting_id)
    if minutes is None:
        raise DecisionRefused(Problem.NO_MINUTES)
    if minutes.final:
        raise DecisionRefused(Problem.FINAL)
    now = clock.now()
    attendance = await store.meetings.attendance(meeting_id)
    participants = sum(1 for a in attendance if a.present)
    async with store.db.transaction():
        if not await store.decisions.finalise(meeting_id, participants, actor_id, now):
            raise DecisionRefused(Problem.FINAL)
        await store.audit.record(now, "minutes.finalise", f"meeting:{meeting_id}",
                                 actor_id=actor_id, before={"final": False},
                                 after={"final": True, "participants": participants})
        form = await ek1(store, meeting_id)
        payload = meeting_service.meeting_payload(meeting, place, ek1=form.to_payload(),
                                                  decisions=len(form.decisions))
        sent = await meeting_service.queue(
            store, now, f"minutes:{meeting_id}", MINUTES_KIND, payload,
            await _distribution(store, place), place, quiet, created_by=actor_id)
        tasks = 0
        names = {i.id: i for i in await council_institutions(store, place.council.id)}
        for decision in await store.decisions.of_meeting(meeting_id):
            for institution_id in decision.institution_ids:
                people = await institution_people(store, place.council.id, institution_id)
                tasks += await meeting_service.queue(
                    store, now, f"decision:{decision.id}:{institution_id}:task", TASK_KIND,
                    decision_payload(decision, place, names[institution_id]), people, place,
                    quiet, created_by=actor_id)
    return Finalised(sent, tasks)


# --- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Task:
    decision: Decision
    institution: Institution
    state: Status | None   # the institution's latest report
    overdue: bool


async def my_tasks(store: Store, clock: Clock, grants: list[Grant]) -> list[Task]:
    """The open decisions my institutions answer for, in every council whose institutions
    they are (the provincial council's serve its sub-commission too, Art. 6(3)); whoever may
    report for an institution sees its tasks (``check_reporter``)."""
    mine: set[tuple[int, int]] = set()   # (the institution's council, the institution)
    for institution_id in sorted({g.institution_id for g in grants
                                  if g.institution_id is not None}):
        institution = await store.councils.institution(institution_id)
        home = await store.councils.council(institution.council_id) if institution else None
        if home is not None and allowed(Permission.REPORT_PROGRESS, grants,
                                        target_of(home, institution_id)):
            mine.add((home.id, institution_id))
    found: list[Task] = []
    for council_id in sorted({c for c, _ in mine}):
        council = await store.councils.council(council_id)
        if council is None:
            continue
        councils = [c.id for c in await store.councils.councils_of_province(council.province_id)
                    if institution_council(c) == council_id]
        decisions = await store.decisions.of_councils(councils)
        latest = await store.decisions.latest_progress([d.id for d in decisions])
        place = await meeting_service.where(store, council_id)
        today = place.local(clock.now()).date()
        for decision in decisions:
            for institution_id in decision.institution_ids:
                if (council_id, institution_id) not in mine:
                    continue
                got = latest.get((decision.id, institution_id))
                if got is not None and got.status is Status.DONE:
                    continue
                institution = await store.councils.institution(institution_id)
                if institution is None:
                    continue
                found.append(Task(decision, institution, got.status if got else None,
                                  today > decision.deadline))
    return found


@dataclass(frozen=True, slots=True)
class Report:
    status: Status
    reason: str | None
    done_text: str
    evidence: tuple[str, str, bytes] | None = None  # filename, mime type, content


async def check_reporter(store: Store, grants: list[Grant], decision_id: int,
                         institution_id: int) -> tuple[Decision, Institution]:
    decision = await store.decisions.decision(decision_id)
    if decision is None:
        raise ServiceError(Refusal.NOT_FOUND, f"decision {decision_id}")
    minutes = await store.decisions.minutes(decision.meeting_id)
    if minutes is None or not minutes.final:
        raise ServiceError(Refusal.NOT_FOUND, f"decision {decision_id}")
    institution = await store.councils.institution(institution_id)
    if institution is None or institution_id not in decision.institution_ids:
        raise DecisionRefused(Problem.NOT_RESPONSIBLE)
    council = await store.councils.council(institution.council_id)
    if council is None:
        raise ServiceError(Refusal.NOT_FOUND, f"council {institution.council_id}")
    require(Permission.REPORT_PROGRESS, grants, target_of(council, institution_id))
    latest = await store.decisions.latest_progress([decision_id])
    got = latest.get((decision_id, institution_id))
    if got is not None and got.status is Status.DONE:
        raise DecisionRefused(Problem.CLOSED)
    return decision, institution


async def report(store: Store, clock: Clock, grants: list[Grant], decision_id: int,
                 institution_id: int, found: Report, actor_id: int | None) -> Status:
    """Record one institution's report; returns the decision's derived state."""
    await check_reporter(store, grants, decision_id, institution_id)
    if found.status is Status.BLOCKED and not (found.reason or "").strip():
        raise DecisionRefused(Problem.REASON_NEEDED)
    if found.evidence is not None and len(found.evidence[2]) > EVIDENCE_MAX:
        raise DecisionRefused(Problem.EVIDENCE_TOO_LARGE)
    if len(found.done_text) > rules.TEXT_MAX:
        raise DecisionRefused(Problem.TOO_LONG)
    now = clock.now()
    previous = (await store.decisions.latest_progress([decision_id])).get(
        (decision_id, institution_id))
    async with store.db.transaction():
        await store.decisions.add_progress(decision_id, institution_id, found.status,
                                           found.reason, found.done_text.strip(), found.evidence,
                                           actor_id, now)
        await store.audit.record(
            now, "progress.report", f"decision:{decision_id}", actor_id=actor_id,
            institution_id=institution_id,
            before={"status": previous.status.value} if previous else None,
            after={"status": found.status.value, "reason": found.reason,
                   "done": found.done_text.strip(),
                   "evidence": found.evidence[0] if found.evidence else None})
    decision = await store.decisions.decision(decision_id)
    assert decision is not None
    return derived(decision, await store.decisions.latest_progress([decision_id]))


# --- the register -----------------------------------------------------------------------------


class Filter(enum.StrEnum):
    ALL = "all"
    OPEN = "open"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Entry:
    decision: Decision
    state: Status
    overdue: bool
    institutions: list[tuple[str, Status | None]]  # name, latest report (None: silent)


async def register(store: Store, clock: Clock, grants: list[Grant], which: Filter = Filter.ALL,
                   institution_id: int | None = None) -> tuple[list[Entry], bool]:
    """The decisions of my councils; the bool says whether I may see who reported."""
    councils = await reachable_councils(store, grants, Permission.VIEW_DECISIONS)
    decisions = await store.decisions.of_councils([c.id for c in councils])
    latest = await store.decisions.latest_progress([d.id for d in decisions])
    names: dict[int, str] = {}
    entries: list[Entry] = []
    for decision in decisions:
        if institution_id is not None and institution_id not in decision.institution_ids:
            continue
        place = await meeting_service.where(store, decision.council_id)
        state = derived(decision, latest)
        late = rules.overdue(decision.deadline, place.local(clock.now()).date(), state)
        if which is Filter.OPEN and state is Status.DONE:
            continue
        if which is Filter.OVERDUE and not late:
            continue
        rows: list[tuple[str, Status | None]] = []
        for i in decision.institution_ids:
            if i not in names:
                found = await store.councils.institution(i)
                names[i] = found.name if found else "?"
            got = latest.get((decision.id, i))
            rows.append((names[i], got.status if got else None))
        entries.append(Entry(decision, state, late, rows))
    reports = any(True for c in councils if _may_see_reports(grants, c))
    return entries, reports


def _may_see_reports(grants: list[Grant], council: Any) -> bool:
    return allowed(Permission.VIEW_REPORTS, grants, target_of(council))


# --- the Ek-3 annual report draft -------------------------------------------------------------


async def annual_report(store: Store, clock: Clock, grants: list[Grant], province_id: int,
                        year: int) -> Ek3:
    """The Ek-3 draft of a province and year: the problems raised in every council's minutes,
    the decisions with their derived state, and what stayed unsolved (with the reasons given).
    The provincial directorate prepares it (Ek-3 "HAZIRLAYAN").
    """
    provincial = await store.councils.council_of_kind(province_id, CouncilKind.PROVINCIAL)
    province = await store.councils.province(province_id)
    if provincial is None or province is None:
        raise ServiceError(Refusal.NOT_FOUND, f"province {province_id}")
    require(Permission.RECORD_MINUTES, grants, target_of(provincial))
    councils = await store.councils.councils_of_province(province_id)
    titles = {c.id: CATEGORY[c.kind.value] + (
        f" ({c.name})" if c.name and c.kind is CouncilKind.DISTRICT else "") for c in councils}
    decisions = [d for d in await store.decisions.of_councils([c.id for c in councils])
                 if d.year == year]
    latest = await store.decisions.latest_progress([d.id for d in decisions])
    problems: list[str] = []
    seen_meetings: set[int] = set()
    for c in councils:
        for meeting in sorted(await store.meetings.of_councils([c.id], limit=500),
                              key=lambda m: m.starts_at):
            minutes = await store.decisions.minutes(meeting.id)
            if minutes is None or not minutes.final or meeting.id in seen_meetings:
                continue
            if meeting.starts_at.year != year or not minutes.problems:
                continue
            seen_meetings.add(meeting.id)
            problems += [f"{titles[c.id]}: {line}" for line in minutes.problems.splitlines()
                         if line.strip()]
    lines, unsolved = [], []
    for d in decisions:
        state = derived(d, latest)
        lines.append(f"{titles.get(d.council_id, '')} — Karar {d.number}: {d.text} — "
                     f"{STATE_TR[state]}")
        if state is not Status.DONE:
            reasons = [p.reason for (did, _i), p in latest.items()
                       if did == d.id and p.status is Status.BLOCKED and p.reason]
            unsolved.append(f"Karar {d.number}: {d.text}"
                            + (" (" + "; ".join(reasons) + ")" if reasons else ""))
    return Ek3(year, province.name, problems, lines, unsolved)


# --- /overview --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CouncilOverview:
    council: Any  # bot.domain.models.Council
    counts: dict[Status, int]
    overdue: int


async def overview(store: Store, clock: Clock, grants: list[Grant]) -> list[CouncilOverview]:
    """Decisions per council by derived state, for the secretariat and the chair."""
    councils = await reachable_councils(store, grants, Permission.VIEW_REPORTS)
    result = []
    for council in councils:
        decisions = await store.decisions.of_councils([council.id])
        if not decisions:
            continue
        latest = await store.decisions.latest_progress([d.id for d in decisions])
        place = await meeting_service.where(store, council.id)
        today = place.local(clock.now()).date()
        counts = dict.fromkeys(Status, 0)
        late = 0
        for decision in decisions:
            state = derived(decision, latest)
            counts[state] += 1
            late += rules.overdue(decision.deadline, today, state)
        result.append(CouncilOverview(council, counts, late))
    return result
