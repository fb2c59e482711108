"""On the day of a meeting: attendance, the attendees' own check-in, and the Ek-2 list.

This module owns:

* who may be marked present (each institution's member and deputy, on the sub-commission its
  liaison officers; the meeting's invitees; people added on the spot, Art. 4(4), 4(5)) and the
  marking itself (MARK_ATTENDANCE, from the day before the meeting); a name is kept as it
  stood that day, as the signed list keeps it;
* the check-in: opened by the secretariat around the start (``CHECKIN_EARLY`` before it until
  the end), an "I am here" button to each expected attendee, each press marking its presser;
* the Ek-2 sheet (Art. 12(7), EXPORT_ATTENDANCE): before the meeting the people who
  confirmed and the invitees, after it (or once anyone is marked) who actually attended;
  institutions in the council's order, then invitees and people added on the spot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.documents.calendar_export import council_title
from bot.documents.ek2 import AttendanceRow as SheetRow
from bot.documents.ek2 import AttendanceSheet
from bot.domain.clock import Clock
from bot.domain.meetings import Answer, MeetingStatus
from bot.domain.models import Institution, Person
from bot.domain.permissions import Grant, Permission
from bot.i18n import translator
from bot.services import trail
from bot.services.access import require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import institution_council
from bot.services.meetings import (
    CHECKIN_KIND,
    InviteeDraft,
    Seating,
    Where,
    council_seats,
    find,
    meeting_payload,
    queue,
    recipients,
)
from bot.store import Store
from bot.store.meetings import AttendanceRow, Invitee, Meeting
from bot.store.outbox import Recipient

# Attendees may check themselves in from this long before the start until the end.
CHECKIN_EARLY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone who may be marked present for an institution (or as an invitee)."""

    key: str                  # "p<person id>" or "r<attendance row id>"
    name: str
    title: str
    present: bool
    expected: bool            # confirmed beforehand (an institution's answer)


@dataclass(frozen=True, slots=True)
class MarkGroup:
    institution: Institution | None    # None: invitees and people added on the spot
    candidates: list[Candidate]

    @property
    def present(self) -> int:
        return sum(1 for c in self.candidates if c.present)


async def _markable(store: Store, grants: list[Grant], meeting_id: int,
                    permission: Permission = Permission.MARK_ATTENDANCE,
                    ) -> tuple[Meeting, Where]:
    meeting, place = await find(store, meeting_id)
    require(permission, grants, target_of(place.council))
    if meeting.status is MeetingStatus.CANCELLED:
        raise ServiceError(Refusal.MEETING_CANCELLED)
    if meeting.status is MeetingStatus.AWAITING_CHAIR:
        raise ServiceError(Refusal.MEETING_NOT_APPROVED)
    return meeting, place


async def mark_groups(store: Store, grants: list[Grant], meeting_id: int) -> list[MarkGroup]:
    """Per institution the people who may be marked (member, deputy; on the sub-commission the
    liaison officers), then the invitees and those added on the spot."""
    meeting, place = await _markable(store, grants, meeting_id)
    seats = await council_seats(store, place.council)
    answers = await store.meetings.answers(meeting.id)
    marked = await store.meetings.attendance(meeting.id)
    by_person = {r.person_id: r for r in marked if r.person_id is not None}
    groups = []
    for row in seats.institutions:
        got = answers.get(row.institution.id)
        candidates = []
        for seat in (row.primary, row.alternate):
            if seat is None:
                continue
            expected = got is not None and (
                (got.answer is Answer.ATTENDING and seat is row.primary)
                or (got.answer is Answer.DEPUTY_CONFIRMED
                    and got.deputy_person_id == seat.person.id))
            done = by_person.get(seat.person.id)
            candidates.append(Candidate(f"p{seat.person.id}", seat.person.full_name,
                                        seat.person.title, bool(done and done.present),
                                        expected))
        groups.append(MarkGroup(row.institution, candidates))
    others = []
    listed: set[int] = set()  # attendance rows shown as an invitee
    for invitee in await store.meetings.invitees(meeting.id):
        if invitee.person_id is not None:
            done = by_person.get(invitee.person_id)
            others.append(Candidate(f"p{invitee.person_id}", invitee.name, invitee.title,
                                    bool(done and done.present), False))
            continue
        # An invitee without a Telegram account: the row marked for them, if any.
        row_ = _invitee_row(invitee, marked)
        if row_ is not None:
            listed.add(row_.id)
        others.append(Candidate(f"r{row_.id}" if row_ else f"i{invitee.id}", invitee.name,
                                invitee.title, bool(row_ and row_.present), False))
    seated = {c.key for g in groups for c in g.candidates} | {c.key for c in others}
    for row_ in marked:
        if row_.id not in listed and f"p{row_.person_id}" not in seated:
            others.append(Candidate(f"r{row_.id}", row_.name, row_.title, row_.present, False))
    groups.append(MarkGroup(None, others))
    return groups


