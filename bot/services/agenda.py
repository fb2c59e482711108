"""Agenda proposals (issue 6, Art. 10): from an institution's draft to the published agenda.

This module owns the use cases, each re-reading the records and re-checking the permission
table (ids come from buttons, which are user input):

* targets: the upcoming meetings of the councils someone may propose to, or, for a council
  with none scheduled, its next ordinary period from the calendar. A meeting later scheduled
  for that period takes the period's proposals (``AgendaRepository.for_target``);
* proposals belong to an institution: any of its liaison officers (principal or substitute)
  or its member may write, change and withdraw them until the secretariat decides; on the
  sub-commission only the liaison officers, who are its members (Art. 6(3)). The person who
  sent one is recorded, not its owner. Someone whose role ended is refused;
* the deadline (Art. 10(2), ``bot.domain.calendar.meeting_deadlines``): shown at the start;
  a proposal sent after it is taken and marked late;
* attachments are checked (type, Telegram's 20 MB download limit) before they are fetched,
  and stored with the proposal;
* review by the secretariat: accept, reject with a reason, merge into another proposal of the
  same meeting, ask a question (the answer is kept with the proposal), reorder; each outcome is
  told to the institution through the outbox;
* the agenda (``bot.domain.agenda.build_agenda``), its publication as a notice of its own to
  the meeting's recipients, and ``published_agenda_lines`` for a meeting notice to include;
* the upward flow: the provincial secretariat forwards a sub-commission finding (Art. 10(3))
  or a district council's (Art. 10(7)) to the provincial council's agenda, keeping its origin.

Rendering belongs to ``bot.notify.agenda_kinds`` and the handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.documents.calendar_export import council_title
from bot.domain.agenda import (
    ANSWER_MAX,
    DECIDED,
    FIXED_ARTICLES,
    QUESTION_MAX,
    REASON_MAX,
    Agenda,
    FileProblem,
    Fixed,
    Item,
    ProposalKind,
    ProposalStatus,
    TopicArea,
    areas_for,
    build_agenda,
    check_file,
    clean_body,
    clean_title,
    editable,
    is_late,
)
from bot.domain.calendar import MeetingWindow, meeting_deadlines
from bot.domain.clock import Clock
from bot.domain.meetings import MeetingStatus
from bot.domain.models import Council, CouncilKind, Person, RoleKind
from bot.domain.permissions import Grant, Permission, allowed
from bot.i18n import N_, Translator
from bot.notify.quiet import QuietHours
from bot.services import decisions as decisions_service
from bot.services import meetings as meeting_service
from bot.services import trail
from bot.services.access import council_or_refuse, reachable_councils, require, target_of
from bot.services.calendar import working_calendar
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import institution_council
from bot.store import Store
from bot.store.agenda import Attachment, Proposal, Question
from bot.store.meetings import Meeting
from bot.store.outbox import Recipient

# Notice kinds; their renderers live in bot.notify.agenda_kinds.
OUTCOME_KIND = "agenda_outcome"      # accepted / rejected / merged / a question, to the proposer
ANSWERED_KIND = "agenda_answered"    # the proposer answered, to the secretariat
PUBLISHED_KIND = "agenda_published"  # the agenda, to the meeting's recipients
CALL_KIND = "agenda_call"            # "send your proposals", to the liaison officers
REMINDER_KIND = "agenda_reminder"    # three days before the deadline, to those who sent nothing

OPEN_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.AWAITING_CHAIR)
SENT = (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED,
        ProposalStatus.MERGED)

# What the audit trail keeps of a proposal.
PROPOSAL_FIELDS = ("title", "area", "kind", "description", "status", "late", "council_id",
                   "meeting_id", "period", "institution_id")


class AgendaRefused(ServiceError):
    """A refusal particular to the agenda; ``reason`` says which (the handler words it)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(Refusal.FORBIDDEN, detail or reason)
        self.reason = reason


HELD = "held"                 # the meeting has already taken place, or was cancelled
DECIDED_ALREADY = "decided"   # the secretariat has decided: no more changes
NOT_EDITABLE = "not_editable"
EMPTY_DESCRIPTION = "empty_description"
SAME_PROPOSAL = "same_proposal"
NO_PROVINCIAL_TARGET = "no_provincial_target"
ANSWERED_ALREADY = "answered"


