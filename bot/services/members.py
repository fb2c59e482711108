"""Who sits where: a council's roster (``/members``) and a person's own record (``/me``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.models import Council, CouncilKind, Institution, Person, Rank, Role, RoleKind
from bot.domain.permissions import Grant, Permission
from bot.services.access import council_or_refuse, require, target_of
from bot.services.invites import institution_council
from bot.store import Store
from bot.store.people import Seat


@dataclass(slots=True)
class InstitutionRow:
    institution: Institution
    member: Person | None = None
    deputy: Person | None = None
    principal: Person | None = None
    substitute: Person | None = None

    def missing(self, kind: CouncilKind) -> list[str]:
        """Which seats are empty: codes ``member``, ``principal``, ``substitute``."""
        gaps = []
        if kind is not CouncilKind.SUBCOMMISSION and self.member is None:
            gaps.append("member")
        if self.principal is None:
            gaps.append("principal")
        if self.substitute is None:
            gaps.append("substitute")
        return gaps


@dataclass(slots=True)
class Roster:
    council: Council
    chair: list[Person] = field(default_factory=list)
    secretariat: list[Person] = field(default_factory=list)
    invitees: list[Person] = field(default_factory=list)
    rows: list[InstitutionRow] = field(default_factory=list)

    @property
    def missing_count(self) -> int:
        return sum(1 for row in self.rows if row.missing(self.council.kind))



async def roster(store: Store, grants: list[Grant], council_id: int) -> Roster:
    council = await council_or_refuse(store, council_id)
    require(Permission.VIEW_MEMBERS, grants, target_of(council))
    return await _build_roster(store, council)


async def _build_roster(store: Store, council: Council) -> Roster:
    institutions_of = institution_council(council)
    result = Roster(council)
    rows = {i.id: InstitutionRow(i) for i in await store.councils.institutions(institutions_of)}
    seats: list[Seat] = await store.people.seats(council.id)
    if institutions_of != council.id:
        seats += [s for s in await store.people.seats(institutions_of)
                  if s.role.kind is RoleKind.LIAISON]
    for seat in seats:
        role, person = seat.role, seat.person
        row = rows.get(role.institution_id) if role.institution_id else None
        if role.kind is RoleKind.CHAIR:
            result.chair.append(person)
        elif role.kind is RoleKind.SECRETARIAT:
            result.secretariat.append(person)
        elif role.kind is RoleKind.INVITEE:
            result.invitees.append(person)
        elif row is not None and role.kind is RoleKind.MEMBER:
            row.member = person
        elif row is not None and role.kind is RoleKind.DEPUTY:
            row.deputy = person
        elif row is not None and role.kind is RoleKind.LIAISON:
            if role.rank is Rank.PRINCIPAL:
                row.principal = person
            else:
                row.substitute = person
    result.rows = list(rows.values())
    return result


@dataclass(frozen=True, slots=True)
class RoleView:
    role: Role
    council: Council
    institution: Institution | None


@dataclass(frozen=True, slots=True)
class Me:
    person: Person
    roles: list[RoleView]


async def me(store: Store, telegram_user_id: int) -> Me | None:
    person = await store.people.by_telegram_id(telegram_user_id)
    if person is None:
        return None
    views = []
    for role in await store.people.active_roles(person.id):
        council = await store.councils.council(role.council_id)
        if council is None:
            continue
        institution = (
            await store.councils.institution(role.institution_id) if role.institution_id else None
        )
        views.append(RoleView(role, council, institution))
    return Me(person, views)


async def substitutes_to_promote(
    store: Store, grants: list[Grant], council_id: int
) -> list[InstitutionRow]:
    """Institutions of a council that have a substitute liaison officer who could be promoted."""
    council = await council_or_refuse(store, council_id)
    require(Permission.MANAGE_LIAISONS, grants, target_of(council))
    return [r for r in (await _build_roster(store, council)).rows if r.substitute is not None]
