"""``/audit``: the secretariat's trail of changes, on a phone.

One message carries the filters (period, kind of change, person) as buttons, then the entries
page by page (who, when in the province's time zone, what, before → after) and an export of
the filtered entries as CSV and XLSX documents. The filters travel in the callback data
(``au:<view>:<period>:<kind>:<person>[:<extra>]``, well under 64 bytes), so the buttons keep
working after a restart; being user input, they are parsed strictly and the scope is checked
again by the service on every press.
"""

from __future__ import annotations

import html

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.domain.permissions import Permission, allowed
from bot.handlers.base import (
    KurulContext,
    answer,
    buttons,
    command_entry,
    edit_or_send,
    local_date,
    paged,
    send,
)
from bot.handlers.labels import refusal_text
from bot.i18n import Translator
from bot.services import audit as service
from bot.services.audit import Filters, Kind, Period
from bot.services.errors import ServiceError


def _encode(view: str, filters: Filters, extra: str = "") -> str:
    kind = filters.kind.value if filters.kind else "-"
    actor = str(filters.actor_id) if filters.actor_id is not None else "-"
    data = f"au:{view}:{filters.period.value}:{kind}:{actor}"
    return f"{data}:{extra}" if extra else data


def _decode(data: str) -> tuple[str, Filters, str] | None:
    parts = data.split(":")
    if len(parts) not in (5, 6) or parts[0] != "au":
        return None
    try:
        period = Period(parts[2])
        kind = None if parts[3] == "-" else Kind(parts[3])
        actor = None if parts[4] == "-" else int(parts[4])
    except ValueError:
        return None
    return parts[1], Filters(period, kind, actor), parts[5] if len(parts) == 6 else ""


async def _actor_name(ctx: KurulContext, filters: Filters) -> str:
    if filters.actor_id is None:
        return ctx.t("Anyone")
    person = await ctx.store.people.get(filters.actor_id)
    return person.full_name if person and person.full_name else ctx.t("an erased person")


def _kind_label(t: Translator, kind: Kind | None) -> str:
    return t(service.KIND_LABELS[kind]) if kind else t("All kinds")


async def _menu(update: Update, ctx: KurulContext, filters: Filters, new: bool = False) -> None:
    _ = ctx.t
    found = await service.query(ctx.store, ctx.clock, ctx.grants, filters)
    total = await ctx.store.audit.count(found)
    text = "\n".join([
        _("<b>Audit trail</b>"),
        _("Period: {period}").format(period=_(service.PERIOD_LABELS[filters.period])),
        _("Kind of change: {kind}").format(kind=_kind_label(_, filters.kind)),
        _("Person: {name}").format(name=html.escape(await _actor_name(ctx, filters))),
        "",
        _.ngettext("{n} entry.", "{n} entries.", total).format(n=total),
    ])
    markup = buttons([
        [(_("Period"), _encode("p", filters)), (_("Kind"), _encode("k", filters)),
         (_("Person"), _encode("a", filters))],
        [(_("Show entries"), _encode("l", filters, "0"))],
        [(_("Export CSV"), _encode("x", filters, "csv")),
         (_("Export XLSX"), _encode("x", filters, "xlsx"))],
    ])
    if new:
        await send(update, ctx, text, markup, parse_mode="HTML")
    else:
        await edit_or_send(update, ctx, text, markup, parse_mode="HTML")


async def audit_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    if not allowed(Permission.VIEW_AUDIT, ctx.grants):
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return
    await _menu(update, ctx, Filters(), new=True)


def _entry_text(t: Translator, line: service.Line) -> str:
    lines = [f"<b>{line.when}</b> · {html.escape(line.who)}",
             f"{html.escape(line.what)} ({html.escape(line.subject)})"]
    for change in line.changes:
        arrow = f"{html.escape(change.before)} → {html.escape(change.after)}"
        lines.append(f"   {html.escape(change.field)}: {arrow}" if change.field
                     else f"   {arrow}")
    return "\n".join(lines)