class FileRefused(Exception):
    def __init__(self, problem: FileProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


# --- how the agenda's terms read (translated where shown) --------------------------------------

AREA_LABELS = {
    TopicArea.SOCIAL_COHESION: N_("Social cohesion"),
    TopicArea.REGULAR_MIGRATION: N_("Regular migration"),
    TopicArea.INTERNATIONAL_PROTECTION: N_("International protection"),
    TopicArea.TEMPORARY_PROTECTION: N_("Temporary protection"),
    TopicArea.HUMAN_TRAFFICKING: N_("Combating human trafficking"),
    TopicArea.IRREGULAR_MIGRATION: N_("Irregular migration"),
    TopicArea.EDUCATION: N_("Education"),
    TopicArea.HEALTH: N_("Health"),
    TopicArea.LABOUR_MARKET: N_("Labour market"),
    TopicArea.SOCIAL_SUPPORT: N_("Social support (social aid and services)"),
    TopicArea.INFORMATION: N_("Information"),
    TopicArea.SOCIAL_PARTICIPATION: N_("Social participation"),
    TopicArea.PUBLIC_ORDER: N_("Public order"),
    TopicArea.PUBLIC_SECURITY: N_("Public security"),
    TopicArea.PUBLIC_HEALTH: N_("Public health"),
    TopicArea.OTHER: N_("Other topics"),
}
KIND_LABELS = {
    ProposalKind.REGULAR: N_("Regular agenda item"),
    ProposalKind.SPECIAL: N_("Special agenda request"),
    ProposalKind.RISK: N_("Incident or social-tension risk"),
    ProposalKind.ACTIVITY: N_("Our institution's activities for foreigners"),
    ProposalKind.FINDING: N_("Findings forwarded to the council"),
}
STATUS_LABELS = {
    ProposalStatus.DRAFT: N_("📝 Draft (not sent)"),
    ProposalStatus.SUBMITTED: N_("📨 Sent, waiting for the secretariat"),
    ProposalStatus.ACCEPTED: N_("✅ Accepted"),
    ProposalStatus.REJECTED: N_("❌ Rejected"),
    ProposalStatus.MERGED: N_("🔗 Merged into another proposal"),
    ProposalStatus.WITHDRAWN: N_("Withdrawn"),
}
FIXED_LABELS = {
    Fixed.PREVIOUS_DECISIONS: N_(
        "Evaluation of how the previous meeting's decisions were carried out ({article})"),
    Fixed.YEAR_REVIEW: N_(
        "Evaluation of last year's decisions and planning of the new year ({article})"),
    Fixed.ANNUAL_REPORT: N_("Approval of the annual evaluation report ({article})"),
    Fixed.SUBCOMMISSION_LIST: N_(
        "Forming the sub-commission and signing its member list ({article})"),
    Fixed.ACTION_PLAN: N_("Local Cohesion Action Plan ({article})"),
    Fixed.ACTION_PLAN_APPROVAL: N_("Approval of the Local Cohesion Action Plan ({article})"),
    Fixed.ACTION_PLAN_MONITORING: N_(
        "Monitoring of the Local Cohesion Action Plan ({article})"),
}
RISK_MARK = N_("⚠️ RISK:")


# --- targets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgendaTarget:
    """A meeting, or a council's ordinary period while no meeting is scheduled for it."""

    where: meeting_service.Where
    meeting: Meeting | None
    period: str | None
    day: date                   # the meeting's day, or the window's suggested date
    window: MeetingWindow | None
    due: date | None            # Art. 10(2); None for the sub-commission
    preparation: date | None    # Art. 10(1)

    @property
    def council(self) -> Council:
        return self.where.council

    @property
    def key(self) -> str:
        if self.meeting is not None:
            return f"m:{self.meeting.id}"
        return f"p:{self.council.id}:{self.period}"

    @property
    def estimated(self) -> bool:
        """The day (and so the deadline) is the calendar's suggestion, not a scheduled date."""
        return self.meeting is None

    def payload(self) -> dict[str, Any]:
        return {
            "council_id": self.council.id,
            "council_kind": self.council.kind.value,
            "council_name": self.council.name,
            "province_name": self.where.province.name,
            "meeting_id": self.meeting.id if self.meeting else None,
            "period": self.period,
            "day": self.day.isoformat(),
            "estimated": self.estimated,
            "due": self.due.isoformat() if self.due else None,
        }


def target_title(t: Translator, target: AgendaTarget) -> str:
    council = council_title(t, target.council.kind, target.council.name)
    if target.estimated:
        return t("{council} — next ordinary meeting (around {date}, not scheduled yet)").format(
            council=council, date=t.short_date(target.day))
    return t("{council} — meeting of {date}").format(council=council,
                                                     date=t.short_date(target.day))


async def _target(store: Store, clock: Clock, place: meeting_service.Where,
                  meeting: Meeting | None, period: str | None,
                  window: MeetingWindow | None = None) -> AgendaTarget:
    workdays = await working_calendar(store, place.province.id)
    if meeting is not None:
        day = place.local(meeting.starts_at).date()
        period = meeting.period
    else:
        if window is None:
            window = await meeting_service.ordinary_window(store, clock, place.council.id, period)
        if window is None:
            raise ServiceError(Refusal.NOT_FOUND, f"period {period}")
        day = window.suggested_date
    deadlines = meeting_deadlines(place.council.kind, day, workdays)
    return AgendaTarget(
        place, meeting, period, day, window,
        deadlines.agenda_proposals.due if deadlines.agenda_proposals else None,
        deadlines.agenda_preparation.due if deadlines.agenda_preparation else None)


async def target_of_meeting(store: Store, clock: Clock, meeting_id: int) -> AgendaTarget:
    meeting = await store.meetings.get(meeting_id)
    if meeting is None:
        raise ServiceError(Refusal.NOT_FOUND, f"meeting {meeting_id}")
    place = await meeting_service.where(store, meeting.council_id)
    return await _target(store, clock, place, meeting, meeting.period)


async def resolve(store: Store, clock: Clock, key: str) -> AgendaTarget:
    """The target a key names: ``m:<meeting>`` or ``p:<council>:<period>``. A period for
    which a meeting has since been scheduled resolves to that meeting."""
    parts = key.split(":")
    try:
        if parts[0] == "m" and len(parts) == 2:
            return await target_of_meeting(store, clock, int(parts[1]))
        if parts[0] == "p" and len(parts) == 3:
            place = await meeting_service.where(store, int(parts[1]))
            scheduled = await _meeting_for_period(store, place.council.id, parts[2])
            return await _target(store, clock, place, scheduled, parts[2])
    except ValueError as exc:
        raise ServiceError(Refusal.NOT_FOUND, key) from exc
    raise ServiceError(Refusal.NOT_FOUND, key)


async def _meeting_for_period(store: Store, council_id: int, period: str) -> Meeting | None:
    for meeting in await store.meetings.of_councils([council_id], limit=200):
        if meeting.period == period and meeting.status is not MeetingStatus.CANCELLED:
            return meeting
    return None


async def target_of_proposal(store: Store, clock: Clock, proposal: Proposal) -> AgendaTarget:
    if proposal.meeting_id is not None:
        return await target_of_meeting(store, clock, proposal.meeting_id)
    return await resolve(store, clock, f"p:{proposal.council_id}:{proposal.period}")


def _over(target: AgendaTarget, now: datetime) -> bool:
    """A meeting already held or cancelled takes no more proposals."""
    meeting = target.meeting
    if meeting is None:
        assert target.window is not None
        return target.window.closes < target.where.local(now).date()
    return meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.HELD) or (
        meeting.starts_at <= now)


