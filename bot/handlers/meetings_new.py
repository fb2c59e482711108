"""``/newmeeting``: the secretariat's guided flow to schedule a meeting, and to move one.

council → ordinary (the calendar proposes this period's window and suggested date) or
extraordinary (who called it: the chair on the directorate's proposal, the chair alone, the
Presidency; Art. 7(3), 8(4)) → the date (a month calendar whose past days cannot be chosen, or
typed dd.mm.yyyy) → the time (buttons, or typed HH:MM) → the place → the invitees of this
meeting (Art. 4(4)), optional → a preview with the statutory checks (inside the window? the
notice deadline still reachable? a weekend, holiday, half day, administrative leave? another
meeting of the council that day?) → save. Outside the window or too late for the notice period
is saved only with an explicit confirmation and a reason, which is recorded.

A meeting's "Move" button (``mt:mv:<id>`` in ``/meetings``) runs the same steps from the date
on, keeping the kind, and saves with ``service.move``. Typed mistakes are explained and asked
again; the draft keeps what was entered (it is persisted with the conversation).
"""

from __future__ import annotations

import calendar as monthcal
import html
from datetime import date, datetime, time, timedelta
from typing import Any

from babel.dates import format_date, get_day_names
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.domain.calendar import MeetingWindow
from bot.domain.meetings import (
    CalledBy,
    Check,
    Finding,
    MeetingInputError,
    MeetingKind,
    MeetingStatus,
    parse_day,
    parse_time,
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
    ends_on_refusal,
    guarded,
    int_part,
    paged,
    prompt,
    send,
    text_of,
    want_button,
    want_text,
)
from bot.handlers.labels import council_label, problem_text, refusal_text
from bot.handlers.meetings import input_problem, notices_changed, quiet_of
from bot.i18n import N_, Translator
from bot.notify.meeting_kinds import CALLED_BY_LABELS, kind_line, when_block
from bot.services import meetings as service
from bot.services.errors import ServiceError

CHECK_LABELS = {
    Check.OUTSIDE_WINDOW: N_(
        "Outside the ordinary window ({start} – {end}, {article})."
    ),
    Check.NOTICE_TOO_LATE: N_(
        "Too late for the notice period: the notice was due by {due} ({article})."
    ),
    Check.WEEKEND: N_("The date falls on a weekend."),
    Check.HOLIDAY: N_("The date is an official holiday."),
    Check.LEAVE: N_("The date is an administrative leave day."),
    Check.HALF_DAY: N_("The date is a half day: the afternoon is off."),
    Check.SAME_DAY: N_("The council already has another meeting that day."),
    Check.IN_PAST: N_("This date and time have passed."),
}
TIME_CHOICES = ("09:00", "09:30", "10:00", "10:30", "11:00", "13:30", "14:00", "14:30", "15:00")
MAX_INVITEES = 30


def finding_text(t: Translator, finding: Finding, window: MeetingWindow | None) -> str:
    return t(CHECK_LABELS[finding.check]).format(
        start=t.short_date(window.window_start) if window else "",
        end=t.short_date(window.closes) if window else "",
        due=t.short_date(finding.due) if finding.due else "",
        article=t.article(finding.article or ""))


# --- the month calendar ------------------------------------------------------------------------


def _month_key(day: date) -> str:
    return f"{day:%Y%m}"


