"""Meetings in Telegram: ``/meetings``, the buttons of notices, and ``/away``.

* ``/meetings``: upcoming and past meetings of my councils; a meeting's page with what my
  institution answered (and its buttons), and for the secretariat and the chair the
  attendance per institution and the actions (approve, move, cancel, mark attendance,
  check-in, Ek-2); the council's setting whether the chair approves each meeting.
* the buttons of notices: attend / cannot attend (asks the excuse) / my deputy will attend
  (choose the registered deputy, who confirms); the chair's approve / propose another date;
  the deputy's confirmation; and cancelling a meeting (asks the reason). Callback data is
  re-checked by the service: a button of an earlier notice answers "this meeting was
  moved/cancelled" and does nothing else.
* ``/away``: a member marks themself away; notices go to the deputy meanwhile (Art. 9(2)).

Scheduling and moving are ``bot.handlers.meetings_new``'s; the day itself (marking, check-in,
Ek-2) ``bot.handlers.meetings_day``'s. The helpers all three share are here.
"""
from __future__ import annotations

import html
from datetime import timedelta

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.domain.meetings import (
    Answer,
    InputProblem,
    MeetingInputError,
    MeetingStatus,
    Presence,
    parse_day,
)
from bot.domain.validation import InvalidInput, clean_text
from bot.handlers.base import (
    END,
    KurulContext,
    answer,
    buttons,
    cancel_flow,
    cancel_row,
    command_entry,
    conversation,
    data_parts,
    edit_or_send,
    ends_on_refusal,
    guarded,
    int_part,
    local_date,
    remember_prompt,
    send,
    split_messages,
    text_of,
    want_button,
    want_text,
)
from bot.handlers.labels import council_label, problem_text, refusal_text
from bot.i18n import N_, Translator
from bot.notify.engine import notifier_of
from bot.notify.meeting_kinds import (
    answer_buttons,
    council_of,
    kind_line,
    when_block,
)
from bot.notify.quiet import QuietHours
from bot.services import meetings as service
from bot.services.errors import ServiceError
from bot.store.meetings import Meeting

INPUT_PROBLEMS = {
    InputProblem.DATE_FORMAT: N_(
        "I could not read this as a date. Please type it as dd.mm.yyyy, for example 14.01.2027."
    ),
    InputProblem.NO_SUCH_DAY: N_(
        "There is no such day in the calendar. Please check the day and the month."
    ),
    InputProblem.TIME_FORMAT: N_(
        "I could not read this as a time. Please type it as HH:MM on the 24-hour clock, for "
        "example 10:30."
    ),
    InputProblem.NO_SUCH_TIME: N_(
        "There is no such time of day. Please type hours from 00 to 23 and minutes from 00 to "
        "59."
    ),
}
STATUS_LABELS = {
    MeetingStatus.AWAITING_CHAIR: N_("awaiting the chair's approval"),
    MeetingStatus.SCHEDULED: N_("scheduled"),
    MeetingStatus.CANCELLED: N_("cancelled"),
    MeetingStatus.HELD: N_("held"),
}
ANSWERED_LABELS = {
    Answer.ATTENDING: N_("will attend"),
    Answer.EXCUSED: N_("cannot attend"),
    Answer.DEPUTY: N_("the deputy was asked to attend"),
    Answer.DEPUTY_CONFIRMED: N_("the deputy will attend"),
}
PRESENCE_ICONS = {
    Presence.CONFIRMED: "✅",
    Presence.EXCUSED: "❌",
    Presence.DEPUTY: "👥",
    Presence.NO_ANSWER: "⏳",
    Presence.NOBODY_REGISTERED: "⚪",
}
PRESENCE_LABELS = {
    Presence.CONFIRMED: N_("Confirmed"),
    Presence.EXCUSED: N_("Excused"),
    Presence.DEPUTY: N_("Deputy"),
    Presence.NO_ANSWER: N_("No answer"),
    Presence.NOBODY_REGISTERED: N_("Nobody registered"),
}


