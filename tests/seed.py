"""Seeding the store directly for notification tests: provinces, councils and many people with
real roles, much faster than registering each through the bot's flow."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.clock import Clock
from bot.domain.models import Council, CouncilKind, Person, Rank, RoleKind
from bot.domain.permissions import Grant
from bot.services import setup
from bot.store import Store


@dataclass
class Seeded:
    province_id: int
    provincial_id: int
    subcommission_id: int
    districts: list[int] = field(default_factory=list)
    # telegram id -> person id
    people: dict[int, int] = field(default_factory=dict)


class World:
    """A seeded province as service tests use it: who holds what, looked up by Telegram id."""

    def __init__(self, store: Store, clock: Clock, seeded: Seeded) -> None:
        self.store, self.clock, self.seeded = store, clock, seeded
        self.council = seeded.provincial_id

    async def grants(self, telegram_id: int) -> list[Grant]:
        return await self.store.people.grants(telegram_id)

    async def person(self, telegram_id: int) -> Person:
        found = await self.store.people.by_telegram_id(telegram_id)
        assert found is not None
        return found


async def province(store: Store, clock: Clock, name: str = "Gaziantep",
                   population: int = 420_000, districts: int = 0) -> Seeded:
    done = await setup.init_province(store, clock, name, population)
    seeded = Seeded(done.province.id, done.council_id, done.subcommission_id)
    for n in range(districts):
        council = await setup.add_district(store, clock, done.province.id, f"İlçe {n + 1}",
                                           5000 + n, False)
        seeded.districts.append(council.id)
    return seeded


async def person(
    store: Store,
    clock: Clock,
    telegram_id: int,
    name: str,
    council_id: int,
    kind: RoleKind,
    *,
    institution_id: int | None = None,
    rank: Rank | None = None,
    language: str = "en",
    title: str = "Uzman",
) -> int:
    now = clock.now()
    found = await store.people.upsert(telegram_id, name, title,
                                      f"+90532{telegram_id % 10_000_000:07d}", language, now)
    await store.people.add_role(found.id, council_id, kind, now, institution_id=institution_id,
                                rank=rank)
    return found.id


async def many(store: Store, clock: Clock, seeded: Seeded, count: int, first_id: int,
               language: str = "en") -> dict[int, int]:
    """`count` people, each holding one role (member, deputy, principal or substitute liaison
    officer) for an institution of the province's councils; returns telegram id -> person id."""
    councils = [seeded.provincial_id, *seeded.districts]
    slots: list[tuple[int, int, RoleKind, Rank | None]] = []
    for council_id in councils:
        for institution in await store.councils.institutions(council_id):
            slots += [
                (council_id, institution.id, RoleKind.MEMBER, None),
                (council_id, institution.id, RoleKind.DEPUTY, None),
                (council_id, institution.id, RoleKind.LIAISON, Rank.PRINCIPAL),
                (council_id, institution.id, RoleKind.LIAISON, Rank.SUBSTITUTE),
            ]
    if count > len(slots):
        raise ValueError(f"only {len(slots)} seats for {count} people: add districts")
    made: dict[int, int] = {}
    for n in range(count):
        council_id, institution_id, kind, rank = slots[n]
        telegram_id = first_id + n
        made[telegram_id] = await person(
            store, clock, telegram_id, f"Kişi {n + 1:04d}", council_id, kind,
            institution_id=institution_id, rank=rank, language=language)
    seeded.people.update(made)
    return made


async def council_of(store: Store, province_name: str,
                     kind: CouncilKind = CouncilKind.PROVINCIAL) -> Council:
    """A province's provincial council (or sub-commission), set up by `init`."""
    found = await store.councils.province_by_name(province_name)
    assert found is not None, province_name
    council = await store.councils.council_of_kind(found.id, kind)
    assert council is not None
    return council
