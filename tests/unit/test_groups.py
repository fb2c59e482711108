"""Council groups (issue 8) on a real store and a manual clock: who may link a group and how
links replace each other, the group following a migration to a supergroup, the link ending
when the bot is removed, the announcements derived from the members' notices (once each, none
for a group linked later, none for a cancellation the group never heard of), and no personal
data in any kind rendered for a group."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Any

import pytest

from bot.domain.clock import ManualClock
from bot.domain.meetings import MeetingKind
from bot.domain.models import RoleKind
from bot.i18n import translator
from bot.notify import group_kinds
from bot.notify.kinds import BROADCAST, Kind, RenderInput
from bot.notify.reminders import Scheduler
from bot.services import broadcast, meetings
from bot.services import groups as service
from bot.services.errors import Refusal, ServiceError
from bot.store import Store
from tests import seed

SEC, CHAIR, M1, M2, DSEC, STRANGER = 1, 2, 11, 12, 21, 99
GROUP, OTHER = -100111, -100222
NAMES = ("Selin Kaya", "Vali Bey", "Ayşe Yılmaz", "Burak Demir", "Deniz Ak")
PHONE_DIGITS = "0532"
TITLES = ("İl Müdürü", "Uzman")


class World(seed.World):
    clock: ManualClock

    async def link(self, telegram_id: int = SEC, chat_id: int = GROUP,
                   council: int | None = None) -> service.Linked:
        return await service.link(self.store, self.clock, await self.grants(telegram_id),
                                  await self.person(telegram_id), chat_id,
                                  council or self.council)

    async def announce(self) -> int:
        scheduler = Scheduler(self.store, self.clock, [group_kinds.GroupAnnouncements()], None)
        return (await scheduler.rebuild()).queued_rows

    async def group_rows(self, chat_id: int = GROUP) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.store.db.fetchall(
            "SELECT n.kind, n.payload, o.language, o.person_id FROM outbox o"
            " JOIN notice n ON n.id = o.notice_id WHERE o.chat_id = ? ORDER BY o.id",
            (chat_id,))
        assert all(r["language"] == "tr" and r["person_id"] is None for r in rows)
        return [(r["kind"], json.loads(r["payload"])) for r in rows]


@pytest.fixture
async def world(store: Store, clock: ManualClock) -> World:
    seeded = await seed.province(store, clock, districts=1)
    council = seeded.provincial_id
    institutions = await store.councils.institutions(council)
    await seed.person(store, clock, SEC, NAMES[0], council, RoleKind.SECRETARIAT)
    await seed.person(store, clock, CHAIR, NAMES[1], council, RoleKind.CHAIR)
    await seed.person(store, clock, M1, NAMES[2], council, RoleKind.MEMBER,
                      institution_id=institutions[0].id, title=TITLES[0])
    await seed.person(store, clock, M2, NAMES[3], council, RoleKind.MEMBER,
                      institution_id=institutions[1].id, title=TITLES[0])
    await seed.person(store, clock, DSEC, NAMES[4], seeded.districts[0], RoleKind.SECRETARIAT)
    for chat_id, by in ((GROUP, SEC), (OTHER, SEC)):
        await service.bot_added(store, clock, chat_id, "group", f"Grup {chat_id}", by)
    return World(store, clock, seeded)


async def refusal(coro: Any) -> Refusal:
    with pytest.raises(ServiceError) as caught:
        await coro
    return caught.value.refusal


# --- linking ------------------------------------------------------------------------------------


async def test_who_added_the_bot_and_may_broadcast_is_offered_their_councils(
    world: World, store: Store, clock: ManualClock
) -> None:
    # The provincial directorate reaches every council of the province; a district's
    # secretariat its own; a member and a stranger nothing (and learn nothing).
    offered = await service.bot_added(store, clock, -1, "supergroup", "A", SEC)
    assert {c.id for c in offered} == {world.council, world.seeded.subcommission_id,
                                       world.seeded.districts[0]}
    offered = await service.bot_added(store, clock, -2, "group", "B", DSEC)
    assert [c.id for c in offered] == [world.seeded.districts[0]]
    assert await service.bot_added(store, clock, -3, "group", "C", M1) == []
    assert await service.bot_added(store, clock, -4, "group", "D", STRANGER) == []
    assert await service.bot_added(store, clock, -5, "channel", "E", SEC) == []
    assert await store.groups.group(-5) is None


async def test_only_the_one_who_added_it_links_it_and_only_to_their_councils(
    world: World, store: Store, clock: ManualClock
) -> None:
    await service.bot_added(store, clock, -2, "group", "B", DSEC)
    # Forged buttons: another person's group, a council beyond one's reach, a group gone.
    assert await refusal(world.link(DSEC, GROUP, world.seeded.districts[0])) is Refusal.NOT_FOUND
    assert await refusal(world.link(DSEC, -2, world.council)) is Refusal.FORBIDDEN
    assert await refusal(world.link(M1, GROUP)) is Refusal.NOT_FOUND
    await service.bot_left(store, clock, -2, DSEC)
    assert await refusal(world.link(DSEC, -2, world.seeded.districts[0])) is Refusal.NOT_FOUND
    linked = await world.link()
    assert linked.link.chat_id == GROUP and linked.replaced is None
    [entry] = await store.audit.entries(action_prefix="group.link")
    assert entry.actor_id == (await world.person(SEC)).id
    assert entry.details["after"]["group"] == GROUP
    assert [k for k, _p in await world.group_rows()] == [service.LINKED_KIND]


async def test_one_group_per_council_and_one_council_per_group(
    world: World, store: Store
) -> None:
    await world.link(chat_id=GROUP)
    again = await world.link(chat_id=OTHER)          # the council takes another group
    assert again.replaced is not None and again.replaced.chat_id == GROUP
    assert (await store.groups.of_council(world.council)).chat_id == OTHER  # type: ignore[union-attr]
    district = world.seeded.districts[0]
    moved = await world.link(chat_id=OTHER, council=district)  # the group goes to another
    assert moved.moved_from is not None and moved.moved_from.id == world.council
    assert await store.groups.of_council(world.council) is None
    assert (await store.groups.of_council(district)).chat_id == OTHER  # type: ignore[union-attr]
    # Unlinking: the secretariat of the council only; audited.
    assert await refusal(service.unlink(store, world.clock, await world.grants(M1),
                                        await world.person(M1), district)) is Refusal.FORBIDDEN
    ended = await service.unlink(store, world.clock, await world.grants(SEC),
                                 await world.person(SEC), district)
    assert ended.chat_id == OTHER and await store.groups.of_council(district) is None
    assert await store.audit.entries(action_prefix="group.unlink")


async def test_the_link_follows_a_migration_and_ends_when_the_bot_is_removed(
    world: World, store: Store, clock: ManualClock
) -> None:
    await world.link()
    new_id = -1009876543210
    link = await service.migrated(store, clock, GROUP, new_id, "Grup (süper)")
    assert link is not None and link.chat_id == new_id
    # Both chats report the migration: the second report changes nothing.
    assert (await service.migrated(store, clock, GROUP, new_id, "")).chat_id == new_id  # type: ignore[union-attr]
    old = await store.groups.group(GROUP)
    assert old is not None and not old.present
    # Removed: the link ends; the secretariat (and whoever linked it) is told once each.
    told = await service.bot_left(store, clock, new_id, M1)
    assert told == 1  # Selin is both the secretariat and the linker
    assert await store.groups.of_council(world.council) is None
    rows = await store.db.fetchall(
        "SELECT o.chat_id, n.payload FROM outbox o JOIN notice n ON n.id = o.notice_id"
        " WHERE n.kind = ?", (service.REMOVED_KIND,))
    assert [r[0] for r in rows] == [SEC] and "Grup (süper)" in rows[0][1]
    # Removed from a group that was not linked: nobody is told.
    assert await service.bot_left(store, clock, OTHER, SEC) == 0


# --- announcements ------------------------------------------------------------------------------


async def test_meeting_notices_are_announced_once_and_only_after_the_link(
    world: World, store: Store, clock: ManualClock
) -> None:
    sec, chair = await world.person(SEC), await world.person(CHAIR)

    async def scheduled(day: date) -> int:
        done = await meetings.schedule(store, clock, await world.grants(SEC), sec.id,
                                       world.council, MeetingKind.ORDINARY, day,
                                       time(10, 30), "Valilik Toplantı Salonu")
        await meetings.approve(store, clock, await world.grants(CHAIR), chair.id,
                               done.meeting.id, 0)
        return done.meeting.id

    before = await scheduled(date(2027, 1, 14))      # before the link: never announced
    clock.advance(timedelta(minutes=1))
    await world.link()
    assert await world.announce() == 0
    meeting_id = await scheduled(date(2027, 1, 21))
    assert await world.announce() == 1
    assert await world.announce() == 0               # a rebuild queues nothing twice
    await meetings.move(store, clock, await world.grants(SEC), sec.id, meeting_id,
                        date(2027, 1, 22), time(14, 0), "Valilik Toplantı Salonu")
    await meetings.cancel(store, clock, await world.grants(SEC), sec.id, before,
                          "Ayşe Yılmaz hasta")       # the group never heard of this one
    await meetings.cancel(store, clock, await world.grants(SEC), sec.id, meeting_id,
                          "Burak Demir yurt dışında")
    assert await world.announce() == 2
    kinds = [(k, p.get("event")) for k, p in await world.group_rows()]
    assert kinds == [(service.LINKED_KIND, None), (group_kinds.MEETING_KIND, "new"),
                     (group_kinds.MEETING_KIND, "moved"), (group_kinds.MEETING_KIND,
                                                           "cancelled")]
    # What reaches the group's payload at all: whitelisted fields, never the reason.
    for _kind, payload in (await world.group_rows())[1:]:
        assert "reason" not in payload and "stamp" not in payload
        assert set(payload) <= {*group_kinds.MEETING_FIELDS, "chat_id"}
    # At send time: an announcement of a meeting since moved is not sent.
    notices = await store.db.fetchall(
        "SELECT id FROM notice WHERE kind = ? ORDER BY id", (group_kinds.MEETING_KIND,))
    first = await store.outbox.notice(notices[0][0])
    last = await store.outbox.notice(notices[-1][0])
    assert first is not None and last is not None
    assert not await group_kinds.meeting_relevant(store, clock, first)
    assert await group_kinds.meeting_relevant(store, clock, last)
    # ...nor one whose group was unlinked meanwhile.
    await service.unlink(store, clock, await world.grants(SEC), sec, world.council)
    assert not await group_kinds.meeting_relevant(store, clock, last)


async def test_a_broadcast_to_the_group_has_one_row_in_turkish(
    world: World, store: Store, clock: ManualClock
) -> None:
    grants = await world.grants(SEC)
    with pytest.raises(ServiceError):  # no group linked yet
        await broadcast.queue(store, clock, grants, (await world.person(SEC)).id, "d1",
                              broadcast.Audience.GROUP, "Duyuru", council_id=world.council)
    await world.link()
    queued = await broadcast.queue(store, clock, grants, (await world.person(SEC)).id, "d2",
                                   broadcast.Audience.GROUP, "Duyuru", council_id=world.council)
    assert queued.recipients == 1
    assert [k for k, _p in await world.group_rows()] == [service.LINKED_KIND, "broadcast"]
    # A member cannot write to the group.
    with pytest.raises(ServiceError):
        await broadcast.queue(store, clock, await world.grants(M1), (await world.person(M1)).id,
                              "d3", broadcast.Audience.GROUP, "x", council_id=world.council)


# --- no personal data, in any kind rendered for a group ------------------------------------------


def _members_meeting_payload(event: str) -> dict[str, Any]:
    """A members' notice as services.meetings builds it, with everything personal it may
    carry filled in."""
    return {
        "meeting_id": 7, "sequence": 1, "council_id": 1, "council_kind": "provincial",
        "council_name": "Gaziantep", "province_name": "Gaziantep",
        "timezone": "Europe/Istanbul", "starts_at": "2027-01-14T07:30:00+00:00",
        "duration_minutes": 120, "place": "Valilik Toplantı Salonu", "kind": "extraordinary",
        "called_by": "chair", "override_reason": f"{NAMES[0]} ({TITLES[1]}) izinde",
        "event": event, "stamp": "2027-01-04T09:00:00+00:00",
        "previous_starts_at": "2027-01-13T07:30:00+00:00", "previous_place": "Valilik",
        "answers_reset": True, "reason": f"{NAMES[2]} {PHONE_DIGITS} 123 45 67 hasta",
        "member": NAMES[3], "deputy": NAMES[4], "institution": "İl Göç İdaresi",
        "invitation": True,
    }


def _members_agenda_payload() -> dict[str, Any]:
    return {
        "meeting_id": 7, "version": 2, "council_id": 1, "council_kind": "provincial",
        "council_name": "Gaziantep", "day": "2027-01-14",
        "starts_at": "2027-01-14T07:30:00+00:00", "timezone": "Europe/Istanbul",
        "fixed": ["previous_decisions", "action_plan"],
        "groups": [{"area": "social_cohesion", "items": [
            {"title": "Okul kayıtları", "source": f"{NAMES[1]}, {TITLES[0]}", "risk": True}]}],
        "previous": [{"number": "2026/3", "text": f"{NAMES[0]} arayacak", "state": "open"}],
    }


def _samples() -> dict[str, list[dict[str, Any]]]:
    meeting = [group_kinds.group_payload(meetings.NOTICE_KIND, _members_meeting_payload(e), GROUP)
               for e in ("new", "moved", "cancelled")]
    agenda = [group_kinds.group_payload("agenda_published", _members_agenda_payload(), GROUP)]
    linked = [{"council_id": 1, "council_kind": "district", "council_name": "Nizip"}]
    told = [{"audience": "group", "council_id": 1, "council_kind": "provincial",
             "council_name": "Gaziantep", "province_id": 1, "province_name": "Gaziantep",
             "text": "Toplantı duyurusu", "group_title": "Grup"}]
    return {group_kinds.MEETING_KIND: meeting, group_kinds.AGENDA_KIND: agenda,
            service.LINKED_KIND: linked, BROADCAST.name: told}


def test_no_kind_rendered_for_a_group_shows_a_name_a_phone_or_a_title() -> None:
    samples = _samples()
    kinds: list[Kind] = [*group_kinds.GROUP_KINDS, BROADCAST]
    for kind in kinds:
        payloads = samples[kind.name]  # a new group kind needs its sample here
        for payload in payloads:
            for locale in ("tr", "en"):
                rendered = kind.render(RenderInput(payload, {}, translator(locale)))
                text = rendered.text
                for name in NAMES:
                    assert name not in text and name.split()[-1] not in text, (kind.name, text)
                assert PHONE_DIGITS not in text and "hasta" not in text, (kind.name, text)
                for title in TITLES:
                    assert title not in text, (kind.name, text)
                assert rendered.buttons == () and not hasattr(rendered, "content"), kind.name
    # ...while the announcement still says what the group needs.
    [moved] = [group_kinds.MEETING.render(RenderInput(p, {}, translator("tr")))
               for p in samples[group_kinds.MEETING_KIND] if p["event"] == "moved"]
    assert "14 Ocak 2027 Perşembe" in moved.text and "10:30" in moved.text
    assert "Valilik Toplantı Salonu" in moved.text and "13 Ocak 2027" in moved.text
    [agenda] = samples[group_kinds.AGENDA_KIND]
    assert "Okul kayıtları" in group_kinds.AGENDA.render(
        RenderInput(agenda, {}, translator("tr"))).text


async def test_a_published_agenda_is_announced_with_titles_only(
    world: World, store: Store, clock: ManualClock
) -> None:
    await world.link()
    clock.advance(timedelta(minutes=1))
    payload = {**_members_agenda_payload(), "meeting_id": 1}
    notice, _ = await store.outbox.add_notice(
        "agenda:published:1:2", "agenda_published", "proposal:", payload, clock.now(),
        province_id=world.seeded.province_id, council_id=world.council)
    await store.outbox.enqueue(notice.id, [], clock.now(), clock.now(), clock.now())
    assert await world.announce() == 1
    [_linked, (kind, copy)] = await world.group_rows()
    assert kind == group_kinds.AGENDA_KIND
    assert copy["groups"] == [{"area": "social_cohesion", "titles": ["Okul kayıtları"]}]
    assert "previous" not in copy and NAMES[1] not in json.dumps(copy, ensure_ascii=False)
    # Another council's agenda never reaches this group.
    await store.outbox.add_notice(
        "agenda:published:2:1", "agenda_published", "proposal:", payload, clock.now(),
        province_id=world.seeded.province_id, council_id=world.seeded.districts[0])
    assert await world.announce() == 0