# --- who proposes for what ---------------------------------------------------------------------


def can_propose(grants: list[Grant], council: Council, institution_id: int | None) -> bool:
    """An institution's liaison officers and member (on the sub-commission, its liaison
    officers only: they are its members, Art. 6(3), ``permissions.with_subcommission``); the
    secretariat, for its own items (institution None)."""
    if institution_id is None:
        return allowed(Permission.PROPOSE, grants, target_of(council)) and allowed(
            Permission.REVIEW_PROPOSALS, grants, target_of(council))
    return allowed(Permission.PROPOSE, grants, target_of(council, institution_id))


@dataclass(frozen=True, slots=True)
class Offer:
    target: AgendaTarget
    institution_id: int | None
    institution_name: str | None




async def _institutions_for(store: Store, grants: list[Grant],
                            council: Council) -> list[tuple[int | None, str | None]]:
    home = institution_council(council)
    found: list[tuple[int | None, str | None]] = []
    for institution in await store.councils.institutions(home):
        if any(g.institution_id == institution.id for g in grants) and can_propose(
                grants, council, institution.id):
            found.append((institution.id, institution.name))
    if not found and can_propose(grants, council, None):
        found.append((None, None))
    return found


async def targets_of_council(store: Store, clock: Clock, council: Council) -> list[AgendaTarget]:
    """Upcoming meetings of the council; when none is scheduled, its next ordinary period."""
    place = await meeting_service.where(store, council.id)
    now = clock.now()
    meetings = [m for m in await store.meetings.of_councils([council.id], since=now)
                if m.status in OPEN_STATUSES]
    found = [await _target(store, clock, place, m, m.period) for m in meetings]
    if not found:
        window = await meeting_service.ordinary_window(store, clock, council.id)
        if window is not None and window.closes >= place.local(now).date():
            found.append(await _target(store, clock, place, None, window.period, window))
    return found


async def may_propose_to(store: Store, grants: list[Grant], council_id: int) -> bool:
    """Whether this person sends proposals to the council at all (for some institution)."""
    councils = await reachable_councils(store, grants, Permission.PROPOSE)
    return council_id in {c.id for c in councils}


async def offers(store: Store, clock: Clock, grants: list[Grant]) -> list[Offer]:
    """Where this person may send a proposal, and for which institution."""
    result: list[Offer] = []
    for council in await reachable_councils(store, grants, Permission.PROPOSE):
        institutions = await _institutions_for(store, grants, council)
        if not institutions:
            continue
        for target in await targets_of_council(store, clock, council):
            result += [Offer(target, i, name) for i, name in institutions]
    result.sort(key=lambda o: (o.target.day, o.target.council.id))
    return result


async def offer_for(store: Store, clock: Clock, grants: list[Grant], key: str,
                    institution_id: int | None) -> AgendaTarget:
    """Re-check a chosen target: it exists, is still open, and the person may propose to it."""
    target = await resolve(store, clock, key)
    if not can_propose(grants, target.council, institution_id):
        raise ServiceError(Refusal.FORBIDDEN, "propose")
    if _over(target, clock.now()):
        raise AgendaRefused(HELD)
    return target


# --- writing a proposal ------------------------------------------------------------------------


async def _owned(store: Store, grants: list[Grant], proposal_id: int) -> tuple[Proposal, Council]:
    proposal = await store.agenda.get(proposal_id)
    if proposal is None:
        raise ServiceError(Refusal.NOT_FOUND, f"proposal {proposal_id}")
    council = await council_or_refuse(store, proposal.council_id)
    # Whose it is first: someone else's proposal is refused whatever state it is in.
    if not can_propose(grants, council, proposal.institution_id):
        raise ServiceError(Refusal.FORBIDDEN, "propose")
    if proposal.status is ProposalStatus.WITHDRAWN:
        raise ServiceError(Refusal.NOT_FOUND, f"proposal {proposal_id}")
    return proposal, council


async def _editable(store: Store, grants: list[Grant], proposal_id: int) -> Proposal:
    proposal, _council = await _owned(store, grants, proposal_id)
    if not editable(proposal.status):
        raise AgendaRefused(DECIDED_ALREADY)
    return proposal


async def get_own(store: Store, grants: list[Grant], proposal_id: int) -> Proposal:
    proposal, _council = await _owned(store, grants, proposal_id)
    return proposal


async def start(store: Store, clock: Clock, grants: list[Grant], person: Person, key: str,
                institution_id: int | None, area: TopicArea, kind: ProposalKind,
                title: str) -> Proposal:
    """Save the draft once it has a title; the rest is added to it step by step."""
    target = await offer_for(store, clock, grants, key, institution_id)
    if area not in areas_for(target.council.kind) or kind is ProposalKind.FINDING:
        raise ServiceError(Refusal.NOT_FOUND, "area or kind")
    cleaned = clean_title(title)
    now = clock.now()
    async with store.db.transaction():
        proposal_id = await store.agenda.add(
            council_id=target.council.id, period=target.period,
            meeting_id=target.meeting.id if target.meeting else None,
            institution_id=institution_id, area=area, kind=kind, title=cleaned,
            created_by=person.id, now=now)
        found = await store.agenda.get(proposal_id)
        assert found is not None
        await store.audit.record(now, "proposal.draft", f"proposal:{proposal_id}",
                                 actor_id=person.id, before=None,
                                 after=trail.view(found, *PROPOSAL_FIELDS))
    return found


