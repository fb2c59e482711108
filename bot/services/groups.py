"""Council groups: linking a council's Telegram group for announcements, and what follows.

This module owns who may link a group (whoever may broadcast to the council's audiences,
Permission.BROADCAST: the council's secretariat, the provincial directorate for every council
of its province) and the rules around it:

* the bot records every group it is added to and who added it; only that person may link the
  group, to one of the councils they serve (callback data is user input: the group must be one
  the bot is in and the presser must be the one who added it);
* one group per council and one council per group: linking again replaces, both ways;
* removed from the group: the link ends and the council's secretariat (and whoever linked it)
  is told; a group that becomes a supergroup keeps its link under the new id;
* every change is audited, and what reaches the group or the secretariat goes through the
  outbox (``bot.notify.group_kinds`` renders it).

Group messages are in Turkish (``GROUP_LOCALE``), the language the councils work in: a group
has no language of its own and its members are not all known to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.clock import Clock
from bot.domain.models import Council, CouncilKind, Person, RoleKind
from bot.domain.permissions import Grant, Permission
from bot.services.access import council_or_refuse, reachable_councils, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.store import Store
from bot.store.groups import BotGroup, CouncilGroup
from bot.store.outbox import Recipient

GROUP_LOCALE = "tr"
GROUP_KINDS = ("group", "supergroup")
LINKED_KIND = "group_linked"      # to the group: it now receives the council's announcements
REMOVED_KIND = "group_removed"    # to the secretariat: the bot was removed from the group


@dataclass(frozen=True, slots=True)
class Linked:
    link: CouncilGroup
    council: Council
    replaced: CouncilGroup | None    # the council's earlier group
    moved_from: Council | None       # the council this group belonged to before


def group_recipient(chat_id: int) -> Recipient:
    """A group as an outbox recipient: no person, always Turkish."""
    return Recipient(chat_id, None, None, GROUP_LOCALE)


def council_payload(council: Council) -> dict[str, Any]:
    return {"council_id": council.id, "council_kind": council.kind.value,
            "council_name": council.name}


async def councils(store: Store, grants: list[Grant]) -> list[Council]:
    """The councils whose group `grants` may link, see and unlink."""
    return await reachable_councils(store, grants, Permission.BROADCAST)


async def bot_added(store: Store, clock: Clock, chat_id: int, kind: str, title: str,
                    added_by: int | None) -> list[Council]:
    """Record the group; return the councils the person who added the bot may link it to
    (empty for anyone else, registered or not)."""
    if kind not in GROUP_KINDS:
        return []
    now = clock.now()
    async with store.db.transaction():
        await store.groups.added(chat_id, kind, title, added_by, now)
        await store.audit.record(now, "group.added", f"chat:{chat_id}", actor_telegram=added_by,
                                 before=None, after={"group": chat_id, "title": title})
    if added_by is None:
        return []
    return await councils(store, await store.people.grants(added_by))


async def _secretariat(store: Store, council: Council, also: int | None) -> list[Recipient]:
    """The council's secretariat (the provincial directorate's for the sub-commission and for
    a district without its own, Art. 11(1), 11(2)), and whoever linked the group."""
    def secretaries(seats: list[Any]) -> list[Person]:
        return [s.person for s in seats if s.role.kind is RoleKind.SECRETARIAT]

    people = secretaries(await store.people.seats(council.id))
    if not people or council.kind is CouncilKind.SUBCOMMISSION:
        provincial = await store.councils.council_of_kind(council.province_id,
                                                          CouncilKind.PROVINCIAL)
        if provincial is not None and provincial.id != council.id:
            people += secretaries(await store.people.seats(provincial.id))
    if also is not None:
        linker = await store.people.get(also)
        if linker is not None:
            people.append(linker)
    unique = {p.telegram_user_id: p for p in people if p.telegram_user_id > 0}
    return [Recipient(p.telegram_user_id, p.id) for p in unique.values()]


async def bot_left(store: Store, clock: Clock, chat_id: int, by: int | None) -> int:
    """The bot was removed from (or left) the group: its link ends and the secretariat is
    told. Returns how many people are told (0 when the group was not linked)."""
    now = clock.now()
    async with store.db.transaction():
        ended = await store.groups.left(chat_id, now)
        subject = f"council:{ended.council_id}" if ended else f"chat:{chat_id}"
        await store.audit.record(now, "group.left", subject, actor_telegram=by,
                                 before={"group": chat_id}, after={"group": None})
    if ended is None:
        return 0
    council = await store.councils.council(ended.council_id)
    if council is None:
        return 0
    people = await _secretariat(store, council, ended.linked_by)
    if not people:
        return 0
    async with store.db.transaction():
        notice, _ = await store.outbox.add_notice(
            f"group:removed:{chat_id}:{council.id}:{now.isoformat()}", REMOVED_KIND,
            f"council:{council.id}", {**council_payload(council), "title": ended.title}, now,
            province_id=council.province_id, council_id=council.id)
        return await store.outbox.enqueue(notice.id, people, now, now, now, urgent=True)


async def migrated(store: Store, clock: Clock, old_chat_id: int, new_chat_id: int,
                   title: str) -> CouncilGroup | None:
    """The group became a supergroup: the link follows it to the new id."""
    now = clock.now()
    async with store.db.transaction():
        link = await store.groups.migrated(old_chat_id, new_chat_id, title, now)
        subject = f"council:{link.council_id}" if link else f"chat:{old_chat_id}"
        await store.audit.record(now, "group.migrated", subject,
                                 before={"group": old_chat_id}, after={"group": new_chat_id})
    return link


async def linkable(store: Store, grants: list[Grant], person: Person, chat_id: int,
                   council_id: int | None = None) -> tuple[BotGroup, list[Council]]:
    """The group this person may link now, and the councils they may link it to (with
    `council_id`, that one council only). Refuses forged or stale buttons."""
    group = await store.groups.group(chat_id)
    if group is None or not group.present or group.added_by != person.telegram_user_id:
        raise ServiceError(Refusal.NOT_FOUND, f"group {chat_id}")
    mine = await councils(store, grants)
    if council_id is not None:
        council = await council_or_refuse(store, council_id)
        require(Permission.BROADCAST, grants, target_of(council))
        mine = [council]
    if not mine:
        raise ServiceError(Refusal.FORBIDDEN, Permission.BROADCAST.value)
    return group, mine


async def link(store: Store, clock: Clock, grants: list[Grant], person: Person, chat_id: int,
               council_id: int) -> Linked:
    """Link the group to the council (replacing either's earlier link); the group is told."""
    group, [council] = await linkable(store, grants, person, chat_id, council_id)
    now = clock.now()
    async with store.db.transaction():
        replaced, moved = await store.groups.link(council.id, group.chat_id, person.id, now)
        await store.audit.record(
            now, "group.link", f"council:{council.id}", actor_id=person.id,
            before={"group": replaced.chat_id if replaced else None},
            after={"group": group.chat_id, "title": group.title},
            moved_from=moved.council_id if moved else None)
        notice, _ = await store.outbox.add_notice(
            f"group:linked:{group.chat_id}:{council.id}:{now.isoformat()}", LINKED_KIND,
            f"council:{council.id}", council_payload(council), now,
            province_id=council.province_id, council_id=council.id, created_by=person.id)
        await store.outbox.enqueue(notice.id, [group_recipient(group.chat_id)], now, now, now,
                                   urgent=True)
    current = await store.groups.of_council(council.id)
    assert current is not None
    before = await store.councils.council(moved.council_id) if moved else None
    return Linked(current, council, replaced, before)


async def unlinkable(store: Store, grants: list[Grant],
                     council_id: int) -> tuple[Council, CouncilGroup]:
    """The council and its group, if `grants` may unlink it: refuses a council out of reach
    (FORBIDDEN) and one without a group (NOT_FOUND), as forged or stale buttons may name."""
    council = await council_or_refuse(store, council_id)
    require(Permission.BROADCAST, grants, target_of(council))
    link = await store.groups.of_council(council.id)
    if link is None:
        raise ServiceError(Refusal.NOT_FOUND, f"group of council {council.id}")
    return council, link


async def unlink(store: Store, clock: Clock, grants: list[Grant], person: Person,
                 council_id: int) -> CouncilGroup:
    """End the council's link; the handler then takes the bot out of the group, so the group
    counts as left already (Telegram's own report of it then finds nothing to end)."""
    council, _link = await unlinkable(store, grants, council_id)
    now = clock.now()
    async with store.db.transaction():
        ended = await store.groups.unlink(council.id)
        if ended is None:
            raise ServiceError(Refusal.NOT_FOUND, f"group of council {council.id}")
        await store.groups.left(ended.chat_id, now)
        await store.audit.record(now, "group.unlink", f"council:{council.id}",
                                 actor_id=person.id, before={"group": ended.chat_id},
                                 after={"group": None})
    return ended


@dataclass(frozen=True, slots=True)
class Overview:
    councils: list[tuple[Council, CouncilGroup | None]]
    waiting: list[BotGroup]      # groups this person added the bot to, not linked yet


async def overview(store: Store, grants: list[Grant], person: Person) -> Overview:
    mine = await councils(store, grants)
    links = await store.groups.of_councils([c.id for c in mine])
    waiting = await store.groups.waiting(person.telegram_user_id) if mine else []
    return Overview([(c, links.get(c.id)) for c in mine], waiting)


async def linked_councils(store: Store, grants: list[Grant]) -> list[tuple[Council, CouncilGroup]]:
    """The councils `grants` may broadcast to that have a group."""
    mine = await councils(store, grants)
    links = await store.groups.of_councils([c.id for c in mine])
    return [(c, links[c.id]) for c in mine if c.id in links]
