"""Meetings (issue 5): scheduling, the chair's decision, notices, answers and attendance.

This module owns the use cases of a meeting, each checking the permission table first (ids
that come from buttons are user input, so every call re-reads the meeting and re-checks):

* scheduling: the statutory checks of a proposed day (``bot.domain.meetings.check_schedule``
  with the council's ordinary window, the province's working calendar and the council's other
  meetings); going outside the window or past the notice deadline needs a recorded reason;
* the chair's decision on day, place and time (Art. 11(3)): a meeting goes to the chair for
  approval unless the council turned the step off; the sub-commission's day is the
  directorate's to set (Art. 11(4)), so it never waits for a chair;
* who receives a meeting's notice, derived from the roles when it is queued (`recipients`):
  each institution's member, or its deputy while the member is marked away or not registered
  (Art. 9(2)); the chair; the liaison officers; the meeting's registered invitees (Art. 4(4));
  for a district council the provincial directorate (Art. 11(3)); for the sub-commission its
  liaison officers (Art. 11(4)). Each person once, with the buttons their seat allows;
* the notices themselves, queued in the outbox under keys that carry the meeting's sequence
  (so a move yields new notices and the buttons of old ones are told apart), moves (SEQUENCE
  up, answers reset when the day or time changed) and cancellations;
* answers: the last one stands; a deputy named by the member confirms or declines;
* the per-institution view of the answers.

What happens on the day (marking attendance, check-in, the Ek-2 list) is
``bot.services.meetings_day``'s. Rendering belongs to ``bot.notify.meeting_kinds`` and the
handlers; the rules of a date to ``bot.domain.meetings``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.calendar import MeetingWindow
from bot.domain.clock import Clock
from bot.domain.meetings import (
    Answer,
    CalledBy,
    Check,
    Finding,
    MeetingKind,
    MeetingStatus,
    Presence,
    check_schedule,
    needs_reason,
    presence,
)
from bot.domain.models import Council, CouncilKind, Institution, Person, Province, Rank, RoleKind
from bot.domain.permissions import Grant, Permission, allowed
from bot.domain.validation import clean_text
from bot.notify.quiet import QuietHours
from bot.services import trail
from bot.services.access import council_or_refuse, reachable_councils, require, target_of
from bot.services.calendar import council_windows, working_calendar
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import institution_council
from bot.store import Store
from bot.store.meetings import AnswerRow, Invitee, Meeting
from bot.store.outbox import Recipient
from bot.store.people import Seat

PLACE_MAX = 200
REASON_MAX = 500
EXCUSE_MAX = 300
PROPOSAL_MAX = 300
INVITEE_FIELD_MAX = 150
# How far ahead a meeting may be set: beyond this a typed year is a typo.
MAX_DAYS_AHEAD = 400

# Notice kinds; their renderers live in bot.notify.meeting_kinds.
NOTICE_KIND = "meeting_notice"            # new, moved or cancelled: to every recipient
APPROVAL_KIND = "meeting_approval"        # to the chair: approve or propose another date
DECISION_KIND = "meeting_decision"        # to the secretariat: the chair approved / proposed
DEPUTY_KIND = "meeting_deputy"            # to the deputy the member named
DEPUTY_DECLINED_KIND = "meeting_deputy_declined"  # to the member, with the buttons again
REMINDER_KIND = "meeting_reminder"        # D-3, D-1 (no answer yet), the morning of the day
CHECKIN_KIND = "meeting_checkin"          # "I am here", at the start

# What the audit trail keeps of a meeting.
MEETING_FIELDS = ("council_id", "kind", "called_by", "period", "status", "starts_at",
                  "duration_minutes", "place", "override_reason")


class Event(enum.StrEnum):
    """What a meeting notice announces."""

    NEW = "new"
    MOVED = "moved"
    CANCELLED = "cancelled"


class Seating(enum.StrEnum):
    """Why someone receives a meeting's notice; decides the buttons they get."""

    MEMBER = "member"        # answers for the institution, may name the deputy
    DEPUTY = "deputy"        # answers for the institution in the member's place (Art. 9(2))
    CHAIR = "chair"
    INFO = "info"            # liaison officers, invitees, the provincial directorate


_SEATING_ORDER = {Seating.MEMBER: 0, Seating.DEPUTY: 1, Seating.CHAIR: 2, Seating.INFO: 3}