async def change(store: Store, clock: Clock, grants: list[Grant], person: Person,
                 proposal_id: int, *, title: str | None = None, area: TopicArea | None = None,
                 kind: ProposalKind | None = None, description: str | None = None) -> Proposal:
    """Change a draft or a sent proposal the secretariat has not decided on yet."""
    proposal = await _editable(store, grants, proposal_id)
    council = await council_or_refuse(store, proposal.council_id)
    fields: dict[str, Any] = {}
    if title is not None:
        fields["title"] = clean_title(title)
    if area is not None:
        if area not in areas_for(council.kind):
            raise ServiceError(Refusal.NOT_FOUND, "area")
        fields["area"] = area
    if kind is not None:
        fields["kind"] = kind
    if description is not None:
        fields["description"] = description
    now = clock.now()
    async with store.db.transaction():
        await store.agenda.update(proposal.id, now, **fields)
        await store.audit.record(now, "proposal.edit", f"proposal:{proposal.id}",
                                 actor_id=person.id, before=trail.view(proposal, *fields),
                                 after=trail.view(await store.agenda.get(proposal.id), *fields))
    return await get_own(store, grants, proposal.id)


async def add_attachment(store: Store, clock: Clock, grants: list[Grant], person: Person,
                         proposal_id: int, *, file_unique_id: str, filename: str,
                         mime_type: str | None, size: int | None,
                         fetch: Callable[[], Awaitable[bytes]]) -> Attachment | None:
    """Check a file, then download it (``fetch``) and keep it. None: it was already kept.

    Raises FileRefused before anything is downloaded."""
    proposal = await _editable(store, grants, proposal_id)
    kept = await store.agenda.attachments(proposal.id)
    if any(a.file_unique_id == file_unique_id for a in kept):
        return None
    problem = check_file(filename, size, len(kept))
    if problem is not None:
        raise FileRefused(problem)
    content = await fetch()
    if len(content) != size and check_file(filename, len(content), len(kept)) is not None:
        raise FileRefused(FileProblem.TOO_BIG)
    now = clock.now()
    async with store.db.transaction():
        added = await store.agenda.add_attachment(
            proposal.id, file_unique_id, filename, mime_type or "application/octet-stream",
            content, person.id, now)
        if added:
            await store.audit.record(now, "proposal.attachment", f"proposal:{proposal.id}",
                                     actor_id=person.id, before=None,
                                     after={"filename": filename, "size": len(content)})
    if not added:
        return None
    return next(a for a in await store.agenda.attachments(proposal.id)
                if a.file_unique_id == file_unique_id)


async def remove_attachments(store: Store, clock: Clock, grants: list[Grant], person: Person,
                             proposal_id: int) -> None:
    proposal = await _editable(store, grants, proposal_id)
    kept = await store.agenda.attachments(proposal.id)
    if not kept:
        return
    now = clock.now()
    async with store.db.transaction():
        await store.agenda.remove_attachments(proposal.id)
        await store.audit.record(now, "proposal.attachments_removed", f"proposal:{proposal.id}",
                                 actor_id=person.id,
                                 before={"attachments": [a.filename for a in kept]},
                                 after={"attachments": []})


@dataclass(frozen=True, slots=True)
class Submitted:
    proposal: Proposal
    target: AgendaTarget
    late: bool
    already: bool   # a second tap: it had been sent before


async def submit(store: Store, clock: Clock, grants: list[Grant], person: Person,
                 proposal_id: int) -> Submitted:
    proposal, council = await _owned(store, grants, proposal_id)
    target = await target_of_proposal(store, clock, proposal)
    if proposal.status is not ProposalStatus.DRAFT:
        return Submitted(proposal, target, proposal.late, True)
    if not proposal.description.strip():
        raise AgendaRefused(EMPTY_DESCRIPTION)
    now = clock.now()
    if _over(target, now):
        raise AgendaRefused(HELD)
    late = is_late(target.where.local(now).date(), target.due)
    position = await store.agenda.next_position(
        council.id, target.meeting.id if target.meeting else None, target.period)
    async with store.db.transaction():
        done = await store.agenda.set_status_if(
            proposal.id, [ProposalStatus.DRAFT], now, status=ProposalStatus.SUBMITTED,
            late=int(late), submitted_by=person.id, submitted_at=now, position=position)
        if done:
            await store.audit.record(
                now, "proposal.submit", f"proposal:{proposal.id}", actor_id=person.id,
                before={"status": ProposalStatus.DRAFT.value},
                after={"status": ProposalStatus.SUBMITTED.value, "late": late,
                       "position": position})
    fresh = await get_own(store, grants, proposal.id)
    if not done:
        return Submitted(fresh, target, fresh.late, True)
    return Submitted(fresh, target, late, False)


async def withdraw(store: Store, clock: Clock, grants: list[Grant], person: Person,
                   proposal_id: int) -> Proposal:
    proposal = await _editable(store, grants, proposal_id)
    now = clock.now()
    async with store.db.transaction():
        if not await store.agenda.set_status_if(
                proposal.id, [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED], now,
                status=ProposalStatus.WITHDRAWN):
            raise AgendaRefused(DECIDED_ALREADY)
        await store.audit.record(now, "proposal.withdraw", f"proposal:{proposal.id}",
                                 actor_id=person.id, before={"status": proposal.status.value},
                                 after={"status": ProposalStatus.WITHDRAWN.value})
    return proposal


