"""On the day of a meeting: marking attendance, the attendees' check-in, and ``/export`` (Ek-2).

* marking (the secretariat, from a meeting's page): one institution at a time, a button per
  person who sits for it (member, deputy; on the sub-commission its liaison officers), pressed
  to mark present or not present again; then the invitees and the people added on the spot
  (invitees, Presidency staff: Art. 4(4), 4(5)), typed as "Name Surname, Organisation, Title";
* check-in: the secretariat opens it at the start; each expected attendee gets an "I am here"
  button that marks them present until the meeting ends;
* ``/export`` → Ek-2: the attendance list (Art. 12(7)) as DOCX (A4, to sign on paper), CSV and
  XLSX, sent to the secretariat as documents. Before the meeting it lists the people who
  confirmed and the invitees; after it, who actually attended.
"""

from __future__ import annotations

import html

from telegram import InputFile, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.documents.ek2 import csv_bytes, docx_bytes, xlsx_bytes
from bot.domain.meetings import MeetingStatus
from bot.domain.permissions import Permission
from bot.domain.validation import InvalidInput
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
    int_part,
    paged,
    send,
    text_of,
    want_text,
)
from bot.handlers.labels import council_label, problem_text, refusal_text
from bot.handlers.meetings import meeting_label, notices_changed
from bot.i18n import N_, Translator
from bot.services import meetings as service
from bot.services import meetings_day as day_service
from bot.services.errors import ServiceError

OTHERS = 0  # the group of invitees and people added on the spot, in callback data


def _group_label(t: Translator, group: day_service.MarkGroup) -> str:
    name = group.institution.name if group.institution else t("Invitees and others")
    mark = "✅" if group.present else "☐"
    return f"{mark} {name} ({group.present})" if group.present else f"{mark} {name}"


async def _groups(update: Update, ctx: KurulContext, meeting_id: int
                  ) -> list[day_service.MarkGroup] | None:
    try:
        return await day_service.mark_groups(ctx.store, ctx.grants, meeting_id)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return None


async def mark_start(update: Update, ctx: KurulContext, page: int | None = None) -> None:
    """``md:mk:<meeting>`` and its pages ``md:p:<meeting>:<page>``: the institutions."""
    meeting_id = int_part(update, 2) or 0
    groups = await _groups(update, ctx, meeting_id)
    if groups is None:
        return
    await answer(update, ctx)
    items = [(_group_label(ctx.t, g), f"md:g:{meeting_id}:"
              f"{g.institution.id if g.institution else OTHERS}") for g in groups]
    present = sum(g.present for g in groups)
    text = ctx.t.ngettext("Who is here? Choose an institution and tap the people present. "
                          "{n} person marked so far.",
                          "Who is here? Choose an institution and tap the people present. "
                          "{n} people marked so far.", present).format(n=present)
    await edit_or_send(update, ctx, text, paged(
        items, page if page is not None else 0, f"md:p:{meeting_id}", ctx.t,
        [(ctx.t("◀ Meeting"), f"mt:v:{meeting_id}")]))


async def mark_page(update: Update, ctx: KurulContext) -> None:
    await mark_start(update, ctx, int_part(update, 3) or 0)


async def _show_group(update: Update, ctx: KurulContext, meeting_id: int,
                      institution_id: int) -> None:
    groups = await _groups(update, ctx, meeting_id)
    if groups is None:
        return
    group = next((g for g in groups if (g.institution.id if g.institution else OTHERS)
                  == institution_id), None)
    if group is None:
        await answer(update, ctx, ctx.t("That record no longer exists. Please start again."),
                     alert=True)
        return
    await answer(update, ctx)
    t = ctx.t
    name = group.institution.name if group.institution else t("Invitees and others")
    lines = ["<b>" + html.escape(name) + "</b>"]
    rows = []
    for person in group.candidates:
        label = ("✅ " if person.present else "☐ ") + person.name
        if person.expected:
            label += " · " + t("confirmed")
        rows.append([(label, f"md:t:{meeting_id}:{institution_id}:{person.key}")])
    if not group.candidates:
        lines.append(html.escape(t("Nobody of this institution is registered.")))
    if group.institution is None:
        rows.append([(t("➕ Add someone present"), f"md:ad:{meeting_id}")])
    rows.append([(t("◀ Institutions"), f"md:mk:{meeting_id}")])
    lines.append(html.escape(t("Tap a name to mark them present, or not present again.")))
    await edit_or_send(update, ctx, "\n".join(lines), buttons(rows), parse_mode="HTML")


async def mark_group(update: Update, ctx: KurulContext) -> None:
    """``md:g:<meeting>:<institution or 0>``"""
    await _show_group(update, ctx, int_part(update, 2) or 0, int_part(update, 3) or 0)


async def mark_toggle(update: Update, ctx: KurulContext) -> None:
    """``md:t:<meeting>:<institution or 0>:<p<person>|r<row>>``"""
    meeting_id, institution_id = int_part(update, 2) or 0, int_part(update, 3) or 0
    key = data_parts(update)[-1]
    assert ctx.person is not None
    try:
        await day_service.toggle(ctx.store, ctx.clock, ctx.grants, ctx.person.id, meeting_id, key,
                             institution_id or None)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await _show_group(update, ctx, meeting_id, institution_id)