def quiet_of(ctx: KurulContext) -> QuietHours | None:
    return notifier_of(ctx.application).quiet


async def notices_changed(ctx: KurulContext) -> None:
    """Rows were queued or a meeting's day changed: send now and derive the reminders again."""
    await notifier_of(ctx.application).changed()


def input_problem(t: Translator, error: MeetingInputError) -> str:
    return t(INPUT_PROBLEMS[error.problem])



def meeting_label(t: Translator, meeting: Meeting, place: service.Where) -> str:
    """One line for a list: "14.01.2027 10:30 — Gaziantep Provincial ... (cancelled)"."""
    local = place.local(meeting.starts_at)
    label = f"{t.short_date(local.date())} {t.time(local)} — {council_label(t, place.council)}"
    if meeting.status is not MeetingStatus.SCHEDULED:
        label += f" ({t(STATUS_LABELS[meeting.status])})"
    return label


# --- the buttons of notices, and cancelling a meeting -------------------------------------------

ANSWERS = "meetinganswer"
A_EXCUSE, A_DEPUTY, A_PROPOSAL, A_CANCEL, A_CANCEL_OK = (
    "ma_excuse", "ma_deputy", "ma_proposal", "ma_cancel", "ma_cancel_ok")


def _ids(update: Update, count: int) -> list[int] | None:
    """The numeric fields after ``mt:<verb>:`` of callback data, or None when forged."""
    values = [int_part(update, 2 + i) for i in range(count)]
    return None if any(v is None for v in values) else [v for v in values if v is not None]


async def _refuse(update: Update, ctx: KurulContext, error: ServiceError) -> int:
    await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
    ctx.drop_draft(ANSWERS)
    return END


def _recorded(t: Translator, done: service.Answered) -> str:
    local = done.where.local(done.meeting.starts_at)
    values = {"institution": done.institution.name, "council": council_of(t, {
        "council_kind": done.where.council.kind.value, "council_name": done.where.council.name}),
        "date": t.date(local.date()), "time": t.time(local),
        "deputy": done.deputy.full_name if done.deputy else ""}
    if done.answer is Answer.ATTENDING:
        template = t("✅ Recorded: {institution} will attend the meeting of the {council} on "
                     "{date} at {time}.")
    elif done.answer is Answer.EXCUSED:
        template = t("Recorded: {institution} cannot attend the meeting of the {council} on "
                     "{date}. The secretariat sees your excuse.")
    elif done.answer is Answer.DEPUTY:
        template = t("Recorded: {deputy} was asked to attend for {institution}; I will tell "
                     "the secretariat when they confirm.")
    else:
        template = t("✅ Recorded: you attend for {institution} on {date} at {time}.")
    return template.format(**values)


async def answer_button(update: Update, ctx: KurulContext) -> str | int:
    """``mt:a:<meeting>:<sequence>:<institution>:<y|n|d>``"""
    ids = _ids(update, 3)
    choice = data_parts(update)[-1]
    if ids is None or choice not in {c.value for c in service.Choice} or ctx.person is None:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return END
    meeting_id, sequence, institution_id = ids
    person = ctx.person
    try:
        if choice == service.Choice.ATTEND.value:
            done = await service.answer(ctx.store, ctx.clock, ctx.grants, person, meeting_id,
                                        sequence, institution_id, service.Choice.ATTEND,
                                        quiet=quiet_of(ctx))
            await answer(update, ctx, ctx.t("Recorded."))
            await send(update, ctx, _recorded(ctx.t, done))
            await notices_changed(ctx)
            return END
        if choice == service.Choice.EXCUSE.value:
            await service.answering(ctx.store, ctx.clock, ctx.grants, person, meeting_id,
                                    sequence, institution_id)
            await answer(update, ctx)
            ctx.drop_draft(ANSWERS)
            ctx.draft(ANSWERS).update(meeting=meeting_id, sequence=sequence,
                                      institution=institution_id)
            await send(update, ctx, ctx.t(
                "Please type your excuse in a few words; the secretariat and the chair see it."))
            return A_EXCUSE
        deputies = await service.deputies(ctx.store, ctx.clock, ctx.grants, person, meeting_id,
                                          sequence, institution_id)
    except ServiceError as error:
        return await _refuse(update, ctx, error)
    await answer(update, ctx)
    prefix = f"mt:dc:{meeting_id}:{sequence}:{institution_id}:"
    rows = [[("👥 " + d.full_name, prefix + str(d.id))] for d in deputies]
    message = await send(update, ctx, ctx.t(
        "Who attends in your place? Only your institution's registered deputy can (Art. 9(2)); "
        "they are asked to confirm."), buttons([*rows, cancel_row(ctx, "mt:x")]))
    ctx.drop_draft(ANSWERS)
    remember_prompt(ctx.draft(ANSWERS), message)
    return A_DEPUTY