async def _list(update: Update, ctx: KurulContext, filters: Filters, number: int) -> None:
    _ = ctx.t
    found = await service.page(ctx.store, ctx.clock, ctx.grants, _, filters, number)
    back = (_("Back to filters"), _encode("m", filters))
    if not found.lines:
        await edit_or_send(update, ctx, _("No change matches these filters."),
                           buttons([[back]]))
        return
    head = _("<b>Audit trail</b>, page {page} of {pages} ({n} entries)").format(
        page=found.page + 1, pages=found.pages, n=found.total)
    text = "\n\n".join([head, *(_entry_text(_, line) for line in found.lines)])
    nav = []
    if found.page > 0:
        nav.append(("◀ " + _("Previous"), _encode("l", filters, str(found.page - 1))))
    if found.page < found.pages - 1:
        nav.append((_("Next") + " ▶", _encode("l", filters, str(found.page + 1))))
    rows = [nav] if nav else []
    rows += [[back], [(_("Export CSV"), _encode("x", filters, "csv")),
                      (_("Export XLSX"), _encode("x", filters, "xlsx"))]]
    await edit_or_send(update, ctx, text[:4000], buttons(rows), parse_mode="HTML")


async def _pick_period(update: Update, ctx: KurulContext, filters: Filters) -> None:
    _ = ctx.t
    rows = [[(_(service.PERIOD_LABELS[p]),
              _encode("m", Filters(p, filters.kind, filters.actor_id)))] for p in Period]
    rows.append([(_("Back to filters"), _encode("m", filters))])
    await edit_or_send(update, ctx, _("Which period?"), buttons(rows))


async def _pick_kind(update: Update, ctx: KurulContext, filters: Filters) -> None:
    _ = ctx.t
    choices: list[Kind | None] = [None, *Kind]
    rows = [[(_kind_label(_, k), _encode("m", Filters(filters.period, k, filters.actor_id)))]
            for k in choices]
    rows.append([(_("Back to filters"), _encode("m", filters))])
    await edit_or_send(update, ctx, _("Which kind of change?"), buttons(rows))


async def _pick_actor(update: Update, ctx: KurulContext, filters: Filters, number: int) -> None:
    _ = ctx.t
    people = await service.actors(ctx.store, ctx.clock, ctx.grants, filters)
    items = [(f"{name} ({n})", _encode("m", Filters(filters.period, filters.kind, pid)))
             for pid, name, n in people]
    markup = paged(items, number, _encode("a", filters), _, extra=[
        (_("Anyone"), _encode("m", Filters(filters.period, filters.kind))),
        (_("Back to filters"), _encode("m", filters)),
    ])
    text = _("Whose changes?") if items else _("Nobody made changes in this period.")
    await edit_or_send(update, ctx, text, markup)


async def _export(update: Update, ctx: KurulContext, filters: Filters, extension: str) -> None:
    _ = ctx.t
    made = await service.export_file(ctx.store, ctx.clock, ctx.grants, _, filters,
                                     service.Format(extension))
    chat = update.effective_chat
    assert chat is not None
    if not made.count:
        await send(update, ctx, _("No change matches these filters."))
        return
    day = f"{local_date(ctx, ctx.clock.now()):%Y-%m-%d}"
    await ctx.bot.send_document(
        chat.id, InputFile(made.content, filename=made.filename(day)),
        caption=_.ngettext("Audit trail: {n} entry.", "Audit trail: {n} entries.",
                           made.count).format(n=made.count))


async def audit_button(update: Update, ctx: KurulContext) -> None:
    query = update.callback_query
    decoded = _decode(query.data or "") if query else None
    if decoded is None:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return
    view, filters, extra = decoded
    await answer(update, ctx)
    try:
        if view == "m":
            await _menu(update, ctx, filters)
        elif view == "p":
            await _pick_period(update, ctx, filters)
        elif view == "k":
            await _pick_kind(update, ctx, filters)
        elif view == "a":
            await _pick_actor(update, ctx, filters, int(extra) if extra.isdigit() else 0)
        elif view == "l":
            await _list(update, ctx, filters, int(extra) if extra.isdigit() else 0)
        elif view == "x" and extra in ("csv", "xlsx"):
            await _export(update, ctx, filters, extra)
        else:
            await send(update, ctx, ctx.t("This button is no longer active."))
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))


def audit_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        *command_entry("audit", audit_command),
        CallbackQueryHandler(audit_button, pattern=r"^au:"),
    ]
