"""Delivery reports for the secretariat, and telling it once about each unreachable person.

This module owns:

* the report on one notice (sent / pending / unreachable / failed, with the names of everyone
  not reached), as data the renderer and ``/deliveries`` turn into text;
* which notices a secretariat sees (Permission.VIEW_DELIVERIES on the notice's council);
* the one-time alert about a person Telegram refuses messages to: queued to the secretariat of
  the councils where the person holds a role, once per episode (until the person writes to the
  bot again or a message reaches them), with the suggestion to ask them to press Start again.
  A broadcast's own delivery report already names its unreachable recipients, so those are
  marked reported when it is queued and no separate alert follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.clock import Clock
from bot.domain.models import CouncilKind, RoleKind
from bot.domain.permissions import Grant, Permission
from bot.notify.kinds import KINDS
from bot.notify.quiet import QuietHours
from bot.services.access import council_or_refuse, reachable_councils, require, target_of
from bot.services.errors import Refusal, ServiceError
from bot.store import Store
from bot.store.outbox import Notice, NoticeStats, Recipient, State, Unreachable

# Names listed per category in one report (a Telegram message holds 4,096 characters).
REPORT_NAMES = 200


@dataclass(frozen=True, slots=True)
class NoticeReport:
    stats: NoticeStats
    unreachable: list[tuple[str, str, str]]  # (name, title, reason)
    failed: list[tuple[str, str, str]]
    pending: list[tuple[str, str, str]]

    @property
    def notice(self) -> Notice:
        return self.stats.notice

    def payload(self) -> dict[str, Any]:
        """What a delivery_report row renders from."""
        return {
            "about": self.notice.payload,
            "notice_id": self.notice.id,
            "total": self.stats.total,
            "sent": self.stats.count(State.SENT),
            "pending": self.stats.pending,
            "skipped": self.stats.count(State.SKIPPED),
            "unreachable": [list(u) for u in self.unreachable],
            "failed": [list(f) for f in self.failed],
        }


async def report(store: Store, notice_id: int) -> NoticeReport | None:
    stats = await store.outbox.stats(notice_id)
    if stats is None:
        return None

    async def names(*states: State) -> list[tuple[str, str, str]]:
        rows = await store.outbox.addressees(notice_id, states, REPORT_NAMES)
        return [(a.full_name, a.title, a.reason or "") for a in rows]

    return NoticeReport(
        stats,
        unreachable=await names(State.UNREACHABLE),
        failed=await names(State.FAILED),
        pending=await names(State.QUEUED, State.SENDING),
    )


async def queue_report(store: Store, clock: Clock, notice: Notice) -> bool:
    """Queue the delivery report of a finished notice to whoever sent it, mark the
    unreachable people it names as reported, and mark the notice finished. False if another
    call did it first."""
    data = await report(store, notice.id)
    if data is None:
        return False
    now = clock.now()
    async with store.db.transaction():
        if not await store.outbox.finish(notice.id, now):
            return False
        author = await store.people.get(notice.created_by) if notice.created_by else None
        if author is not None:
            report_notice, _ = await store.outbox.add_notice(
                f"report:{notice.id}", "delivery_report", f"notice:{notice.id}",
                data.payload(), now, province_id=notice.province_id,
                council_id=notice.council_id)
            await store.outbox.enqueue(
                report_notice.id, [Recipient(author.telegram_user_id, author.id)], now, now,
                now, urgent=True)
        people = [a.person_id for a in await store.outbox.addressees(
            notice.id, (State.UNREACHABLE,), 100_000) if a.person_id is not None]
        await store.outbox.mark_reported(people, now)
    return True


# --- /deliveries ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    notices: list[NoticeStats]
    unreachable: list[Unreachable]  # everyone unreachable among their recipients, once


async def overview(store: Store, grants: list[Grant], limit: int = 8) -> Overview:
    councils = await reachable_councils(store, grants, Permission.VIEW_DELIVERIES)
    notices = await store.outbox.recent([c.id for c in councils], KINDS.reported(), limit)
    people: set[int] = set()
    for stats in notices:
        if stats.count(State.UNREACHABLE):
            for a in await store.outbox.addressees(
                    stats.notice.id, (State.UNREACHABLE,), 100_000):
                if a.person_id is not None:
                    people.add(a.person_id)
    return Overview(notices, await store.outbox.unreachable(sorted(people)))


async def notice_report(store: Store, grants: list[Grant], notice_id: int) -> NoticeReport:
    """One notice's report, for someone allowed to see it (callback data is user input)."""
    notice = await store.outbox.notice(notice_id)
    if notice is None or notice.council_id is None or notice.kind not in KINDS.reported():
        raise ServiceError(Refusal.NOT_FOUND, f"notice {notice_id}")
    council = await council_or_refuse(store, notice.council_id)
    require(Permission.VIEW_DELIVERIES, grants, target_of(council))
    data = await report(store, notice_id)
    assert data is not None
    return data


# --- an unreachable person, once --------------------------------------------------------------


async def queue_unreachable_alert(
    store: Store, clock: Clock, person_id: int, reason: str, quiet: QuietHours | None
) -> int:
    """Tell the secretariat of the person's councils (and of their provinces' provincial
    councils) that messages do not reach them. Returns the rows queued."""
    person = await store.people.get(person_id)
    if person is None:
        return 0
    roles = await store.people.active_roles(person_id)
    council_ids = {r.council_id for r in roles}
    if not council_ids:
        return 0
    facts = await store.reminder_facts.councils(sorted(council_ids))
    provincial = await store.reminder_facts.provincial_council_ids(
        sorted({f.province_id for f in facts}))
    holders = council_ids | set(provincial.values())
    seats = await store.reminder_facts.secretariat(sorted(holders))
    recipients = {s.telegram_user_id: s.person_id for s in seats if s.person_id != person_id}
    first = min(facts, key=lambda f: (f.kind is not CouncilKind.PROVINCIAL, f.council_id),
                default=None)
    if not recipients or first is None:
        return 0
    now = clock.now()
    status = await store.outbox.unreachable([person_id])
    since = status[0].since if status else now
    payload = {"name": person.full_name, "title": person.title, "reason": reason,
               "roles": sorted({r.kind.value for r in roles if r.kind is not RoleKind.INVITEE})}
    not_before = quiet.release(now, first.timezone) if quiet else now
    async with store.db.transaction():
        notice, _ = await store.outbox.add_notice(
            f"unreachable:{person_id}:{since.isoformat()}", "unreachable",
            f"person:{person_id}", payload, now, province_id=first.province_id,
            council_id=first.council_id)
        added = await store.outbox.enqueue(
            notice.id, [Recipient(chat, pid) for chat, pid in sorted(recipients.items())],
            now, not_before, now)
        await store.outbox.mark_reported([person_id], now)
    return added