class ScheduleRefused(Exception):
    """The day cannot be saved as it stands: in the past, or a reason is missing."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(", ".join(f.check.value for f in findings))
        self.findings = findings


# --- where a council is ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Where:
    council: Council
    province: Province

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.province.timezone)

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)


async def where(store: Store, council_id: int) -> Where:
    council = await council_or_refuse(store, council_id)
    province = await store.councils.province(council.province_id)
    if province is None:
        raise ServiceError(Refusal.NOT_FOUND, f"province {council.province_id}")
    return Where(council, province)


def _today(clock: Clock, place: Where) -> date:
    return place.local(clock.now()).date()


async def find(store: Store, meeting_id: int) -> tuple[Meeting, Where]:
    meeting = await store.meetings.get(meeting_id)
    if meeting is None:
        raise ServiceError(Refusal.NOT_FOUND, f"meeting {meeting_id}")
    return meeting, await where(store, meeting.council_id)


# --- seats: who answers for each institution ----------------------------------------------------


@dataclass(slots=True)
class InstitutionSeats:
    """An institution of the council and the people who sit for it.

    On a council the member answers and the deputy stands in (Art. 9(2)); on the
    sub-commission, made of the liaison officers (Art. 6(3)), the principal answers and the
    substitute stands in.
    """

    institution: Institution
    primary: Seat | None = None
    alternate: Seat | None = None
    liaisons: list[Seat] = field(default_factory=list)  # on a council: informed only
    primary_away: bool = False

    @property
    def registered(self) -> bool:
        return self.primary is not None or self.alternate is not None

    @property
    def acting(self) -> tuple[Seat, Seating] | None:
        """Who receives the buttons for the institution."""
        if self.primary is not None and not self.primary_away:
            return self.primary, Seating.MEMBER
        if self.alternate is not None:
            return self.alternate, Seating.DEPUTY
        if self.primary is not None:  # away, and nobody to stand in: tell them all the same
            return self.primary, Seating.MEMBER
        return None


@dataclass(slots=True)
class CouncilSeats:
    institutions: list[InstitutionSeats]
    chairs: list[Seat]
    invitees: list[Seat]     # registered invitees of the council (role INVITEE)

    def of(self, institution_id: int) -> InstitutionSeats | None:
        return next((i for i in self.institutions if i.institution.id == institution_id), None)


async def council_seats(store: Store, council: Council, day: date | None = None) -> CouncilSeats:
    """Who sits for each institution of `council`; with `day`, members marked away on that
    day are flagged so their deputy acts."""
    institutions_of = institution_council(council)
    rows = {i.id: InstitutionSeats(i) for i in await store.councils.institutions(institutions_of)}
    seats = await store.people.seats(council.id)
    if institutions_of != council.id:
        # The sub-commission's liaison officers may hold their role on the provincial council.
        seats += [s for s in await store.people.seats(institutions_of)
                  if s.role.kind is RoleKind.LIAISON]
    result = CouncilSeats(list(rows.values()), [], [])
    sub = council.kind is CouncilKind.SUBCOMMISSION
    for seat in seats:
        role = seat.role
        row = rows.get(role.institution_id) if role.institution_id else None
        if role.kind is RoleKind.CHAIR:
            result.chairs.append(seat)
        elif role.kind is RoleKind.INVITEE:
            result.invitees.append(seat)
        elif row is None:
            continue
        elif sub and role.kind is RoleKind.LIAISON:
            if role.rank is Rank.PRINCIPAL:
                row.primary = seat
            else:
                row.alternate = seat
        elif role.kind is RoleKind.MEMBER:
            row.primary = seat
        elif role.kind is RoleKind.DEPUTY:
            row.alternate = seat
        elif role.kind is RoleKind.LIAISON:
            row.liaisons.append(seat)
    if day is not None:
        primaries = [r.primary.role.id for r in result.institutions if r.primary is not None]
        away = await store.meetings.away(primaries)
        for row in result.institutions:
            if row.primary is not None and row.primary.role.id in away:
                until = away[row.primary.role.id]
                row.primary_away = until is None or day <= until
    return result


# --- recipients of a notice ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeRecipient:
    person: Person
    seating: Seating
    institution: Institution | None = None

    @property
    def institution_id(self) -> int | None:
        return self.institution.id if self.institution is not None else None

    def recipient(self) -> Recipient:
        payload: dict[str, Any] = {"seating": self.seating.value}
        if self.institution is not None:
            payload["institution_id"] = self.institution.id
            payload["institution"] = self.institution.name
        return Recipient(self.person.telegram_user_id, self.person.id, payload)


async def recipients(store: Store, meeting: Meeting, place: Where) -> list[NoticeRecipient]:
    """Everyone a notice of `meeting` goes to, each person once, with their seating."""
    seats = await council_seats(store, place.council, place.local(meeting.starts_at).date())
    found: list[NoticeRecipient] = []
    for row in seats.institutions:
        acting = row.acting
        if acting is not None:
            found.append(NoticeRecipient(acting[0].person, acting[1], row.institution))
        if place.council.kind is CouncilKind.SUBCOMMISSION:
            # Art. 11(4): notice to the sub-commission's members, principal and substitute.
            found += [NoticeRecipient(s.person, Seating.INFO, row.institution)
                      for s in (row.primary, row.alternate) if s is not None]
        else:
            found += [NoticeRecipient(s.person, Seating.INFO, row.institution)
                      for s in row.liaisons]
    found += [NoticeRecipient(s.person, Seating.CHAIR) for s in seats.chairs]
    found += [NoticeRecipient(s.person, Seating.INFO) for s in seats.invitees]
    for invitee in await store.meetings.invitees(meeting.id):
        if invitee.person_id is not None:
            person = await store.people.get(invitee.person_id)
            if person is not None:
                found.append(NoticeRecipient(person, Seating.INFO))
    if place.council.kind is CouncilKind.DISTRICT:
        # Art. 11(3): "İlçe Göç Koordinasyon kurullarına İl Göç İdaresi Müdürlüğü katılım
        # sağlar" - the provincial directorate (the provincial council's secretariat) is told.
        provincial = await store.councils.council_of_kind(
            place.council.province_id, CouncilKind.PROVINCIAL)
        if provincial is not None:
            found += [NoticeRecipient(s.person, Seating.INFO)
                      for s in await store.people.seats(provincial.id)
                      if s.role.kind is RoleKind.SECRETARIAT]
    best: dict[int, NoticeRecipient] = {}
    for candidate in found:
        if candidate.person.telegram_user_id <= 0:  # erased (KVKK): no chat to write to
            continue
        known = best.get(candidate.person.id)
        if known is None or (_SEATING_ORDER[candidate.seating] < _SEATING_ORDER[known.seating]):
            best[candidate.person.id] = candidate
    return sorted(best.values(), key=lambda r: (_SEATING_ORDER[r.seating], r.person.id))


# --- payloads -----------------------------------------------------------------------------------


def meeting_payload(meeting: Meeting, place: Where, **extra: Any) -> dict[str, Any]:
    """What every meeting notice renders from (text is made at send time, per language)."""
    return {
        "meeting_id": meeting.id,
        "sequence": meeting.sequence,
        "council_id": place.council.id,
        "council_kind": place.council.kind.value,
        "council_name": place.council.name,
        "province_name": place.province.name,
        "timezone": place.province.timezone,
        "starts_at": meeting.starts_at.astimezone(UTC).isoformat(),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "kind": meeting.kind.value,
        "called_by": meeting.called_by.value if meeting.called_by else None,
        "override_reason": meeting.override_reason,
        **extra,
    }


async def queue(
    store: Store,
    now: datetime,
    key: str,
    kind: str,
    payload: dict[str, Any],
    people: Sequence[Recipient],
    place: Where,
    quiet: QuietHours | None,
    *,
    urgent: bool = False,
    created_by: int | None = None,
) -> int:
    """One notice and its rows; quiet hours hold non-urgent ones until the morning."""
    if not people:
        return 0
    not_before = now if urgent or quiet is None else quiet.release(now, place.province.timezone)
    notice, _ = await store.outbox.add_notice(
        key, kind, f"meeting:{payload.get('meeting_id')}", payload, now,
        province_id=place.province.id, council_id=place.council.id, created_by=created_by)
    return await store.outbox.enqueue(notice.id, people, now, not_before, now, urgent=urgent)


async def _queue_notice(store: Store, now: datetime, meeting: Meeting, place: Where,
                        event: Event, quiet: QuietHours | None, actor_id: int | None,
                        also: Sequence[Person] = (), **extra: Any) -> int:
    """The notice to every recipient; `also`: deputies named for the earlier date, who must
    hear of a move or a cancellation too."""
    people = await recipients(store, meeting, place)
    known = {p.person.id for p in people}
    people += [NoticeRecipient(p, Seating.INFO) for p in also
               if p.id not in known and p.telegram_user_id > 0]
    if event is Event.CANCELLED:
        people = [NoticeRecipient(p.person, Seating.INFO, p.institution) for p in people]
    payload = meeting_payload(meeting, place, event=event.value, stamp=now.isoformat(), **extra)
    return await queue(
        store, now, f"meeting:{meeting.id}:{meeting.sequence}:{event.value}", NOTICE_KIND,
        payload, [p.recipient() for p in people], place, quiet, created_by=actor_id)


def _secretariat_recipients(seats: Sequence[Seat]) -> list[Recipient]:
    return [Recipient(s.person.telegram_user_id, s.person.id) for s in seats
            if s.role.kind is RoleKind.SECRETARIAT and s.person.telegram_user_id > 0]


async def _secretariat(store: Store, place: Where) -> list[Recipient]:
    """The council's secretariat; the provincial directorate for the sub-commission and for a
    district without a secretariat of its own (Art. 11(1), 11(2))."""
    own = _secretariat_recipients(await store.people.seats(place.council.id))
    if own and place.council.kind is not CouncilKind.SUBCOMMISSION:
        return own
    provincial = await store.councils.council_of_kind(place.council.province_id,
                                                      CouncilKind.PROVINCIAL)
    directorate = (_secretariat_recipients(await store.people.seats(provincial.id))
                   if provincial is not None else [])
    return list({r.chat_id: r for r in [*own, *directorate]}.values())


# --- planning a day -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    where: Where
    kind: MeetingKind
    starts_at: datetime            # aware, in the council's time zone
    window: MeetingWindow | None
    findings: list[Finding]

    @property
    def needs_reason(self) -> bool:
        return needs_reason(self.findings)

    @property
    def in_past(self) -> bool:
        return any(f.check is Check.IN_PAST for f in self.findings)


async def schedulable(store: Store, grants: list[Grant]) -> list[Council]:
    return await reachable_councils(store, grants, Permission.SCHEDULE_MEETING)


async def ordinary_window(
    store: Store, clock: Clock, council_id: int, period: str | None = None
) -> MeetingWindow | None:
    """This period's ordinary window of the council (the first not yet closed), or the window
    of `period`; None when the council has no ordinary meetings (Art. 8(2))."""
    place = await where(store, council_id)
    today = _today(clock, place)
    workdays = await working_calendar(store, place.province.id)
    years = (int(period[:4]),) if period else (today.year, today.year + 1)
    windows = await council_windows(store, place.council, years, workdays)
    if period is not None:
        return next((w for w in windows if w.period == period), None)
    return next((w for w in windows if w.closes >= today), None)


def latest_day(today: date) -> date:
    return today + timedelta(days=MAX_DAYS_AHEAD)


async def plan(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    council_id: int,
    kind: MeetingKind,
    day: date,
    at: time,
    *,
    meeting_id: int | None = None,
    period: str | None = None,
) -> Plan:
    """The statutory checks of holding a meeting of the council on `day` at `at` (local)."""
    place = await where(store, council_id)
    require(Permission.SCHEDULE_MEETING, grants, target_of(place.council))
    starts_at = datetime.combine(day, at, tzinfo=place.zone)
    now = place.local(clock.now())
    window = (await ordinary_window(store, clock, council_id, period)
              if kind is MeetingKind.ORDINARY else None)
    workdays = await working_calendar(store, place.province.id)
    start = datetime.combine(day, time(0), tzinfo=place.zone)
    same_day = await store.meetings.same_day(council_id, start, start + timedelta(days=1),
                                             exclude=meeting_id)
    findings = check_schedule(place.council.kind, kind, starts_at, now, workdays, window,
                              same_day)
    return Plan(place, kind, starts_at, window, findings)


def _checked(found: Plan, reason: str | None) -> str | None:
    if found.in_past:
        raise ScheduleRefused(found.findings)
    if found.needs_reason:
        if not reason:
            raise ScheduleRefused(found.findings)
        return clean_text(reason, REASON_MAX)
    return None


@dataclass(frozen=True, slots=True)
class InviteeDraft:
    name: str
    organization: str = ""
    title: str = ""
    person_id: int | None = None


def clean_invitee(text: str | None) -> InviteeDraft:
    """"Name Surname, Organisation, Title" as typed (organisation and title optional)."""
    parts = [p.strip() for p in (text or "").split(",")]
    name = clean_text(parts[0] if parts else "", INVITEE_FIELD_MAX)
    organization = clean_text(parts[1], INVITEE_FIELD_MAX) if len(parts) > 1 and parts[1] else ""
    title = clean_text(", ".join(parts[2:]), INVITEE_FIELD_MAX) if "".join(parts[2:]) else ""
    return InviteeDraft(name, organization, title)


async def registered_invitees(store: Store, grants: list[Grant], council_id: int) -> list[Person]:
    """The council's registered invitees (role INVITEE), who may be invited to a meeting."""
    council = await council_or_refuse(store, council_id)
    require(Permission.SCHEDULE_MEETING, grants, target_of(council))
    return [s.person for s in await store.people.seats(council_id)
            if s.role.kind is RoleKind.INVITEE]