def _invitee_row(invitee: Invitee, marked: Sequence[AttendanceRow]) -> AttendanceRow | None:
    return next((r for r in marked if r.person_id is None and r.name == invitee.name
                 and r.institution == invitee.organization), None)


def _is_day_of(meeting: Meeting, now: datetime) -> bool:
    return meeting.starts_at - timedelta(days=1) <= now


async def toggle(store: Store, clock: Clock, grants: list[Grant], actor_id: int | None,
                 meeting_id: int, key: str, institution_id: int | None) -> bool:
    """Mark someone present, or not present again; returns whether they are now present."""
    meeting, place = await _markable(store, grants, meeting_id)
    now = clock.now()
    if not _is_day_of(meeting, now):
        raise ServiceError(Refusal.CHECKIN_CLOSED, "not yet the day")
    marked = await store.meetings.attendance(meeting.id)
    if key.startswith("r"):
        row = next((r for r in marked if str(r.id) == key[1:]), None)
        if row is None:
            raise ServiceError(Refusal.NOT_FOUND, key)
        async with store.db.transaction():
            await store.meetings.set_present(row.id, meeting.id, not row.present, now,
                                             actor_id)
            await store.audit.record(
                now, "meeting.attendance", f"meeting:{meeting.id}", actor_id=actor_id,
                before=trail.view(row, "institution", "name", "present"),
                after={**(trail.view(row, "institution", "name") or {}),
                       "present": not row.present})
        return not row.present
    if key.startswith("i"):
        invitee = next((i for i in await store.meetings.invitees(meeting.id)
                        if str(i.id) == key[1:] and i.person_id is None), None)
        if invitee is None:
            raise ServiceError(Refusal.NOT_FOUND, key)
        if _invitee_row(invitee, marked) is None:
            await _mark_free(store, meeting, now, actor_id, InviteeDraft(
                invitee.name, invitee.organization, invitee.title), invitee.phone)
        return True
    person_id = int(key[1:]) if key[1:].isdigit() else 0
    done = next((r for r in marked if r.person_id == person_id), None)
    present = not (done is not None and done.present)
    await _mark_person(store, meeting, place, person_id, institution_id, now, actor_id,
                       present)
    return present


async def _mark_person(store: Store, meeting: Meeting, place: Where, person_id: int,
                       institution_id: int | None, now: datetime, actor_id: int | None,
                       present: bool) -> None:
    """Record a person as they stand (the Ek-2 keeps the name and title of that day). Only
    someone who sits for the institution, or a meeting invitee, can be marked."""
    seats = await council_seats(store, place.council)
    person: Person | None = None
    institution_name = ""
    row = seats.of(institution_id) if institution_id is not None else None
    if row is not None:
        for seat in (row.primary, row.alternate):
            if seat is not None and seat.person.id == person_id:
                person, institution_name = seat.person, row.institution.name
    else:
        invitee = next((i for i in await store.meetings.invitees(meeting.id)
                        if i.person_id == person_id), None)
        if invitee is not None:
            person = await store.people.get(person_id)
            institution_name = invitee.organization
    if person is None:
        raise ServiceError(Refusal.NOT_FOUND, f"person {person_id}")
    was = next((r for r in await store.meetings.attendance(meeting.id)
                if r.person_id == person.id), None)
    async with store.db.transaction():
        await store.meetings.mark(meeting.id, now, institution=institution_name,
                                  title=person.title, name=person.full_name, phone=person.phone,
                                  present=present,
                                  institution_id=row.institution.id if row else None,
                                  person_id=person.id, marked_by=actor_id)
        if meeting.status is MeetingStatus.SCHEDULED and present:
            await store.meetings.set_status(meeting.id, MeetingStatus.HELD, now)
        await store.audit.record(
            now, "meeting.attendance", f"meeting:{meeting.id}", actor_id=actor_id,
            person_id=person.id, before=trail.view(was, "institution", "name", "present"),
            after={"institution": institution_name, "name": person.full_name,
                   "present": present})