@ends_on_refusal(ANSWERS)
async def excuse_text(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(ANSWERS)
    assert ctx.person is not None
    try:
        done = await service.answer(ctx.store, ctx.clock, ctx.grants, ctx.person,
                                    draft["meeting"], draft["sequence"], draft["institution"],
                                    service.Choice.EXCUSE, excuse=text_of(update),
                                    quiet=quiet_of(ctx))
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return A_EXCUSE
    ctx.drop_draft(ANSWERS)
    await send(update, ctx, _recorded(ctx.t, done))
    await notices_changed(ctx)
    return END


@ends_on_refusal(ANSWERS)
@guarded(ANSWERS, A_DEPUTY)
async def deputy_chosen(update: Update, ctx: KurulContext) -> str | int:
    """``mt:dc:<meeting>:<sequence>:<institution>:<person>``"""
    ids = _ids(update, 4)
    assert ctx.person is not None
    if ids is None:
        return A_DEPUTY
    meeting_id, sequence, institution_id, deputy_id = ids
    try:
        done = await service.answer(ctx.store, ctx.clock, ctx.grants, ctx.person, meeting_id,
                                    sequence, institution_id, service.Choice.DEPUTY,
                                    deputy_id=deputy_id, quiet=quiet_of(ctx))
    except ServiceError as error:  # forged, or not this institution's: the chooser stays
        await send(update, ctx, refusal_text(ctx.t, error))
        return A_DEPUTY
    ctx.drop_draft(ANSWERS)
    await edit_or_send(update, ctx, _recorded(ctx.t, done))
    await notices_changed(ctx)
    return END


async def deputy_reply(update: Update, ctx: KurulContext) -> None:
    """``mt:dr:<meeting>:<sequence>:<institution>:<y|n>``: the deputy confirms or declines."""
    ids = _ids(update, 3)
    if ids is None or ctx.person is None:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return
    accept = data_parts(update)[-1] == "y"
    try:
        meeting_id, sequence, institution_id = ids
        done = await service.deputy_reply(ctx.store, ctx.clock, ctx.grants, ctx.person,
                                          meeting_id, sequence, institution_id, accept,
                                          quiet=quiet_of(ctx))
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx, ctx.t("Recorded."))
    if accept:
        await send(update, ctx, _recorded(ctx.t, done))
    else:
        await send(update, ctx, ctx.t("Recorded: you cannot attend. The member is asked to "
                                      "answer again."))
    await notices_changed(ctx)