def calendar_keyboard(t: Translator, month: date, first: date, last: date,
                      extra: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """A month grid: days from `first` to `last` can be pressed; the others show a dot and
    are refused if pressed anyway (callback data is user input)."""
    month = month.replace(day=1)
    nav: list[tuple[str, str]] = []
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    nav.append(("◀", f"nm:m:{_month_key(previous)}") if previous >= first.replace(day=1)
               else (" ", "nm:_"))
    nav.append((format_date(month, "LLLL y", locale=t.locale), "nm:_"))
    nav.append(("▶", f"nm:m:{_month_key(following)}") if following <= last else (" ", "nm:_"))
    names = get_day_names("abbreviated", locale=t.locale)
    rows = [nav, [(str(names[i]), "nm:_") for i in range(7)]]
    for week in monthcal.Calendar().monthdatescalendar(month.year, month.month):
        row = []
        for day in week:
            if day.month != month.month:
                row.append((" ", "nm:_"))
            elif first <= day <= last:
                row.append((str(day.day), f"nm:d:{day:%Y%m%d}"))
            else:
                row.append(("·", "nm:_"))
        rows.append(row)
    return buttons([*rows, *extra])


# --- /newmeeting (and moving a meeting) --------------------------------------------------------

FLOW = "newmeeting"
NM_COUNCIL, NM_KIND, NM_CALLED, NM_DATE, NM_TIME, NM_PLACE, NM_INVITEES, NM_PREVIEW, NM_REASON = (
    "nm_council", "nm_kind", "nm_called", "nm_date", "nm_time", "nm_place", "nm_invitees",
    "nm_preview", "nm_reason")
_refused = ends_on_refusal(FLOW)


async def _prompt(update: Update, ctx: KurulContext, text: str,
                  markup: InlineKeyboardMarkup | None = None, new: bool = False) -> None:
    await prompt(update, ctx, FLOW, text, markup, new)


def _cancel(ctx: KurulContext) -> list[tuple[str, str]]:
    return cancel_row(ctx, "nm:q")


async def _where(ctx: KurulContext) -> service.Where:
    return await service.where(ctx.store, ctx.draft(FLOW)["council"])


def _header(ctx: KurulContext, place: service.Where) -> str:
    draft = ctx.draft(FLOW)
    title = (ctx.t("Move the meeting — {council}") if draft.get("move")
             else ctx.t("New meeting — {council}"))
    return "<b>" + html.escape(title.format(council=council_label(ctx.t, place.council))) + "</b>"


async def newmeeting_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    councils = await service.schedulable(ctx.store, ctx.grants)
    if not councils:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return END
    ctx.drop_draft(FLOW)
    if len(councils) == 1:
        ctx.draft(FLOW)["council"] = councils[0].id
        return await _ask_kind(update, ctx, new=True)
    items = [(council_label(ctx.t, c), f"nm:c:{c.id}") for c in councils]
    await _prompt(update, ctx, ctx.t("Which council is the meeting of?"),
                  paged(items, 0, "nm:cp", ctx.t, _cancel(ctx)), new=True)
    return NM_COUNCIL


@_refused
@guarded(FLOW, NM_COUNCIL)
async def nm_council_page(update: Update, ctx: KurulContext) -> str | int:
    councils = await service.schedulable(ctx.store, ctx.grants)
    items = [(council_label(ctx.t, c), f"nm:c:{c.id}") for c in councils]
    await _prompt(update, ctx, ctx.t("Which council is the meeting of?"),
                  paged(items, int_part(update, 2) or 0, "nm:cp", ctx.t, _cancel(ctx)))
    return NM_COUNCIL


@_refused
@guarded(FLOW, NM_COUNCIL)
async def nm_council(update: Update, ctx: KurulContext) -> str | int:
    council_id = int_part(update, 2)
    if council_id not in {c.id for c in await service.schedulable(ctx.store, ctx.grants)}:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return NM_COUNCIL
    ctx.draft(FLOW)["council"] = council_id
    return await _ask_kind(update, ctx)


def _window_line(t: Translator, window: MeetingWindow) -> str:
    return t("This period's ordinary window: {start} – {end} ({article}); suggested date: "
             "{date}.").format(start=t.date(window.window_start), end=t.date(window.closes),
                               article=t.article(window.article),
                               date=t.date(window.suggested_date))


async def _ask_kind(update: Update, ctx: KurulContext, new: bool = False) -> str:
    place = await _where(ctx)
    window = await service.ordinary_window(ctx.store, ctx.clock, place.council.id)
    lines = [_header(ctx, place), html.escape(ctx.t("What kind of meeting is it?"))]
    rows = []
    if window is not None:
        lines.append(html.escape(_window_line(ctx.t, window)))
        rows.append([(ctx.t("Ordinary meeting"), "nm:k:o")])
    else:
        lines.append(html.escape(ctx.t(
            "This council has no ordinary meetings in the calendar (Art. 8(2)): it meets when "
            "the chair calls it.")))
    rows.append([(ctx.t("Extraordinary meeting (ek kurul)"), "nm:k:e")])
    await _prompt(update, ctx, "\n".join(lines), buttons([*rows, _cancel(ctx)]), new=new)
    return NM_KIND


@_refused
@guarded(FLOW, NM_KIND)
async def nm_kind(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if data_parts(update)[-1] == "o":
        window = await service.ordinary_window(ctx.store, ctx.clock, draft["council"])
        if window is None:
            return await _ask_kind(update, ctx)
        draft.update(kind=MeetingKind.ORDINARY.value, period=window.period, called_by=None)
        return await _ask_date(update, ctx)
    draft.update(kind=MeetingKind.EXTRAORDINARY.value, period=None)
    rows = [[(ctx.t(CALLED_BY_LABELS[c]).capitalize(), f"nm:w:{c.value}")] for c in CalledBy]
    await _prompt(update, ctx, ctx.t("Who called this extraordinary meeting (Art. 7(3), 8(4))?"),
                  buttons([*rows, _cancel(ctx)]))
    return NM_CALLED


@_refused
@guarded(FLOW, NM_CALLED)
async def nm_called(update: Update, ctx: KurulContext) -> str | int:
    code = data_parts(update)[-1]
    if code not in {c.value for c in CalledBy}:
        return NM_CALLED
    ctx.draft(FLOW)["called_by"] = code
    return await _ask_date(update, ctx)


async def _bounds(ctx: KurulContext, place: service.Where) -> tuple[date, date]:
    today = place.local(ctx.clock.now()).date()
    return today, service.latest_day(today)


async def _ask_date(update: Update, ctx: KurulContext, month: date | None = None,
                    new: bool = False, problem: str | None = None) -> str:
    draft = ctx.draft(FLOW)
    place = await _where(ctx)
    first, last = await _bounds(ctx, place)
    window = None
    if draft.get("kind") == MeetingKind.ORDINARY.value:
        window = await service.ordinary_window(ctx.store, ctx.clock, place.council.id,
                                               draft.get("period"))
    if month is None:
        shown = date.fromisoformat(draft["day"]) if draft.get("day") else None
        month = shown or (window.suggested_date if window else first)
    month = min(max(month, first), last)
    lines = [_header(ctx, place)]
    if problem:
        lines.append("⚠ " + html.escape(problem))
    if window is not None:
        lines.append(html.escape(_window_line(ctx.t, window)))
    lines.append(html.escape(ctx.t(
        "Choose the day on the calendar, or type it as dd.mm.yyyy (for example 14.01.2027).")))
    extra: list[list[tuple[str, str]]] = []
    if window is not None and first <= window.suggested_date <= last:
        extra.append([(ctx.t("Suggested: {date}").format(
            date=ctx.t.short_date(window.suggested_date)),
            f"nm:d:{window.suggested_date:%Y%m%d}")])
    extra.append(_cancel(ctx))
    await _prompt(update, ctx, "\n".join(lines),
                  calendar_keyboard(ctx.t, month, first, last, extra), new=new)
    return NM_DATE


@_refused
@guarded(FLOW, NM_DATE)
async def nm_month(update: Update, ctx: KurulContext) -> str | int:
    code = data_parts(update)[-1]
    try:
        month = date(int(code[:4]), int(code[4:6]), 1)
    except ValueError:
        return NM_DATE
    return await _ask_date(update, ctx, month)


async def nm_inactive_day(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx, ctx.t("This day cannot be chosen: please pick a day from today "
                                    "on."), alert=True)
    return NM_DATE


async def _take_day(update: Update, ctx: KurulContext, day: date, new: bool) -> str:
    place = await _where(ctx)
    first, last = await _bounds(ctx, place)
    if day < first:
        return await _ask_date(update, ctx, first, new=new, problem=ctx.t(
            "This day has passed. Please choose a day from today on."))
    if day > last:
        return await _ask_date(update, ctx, last, new=new, problem=ctx.t(
            "Please choose a day within {n} days from today.").format(n=service.MAX_DAYS_AHEAD))
    ctx.draft(FLOW)["day"] = day.isoformat()
    return await _ask_time(update, ctx, new=new)


@_refused
@guarded(FLOW, NM_DATE)
async def nm_day(update: Update, ctx: KurulContext) -> str | int:
    code = data_parts(update)[-1]
    try:
        day = date(int(code[:4]), int(code[4:6]), int(code[6:8]))
    except ValueError:
        return NM_DATE
    return await _take_day(update, ctx, day, new=False)


@_refused
async def nm_date_text(update: Update, ctx: KurulContext) -> str | int:
    try:
        day = parse_day(text_of(update))
    except MeetingInputError as error:
        await send(update, ctx, input_problem(ctx.t, error))
        return NM_DATE
    return await _take_day(update, ctx, day, new=True)


async def _ask_time(update: Update, ctx: KurulContext, new: bool = False,
                    problem: str | None = None) -> str:
    place = await _where(ctx)
    day = date.fromisoformat(ctx.draft(FLOW)["day"])
    lines = [_header(ctx, place),
             html.escape(ctx.t("Date: {date}").format(date=ctx.t.date(day)))]
    if problem:
        lines.append("⚠ " + html.escape(problem))
    lines.append(html.escape(ctx.t(
        "At what time? Choose one, or type it as HH:MM (for example 10:30).")))
    rows = [[(label, f"nm:t:{label.replace(':', '')}") for label in TIME_CHOICES[i:i + 3]]
            for i in range(0, len(TIME_CHOICES), 3)]
    rows.append([(ctx.t("🗓 Change the date"), "nm:ch")])
    await _prompt(update, ctx, "\n".join(lines), buttons([*rows, _cancel(ctx)]), new=new)
    return NM_TIME


async def _take_time(update: Update, ctx: KurulContext, at: time, new: bool) -> str:
    draft = ctx.draft(FLOW)
    place = await _where(ctx)
    starts = datetime.combine(date.fromisoformat(draft["day"]), at, tzinfo=place.zone)
    if starts <= ctx.clock.now():
        return await _ask_time(update, ctx, new=new, problem=ctx.t(
            "This time has already passed today. Please choose a later time or another day."))
    draft["time"] = at.strftime("%H:%M")
    return await _ask_place(update, ctx, new=new)


@_refused
@guarded(FLOW, NM_TIME)
async def nm_time_button(update: Update, ctx: KurulContext) -> str | int:
    try:
        at = parse_time(data_parts(update)[-1][:2] + ":" + data_parts(update)[-1][2:])
    except MeetingInputError:
        return NM_TIME
    return await _take_time(update, ctx, at, new=False)


@_refused
async def nm_time_text(update: Update, ctx: KurulContext) -> str | int:
    try:
        at = parse_time(text_of(update))
    except MeetingInputError as error:
        await send(update, ctx, input_problem(ctx.t, error))
        return NM_TIME
    return await _take_time(update, ctx, at, new=True)


@_refused
@guarded(FLOW, NM_TIME)
async def nm_change_date(update: Update, ctx: KurulContext) -> str | int:
    ctx.draft(FLOW).pop("reason", None)
    return await _ask_date(update, ctx)


async def _ask_place(update: Update, ctx: KurulContext, new: bool = False) -> str:
    draft = ctx.draft(FLOW)
    place = await _where(ctx)
    known = draft.get("place") or await ctx.store.meetings.last_place(place.council.id)
    rows: list[list[tuple[str, str]]] = []
    if known:
        draft["known_place"] = known
        label = known if len(known) <= 40 else known[:39] + "…"
        rows.append([("📍 " + label, "nm:pl")])
    text = "\n".join([_header(ctx, place), html.escape(ctx.t(
        "Where will it be held? Type the place (for example: Valilik Toplantı Salonu)."))])
    await _prompt(update, ctx, text, buttons([*rows, _cancel(ctx)]), new=new)
    return NM_PLACE


async def _take_place(update: Update, ctx: KurulContext, text: str | None, new: bool) -> str:
    draft = ctx.draft(FLOW)
    try:
        draft["place"] = clean_text(text, service.PLACE_MAX)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return NM_PLACE
    if draft.get("move"):
        return await _preview(update, ctx, new=new)
    return await _ask_invitees(update, ctx, new=new)


@_refused
async def nm_place_text(update: Update, ctx: KurulContext) -> str | int:
    return await _take_place(update, ctx, text_of(update), new=True)


@_refused
@guarded(FLOW, NM_PLACE)
async def nm_place_known(update: Update, ctx: KurulContext) -> str | int:
    return await _take_place(update, ctx, ctx.draft(FLOW).get("known_place"), new=False)


async def _ask_invitees(update: Update, ctx: KurulContext, new: bool = False) -> str:
    draft = ctx.draft(FLOW)
    place = await _where(ctx)
    chosen: list[dict[str, Any]] = draft.setdefault("invitees", [])
    registered = await service.registered_invitees(ctx.store, ctx.grants, place.council.id)
    picked = {i.get("person_id") for i in chosen}
    lines = [_header(ctx, place), html.escape(ctx.t(
        "Invitees for this meeting (Art. 4(4)), if any: professional chambers, municipalities, "
        "NGOs, community leaders, Presidency staff. Type one per message as “Name Surname, "
        "Organisation, Title”, or pick a registered invitee. Press Done when finished."))]
    if chosen:
        lines.append(html.escape(ctx.t("Invited so far:")))
        lines += ["• " + html.escape(_invitee_text(i)) for i in chosen]
    rows = [[(("☑ " if p.id in picked else "☐ ") + p.full_name, f"nm:i:{p.id}")]
            for p in registered[:20]]
    rows.append([(ctx.t("✅ Done"), "nm:i:done")])
    await _prompt(update, ctx, "\n".join(lines), buttons([*rows, _cancel(ctx)]), new=new)
    return NM_INVITEES


def _invitee_text(entry: dict[str, Any]) -> str:
    return ", ".join(p for p in (entry["name"], entry.get("organization"), entry.get("title"))
                     if p)


@_refused
@guarded(FLOW, NM_INVITEES)
async def nm_invitee_button(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    code = data_parts(update)[-1]
    if code == "done":
        return await _preview(update, ctx)
    registered = await service.registered_invitees(ctx.store, ctx.grants, draft["council"])
    person = next((p for p in registered if str(p.id) == code), None)
    chosen: list[dict[str, Any]] = draft.setdefault("invitees", [])
    if person is None:
        return await _ask_invitees(update, ctx)
    if any(i.get("person_id") == person.id for i in chosen):
        chosen[:] = [i for i in chosen if i.get("person_id") != person.id]
    elif len(chosen) < MAX_INVITEES:
        chosen.append({"name": person.full_name, "title": person.title,
                       "organization": "", "person_id": person.id})
    return await _ask_invitees(update, ctx)


@_refused
async def nm_invitee_text(update: Update, ctx: KurulContext) -> str | int:
    chosen: list[dict[str, Any]] = ctx.draft(FLOW).setdefault("invitees", [])
    if len(chosen) >= MAX_INVITEES:
        await send(update, ctx, ctx.t("That is the most invitees one meeting can have here. "
                                      "Press Done."))
        return NM_INVITEES
    try:
        entry = service.clean_invitee(text_of(update))
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return NM_INVITEES
    chosen.append({"name": entry.name, "organization": entry.organization,
                   "title": entry.title, "person_id": None})
    return await _ask_invitees(update, ctx, new=True)


async def _plan(ctx: KurulContext) -> service.Plan:
    draft = ctx.draft(FLOW)
    day = date.fromisoformat(draft["day"])
    at = parse_time(draft["time"])
    if draft.get("move"):
        return await service.plan_move(ctx.store, ctx.clock, ctx.grants, draft["move"], day, at)
    return await service.plan(ctx.store, ctx.clock, ctx.grants, draft["council"],
                              MeetingKind(draft["kind"]), day, at)


async def _preview(update: Update, ctx: KurulContext, new: bool = False) -> str:
    draft = ctx.draft(FLOW)
    t = ctx.t
    found = await _plan(ctx)
    if found.in_past:
        draft.pop("time", None)
        return await _ask_time(update, ctx, new=True, problem=t(
            "This time has passed meanwhile. Please choose a later time."))
    place = found.where
    lines = [_header(ctx, place), html.escape(kind_line(t, {
        "kind": draft.get("kind"), "called_by": draft.get("called_by")}))]
    lines += when_block(t, found.starts_at, draft["place"])
    invitees = draft.get("invitees") or []
    if invitees:
        lines.append(html.escape(t("Invitees: {names}").format(
            names="; ".join(_invitee_text(i) for i in invitees))))
    lines += ["", "<b>" + html.escape(t("Statutory checks")) + "</b>"]
    if found.findings:
        lines += ["⚠ " + html.escape(finding_text(t, f, found.window)) for f in found.findings]
    else:
        lines.append("✅ " + html.escape(t(
            "Within the rules: the notice deadline can be met and the day is a working day.")))
    if draft.get("reason"):
        lines.append(html.escape(t("Reason recorded: {reason}").format(reason=draft["reason"])))
    lines.append("")
    setting = await ctx.store.meetings.chair_approval(place.council.id)
    if draft.get("move"):
        lines.append(html.escape(t(
            "Everyone who was told of the meeting gets the new date with an updated calendar "
            "invitation.")))
    elif service.approval_needed(place.council, setting):
        lines.append(html.escape(t(
            "The chair decides the day, place and time (Art. 11(3)): it goes to the chair for "
            "approval first, and the notices go out once approved.")))
    else:
        lines.append(html.escape(t("The notices go out as soon as you save.")))
    rows: list[list[tuple[str, str]]] = []
    if found.needs_reason and not draft.get("reason"):
        lines.append(html.escape(t(
            "Outside the window or too late for the notice period: saving needs your explicit "
            "confirmation with a reason, which is recorded.")))
        rows.append([(t("✍️ Confirm with a reason"), "nm:r")])
    else:
        rows.append([(t("✅ Save"), "nm:ok")])
    rows.append([(t("🗓 Change the date"), "nm:ch")])
    await _prompt(update, ctx, "\n".join(lines), buttons([*rows, _cancel(ctx)]), new=new)
    return NM_PREVIEW


@_refused
@guarded(FLOW, NM_PREVIEW)
async def nm_preview_date(update: Update, ctx: KurulContext) -> str | int:
    ctx.draft(FLOW).pop("reason", None)
    return await _ask_date(update, ctx, new=True)


@_refused
@guarded(FLOW, NM_PREVIEW)
async def nm_ask_reason(update: Update, ctx: KurulContext) -> str | int:
    await send(update, ctx, ctx.t(
        "Why is the meeting held on this date? Type the reason; it is recorded with the "
        "meeting and shown to the chair."))
    return NM_REASON


@_refused
async def nm_reason(update: Update, ctx: KurulContext) -> str | int:
    try:
        ctx.draft(FLOW)["reason"] = clean_text(text_of(update), service.REASON_MAX)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return NM_REASON
    return await _preview(update, ctx, new=True)


@_refused
@guarded(FLOW, NM_PREVIEW)
async def nm_save(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    assert ctx.person is not None
    t = ctx.t
    day, at = date.fromisoformat(draft["day"]), parse_time(draft["time"])
    try:
        if draft.get("move"):
            done = await service.move(ctx.store, ctx.clock, ctx.grants, ctx.person.id,
                                      draft["move"], day, at, draft["place"],
                                      reason=draft.get("reason"), quiet=quiet_of(ctx))
        else:
            done = await service.schedule(
                ctx.store, ctx.clock, ctx.grants, ctx.person.id, draft["council"],
                MeetingKind(draft["kind"]), day, at, draft["place"],
                called_by=CalledBy(draft["called_by"]) if draft.get("called_by") else None,
                invitees=[service.InviteeDraft(i["name"], i.get("organization", ""),
                                               i.get("title", ""), i.get("person_id"))
                          for i in draft.get("invitees") or []],
                reason=draft.get("reason"), quiet=quiet_of(ctx))
    except service.ScheduleRefused:
        await send(update, ctx, t("The checks changed meanwhile; please look again."))
        return await _preview(update, ctx, new=True)
    moving = bool(draft.get("move"))
    ctx.drop_draft(FLOW)
    await notices_changed(ctx)
    if done.meeting.status is MeetingStatus.AWAITING_CHAIR:
        if done.chairs:
            text = t("Saved. It went to the chair for approval; the notices go out once the "
                     "chair approves.")
        else:
            text = t("Saved, but no chair of this council is registered, so nobody can approve "
                     "it here. Invite the chair with /invite, or turn the chair's approval off "
                     "for this council in /meetings.")
    else:
        text = t.ngettext("Saved. The notice is being sent to {n} person.",
                          "Saved. The notice is being sent to {n} people.",
                          done.notices).format(n=done.notices)
        if moving:
            text = t.ngettext("Moved. The new date is being sent to {n} person.",
                              "Moved. The new date is being sent to {n} people.",
                              done.notices).format(n=done.notices)
    await send(update, ctx, text)
    return END


async def move_start(update: Update, ctx: KurulContext) -> str | int:
    """The "Move" button of a meeting's page: the same steps from the date on."""
    meeting_id = int_part(update, 2) or 0
    try:
        meeting, place = await service.manageable(ctx.store, ctx.grants, meeting_id,
                                                  ctx.clock.now())
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return END
    await answer(update, ctx)
    ctx.drop_draft(FLOW)
    ctx.draft(FLOW).update(move=meeting.id, council=place.council.id, kind=meeting.kind.value,
                           period=meeting.period, place=meeting.place,
                           called_by=meeting.called_by.value if meeting.called_by else None)
    return await _ask_date(update, ctx, new=True)


def build_newmeeting_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    noop = CallbackQueryHandler(nm_inactive_day, pattern=r"^nm:_$")
    return conversation(
        name="newmeeting",
        entry_points=[*command_entry("newmeeting", newmeeting_start),
                      CallbackQueryHandler(move_start, pattern=r"^mt:mv:\d+$")],
        states={
            NM_COUNCIL: [CallbackQueryHandler(nm_council, pattern=r"^nm:c:\d+$"),
                         CallbackQueryHandler(nm_council_page, pattern=r"^nm:cp:\d+$"),
                         MessageHandler(other, want_button)],
            NM_KIND: [CallbackQueryHandler(nm_kind, pattern=r"^nm:k:[oe]$"),
                      MessageHandler(other, want_button)],
            NM_CALLED: [CallbackQueryHandler(nm_called, pattern=r"^nm:w:\w+$"),
                        MessageHandler(other, want_button)],
            NM_DATE: [CallbackQueryHandler(nm_day, pattern=r"^nm:d:\d{8}$"),
                      CallbackQueryHandler(nm_month, pattern=r"^nm:m:\d{6}$"), noop,
                      MessageHandler(text, nm_date_text), MessageHandler(other, want_text)],
            NM_TIME: [CallbackQueryHandler(nm_time_button, pattern=r"^nm:t:\d{4}$"),
                      CallbackQueryHandler(nm_change_date, pattern=r"^nm:ch$"),
                      MessageHandler(text, nm_time_text), MessageHandler(other, want_text)],
            NM_PLACE: [CallbackQueryHandler(nm_place_known, pattern=r"^nm:pl$"),
                       MessageHandler(text, nm_place_text), MessageHandler(other, want_text)],
            NM_INVITEES: [CallbackQueryHandler(nm_invitee_button, pattern=r"^nm:i:(\d+|done)$"),
                          MessageHandler(text, nm_invitee_text),
                          MessageHandler(other, want_text)],
            NM_PREVIEW: [CallbackQueryHandler(nm_save, pattern=r"^nm:ok$"),
                         CallbackQueryHandler(nm_ask_reason, pattern=r"^nm:r$"),
                         CallbackQueryHandler(nm_preview_date, pattern=r"^nm:ch$"),
                         MessageHandler(other, want_button)],
            NM_REASON: [MessageHandler(text, nm_reason), MessageHandler(other, want_text)],
        },
        fallbacks=[CommandHandler("cancel", cancel_flow(FLOW)),
                   CallbackQueryHandler(cancel_flow(FLOW), pattern=r"^nm:q$")],
    )
