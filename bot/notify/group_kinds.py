"""Announcements in a council's Telegram group: short, never personal, through the outbox.

This module owns every message the bot posts in a linked group and the one it sends the
secretariat about the group:

* ``group_meeting``: a meeting's notice, move or cancellation as the members got it, cut down
  to the council, the kind of meeting, date (in Turkish), time and place; no names, answers,
  excuses, reasons, buttons or invitation file;
* ``group_agenda``: a published agenda, items' titles only (no proposing institution, no risk
  mark, no decisions list);
* ``group_linked``: "this group now receives the announcements of <council>", once linked;
* ``group_removed``: to the secretariat, when the bot was removed from the linked group.
  (A broadcast to the group is the ordinary ``broadcast`` kind with a group row.)

``GroupAnnouncements`` is a reminder source (``bot.notify.reminders``) derived from the
outbox itself: each meeting notice and published agenda queued for a council's members since
its group was linked yields one announcement for that group, keyed by the group and the
original notice's key, so a rebuild, a restart or a double press never posts twice and a crash
between the two never loses the group's. Group payloads are built from a whitelist of fields:
whatever the personal notices carry, nothing else reaches the group. ``install`` adds the
source to the engine; ``announce`` runs it alone right after an update (an agenda published
does not rebuild the reminders).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.documents.calendar_export import council_title
from bot.domain.agenda import FIXED_ARTICLES, Fixed, TopicArea
from bot.domain.clock import Clock
from bot.domain.models import CouncilKind
from bot.i18n import Translator
from bot.notify.agenda_kinds import published_relevant
from bot.notify.engine import Notifier
from bot.notify.kinds import KINDS, Kind, Rendered, RenderInput
from bot.notify.meeting_kinds import kind_line, local_start, notice_relevant, when_block
from bot.notify.reminders import Reminder, Scheduler
from bot.services import agenda as agenda_service
from bot.services import groups as service
from bot.services import meetings as meeting_service
from bot.services.meetings import Event
from bot.store import Store
from bot.store.outbox import Notice, Recipient

MEETING_KIND = "group_meeting"
AGENDA_KIND = "group_agenda"
# Only notices this recent are mirrored (older meetings are over; keeps the query small).
HORIZON = timedelta(days=30)

# The fields of a members' notice that may reach a group; everything else stays private.
MEETING_FIELDS = ("meeting_id", "sequence", "council_id", "council_kind", "council_name",
                  "timezone", "starts_at", "duration_minutes", "place", "kind", "called_by",
                  "event", "previous_starts_at", "previous_place")
AGENDA_FIELDS = ("meeting_id", "version", "council_id", "council_kind", "council_name", "day",
                 "starts_at", "timezone", "fixed")
SOURCES = {meeting_service.NOTICE_KIND: MEETING_KIND, agenda_service.PUBLISHED_KIND: AGENDA_KIND}


def install(notifier: Notifier) -> None:
    if not any(isinstance(s, GroupAnnouncements) for s in notifier.scheduler.sources):
        notifier.scheduler.sources.append(GroupAnnouncements())


async def announce(notifier: Notifier) -> int:
    """Queue the group announcements due now (only this source); returns rows queued."""
    scheduler = Scheduler(notifier.store, notifier.clock, [GroupAnnouncements()],
                          notifier.quiet)
    done = await scheduler.rebuild()
    if done.queued_rows:
        notifier.queued()
    return done.queued_rows


def _council(t: Translator, p: dict[str, Any]) -> str:
    return html.escape(council_title(t, CouncilKind(p["council_kind"]), p["council_name"]))


def group_payload(source_kind: str, payload: dict[str, Any], chat_id: int) -> dict[str, Any]:
    """The group's copy of a members' notice: whitelisted fields only."""
    if source_kind == agenda_service.PUBLISHED_KIND:
        kept = {k: payload[k] for k in AGENDA_FIELDS if k in payload}
        kept["groups"] = [{"area": g["area"], "titles": [i["title"] for i in g["items"]]}
                          for g in payload.get("groups", [])]
    else:
        kept = {k: payload[k] for k in MEETING_FIELDS if k in payload}
    return {**kept, "chat_id": chat_id}


# --- rendering --------------------------------------------------------------------------------


def render_meeting(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    council = _council(t, p)
    event = Event(p.get("event", Event.NEW.value))
    if event is Event.CANCELLED:
        title = t("🚫 <b>Meeting cancelled — {council}</b>")
    elif event is Event.MOVED:
        title = t("🔁 <b>Meeting moved — {council}</b>")
    else:
        title = t("📣 <b>Meeting notice — {council}</b>")
    lines = [title.format(council=council), html.escape(kind_line(t, p)),
             *when_block(t, local_start(p), p.get("place"))]
    if event is Event.MOVED and p.get("previous_starts_at"):
        old = local_start({**p, "starts_at": p["previous_starts_at"]})
        lines.append(t("Instead of: {date}, {time}, {place}").format(
            date=t.date(old.date()), time=t.time(old),
            place=html.escape(p.get("previous_place", ""))))
    if event is not Event.CANCELLED:
        lines.append(t("Members receive their own notice in a private chat with the bot."))
    return Rendered("\n".join(lines))


def render_agenda(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    head = (t("🗂 <b>Agenda — {council}</b>") if int(p.get("version", 1)) <= 1
            else t("🗂 <b>Agenda updated — {council}</b>")).format(council=_council(t, p))
    local = local_start(p)
    lines = [head, t("📅 Date: {date}").format(date=t.date(local.date())),
             t("🕙 Time: {time}").format(time=t.time(local)), ""]
    n = 0
    for code in p.get("fixed", []):
        n += 1
        entry = Fixed(code)
        lines.append(f"{n}. " + html.escape(t(agenda_service.FIXED_LABELS[entry]).format(
            article=t.article(FIXED_ARTICLES[entry]))))
    for group in p.get("groups", []):
        lines.append("<b>" + html.escape(t(agenda_service.AREA_LABELS[TopicArea(group["area"])]))
                     + "</b>")
        for title in group["titles"]:
            n += 1
            lines.append(f"{n}. " + html.escape(title))
    return Rendered("\n".join(lines))


def render_linked(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    return Rendered("\n".join([
        t("📌 This group now receives the announcements of the {council}: meeting notices, "
          "moves and cancellations, published agendas and messages from the secretariat.")
        .format(council=_council(t, p)),
        t("Nothing personal is posted here. Members receive their own notices in a private "
          "chat with the bot; please write to it there, not here."),
    ]))


def render_removed(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    return Rendered("\n".join([
        t("ℹ️ I was removed from the group “{title}”: the announcements of the {council} are "
          "no longer posted there.").format(title=html.escape(p.get("title", "")),
                                             council=_council(t, p)),
        t("To announce in a group again, add me to it; I will ask you which council it "
          "belongs to."),
    ]))


async def _still_linked(store: Store, notice: Notice) -> bool:
    link = await store.groups.of_council(int(notice.payload["council_id"]))
    return link is not None and link.chat_id == int(notice.payload["chat_id"])


async def meeting_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    """The group is still the council's and the meeting has not changed since (the members'
    own rule, ``meeting_kinds.notice_relevant``)."""
    return await _still_linked(store, notice) and await notice_relevant(store, clock, notice)


async def agenda_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    return await _still_linked(store, notice) and await published_relevant(store, clock, notice)


# --- the source -------------------------------------------------------------------------------


class GroupAnnouncements:
    """One announcement per linked group for each members' meeting notice and agenda."""

    name = "groups"

    async def reminders(self, store: Store, now: datetime) -> list[Reminder]:
        found: list[Reminder] = []
        for source in await store.groups.unannounced(list(SOURCES), now - HORIZON):
            kind = SOURCES[source.kind]
            subject = f"meeting:{source.payload.get('meeting_id')}"
            if source.payload.get("event") == Event.CANCELLED.value and not (
                    await store.groups.told_of(source.chat_id, subject, MEETING_KIND)):
                continue  # the group never heard of this meeting (the chair alone had)
            found.append(Reminder(
                key=f"group:{source.chat_id}:{source.key}", kind=kind, subject=subject,
                due_at=source.created_at, timezone=str(source.payload.get("timezone")),
                province_id=source.province_id, council_id=source.council_id,
                payload=group_payload(source.kind, source.payload, source.chat_id)))
        return found

    async def recipients(
        self, store: Store, reminders: Sequence[Reminder]
    ) -> dict[str, list[Recipient]]:
        return {r.key: [service.group_recipient(int(r.payload["chat_id"]))] for r in reminders}


MEETING = KINDS.register(Kind(MEETING_KIND, render_meeting, relevant=meeting_relevant,
                              reported=False))
AGENDA = KINDS.register(Kind(AGENDA_KIND, render_agenda, relevant=agenda_relevant,
                             reported=False))
LINKED = KINDS.register(Kind(service.LINKED_KIND, render_linked, urgent=True, reported=False))
REMOVED = KINDS.register(Kind(service.REMOVED_KIND, render_removed, urgent=True,
                              reported=False))

# Every kind that is ever rendered for a group (the personal-data test walks them all).
GROUP_KINDS = (MEETING, AGENDA, LINKED)