def approval_needed(council: Council, setting: bool) -> bool:
    # Art. 11(4): the sub-commission's day, place and time are the directorate's to set.
    return setting and council.kind is not CouncilKind.SUBCOMMISSION


@dataclass(frozen=True, slots=True)
class Scheduled:
    meeting: Meeting
    where: Where
    notices: int        # notices queued to members and others (0 while awaiting the chair)
    chairs: int         # approval requests queued (0 when no approval was needed)


async def schedule(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    actor_id: int | None,
    council_id: int,
    kind: MeetingKind,
    day: date,
    at: time,
    place_text: str,
    *,
    called_by: CalledBy | None = None,
    invitees: Sequence[InviteeDraft] = (),
    reason: str | None = None,
    quiet: QuietHours | None = None,
) -> Scheduled:
    """Save a meeting; send it to the chair, or its notices at once where no approval is due.

    Raises ScheduleRefused (in the past, or a reason is needed), InvalidInput (place, reason)
    and ServiceError(FORBIDDEN) without SCHEDULE_MEETING on the council."""
    found = await plan(store, clock, grants, council_id, kind, day, at)
    cleaned_reason = _checked(found, reason)
    place_text = clean_text(place_text, PLACE_MAX)
    if kind is MeetingKind.EXTRAORDINARY and called_by is None:
        raise ServiceError(Refusal.NOT_FOUND, "called_by")
    place = found.where
    approval = approval_needed(place.council,
                               await store.meetings.chair_approval(place.council.id))
    now = clock.now()
    status = MeetingStatus.AWAITING_CHAIR if approval else MeetingStatus.SCHEDULED
    async with store.db.transaction():
        meeting_id = await store.meetings.add(
            place.council.id, kind, status, found.starts_at, place_text, now,
            called_by=called_by if kind is MeetingKind.EXTRAORDINARY else None,
            period=found.window.period if found.window else None,
            override_reason=cleaned_reason, created_by=actor_id)
        for invitee in invitees:
            await store.meetings.add_invitee(
                meeting_id, now, name=invitee.name, person_id=invitee.person_id,
                organization=invitee.organization, title=invitee.title)
        meeting = await store.meetings.get(meeting_id)
        assert meeting is not None
        await store.audit.record(
            now, "meeting.schedule", f"meeting:{meeting_id}", actor_id=actor_id,
            findings=[f.check.value for f in found.findings], before=None,
            after={**(trail.view(meeting, *MEETING_FIELDS) or {}),
                   "invitees": [i.name for i in invitees]})
        if approval:
            chairs = await _ask_chair(store, now, meeting, place, quiet, actor_id)
            return Scheduled(meeting, place, 0, chairs)
        await store.meetings.set_noticed(meeting_id, now)
        sent = await _queue_notice(store, now, meeting, place, Event.NEW, quiet, actor_id)
    return Scheduled(meeting, place, sent, 0)