async def mine(store: Store, grants: list[Grant]) -> list[Proposal]:
    """The proposals of my institutions (a proposal is the institution's, Art. 10(2))."""
    institutions = sorted({g.institution_id for g in grants
                           if g.institution_id is not None
                           and g.kind in (RoleKind.LIAISON, RoleKind.MEMBER)})
    found = await store.agenda.for_institutions(institutions)
    result = []
    for proposal in found:
        council = await store.councils.council(proposal.council_id)
        if council is not None and can_propose(grants, council, proposal.institution_id):
            result.append(proposal)
    return result


@dataclass(frozen=True, slots=True)
class ProposalView:
    proposal: Proposal
    target: AgendaTarget
    source: str
    attachments: list[Attachment]
    questions: list[Question]


async def source_of(store: Store, t: Translator, proposal: Proposal) -> str:
    """Who the proposal comes from: the institution, the secretariat, or where a forwarded
    finding was made."""
    if proposal.origin_council_id is not None:
        origin = await store.councils.council(proposal.origin_council_id)
        if origin is not None:
            return t("Findings of the {council}").format(
                council=council_title(t, origin.kind, origin.name))
    if proposal.institution_id is not None:
        institution = await store.councils.institution(proposal.institution_id)
        if institution is not None:
            return institution.name
    return t("Secretariat")


async def view(store: Store, clock: Clock, t: Translator, proposal: Proposal) -> ProposalView:
    return ProposalView(proposal, await target_of_proposal(store, clock, proposal),
                        await source_of(store, t, proposal),
                        await store.agenda.attachments(proposal.id),
                        await store.agenda.questions(proposal.id))


async def attachment_for(store: Store, grants: list[Grant], attachment_id: int,
                         proposal_id: int) -> tuple[Attachment, bytes]:
    """A kept file, for the institution or the secretariat."""
    proposal = await store.agenda.get(proposal_id)
    if proposal is None:
        raise ServiceError(Refusal.NOT_FOUND, f"proposal {proposal_id}")
    council = await council_or_refuse(store, proposal.council_id)
    if not (can_propose(grants, council, proposal.institution_id)
            or allowed(Permission.REVIEW_PROPOSALS, grants, target_of(council))):
        raise ServiceError(Refusal.FORBIDDEN, "attachment")
    found = next((a for a in await store.agenda.attachments(proposal.id)
                  if a.id == attachment_id), None)
    content = await store.agenda.attachment_content(attachment_id) if found else None
    if found is None or content is None:
        raise ServiceError(Refusal.NOT_FOUND, f"attachment {attachment_id}")
    return found, content


# --- questions answered by the institution -----------------------------------------------------


async def question_for(store: Store, grants: list[Grant], question_id: int
                       ) -> tuple[Question, Proposal]:
    question = await store.agenda.question(question_id)
    if question is None:
        raise ServiceError(Refusal.NOT_FOUND, f"question {question_id}")
    proposal = await get_own(store, grants, question.proposal_id)
    if question.answer is not None:
        raise AgendaRefused(ANSWERED_ALREADY)
    return question, proposal


async def answer_question(store: Store, clock: Clock, grants: list[Grant], person: Person,
                          question_id: int, text: str | None,
                          quiet: QuietHours | None = None) -> Proposal:
    question, proposal = await question_for(store, grants, question_id)
    cleaned = clean_body(text, ANSWER_MAX)
    now = clock.now()
    async with store.db.transaction():
        if not await store.agenda.answer(question.id, cleaned, person.id, now):
            raise AgendaRefused(ANSWERED_ALREADY)
        await store.audit.record(now, "proposal.answer", f"proposal:{proposal.id}",
                                 actor_id=person.id,
                                 before={"question": question.question, "answer": None},
                                 after={"question": question.question, "answer": cleaned})
    target = await target_of_proposal(store, clock, proposal)
    people = await _secretariat(store, target)
    await _queue(store, now, f"agenda:answer:{question.id}", ANSWERED_KIND,
                 {**target.payload(), "proposal_id": proposal.id, "title": proposal.title,
                  "question": question.question, "answer": cleaned,
                  "person": person.full_name},
                 people, target, quiet, created_by=person.id)
    return proposal


# --- review by the secretariat -----------------------------------------------------------------


async def reviewable(store: Store, grants: list[Grant]) -> list[Council]:
    return await reachable_councils(store, grants, Permission.REVIEW_PROPOSALS)


async def review_targets(store: Store, clock: Clock, grants: list[Grant]) -> list[AgendaTarget]:
    """Targets with proposals sent to councils this secretariat serves: a scheduled meeting
    once there is one for the period (the period's proposals are its own)."""
    councils = await reviewable(store, grants)
    seen: dict[str, AgendaTarget] = {}
    for council_id, period, meeting_id in await store.agenda.targets_with_pending(
            [c.id for c in councils]):
        key = f"m:{meeting_id}" if meeting_id is not None else f"p:{council_id}:{period}"
        try:
            target = await resolve(store, clock, key)
        except ServiceError:
            continue
        if not _over(target, clock.now()) or target.meeting is not None:
            seen.setdefault(target.key, target)
    for council in councils:  # upcoming meetings with nothing yet: the secretariat may add
        for target in await targets_of_council(store, clock, council):
            seen.setdefault(target.key, target)
    return sorted(seen.values(), key=lambda t: (t.day, t.council.id))


async def _reviewing(store: Store, clock: Clock, grants: list[Grant],
                     key: str) -> AgendaTarget:
    target = await resolve(store, clock, key)
    require(Permission.REVIEW_PROPOSALS, grants, target_of(target.council))
    return target


async def queue_of(store: Store, clock: Clock, grants: list[Grant],
                   key: str) -> tuple[AgendaTarget, list[Proposal]]:
    target = await _reviewing(store, clock, grants, key)
    found = await store.agenda.for_target(
        target.council.id, target.meeting.id if target.meeting else None, target.period,
        [*SENT])
    return target, found


