"""``/calendar`` (meeting windows and deadlines) and ``/leave`` (administrative leave days).

``/calendar`` shows the secretariat and the chair their councils' ordinary meeting windows of
this and the next quarter, the deadlines of each suggested date, warnings for deadlines that
fall on days off, and the province's leave days in that span.

``/leave`` is the secretariat's guided flow for the province's administrative leave days
(idari izin): add a day or a range (typed ``dd.mm.yyyy`` or ``dd.mm.yyyy-dd.mm.yyyy``, with a
note, shown before saving), list them, remove one (pick, then confirm). A typing mistake is
explained and asked again; the flow keeps what was entered.
"""

from __future__ import annotations

import html
from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.documents.calendar_export import (
    WARNING_LABELS,
    council_title,
    entry_lines,
    period_label,
)
from bot.domain.calendar import WindowStatus
from bot.domain.models import Council, CouncilKind
from bot.domain.permissions import Permission
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
    paged,
    prompt,
    send,
    split_messages,
    text_of,
    want_button,
    want_text,
)
from bot.handlers.labels import council_label, problem_text, refusal_text
from bot.i18n import N_, Translator
from bot.services import calendar as service
from bot.services.access import reachable_councils
from bot.services.errors import Refusal, ServiceError

STATUS_LABELS = {
    WindowStatus.OPEN: N_("open now"),
    WindowStatus.UPCOMING: N_("upcoming"),
    WindowStatus.LATE: N_("window over; the late limit applies"),
    WindowStatus.CLOSED: N_("closed"),
}
LEAVE_PROBLEMS = {
    service.LeaveProblem.NOT_A_DATE: N_(
        "I could not read this as a date. Please type a day as dd.mm.yyyy (for example "
        "05.01.2027), or a range as dd.mm.yyyy-dd.mm.yyyy."
    ),
    service.LeaveProblem.END_BEFORE_START: N_(
        "This range ends before it starts. Please type the earlier day first, for example "
        "05.01.2027-08.01.2027."
    ),
    service.LeaveProblem.RANGE_TOO_LONG: N_(
        "One entry can cover at most {limit} days. Please enter a longer leave in parts."
    ),
    service.LeaveProblem.OUT_OF_RANGE: N_("Please type a day from {first} to {last}."),
    service.LeaveProblem.NO_WORKING_DAY: N_(
        "Every day of this is a weekend or an official holiday: there is no working day to "
        "mark as leave. Please type another day or range."
    ),
    service.LeaveProblem.ALREADY_ENTERED: N_(
        "These days are already entered as administrative leave. Please type another day or "
        "range."
    ),
}


def _split(blocks: list[str]) -> list[str]:
    return split_messages(blocks, sep="\n\n")


def _range(t: Translator, start: date, end: date) -> str:
    return t.date(start) if start == end else f"{t.date(start)} – {t.date(end)}"


# --- /calendar -------------------------------------------------------------------------------


def render_calendar(t: Translator, view: service.CouncilCalendar) -> list[str]:
    """A council's calendar as HTML messages."""
    head = [
        "<b>" + html.escape(council_title(t, view.council.kind, view.council.name)) + "</b>",
        html.escape(t("Ordinary meetings of this and the next quarter, as of {today}.").format(
            today=t.date(view.today))),
    ]
    blocks = ["\n".join(head)]
    for meeting in view.meetings:
        lines = [html.escape(line) for line in entry_lines(t, meeting.entry)]
        lines[0] = f"<b>{lines[0]}</b> — {html.escape(t(STATUS_LABELS[meeting.status]))}"
        blocks.append("\n".join(lines))
    if not view.meetings:
        none = [t("No ordinary meeting window falls in this and the next quarter.")]
        if view.council.kind is CouncilKind.DISTRICT:
            none.append(t("A district council with fewer than 2,000 foreigners that is not a "
                          "border district meets when the Kaymakam decides (Art. 8(2))."))
        blocks.append(html.escape(" ".join(none)))
    if view.leave:
        lines = ["<b>" + html.escape(t("Administrative leave days counted:")) + "</b>"]
        lines += ["• " + html.escape(_run_text(t, run)) for run in view.leave]
    else:
        lines = [html.escape(t("No administrative leave day is entered for this period."))]
    blocks.append("\n".join(lines))
    return _split(blocks)