async def _ask_chair(store: Store, now: datetime, meeting: Meeting, place: Where,
                     quiet: QuietHours | None, actor_id: int | None) -> int:
    seats = await council_seats(store, place.council)
    chairs = [Recipient(s.person.telegram_user_id, s.person.id) for s in seats.chairs
              if s.person.telegram_user_id > 0]
    return await queue(store, now, f"meeting:{meeting.id}:{meeting.sequence}:approval",
                        APPROVAL_KIND, meeting_payload(meeting, place), chairs, place, quiet,
                        urgent=True, created_by=actor_id)


# --- the chair's decision (Art. 11(3)) ----------------------------------------------------------


def _still_open(meeting: Meeting, sequence: int | None, now: datetime) -> None:
    """Refuse a button of an earlier notice: cancelled, moved, or already held."""
    if meeting.status is MeetingStatus.CANCELLED:
        raise ServiceError(Refusal.MEETING_CANCELLED)
    if sequence is not None and sequence != meeting.sequence:
        raise ServiceError(Refusal.MEETING_MOVED)
    if meeting.status is MeetingStatus.HELD or meeting.starts_at <= now:
        raise ServiceError(Refusal.MEETING_HELD)


@dataclass(frozen=True, slots=True)
class Decided:
    meeting: Meeting
    where: Where
    notices: int