async def _for_review(store: Store, clock: Clock, grants: list[Grant],
                      proposal_id: int) -> tuple[Proposal, AgendaTarget]:
    proposal = await store.agenda.get(proposal_id)
    if proposal is None:
        raise ServiceError(Refusal.NOT_FOUND, f"proposal {proposal_id}")
    target = await target_of_proposal(store, clock, proposal)
    # Whose it is first: another council's proposal is refused whatever state it is in.
    require(Permission.REVIEW_PROPOSALS, grants, target_of(target.council))
    if proposal.status in (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN):
        raise ServiceError(Refusal.NOT_FOUND, f"proposal {proposal_id}")
    return proposal, target


async def for_review(store: Store, clock: Clock, grants: list[Grant], t: Translator,
                     proposal_id: int) -> ProposalView:
    proposal, _target = await _for_review(store, clock, grants, proposal_id)
    return await view(store, clock, t, proposal)


async def _decide(store: Store, clock: Clock, grants: list[Grant], person: Person,
                  proposal_id: int, status: ProposalStatus, quiet: QuietHours | None,
                  **fields: Any) -> Proposal:
    proposal, target = await _for_review(store, clock, grants, proposal_id)
    now = clock.now()
    async with store.db.transaction():
        if not await store.agenda.set_status_if(
                proposal.id, [ProposalStatus.SUBMITTED], now, status=status,
                decided_by=person.id, decided_at=now, **fields):
            raise AgendaRefused(DECIDED_ALREADY)
        await store.audit.record(now, f"proposal.{status.value}", f"proposal:{proposal.id}",
                                 actor_id=person.id,
                                 before={"status": proposal.status.value},
                                 after={"status": status.value, **fields})
    decided = await store.agenda.get(proposal.id)
    assert decided is not None
    extra: dict[str, Any] = {"outcome": status.value}
    if fields.get("reason"):
        extra["reason"] = fields["reason"]
    if fields.get("merged_into"):
        into = await store.agenda.get(int(fields["merged_into"]))
        extra["merged_title"] = into.title if into else ""
    await _tell_institution(store, now, decided, target, f"agenda:{proposal.id}:{status.value}",
                            extra, quiet, person.id)
    return decided


async def accept(store: Store, clock: Clock, grants: list[Grant], person: Person,
                 proposal_id: int, quiet: QuietHours | None = None) -> Proposal:
    return await _decide(store, clock, grants, person, proposal_id, ProposalStatus.ACCEPTED,
                         quiet)


async def reject(store: Store, clock: Clock, grants: list[Grant], person: Person,
                 proposal_id: int, reason: str | None,
                 quiet: QuietHours | None = None) -> Proposal:
    cleaned = clean_body(reason, REASON_MAX)
    return await _decide(store, clock, grants, person, proposal_id, ProposalStatus.REJECTED,
                         quiet, reason=cleaned)


async def merge_candidates(store: Store, clock: Clock, grants: list[Grant],
                           proposal_id: int) -> list[Proposal]:
    proposal, target = await _for_review(store, clock, grants, proposal_id)
    found = await store.agenda.for_target(
        target.council.id, target.meeting.id if target.meeting else None, target.period,
        [ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED])
    return [p for p in found if p.id != proposal.id]


async def merge(store: Store, clock: Clock, grants: list[Grant], person: Person,
                proposal_id: int, into_id: int, quiet: QuietHours | None = None) -> Proposal:
    """Merge a proposal into another of the same meeting (which carries on)."""
    candidates = await merge_candidates(store, clock, grants, proposal_id)  # checks who first
    if proposal_id == into_id:
        raise AgendaRefused(SAME_PROPOSAL)
    if into_id not in {p.id for p in candidates}:
        raise ServiceError(Refusal.NOT_FOUND, f"proposal {into_id}")
    return await _decide(store, clock, grants, person, proposal_id, ProposalStatus.MERGED,
                         quiet, merged_into=into_id)


async def ask(store: Store, clock: Clock, grants: list[Grant], person: Person,
              proposal_id: int, text: str | None, quiet: QuietHours | None = None) -> int:
    """Ask the proposing institution a question; its answer is kept with the proposal."""
    proposal, target = await _for_review(store, clock, grants, proposal_id)
    if proposal.status in DECIDED:
        raise AgendaRefused(DECIDED_ALREADY)
    cleaned = clean_body(text, QUESTION_MAX)
    now = clock.now()
    async with store.db.transaction():
        question_id = await store.agenda.ask(proposal.id, cleaned, person.id, now)
        await store.audit.record(now, "proposal.ask", f"proposal:{proposal.id}",
                                 actor_id=person.id, before=None,
                                 after={"question": cleaned})
    await _tell_institution(store, now, proposal, target, f"agenda:question:{question_id}",
                            {"outcome": "question", "question": cleaned,
                             "question_id": question_id}, quiet, person.id)
    return question_id


async def reorder(store: Store, clock: Clock, grants: list[Grant], proposal_id: int,
                  step: int, actor_id: int | None) -> None:
    """Move a proposal one place up (-1) or down (+1) in its meeting's order."""
    proposal, target = await _for_review(store, clock, grants, proposal_id)
    ordered = await store.agenda.for_target(
        target.council.id, target.meeting.id if target.meeting else None, target.period,
        [*SENT])
    ids = [p.id for p in ordered]
    index = ids.index(proposal.id)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(ids):
        return
    before = list(ids)
    ids[index], ids[other] = ids[other], ids[index]
    now = clock.now()
    async with store.db.transaction():
        for position, pid in enumerate(ids, start=1):
            await store.agenda.update(pid, now, position=position)
        await store.audit.record(now, "proposal.reorder", f"proposal:{proposal.id}",
                                 actor_id=actor_id, before={"order": before},
                                 after={"order": ids})