async def chair_button(update: Update, ctx: KurulContext) -> str | int:
    """``mt:ch:<meeting>:<sequence>:<ok|p>``: the chair approves or proposes another date."""
    ids = _ids(update, 2)
    if ids is None or ctx.person is None:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return END
    meeting_id, sequence = ids
    if data_parts(update)[-1] == "ok":
        try:
            done = await service.approve(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                         meeting_id, sequence, quiet=quiet_of(ctx))
        except ServiceError as error:
            return await _refuse(update, ctx, error)
        await answer(update, ctx, ctx.t("Approved."))
        await send(update, ctx, ctx.t.ngettext(
            "Approved. The notice is being sent to {n} person.",
            "Approved. The notice is being sent to {n} people.", done.notices).format(
            n=done.notices))
        await notices_changed(ctx)
        return END
    try:
        meeting, _place = await service.manageable_by_chair(ctx.store, ctx.clock, ctx.grants,
                                                            meeting_id, sequence)
    except ServiceError as error:
        return await _refuse(update, ctx, error)
    await answer(update, ctx)
    ctx.drop_draft(ANSWERS)
    ctx.draft(ANSWERS).update(meeting=meeting.id, sequence=sequence)
    await send(update, ctx, ctx.t(
        "Type the day, time or place you would like instead (for example: 21.01.2027 14:00, "
        "Valilik Toplantı Salonu). The secretariat moves the meeting and it comes back to you "
        "for approval."))
    return A_PROPOSAL