async def manageable_by_chair(store: Store, clock: Clock, grants: list[Grant],
                              meeting_id: int, sequence: int) -> tuple[Meeting, Where]:
    """A meeting waiting for this chair's decision, as the button that shows it knew it."""
    meeting, place = await find(store, meeting_id)
    require(Permission.APPROVE_MEETING, grants, target_of(place.council))
    _still_open(meeting, sequence, clock.now())
    if meeting.status is not MeetingStatus.AWAITING_CHAIR:
        raise ServiceError(Refusal.MEETING_NOT_PENDING)
    return meeting, place


async def approve(
    store: Store, clock: Clock, grants: list[Grant], actor_id: int | None, meeting_id: int,
    sequence: int, *, quiet: QuietHours | None = None,
) -> Decided:
    """The chair approves day, place and time: the notices go out."""
    meeting, place = await manageable_by_chair(store, clock, grants, meeting_id, sequence)
    now = clock.now()
    async with store.db.transaction():
        await store.meetings.set_status(meeting.id, MeetingStatus.SCHEDULED, now,
                                        approved_by=actor_id)
        await store.meetings.set_noticed(meeting.id, now)
        approved = await store.meetings.get(meeting.id)
        assert approved is not None
        await store.audit.record(now, "meeting.approve", f"meeting:{meeting.id}",
                                 actor_id=actor_id, sequence=sequence,
                                 before={"status": meeting.status.value},
                                 after={"status": approved.status.value})
        sent = await _queue_notice(store, now, approved, place, Event.NEW, quiet, actor_id)
        await queue(store, now, f"meeting:{meeting.id}:{meeting.sequence}:approved",
                     DECISION_KIND, meeting_payload(approved, place, decision="approved",
                                                    recipients=sent),
                     await _secretariat(store, place), place, quiet, urgent=True)
    return Decided(approved, place, sent)


async def propose(
    store: Store, clock: Clock, grants: list[Grant], actor_id: int | None, meeting_id: int,
    sequence: int, text: str | None, *, quiet: QuietHours | None = None,
) -> Decided:
    """The chair asks for another day, place or time, in words; the secretariat is told and
    moves the meeting, which comes back to the chair."""
    meeting, place = await manageable_by_chair(store, clock, grants, meeting_id, sequence)
    now = clock.now()
    proposal = clean_text(text, PROPOSAL_MAX)
    async with store.db.transaction():
        await store.meetings.set_chair_proposal(meeting.id, proposal, now)
        await store.audit.record(now, "meeting.propose", f"meeting:{meeting.id}",
                                 actor_id=actor_id,
                                 before={"chair_proposal": meeting.proposed_by_chair},
                                 after={"chair_proposal": proposal})
        await queue(store, now, f"meeting:{meeting.id}:{meeting.sequence}:proposal",
                     DECISION_KIND, meeting_payload(meeting, place, decision="proposal",
                                                    proposal=proposal),
                     await _secretariat(store, place), place, quiet, urgent=True)
    return Decided(meeting, place, 0)


async def approval_councils(store: Store, grants: list[Grant]) -> list[Council]:
    """Councils whose approval setting `grants` may change (the chair or the secretariat;
    never the sub-commission, whose day the directorate sets, Art. 11(4))."""
    found = await reachable_councils(store, grants, Permission.SET_APPROVAL_STEP)
    return [c for c in found if c.kind is not CouncilKind.SUBCOMMISSION]


async def set_chair_approval(store: Store, clock: Clock, grants: list[Grant],
                             actor_id: int | None, council_id: int, required: bool) -> bool:
    """Turn the chair's approval step on or off for a council (its chair or secretariat)."""
    if council_id not in {c.id for c in await approval_councils(store, grants)}:
        raise ServiceError(Refusal.FORBIDDEN, Permission.SET_APPROVAL_STEP.value)
    previous = await store.meetings.chair_approval(council_id)
    async with store.db.transaction():
        await store.meetings.set_chair_approval(council_id, required)
        await store.audit.record(clock.now(), "council.chair_approval", f"council:{council_id}",
                                 actor_id=actor_id, before={"chair_approval": previous},
                                 after={"chair_approval": required})
    return required


# --- moving and cancelling ----------------------------------------------------------------------


async def manageable(store: Store, grants: list[Grant], meeting_id: int,
                      now: datetime) -> tuple[Meeting, Where]:
    meeting, place = await find(store, meeting_id)
    require(Permission.SCHEDULE_MEETING, grants, target_of(place.council))
    _still_open(meeting, None, now)
    return meeting, place


async def plan_move(store: Store, clock: Clock, grants: list[Grant], meeting_id: int, day: date,
                    at: time) -> Plan:
    meeting, place = await manageable(store, grants, meeting_id, clock.now())
    return await plan(store, clock, grants, place.council.id, meeting.kind, day, at,
                      meeting_id=meeting.id, period=meeting.period)


async def _named_deputies(store: Store, meeting_id: int) -> list[Person]:
    found = []
    for got in (await store.meetings.answers(meeting_id)).values():
        if got.deputy_person_id is not None:
            person = await store.people.get(got.deputy_person_id)
            if person is not None:
                found.append(person)
    return found