async def add_on_the_spot(store: Store, clock: Clock, grants: list[Grant], actor_id: int | None,
                          meeting_id: int, entry: InviteeDraft, phone: str = "") -> None:
    """Someone not on the list who attends: an invitee or Presidency staff (Art. 4(4), 4(5))."""
    meeting, _place = await _markable(store, grants, meeting_id)
    now = clock.now()
    if not _is_day_of(meeting, now):
        raise ServiceError(Refusal.CHECKIN_CLOSED, "not yet the day")
    await _mark_free(store, meeting, now, actor_id, entry, phone)


async def _mark_free(store: Store, meeting: Meeting, now: datetime, actor_id: int | None,
                     entry: InviteeDraft, phone: str) -> None:
    """A row for someone without a seat: an invitee or a person added on the spot."""
    async with store.db.transaction():
        await store.meetings.mark(meeting.id, now, institution=entry.organization,
                                  title=entry.title, name=entry.name, phone=phone,
                                  marked_by=actor_id)
        if meeting.status is MeetingStatus.SCHEDULED:
            await store.meetings.set_status(meeting.id, MeetingStatus.HELD, now)
        await store.audit.record(now, "meeting.attendee", f"meeting:{meeting.id}",
                                 actor_id=actor_id, before=None,
                                 after={"name": entry.name, "institution": entry.organization,
                                        "title": entry.title, "present": True})


async def open_checkin(store: Store, clock: Clock, grants: list[Grant], actor_id: int | None,
                       meeting_id: int) -> int:
    """Open the attendees' own "I am here" button until the meeting ends; each expected
    attendee (everyone told of the meeting but those excused) gets it. Returns rows queued."""
    meeting, place = await _markable(store, grants, meeting_id)
    now = clock.now()
    if not (meeting.starts_at - CHECKIN_EARLY <= now < meeting.ends_at):
        raise ServiceError(Refusal.CHECKIN_CLOSED)
    answers = await store.meetings.answers(meeting.id)
    people = []
    for candidate in await recipients(store, meeting, place):
        # Those who answer for an institution, unless they said they will not come.
        got = answers.get(candidate.institution_id or 0)
        if candidate.seating not in (Seating.MEMBER, Seating.DEPUTY) or (
                got is not None and got.answer is Answer.EXCUSED):
            continue
        if candidate.seating is Seating.MEMBER and got is not None and got.answer in (
                Answer.DEPUTY, Answer.DEPUTY_CONFIRMED):
            continue
        people.append(Recipient(candidate.person.telegram_user_id, candidate.person.id))
    chosen = [a.deputy_person_id for a in answers.values()
              if a.answer is Answer.DEPUTY_CONFIRMED and a.deputy_person_id]
    chosen += [i.person_id for i in await store.meetings.invitees(meeting.id) if i.person_id]
    for person_id in chosen:
        person = await store.people.get(person_id)
        if person is not None and person.telegram_user_id > 0:
            people.append(Recipient(person.telegram_user_id, person.id))
    async with store.db.transaction():
        await store.meetings.set_checkin(meeting.id, meeting.ends_at, now)
        await store.audit.record(now, "meeting.checkin", f"meeting:{meeting.id}",
                                 actor_id=actor_id,
                                 before={"checkin_until": meeting.checkin_until},
                                 after={"checkin_until": meeting.ends_at})
        return await queue(store, now, f"meeting:{meeting.id}:{meeting.sequence}:checkin",
                            CHECKIN_KIND, meeting_payload(meeting, place),
                            list({r.chat_id: r for r in people}.values()), place, None,
                            urgent=True, created_by=actor_id)