# --- the upward flow (Art. 10(3), 10(7)) -------------------------------------------------------


def forwardable(council: Council) -> bool:
    return council.kind in (CouncilKind.SUBCOMMISSION, CouncilKind.DISTRICT)


async def forward(store: Store, clock: Clock, grants: list[Grant], person: Person,
                  proposal_id: int) -> tuple[Proposal, AgendaTarget]:
    """Forward a sub-commission's or district council's item to the provincial council's next
    meeting (or period), as a finding that keeps its origin, by its provincial secretariat."""
    proposal, target = await _for_review(store, clock, grants, proposal_id)
    if not forwardable(target.council):
        raise ServiceError(Refusal.NOT_FOUND, "not forwardable")
    provincial = await store.councils.council_of_kind(target.council.province_id,
                                                      CouncilKind.PROVINCIAL)
    if provincial is None:
        raise AgendaRefused(NO_PROVINCIAL_TARGET)
    require(Permission.REVIEW_PROPOSALS, grants, target_of(provincial))
    upcoming = [t for t in await targets_of_council(store, clock, provincial)
                if not _over(t, clock.now())]
    if not upcoming:
        raise AgendaRefused(NO_PROVINCIAL_TARGET)
    destination = upcoming[0]
    area = proposal.area if proposal.area in areas_for(CouncilKind.PROVINCIAL) else (
        # Art. 6(7) work areas are all aspects of social cohesion, the main area of 10(5).
        TopicArea.SOCIAL_COHESION)
    now = clock.now()
    async with store.db.transaction():
        new_id = await store.agenda.add(
            council_id=provincial.id, period=destination.period,
            meeting_id=destination.meeting.id if destination.meeting else None,
            institution_id=None, area=area, kind=ProposalKind.FINDING, title=proposal.title,
            description=proposal.description, created_by=person.id, now=now,
            status=ProposalStatus.SUBMITTED, origin_proposal_id=proposal.id,
            origin_council_id=target.council.id)
        position = await store.agenda.next_position(
            provincial.id, destination.meeting.id if destination.meeting else None,
            destination.period)
        late = is_late(destination.where.local(now).date(), destination.due)
        await store.agenda.update(new_id, now, position=position, submitted_by=person.id,
                                  submitted_at=now, late=int(late))
        await store.agenda.copy_attachments(proposal.id, new_id)
        found = await store.agenda.get(new_id)
        assert found is not None
        await store.audit.record(now, "proposal.forward", f"proposal:{new_id}",
                                 actor_id=person.id, origin=proposal.id, before=None,
                                 after=trail.view(found, *PROPOSAL_FIELDS))
    return found, destination


# --- the agenda --------------------------------------------------------------------------------


async def _first_of_year(store: Store, target: AgendaTarget) -> bool:
    """No other meeting of the council earlier in the same year (Art. 5(8), 5(12), 5(13))."""
    if target.meeting is None:
        return not [m for m in await store.meetings.of_councils([target.council.id], limit=200)
                    if m.status is not MeetingStatus.CANCELLED
                    and target.where.local(m.starts_at).year == target.day.year
                    and target.where.local(m.starts_at).date() < target.day]
    earlier = await store.meetings.past([target.council.id], target.meeting.starts_at, 20)
    return not [m for m in earlier if m.status is not MeetingStatus.CANCELLED
                and target.where.local(m.starts_at).year == target.day.year]


@dataclass(frozen=True, slots=True)
class AgendaView:
    target: AgendaTarget
    agenda: Agenda
    published: int        # the version last published (0: not yet)
    late: set[int]        # accepted proposals that came late


async def agenda_for(store: Store, clock: Clock, t: Translator,
                     target: AgendaTarget) -> AgendaView:
    accepted = await store.agenda.for_target(
        target.council.id, target.meeting.id if target.meeting else None, target.period,
        [ProposalStatus.ACCEPTED])
    items = [Item(p.id, p.area, p.kind, p.title, await source_of(store, t, p), p.position)
             for p in accepted]
    agenda = build_agenda(target.council.kind, await _first_of_year(store, target), items)
    version = (await store.agenda.published_version(target.meeting.id)
               if target.meeting else 0)
    return AgendaView(target, agenda, version, {p.id for p in accepted if p.late})


async def agenda_of(store: Store, clock: Clock, grants: list[Grant], t: Translator,
                    key: str) -> AgendaView:
    target = await resolve(store, clock, key)
    require(Permission.VIEW_AGENDA, grants, target_of(target.council))
    return await agenda_for(store, clock, t, target)


async def agenda_targets(store: Store, clock: Clock, grants: list[Grant]) -> list[AgendaTarget]:
    """Meetings whose agenda someone may see: upcoming and the latest few past ones."""
    councils = await reachable_councils(store, grants, Permission.VIEW_AGENDA)
    ids = [c.id for c in councils]
    now = clock.now()
    meetings = [m for m in [*await store.meetings.past(ids, now, 5),
                            *await store.meetings.of_councils(ids, since=now)]
                if m.status is not MeetingStatus.CANCELLED]
    found = [await target_of_meeting(store, clock, m.id) for m in meetings]
    return sorted(found, key=lambda t: t.day)


def entry_text(t: Translator, entry: Fixed | Item) -> str:
    """One line of the agenda in the reader's language (plain text)."""
    if isinstance(entry, Fixed):
        return t(FIXED_LABELS[entry]).format(article=t.article(FIXED_ARTICLES[entry]))
    mark = t(RISK_MARK) + " " if entry.kind is ProposalKind.RISK else ""
    return f"{mark}{entry.title} ({entry.source})"


