"""Minutes, progress reports and the decision register in the chat (issue 7).

Owns three flows and their texts; every rule is ``bot.services.decisions``'s:

* ``/minutes`` (secretariat): a held meeting → its minutes, one section at a time (topics,
  problems, solutions, the evaluation of the previous decisions), decisions with text,
  rationale, purpose, responsible institutions (buttons) and time given, then finalise
  (the Ek-1 goes out through the notification engine); finalised minutes take an addendum;
* ``/progress`` (an institution's liaison officers and member), also from a task's button:
  decision → status (blocked asks the reason) → what was done → evidence (optional) →
  preview → save;
* ``/decisions``: the register with filters; the secretariat and the chair see who reported;
* ``/annualreport [year]``: the Ek-3 draft of the province (provincial directorate);
* ``/overview``: a PNG chart of the decisions per council by state (secretariat, chair).

Callback data: ``mn:…`` (minutes), ``pg:…`` and ``dc:r:<decision>:<institution>`` (progress),
``dl:…`` (register); every id is re-checked by the service.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.domain.decisions import Status
from bot.handlers.base import (
    END,
    KurulContext,
    answer,
    buttons,
    cancel_flow,
    command_entry,
    conversation,
    data_parts,
    guarded,
    int_part,
    prompt,
    send,
    text_of,
    want_button,
    want_text,
)
from bot.handlers.labels import refusal_text
from bot.i18n import N_, Translator
from bot.notify.engine import notifier_of
from bot.services import decisions as service
from bot.services.decisions import DecisionRefused, Problem
from bot.services.errors import ServiceError

PROBLEMS = {
    Problem.FINAL: N_("These minutes are finalised and can no longer be edited. You can "
                      "record an addendum instead."),
    Problem.NOT_HELD: N_("This meeting has not taken place: its minutes cannot be written "
                         "yet."),
    Problem.NO_MINUTES: N_("This meeting has no minutes yet."),
    Problem.DEADLINE_UNREADABLE: N_("I could not read this time. Write a date as dd.mm.yyyy, "
                                    "or a span such as “30 gün”, “3 ay”, “30 days” or "
                                    "“3 months”."),
    Problem.DEADLINE_PAST: N_("This date is in the past. Please give a date from today on."),
    Problem.NOT_ON_COUNCIL: N_("This institution is not on the council."),
    Problem.NO_INSTITUTION: N_("Please choose at least one responsible institution."),
    Problem.EMPTY: N_("Please write something first."),
    Problem.TOO_LONG: N_("This text is too long."),
    Problem.NOT_RESPONSIBLE: N_("Your institution is not responsible for this decision."),
    Problem.CLOSED: N_("Your institution has already reported this decision as done."),
    Problem.EVIDENCE_TOO_LARGE: N_("This file is larger than 20 MB, the most Telegram lets me "
                                   "download. Please send a smaller file or a PDF."),
    Problem.NO_DECISIONS: N_("There are no decisions here."),
    Problem.REASON_NEEDED: N_("Please write why the work is blocked."),
}
SECTION_LABELS = {
    "topics": N_("Topics discussed"),
    "problems": N_("Problems identified"),
    "solutions": N_("Proposed solutions"),
    "evaluation": N_("Evaluation of the previous decisions"),
}
STATUS_LABELS = service.STATE_LABELS


def problem_text(t: Translator, error: Exception) -> str:
    if isinstance(error, DecisionRefused):
        return t(PROBLEMS[error.problem])
    assert isinstance(error, ServiceError)
    return refusal_text(t, error)


def _short(text: str, limit: int = 300) -> str:
    text = text.strip()
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


# --- /minutes ---------------------------------------------------------------------------------

MINUTES = "minutes"
M_MEETING, M_MENU, M_SECTION, M_ADDENDUM = "mn_meeting", "mn_menu", "mn_section", "mn_add"
D_TEXT, D_RATIONALE, D_PURPOSE, D_INST, D_DEADLINE = (
    "mn_dtext", "mn_drat", "mn_dpur", "mn_dinst", "mn_ddl")


async def minutes_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    ctx.drop_draft(MINUTES)
    try:
        meetings = await service.minutes_meetings(ctx.store, ctx.clock, ctx.grants)
    except ServiceError as error:
        await send(update, ctx, problem_text(ctx.t, error))
        return END
    if not meetings:
        await send(update, ctx, ctx.t("No meeting has taken place yet: there are no minutes "
                                      "to write."))
        return END
    zone = ctx.settings.timezone
    from zoneinfo import ZoneInfo
    rows = [[(m.starts_at.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M"),
              f"mn:m:{m.id}")] for m in meetings[:8]]
    rows.append([(ctx.t("Cancel"), "mn:x")])
    await prompt(update, ctx, MINUTES, ctx.t("Minutes: which meeting?"), buttons(rows),
                 new=True)
    return M_MEETING


async def _menu(update: Update, ctx: KurulContext, new: bool = False) -> str | int:
    t = ctx.t
    meeting_id = int(ctx.draft(MINUTES)["meeting"])
    try:
        minutes = await service.open_minutes(ctx.store, ctx.clock, ctx.grants, meeting_id,
                                             ctx.person.id if ctx.person else None)
        decisions = await ctx.store.decisions.of_meeting(meeting_id)
    except (ServiceError, DecisionRefused) as error:
        await send(update, ctx, problem_text(t, error))
        ctx.drop_draft(MINUTES)
        return END
    lines = [t("📝 <b>Minutes</b>")]
    if minutes.final:
        lines.append(t("These minutes are finalised and can no longer be edited. You can "
                       "record an addendum instead."))
    for section, label in SECTION_LABELS.items():
        value = getattr(minutes, section)
        lines.append(f"<b>{t(label)}:</b> " + (_short(value) if value else "—"))
    lines.append(t.ngettext("{n} decision:", "{n} decisions:", len(decisions)).format(
        n=len(decisions)))
    lines += [f"• {d.number}: {_short(d.text, 120)}" for d in decisions]
    if minutes.final:
        rows = [[(t("➕ Addendum"), "mn:add")], [(t("Close"), "mn:x")]]
    else:
        rows = [[(t(label), f"mn:s:{section}")] for section, label in SECTION_LABELS.items()]
        rows += [[(t("➕ Decision"), "mn:d")], [(t("✅ Finalise and send"), "mn:fin")],
                 [(t("Close"), "mn:x")]]
    await prompt(update, ctx, MINUTES, "\n".join(lines), buttons(rows), new=new)
    return M_MENU


@guarded(MINUTES, M_MEETING)
async def meeting_chosen(update: Update, ctx: KurulContext) -> str | int:
    meeting_id = int_part(update, 2)
    if meeting_id is None:
        return M_MEETING
    held = await service.minutes_meetings(ctx.store, ctx.clock, ctx.grants)
    if meeting_id not in {m.id for m in held}:  # forged: refused, the chooser stays
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return M_MEETING
    ctx.draft(MINUTES)["meeting"] = meeting_id
    return await _menu(update, ctx)


@guarded(MINUTES, M_MENU)
async def section_chosen(update: Update, ctx: KurulContext) -> str | int:
    section = data_parts(update)[2]
    if section not in SECTION_LABELS:
        return M_MENU
    ctx.draft(MINUTES)["section"] = section
    await send(update, ctx, ctx.t("Send the text of “{section}”.").format(
        section=ctx.t(SECTION_LABELS[section])))
    return M_SECTION


async def section_received(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(MINUTES)
    try:
        await service.set_section(ctx.store, ctx.clock, ctx.grants, int(draft["meeting"]),
                                  draft.get("section", ""), text_of(update) or "",
                                  ctx.person.id if ctx.person else None)
    except (ServiceError, DecisionRefused) as error:
        await send(update, ctx, problem_text(ctx.t, error))
        return await _menu(update, ctx, new=True)
    await send(update, ctx, ctx.t("Saved."))
    return await _menu(update, ctx, new=True)


@guarded(MINUTES, M_MENU)
async def decision_start(update: Update, ctx: KurulContext) -> str | int:
    ctx.draft(MINUTES)["decision"] = {"institutions": []}
    await send(update, ctx, ctx.t("New decision, step 1 of 5: the decision (Alınan Karar)."))
    return D_TEXT


async def _field(update: Update, ctx: KurulContext, name: str, question: str,
                 state: str) -> str | int:
    text = (text_of(update) or "").strip()
    if not text:
        await send(update, ctx, ctx.t(PROBLEMS[Problem.EMPTY]))
        return state
    ctx.draft(MINUTES).setdefault("decision", {"institutions": []})[name] = text
    await send(update, ctx, ctx.t(question))
    return {"text": D_RATIONALE, "rationale": D_PURPOSE}.get(name, D_INST)


async def decision_text(update: Update, ctx: KurulContext) -> str | int:
    return await _field(update, ctx, "text", N_("Step 2 of 5: the rationale (Karar "
                                                "Gerekçesi)."), D_TEXT)


async def decision_rationale(update: Update, ctx: KurulContext) -> str | int:
    return await _field(update, ctx, "rationale", N_("Step 3 of 5: the purpose (Amaç)."),
                        D_RATIONALE)


async def decision_purpose(update: Update, ctx: KurulContext) -> str | int:
    text = (text_of(update) or "").strip()
    if not text:
        await send(update, ctx, ctx.t(PROBLEMS[Problem.EMPTY]))
        return D_PURPOSE
    ctx.draft(MINUTES)["decision"]["purpose"] = text
    return await _institutions(update, ctx, new=True)


async def _institutions(update: Update, ctx: KurulContext, new: bool = False) -> str | int:
    draft = ctx.draft(MINUTES)
    meeting = await ctx.store.meetings.get(int(draft["meeting"]))
    assert meeting is not None
    chosen = set(draft["decision"].get("institutions", []))
    found = await service.council_institutions(ctx.store, meeting.council_id)
    rows = [[(("✅ " if i.id in chosen else "") + i.name, f"mn:i:{i.id}")] for i in found]
    rows.append([(ctx.t("Done"), "mn:idone")])
    await prompt(update, ctx, MINUTES, ctx.t("Step 4 of 5: the responsible institutions. Tap "
                                             "to choose, then Done."), buttons(rows), new=new)
    return D_INST


@guarded(MINUTES, D_INST)
async def institution_toggled(update: Update, ctx: KurulContext) -> str | int:
    institution_id = int_part(update, 2)
    if institution_id is None:
        return D_INST
    meeting = await ctx.store.meetings.get(int(ctx.draft(MINUTES)["meeting"]))
    offered = [] if meeting is None else await service.council_institutions(ctx.store,
                                                                              meeting.council_id)
    if institution_id not in {i.id for i in offered}:  # forged: not one of the council's
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return D_INST
    chosen: list[int] = ctx.draft(MINUTES)["decision"].setdefault("institutions", [])
    if institution_id in chosen:
        chosen.remove(institution_id)
    else:
        chosen.append(institution_id)
    return await _institutions(update, ctx)


@guarded(MINUTES, D_INST)
async def institutions_done(update: Update, ctx: KurulContext) -> str | int:
    if not ctx.draft(MINUTES)["decision"].get("institutions"):
        await send(update, ctx, ctx.t(PROBLEMS[Problem.NO_INSTITUTION]))
        return D_INST
    await send(update, ctx, ctx.t("Step 5 of 5: the time given (Verilen Süre): a date as "
                                  "dd.mm.yyyy, or “30 gün”, “3 ay”, “30 days”, “3 months”."))
    return D_DEADLINE


async def decision_deadline(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(MINUTES)
    values = draft["decision"]
    try:
        saved = await service.add_decision(
            ctx.store, ctx.clock, ctx.grants, int(draft["meeting"]), service.DecisionDraft(
                values["text"], values.get("rationale", ""), values.get("purpose", ""),
                list(values["institutions"]), text_of(update) or ""),
            ctx.person.id if ctx.person else None)
    except DecisionRefused as error:
        await send(update, ctx, problem_text(ctx.t, error))
        if error.problem in (Problem.DEADLINE_PAST, Problem.DEADLINE_UNREADABLE):
            return D_DEADLINE  # nothing lost: the other answers are kept
        return await _menu(update, ctx, new=True)
    except ServiceError as error:
        await send(update, ctx, problem_text(ctx.t, error))
        ctx.drop_draft(MINUTES)
        return END
    draft.pop("decision", None)
    await send(update, ctx, ctx.t("Decision {number} recorded. Deadline: {date}.").format(
        number=saved.number, date=ctx.t.date(saved.deadline)))
    return await _menu(update, ctx, new=True)


@guarded(MINUTES, M_MENU)
async def finalise_asked(update: Update, ctx: KurulContext) -> str | int:
    rows = [[(ctx.t("✅ Finalise and send"), "mn:fok")], [(ctx.t("◀ Back"), "mn:back")]]
    await prompt(update, ctx, MINUTES, ctx.t("Once finalised, the minutes can no longer be "
                                             "edited; the Ek-1 goes to the member institutions "
                                             "and each responsible institution gets its tasks. "
                                             "Finalise?"), buttons(rows))
    return M_MENU


@guarded(MINUTES, M_MENU)
async def finalise_confirmed(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(MINUTES)
    notifier = notifier_of(ctx.application)
    try:
        done = await service.finalise(ctx.store, ctx.clock, ctx.grants, int(draft["meeting"]),
                                      notifier.quiet, ctx.person.id if ctx.person else None)
    except (ServiceError, DecisionRefused) as error:
        await send(update, ctx, problem_text(ctx.t, error))
        ctx.drop_draft(MINUTES)
        return END
    await notifier.changed()
    ctx.drop_draft(MINUTES)
    await send(update, ctx, ctx.t.ngettext(
        "Finalised. The minutes are being sent to {n} person.",
        "Finalised. The minutes are being sent to {n} people.", done.recipients).format(
        n=done.recipients))
    return END


@guarded(MINUTES, M_MENU)
async def back_to_menu(update: Update, ctx: KurulContext) -> str | int:
    return await _menu(update, ctx)


@guarded(MINUTES, M_MENU)
async def addendum_start(update: Update, ctx: KurulContext) -> str | int:
    await send(update, ctx, ctx.t("Send the text of the addendum."))
    return M_ADDENDUM


async def addendum_received(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(MINUTES)
    try:
        await service.add_addendum(ctx.store, ctx.clock, ctx.grants, int(draft["meeting"]),
                                   text_of(update) or "", ctx.person.id if ctx.person else None)
    except (ServiceError, DecisionRefused) as error:
        await send(update, ctx, problem_text(ctx.t, error))
        return M_ADDENDUM
    await send(update, ctx, ctx.t("Addendum recorded."))
    return await _menu(update, ctx, new=True)


minutes_cancel = cancel_flow(MINUTES, N_("Closed. What was saved stays saved."))


def build_minutes_conversation() -> ConversationHandler[KurulContext]:
    text = f.TEXT & ~f.COMMAND
    other = ~f.TEXT & ~f.COMMAND
    cancel = [CommandHandler("cancel", minutes_cancel),
              CallbackQueryHandler(minutes_cancel, pattern=r"^mn:x$")]
    return conversation(
        name=MINUTES,
        entry_points=[CommandHandler("minutes", minutes_start),
                      CallbackQueryHandler(minutes_start, pattern=r"^menu:minutes$")],
        states={
            M_MEETING: [CallbackQueryHandler(meeting_chosen, pattern=r"^mn:m:\d+$"),
                        MessageHandler(~f.COMMAND, want_button)],
            M_MENU: [CallbackQueryHandler(section_chosen, pattern=r"^mn:s:\w+$"),
                     CallbackQueryHandler(decision_start, pattern=r"^mn:d$"),
                     CallbackQueryHandler(finalise_asked, pattern=r"^mn:fin$"),
                     CallbackQueryHandler(finalise_confirmed, pattern=r"^mn:fok$"),
                     CallbackQueryHandler(back_to_menu, pattern=r"^mn:back$"),
                     CallbackQueryHandler(addendum_start, pattern=r"^mn:add$"),
                     MessageHandler(~f.COMMAND, want_button)],
            M_SECTION: [MessageHandler(text, section_received), MessageHandler(other, want_text)],
            M_ADDENDUM: [MessageHandler(text, addendum_received),
                         MessageHandler(other, want_text)],
            D_TEXT: [MessageHandler(text, decision_text), MessageHandler(other, want_text)],
            D_RATIONALE: [MessageHandler(text, decision_rationale),
                          MessageHandler(other, want_text)],
            D_PURPOSE: [MessageHandler(text, decision_purpose), MessageHandler(other, want_text)],
            D_INST: [CallbackQueryHandler(institution_toggled, pattern=r"^mn:i:\d+$"),
                     CallbackQueryHandler(institutions_done, pattern=r"^mn:idone$"),
                     MessageHandler(~f.COMMAND, want_button)],
            D_DEADLINE: [MessageHandler(text, decision_deadline),
                         MessageHandler(other, want_text)],
        },
        fallbacks=cancel,
    )


# --- /progress --------------------------------------------------------------------------------

PROGRESS = "progress"
P_TASK, P_STATUS, P_REASON, P_DONE, P_EVIDENCE, P_PREVIEW = (
    "pg_task", "pg_status", "pg_reason", "pg_done", "pg_evidence", "pg_preview")


async def progress_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    ctx.drop_draft(PROGRESS)
    tasks = await service.my_tasks(ctx.store, ctx.clock, ctx.grants)
    if not tasks:
        await send(update, ctx, ctx.t("Your institution has no open decisions to report on."))
        return END
    rows = [[(("⚠️ " if task.overdue else "") + f"{task.decision.number} · "
              f"{task.institution.name}"[:60],
              f"pg:t:{task.decision.id}:{task.institution.id}")] for task in tasks[:20]]
    rows.append([(ctx.t("Cancel"), "pg:x")])
    await prompt(update, ctx, PROGRESS, ctx.t("Which decision do you report on?"),
                 buttons(rows), new=True)
    return P_TASK


async def _ask_status(update: Update, ctx: KurulContext, decision_id: int,
                      institution_id: int, stay: str | None = None) -> str | int:
    """``stay``: the state to remain in when refused (a chooser), instead of ending."""
    try:
        decision, institution = await service.check_reporter(
            ctx.store, ctx.grants, decision_id, institution_id)
    except (ServiceError, DecisionRefused) as error:
        await answer(update, ctx)
        await send(update, ctx, problem_text(ctx.t, error))
        if stay is not None:
            return stay
        ctx.drop_draft(PROGRESS)
        return END
    draft = ctx.draft(PROGRESS)
    draft.update(decision=decision_id, institution=institution_id)
    lines = [ctx.t("📌 <b>Decision {number}</b>: {text}").format(
        number=decision.number, text=html.escape(decision.text)),
        ctx.t("Responsible: {institution}").format(institution=html.escape(institution.name)),
        ctx.t("Deadline: {date}").format(date=ctx.t.date(decision.deadline)), "",
        ctx.t("What is the state of the work?")]
    rows = [[(ctx.t(label), f"pg:s:{status.value}")] for status, label in STATUS_LABELS.items()]
    rows.append([(ctx.t("Cancel"), "pg:x")])
    await prompt(update, ctx, PROGRESS, "\n".join(lines), buttons(rows), new=True)
    return P_STATUS


async def progress_from_task(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    ctx.drop_draft(PROGRESS)
    decision_id, institution_id = int_part(update, 2), int_part(update, 3)
    if decision_id is None or institution_id is None:
        return END
    return await _ask_status(update, ctx, decision_id, institution_id)


@guarded(PROGRESS, P_TASK)
async def task_chosen(update: Update, ctx: KurulContext) -> str | int:
    decision_id, institution_id = int_part(update, 2), int_part(update, 3)
    if decision_id is None or institution_id is None:
        return P_TASK
    return await _ask_status(update, ctx, decision_id, institution_id, stay=P_TASK)


@guarded(PROGRESS, P_STATUS)
async def status_chosen(update: Update, ctx: KurulContext) -> str | int:
    try:
        status = Status(data_parts(update)[2])
    except (IndexError, ValueError):
        return P_STATUS
    draft = ctx.draft(PROGRESS)
    draft["status"] = status.value
    if status is Status.BLOCKED:
        await send(update, ctx, ctx.t("What blocks the work? Please write the reason."))
        return P_REASON
    await send(update, ctx, ctx.t("What was done? Please describe it briefly."))
    return P_DONE


async def reason_received(update: Update, ctx: KurulContext) -> str | int:
    ctx.draft(PROGRESS)["reason"] = (text_of(update) or "").strip()
    await send(update, ctx, ctx.t("What was done? Please describe it briefly."))
    return P_DONE


async def done_received(update: Update, ctx: KurulContext) -> str | int:
    ctx.draft(PROGRESS)["done"] = (text_of(update) or "").strip()
    await prompt(update, ctx, PROGRESS, ctx.t("Evidence (optional): send a document or a photo, "
                                              "up to 20 MB, or press Skip."),
                 buttons([[(ctx.t("Skip"), "pg:skip")]]), new=True)
    return P_EVIDENCE


async def evidence_received(update: Update, ctx: KurulContext) -> str | int:
    message = update.effective_message
    assert message is not None
    if message.document is not None:
        doc = message.document
        file_id, size = doc.file_id, doc.file_size or 0
        name, mime = doc.file_name or "file", doc.mime_type or "application/octet-stream"
    else:
        photo = message.photo[-1]
        file_id, size = photo.file_id, photo.file_size or 0
        name, mime = f"photo-{photo.file_unique_id}.jpg", "image/jpeg"
    if size > service.EVIDENCE_MAX:
        await send(update, ctx, ctx.t(PROBLEMS[Problem.EVIDENCE_TOO_LARGE]))
        return P_EVIDENCE  # what was written so far is kept
    # Only the file's id is kept in the (persisted) draft; it is downloaded on saving.
    ctx.draft(PROGRESS)["evidence"] = {"name": name, "mime": mime, "file_id": file_id}
    return await _preview(update, ctx)


@guarded(PROGRESS, P_EVIDENCE)
async def evidence_skipped(update: Update, ctx: KurulContext) -> str | int:
    ctx.draft(PROGRESS).pop("evidence", None)
    return await _preview(update, ctx)


async def _preview(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(PROGRESS)
    decision = await ctx.store.decisions.decision(int(draft["decision"]))
    assert decision is not None
    status = Status(draft["status"])
    lines = [ctx.t("Preview — decision {number}").format(number=decision.number),
             ctx.t("State: {state}").format(state=ctx.t(STATUS_LABELS[status]))]
    if draft.get("reason"):
        lines.append(ctx.t("Reason: {reason}").format(reason=html.escape(draft["reason"])))
    lines.append(ctx.t("Done: {text}").format(text=html.escape(draft.get("done", ""))))
    evidence = draft.get("evidence")
    if evidence:
        lines.append(ctx.t("Evidence: {name}").format(name=html.escape(evidence["name"])))
    rows = [[(ctx.t("✅ Save"), "pg:ok")], [(ctx.t("Cancel"), "pg:x")]]
    await prompt(update, ctx, PROGRESS, "\n".join(lines), buttons(rows), new=True)
    return P_PREVIEW


@guarded(PROGRESS, P_PREVIEW)
async def progress_save(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(PROGRESS)
    evidence = draft.get("evidence")
    attached: tuple[str, str, bytes] | None = None
    if evidence:
        content = bytes(await (await ctx.bot.get_file(evidence["file_id"]))
                        .download_as_bytearray())
        attached = (evidence["name"], evidence["mime"], content)
    found = service.Report(Status(draft["status"]), draft.get("reason"), draft.get("done", ""),
                           attached)
    try:
        state = await service.report(ctx.store, ctx.clock, ctx.grants, int(draft["decision"]),
                                     int(draft["institution"]), found,
                                     ctx.person.id if ctx.person else None)
    except DecisionRefused as error:
        await send(update, ctx, problem_text(ctx.t, error))
        if error.problem is Problem.REASON_NEEDED:
            return P_PREVIEW
        ctx.drop_draft(PROGRESS)
        return END
    except ServiceError as error:
        await send(update, ctx, problem_text(ctx.t, error))
        ctx.drop_draft(PROGRESS)
        return END
    ctx.drop_draft(PROGRESS)
    await notifier_of(ctx.application).changed()
    await send(update, ctx, ctx.t("✅ Progress saved. The decision is now: {state}").format(
        state=ctx.t(STATUS_LABELS[state])))
    return END


progress_cancel = cancel_flow(PROGRESS)


def build_progress_conversation() -> ConversationHandler[KurulContext]:
    text = f.TEXT & ~f.COMMAND
    other = ~f.TEXT & ~f.COMMAND
    files = f.Document.ALL | f.PHOTO
    return conversation(
        name=PROGRESS,
        entry_points=[CommandHandler("progress", progress_start),
                      CallbackQueryHandler(progress_start, pattern=r"^menu:progress$"),
                      CallbackQueryHandler(progress_from_task, pattern=r"^dc:r:\d+:\d+$")],
        states={
            P_TASK: [CallbackQueryHandler(task_chosen, pattern=r"^pg:t:\d+:\d+$"),
                     MessageHandler(~f.COMMAND, want_button)],
            P_STATUS: [CallbackQueryHandler(status_chosen, pattern=r"^pg:s:\w+$"),
                       MessageHandler(~f.COMMAND, want_button)],
            P_REASON: [MessageHandler(text, reason_received), MessageHandler(other, want_text)],
            P_DONE: [MessageHandler(text, done_received), MessageHandler(other, want_text)],
            P_EVIDENCE: [MessageHandler(files, evidence_received),
                         CallbackQueryHandler(evidence_skipped, pattern=r"^pg:skip$"),
                         MessageHandler(~f.COMMAND, want_button)],
            P_PREVIEW: [CallbackQueryHandler(progress_save, pattern=r"^pg:ok$"),
                        MessageHandler(~f.COMMAND, want_button)],
        },
        fallbacks=[CommandHandler("cancel", progress_cancel),
                   CallbackQueryHandler(progress_cancel, pattern=r"^pg:x$")],
    )


# --- /decisions -------------------------------------------------------------------------------

FILTER_LABELS = {
    service.Filter.OPEN: N_("Open"),
    service.Filter.OVERDUE: N_("Overdue"),
    service.Filter.ALL: N_("All"),
}


async def decisions_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    parts = data_parts(update) if update.callback_query else []
    which = service.Filter.OPEN
    institution_id: int | None = None
    if len(parts) >= 3 and parts[1] == "f":
        try:
            which = service.Filter(parts[2])
        except ValueError:
            return
    if len(parts) >= 3 and parts[1] == "i":
        institution_id = int_part(update, 2)
        which = service.Filter.ALL
    try:
        entries, reports = await service.register(ctx.store, ctx.clock, ctx.grants, which,
                                                  institution_id)
    except ServiceError as error:
        await send(update, ctx, problem_text(ctx.t, error))
        return
    t = ctx.t
    lines = [t("📚 <b>Decisions</b> — {filter}").format(filter=t(FILTER_LABELS[which]))]
    if not entries:
        lines.append(t(PROBLEMS[Problem.NO_DECISIONS]))
    for entry in entries:
        d = entry.decision
        lines.append("")
        lines.append(f"<b>{d.number}</b> · {t(STATUS_LABELS[entry.state])}"
                     + (" · " + t("⚠️ overdue") if entry.overdue else ""))
        lines.append(_short(d.text, 200))
        lines.append(t("Deadline: {date}").format(date=t.date(d.deadline)))
        if reports:
            for name, state in entry.institutions:
                lines.append(("  " + t(STATUS_LABELS[state]) if state is not None
                              else "  ⏳ " + t("not reported")) + f" — {html.escape(name)}")
    mine = sorted({(g.institution_id, g.council_id) for g in ctx.grants
                   if g.institution_id is not None})
    rows: list[list[tuple[str, str]]] = [
        [(t(label), f"dl:f:{f_.value}") for f_, label in FILTER_LABELS.items()]]
    if mine:
        rows.append([(t("My institution"), f"dl:i:{mine[0][0]}")])
    if reports:
        rows.append([(t("🏢 By institution"), "dl:ip:0")])
    from bot.handlers.base import split_messages
    chunks = split_messages(lines)
    for chunk in chunks[:-1]:
        await send(update, ctx, chunk, parse_mode="HTML")
    await send(update, ctx, chunks[-1], buttons(rows), parse_mode="HTML")


async def institution_chooser(update: Update, ctx: KurulContext) -> None:
    """The institutions of the councils whose register I may follow, to filter by one."""
    from bot.domain.permissions import Permission
    from bot.handlers.base import edit_or_send, paged
    from bot.services.access import reachable_councils

    page = int_part(update, 2) or 0
    items: list[tuple[str, str]] = []
    seen: set[int] = set()
    for council in await reachable_councils(ctx.store, ctx.grants, Permission.VIEW_REPORTS):
        for institution in await service.council_institutions(ctx.store, council.id):
            if institution.id not in seen:
                seen.add(institution.id)
                items.append((institution.name[:60], f"dl:i:{institution.id}"))
    if not items:  # forged data: there is nothing this person may follow
        await answer(update, ctx, ctx.t("This button is no longer active. Send /menu to start "
                                        "again."), alert=True)
        return
    await answer(update, ctx)
    await edit_or_send(update, ctx, ctx.t("Decisions of which institution?"),
                       paged(items, page, "dl:ip", ctx.t))


def decisions_handlers() -> list[BaseHandler[Update, KurulContext, Any]]:
    return [CommandHandler("decisions", decisions_command),
            *command_entry("annualreport", annual_command),
            *command_entry("overview", overview_command),
            CallbackQueryHandler(decisions_command,
                                 pattern=r"^(menu:decisions|dl:f:\w+|dl:i:\d+)$"),
            CallbackQueryHandler(institution_chooser, pattern=r"^dl:ip:\d+$")]


# --- /annualreport ----------------------------------------------------------------------------


async def annual_command(update: Update, ctx: KurulContext) -> None:
    """The Ek-3 draft of my province for a year (``/annualreport 2027``; default this year)."""
    from telegram import InputFile

    from bot.documents.ek3 import docx_bytes as ek3_docx

    await answer(update, ctx)
    args = ctx.args or []
    year = ctx.clock.now().year
    if args and args[0].isdigit() and len(args[0]) == 4:
        year = int(args[0])
    provinces = sorted({g.province_id for g in ctx.grants})
    for province_id in provinces:
        try:
            form = await service.annual_report(ctx.store, ctx.clock, ctx.grants, province_id,
                                               year)
        except ServiceError:
            continue
        chat = update.effective_chat
        assert chat is not None
        await ctx.bot.send_document(chat.id, InputFile(
            ek3_docx(form), filename=f"ek3-{year}.docx"), caption=ctx.t(
            "Ek-3 annual report draft for {year}: sections 5 and 6 are yours to write.").format(
            year=year))
        return
    await send(update, ctx, ctx.t("Only the provincial directorate prepares the annual "
                                  "report."))


# --- /overview --------------------------------------------------------------------------------


async def overview_command(update: Update, ctx: KurulContext) -> None:
    """A PNG chart of the decisions per council by state, with a text summary."""
    from telegram import InputFile

    from bot.documents.calendar_export import council_title
    from bot.documents.overview_chart import Row, png_bytes

    await answer(update, ctx)
    t = ctx.t
    found = await service.overview(ctx.store, ctx.clock, ctx.grants)
    if not found:
        await send(update, ctx, t(PROBLEMS[Problem.NO_DECISIONS]))
        return
    order = (Status.DONE, Status.IN_PROGRESS, Status.NOT_STARTED, Status.BLOCKED)
    rows = [Row(council_title(t, o.council.kind, o.council.name),
                (o.counts[order[0]], o.counts[order[1]], o.counts[order[2]],
                 o.counts[order[3]]), o.overdue) for o in found]
    legend = (t(STATUS_LABELS[order[0]]), t(STATUS_LABELS[order[1]]),
              t(STATUS_LABELS[order[2]]), t(STATUS_LABELS[order[3]]))
    # The chart's font has no emoji: the labels without their leading mark.
    plain = (legend[0].split(" ", 1)[-1], legend[1].split(" ", 1)[-1],
             legend[2].split(" ", 1)[-1], legend[3].split(" ", 1)[-1])
    image = png_bytes(t("Decisions by state"), plain, t("{n} overdue"), rows)
    lines = [t("📊 Decisions by state")]
    for row in rows:
        lines.append(f"{row.council}: " + ", ".join(
            f"{label} {n}" for label, n in zip(legend, row.counts, strict=True))
            + (" · " + t("{n} overdue").format(n=row.overdue) if row.overdue else ""))
    chat = update.effective_chat
    assert chat is not None
    await ctx.bot.send_photo(chat.id, InputFile(image, filename="overview.png"),
                             caption="\n".join(lines)[:1000])
