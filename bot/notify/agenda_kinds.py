"""Agenda notices and reminders in the notification engine (issue 6).

This module owns how every agenda message reads and when it still matters:

* ``agenda_outcome``: the secretariat's decision on a proposal (accepted, rejected with the
  reason, merged into another), or its question with an "Answer" button, to the proposing
  institution's liaison officers and to whoever sent it;
* ``agenda_answered``: the institution's answer, to the secretariat;
* ``agenda_published``: the agenda of a meeting (fixed items first, then the accepted items by
  topic area, risk items marked), to everyone the meeting's notice goes to; a later
  publication is an update;
* ``AgendaReminders``, a reminder source derived from the scheduled meetings alone: the call
  for proposals to the liaison officers when preparation starts less a lead (D−15 −
  ``agenda_call_lead_days``, Art. 10(1), 10(2)), with a "send a proposal" button, and three days
  before the deadline (D−18) a reminder to the officers of institutions that sent nothing.
  Only scheduled meetings are used: the deadline counts from the meeting's real day, and a
  call for a meeting not yet set would give a date the chair may not keep; the calendar's own
  reminder already prompts the secretariat to schedule. The sub-commission has no statutory
  deadline (Art. 10 speaks of "kurul"), so it gets no call. Keys carry the meeting's sequence
  and day: a moved meeting yields new reminders and the old ones become pointless.

``install`` adds the source to a ``Notifier``, as ``bot.notify.meeting_kinds`` does.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.documents.calendar_export import council_title
from bot.domain.agenda import FIXED_ARTICLES, Fixed, TopicArea
from bot.domain.calendar import AGENDA_DAYS_BEFORE
from bot.domain.clock import Clock
from bot.domain.decisions import Status
from bot.domain.meetings import MeetingStatus
from bot.domain.models import CouncilKind
from bot.i18n import Translator
from bot.notify.engine import Notifier
from bot.notify.kinds import KINDS, Kind, Rendered, RenderInput
from bot.notify.reminders import Reminder
from bot.services import agenda as service
from bot.services import decisions as decisions_service
from bot.services import meetings as meeting_service
from bot.store import Store
from bot.store.outbox import Notice, Recipient

# Calls are derived for meetings starting within this span (the timer still wakes hourly).
HORIZON = timedelta(days=60)
REMIND_DAYS_BEFORE_DUE = 3


def install(notifier: Notifier) -> None:
    """Add the agenda call and reminder to the scheduler."""
    if not any(isinstance(s, AgendaReminders) for s in notifier.scheduler.sources):
        settings = notifier.settings
        notifier.scheduler.sources.append(
            AgendaReminders(settings.agenda_call_lead_days, settings.reminder_hour))


def _council(t: Translator, p: dict[str, Any]) -> str:
    return html.escape(council_title(t, CouncilKind(p["council_kind"]), p["council_name"]))


def _meeting_line(t: Translator, p: dict[str, Any]) -> str:
    day = t.date(date.fromisoformat(p["day"]))
    if p.get("estimated"):
        return t("Meeting of the {council}, around {date} (not scheduled yet)").format(
            council=_council(t, p), date=day)
    return t("Meeting of the {council} on {date}").format(council=_council(t, p), date=day)


def propose_button(t: Translator, meeting_id: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    return (((t("📝 Send an agenda proposal"), f"ag:new:{meeting_id}"),),)


# --- outcomes ----------------------------------------------------------------------------------


def render_outcome(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    title = html.escape(p["title"])
    outcome = p["outcome"]
    lines = [_meeting_line(t, p)]
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    if outcome == "accepted":
        lines.insert(0, t("✅ <b>Your agenda proposal was accepted:</b> {title}").format(
            title=title))
    elif outcome == "rejected":
        lines.insert(0, t("❌ <b>Your agenda proposal was not accepted:</b> {title}").format(
            title=title))
        lines.append(t("Reason: {reason}").format(reason=html.escape(p.get("reason", ""))))
    elif outcome == "merged":
        lines.insert(0, t("🔗 <b>Your agenda proposal was merged</b> into “{other}”: {title}")
                     .format(other=html.escape(p.get("merged_title", "")), title=title))
    else:
        lines.insert(0, t("❓ <b>The secretariat asks about your agenda proposal</b> {title}:")
                     .format(title=title))
        lines.append("“" + html.escape(p.get("question", "")) + "”")
        lines.append(t("Your answer is kept with the proposal."))
        buttons = (((t("✍️ Answer"), f"ag:qa:{p['question_id']}"),),)
    return Rendered("\n".join(lines), "HTML", buttons)


def describe_outcome(p: dict[str, Any], t: Translator) -> str:
    return "🗂 " + t("Agenda proposal: {title}").format(title=p["title"])


def render_answered(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    lines = [t("💬 <b>{person} answered your question</b> on the proposal {title}").format(
        person=html.escape(p.get("person", "")), title=html.escape(p["title"])),
        _meeting_line(t, p),
        t("Question: {text}").format(text=html.escape(p["question"])),
        t("Answer: {text}").format(text=html.escape(p["answer"]))]
    return Rendered("\n".join(lines), "HTML", (((t("Open the proposal"),
                                                 f"ag:rv:{p['proposal_id']}"),),))


# --- the published agenda ----------------------------------------------------------------------


def agenda_lines(t: Translator, fixed: Sequence[str], groups: Sequence[dict[str, Any]],
                 previous: Sequence[dict[str, str]] = ()) -> list[str]:
    """The numbered agenda, HTML: fixed items, then items by topic area, risks marked; under
    the evaluation of the previous decisions (Art. 5(7)), each decision with its state."""
    lines: list[str] = []
    n = 0
    for code in fixed:
        n += 1
        entry = Fixed(code)
        lines.append(f"{n}. " + html.escape(t(service.FIXED_LABELS[entry]).format(
            article=t.article(FIXED_ARTICLES[entry]))))
        if entry is Fixed.PREVIOUS_DECISIONS:
            lines += ["   • " + html.escape(t("Decision {number}: {text} — {state}").format(
                number=d["number"], text=d["text"],
                state=t(decisions_service.STATE_LABELS[Status(d["state"])]))) for d in previous]
    for group in groups:
        lines.append("<b>" + html.escape(t(service.AREA_LABELS[TopicArea(group["area"])]))
                     + "</b>")
        for item in group["items"]:
            n += 1
            mark = t(service.RISK_MARK) + " " if item.get("risk") else ""
            lines.append(f"{n}. {html.escape(mark + item['title'])} — "
                         f"<i>{html.escape(item['source'])}</i>")
    return lines


def render_published(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    head = (t("🗂 <b>Agenda — {council}</b>") if int(p.get("version", 1)) <= 1
            else t("🗂 <b>Agenda updated — {council}</b>")).format(council=_council(t, p))
    lines = [head, _meeting_line(t, p), "",
             *agenda_lines(t, p.get("fixed", []), p.get("groups", []), p.get("previous", []))]
    return Rendered("\n".join(lines))


def describe_published(p: dict[str, Any], t: Translator) -> str:
    return "🗂 " + t("{council}: agenda of {date}").format(
        council=council_title(t, CouncilKind(p["council_kind"]), p["council_name"]),
        date=t.short_date(date.fromisoformat(p["day"])))


async def published_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    """Only the latest publication of a meeting still to come is sent."""
    meeting_id = int(notice.payload["meeting_id"])
    meeting = await store.meetings.get(meeting_id)
    latest = await store.agenda.published_version(meeting_id)
    return (meeting is not None and meeting.status is MeetingStatus.SCHEDULED
            and clock.now() < meeting.ends_at and latest == int(notice.payload["version"]))


# --- the call and the reminder -----------------------------------------------------------------


def render_call(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    due = t.date(date.fromisoformat(p["due"]))
    if p["stage"] == "call":
        lines = [t("📝 <b>Agenda call</b>"), _meeting_line(t, p),
                 t("Please send your institution's agenda proposals by {date} ({article}).")
                 .format(date=due, article=t.article("Art. 10(2)"))]
    else:
        lines = [t("⏰ <b>Agenda proposals are due on {date}</b>").format(date=due),
                 _meeting_line(t, p),
                 t("Your institution has not sent a proposal yet ({article}).").format(
                     article=t.article("Art. 10(2)"))]
    return Rendered("\n".join(lines), "HTML", propose_button(t, int(p["meeting_id"])))


def describe_call(p: dict[str, Any], t: Translator) -> str:
    return "📝 " + t("{council}: agenda proposals due {date}").format(
        council=council_title(t, CouncilKind(p["council_kind"]), p["council_name"]),
        date=t.short_date(date.fromisoformat(p["due"])))


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


async def call_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    """The meeting is still on that day and the proposals are not overdue yet."""
    p = notice.payload
    meeting = await store.meetings.get(int(p["meeting_id"]))
    if meeting is None or meeting.status is not MeetingStatus.SCHEDULED:
        return False
    if meeting.sequence != int(p["sequence"]):
        return False
    return clock.now() < _end_of(date.fromisoformat(p["due"]), ZoneInfo(p["timezone"]))


class AgendaReminders:
    """The call for proposals and the D−18 reminder of every scheduled council meeting."""

    name = "agenda"

    def __init__(self, lead_days: int = 5, hour: int = 9) -> None:
        self.lead_days = lead_days
        self.at = time(hour % 24, 0)

    async def reminders(self, store: Store, now: datetime) -> list[Reminder]:
        found: list[Reminder] = []
        for meeting in await store.meetings.scheduled_between(now, now + HORIZON):
            place = await meeting_service.where(store, meeting.council_id)
            if place.council.kind is CouncilKind.SUBCOMMISSION:
                continue  # no statutory deadline (see the module doc)
            day = place.local(meeting.starts_at).date()
            due = day - timedelta(days=AGENDA_DAYS_BEFORE)
            if now >= _end_of(due, place.zone):
                continue  # overdue: late proposals are still taken, but nobody is called
            target = await service.target_of_meeting(store, ClockAt(now), meeting.id)
            stages = (("call", due - timedelta(days=self.lead_days)),
                      ("d3", due - timedelta(days=REMIND_DAYS_BEFORE_DUE)))
            for stage, on in stages:
                at = datetime.combine(on, self.at, tzinfo=place.zone).astimezone(UTC)
                if meeting.noticed_at is not None and at < meeting.noticed_at:
                    if stage != "call":
                        continue  # the call itself went out after this
                    at = meeting.noticed_at  # scheduled after the call's day: call at once
                found.append(Reminder(
                    key=f"remind:agenda:{meeting.id}:{meeting.sequence}:{day}:{stage}",
                    kind=service.CALL_KIND if stage == "call" else service.REMINDER_KIND,
                    subject=f"meeting:{meeting.id}", due_at=at,
                    timezone=place.province.timezone, province_id=place.province.id,
                    council_id=place.council.id,
                    payload={**target.payload(), "sequence": meeting.sequence, "stage": stage,
                             "timezone": place.province.timezone}))
        return found

    async def recipients(
        self, store: Store, reminders: Sequence[Reminder]
    ) -> dict[str, list[Recipient]]:
        found: dict[str, list[Recipient]] = {}
        for reminder in reminders:
            p = reminder.payload
            council = await store.councils.council(int(p["council_id"]))
            if council is None:
                continue
            officers = await service.liaison_officers(store, council)
            if p["stage"] != "call":
                sent = await store.agenda.institutions_with_proposals(
                    council.id, int(p["meeting_id"]), p.get("period"))
                officers = {i: r for i, r in officers.items() if i not in sent}
            unique = {r.chat_id: r for people in officers.values() for r in people}
            if unique:
                found[reminder.key] = list(unique.values())
        return found


class ClockAt:
    """A clock standing at the scheduler's `now` (targets are derived for that instant)."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


OUTCOME = KINDS.register(Kind(service.OUTCOME_KIND, render_outcome, describe=describe_outcome))
ANSWERED = KINDS.register(Kind(service.ANSWERED_KIND, render_answered, reported=False))
PUBLISHED = KINDS.register(Kind(service.PUBLISHED_KIND, render_published,
                                relevant=published_relevant, describe=describe_published))
CALL = KINDS.register(Kind(service.CALL_KIND, render_call, reminder=True,
                           relevant=call_relevant, describe=describe_call))
REMINDER = KINDS.register(Kind(service.REMINDER_KIND, render_call, reminder=True,
                               relevant=call_relevant, describe=describe_call))
