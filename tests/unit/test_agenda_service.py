"""Agenda proposals as use cases: ownership by institution, refusals, merge, reorder, the
upward flow and a period's proposals joining the meeting scheduled for it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.agenda import ProposalKind, ProposalStatus, TopicArea
from bot.domain.clock import ManualClock
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import Rank, RoleKind
from bot.i18n import translator
from bot.services import agenda as service
from bot.services.errors import ServiceError
from bot.store import Store
from tests import seed

MEETING = datetime(2027, 4, 12, 7, 0, tzinfo=UTC)


async def _world(store: Store, clock: ManualClock) -> dict[str, object]:
    seeded = await seed.province(store, clock, districts=1)
    institutions = await store.councils.institutions(seeded.provincial_id)
    people = {}
    for name, tid, index, kind, rank in (
            ("sec", 1, None, RoleKind.SECRETARIAT, None),
            ("principal", 2, 0, RoleKind.LIAISON, Rank.PRINCIPAL),
            ("substitute", 3, 0, RoleKind.LIAISON, Rank.SUBSTITUTE),
            ("other", 4, 1, RoleKind.LIAISON, Rank.PRINCIPAL)):
        await seed.person(store, clock, tid, name, seeded.provincial_id, kind,
                          institution_id=institutions[index].id if index is not None else None,
                          rank=rank)
        people[name] = (await store.people.by_telegram_id(tid), await store.people.grants(tid))
    meeting_id = await store.meetings.add(seeded.provincial_id, MeetingKind.ORDINARY,
                                          MeetingStatus.SCHEDULED, MEETING, "Valilik",
                                          clock.now(), period="2027-04")
    return {"seeded": seeded, "people": people, "meeting": meeting_id,
            "institution": institutions[0].id}


async def _proposal(store: Store, clock: ManualClock, who: tuple, key: str, institution: int,
                    title: str = "Konu") -> int:
    person, grants = who
    made = await service.start(store, clock, grants, person, key, institution,
                               TopicArea.SOCIAL_COHESION, ProposalKind.REGULAR, title)
    await service.change(store, clock, grants, person, made.id, description="Gerekçe")
    await service.submit(store, clock, grants, person, made.id)
    return made.id


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2027, 3, 20, 7, 0, tzinfo=UTC))


async def test_a_proposal_is_the_institutions(store: Store, clock: ManualClock) -> None:
    world = await _world(store, clock)
    people = world["people"]
    key, inst = f"m:{world['meeting']}", int(world["institution"])  # type: ignore[call-overload]
    principal, substitute, other = people["principal"], people["substitute"], people["other"]
    draft = await service.start(store, clock, principal[1], principal[0], key, inst,
                                TopicArea.SOCIAL_COHESION, ProposalKind.REGULAR, "Başlık")
    # The substitute sees and edits what the principal started (Art. 10(2): "kurumu adına").
    changed = await service.change(store, clock, substitute[1], substitute[0], draft.id,
                                   description="Yedek yazdı")
    assert changed.description == "Yedek yazdı"
    assert [p.id for p in await service.mine(store, substitute[1])] == [draft.id]
    # Another institution's officer can neither see nor change it.
    with pytest.raises(ServiceError):
        await service.get_own(store, other[1], draft.id)
    with pytest.raises(ServiceError):
        await service.change(store, clock, other[1], other[0], draft.id, title="x")
    assert await service.mine(store, other[1]) == []
    # Nor may anyone propose for an institution not theirs.
    with pytest.raises(ServiceError):
        await service.start(store, clock, other[1], other[0], key, inst,
                            TopicArea.SOCIAL_COHESION, ProposalKind.REGULAR, "x")
    sent = await service.submit(store, clock, substitute[1], substitute[0], draft.id)
    assert not sent.late and not sent.already
    assert (await service.submit(store, clock, principal[1], principal[0], draft.id)).already
    # Role ended: refused.
    for role in await store.people.active_roles(principal[0].id):  # type: ignore[union-attr]
        await store.people.end_role(role.id, clock.now(), "test")
    grants = await store.people.grants(2)
    with pytest.raises(ServiceError):
        await service.withdraw(store, clock, grants, principal[0], draft.id)


async def test_review_merge_reorder_and_late(store: Store, clock: ManualClock) -> None:
    world = await _world(store, clock)
    people = world["people"]
    key, inst = f"m:{world['meeting']}", int(world["institution"])  # type: ignore[call-overload]
    sec = people["sec"]
    first = await _proposal(store, clock, people["principal"], key, inst, "Bir")
    second = await _proposal(store, clock, people["substitute"], key, inst, "İki")
    clock.set(datetime(2027, 3, 29, 7, 0, tzinfo=UTC))  # after the D-15 deadline (28 March)
    third = await _proposal(store, clock, people["principal"], key, inst, "Üç")
    assert (await store.agenda.get(third)).late  # type: ignore[union-attr]
    # Someone who is not the secretariat cannot review.
    with pytest.raises(ServiceError):
        await service.accept(store, clock, people["principal"][1], people["principal"][0],
                             first)
    await service.reorder(store, clock, sec[1], third, -1, sec[0].id)
    _target, queue = await service.queue_of(store, clock, sec[1], key)
    assert [p.title for p in queue] == ["Bir", "Üç", "İki"]
    await service.accept(store, clock, sec[1], sec[0], first)
    merged = await service.merge(store, clock, sec[1], sec[0], second, first)
    assert merged.status is ProposalStatus.MERGED and merged.merged_into == first
    with pytest.raises(service.AgendaRefused):
        await service.accept(store, clock, sec[1], sec[0], second)  # decided already
    with pytest.raises(service.AgendaRefused):
        await service.withdraw(store, clock, people["principal"][1], people["principal"][0],
                               first)


async def test_period_proposals_join_the_meeting_and_district_findings_go_up(
        store: Store, clock: ManualClock) -> None:
    seeded = await seed.province(store, clock, districts=1)
    district = seeded.districts[0]
    institutions = await store.councils.institutions(district)
    await seed.person(store, clock, 10, "Sek", seeded.provincial_id, RoleKind.SECRETARIAT)
    await seed.person(store, clock, 11, "İrtibat", district, RoleKind.LIAISON,
                      institution_id=institutions[0].id, rank=Rank.PRINCIPAL)
    officer = (await store.people.by_telegram_id(11), await store.people.grants(11))
    sec = (await store.people.by_telegram_id(10), await store.people.grants(10))
    clock.set(datetime(2027, 7, 1, 7, 0, tzinfo=UTC))
    [offer] = await service.offers(store, clock, officer[1])
    assert offer.target.estimated and offer.target.meeting is None  # next period, calendar
    pid = await _proposal(store, clock, officer, offer.target.key, institutions[0].id,
                          "İlçe bulgusu")
    # The district schedules its meeting for that period: the proposal is its own.
    meeting = await store.meetings.add(district, MeetingKind.ORDINARY, MeetingStatus.SCHEDULED,
                                       datetime(2027, 9, 6, 7, 0, tzinfo=UTC), "Kaymakamlık",
                                       clock.now(), period=offer.target.period)
    _target, queue = await service.queue_of(store, clock, sec[1], f"m:{meeting}")
    assert [p.id for p in queue] == [pid]
    await service.accept(store, clock, sec[1], sec[0], pid)
    # Art. 10(7): the provincial directorate forwards it, keeping its origin.
    made, destination = await service.forward(store, clock, sec[1], sec[0], pid)
    assert destination.council.id == seeded.provincial_id
    assert made.kind is ProposalKind.FINDING and made.origin_proposal_id == pid
    source = await service.source_of(store, translator("en"), made)
    assert source == "Findings of the İlçe 1 District Migration Coordination Council"
