"""Minutes and decisions as use cases: bad input gets a clear refusal and loses nothing —
a deadline in the past, a responsible institution not on the council, editing finalised
minutes (Art. 12), progress on another institution's or a closed decision, evidence too large;
distribution to the member institutions and the district's minutes to the directorate (Art.
12(2), 12(4), 12(5))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.domain.clock import ManualClock
from bot.domain.decisions import Status
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import Rank, RoleKind
from bot.domain.permissions import Grant
from bot.services import decisions as service
from bot.services.decisions import DecisionDraft, DecisionRefused, Problem, Report
from bot.services.errors import ServiceError
from bot.store import Store
from tests import seed

MEETING = datetime(2027, 1, 21, 7, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2027, 1, 21, 12, 0, tzinfo=UTC))


@dataclass
class World:
    seeded: seed.Seeded
    grants: dict[str, list[Grant]]
    meeting: int
    institutions: list[int]
    district_institution: int


async def _world(store: Store, clock: ManualClock) -> World:
    seeded = await seed.province(store, clock, districts=1)
    institutions = await store.councils.institutions(seeded.provincial_id)
    district_institutions = await store.councils.institutions(seeded.districts[0])
    grants: dict[str, list[Grant]] = {}
    for name, tid, council, institution, kind, rank in (
            ("sec", 1, seeded.provincial_id, None, RoleKind.SECRETARIAT, None),
            ("liaison0", 2, seeded.provincial_id, institutions[0].id, RoleKind.LIAISON,
             Rank.PRINCIPAL),
            ("member1", 3, seeded.provincial_id, institutions[1].id, RoleKind.MEMBER, None),
            ("dmember", 4, seeded.districts[0], district_institutions[0].id, RoleKind.MEMBER,
             None)):
        await seed.person(store, clock, tid, name, council, kind, institution_id=institution,
                          rank=rank)
        grants[name] = await store.people.grants(tid)
    meeting = await store.meetings.add(seeded.provincial_id, MeetingKind.ORDINARY,
                                       MeetingStatus.SCHEDULED, MEETING, "Valilik", clock.now())
    return World(seeded, grants, meeting, [i.id for i in institutions],
                 district_institutions[0].id)


def draft(institutions: list[int], deadline: str = "30 gün") -> DecisionDraft:
    return DecisionDraft("Karar", "Gerekçe", "Amaç", institutions, deadline)


async def test_decision_refusals_and_finalised_minutes(store: Store, clock: ManualClock) -> None:
    world = await _world(store, clock)
    sec = world.grants["sec"]
    meeting = world.meeting
    own = world.institutions
    with pytest.raises(DecisionRefused) as caught:
        await service.add_decision(store, clock, sec, meeting, draft([own[0]], "01.01.2027"))
    assert caught.value.problem is Problem.DEADLINE_PAST
    with pytest.raises(DecisionRefused) as caught:
        await service.add_decision(store, clock, sec, meeting,
                                   draft([world.district_institution]))
    assert caught.value.problem is Problem.NOT_ON_COUNCIL
    assert await store.decisions.of_meeting(meeting) == []
    with pytest.raises(ServiceError):  # a liaison officer does not write the minutes
        await service.add_decision(store, clock, world.grants["liaison0"],
                                   meeting, draft([own[0]]))
    first = await service.add_decision(store, clock, sec, meeting, draft([own[0], own[1]]))
    second = await service.add_decision(store, clock, sec, meeting, draft([own[1]]))
    assert (first.number, second.number) == ("2027/1", "2027/2")
    done = await service.finalise(store, clock, sec, meeting, None, None)
    # liaison0 and member1 (no chair seated); tasks: liaison0 once, member1 for both
    assert done.recipients == 2 and done.tasks == 3
    with pytest.raises(DecisionRefused) as caught:
        await service.set_section(store, clock, sec, meeting, "topics", "değişiklik")
    assert caught.value.problem is Problem.FINAL
    with pytest.raises(DecisionRefused) as caught:
        await service.add_decision(store, clock, sec, meeting, draft([own[0]]))
    assert caught.value.problem is Problem.FINAL
    with pytest.raises(DecisionRefused) as caught:
        await service.finalise(store, clock, sec, meeting, None, None)
    assert caught.value.problem is Problem.FINAL


async def test_progress_refusals(store: Store, clock: ManualClock) -> None:
    world = await _world(store, clock)
    grants = world.grants
    sec, liaison, member = grants["sec"], grants["liaison0"], grants["member1"]
    meeting = world.meeting
    own = world.institutions
    made = await service.add_decision(store, clock, sec, meeting, draft([own[0], own[1]]))
    await service.finalise(store, clock, sec, meeting, None, None)
    # Another institution's share of the decision is not mine to report.
    with pytest.raises(ServiceError):
        await service.report(store, clock, liaison, made.id, own[1],
                             Report(Status.DONE, None, "x"), None)
    with pytest.raises(DecisionRefused) as caught:
        await service.report(store, clock, liaison, made.id, own[2],
                             Report(Status.DONE, None, "x"), None)
    assert caught.value.problem is Problem.NOT_RESPONSIBLE
    with pytest.raises(DecisionRefused) as caught:
        await service.report(store, clock, liaison, made.id, own[0],
                             Report(Status.BLOCKED, " ", "x"), None)
    assert caught.value.problem is Problem.REASON_NEEDED
    big = ("big.pdf", "application/pdf", b"0" * (service.EVIDENCE_MAX + 1))
    with pytest.raises(DecisionRefused) as caught:
        await service.report(store, clock, liaison, made.id, own[0],
                             Report(Status.DONE, None, "x", big), None)
    assert caught.value.problem is Problem.EVIDENCE_TOO_LARGE
    assert await store.decisions.latest_progress([made.id]) == {}
    state = await service.report(store, clock, liaison, made.id, own[0],
                                 Report(Status.DONE, None, "bitti"), None)
    assert state is Status.IN_PROGRESS  # derived: the other institution has not finished
    with pytest.raises(DecisionRefused) as caught:
        await service.report(store, clock, liaison, made.id, own[0],
                             Report(Status.DONE, None, "yine"), None)
    assert caught.value.problem is Problem.CLOSED
    state = await service.report(store, clock, member, made.id, own[1],
                                 Report(Status.DONE, None, "bitti"), None)
    assert state is Status.DONE
    entries, reports = await service.register(store, clock, sec, service.Filter.OPEN)
    assert entries == [] and reports


async def test_district_minutes_go_to_the_provincial_directorate_art_12_5(
        store: Store, clock: ManualClock) -> None:
    world = await _world(store, clock)
    district = world.seeded.districts[0]
    meeting = await store.meetings.add(district, MeetingKind.ORDINARY, MeetingStatus.SCHEDULED,
                                       MEETING, "Kaymakamlık", clock.now())
    sec = world.grants["sec"]
    await service.open_minutes(store, clock, sec, meeting)
    done = await service.finalise(store, clock, sec, meeting, None, None)
    assert done.recipients == 2  # the district's member and the provincial directorate
    rows = await store.db.fetchall("SELECT chat_id FROM outbox ORDER BY chat_id")
    assert {r["chat_id"] for r in rows} == {1, 4}


async def test_reminder_source_is_derived_from_decisions_and_progress(
        store: Store, clock: ManualClock) -> None:
    from bot.notify.decision_kinds import DecisionReminders

    world = await _world(store, clock)
    sec, liaison = world.grants["sec"], world.grants["liaison0"]
    own = world.institutions
    made = await service.add_decision(store, clock, sec, world.meeting,
                                      draft([own[0], own[1]], "28.02.2027"))
    source = DecisionReminders(9)
    assert await source.reminders(store, clock.now()) == []  # not finalised yet
    await service.finalise(store, clock, sec, world.meeting, None, None)

    def stages(found: list, institution: int) -> list[str]:  # type: ignore[type-arg]
        return [r.key.split(":", 5)[5] for r in found
                if r.payload["institution_id"] == institution]

    found = await source.reminders(store, clock.now())
    assert stages(found, own[0]) == ["before:14"]  # derived 30 days ahead: 14.02 only
    assert all(":2027-02-28:" in r.key for r in found)  # a changed deadline: new keys
    # Long after the deadline (the bot was down): only the latest weekly reminder, and both
    # escalations once (their outbox keys are unique), not every step missed.
    late = datetime(2027, 3, 22, 7, 0, tzinfo=UTC)
    due = [r for r in await source.reminders(store, late) if r.due_at <= late]
    assert stages(due, own[0]) == ["member:1", "secretariat:2", "after:3"]
    await service.report(store, clock, liaison, made.id, own[0],
                         Report(Status.IN_PROGRESS, None, "başladı"), None)
    due = [r for r in await source.reminders(store, late) if r.due_at <= late]
    assert stages(due, own[0]) == ["after:3"]  # it reported: no escalation
    await service.report(store, clock, liaison, made.id, own[0],
                         Report(Status.DONE, None, "bitti"), None)
    assert stages(await source.reminders(store, late), own[0]) == []
    recipients = await source.recipients(store, await source.reminders(store, late))
    chats = {r.chat_id for people in recipients.values() for r in people}
    assert chats == {3, 1}  # member1 for its institution; the secretariat (escalation)


async def test_art_6_3_subcommission_decisions_reach_its_liaison_officers_once(
        store: Store, clock: ManualClock) -> None:
    """Art. 6(3): the liaison officers of the provincial council's institutions sit on the
    sub-commission, so its register is theirs; each task of an institution is listed once,
    though the officer holds it on both councils. A provincial member does not sit on the
    sub-commission (no register there) but still answers for the institution's task (Art.
    5(6), 12(4))."""
    world = await _world(store, clock)
    sec, liaison, member = (world.grants[n] for n in ("sec", "liaison0", "member1"))
    own = world.institutions
    held = await store.meetings.add(world.seeded.subcommission_id, MeetingKind.ORDINARY,
                                    MeetingStatus.SCHEDULED, MEETING, "Valilik", clock.now())
    sub = await service.add_decision(store, clock, sec, held, draft([own[0], own[1]]))
    await service.finalise(store, clock, sec, held, None, None)
    provincial = await service.add_decision(store, clock, sec, world.meeting, draft([own[0]]))
    await service.finalise(store, clock, sec, world.meeting, None, None)

    tasks = await service.my_tasks(store, clock, liaison)
    assert sorted((t.decision.id, t.institution.id) for t in tasks) == sorted(
        [(sub.id, own[0]), (provincial.id, own[0])])
    assert [(t.decision.id, t.institution.id) for t in await service.my_tasks(
        store, clock, member)] == [(sub.id, own[1])]
    seen, _reports = await service.register(store, clock, liaison)
    assert {e.decision.id for e in seen} == {sub.id, provincial.id}
    seen, _reports = await service.register(store, clock, member)
    assert {e.decision.id for e in seen} == {provincial.id}
