"""The one authorization check every use case runs before it changes or shows anything."""

from __future__ import annotations

from bot.domain.models import Council
from bot.domain.permissions import Grant, Permission, Target, allowed
from bot.services.errors import Refusal, ServiceError
from bot.store import Store


def target_of(council: Council, institution_id: int | None = None) -> Target:
    return Target(province_id=council.province_id, council_id=council.id,
                  institution_id=institution_id)


def require(permission: Permission, grants: list[Grant], target: Target | None = None) -> None:
    if not allowed(permission, grants, target):
        raise ServiceError(Refusal.FORBIDDEN, permission.value)


async def council_or_refuse(store: Store, council_id: int) -> Council:
    council = await store.councils.council(council_id)
    if council is None:
        raise ServiceError(Refusal.NOT_FOUND, f"council {council_id}")
    return council


async def reachable_councils(
    store: Store, grants: list[Grant], permission: Permission
) -> list[Council]:
    """The councils on which ``grants`` hold ``permission``, in a stable order."""
    seen: dict[int, Council] = {}
    for province_id in sorted({g.province_id for g in grants}):
        for council in await store.councils.councils_of_province(province_id):
            if council.id in seen:
                continue
            own_institutions = [g.institution_id for g in grants if g.council_id == council.id]
            if allowed(permission, grants, target_of(council)) or any(
                allowed(permission, grants, target_of(council, i))
                for i in own_institutions
                if i is not None
            ):
                seen[council.id] = council
    return list(seen.values())
