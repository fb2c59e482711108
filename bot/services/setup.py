"""Setting a province up: its councils, their institutions, and the first secretariat link.

The command line creates a province offline (``python -m bot init``); the secretariat later
adds, renames and removes districts and institutions in the bot, through the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.clock import Clock
from bot.domain.institutions import DISTRICT_INSTITUTIONS, PROVINCIAL_INSTITUTIONS
from bot.domain.models import Council, CouncilKind, Institution, Province, RoleKind
from bot.domain.permissions import Grant, Permission, Target
from bot.domain.validation import INSTITUTION_NAME_MAX, clean_text
from bot.services.access import council_or_refuse, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import issue_token
from bot.store import Store

# Art. 4(2): Kaymakams of districts with more than 2,000 foreigners sit on the provincial council.
KAYMAKAM_THRESHOLD = 2000


@dataclass(frozen=True, slots=True)
class ProvinceSetup:
    province: Province
    council_id: int
    subcommission_id: int
    token: str


async def init_province(
    store: Store,
    clock: Clock,
    name: str,
    foreign_population: int,
    *,
    timezone: str = "Europe/Istanbul",
    invite_ttl_days: int = 7,
) -> ProvinceSetup:
    name = clean_text(name, 60)
    if await store.councils.province_by_name(name) is not None:
        raise ServiceError(Refusal.PROVINCE_EXISTS, name)
    now = clock.now()
    async with store.db.transaction():
        province = await store.councils.add_province(name, timezone, now)
        council_id = await store.councils.add_council(
            province.id, CouncilKind.PROVINCIAL, now, foreign_population=foreign_population
        )
        sub_id = await store.councils.add_council(
            province.id, CouncilKind.SUBCOMMISSION, now, parent_id=council_id,
            foreign_population=foreign_population,
        )
        await store.councils.add_institutions(council_id, PROVINCIAL_INSTITUTIONS, now)
        token = await issue_token(
            store, now, province.id, council_id, RoleKind.SECRETARIAT, invite_ttl_days
        )
        await store.audit.record(now, "province.init", f"province:{province.id}", before=None,
                                 after={"name": name, "timezone": timezone,
                                        "foreign_population": foreign_population})
    return ProvinceSetup(province, council_id, sub_id, token)


async def province_or_refuse(store: Store, name: str) -> Province:
    province = await store.councils.province_by_name(name)
    if province is None:
        raise ServiceError(Refusal.PROVINCE_UNKNOWN, name)
    return province


async def add_district(
    store: Store,
    clock: Clock,
    province_id: int,
    name: str,
    foreign_population: int,
    border: bool,
    *,
    grants: list[Grant] | None = None,
    actor_id: int | None = None,
) -> Council:
    """Add a district council with the Art. 4(3) institutions. ``grants`` None: the CLI."""
    if grants is not None:
        require(Permission.MANAGE_DISTRICTS, grants, Target(province_id=province_id))
    name = clean_text(name, 60)
    if await store.councils.district_by_name(province_id, name) is not None:
        raise ServiceError(Refusal.DISTRICT_EXISTS, name)
    provincial = await store.councils.council_of_kind(province_id, CouncilKind.PROVINCIAL)
    if provincial is None:
        raise ServiceError(Refusal.PROVINCE_UNKNOWN, str(province_id))
    now = clock.now()
    async with store.db.transaction():
        council_id = await store.councils.add_council(
            province_id, CouncilKind.DISTRICT, now, foreign_population=foreign_population,
            border=border, parent_id=provincial.id, district=name,
        )
        await store.councils.add_institutions(council_id, DISTRICT_INSTITUTIONS, now)
        if foreign_population > KAYMAKAM_THRESHOLD:
            kaymakam = f"{name} Kaymakamlığı"
            if await store.councils.institution_by_name(provincial.id, kaymakam) is None:
                await store.councils.add_institutions(provincial.id, [kaymakam], now)
        await store.audit.record(now, "district.add", f"council:{council_id}", actor_id=actor_id,
                                 before=None,
                                 after={"name": name, "foreign_population": foreign_population,
                                        "border": border})
    council = await store.councils.council(council_id)
    assert council is not None
    return council


async def rename_district(
    store: Store, clock: Clock, grants: list[Grant], council_id: int, name: str,
    actor_id: int | None,
) -> Council:
    council = await council_or_refuse(store, council_id)
    require(Permission.MANAGE_DISTRICTS, grants, Target(province_id=council.province_id))
    if council.kind is not CouncilKind.DISTRICT:
        raise ServiceError(Refusal.NOT_FOUND, f"district {council_id}")
    name = clean_text(name, 60)
    other = await store.councils.district_by_name(council.province_id, name)
    if other is not None and other.id != council.id:
        raise ServiceError(Refusal.DISTRICT_EXISTS, name)
    async with store.db.transaction():
        await store.councils.rename_district(council.id, name)
        await store.audit.record(clock.now(), "district.rename", f"council:{council.id}",
                                 actor_id=actor_id, before={"name": council.name},
                                 after={"name": name})
    renamed = await store.councils.council(council.id)
    assert renamed is not None
    return renamed


async def remove_district(
    store: Store, clock: Clock, grants: list[Grant], council_id: int, actor_id: int | None
) -> None:
    """Remove a district council; refused while anyone still holds a role on it."""
    council = await council_or_refuse(store, council_id)
    require(Permission.MANAGE_DISTRICTS, grants, Target(province_id=council.province_id))
    if council.kind is not CouncilKind.DISTRICT:
        raise ServiceError(Refusal.NOT_FOUND, f"district {council_id}")
    if await store.people.seats(council.id):
        raise ServiceError(Refusal.DISTRICT_HAS_PEOPLE, council.name)
    async with store.db.transaction():
        await store.councils.remove_council(council.id, clock.now())
        await store.audit.record(clock.now(), "district.remove", f"council:{council.id}",
                                 actor_id=actor_id, before={"name": council.name}, after=None)


async def add_institution(
    store: Store, clock: Clock, grants: list[Grant], council_id: int, name: str,
    actor_id: int | None,
) -> Institution:
    council = await council_or_refuse(store, council_id)
    require(Permission.MANAGE_INSTITUTIONS, grants, target_of(council))
    name = clean_text(name, INSTITUTION_NAME_MAX)
    if await store.councils.institution_by_name(council.id, name) is not None:
        raise ServiceError(Refusal.INSTITUTION_EXISTS, name)
    async with store.db.transaction():
        await store.councils.add_institutions(council.id, [name], clock.now())
        institution = await store.councils.institution_by_name(council.id, name)
        assert institution is not None
        await store.audit.record(clock.now(), "institution.add", f"institution:{institution.id}",
                                 actor_id=actor_id, before=None,
                                 after={"council_id": council.id, "name": name})
    return institution


async def _institution_in(store: Store, council: Council, institution_id: int) -> Institution:
    institution = await store.councils.institution(institution_id)
    if institution is None or institution.council_id != council.id:
        raise ServiceError(Refusal.NOT_FOUND, f"institution {institution_id}")
    return institution


async def rename_institution(
    store: Store, clock: Clock, grants: list[Grant], council_id: int, institution_id: int,
    name: str, actor_id: int | None,
) -> Institution:
    council = await council_or_refuse(store, council_id)
    require(Permission.MANAGE_INSTITUTIONS, grants, target_of(council))
    institution = await _institution_in(store, council, institution_id)
    name = clean_text(name, INSTITUTION_NAME_MAX)
    other = await store.councils.institution_by_name(council.id, name)
    if other is not None and other.id != institution.id:
        raise ServiceError(Refusal.INSTITUTION_EXISTS, name)
    async with store.db.transaction():
        await store.councils.rename_institution(institution.id, name)
        await store.audit.record(clock.now(), "institution.rename",
                                 f"institution:{institution.id}", actor_id=actor_id,
                                 before={"name": institution.name}, after={"name": name})
    renamed = await store.councils.institution(institution.id)
    assert renamed is not None
    return renamed


async def remove_institution(
    store: Store, clock: Clock, grants: list[Grant], council_id: int, institution_id: int,
    actor_id: int | None,
) -> Institution:
    """Remove an institution; refused while someone still sits for it (end their roles first)."""
    council = await council_or_refuse(store, council_id)
    require(Permission.MANAGE_INSTITUTIONS, grants, target_of(council))
    institution = await _institution_in(store, council, institution_id)
    if any(s.role.institution_id == institution.id for s in await store.people.seats(council.id)):
        raise ServiceError(Refusal.INSTITUTION_HAS_PEOPLE, institution.name)
    now: datetime = clock.now()
    async with store.db.transaction():
        await store.councils.remove_institution(institution.id, now)
        await store.audit.record(now, "institution.remove", f"institution:{institution.id}",
                                 actor_id=actor_id, before={"name": institution.name},
                                 after=None)
    return institution