async def move(
    store: Store, clock: Clock, grants: list[Grant], actor_id: int | None, meeting_id: int,
    day: date, at: time, place_text: str, *, reason: str | None = None,
    quiet: QuietHours | None = None,
) -> Scheduled:
    """A new day, time or place. The invitation keeps its UID with SEQUENCE + 1; answers are
    reset when the day or time changed. A meeting awaiting the chair goes to the chair again;
    an approved one is announced to everyone at once (the secretariat moves it on the chair's
    word, Art. 11(3); the chair is among the recipients)."""
    found = await plan_move(store, clock, grants, meeting_id, day, at)
    cleaned_reason = _checked(found, reason)
    place_text = clean_text(place_text, PLACE_MAX)
    meeting, place = await manageable(store, grants, meeting_id, clock.now())
    now = clock.now()
    retimed = found.starts_at != meeting.starts_at
    deputies_named = await _named_deputies(store, meeting.id)
    async with store.db.transaction():
        await store.meetings.move(meeting.id, found.starts_at, place_text, now, cleaned_reason)
        if retimed:
            await store.meetings.clear_answers(meeting.id)
        moved = await store.meetings.get(meeting.id)
        assert moved is not None
        await store.audit.record(
            now, "meeting.move", f"meeting:{meeting.id}", actor_id=actor_id,
            reason=cleaned_reason, sequence=moved.sequence, answers_reset=retimed,
            before=trail.view(meeting, "starts_at", "place", "status"),
            after=trail.view(moved, "starts_at", "place", "status"))
        if moved.status is MeetingStatus.AWAITING_CHAIR:
            chairs = await _ask_chair(store, now, moved, place, quiet, actor_id)
            return Scheduled(moved, place, 0, chairs)
        await store.meetings.set_noticed(meeting.id, now)
        sent = await _queue_notice(
            store, now, moved, place, Event.MOVED, quiet, actor_id, deputies_named,
            previous_starts_at=meeting.starts_at.astimezone(UTC).isoformat(),
            previous_place=meeting.place, answers_reset=retimed)
    return Scheduled(moved, place, sent, 0)


async def cancel(
    store: Store, clock: Clock, grants: list[Grant], actor_id: int | None, meeting_id: int,
    reason: str | None, *, quiet: QuietHours | None = None,
) -> Scheduled:
    """Cancel: everyone who was told of the meeting gets a CANCEL invitation."""
    now = clock.now()
    meeting, place = await manageable(store, grants, meeting_id, now)
    cleaned = clean_text(reason, REASON_MAX)
    deputies_named = await _named_deputies(store, meeting.id)
    async with store.db.transaction():
        await store.meetings.cancel(meeting.id, cleaned, now)
        cancelled = await store.meetings.get(meeting.id)
        assert cancelled is not None
        await store.audit.record(now, "meeting.cancel", f"meeting:{meeting.id}",
                                 actor_id=actor_id,
                                 before={"status": meeting.status.value},
                                 after={"status": cancelled.status.value, "reason": cleaned})
        if meeting.status is MeetingStatus.AWAITING_CHAIR:
            # Only the chair had heard of it.
            seats = await council_seats(store, place.council)
            chairs = [Recipient(s.person.telegram_user_id, s.person.id,
                                {"seating": Seating.CHAIR.value}) for s in seats.chairs]
            sent = await queue(
                store, now, f"meeting:{meeting.id}:{cancelled.sequence}:cancelled",
                NOTICE_KIND, meeting_payload(cancelled, place, event=Event.CANCELLED.value,
                                             reason=cleaned, invitation=False),
                chairs, place, quiet, urgent=True, created_by=actor_id)
            return Scheduled(cancelled, place, sent, 0)
        sent = await _queue_notice(store, now, cancelled, place, Event.CANCELLED, quiet,
                                   actor_id, deputies_named, reason=cleaned, invitation=True)
    return Scheduled(cancelled, place, sent, 0)


# --- answers ------------------------------------------------------------------------------------


class Choice(enum.StrEnum):
    """A button of the notice."""

    ATTEND = "y"     # Katılacağım
    EXCUSE = "n"     # Katılamayacağım (with the excuse)
    DEPUTY = "d"     # Vekilim katılacak


@dataclass(frozen=True, slots=True)
class Answering:
    """The seat someone answers from, for one institution of the meeting's council."""

    meeting: Meeting
    where: Where
    institution: Institution
    seating: Seating          # MEMBER or DEPUTY
    seats: InstitutionSeats


async def answering(
    store: Store, clock: Clock, grants: list[Grant], person: Person, meeting_id: int,
    sequence: int, institution_id: int,
) -> Answering:
    """Check that `person` may answer now for `institution_id` and from which seat."""
    meeting, place = await find(store, meeting_id)
    _still_open(meeting, sequence, clock.now())
    if meeting.status is MeetingStatus.AWAITING_CHAIR:
        raise ServiceError(Refusal.MEETING_NOT_APPROVED)
    seats = await council_seats(store, place.council)
    row = seats.of(institution_id)
    if row is None:
        raise ServiceError(Refusal.FORBIDDEN, "institution")
    target = target_of(place.council, institution_id)
    for seat, seating in ((row.primary, Seating.MEMBER), (row.alternate, Seating.DEPUTY)):
        if seat is not None and seat.person.id == person.id:
            require(Permission.ANSWER_MEETING, grants, target)
            return Answering(meeting, place, row.institution, seating, row)
    if allowed(Permission.ANSWER_MEETING, grants, target):
        # The permission reaches the institution, but on this council another seat answers
        # for it (a liaison officer answers only in the sub-commission, Art. 6(3)).
        raise ServiceError(Refusal.NOT_SEATED, Permission.ANSWER_MEETING.value)
    raise ServiceError(Refusal.FORBIDDEN, Permission.ANSWER_MEETING.value)


@dataclass(frozen=True, slots=True)
class Answered:
    meeting: Meeting
    where: Where
    institution: Institution
    answer: Answer
    deputy: Person | None = None