async def _calendar_councils(ctx: KurulContext) -> list[Council]:
    return await reachable_councils(ctx.store, ctx.grants, Permission.VIEW_CALENDAR)


def _calendar_items(ctx: KurulContext, councils: list[Council]) -> list[tuple[str, str]]:
    return [(council_label(ctx.t, c), f"cal:c:{c.id}") for c in councils]


async def calendar_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    councils = await _calendar_councils(ctx)
    if not councils:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return
    if len(councils) == 1:
        await _show_calendar(update, ctx, [councils[0]])
        return
    await send(update, ctx, ctx.t("Which council?"), paged(
        _calendar_items(ctx, councils), 0, "cal:p", ctx.t,
        [(ctx.t("All councils"), "cal:all")]))


async def calendar_page(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    councils = await _calendar_councils(ctx)
    await edit_or_send(update, ctx, ctx.t("Which council?"), paged(
        _calendar_items(ctx, councils), int_part(update, 2) or 0, "cal:p", ctx.t,
        [(ctx.t("All councils"), "cal:all")]))


async def calendar_chosen(update: Update, ctx: KurulContext) -> None:
    council_id = int_part(update, 2)
    councils = await _calendar_councils(ctx)
    chosen = [c for c in councils if c.id == council_id]
    if not chosen:
        # Forged or outdated data: the council is gone, or no longer within reach.
        await answer(update, ctx, ctx.t("You are not authorised to do this."), alert=True)
        return
    await answer(update, ctx)
    await _show_calendar(update, ctx, chosen)


async def calendar_all(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    await _show_calendar(update, ctx, await _calendar_councils(ctx))


async def _show_calendar(update: Update, ctx: KurulContext, councils: list[Council]) -> None:
    for council in councils:
        try:
            view = await service.council_calendar(ctx.store, ctx.clock, ctx.grants, council.id)
        except ServiceError as error:
            await send(update, ctx, refusal_text(ctx.t, error))
            return
        for text in render_calendar(ctx.t, view):
            await send(update, ctx, text, parse_mode="HTML")


def calendar_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        *command_entry("calendar", calendar_command),
        CallbackQueryHandler(calendar_chosen, pattern=r"^cal:c:\d+$"),
        CallbackQueryHandler(calendar_page, pattern=r"^cal:p:\d+$"),
        CallbackQueryHandler(calendar_all, pattern=r"^cal:all$"),
    ]


# --- /leave ----------------------------------------------------------------------------------

FLOW = "leave"
L_PROVINCE, L_ACTION, L_DATES, L_NOTE, L_CONFIRM, L_PICK, L_REMOVE = (
    "lv_province", "lv_action", "lv_dates", "lv_note", "lv_confirm", "lv_pick", "lv_remove")


async def _prompt(update: Update, ctx: KurulContext, text: str,
                  markup: InlineKeyboardMarkup | None = None, new: bool = False) -> None:
    await prompt(update, ctx, FLOW, text, markup, new)


def _problem(ctx: KurulContext, problem: service.LeaveInputError) -> str:
    t = ctx.t
    return t(LEAVE_PROBLEMS[problem.problem]).format(
        limit=problem.limit,
        first=t.short_date(problem.first) if problem.first else "",
        last=t.short_date(problem.last) if problem.last else "")


def _run_key(run: service.LeaveRun) -> str:
    return f"{run.start:%Y%m%d}:{run.end:%Y%m%d}"


def _run_text(t: Translator, run: service.LeaveRun) -> str:
    return t.ngettext("{range} ({n} day): {note}", "{range} ({n} days): {note}",
                      len(run.days)).format(range=_range(t, run.start, run.end),
                                            n=len(run.days), note=run.note)


def _changes_text(t: Translator, change: service.LeaveChange) -> list[str]:
    """The meeting windows a change moved, each with its article and warnings."""
    lines = []
    for moved in change.changes:
        after = moved.after
        lines.append("• " + html.escape(t(
            "{council}, {period} ({article}): window {window}, suggested date {date} "
            "(was {before}).").format(
            council=council_title(t, moved.council.kind, moved.council.name),
            period=period_label(t, after), article=t.article(after.article),
            window=_range(t, after.window_start, after.window_end),
            date=t.date(after.suggested_date), before=t.date(moved.before.suggested_date))))
        lines += ["  ⚠ " + html.escape(t(WARNING_LABELS[w])) for w in after.warnings]
    if lines:
        lines.insert(0, html.escape(t("This changes the meeting calendar:")))
    return lines


_ends_on_refusal = ends_on_refusal(FLOW)


async def leave_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    provinces = await service.leave_provinces(ctx.store, ctx.grants)
    if not provinces:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return END
    ctx.drop_draft(FLOW)
    if len(provinces) == 1:
        ctx.draft(FLOW)["province"] = provinces[0].id
        return await _leave_menu(update, ctx, new=True)
    items = [(p.name, f"lv:p:{p.id}") for p in provinces]
    await _prompt(update, ctx, ctx.t("Which province?"),
                  buttons([*([item] for item in items), cancel_row(ctx, "lv:x")]), new=True)
    return L_PROVINCE


@_ends_on_refusal
@guarded(FLOW, L_PROVINCE)
async def leave_province(update: Update, ctx: KurulContext) -> str | int:
    province_id = int_part(update, 2)
    provinces = await service.leave_provinces(ctx.store, ctx.grants)
    if province_id not in {p.id for p in provinces}:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return L_PROVINCE
    ctx.draft(FLOW)["province"] = province_id
    return await _leave_menu(update, ctx)


async def _leave_menu(update: Update, ctx: KurulContext, new: bool = False) -> str:
    draft = ctx.draft(FLOW)
    province = await ctx.store.councils.province(draft["province"])
    assert province is not None
    runs = await service.leave_runs(ctx.store, ctx.clock, ctx.grants, province.id)
    count = sum(len(r.days) for r in runs)
    text = "\n".join([
        "<b>" + html.escape(ctx.t("Administrative leave days — {province}").format(
            province=province.name)) + "</b>",
        html.escape(ctx.t.ngettext(
            "{n} day is entered for this year and later.",
            "{n} days are entered for this year and later.", count).format(n=count)),
        html.escape(ctx.t("Leave days count as days off for every council of the province: "
                          "they can move the sub-commission's meeting (Art. 6(9)).")),
    ])
    markup = buttons([
        [(ctx.t("➕ Add"), "lv:a:add")],
        [(ctx.t("📋 List"), "lv:a:list"), (ctx.t("🗑 Remove"), "lv:a:remove")],
        cancel_row(ctx, "lv:x"),
    ])
    await _prompt(update, ctx, text, markup, new=new)
    return L_ACTION


def _ask_dates(ctx: KurulContext) -> str:
    return ctx.t(
        "Type the day of leave as dd.mm.yyyy, or a range as dd.mm.yyyy-dd.mm.yyyy (at most "
        "{limit} days). For example: 05.01.2027-08.01.2027").format(
        limit=service.MAX_LEAVE_RANGE_DAYS)


@_ends_on_refusal
@guarded(FLOW, L_ACTION)
async def leave_action(update: Update, ctx: KurulContext) -> str | int:
    action = data_parts(update)[-1]
    draft = ctx.draft(FLOW)
    if action == "add":
        await send(update, ctx, _ask_dates(ctx))
        return L_DATES
    runs = await service.leave_runs(ctx.store, ctx.clock, ctx.grants, draft["province"])
    if action == "list":
        if runs:
            lines = ["<b>" + html.escape(ctx.t("Administrative leave days")) + "</b>"]
            lines += ["• " + html.escape(_run_text(ctx.t, r)) for r in runs]
        else:
            lines = [html.escape(ctx.t("No administrative leave day is entered for this year "
                                       "or later."))]
        for text in _split(lines):
            await send(update, ctx, text, parse_mode="HTML")
        return await _leave_menu(update, ctx, new=True)
    if not runs:
        await send(update, ctx, ctx.t("There is no administrative leave day to remove."))
        return await _leave_menu(update, ctx, new=True)
    return await _leave_pick(update, ctx, 0, runs)


async def _leave_pick(update: Update, ctx: KurulContext, page: int,
                      runs: list[service.LeaveRun] | None = None) -> str:
    if runs is None:
        runs = await service.leave_runs(ctx.store, ctx.clock, ctx.grants,
                                        ctx.draft(FLOW)["province"])
    items = [(_run_text(ctx.t, r)[:60], f"lv:r:{_run_key(r)}") for r in runs]
    await _prompt(update, ctx, ctx.t("Which leave do you want to remove?"),
                  paged(items, page, "lv:rp", ctx.t, cancel_row(ctx, "lv:x")))
    return L_PICK


@_ends_on_refusal
@guarded(FLOW, L_PICK)
async def leave_pick_page(update: Update, ctx: KurulContext) -> str | int:
    return await _leave_pick(update, ctx, int_part(update, 2) or 0)


@_ends_on_refusal
@guarded(FLOW, L_PICK)
async def leave_picked(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    key = ":".join(data_parts(update)[2:])
    runs = await service.leave_runs(ctx.store, ctx.clock, ctx.grants, draft["province"])
    run = next((r for r in runs if _run_key(r) == key), None)
    if run is None:
        await send(update, ctx, ctx.t("That record no longer exists. Please start again."))
        return await _leave_pick(update, ctx, 0)
    draft["run"] = [run.start.isoformat(), run.end.isoformat()]
    await _prompt(update, ctx, html.escape(ctx.t("Remove this administrative leave?\n{leave}")
                                           .format(leave=_run_text(ctx.t, run))),
                  buttons([[(ctx.t("🗑 Remove"), "lv:rm")], cancel_row(ctx, "lv:x")]))
    return L_REMOVE


@_ends_on_refusal
@guarded(FLOW, L_REMOVE)
async def leave_remove(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    assert ctx.person is not None
    start, end = (date.fromisoformat(d) for d in draft["run"])
    try:
        change = await service.remove_leave(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                            draft["province"], start, end)
    except ServiceError as error:
        if error.refusal is not Refusal.NOT_FOUND:
            raise
        # Removed meanwhile (another secretariat, another device): show what is there now.
        await send(update, ctx, refusal_text(ctx.t, error))
        return await _leave_menu(update, ctx, new=True)
    lines = [html.escape(ctx.t.ngettext(
        "Removed: {n} day of administrative leave ({range}).",
        "Removed: {n} days of administrative leave ({range}).", len(change.days)).format(
        n=len(change.days), range=_range(ctx.t, start, end)))]
    lines += _changes_text(ctx.t, change)
    await send(update, ctx, "\n".join(lines), parse_mode="HTML")
    draft.pop("run", None)
    return await _leave_menu(update, ctx, new=True)


@_ends_on_refusal
async def leave_dates(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    try:
        start, end = service.parse_typed_range(text_of(update))
        plan = await service.plan_leave(ctx.store, ctx.clock, ctx.grants, draft["province"],
                                        start, end)
    except service.LeaveInputError as problem:
        await send(update, ctx, _problem(ctx, problem))
        return L_DATES
    draft["start"], draft["end"] = plan.start.isoformat(), plan.end.isoformat()
    await send(update, ctx, ctx.t(
        "Now type a short note: who declared the leave and why (for example: Valilik kararı, "
        "kar yağışı)."))
    return L_NOTE


@_ends_on_refusal
async def leave_note(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    try:
        note = clean_text(text_of(update), service.LEAVE_NOTE_MAX)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return L_NOTE
    start, end = date.fromisoformat(draft["start"]), date.fromisoformat(draft["end"])
    try:
        plan = await service.plan_leave(ctx.store, ctx.clock, ctx.grants, draft["province"],
                                        start, end)
    except service.LeaveInputError as problem:
        # Someone else entered these days meanwhile: ask for the dates again.
        await send(update, ctx, _problem(ctx, problem) + "\n" + _ask_dates(ctx))
        return L_DATES
    draft["note"] = note
    t = ctx.t
    lines = [
        "<b>" + html.escape(t("New administrative leave — {province}").format(
            province=plan.province.name)) + "</b>",
        html.escape(t("Dates: {range}").format(range=_range(t, plan.start, plan.end))),
        html.escape(t.ngettext("{n} working day becomes a leave day.",
                               "{n} working days become leave days.",
                               len(plan.days)).format(n=len(plan.days))),
        html.escape(t("Note: {note}").format(note=note)),
    ]
    if plan.off_days:
        lines.append(html.escape(t("Not counted, being days off anyway: {days}").format(
            days=", ".join(t.short_date(d) for d in plan.off_days))))
    if plan.existing:
        lines.append(html.escape(t("Already entered: {days}").format(
            days=", ".join(t.short_date(d) for d in plan.existing))))
    if plan.past:
        lines.append("⚠ " + html.escape(t(
            "This leave lies in the past. It will be recorded all the same, and the windows and "
            "deadlines it touched are recalculated.")))
    await _prompt(update, ctx, "\n".join(lines),
                  buttons([[(t("✅ Confirm"), "lv:ok")], cancel_row(ctx, "lv:x")]), new=True)
    return L_CONFIRM


@_ends_on_refusal
@guarded(FLOW, L_CONFIRM)
async def leave_confirm(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    assert ctx.person is not None
    start, end = date.fromisoformat(draft["start"]), date.fromisoformat(draft["end"])
    try:
        change = await service.add_leave(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                         draft["province"], start, end, draft["note"])
    except service.LeaveInputError as problem:
        await send(update, ctx, _problem(ctx, problem))
        return await _leave_menu(update, ctx, new=True)
    lines = [html.escape(ctx.t.ngettext(
        "Saved: {n} day of administrative leave ({range}).",
        "Saved: {n} days of administrative leave ({range}).", len(change.days)).format(
        n=len(change.days), range=_range(ctx.t, start, end)))]
    lines += _changes_text(ctx.t, change)
    await send(update, ctx, "\n".join(lines), parse_mode="HTML")
    for key in ("start", "end", "note"):
        draft.pop(key, None)
    return await _leave_menu(update, ctx, new=True)


leave_cancel = cancel_flow(FLOW, N_("Done."))


def build_leave_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    return conversation(
        name="leave",
        entry_points=command_entry("leave", leave_start),
        states={
            L_PROVINCE: [CallbackQueryHandler(leave_province, pattern=r"^lv:p:\d+$"),
                         MessageHandler(other, want_button)],
            L_ACTION: [CallbackQueryHandler(leave_action, pattern=r"^lv:a:(add|list|remove)$"),
                       MessageHandler(other, want_button)],
            L_DATES: [MessageHandler(text, leave_dates), MessageHandler(other, want_text)],
            L_NOTE: [MessageHandler(text, leave_note), MessageHandler(other, want_text)],
            L_CONFIRM: [CallbackQueryHandler(leave_confirm, pattern=r"^lv:ok$"),
                        MessageHandler(other, want_button)],
            L_PICK: [CallbackQueryHandler(leave_picked, pattern=r"^lv:r:\d{8}:\d{8}$"),
                     CallbackQueryHandler(leave_pick_page, pattern=r"^lv:rp:\d+$"),
                     MessageHandler(other, want_button)],
            L_REMOVE: [CallbackQueryHandler(leave_remove, pattern=r"^lv:rm$"),
                       MessageHandler(other, want_button)],
        },
        fallbacks=[CommandHandler("cancel", leave_cancel),
                   CallbackQueryHandler(leave_cancel, pattern=r"^lv:x$")],
    )