@ends_on_refusal(ANSWERS)
async def proposal_text(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(ANSWERS)
    assert ctx.person is not None
    try:
        await service.propose(ctx.store, ctx.clock, ctx.grants, ctx.person.id, draft["meeting"],
                              draft["sequence"], text_of(update), quiet=quiet_of(ctx))
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return A_PROPOSAL
    ctx.drop_draft(ANSWERS)
    await send(update, ctx, ctx.t("Sent to the secretariat. The meeting comes back to you once "
                                  "they have moved it."))
    await notices_changed(ctx)
    return END


async def cancel_start(update: Update, ctx: KurulContext) -> str | int:
    """``mt:cx:<meeting>`` on a meeting's page: ask why, then confirm."""
    meeting_id = int_part(update, 2) or 0
    try:
        await service.manageable(ctx.store, ctx.grants, meeting_id, ctx.clock.now())
    except ServiceError as error:
        return await _refuse(update, ctx, error)
    await answer(update, ctx)
    ctx.drop_draft(ANSWERS)
    ctx.draft(ANSWERS)["meeting"] = meeting_id
    await send(update, ctx, ctx.t("Why is the meeting cancelled? Type the reason; everyone who "
                                  "was told of the meeting receives it."))
    return A_CANCEL


async def cancel_reason(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(ANSWERS)
    try:
        draft["reason"] = clean_text(text_of(update), service.REASON_MAX)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return A_CANCEL
    message = await send(update, ctx, ctx.t("Cancel the meeting? Reason: {reason}").format(
        reason=draft["reason"]), buttons([[(ctx.t("🚫 Cancel the meeting"), "mt:cxok")],
                                          [(ctx.t("Keep it"), "mt:x")]]))
    remember_prompt(draft, message)
    return A_CANCEL_OK


@ends_on_refusal(ANSWERS)
@guarded(ANSWERS, A_CANCEL_OK)
async def cancel_confirm(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(ANSWERS)
    assert ctx.person is not None
    done = await service.cancel(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                draft["meeting"], draft["reason"], quiet=quiet_of(ctx))
    ctx.drop_draft(ANSWERS)
    await edit_or_send(update, ctx, ctx.t.ngettext(
        "Cancelled. The cancellation is being sent to {n} person.",
        "Cancelled. The cancellation is being sent to {n} people.", done.notices).format(
        n=done.notices))
    await notices_changed(ctx)
    return END


def build_answer_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    return conversation(
        name="meetinganswer",
        entry_points=[
            CallbackQueryHandler(answer_button, pattern=r"^mt:a:\d+:\d+:\d+:[ynd]$"),
            CallbackQueryHandler(chair_button, pattern=r"^mt:ch:\d+:\d+:(ok|p)$"),
            CallbackQueryHandler(cancel_start, pattern=r"^mt:cx:\d+$"),
        ],
        states={
            A_EXCUSE: [MessageHandler(text, excuse_text), MessageHandler(other, want_text)],
            A_DEPUTY: [CallbackQueryHandler(deputy_chosen, pattern=r"^mt:dc:\d+:\d+:\d+:\d+$"),
                       MessageHandler(other, want_button)],
            A_PROPOSAL: [MessageHandler(text, proposal_text), MessageHandler(other, want_text)],
            A_CANCEL: [MessageHandler(text, cancel_reason), MessageHandler(other, want_text)],
            A_CANCEL_OK: [CallbackQueryHandler(cancel_confirm, pattern=r"^mt:cxok$"),
                          MessageHandler(other, want_button)],
        },
        fallbacks=[CommandHandler("cancel", cancel_flow(ANSWERS, N_("Nothing was changed."))),
                   CallbackQueryHandler(cancel_flow(ANSWERS, N_("Nothing was changed.")),
                                        pattern=r"^mt:x$")],
    )


# --- /meetings ----------------------------------------------------------------------------------


async def meetings_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    found = await service.my_meetings(ctx.store, ctx.clock, ctx.grants)
    t = ctx.t
    rows: list[list[tuple[str, str]]] = []
    lines = ["<b>" + html.escape(t("Meetings of my councils")) + "</b>"]
    if found.upcoming:
        lines.append(html.escape(t("Upcoming:")))
        rows += [[(meeting_label(t, m.meeting, m.where), f"mt:v:{m.meeting.id}")]
                 for m in found.upcoming]
    else:
        lines.append(html.escape(t("No upcoming meeting.")))
    if found.past:
        rows.append([("— " + t("Past meetings") + " —", "mt:_")])
        rows += [[(meeting_label(t, m.meeting, m.where), f"mt:v:{m.meeting.id}")]
                 for m in found.past]
    for council in await service.approval_councils(ctx.store, ctx.grants):
        setting = await ctx.store.meetings.chair_approval(council.id)
        label = (t("⚙️ {council}: the chair approves each meeting") if setting
                 else t("⚙️ {council}: notices go out without the chair's approval"))
        rows.append([(label.format(council=council.name), f"mt:ca:{council.id}")])
    await send(update, ctx, "\n".join(lines), buttons(rows) if rows else None,
                parse_mode="HTML")


async def chair_setting(update: Update, ctx: KurulContext) -> None:
    """``mt:ca:<council>``: turn the chair's approval step on or off (Art. 11(3))."""
    council_id = int_part(update, 2) or 0
    assert ctx.person is not None
    current = await ctx.store.meetings.chair_approval(council_id)
    try:
        now = await service.set_chair_approval(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                               council_id, not current)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx)
    await send(update, ctx, ctx.t("From now on each meeting goes to the chair for approval "
                                  "before the notices go out.") if now else ctx.t(
        "From now on the notices go out when the secretariat saves a meeting, without the "
        "chair's approval in the bot."))


async def meeting_page(update: Update, ctx: KurulContext) -> None:
    """``mt:v:<meeting>``: one meeting, with what I may do about it."""
    meeting_id = int_part(update, 2) or 0
    try:
        view = await service.detail(ctx.store, ctx.clock, ctx.grants, ctx.person, meeting_id)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx)
    t, meeting, place = ctx.t, view.meeting, view.where
    now = ctx.clock.now()
    local = place.local(meeting.starts_at)
    lines = ["<b>" + html.escape(council_label(t, place.council)) + "</b>",
             html.escape(kind_line(t, {"kind": meeting.kind.value,
                                       "called_by": meeting.called_by})),
             *when_block(t, local, meeting.place),
             html.escape(t("Status: {status}").format(status=t(STATUS_LABELS[meeting.status])))]
    if meeting.cancel_reason:
        lines.append(html.escape(t("Reason: {reason}").format(reason=meeting.cancel_reason)))
    if meeting.override_reason:
        lines.append(html.escape(t("Reason recorded: {reason}").format(
            reason=meeting.override_reason)))
    if meeting.proposed_by_chair and meeting.status is MeetingStatus.AWAITING_CHAIR:
        lines.append(html.escape(t("The chair proposes: {proposal}").format(
            proposal=meeting.proposed_by_chair)))
    if view.invitees:
        lines.append(html.escape(t("Invitees: {names}").format(names="; ".join(
            ", ".join(p for p in (i.name, i.organization, i.title) if p)
            for i in view.invitees))))
    open_ = meeting.status is MeetingStatus.SCHEDULED and now < meeting.starts_at
    rows: list[list[tuple[str, str]]] = []
    for institution, got, seating in view.own:
        state = t(ANSWERED_LABELS[got.answer]) if got else t("no answer yet")
        lines.append(html.escape(t("{institution}: {answer}").format(
            institution=institution.name, answer=state)))
        if open_:
            rows += [list(row) for row in answer_buttons(
                t, {"meeting_id": meeting.id, "sequence": meeting.sequence},
                {"seating": seating.value, "institution_id": institution.id})]
    if view.approve and now < meeting.starts_at:
        prefix = f"mt:ch:{meeting.id}:{meeting.sequence}:"
        rows += [[(t("✅ Approve"), prefix + "ok")],
                 [(t("🗓 Propose another date"), prefix + "p")]]
    if view.attendance and meeting.status is not MeetingStatus.CANCELLED:
        rows.append([(t("👥 Attendance"), f"mt:at:{meeting.id}")])
    live = meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.HELD)
    if view.manage and meeting.status is not MeetingStatus.CANCELLED and now < meeting.starts_at:
        rows.append([(t("🔁 Move"), f"mt:mv:{meeting.id}"),
                     (t("🚫 Cancel"), f"mt:cx:{meeting.id}")])
    if view.manage and live and meeting.starts_at - timedelta(days=1) <= now:
        rows.append([(t("✔️ Mark attendance"), f"md:mk:{meeting.id}"),
                     (t("✋ Open check-in"), f"md:oc:{meeting.id}")])
    if view.manage and meeting.status is not MeetingStatus.CANCELLED:
        rows.append([(t("📄 Ek-2 attendance list"), f"md:ek:{meeting.id}")])
    rows.append([(t("◀ All meetings"), "mt:l")])
    await send(update, ctx, "\n".join(lines), buttons(rows), parse_mode="HTML")


