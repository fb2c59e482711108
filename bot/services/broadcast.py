"""Broadcasts: a free text from the secretariat to an audience, queued for the sender.

This module owns who may broadcast to whom (Permission.BROADCAST for a council's audiences,
its linked Telegram group included, BROADCAST_PROVINCE for a whole province), how an audience
turns into people (resolved from active roles when the message is confirmed, each person once,
the author left out; a group is one row without a person, in Turkish), the rules
on the text (at most 3,500 characters, newlines kept), and queueing: one notice and one
outbox row per recipient, in one transaction, under a key made from the author and the draft,
so that pressing "Send" twice queues the message once.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.models import Council, CouncilKind, Province, RoleKind
from bot.domain.permissions import Grant, Permission, Target, allowed
from bot.domain.validation import InvalidInput, Problem
from bot.services.access import council_or_refuse, reachable_councils, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.services.groups import group_recipient
from bot.store import Store
from bot.store.groups import CouncilGroup
from bot.store.outbox import Notice, Recipient

# Telegram allows 4,096 characters; the header and the HTML escaping need some of them.
MAX_BROADCAST = 3500
BROADCAST_KIND = "broadcast"


class Audience(enum.StrEnum):
    MEMBERS = "members"    # those who sit on the council: chair, members, deputies
    LIAISON = "liaison"    # the liaison officers of the council's institutions
    PROVINCE = "province"  # everyone holding a role on any council of the province
    GROUP = "group"        # the council's linked Telegram group (bot.services.groups)


MEMBER_ROLES = frozenset({RoleKind.CHAIR, RoleKind.MEMBER, RoleKind.DEPUTY})


@dataclass(frozen=True, slots=True)
class Addressee:
    person_id: int
    telegram_user_id: int
    full_name: str


@dataclass(frozen=True, slots=True)
class BroadcastTarget:
    audience: Audience
    council: Council           # for PROVINCE: the provincial council, whose reports list it
    province: Province

    def payload(self) -> dict[str, object]:
        return {
            "audience": self.audience.value,
            "council_id": self.council.id,
            "council_kind": self.council.kind.value,
            "council_name": self.council.name,
            "province_id": self.province.id,
            "province_name": self.province.name,
        }


@dataclass(frozen=True, slots=True)
class Queued:
    notice: Notice
    recipients: int
    created: bool  # False: this draft had been sent already (a second press of "Send")


def clean_message(text: str | None) -> str:
    """The text as it will be sent: NFC, trailing spaces and blank edges removed."""
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text or "").splitlines()]
    cleaned = "\n".join(lines).strip()
    if not cleaned:
        raise InvalidInput(Problem.EMPTY)
    if len(cleaned) > MAX_BROADCAST:
        raise InvalidInput(Problem.TOO_LONG, MAX_BROADCAST)
    return cleaned


async def councils(store: Store, grants: list[Grant]) -> list[Council]:
    """Councils whose audiences `grants` may write to."""
    return [c for c in await reachable_councils(store, grants, Permission.BROADCAST)
            if c.kind is not CouncilKind.SUBCOMMISSION]


async def provinces(store: Store, grants: list[Grant]) -> list[Province]:
    """Provinces `grants` may write to as a whole."""
    found = []
    for province_id in sorted({g.province_id for g in grants}):
        if allowed(Permission.BROADCAST_PROVINCE, grants, Target(province_id=province_id)):
            province = await store.councils.province(province_id)
            if province is not None:
                found.append(province)
    return found


async def target(
    store: Store, grants: list[Grant], audience: Audience, council_id: int | None = None,
    province_id: int | None = None,
) -> BroadcastTarget:
    """The audience chosen, checked against `grants` (callback data is user input)."""
    if audience is Audience.PROVINCE:
        if province_id is None:
            raise ServiceError(Refusal.NOT_FOUND, "province")
        require(Permission.BROADCAST_PROVINCE, grants, Target(province_id=province_id))
        province = await store.councils.province(province_id)
        council = await store.councils.council_of_kind(province_id, CouncilKind.PROVINCIAL)
        if province is None or council is None:
            raise ServiceError(Refusal.NOT_FOUND, f"province {province_id}")
        return BroadcastTarget(audience, council, province)
    if council_id is None:
        raise ServiceError(Refusal.NOT_FOUND, "council")
    council = await council_or_refuse(store, council_id)
    require(Permission.BROADCAST, grants, target_of(council))
    province = await store.councils.province(council.province_id)
    if province is None:
        raise ServiceError(Refusal.NOT_FOUND, f"province {council.province_id}")
    return BroadcastTarget(audience, council, province)


async def group_of(store: Store, chosen: BroadcastTarget) -> CouncilGroup:
    """The council's linked group, for the GROUP audience (unlinked meanwhile: refused)."""
    link = await store.groups.of_council(chosen.council.id)
    if link is None:
        raise ServiceError(Refusal.NOT_FOUND, f"group of council {chosen.council.id}")
    return link


