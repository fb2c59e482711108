"""Registration by invitation, and the terms it opens and closes.

Opening an invitation and confirming one's name, title and phone grants the invited role. A
council has one member, one deputy, one principal and one substitute liaison officer per
institution and one chair: a newcomer to such a seat ends the previous holder's term, which stays
in the history. A substitute liaison officer can be promoted to principal.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.models import CouncilKind, Person, Rank, Role, RoleKind
from bot.domain.permissions import Grant, Permission
from bot.domain.validation import clean_name, clean_title, normalize_phone
from bot.i18n import normalize_locale
from bot.services import trail
from bot.services.access import council_or_refuse, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import InviteView, check_token
from bot.store import Store

# Seats one person holds at a time per institution (or per council, for the chair).
SINGLE_SEATS = frozenset({RoleKind.MEMBER, RoleKind.DEPUTY, RoleKind.LIAISON, RoleKind.CHAIR})


@dataclass(frozen=True, slots=True)
class Profile:
    full_name: str
    title: str
    phone: str
    language: str

    @classmethod
    def checked(cls, full_name: str, title: str, phone: str, language: str) -> Profile:
        return cls(clean_name(full_name), clean_title(title), normalize_phone(phone),
                   normalize_locale(language))


@dataclass(frozen=True, slots=True)
class Registration:
    person: Person
    role: Role
    invite: InviteView
    replaced: list[Person]          # people whose term this registration ended
    notify_telegram_ids: list[int]  # the secretariat to tell


async def _holders(store: Store, council_id: int, kind: RoleKind, institution_id: int | None,
                   rank: Rank | None) -> list[Role]:
    return [
        s.role for s in await store.people.seats(council_id)
        if s.role.kind is kind and s.role.institution_id == institution_id
        and s.role.rank == rank
    ]


async def register(
    store: Store, clock: Clock, token: str, telegram_user_id: int, profile: Profile
) -> Registration:
    """Use an invitation: save the person, grant the role, end the seat's previous term."""
    view = await check_token(store, clock, token)
    invite = view.invite
    now = clock.now()
    replaced: list[Person] = []
    async with store.db.transaction():
        known = await store.people.by_telegram_id(telegram_user_id)
        person = await store.people.upsert(
            telegram_user_id, profile.full_name, profile.title, profile.phone, profile.language,
            now,
        )
        if await store.people.find_active(
            person.id, invite.council_id, invite.role_kind, invite.institution_id
        ) and invite.role_kind is not RoleKind.LIAISON:
            raise ServiceError(Refusal.ALREADY_HOLDS_ROLE)
        if invite.role_kind in SINGLE_SEATS:
            for old in await _holders(store, invite.council_id, invite.role_kind,
                                      invite.institution_id, invite.rank):
                await trail.end_role(store, now, old, "replaced", person.id)
                previous = await store.people.get(old.person_id)
                if previous is not None and previous.id != person.id:
                    replaced.append(previous)
        if invite.role_kind is RoleKind.LIAISON:
            # One person is not both principal and substitute of the same institution.
            for other in await _holders(store, invite.council_id, RoleKind.LIAISON,
                                        invite.institution_id, _other(invite.rank)):
                if other.person_id == person.id:
                    await trail.end_role(store, now, other, "changed rank", person.id)
        if not await store.invites.mark_used(invite.id, person.id, now):
            raise ServiceError(Refusal.INVITE_USED)
        role_id = await store.people.add_role(
            person.id, invite.council_id, invite.role_kind, now,
            institution_id=invite.institution_id, rank=invite.rank,
        )
        role = await store.people.role(role_id)
        assert role is not None
        await store.audit.record(
            now, "role.grant", f"role:{role_id}", actor_id=person.id,
            actor_telegram=telegram_user_id, invite_id=invite.id,
            replaced=[p.id for p in replaced], before=None, after=trail.role_view(role),
        )
        if known is None or trail.person_view(known) != trail.person_view(person):
            before, after = (
                (None, trail.person_view(person)) if known is None
                else trail.changed(trail.person_view(known) or {},
                                   trail.person_view(person) or {}))
            await store.audit.record(
                now, "person.register" if known is None else "person.update",
                f"person:{person.id}", actor_id=person.id, actor_telegram=telegram_user_id,
                before=before, after=after)
    notify = await store.people.secretariat_telegram_ids(
        sorted({invite.council_id, *(await _provincial_ids(store, view))})
    )
    return Registration(person, role, view, replaced,
                        [t for t in notify if t != telegram_user_id])


def _other(rank: Rank | None) -> Rank | None:
    if rank is Rank.PRINCIPAL:
        return Rank.SUBSTITUTE
    if rank is Rank.SUBSTITUTE:
        return Rank.PRINCIPAL
    return None


async def _provincial_ids(store: Store, view: InviteView) -> list[int]:
    """The provincial council, whose secretariat oversees every council of the province."""
    province_id = view.council.province_id
    council = await store.councils.council_of_kind(province_id, CouncilKind.PROVINCIAL)
    return [council.id] if council else []


async def promote_substitute(
    store: Store, clock: Clock, grants: list[Grant], actor_id: int, institution_id: int
) -> tuple[Person, Person | None]:
    """Make an institution's substitute liaison officer its principal; the old principal's term
    ends. Returns (the promoted person, the person whose term ended)."""
    institution = await store.councils.institution(institution_id)
    if institution is None:
        raise ServiceError(Refusal.NOT_FOUND, f"institution {institution_id}")
    council = await council_or_refuse(store, institution.council_id)
    require(Permission.MANAGE_LIAISONS, grants, target_of(council))
    substitute = await store.people.liaison(institution.id, Rank.SUBSTITUTE)
    if substitute is None:
        raise ServiceError(Refusal.NO_SUBSTITUTE, institution.name)
    principal = await store.people.liaison(institution.id, Rank.PRINCIPAL)
    now = clock.now()
    async with store.db.transaction():
        ended = None
        if principal is not None:
            await trail.end_role(store, now, principal, "replaced", actor_id)
            ended = await store.people.get(principal.person_id)
        await trail.end_role(store, now, substitute, "promoted", actor_id)
        role_id = await store.people.add_role(
            substitute.person_id, council.id, RoleKind.LIAISON, now,
            institution_id=institution.id, rank=Rank.PRINCIPAL,
        )
        await store.audit.record(now, "liaison.promote", f"role:{role_id}", actor_id=actor_id,
                                 institution_id=institution.id,
                                 ended_role=principal.id if principal else None,
                                 before=trail.role_view(substitute),
                                 after=trail.role_view(await store.people.role(role_id)))
    promoted = await store.people.get(substitute.person_id)
    assert promoted is not None
    return promoted, ended


async def set_language(store: Store, clock: Clock, telegram_user_id: int, language: str) -> None:
    person = await store.people.by_telegram_id(telegram_user_id)
    if person is None:
        return
    now, chosen = clock.now(), normalize_locale(language)
    async with store.db.transaction():
        await store.people.set_language(person.id, chosen, now)
        await store.audit.record(now, "person.language", f"person:{person.id}",
                                 actor_id=person.id, before={"language": person.language},
                                 after={"language": chosen})
