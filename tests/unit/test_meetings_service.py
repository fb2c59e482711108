"""The meeting use cases (issue 5) on a real store and a manual clock: who may do what, the
chair's approval, who a notice goes to, answers (the last stands, deputies, late or stale
buttons), reminders derived from the meeting row, check-in and the Ek-2 rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from bot.domain.clock import ManualClock
from bot.domain.meetings import Answer, CalledBy, MeetingKind, MeetingStatus, Presence
from bot.domain.models import Rank, RoleKind
from bot.i18n import translator
from bot.notify.kinds import RenderInput
from bot.notify.meeting_kinds import (
    NOTICE,
    MeetingReminders,
    WithDocument,
    notice_relevant,
    reminder_relevant,
)
from bot.services import meetings as service
from bot.services import meetings_day as day_service
from bot.services.errors import Refusal, ServiceError
from bot.services.meetings import Choice, Seating
from bot.store import Store
from tests import seed

SEC, CHAIR, M1, M2, D2, M3, L1, INV = 1, 2, 11, 12, 22, 13, 31, 41


class World(seed.World):
    clock: ManualClock

    async def schedule(self, day: date = date(2027, 1, 14), at: time = time(10, 30),
                       **kwargs: Any) -> service.Scheduled:
        return await service.schedule(
            self.store, self.clock, await self.grants(SEC), (await self.person(SEC)).id,
            kwargs.pop("council", self.council), kwargs.pop("kind", MeetingKind.ORDINARY),
            day, at, "Valilik Toplantı Salonu", **kwargs)

    async def approved(self, **kwargs: Any) -> service.Decided:
        done = await self.schedule(**kwargs)
        return await service.approve(self.store, self.clock, await self.grants(CHAIR),
                                     (await self.person(CHAIR)).id, done.meeting.id, 0)

    async def answer(self, telegram_id: int, meeting_id: int, institution: int, choice: Choice,
                     sequence: int = 0, **kwargs: Any) -> service.Answered:
        return await service.answer(self.store, self.clock, await self.grants(telegram_id),
                                    await self.person(telegram_id), meeting_id, sequence,
                                    institution, choice, **kwargs)

    async def rows(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        notice = await self.store.outbox.notice_by_key(key)
        if notice is None:
            return []
        found = await self.store.db.fetchall(
            "SELECT chat_id, payload FROM outbox WHERE notice_id = ? ORDER BY chat_id",
            (notice.id,))
        return [(int(r[0]), json.loads(r[1]) if r[1] else {}) for r in found]


@pytest.fixture
async def world(store: Store, clock: ManualClock) -> World:
    # Monday 4 January 2027, 12:00 in Gaziantep.
    seeded = await seed.province(store, clock, districts=1)
    council = seeded.provincial_id
    institutions = await store.councils.institutions(council)
    await seed.person(store, clock, SEC, "Selin", council, RoleKind.SECRETARIAT)
    await seed.person(store, clock, CHAIR, "Vali", council, RoleKind.CHAIR)
    await seed.person(store, clock, M1, "Bir", council, RoleKind.MEMBER,
                      institution_id=institutions[0].id)
    await seed.person(store, clock, M2, "İki", council, RoleKind.MEMBER,
                      institution_id=institutions[1].id)
    await seed.person(store, clock, D2, "Vekil", council, RoleKind.DEPUTY,
                      institution_id=institutions[1].id)
    await seed.person(store, clock, M3, "Üç", council, RoleKind.MEMBER,
                      institution_id=institutions[2].id)
    await seed.person(store, clock, L1, "İrtibat", council, RoleKind.LIAISON,
                      institution_id=institutions[0].id, rank=Rank.PRINCIPAL)
    await seed.person(store, clock, INV, "Davetli", council, RoleKind.INVITEE)
    return World(store, clock, seeded)


async def institution(world: World, index: int) -> int:
    return (await world.store.councils.institutions(world.council))[index].id


async def refusal(coro: Any) -> Refusal:
    with pytest.raises(ServiceError) as caught:
        await coro
    return caught.value.refusal


# --- scheduling and the chair -------------------------------------------------------------------


async def test_only_the_secretariat_schedules_and_only_the_chair_approves(world: World) -> None:
    member = await world.grants(M1)
    assert await refusal(service.schedule(
        world.store, world.clock, member, None, world.council, MeetingKind.ORDINARY,
        date(2027, 1, 14), time(10, 30), "Salon")) is Refusal.FORBIDDEN
    done = await world.schedule()
    assert done.meeting.status is MeetingStatus.AWAITING_CHAIR and done.chairs == 1
    assert [chat for chat, _ in await world.rows(
        f"meeting:{done.meeting.id}:0:approval")] == [CHAIR]
    assert await world.rows(f"meeting:{done.meeting.id}:0:new") == []  # nothing yet
    assert await refusal(service.approve(world.store, world.clock, await world.grants(SEC), None,
                                         done.meeting.id, 0)) is Refusal.FORBIDDEN
    approved = await service.approve(world.store, world.clock, await world.grants(CHAIR),
                                     (await world.person(CHAIR)).id, done.meeting.id, 0)
    assert approved.meeting.status is MeetingStatus.SCHEDULED
    assert await refusal(service.approve(world.store, world.clock, await world.grants(CHAIR),
                                         None, done.meeting.id, 0)) is Refusal.MEETING_NOT_PENDING
    rows = dict(await world.rows(f"meeting:{done.meeting.id}:0:new"))
    # Art. 11(3): every member (with buttons), the liaison officer, the chair, the invitee;
    # the deputy only stands in when the member is away.
    assert set(rows) == {M1, M2, M3, L1, CHAIR, INV}
    assert rows[M1]["seating"] == Seating.MEMBER and rows[L1]["seating"] == Seating.INFO
    assert rows[CHAIR]["seating"] == Seating.CHAIR
    decision = await world.rows(f"meeting:{done.meeting.id}:0:approved")
    assert [chat for chat, _ in decision] == [SEC]


async def test_a_council_may_skip_the_chairs_approval_and_the_sub_commission_never_waits(
    world: World,
) -> None:
    await service.set_chair_approval(world.store, world.clock, await world.grants(CHAIR), None,
                                     world.council, False)
    done = await world.schedule()
    assert done.meeting.status is MeetingStatus.SCHEDULED and done.notices == 6
    assert await refusal(service.set_chair_approval(
        world.store, world.clock, await world.grants(M1), None, world.council, True)
    ) is Refusal.FORBIDDEN
    # Art. 11(4): the directorate sets the sub-commission's day; notices to its liaison
    # officers (who may hold their role on the provincial council).
    sub = await world.schedule(council=world.seeded.subcommission_id, day=date(2027, 3, 3))
    assert sub.meeting.status is MeetingStatus.SCHEDULED
    assert [chat for chat, _ in await world.rows(f"meeting:{sub.meeting.id}:0:new")] == [L1]


async def test_a_district_notice_also_goes_to_the_provincial_directorate(world: World) -> None:
    district = world.seeded.districts[0]
    await seed.person(world.store, world.clock, 51, "Kaymakamlık", district,
                      RoleKind.SECRETARIAT)
    await service.set_chair_approval(world.store, world.clock, await world.grants(SEC), None,
                                     district, False)
    done = await world.schedule(council=district, kind=MeetingKind.EXTRAORDINARY,
                                called_by=CalledBy.CHAIR, day=date(2027, 1, 20))
    assert dict(await world.rows(f"meeting:{done.meeting.id}:0:new")) == {
        SEC: {"seating": "info"}}


async def test_outside_the_window_or_too_late_needs_a_recorded_reason(world: World) -> None:
    with pytest.raises(service.ScheduleRefused):
        await world.schedule(day=date(2027, 2, 10))  # the January window is over by then
    done = await world.schedule(day=date(2027, 2, 10), reason="Valinin programı")
    assert done.meeting.override_reason == "Valinin programı"
    with pytest.raises(service.ScheduleRefused):
        await world.schedule(day=date(2027, 1, 6))  # the 5-day notice cannot be met
    with pytest.raises(service.ScheduleRefused):  # in the past: never, reason or not
        await world.schedule(day=date(2027, 1, 4), at=time(9, 0), reason="x")
    entries = await world.store.audit.entries(subject_prefix=f"meeting:{done.meeting.id}")
    assert entries[0].details["after"]["override_reason"] == "Valinin programı"


async def test_the_preview_warns_about_a_holiday_and_another_meeting_that_day(
    world: World,
) -> None:
    await world.schedule(day=date(2027, 1, 14))
    found = await service.plan(world.store, world.clock, await world.grants(SEC), world.council,
                               MeetingKind.ORDINARY, date(2027, 1, 14), time(15, 0))
    assert [f.check.value for f in found.findings] == ["same_day"] and not found.needs_reason
    holiday = await service.plan(world.store, world.clock, await world.grants(SEC),
                                 world.council, MeetingKind.EXTRAORDINARY, date(2027, 4, 23),
                                 time(10, 0))
    assert [f.check.value for f in holiday.findings] == ["holiday"]


# --- answers ------------------------------------------------------------------------------------


async def test_a_member_answering_twice_the_last_answer_stands(world: World) -> None:
    meeting = (await world.approved()).meeting
    first = await institution(world, 0)
    await world.answer(M1, meeting.id, first, Choice.EXCUSE, excuse="Hasta")
    await world.answer(M1, meeting.id, first, Choice.ATTEND)
    view = await service.attendance_view(world.store, await world.grants(SEC), meeting.id)
    assert view.rows[0].presence is Presence.CONFIRMED and view.rows[0].excuse is None
    assert view.rows[1].presence is Presence.NO_ANSWER
    assert view.rows[5].presence is Presence.NOBODY_REGISTERED
    assert await refusal(service.attendance_view(world.store, await world.grants(M1),
                                                 meeting.id)) is Refusal.FORBIDDEN
    # Someone else's institution is refused, whatever the button says.
    assert await refusal(world.answer(M1, meeting.id, await institution(world, 1),
                                      Choice.ATTEND)) is Refusal.FORBIDDEN


async def test_a_deputy_who_is_not_registered_cannot_be_named(world: World) -> None:
    meeting = (await world.approved()).meeting
    first, second = await institution(world, 0), await institution(world, 1)
    assert await refusal(world.answer(M1, meeting.id, first, Choice.DEPUTY)) is Refusal.NO_DEPUTY
    # Art. 9(2): only the institution's own deputy, named by the member.
    deputy = await world.person(D2)
    assert await refusal(world.answer(M1, meeting.id, first, Choice.DEPUTY,
                                      deputy_id=deputy.id)) is Refusal.NO_DEPUTY
    named = await world.answer(M2, meeting.id, second, Choice.DEPUTY, deputy_id=deputy.id)
    assert named.answer is Answer.DEPUTY and named.deputy == deputy
    request = await world.rows(
        next(n for n in await _keys(world) if f":deputy:{second}:{deputy.id}:" in n))
    assert [chat for chat, _ in request] == [D2]
    # The deputy declines: the answer is withdrawn, the member asked again.
    await service.deputy_reply(world.store, world.clock, await world.grants(D2), deputy,
                               meeting.id, 0, second, False)
    assert second not in await world.store.meetings.answers(meeting.id)
    assert await refusal(service.deputy_reply(
        world.store, world.clock, await world.grants(D2), deputy, meeting.id, 0, second, True)
    ) is Refusal.DEPUTY_NOT_ASKED
    declined = [k for k in await _keys(world) if f":declined:{second}:" in k]
    assert [chat for chat, _ in await world.rows(declined[0])] == [M2]
    # Named again, the deputy confirms.
    await world.answer(M2, meeting.id, second, Choice.DEPUTY)
    await service.deputy_reply(world.store, world.clock, await world.grants(D2), deputy,
                               meeting.id, 0, second, True)
    got = (await world.store.meetings.answers(meeting.id))[second]
    assert got.answer is Answer.DEPUTY_CONFIRMED and got.deputy_person_id == deputy.id


async def _keys(world: World) -> list[str]:
    return [r[0] for r in await world.store.db.fetchall("SELECT key FROM notice ORDER BY id")]


async def test_answers_to_a_cancelled_moved_held_or_unapproved_meeting_are_refused(
    world: World,
) -> None:
    first = await institution(world, 0)
    pending = (await world.schedule()).meeting
    assert await refusal(world.answer(M1, pending.id, first, Choice.ATTEND)
                         ) is Refusal.MEETING_NOT_APPROVED
    meeting = (await world.approved(day=date(2027, 1, 21))).meeting
    await service.move(world.store, world.clock, await world.grants(SEC), None, meeting.id,
                       date(2027, 1, 22), time(10, 0), "Salon")
    assert await refusal(world.answer(M1, meeting.id, first, Choice.ATTEND, sequence=0)
                         ) is Refusal.MEETING_MOVED
    await world.answer(M1, meeting.id, first, Choice.ATTEND, sequence=1)
    await service.cancel(world.store, world.clock, await world.grants(SEC), None, meeting.id,
                         "Vali'nin Ankara programı")
    assert await refusal(world.answer(M1, meeting.id, first, Choice.ATTEND, sequence=2)
                         ) is Refusal.MEETING_CANCELLED
    cancelled = dict(await world.rows(f"meeting:{meeting.id}:2:cancelled"))
    assert set(cancelled) == {M1, M2, M3, L1, CHAIR, INV}
    assert all(p["seating"] == "info" for p in cancelled.values())  # no buttons on a cancel
    held = (await world.approved(day=date(2027, 1, 28))).meeting
    world.clock.set(datetime(2027, 1, 28, 8, 0, tzinfo=UTC))  # 11:00, it has begun
    assert await refusal(world.answer(M1, held.id, first, Choice.ATTEND)) is Refusal.MEETING_HELD


async def test_a_member_marked_away_is_replaced_by_the_deputy(world: World) -> None:
    second = await institution(world, 1)
    await service.set_away(world.store, world.clock, await world.grants(M2),
                           await world.person(M2), date(2027, 1, 31))
    meeting = (await world.approved()).meeting
    rows = dict(await world.rows(f"meeting:{meeting.id}:0:new"))
    assert M2 not in rows and rows[D2] == {"seating": "deputy", "institution_id": second,
                                           "institution": rows[D2]["institution"]}
    done = await world.answer(D2, meeting.id, second, Choice.ATTEND)
    assert done.answer is Answer.DEPUTY_CONFIRMED
    assert await refusal(world.answer(D2, meeting.id, second, Choice.DEPUTY)
                         ) is Refusal.FORBIDDEN  # a deputy cannot pass the seat on
    await service.set_away(world.store, world.clock, await world.grants(M2),
                           await world.person(M2), None, back=True)
    later = (await world.approved(day=date(2027, 1, 21))).meeting
    assert M2 in dict(await world.rows(f"meeting:{later.id}:0:new"))


# --- moving, reminders, relevance ---------------------------------------------------------------


async def test_a_move_keeps_the_uid_raises_the_sequence_and_old_notices_are_skipped(
    world: World,
) -> None:
    meeting = (await world.approved()).meeting
    first = await institution(world, 0)
    await world.answer(M1, meeting.id, first, Choice.ATTEND)
    moved = await service.move(world.store, world.clock, await world.grants(SEC), None,
                               meeting.id, date(2027, 1, 21), time(14, 0), "Salon")
    assert moved.meeting.sequence == 1 and moved.notices == 6
    assert await world.store.meetings.answers(meeting.id) == {}  # a new day: answer again
    old = await world.store.outbox.notice_by_key(f"meeting:{meeting.id}:0:new")
    new = await world.store.outbox.notice_by_key(f"meeting:{meeting.id}:1:moved")
    assert old is not None and new is not None
    assert not await notice_relevant(world.store, world.clock, old)
    assert await notice_relevant(world.store, world.clock, new)
    rendered = NOTICE.render(RenderInput(new.payload, {"seating": "member",
                                                       "institution_id": first},
                                         translator("tr")))
    assert isinstance(rendered, WithDocument) and "21 Ocak 2027 Perşembe" in rendered.text
    assert b"SEQUENCE:1" in rendered.content and b"meeting-" in rendered.content
    assert rendered.buttons[0][0][1] == f"mt:a:{meeting.id}:1:{first}:y"
    # The place alone changing keeps the answers.
    await world.answer(M1, meeting.id, first, Choice.ATTEND, sequence=1)
    await service.move(world.store, world.clock, await world.grants(SEC), None, meeting.id,
                       date(2027, 1, 21), time(14, 0), "Başka salon")
    assert first in await world.store.meetings.answers(meeting.id)


async def test_reminders_at_d3_d1_to_those_without_an_answer_and_on_the_morning_to_all(
    world: World,
) -> None:
    meeting = (await world.approved()).meeting  # Thursday 14 January, 10:30
    first, second = await institution(world, 0), await institution(world, 1)
    await world.answer(M1, meeting.id, first, Choice.ATTEND)
    await world.answer(M2, meeting.id, second, Choice.EXCUSE, excuse="İzinli")
    source = MeetingReminders(9)
    derived = {r.key.rsplit(":", 1)[1]: r for r in await source.reminders(
        world.store, world.clock.now())}
    assert {k: r.due_at for k, r in derived.items()} == {
        "d3": datetime(2027, 1, 11, 6, 0, tzinfo=UTC),
        "d1": datetime(2027, 1, 13, 6, 0, tzinfo=UTC),
        "day": datetime(2027, 1, 14, 5, 0, tzinfo=UTC),
    }
    people = await source.recipients(world.store, list(derived.values()))
    assert [r.chat_id for r in people[derived["d3"].key]] == [M3]
    day = {r.chat_id: r.payload for r in people[derived["day"].key]}
    assert set(day) == {M1, M3, L1, CHAIR, INV}  # not the one who is excused
    assert day[M3]["seating"] == "member" and day[M1]["seating"] == "info"
    # A move makes the old reminders pointless and derives new ones.
    await service.move(world.store, world.clock, await world.grants(SEC), None, meeting.id,
                       date(2027, 1, 21), time(10, 30), "Salon")
    notice, _ = await world.store.outbox.add_notice(
        derived["d3"].key, derived["d3"].kind, "x", derived["d3"].payload, world.clock.now())
    assert not await reminder_relevant(world.store, world.clock, notice)
    keys = {r.key for r in await source.reminders(world.store, world.clock.now())}
    assert keys == {f"remind:meeting:{meeting.id}:1:{s}" for s in ("d3", "d1", "day")}


async def test_no_reminder_is_due_before_the_notice_itself(world: World) -> None:
    world.clock.set(datetime(2027, 1, 12, 7, 0, tzinfo=UTC))  # Tuesday; meeting on Thursday
    await world.approved(day=date(2027, 1, 14), reason="Acil")
    stages = {r.key.rsplit(":", 1)[1] for r in await MeetingReminders(9).reminders(
        world.store, world.clock.now())}
    assert stages == {"d1", "day"}


# --- on the day ---------------------------------------------------------------------------------


async def test_ek2_lists_confirmed_people_before_and_actual_attendance_after(
    world: World,
) -> None:
    first, second = await institution(world, 0), await institution(world, 1)
    meeting = (await world.approved(invitees=[service.InviteeDraft(
        "Ahmet Usta", "Ticaret Odası", "Başkan")])).meeting
    await world.answer(M2, meeting.id, second, Choice.DEPUTY)
    await service.deputy_reply(world.store, world.clock, await world.grants(D2),
                               await world.person(D2), meeting.id, 0, second, True)
    await world.answer(M1, meeting.id, first, Choice.ATTEND)
    sec = await world.grants(SEC)
    before = await day_service.ek2_sheet(world.store, world.clock, sec, meeting.id)
    assert [(r.institution, r.name) for r in before.sheet.rows] == [
        (before.sheet.rows[0].institution, "Bir"), (before.sheet.rows[1].institution, "Vekil"),
        ("Ticaret Odası", "Ahmet Usta")]
    assert before.sheet.date == "14 Ocak 2027 Perşembe, 10:30"
    assert await refusal(day_service.ek2_sheet(world.store, world.clock, await world.grants(CHAIR),
                                           meeting.id)) is Refusal.FORBIDDEN
    # Check-in is open only around the meeting.
    assert await refusal(day_service.open_checkin(world.store, world.clock, sec, None, meeting.id)
                         ) is Refusal.CHECKIN_CLOSED
    world.clock.set(datetime(2027, 1, 14, 7, 25, tzinfo=UTC))
    sent = await day_service.open_checkin(world.store, world.clock, sec, None, meeting.id)
    assert sent == 3  # M1 (attends), D2 (for M2), M3 (no answer yet)
    await day_service.check_in(world.store, world.clock, await world.person(M3), meeting.id, 0)
    assert await refusal(day_service.check_in(world.store, world.clock, await world.person(L1),
                                          meeting.id, 0)) is Refusal.FORBIDDEN
    groups = await day_service.mark_groups(world.store, sec, meeting.id)
    others = groups[-1]
    invitee_key = next(c.key for c in others.candidates if c.name == "Ahmet Usta")
    await day_service.toggle(world.store, world.clock, sec, None, meeting.id, invitee_key, None)
    await day_service.toggle(world.store, world.clock, sec, None, meeting.id,
                         f"p{(await world.person(M1)).id}", first)
    after = await day_service.ek2_sheet(world.store, world.clock, sec, meeting.id)
    assert [r.name for r in after.sheet.rows] == ["Bir", "Üç", "Ahmet Usta"]
    assert (await world.store.meetings.get(meeting.id)).status is MeetingStatus.HELD  # type: ignore[union-attr]
    # Unmarking takes them off again.
    await day_service.toggle(world.store, world.clock, sec, None, meeting.id,
                         f"p{(await world.person(M1)).id}", first)
    after = await day_service.ek2_sheet(world.store, world.clock, sec, meeting.id)
    assert [r.name for r in after.sheet.rows] == ["Üç", "Ahmet Usta"]
    world.clock.advance(timedelta(hours=3))
    assert await refusal(day_service.check_in(world.store, world.clock, await world.person(M1),
                                          meeting.id, 0)) is Refusal.CHECKIN_CLOSED


def test_typed_invitees_are_read_as_name_organisation_title() -> None:
    entry = service.clean_invitee("  Ahmet Usta , Ticaret Odası, Başkan, Yönetim Kurulu ")
    assert entry == service.InviteeDraft("Ahmet Usta", "Ticaret Odası",
                                         "Başkan, Yönetim Kurulu")
    assert service.clean_invitee("Zeynep") == service.InviteeDraft("Zeynep")


async def test_art_6_3_a_liaison_officer_answers_only_in_the_sub_commission(world: World) -> None:
    """The liaison officer holds ANSWER_MEETING for the institution, but on the provincial
    council the member's seat answers: refused as such, not as a stranger."""
    done = await world.approved()
    first = await institution(world, 0)
    assert await refusal(world.answer(L1, done.meeting.id, first, Choice.ATTEND)) \
        is Refusal.NOT_SEATED
    assert await refusal(world.answer(L1, done.meeting.id, await institution(world, 1),
                                      Choice.ATTEND)) is Refusal.FORBIDDEN
