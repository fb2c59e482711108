"""Decision notices and follow-up reminders in the notification engine (issue 7).

This module owns how every decision message reads and when it still matters:

* the kinds (registered in ``bot.notify.kinds.KINDS``): the finalised minutes with the Ek-1
  DOCX (Art. 12(2), 12(4), 12(5)); each responsible institution's task "Decision 2027/3: …
  Deadline: …" with a button to report progress; the reminders; the escalations;
* relevance: a task, reminder or escalation of an institution that has since reported done
  (for an escalation: reported at all) is skipped, not sent;
* ``DecisionReminders``, a reminder source derived from the stored decisions and progress
  reports alone (like ``MeetingReminders``): to the institution 14, 7 and 1 days before the
  deadline and weekly after it; an institution silent one week past its deadline escalates to
  its member, two weeks past to the secretariat and the chair (``bot.domain.decisions``).
  Keys carry the deadline, so a changed deadline yields new reminders.

``install`` adds the source to a ``Notifier``; the documents are ``WithDocument`` messages.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.documents.calendar_export import council_title
from bot.documents.ek1 import Ek1, docx_bytes
from bot.domain import decisions as rules
from bot.domain.clock import Clock
from bot.domain.decisions import Stage, Status
from bot.domain.models import CouncilKind
from bot.i18n import Translator
from bot.notify.engine import Notifier
from bot.notify.kinds import KINDS, Buttons, Kind, Rendered, RenderInput, WithDocument
from bot.notify.meeting_kinds import local_start
from bot.notify.reminders import Reminder
from bot.services import decisions as service
from bot.services import meetings as meeting_service
from bot.store import Store
from bot.store.outbox import Notice, Recipient

# Reminders are derived up to this far ahead (the timer still wakes hourly).
HORIZON = timedelta(days=30)


def install(notifier: Notifier) -> None:
    """Add decision reminders to the scheduler."""
    if not any(isinstance(s, DecisionReminders) for s in notifier.scheduler.sources):
        notifier.scheduler.sources.append(DecisionReminders(notifier.settings.reminder_hour))


def council_of(t: Translator, p: dict[str, Any]) -> str:
    return council_title(t, CouncilKind(p["council_kind"]), p["council_name"])


def report_button(t: Translator, p: dict[str, Any]) -> Buttons:
    data = f"dc:r:{p['decision_id']}:{p['institution_id']}"
    return (((t("📝 Report progress"), data),),)


def _deadline(t: Translator, p: dict[str, Any]) -> str:
    return t.date(date.fromisoformat(p["deadline"]))


# --- the minutes ------------------------------------------------------------------------------


def render_minutes(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    local = local_start(p)
    n = int(p.get("decisions", 0))
    lines = [t("📄 <b>Minutes of the meeting of the {council}</b>").format(
        council=html.escape(council_of(t, p))),
        t("📅 Date: {date}").format(date=t.date(local.date())),
        t.ngettext("{n} decision was taken.", "{n} decisions were taken.", n).format(n=n),
        t("The Ek-1 report form is attached ({article}).").format(
            article=t.article("Art. 12(2)"))]
    form = Ek1.from_payload(p["ek1"])
    return WithDocument("\n".join(lines), "HTML", (), f"ek1-{p['meeting_id']}.docx",
                        docx_bytes(form))


def describe_minutes(p: dict[str, Any], t: Translator) -> str:
    return "📄 " + t("{council}: minutes of {date}").format(
        council=council_of(t, p), date=t.short_date(local_start(p).date()))


# --- the task ---------------------------------------------------------------------------------


def render_task(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    lines = [t("📌 <b>Decision {number}</b>: {text}").format(
        number=p["number"], text=html.escape(p["text"])),
        t("Responsible: {institution}").format(institution=html.escape(p["institution"])),
        t("Deadline: {date}").format(date=_deadline(t, p)),
        t("Please report your institution's progress ({article}).").format(
            article=t.article("Art. 12(4)"))]
    return Rendered("\n".join(lines), "HTML", report_button(t, p))


def describe_task(p: dict[str, Any], t: Translator) -> str:
    return "📌 " + t("Decision {number}: {institution}").format(
        number=p["number"], institution=p.get("institution", ""))


async def _institution_state(store: Store, p: dict[str, Any]) -> tuple[bool, Status | None]:
    """(the decision still exists, the institution's latest reported state)."""
    decision = await store.decisions.decision(int(p["decision_id"]))
    if decision is None or int(p["institution_id"]) not in decision.institution_ids:
        return False, None
    latest = await store.decisions.latest_progress([decision.id])
    got = latest.get((decision.id, int(p["institution_id"])))
    return True, got.status if got is not None else None


async def task_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    exists, state = await _institution_state(store, notice.payload)
    return exists and state is not Status.DONE


async def escalation_relevant(store: Store, clock: Clock, notice: Notice) -> bool:
    exists, state = await _institution_state(store, notice.payload)
    return exists and state is None


# --- reminders and escalation -----------------------------------------------------------------


def render_reminder(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    values = {"number": p["number"], "text": html.escape(p["text"]),
              "date": _deadline(t, p), "institution": html.escape(p["institution"])}
    if p["stage"] == Stage.BEFORE.value:
        n = int(p["n"])
        head = t.ngettext("⏰ <b>Decision {number}</b>: {n} day left until the deadline.",
                          "⏰ <b>Decision {number}</b>: {n} days left until the deadline.",
                          n).format(n=n, **values)
    else:
        n = int(p["n"])
        head = t.ngettext("⚠️ <b>Decision {number}</b> is overdue by {n} week.",
                          "⚠️ <b>Decision {number}</b> is overdue by {n} weeks.",
                          n).format(n=n, **values)
    lines = [head, values["text"], t("Responsible: {institution}").format(**values),
             t("Deadline: {date}").format(**values)]
    return Rendered("\n".join(lines), "HTML", report_button(t, p))


def render_escalation(data: RenderInput) -> Rendered:
    t, p = data.t, data.notice
    values = {"number": p["number"], "text": html.escape(p["text"]),
              "date": _deadline(t, p), "institution": html.escape(p["institution"]),
              "council": html.escape(council_of(t, p))}
    if p["stage"] == Stage.MEMBER.value:
        lines = [t("🔔 <b>{institution} has not reported on decision {number}</b>, due "
                   "{date}.").format(**values), values["text"],
                 t("As the institution's member, please see that it reports.")]
        return Rendered("\n".join(lines), "HTML", report_button(t, p))
    lines = [t("🚨 <b>{institution} has not reported on decision {number}</b> of the "
               "{council}, due {date}, two weeks after the deadline.").format(**values),
             values["text"]]
    return Rendered("\n".join(lines))


def describe_reminder(p: dict[str, Any], t: Translator) -> str:
    return "⏰ " + t("Decision {number}: {institution}").format(
        number=p["number"], institution=p.get("institution", ""))


class DecisionReminders:
    """Reminders and escalations of every finalised decision (see the module doc)."""

    name = "decisions"

    def __init__(self, hour: int = 9) -> None:
        self.at = time(hour % 24, 0)

    async def reminders(self, store: Store, now: datetime) -> list[Reminder]:
        found: list[Reminder] = []
        decisions = await store.decisions.all_final()
        latest = await store.decisions.latest_progress([d.id for d in decisions])
        places: dict[int, meeting_service.Where] = {}
        for decision in decisions:
            place = places.get(decision.council_id)
            if place is None:
                place = places[decision.council_id] = await meeting_service.where(
                    store, decision.council_id)
            meeting = await store.meetings.get(decision.meeting_id)
            if meeting is None:
                continue
            decided = place.local(meeting.starts_at).date()
            for institution_id in decision.institution_ids:
                got = latest.get((decision.id, institution_id))
                if got is not None and got.status is Status.DONE:
                    continue
                institution = await store.councils.institution(institution_id)
                if institution is None:
                    continue
                steps = rules.schedule(decision.deadline, decided)
                dues = [(s, datetime.combine(s.day, self.at, tzinfo=place.zone)
                         .astimezone(UTC)) for s in steps]
                # Of the plain reminders only the latest due one counts (no flood after a
                # stop); escalations are kept until they are sent (the outbox key is unique).
                past = [d for s, d in dues if s.stage in (Stage.BEFORE, Stage.AFTER)
                        and d <= now]
                last = max(past, default=None)
                for step, due in dues:
                    if due > now + HORIZON:
                        continue
                    if step.stage in (Stage.BEFORE, Stage.AFTER) and last and due < last:
                        continue
                    if step.stage in (Stage.MEMBER, Stage.SECRETARIAT) and got is not None:
                        continue  # it reported: no escalation
                    kind = (service.REMINDER_KIND if step.stage in (Stage.BEFORE, Stage.AFTER)
                            else service.ESCALATION_KIND)
                    found.append(Reminder(
                        key=(f"remind:decision:{decision.id}:{institution_id}:"
                             f"{decision.deadline.isoformat()}:{step.stage.value}:{step.n}"),
                        kind=kind, subject=f"decision:{decision.id}", due_at=due,
                        timezone=place.province.timezone, province_id=place.province.id,
                        council_id=place.council.id,
                        payload=service.decision_payload(
                            decision, place, institution, stage=step.stage.value, n=step.n)))
        return found

    async def recipients(
        self, store: Store, reminders: Sequence[Reminder]
    ) -> dict[str, list[Recipient]]:
        found: dict[str, list[Recipient]] = {}
        for reminder in reminders:
            p = reminder.payload
            stage = Stage(p["stage"])
            if stage is Stage.SECRETARIAT:
                people = await service.secretariat_and_chair(store, int(p["council_id"]))
            else:
                people = await service.institution_people(
                    store, int(p["council_id"]), int(p["institution_id"]),
                    member_only=stage is Stage.MEMBER)
            if people:
                found[reminder.key] = people
        return found



MINUTES = KINDS.register(Kind(service.MINUTES_KIND, render_minutes, describe=describe_minutes))
TASK = KINDS.register(Kind(service.TASK_KIND, render_task, relevant=task_relevant,
                           describe=describe_task))
REMINDER = KINDS.register(Kind(service.REMINDER_KIND, render_reminder, reminder=True,
                               relevant=task_relevant, describe=describe_reminder))
ESCALATION = KINDS.register(Kind(service.ESCALATION_KIND, render_escalation, reminder=True,
                                 relevant=escalation_relevant, describe=describe_reminder))