async def published_agenda_lines(store: Store, clock: Clock, meeting_id: int,
                                 t: Translator) -> list[str]:
    """The agenda of a meeting as plain lines (without numbers), in `t`'s language: for a
    meeting notice to include (``render_notice`` reads ``payload["agenda"]``)."""
    target = await target_of_meeting(store, clock, meeting_id)
    found = await agenda_for(store, clock, t, target)
    return [entry_text(t, entry) for _n, entry in found.agenda.numbered()]


@dataclass(frozen=True, slots=True)
class Published:
    version: int
    recipients: int


def agenda_payload(found: AgendaView) -> dict[str, Any]:
    """The agenda as plain data for a notice, rendered in each recipient's language."""
    return {
        "fixed": [f.value for f in found.agenda.fixed],
        "groups": [{"area": g.area.value,
                    "items": [{"title": i.title, "source": i.source,
                               "risk": i.kind is ProposalKind.RISK} for i in g.items]}
                   for g in found.agenda.groups],
    }


async def publish(store: Store, clock: Clock, grants: list[Grant], person: Person,
                  meeting_id: int, t: Translator, quiet: QuietHours | None = None) -> Published:
    """Publish (or update) a meeting's agenda to everyone the meeting's notice goes to."""
    target = await target_of_meeting(store, clock, meeting_id)
    require(Permission.REVIEW_PROPOSALS, grants, target_of(target.council))
    meeting = target.meeting
    assert meeting is not None
    if meeting.status is not MeetingStatus.SCHEDULED or meeting.ends_at <= clock.now():
        raise AgendaRefused(HELD)
    now = clock.now()
    found = await agenda_for(store, clock, t, target)
    async with store.db.transaction():
        version = await store.agenda.publish(meeting.id, person.id, now)
        await store.audit.record(
            now, "agenda.publish", f"meeting:{meeting.id}", actor_id=person.id,
            before={"version": version - 1},
            after={"version": version,
                   "items": [i.title for g in found.agenda.groups for i in g.items]})
    people = [r.recipient() for r in await meeting_service.recipients(
        store, meeting, target.where)]
    await _queue(store, now, f"agenda:published:{meeting.id}:{version}", PUBLISHED_KIND,
                 {**target.payload(), "version": version, **agenda_payload(found),
                  # Art. 5(7): the previous decisions and their state, under the first item.
                  "previous": await decisions_service.previous_decisions(
                      store, target.council.id, meeting.starts_at),
                  "starts_at": meeting.starts_at.isoformat(),
                  "timezone": target.where.province.timezone},
                 people, target, quiet, created_by=person.id)
    return Published(version, len(people))


# --- notices -----------------------------------------------------------------------------------


async def _queue(store: Store, now: datetime, key: str, kind: str, payload: dict[str, Any],
                 people: Sequence[Recipient], target: AgendaTarget, quiet: QuietHours | None,
                 created_by: int | None = None) -> int:
    if not people:
        return 0
    zone = target.where.province.timezone
    not_before = now if quiet is None else quiet.release(now, zone)
    notice, _ = await store.outbox.add_notice(
        key, kind, f"proposal:{payload.get('proposal_id', '')}", payload, now,
        province_id=target.where.province.id, council_id=target.council.id,
        created_by=created_by)
    return await store.outbox.enqueue(notice.id, people, now, not_before, now)


async def liaison_officers(store: Store, council: Council,
                           institution_ids: set[int] | None = None) -> dict[int, list[Recipient]]:
    """The liaison officers (principal and substitute) of the council's institutions, by
    institution (they send the proposals, Art. 10(2))."""
    found: dict[int, list[Recipient]] = {}
    for seat in await store.people.seats(institution_council(council)):
        role = seat.role
        if role.kind is not RoleKind.LIAISON or role.institution_id is None:
            continue
        if institution_ids is not None and role.institution_id not in institution_ids:
            continue
        if seat.person.telegram_user_id > 0:
            found.setdefault(role.institution_id, []).append(
                Recipient(seat.person.telegram_user_id, seat.person.id))
    return found


async def _tell_institution(store: Store, now: datetime, proposal: Proposal,
                            target: AgendaTarget, key: str, extra: dict[str, Any],
                            quiet: QuietHours | None, actor_id: int | None) -> int:
    """The outcome goes to the institution: its liaison officers and whoever sent it."""
    people: dict[int, Recipient] = {}
    if proposal.institution_id is not None:
        officers = await liaison_officers(store, target.council, {proposal.institution_id})
        people = {r.chat_id: r for r in officers.get(proposal.institution_id, [])}
    if proposal.submitted_by is not None:
        sender = await store.people.get(proposal.submitted_by)
        if sender is not None and sender.telegram_user_id > 0:
            people.setdefault(sender.telegram_user_id,
                              Recipient(sender.telegram_user_id, sender.id))
    payload = {**target.payload(), "proposal_id": proposal.id, "title": proposal.title,
               **extra}
    return await _queue(store, now, key, OUTCOME_KIND, payload, list(people.values()), target,
                        quiet, created_by=actor_id)


async def _secretariat(store: Store, target: AgendaTarget) -> list[Recipient]:
    """The council's secretariat, or the provincial directorate (Art. 11(1), 11(2))."""
    seats = [*await store.people.seats(target.council.id)]
    if not [s for s in seats if s.role.kind is RoleKind.SECRETARIAT] or (
            target.council.kind is CouncilKind.SUBCOMMISSION):
        provincial = await store.councils.council_of_kind(target.council.province_id,
                                                          CouncilKind.PROVINCIAL)
        if provincial is not None:
            seats += await store.people.seats(provincial.id)
    unique = {s.person.telegram_user_id: Recipient(s.person.telegram_user_id, s.person.id)
              for s in seats if s.role.kind is RoleKind.SECRETARIAT
              and s.person.telegram_user_id > 0}
    return list(unique.values())