def attendance_lines(t: Translator, view: service.AttendanceView) -> list[str]:
    place, meeting = view.where, view.meeting
    local = place.local(meeting.starts_at)
    lines = ["<b>" + html.escape(t("Attendance — {council}, {date} {time}").format(
        council=council_label(t, place.council), date=t.short_date(local.date()),
        time=t.time(local))) + "</b>",
        " · ".join(f"{PRESENCE_ICONS[p]} {html.escape(t(PRESENCE_LABELS[p]))}: {view.count(p)}"
                   for p in Presence), ""]
    for row in view.rows:
        name = html.escape(row.institution.name)
        line = f"{PRESENCE_ICONS[row.presence]} {name}"
        if row.presence is Presence.CONFIRMED and row.member:
            line += " — " + html.escape(row.member.full_name)
        elif row.presence is Presence.EXCUSED:
            who = row.member.full_name if row.member else ""
            line += " — " + html.escape(t("{name}: “{excuse}”").format(
                name=who, excuse=row.excuse or ""))
        elif row.presence is Presence.DEPUTY and row.deputy:
            state = (t("confirmed") if row.deputy_confirmed
                     else t("waiting for the deputy's confirmation"))
            line += " — " + html.escape(t("deputy {name} ({state})").format(
                name=row.deputy.full_name, state=state))
        elif row.presence is Presence.NO_ANSWER and row.member:
            line += " — " + html.escape(row.member.full_name)
        lines.append(line)
    if view.invitees:
        lines += ["", html.escape(t("Invitees: {names}").format(names="; ".join(
            i.name for i in view.invitees)))]
    return lines