async def check_in(store: Store, clock: Clock, person: Person, meeting_id: int,
                   sequence: int) -> Meeting:
    """The attendee's own button: marks them present for the institution they sit for."""
    meeting, place = await find(store, meeting_id)
    now = clock.now()
    if meeting.status is MeetingStatus.CANCELLED:
        raise ServiceError(Refusal.MEETING_CANCELLED)
    if sequence != meeting.sequence:
        raise ServiceError(Refusal.MEETING_MOVED)
    if meeting.checkin_until is None or now >= meeting.checkin_until:
        raise ServiceError(Refusal.CHECKIN_CLOSED)
    seats = await council_seats(store, place.council)
    institution_id = next(
        (row.institution.id for row in seats.institutions
         for seat in (row.primary, row.alternate)
         if seat is not None and seat.person.id == person.id), None)
    invited = any(i.person_id == person.id for i in await store.meetings.invitees(meeting.id))
    if institution_id is None and not invited:
        raise ServiceError(Refusal.FORBIDDEN, "not an attendee")
    await _mark_person(store, meeting, place, person.id, institution_id, now, person.id, True)
    return meeting


# --- Ek-2 (Art. 12(7)) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ek2Export:
    sheet: AttendanceSheet
    meeting: Meeting
    where: Where

    def filename(self, extension: str) -> str:
        local = self.where.local(self.meeting.starts_at)
        name = f"Ek-2_{self.where.council.name}_{local:%Y-%m-%d}.{extension}"
        return name.replace(" ", "_")


async def ek2_sheet(store: Store, clock: Clock, grants: list[Grant],
                    meeting_id: int) -> Ek2Export:
    """The attendance list: after the meeting (or once anyone is marked) who actually attended,
    before it the people confirmed and the invitees; institutions in the council's order,
    then invitees and people added on the spot as entered. The form is Turkish whatever the
    reader's language: it is the paper the participants sign."""
    meeting, place = await _markable(store, grants, meeting_id, Permission.EXPORT_ATTENDANCE)
    tr = translator("tr")
    local = place.local(meeting.starts_at)
    sheet = AttendanceSheet(
        council=council_title(tr, place.council.kind, place.council.name),
        place=meeting.place,
        date=f"{tr.date(local.date())}, {tr.time(local)}")
    order = {i.id: n for n, i in enumerate(await store.councils.institutions(
        institution_council(place.council)))}
    marked = [r for r in await store.meetings.attendance(meeting.id) if r.present]
    if marked or clock.now() >= meeting.starts_at:
        marked.sort(key=lambda r: (r.institution_id is None,
                                   order.get(r.institution_id or 0, len(order)), r.id))
        sheet.rows.extend(SheetRow(r.institution, r.title, r.name, r.phone) for r in marked)
        return Ek2Export(sheet, meeting, place)
    seats = await council_seats(store, place.council)
    answers = await store.meetings.answers(meeting.id)
    for row in seats.institutions:
        got = answers.get(row.institution.id)
        if got is None:
            continue
        attendee: Person | None = None
        if got.answer is Answer.ATTENDING and row.primary is not None:
            attendee = row.primary.person
        elif got.answer is Answer.DEPUTY_CONFIRMED and got.deputy_person_id:
            attendee = await store.people.get(got.deputy_person_id)
        if attendee is not None:
            sheet.rows.append(SheetRow(row.institution.name, attendee.title, attendee.full_name,
                                       attendee.phone))
    for invitee in await store.meetings.invitees(meeting.id):
        person = await store.people.get(invitee.person_id) if invitee.person_id else None
        sheet.rows.append(SheetRow(
            invitee.organization, invitee.title or (person.title if person else ""),
            invitee.name, invitee.phone or (person.phone if person else "")))
    return Ek2Export(sheet, meeting, place)