async def answer(
    store: Store, clock: Clock, grants: list[Grant], person: Person, meeting_id: int,
    sequence: int, institution_id: int, choice: Choice, *, excuse: str | None = None,
    deputy_id: int | None = None, quiet: QuietHours | None = None,
) -> Answered:
    """Record the institution's answer (the last one stands) and, when the member names the
    deputy, ask the deputy to confirm."""
    seat = await answering(store, clock, grants, person, meeting_id, sequence, institution_id)
    meeting, place = seat.meeting, seat.where
    now = clock.now()
    deputy: Person | None = None
    cleaned: str | None = None
    if choice is Choice.ATTEND:
        value = Answer.ATTENDING if seat.seating is Seating.MEMBER else Answer.DEPUTY_CONFIRMED
        deputy = person if seat.seating is Seating.DEPUTY else None
    elif choice is Choice.EXCUSE:
        value, cleaned = Answer.EXCUSED, clean_text(excuse, EXCUSE_MAX)
    else:
        value = Answer.DEPUTY
        deputy = _named_deputy(seat, deputy_id)
    previous = (await store.meetings.answers(meeting.id)).get(institution_id)
    async with store.db.transaction():
        await store.meetings.answer(meeting.id, institution_id, value, person.id, now,
                                    excuse=cleaned, deputy_person_id=deputy.id if deputy else None)
        await store.audit.record(
            now, "meeting.answer", f"meeting:{meeting.id}", actor_id=person.id,
            institution_id=institution_id,
            before=trail.view(previous, "answer", "excuse", "deputy_person_id"),
            after={"answer": value.value, "excuse": cleaned,
                   "deputy_person_id": deputy.id if deputy else None})
        if value is Answer.DEPUTY and deputy is not None:
            await queue(
                store, now,
                f"meeting:{meeting.id}:{meeting.sequence}:deputy:{institution_id}:"
                f"{deputy.id}:{now.isoformat()}",
                DEPUTY_KIND,
                meeting_payload(meeting, place, institution_id=institution_id,
                                institution=seat.institution.name, member=person.full_name),
                [Recipient(deputy.telegram_user_id, deputy.id)], place, quiet, urgent=True)
    return Answered(meeting, place, seat.institution, value, deputy)


def _named_deputy(seat: Answering, deputy_id: int | None) -> Person:
    """Art. 9(2): only the member names a deputy, and only the institution's registered one;
    a deputy cannot pass the seat on."""
    if seat.seating is not Seating.MEMBER:
        raise ServiceError(Refusal.FORBIDDEN, "a deputy cannot name a deputy")
    alternate = seat.seats.alternate
    if alternate is None or alternate.person.telegram_user_id <= 0:
        raise ServiceError(Refusal.NO_DEPUTY)
    if deputy_id is not None and deputy_id != alternate.person.id:
        raise ServiceError(Refusal.NO_DEPUTY, f"person {deputy_id}")
    return alternate.person


async def deputies(
    store: Store, clock: Clock, grants: list[Grant], person: Person, meeting_id: int,
    sequence: int, institution_id: int,
) -> list[Person]:
    """Whom the member may name: the institution's registered deputy (NO_DEPUTY if none)."""
    seat = await answering(store, clock, grants, person, meeting_id, sequence, institution_id)
    return [_named_deputy(seat, None)]


async def deputy_reply(
    store: Store, clock: Clock, grants: list[Grant], person: Person, meeting_id: int,
    sequence: int, institution_id: int, accept: bool, *, quiet: QuietHours | None = None,
) -> Answered:
    """The named deputy confirms (the institution is represented) or declines (the answer is
    withdrawn and the member asked to answer again)."""
    seat = await answering(store, clock, grants, person, meeting_id, sequence, institution_id)
    meeting, place = seat.meeting, seat.where
    current = (await store.meetings.answers(meeting.id)).get(institution_id)
    if (seat.seating is not Seating.DEPUTY or current is None
            or current.answer not in (Answer.DEPUTY, Answer.DEPUTY_CONFIRMED)
            or current.deputy_person_id != person.id):
        raise ServiceError(Refusal.DEPUTY_NOT_ASKED)
    now = clock.now()
    async with store.db.transaction():
        if accept:
            await store.meetings.answer(meeting.id, institution_id, Answer.DEPUTY_CONFIRMED,
                                        person.id, now, deputy_person_id=person.id)
        else:
            await store.meetings.clear_answers(meeting.id, institution_id)
        await store.audit.record(
            now, "meeting.deputy", f"meeting:{meeting.id}", actor_id=person.id,
            institution_id=institution_id, accepted=accept,
            before=trail.view(current, "answer", "deputy_person_id"),
            after=({"answer": Answer.DEPUTY_CONFIRMED.value, "deputy_person_id": person.id}
                   if accept else None))
        member = seat.seats.primary
        if not accept and member is not None and member.person.telegram_user_id > 0:
            await queue(
                store, now,
                f"meeting:{meeting.id}:{meeting.sequence}:declined:{institution_id}:"
                f"{now.isoformat()}",
                DEPUTY_DECLINED_KIND,
                meeting_payload(meeting, place, institution_id=institution_id,
                                institution=seat.institution.name, deputy=person.full_name),
                [Recipient(member.person.telegram_user_id, member.person.id,
                           {"seating": Seating.MEMBER.value, "institution_id": institution_id})],
                place, quiet, urgent=True)
    return Answered(meeting, place, seat.institution,
                    Answer.DEPUTY_CONFIRMED if accept else Answer.DEPUTY, person)


# --- members marked away (Art. 9(2)) ------------------------------------------------------------


async def member_seats(store: Store, person: Person) -> list[tuple[Council, Institution, int]]:
    """The (council, institution, role id) a person sits on as a member."""
    found = []
    for role in await store.people.active_roles(person.id):
        if role.kind is not RoleKind.MEMBER or role.institution_id is None:
            continue
        council = await store.councils.council(role.council_id)
        institution = await store.councils.institution(role.institution_id)
        if council is not None and institution is not None:
            found.append((council, institution, role.id))
    return found