async def attendance_page(update: Update, ctx: KurulContext) -> None:
    """``mt:at:<meeting>``: each institution's answer, re-read now (the last answer stands)."""
    try:
        view = await service.attendance_view(ctx.store, ctx.grants, int_part(update, 2) or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx)
    for text in split_messages(attendance_lines(ctx.t, view)):
        await send(update, ctx, text, parse_mode="HTML")


async def list_separator(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)


def meetings_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        CommandHandler("meetings", meetings_command),
        CallbackQueryHandler(meetings_command, pattern=r"^(menu:meetings|mt:l)$"),
        CallbackQueryHandler(list_separator, pattern=r"^mt:_$"),
        CallbackQueryHandler(meeting_page, pattern=r"^mt:v:\d+$"),
        CallbackQueryHandler(attendance_page, pattern=r"^mt:at:\d+$"),
        CallbackQueryHandler(chair_setting, pattern=r"^mt:ca:\d+$"),
        CallbackQueryHandler(deputy_reply, pattern=r"^mt:dr:\d+:\d+:\d+:[yn]$"),
    ]


# --- /away --------------------------------------------------------------------------------------

AWAY = "away"
W_DAY = "away_day"


async def away_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    assert ctx.person is not None
    seats = await service.member_seats(ctx.store, ctx.person)
    if not seats:
        await send(update, ctx, ctx.t("Only a council member can be marked away; a deputy "
                                      "stands in for them (Art. 9(2))."))
        return END
    message = await send(update, ctx, ctx.t(
        "Away from your post for a while? Type the last day you will be away as dd.mm.yyyy: "
        "until then the meeting notices go to your deputy, who answers for your institution "
        "(Art. 9(2))."), buttons([[(ctx.t("I am back"), "aw:back")], cancel_row(ctx, "aw:x")]))
    ctx.drop_draft(AWAY)
    remember_prompt(ctx.draft(AWAY), message)
    return W_DAY


@ends_on_refusal(AWAY)
async def away_day(update: Update, ctx: KurulContext) -> str | int:
    assert ctx.person is not None
    try:
        day = parse_day(text_of(update))
    except MeetingInputError as error:
        await send(update, ctx, input_problem(ctx.t, error))
        return W_DAY
    if day < local_date(ctx, ctx.clock.now()):
        await send(update, ctx, ctx.t("This day has passed. Please choose a day from today on."))
        return W_DAY
    await service.set_away(ctx.store, ctx.clock, ctx.grants, ctx.person, day)
    ctx.drop_draft(AWAY)
    await send(update, ctx, ctx.t("Noted: until {date} the notices go to your deputy.").format(
        date=ctx.t.date(day)))
    return END


@ends_on_refusal(AWAY)
@guarded(AWAY, W_DAY)
async def away_back(update: Update, ctx: KurulContext) -> str | int:
    assert ctx.person is not None
    await service.set_away(ctx.store, ctx.clock, ctx.grants, ctx.person, None, back=True)
    ctx.drop_draft(AWAY)
    await edit_or_send(update, ctx, ctx.t("Welcome back: the notices come to you again."))
    return END


def build_away_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    return conversation(
        name="away",
        entry_points=command_entry("away", away_start),
        states={W_DAY: [MessageHandler(text, away_day),
                        CallbackQueryHandler(away_back, pattern=r"^aw:back$"),
                        MessageHandler(other, want_text)]},
        fallbacks=[CommandHandler("cancel", cancel_flow(AWAY, N_("Nothing was changed."))),
                   CallbackQueryHandler(cancel_flow(AWAY, N_("Nothing was changed.")),
                                        pattern=r"^aw:x$")],
    )
