"""Invitations: one-time, expiring registration links for a council, institution and role.

A token is 22 URL-safe characters from ``secrets`` (within Telegram's 64-character deep-link
limit); only its SHA-256 is stored, so a leaked database reveals no usable link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.models import INSTITUTION_ROLES, Council, CouncilKind, Institution, Rank, RoleKind
from bot.domain.permissions import Grant, Permission, inviteable_roles
from bot.services.access import council_or_refuse, reachable_councils, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.store import Store
from bot.store.invites import Invite


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


async def issue_token(
    store: Store,
    now: datetime,
    province_id: int,
    council_id: int,
    role_kind: RoleKind,
    ttl_days: int,
    *,
    institution_id: int | None = None,
    rank: Rank | None = None,
    created_by: int | None = None,
) -> str:
    token = secrets.token_urlsafe(16)
    await store.invites.add(
        hash_token(token), province_id, council_id, role_kind, now,
        now + timedelta(days=ttl_days), institution_id=institution_id, rank=rank,
        created_by=created_by,
    )
    return token


def institution_council(council: Council) -> int:
    """Where a council's institutions live: the sub-commission uses the provincial council's,
    because its members are the liaison officers of those institutions (Art. 6(3), 5(8))."""
    if council.kind is CouncilKind.SUBCOMMISSION and council.parent_id is not None:
        return council.parent_id
    return council.id


def role_options(council: Council, grants: list[Grant], institution_id: int | None = None) -> list[
    tuple[RoleKind, Rank | None]
]:
    """Roles an invitation can be made for on this council, by these grants."""
    options = inviteable_roles(grants, target_of(council, institution_id))
    if council.kind is CouncilKind.SUBCOMMISSION:
        # The sub-commission has a chair and liaison officers, no members or deputies.
        allowed_kinds = {RoleKind.CHAIR, RoleKind.SECRETARIAT, RoleKind.LIAISON, RoleKind.INVITEE}
        options = [o for o in options if o[0] in allowed_kinds]
    return options


@dataclass(frozen=True, slots=True)
class InviteView:
    """An invitation with the names a person needs to recognise it."""

    invite: Invite
    council: Council
    institution: Institution | None


@dataclass(frozen=True, slots=True)
class NewInvite:
    token: str
    view: InviteView


async def create_invite(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    actor_id: int,
    council_id: int,
    role_kind: RoleKind,
    rank: Rank | None,
    institution_id: int | None,
    ttl_days: int,
) -> NewInvite:
    council = await council_or_refuse(store, council_id)
    if role_kind in INSTITUTION_ROLES:
        if institution_id is None:
            raise ServiceError(Refusal.NOT_FOUND, "institution required")
        institution = await store.councils.institution(institution_id)
        if institution is None or institution.council_id != institution_council(council):
            raise ServiceError(Refusal.NOT_FOUND, f"institution {institution_id}")
    else:
        institution_id = None
    if (role_kind, rank) not in role_options(council, grants, institution_id):
        raise ServiceError(Refusal.FORBIDDEN, f"invite {role_kind}")
    # Liaison officers of the sub-commission are recorded on the provincial council.
    role_council = institution_council(council) if role_kind is RoleKind.LIAISON else council.id
    now = clock.now()
    async with store.db.transaction():
        token = await issue_token(
            store, now, council.province_id, role_council, role_kind, ttl_days,
            institution_id=institution_id, rank=rank, created_by=actor_id,
        )
        invite = await store.invites.by_hash(hash_token(token))
        assert invite is not None
        await store.audit.record(
            now, "invite.create", f"invite:{invite.id}", actor_id=actor_id, before=None,
            after={"council_id": role_council, "role": role_kind.value,
                   "rank": rank.value if rank else None, "institution_id": institution_id,
                   "expires_at": invite.expires_at})
    return NewInvite(token, await describe(store, invite))


async def describe(store: Store, invite: Invite) -> InviteView:
    council = await council_or_refuse(store, invite.council_id)
    institution = (
        await store.councils.institution(invite.institution_id) if invite.institution_id else None
    )
    return InviteView(invite, council, institution)


async def open_invites(store: Store, clock: Clock, grants: list[Grant]) -> list[InviteView]:
    require(Permission.MANAGE_INVITES, grants)
    councils = await reachable_councils(store, grants, Permission.MANAGE_INVITES)
    invites = await store.invites.open_invites([c.id for c in councils], clock.now())
    return [await describe(store, i) for i in invites]


async def revoke_invite(
    store: Store, clock: Clock, grants: list[Grant], actor_id: int, invite_id: int
) -> InviteView:
    invite = await store.invites.get(invite_id)
    if invite is None:
        raise ServiceError(Refusal.INVITE_UNKNOWN)
    view = await describe(store, invite)
    require(Permission.MANAGE_INVITES, grants, target_of(view.council))
    async with store.db.transaction():
        if not await store.invites.revoke(invite.id, clock.now()):
            raise ServiceError(Refusal.INVITE_USED if invite.used_at else Refusal.INVITE_REVOKED)
        await store.audit.record(clock.now(), "invite.revoke", f"invite:{invite.id}",
                                 actor_id=actor_id, before={"state": "open"},
                                 after={"state": "revoked"})
    return view


async def check_token(store: Store, clock: Clock, token: str) -> InviteView:
    """The invitation behind a token, or the reason it can no longer be used."""
    invite = await store.invites.by_hash(hash_token(token))
    if invite is None:
        raise ServiceError(Refusal.INVITE_UNKNOWN)
    if invite.used_at is not None:
        raise ServiceError(Refusal.INVITE_USED)
    if invite.revoked_at is not None:
        raise ServiceError(Refusal.INVITE_REVOKED)
    if invite.expires_at <= clock.now():
        raise ServiceError(Refusal.INVITE_EXPIRED)
    return await describe(store, invite)