async def set_away(store: Store, clock: Clock, grants: list[Grant], person: Person,
                   until: date | None, *, back: bool = False) -> int:
    """The member marks themself away until `until` (inclusive), or back; returns the seats
    changed. Notices queued from now on go to the deputy (Art. 9(2))."""
    seats = await member_seats(store, person)
    if not seats:
        raise ServiceError(Refusal.FORBIDDEN, "not a member")
    for council, institution, _role_id in seats:
        require(Permission.MARK_AWAY, grants, target_of(council, institution.id))
    now = clock.now()
    was = await store.meetings.away([role_id for _c, _i, role_id in seats])
    async with store.db.transaction():
        for _council, _institution, role_id in seats:
            if back:
                await store.meetings.clear_away(role_id)
            else:
                await store.meetings.set_away(role_id, until, person.id, now)
        await store.audit.record(
            now, "member.away", f"person:{person.id}", actor_id=person.id,
            before={"away": {str(r): (d.isoformat() if d else "open") for r, d in was.items()}},
            after={"away": {} if back else {
                str(role_id): until.isoformat() if until else "open"
                for _c, _i, role_id in seats}})
    return len(seats)


# --- what people see ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listed:
    meeting: Meeting
    where: Where


@dataclass(frozen=True, slots=True)
class MeetingList:
    upcoming: list[Listed]
    past: list[Listed]


async def my_meetings(store: Store, clock: Clock, grants: list[Grant], limit: int = 10,
                      permission: Permission = Permission.VIEW_MEETINGS) -> MeetingList:
    """Upcoming (and still running) and past meetings of the councils where `grants` hold
    `permission`."""
    councils = await reachable_councils(store, grants, permission)
    places = {c.id: await where(store, c.id) for c in councils}
    ids = list(places)
    now = clock.now()
    ahead = await store.meetings.of_councils(ids, since=now, limit=limit)
    started = await store.meetings.past(ids, now, limit)
    # A meeting still going on counts as upcoming: attendance is marked then.
    running = [m for m in started if m.ends_at > now]
    past = [m for m in started if m.ends_at <= now]
    return MeetingList([Listed(m, places[m.council_id]) for m in [*running, *ahead]],
                       [Listed(m, places[m.council_id]) for m in past])


@dataclass(frozen=True, slots=True)
class Detail:
    meeting: Meeting
    where: Where
    manage: bool            # the secretariat: move, cancel, mark, export
    attendance: bool        # the secretariat and the chair: who answered what
    approve: bool           # the chair, while it waits for them
    own: list[tuple[Institution, AnswerRow | None, Seating]]  # my institutions' answers
    chair_approval: bool    # the council's setting
    invitees: list[Invitee]


async def detail(store: Store, clock: Clock, grants: list[Grant], person: Person | None,
                 meeting_id: int) -> Detail:
    meeting, place = await find(store, meeting_id)
    target = target_of(place.council)
    require(Permission.VIEW_MEETINGS, grants, target)
    answers = await store.meetings.answers(meeting.id)
    own: list[tuple[Institution, AnswerRow | None, Seating]] = []
    if person is not None:
        seats = await council_seats(store, place.council)
        for row in seats.institutions:
            for seat, seating in ((row.primary, Seating.MEMBER),
                                  (row.alternate, Seating.DEPUTY)):
                if seat is not None and seat.person.id == person.id:
                    own.append((row.institution, answers.get(row.institution.id), seating))
    return Detail(
        meeting, place,
        manage=allowed(Permission.SCHEDULE_MEETING, grants, target),
        attendance=allowed(Permission.VIEW_ATTENDANCE, grants, target),
        approve=(allowed(Permission.APPROVE_MEETING, grants, target)
                 and meeting.status is MeetingStatus.AWAITING_CHAIR),
        own=own,
        chair_approval=await store.meetings.chair_approval(place.council.id),
        invitees=await store.meetings.invitees(meeting.id),
    )


@dataclass(frozen=True, slots=True)
class InstitutionPresence:
    institution: Institution
    presence: Presence
    member: Person | None
    deputy: Person | None          # the deputy named or confirmed
    excuse: str | None
    deputy_confirmed: bool


@dataclass(frozen=True, slots=True)
class AttendanceView:
    meeting: Meeting
    where: Where
    rows: list[InstitutionPresence]
    invitees: list[Invitee]

    def count(self, state: Presence) -> int:
        return sum(1 for r in self.rows if r.presence is state)


async def attendance_view(store: Store, grants: list[Grant], meeting_id: int) -> AttendanceView:
    """Where each institution stands: confirmed, excused (with the reason), deputy, no answer,
    nobody registered. Re-read on every call: the last answer stands."""
    meeting, place = await find(store, meeting_id)
    require(Permission.VIEW_ATTENDANCE, grants, target_of(place.council))
    seats = await council_seats(store, place.council)
    answers = await store.meetings.answers(meeting.id)
    rows = []
    for row in seats.institutions:
        got = answers.get(row.institution.id)
        deputy = (await store.people.get(got.deputy_person_id)
                  if got is not None and got.deputy_person_id else None)
        rows.append(InstitutionPresence(
            row.institution, presence(got.answer if got else None, row.registered),
            row.primary.person if row.primary else None, deputy,
            got.excuse if got else None,
            got is not None and got.answer is Answer.DEPUTY_CONFIRMED))
    return AttendanceView(meeting, place, rows, await store.meetings.invitees(meeting.id))