async def addressees(
    store: Store, chosen: BroadcastTarget, author_id: int | None = None
) -> list[Addressee]:
    """Who the audience is now: each person once, the author left out (nobody for a group:
    see ``group_of``)."""
    people: dict[int, Addressee] = {}
    if chosen.audience is Audience.GROUP:
        return []
    if chosen.audience is Audience.PROVINCE:
        for person_id, telegram_id, name in await store.outbox.province_people(
                chosen.province.id):
            people[person_id] = Addressee(person_id, telegram_id, name)
    else:
        wanted = MEMBER_ROLES if chosen.audience is Audience.MEMBERS else {RoleKind.LIAISON}
        for seat in await store.people.seats(chosen.council.id):
            if seat.role.kind in wanted:
                person = seat.person
                people[person.id] = Addressee(person.id, person.telegram_user_id,
                                              person.full_name)
    people.pop(author_id or 0, None)
    return sorted(people.values(), key=lambda a: a.person_id)


async def queue(
    store: Store,
    clock: Clock,
    grants: list[Grant],
    author_id: int,
    draft_id: str,
    audience: Audience,
    text: str,
    *,
    council_id: int | None = None,
    province_id: int | None = None,
    report_chat_id: int | None = None,
    report_message_id: int | None = None,
) -> Queued:
    """Queue the broadcast: the notice, one row per recipient, the audit entry, at once.

    Urgent: it goes now, quiet hours or not, since the secretariat has just confirmed it.
    """
    chosen = await target(store, grants, audience, council_id, province_id)
    text = clean_message(text)
    key = f"broadcast:{author_id}:{draft_id}"
    existing = await store.outbox.notice_by_key(key)
    if existing is not None:
        stats = await store.outbox.stats(existing.id)
        return Queued(existing, stats.total if stats else 0, created=False)
    payload: dict[str, object] = {**chosen.payload(), "text": text}
    if chosen.audience is Audience.GROUP:
        link = await group_of(store, chosen)
        recipients = [group_recipient(link.chat_id)]
        payload["group_title"] = link.title
    else:
        recipients = [Recipient(p.telegram_user_id, p.person_id)
                      for p in await addressees(store, chosen, author_id)]
    now = clock.now()
    async with store.db.transaction():
        notice, created = await store.outbox.add_notice(
            key, BROADCAST_KIND, f"council:{chosen.council.id}", payload, now,
            province_id=chosen.province.id, council_id=chosen.council.id, created_by=author_id,
            report_chat_id=report_chat_id, report_message_id=report_message_id,
        )
        added = await store.outbox.enqueue(notice.id, recipients, now, now, now, urgent=True)
        await store.audit.record(now, "broadcast.queue", f"notice:{notice.id}",
                                 actor_id=author_id, before=None,
                                 after={"audience": audience.value,
                                        "council_id": chosen.council.id, "recipients": added,
                                        "text": text})
    return Queued(notice, added, created)


def audience_choices(
    councils_: Sequence[Council], provinces_: Sequence[Province]
) -> list[tuple[Audience, int]]:
    """Every (audience, council or province id) someone may pick, for menus."""
    choices: list[tuple[Audience, int]] = []
    for council in councils_:
        choices += [(Audience.MEMBERS, council.id), (Audience.LIAISON, council.id)]
    choices += [(Audience.PROVINCE, p.id) for p in provinces_]
    return choices
