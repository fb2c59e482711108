"""Meeting notices and reminders in the notification engine (issue 5).

This module owns how every meeting message reads and when it still matters:

* the kinds (registered in ``bot.notify.kinds.KINDS``): the notice of a new, moved or
  cancelled meeting with its ``.ics`` invitation; the chair's approval request; the chair's
  decision told to the secretariat; the deputy's request and the member's "your deputy
  declined"; the reminders; the on-the-day check-in button. Texts are rendered at send time in
  the recipient's language; the buttons depend on the recipient's seat (the row's payload);
  callback data carries the meeting's sequence so an earlier notice's buttons are told apart;
* relevance: a notice or reminder of a meeting since moved or cancelled is skipped, not sent;
* ``MeetingReminders``, a reminder source like the calendar's (``bot.notify.reminders``),
  derived from the meeting rows alone: at D−3 and D−1 (``reminder_hour`` local) to those who
  answer for an institution that has not answered, and on the morning of the day to everyone
  expected, with time and place. Keys carry the meeting's sequence;
* the invitation travels as a ``WithDocument`` (``bot.notify.kinds``), which the sender's
  Telegram side sends as a document with the text as its caption.
``install`` adds the reminder source to a ``Notifier``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.documents.calendar_export import council_title
from bot.documents.ics import Invitation, build, meeting_uid
from bot.domain.clock import Clock
from bot.domain.meetings import Answer, CalledBy, MeetingKind, MeetingStatus
from bot.domain.models import CouncilKind
from bot.i18n import N_, Translator
from bot.notify.engine import Notifier
from bot.notify.kinds import KINDS, Buttons, Kind, Rendered, RenderInput, WithDocument
from bot.notify.reminders import Reminder
from bot.services import meetings as service
from bot.services.meetings import Choice, Event, Seating
from bot.store import Store
from bot.store.meetings import Meeting
from bot.store.outbox import Notice, Recipient

# Telegram allows 1,024 characters of caption; longer notices go as two messages.
CAPTION_LIMIT = 1000
STAGES = ("d3", "d1", "day")
MORNING = time(8, 0)
# Reminders are derived for meetings starting within this span (the timer still wakes hourly).
HORIZON = timedelta(days=30)

CALLED_BY_LABELS = {
    CalledBy.CHAIR_ON_PROPOSAL: N_("called by the chair on the directorate's proposal"),
    CalledBy.CHAIR: N_("called by the chair"),
    CalledBy.PRESIDENCY: N_("called at the Presidency's request"),
}
ANSWER_LABELS = {
    Choice.ATTEND: N_("✅ I will attend"),
    Choice.EXCUSE: N_("❌ I cannot attend"),
    Choice.DEPUTY: N_("👥 My deputy will attend"),
}


def install(notifier: Notifier) -> None:
    """Add meeting reminders to the scheduler."""
    if not any(isinstance(s, MeetingReminders) for s in notifier.scheduler.sources):
        notifier.scheduler.sources.append(MeetingReminders(notifier.settings.reminder_hour))


# --- what every meeting message says ----------------------------------------------------------


def local_start(p: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(p["starts_at"]).astimezone(ZoneInfo(p["timezone"]))


def council_of(t: Translator, p: dict[str, Any]) -> str:
    return council_title(t, CouncilKind(p["council_kind"]), p["council_name"])


def kind_line(t: Translator, p: dict[str, Any]) -> str:
    if p.get("kind") == MeetingKind.EXTRAORDINARY.value:
        called = p.get("called_by")
        label = t("Extraordinary meeting")
        if called:
            label += " — " + t(CALLED_BY_LABELS[CalledBy(called)])
        return label
    return t("Ordinary meeting")


def when_block(t: Translator, local: datetime, place: str | None) -> list[str]:
    """Date (as officials write it: 14 Ocak 2027 Perşembe), time and place, HTML-escaped."""
    lines = [t("📅 Date: {date}").format(date=t.date(local.date())),
             t("🕙 Time: {time}").format(time=t.time(local))]
    if place is not None:
        lines.append(t("📍 Place: {place}").format(place=html.escape(place)))
    return lines


def when_lines(t: Translator, p: dict[str, Any]) -> list[str]:
    return when_block(t, local_start(p), p["place"])


def invitation(t: Translator, p: dict[str, Any], cancelled: bool = False) -> tuple[str, bytes]:
    stamp = datetime.fromisoformat(p["stamp"]) if p.get("stamp") else None
    data = build(Invitation(
        uid=meeting_uid(int(p["meeting_id"])), sequence=int(p["sequence"]),
        starts_at=local_start(p), duration=timedelta(minutes=int(p["duration_minutes"])),
        summary=council_of(t, p), location=p["place"], description=kind_line(t, p),
        cancelled=cancelled, stamp=stamp))
    return f"meeting-{p['meeting_id']}.ics", data


def answer_buttons(t: Translator, p: dict[str, Any], item: dict[str, Any]) -> Buttons:
    seating = item.get("seating")
    institution = item.get("institution_id")
    if seating not in (Seating.MEMBER.value, Seating.DEPUTY.value) or institution is None:
        return ()
    prefix = f"mt:a:{p['meeting_id']}:{p['sequence']}:{institution}:"
    row = ((t(ANSWER_LABELS[Choice.ATTEND]), prefix + Choice.ATTEND.value),
           (t(ANSWER_LABELS[Choice.EXCUSE]), prefix + Choice.EXCUSE.value))
    if seating == Seating.DEPUTY.value:
        return (row,)
    return (row, ((t(ANSWER_LABELS[Choice.DEPUTY]), prefix + Choice.DEPUTY.value),))


def _document(text: str, buttons: Buttons, attachment: tuple[str, bytes] | None) -> Rendered:
    if attachment is None:
        return Rendered(text, "HTML", buttons)
    return WithDocument(text, "HTML", buttons, attachment[0], attachment[1])


# --- the notice: new, moved, cancelled --------------------------------------------------------


def render_notice(data: RenderInput) -> Rendered:
    t, p, item = data.t, data.notice, data.item
    council = html.escape(council_of(t, p))
    event = Event(p.get("event", Event.NEW.value))
    if event is Event.CANCELLED:
        lines = [t("🚫 <b>Meeting cancelled — {council}</b>").format(council=council),
                 *when_lines(t, p)]
        if p.get("reason"):
            lines.append(t("Reason: {reason}").format(reason=html.escape(p["reason"])))
        if p.get("invitation", True):
            lines.append(t("The attached invitation removes it from your calendar."))
            return _document("\n".join(lines), (), invitation(t, p, cancelled=True))
        return Rendered("\n".join(lines))
    if event is Event.MOVED:
        title = t("🔁 <b>Meeting moved — {council}</b>").format(council=council)
    else:
        title = t("📣 <b>Meeting notice — {council}</b>").format(council=council)
    lines = [title, html.escape(kind_line(t, p)), *when_lines(t, p)]
    if event is Event.MOVED and p.get("previous_starts_at"):
        before = dict(p, starts_at=p["previous_starts_at"], place=p.get("previous_place", ""))
        old = local_start(before)
        lines.append(t("Instead of: {date}, {time}, {place}").format(
            date=t.date(old.date()), time=t.time(old), place=html.escape(before["place"])))
    buttons = answer_buttons(t, p, item)
    if buttons:
        lines.append("")
        if item.get("seating") == Seating.DEPUTY.value:
            lines.append(t("You receive this as the deputy of {institution}: please answer "
                           "for it (Art. 9(2)).").format(
                institution=html.escape(_institution_name(p, item))))
        if event is Event.MOVED and p.get("answers_reset"):
            lines.append(t("Answers given for the earlier date no longer count: please "
                           "answer again."))
        else:
            lines.append(t("Please let the secretariat know whether you will attend."))
    lines.append(t("The calendar invitation is attached."))
    return _document("\n".join(lines), buttons, invitation(t, p))


def _institution_name(p: dict[str, Any], item: dict[str, Any]) -> str:
    return str(item.get("institution") or p.get("institution") or "")


def describe_notice(p: dict[str, Any], t: Translator) -> str:
    local = local_start(p)
    labels = {Event.NEW: "📣", Event.MOVED: "🔁", Event.CANCELLED: "🚫"}
    return labels[Event(p.get("event", "new"))] + " " + t("{council}: meeting of {date}").format(
        council=council_of(t, p), date=t.short_date(local.date()))


async def _current(store: Store, notice: Notice) -> Meeting | None:
    return await store.meetings.get(int(notice.payload["meeting_id"]))


async def notice_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    """A notice of a meeting since moved or cancelled is not sent; a cancellation is."""
    meeting = await _current(store, notice)
    if meeting is None or meeting.sequence != int(notice.payload["sequence"]):
        return False
    if notice.payload.get("event") == Event.CANCELLED.value:
        return True
    return meeting.status is not MeetingStatus.CANCELLED and clock.now() < meeting.ends_at


async def pending_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    """Still the same meeting (not moved, cancelled or over)."""
    meeting = await _current(store, notice)
    return (meeting is not None and meeting.sequence == int(notice.payload["sequence"])
            and meeting.status is not MeetingStatus.CANCELLED and clock.now() < meeting.ends_at)


# --- the chair's decision ---------------------------------------------------------------------


def render_approval(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    lines = [t("🗳 <b>Your decision: a meeting of the {council}</b>").format(
        council=html.escape(council_of(t, p))),
        t("The secretariat proposes:"), html.escape(kind_line(t, p)), *when_lines(t, p)]
    if p.get("override_reason"):
        lines.append(t("Outside the statutory window or notice period; reason given: "
                       "{reason}").format(reason=html.escape(p["override_reason"])))
    lines.append(t("The chair sets the day, place and time ({article}); the notices go out "
                   "once you approve.").format(article=t.article("Art. 11(3)")))
    prefix = f"mt:ch:{p['meeting_id']}:{p['sequence']}:"
    buttons = (((t("✅ Approve"), prefix + "ok"),),
               ((t("🗓 Propose another date"), prefix + "p"),))
    return Rendered("\n".join(lines), "HTML", buttons)


async def approval_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    meeting = await _current(store, notice)
    return (meeting is not None and meeting.status is MeetingStatus.AWAITING_CHAIR
            and meeting.sequence == int(notice.payload["sequence"]))


def render_decision(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    local = local_start(p)
    values = {"council": html.escape(council_of(t, p)), "date": t.date(local.date()),
              "time": t.time(local)}
    if p.get("decision") == "approved":
        n = int(p.get("recipients", 0))
        text = t("✅ The chair approved the meeting of the {council} on {date} at {time}.") \
            .format(**values)
        text += "\n" + t.ngettext("The notice is being sent to {n} person.",
                                  "The notice is being sent to {n} people.", n).format(n=n)
        return Rendered(text)
    text = t("🗓 The chair asks for another date for the meeting of the {council} planned on "
             "{date} at {time}:").format(**values)
    text += "\n“" + html.escape(p.get("proposal", "")) + "”\n"
    text += t("Move the meeting with /meetings; it goes back to the chair for approval.")
    return Rendered(text)


# --- the deputy -------------------------------------------------------------------------------


def render_deputy(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    lines = [t("👥 <b>{member} names you as deputy</b> for {institution} at the meeting of "
               "the {council} (Art. 9(2)).").format(
        member=html.escape(p.get("member", "")), institution=html.escape(p.get("institution", "")),
        council=html.escape(council_of(t, p))), *when_lines(t, p),
        t("Will you attend?")]
    prefix = f"mt:dr:{p['meeting_id']}:{p['sequence']}:{p['institution_id']}:"
    buttons = (((t(ANSWER_LABELS[Choice.ATTEND]), prefix + "y"),
                (t(ANSWER_LABELS[Choice.EXCUSE]), prefix + "n")),)
    return _document("\n".join(lines), buttons, invitation(t, p))


def render_deputy_declined(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    lines = [t("⚠️ {deputy} cannot attend the meeting of the {council} for {institution}.")
             .format(deputy=html.escape(p.get("deputy", "")),
                     council=html.escape(council_of(t, p)),
                     institution=html.escape(p.get("institution", ""))),
             *when_lines(t, p), t("Please answer again.")]
    return Rendered("\n".join(lines), "HTML", answer_buttons(t, p, data.item))


# --- reminders --------------------------------------------------------------------------------


def render_reminder(data: RenderInput) -> Rendered:
    t, p, item = data.t, data.notice, data.item
    council = html.escape(council_of(t, p))
    local = local_start(p)
    stage = p.get("stage")
    if stage == "day":
        lines = [t("📅 <b>Today at {time}: meeting of the {council}</b>").format(
            time=t.time(local), council=council),
            t("📍 Place: {place}").format(place=html.escape(p["place"]))]
    else:
        days = (local.date() - date.fromisoformat(p["due_day"])).days
        lines = [t.ngettext("⏰ <b>Reminder: the meeting of the {council} is in {n} day.</b>",
                            "⏰ <b>Reminder: the meeting of the {council} is in {n} days.</b>",
                            days).format(council=council, n=days), *when_lines(t, p)]
    buttons = answer_buttons(t, p, item)
    if buttons:
        lines.append(t("Your institution has not answered yet: will you attend?"))
    return Rendered("\n".join(lines), "HTML", buttons)


def describe_reminder(p: dict[str, Any], t: Translator) -> str:
    return "⏰ " + t("{council}: reminder of the meeting of {date}").format(
        council=council_of(t, p), date=t.short_date(local_start(p).date()))


async def reminder_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    meeting = await _current(store, notice)
    return (meeting is not None and meeting.status is MeetingStatus.SCHEDULED
            and meeting.sequence == int(notice.payload["sequence"])
            and clock.now() < meeting.starts_at)


class MeetingReminders:
    """Reminders of every approved meeting, derived from its row (see the module doc)."""

    name = "meetings"

    def __init__(self, hour: int = 9, morning: time = MORNING) -> None:
        self.at = time(hour % 24, 0)
        self.morning = morning

    def due(self, stage: str, day: date, zone: ZoneInfo) -> datetime:
        if stage == "day":
            return datetime.combine(day, self.morning, tzinfo=zone).astimezone(UTC)
        back = 3 if stage == "d3" else 1
        return datetime.combine(day - timedelta(days=back), self.at,
                                tzinfo=zone).astimezone(UTC)

    async def reminders(self, store: Store, now: datetime) -> list[Reminder]:
        found: list[Reminder] = []
        places: dict[int, service.Where] = {}
        for meeting in await store.meetings.scheduled_between(now, now + HORIZON):
            place = places.get(meeting.council_id)
            if place is None:
                place = places[meeting.council_id] = await service.where(
                    store, meeting.council_id)
            day = place.local(meeting.starts_at).date()
            for stage in STAGES:
                due = self.due(stage, day, place.zone)
                if due >= meeting.starts_at:
                    continue  # a meeting before 08:00 has no morning reminder
                if stage != "day" and meeting.noticed_at is not None and due <= (
                        meeting.noticed_at):
                    continue  # the notice itself went out after this: nothing to remind of
                found.append(Reminder(
                    key=f"remind:meeting:{meeting.id}:{meeting.sequence}:{stage}",
                    kind=service.REMINDER_KIND, subject=f"meeting:{meeting.id}", due_at=due,
                    timezone=place.province.timezone, province_id=place.province.id,
                    council_id=place.council.id,
                    payload=service.meeting_payload(
                        meeting, place, stage=stage,
                        due_day=due.astimezone(place.zone).date().isoformat())))
        return found

    async def recipients(
        self, store: Store, reminders: Sequence[Reminder]
    ) -> dict[str, list[Recipient]]:
        found: dict[str, list[Recipient]] = {}
        for reminder in reminders:
            meeting = await store.meetings.get(int(reminder.payload["meeting_id"]))
            if meeting is None or meeting.status is not MeetingStatus.SCHEDULED:
                continue
            place = await service.where(store, meeting.council_id)
            people = await service.recipients(store, meeting, place)
            answers = await store.meetings.answers(meeting.id)
            chosen: list[Recipient] = []
            for person in people:
                got = answers.get(person.institution_id or 0)
                answers_for_it = person.seating in (Seating.MEMBER, Seating.DEPUTY)
                if reminder.payload["stage"] != "day":
                    if answers_for_it and got is None:
                        chosen.append(person.recipient())
                    continue
                if answers_for_it and got is not None and (got.answer is Answer.EXCUSED or (
                        person.seating is Seating.MEMBER and got.answer in (
                            Answer.DEPUTY, Answer.DEPUTY_CONFIRMED))):
                    continue  # not coming, or sending the deputy
                seating = person.seating if answers_for_it and got is None else Seating.INFO
                chosen.append(Recipient(person.person.telegram_user_id, person.person.id,
                                        {"seating": seating.value,
                                         "institution_id": person.institution_id}))
            if reminder.payload["stage"] == "day":
                known = {r.chat_id for r in chosen}
                for got in answers.values():
                    if got.answer is Answer.DEPUTY_CONFIRMED and got.deputy_person_id:
                        deputy = await store.people.get(got.deputy_person_id)
                        if deputy is not None and deputy.telegram_user_id not in known:
                            chosen.append(Recipient(deputy.telegram_user_id, deputy.id))
            if chosen:
                found[reminder.key] = chosen
        return found


# --- the check-in -----------------------------------------------------------------------------


def render_checkin(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    lines = [t("✋ <b>Check-in: meeting of the {council}</b>").format(
        council=html.escape(council_of(t, p))),
        t("📍 Place: {place}").format(place=html.escape(p["place"])),
        t("When you are at the meeting, press the button to sign in on the attendance list.")]
    buttons = (((t("✋ I am here"), f"mt:ci:{p['meeting_id']}:{p['sequence']}"),),)
    return Rendered("\n".join(lines), "HTML", buttons)


async def checkin_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    meeting = await _current(store, notice)
    return (meeting is not None and meeting.checkin_until is not None
            and clock.now() < meeting.checkin_until)


def describe_other(p: dict[str, Any], t: Translator) -> str:
    return "🗓 " + t("{council}: meeting of {date}").format(
        council=council_of(t, p), date=t.short_date(local_start(p).date()))


NOTICE = KINDS.register(Kind(service.NOTICE_KIND, render_notice, relevant=notice_relevant,
                             describe=describe_notice))
APPROVAL = KINDS.register(Kind(service.APPROVAL_KIND, render_approval, urgent=True,
                               relevant=approval_relevant, reported=False))
DECISION = KINDS.register(Kind(service.DECISION_KIND, render_decision, urgent=True,
                               reported=False))
DEPUTY = KINDS.register(Kind(service.DEPUTY_KIND, render_deputy, urgent=True,
                             relevant=pending_relevant, describe=describe_other))
DEPUTY_DECLINED = KINDS.register(Kind(service.DEPUTY_DECLINED_KIND, render_deputy_declined,
                                      urgent=True, relevant=pending_relevant, reported=False))
REMINDER = KINDS.register(Kind(service.REMINDER_KIND, render_reminder, reminder=True,
                               relevant=reminder_relevant, describe=describe_reminder))
CHECKIN = KINDS.register(Kind(service.CHECKIN_KIND, render_checkin, urgent=True,
                              relevant=checkin_relevant, reported=False))