async def open_checkin(update: Update, ctx: KurulContext) -> None:
    """``md:oc:<meeting>``"""
    assert ctx.person is not None
    meeting_id = int_part(update, 2) or 0
    try:
        sent = await day_service.open_checkin(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                          meeting_id)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx)
    await notices_changed(ctx)
    await send(update, ctx, ctx.t.ngettext(
        "Check-in is open until the meeting ends: {n} person got the “I am here” button.",
        "Check-in is open until the meeting ends: {n} people got the “I am here” button.",
        sent).format(n=sent))


async def check_in(update: Update, ctx: KurulContext) -> None:
    """``mt:ci:<meeting>:<sequence>``: the attendee's own button."""
    meeting_id, sequence = int_part(update, 2), int_part(update, 3)
    if meeting_id is None or sequence is None or ctx.person is None:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return
    try:
        await day_service.check_in(ctx.store, ctx.clock, ctx.person, meeting_id, sequence)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx, ctx.t("Signed in on the attendance list. Welcome!"), alert=True)


# --- someone added on the spot ------------------------------------------------------------------

ADD = "attendee"
D_NAME = "md_name"


async def add_start(update: Update, ctx: KurulContext) -> str | int:
    """``md:ad:<meeting>``"""
    meeting_id = int_part(update, 2) or 0
    if await _groups(update, ctx, meeting_id) is None:
        return END
    await answer(update, ctx)
    ctx.drop_draft(ADD)
    ctx.draft(ADD)["meeting"] = meeting_id
    await send(update, ctx, ctx.t(
        "Type who is present as “Name Surname, Organisation, Title” (for example: Ali Veli, "
        "Göç İdaresi Başkanlığı, Uzman)."), buttons([cancel_row(ctx, "md:x")]))
    return D_NAME


async def add_name(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(ADD)
    assert ctx.person is not None
    try:
        entry = service.clean_invitee(text_of(update))
        await day_service.add_on_the_spot(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                      draft["meeting"], entry)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return D_NAME
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        ctx.drop_draft(ADD)
        return END
    ctx.drop_draft(ADD)
    await send(update, ctx, ctx.t("Added to the attendance list: {name}.").format(
        name=entry.name), buttons([[(ctx.t("◀ Invitees and others"),
                                     f"md:g:{draft['meeting']}:{OTHERS}")]]))
    return END


def build_attendee_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    return conversation(
        name="attendee",
        entry_points=[CallbackQueryHandler(add_start, pattern=r"^md:ad:\d+$")],
        states={D_NAME: [MessageHandler(text, add_name), MessageHandler(other, want_text)]},
        fallbacks=[CommandHandler("cancel", cancel_flow(ADD, N_("Nothing was changed."))),
                   CallbackQueryHandler(cancel_flow(ADD, N_("Nothing was changed.")),
                                        pattern=r"^md:x$")],
    )


# --- /export: Ek-2 ------------------------------------------------------------------------------


async def export_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    found = await service.my_meetings(ctx.store, ctx.clock, ctx.grants,
                                      permission=Permission.EXPORT_ATTENDANCE)
    listed = [m for m in [*found.upcoming, *found.past]
              if m.meeting.status is not MeetingStatus.CANCELLED]
    if not listed:
        await send(update, ctx, ctx.t("There is no meeting to export an attendance list for."))
        return
    rows = [[(meeting_label(ctx.t, m.meeting, m.where), f"md:ek:{m.meeting.id}")]
            for m in listed]
    await send(update, ctx, ctx.t("Ek-2 attendance list (Art. 12(7)): which meeting?"),
               buttons(rows))


async def export_ek2(update: Update, ctx: KurulContext) -> None:
    """``md:ek:<meeting>``: DOCX, CSV and XLSX, to the secretariat as documents."""
    meeting_id = int_part(update, 2) or 0
    try:
        export = await day_service.ek2_sheet(ctx.store, ctx.clock, ctx.grants, meeting_id)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx)
    chat = update.effective_chat
    assert chat is not None
    sheet = export.sheet
    caption = ctx.t.ngettext(
        "Ek-2 attendance list — {council}, {date}: {n} person listed, with blank rows to add "
        "people on paper.",
        "Ek-2 attendance list — {council}, {date}: {n} people listed, with blank rows to add "
        "people on paper.", len(sheet.rows)).format(
        council=council_label(ctx.t, export.where.council), date=sheet.date,
        n=len(sheet.rows))
    for extension, data in (("docx", docx_bytes(sheet)), ("csv", csv_bytes(sheet)),
                            ("xlsx", xlsx_bytes(sheet))):
        await ctx.bot.send_document(
            chat.id, InputFile(data, filename=export.filename(extension)),
            caption=caption if extension == "docx" else None)


def meetings_day_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        CallbackQueryHandler(mark_start, pattern=r"^md:mk:\d+$"),
        CallbackQueryHandler(mark_page, pattern=r"^md:p:\d+:\d+$"),
        CallbackQueryHandler(mark_group, pattern=r"^md:g:\d+:\d+$"),
        CallbackQueryHandler(mark_toggle, pattern=r"^md:t:\d+:\d+:[pri]\d+$"),
        CallbackQueryHandler(open_checkin, pattern=r"^md:oc:\d+$"),
        CallbackQueryHandler(check_in, pattern=r"^mt:ci:\d+:\d+$"),
        *command_entry("export", export_command),
        CallbackQueryHandler(export_ek2, pattern=r"^md:ek:\d+$"),
    ]
