"""``/broadcast`` (the secretariat's message to an audience) and ``/deliveries`` (reports).

``/broadcast``: choose the audience (a council's members, its liaison officers, its linked
Telegram group (the preview warns that a group is not private), or, for the provincial
directorate, everyone in the province) → type the text (at most 3,500 characters;
anything but text is refused with an explanation) → a preview exactly as recipients will see
it, with the number of recipients → "Send". The preview message then becomes the live progress
(edited in place by ``bot.notify.progress``, never one message per recipient) and the delivery
report follows when everyone is settled. The message itself is queued in the outbox and sent
by the notification sender, so a restart in the middle loses nobody.

``/deliveries``: the latest notices and reminders of the councils the secretariat serves, with
how many were delivered, are pending, could not be reached or failed; a button per notice for
the names; and everyone who cannot be reached, once, with what to ask them to do.
"""

from __future__ import annotations

import html
import secrets
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.domain.models import Council
from bot.domain.permissions import Permission, allowed
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
    guarded,
    int_part,
    paged,
    remember_prompt,
    send,
    text_of,
    want_button,
)
from bot.handlers.labels import council_label, problem_text, refusal_text
from bot.i18n import N_, Translator, translator
from bot.notify.engine import notifier_of
from bot.notify.kinds import (
    KINDS,
    START_AGAIN,
    RenderInput,
    audience_label,
    person_line,
    reason_label,
    render_broadcast,
    report_lines,
)
from bot.services import broadcast as service
from bot.services import deliveries
from bot.services import groups as groups_service
from bot.services.errors import ServiceError
from bot.store.outbox import NoticeStats, State

FLOW = "broadcast"
B_AUDIENCE, B_COUNCIL, B_TEXT, B_CONFIRM = ("bc_audience", "bc_council", "bc_text", "bc_confirm")


def _cancel(ctx: KurulContext) -> list[tuple[str, str]]:
    return cancel_row(ctx, "bc:x")


async def _prompt(update: Update, ctx: KurulContext, text: str,
                  markup: InlineKeyboardMarkup | None = None, new: bool = False) -> None:
    message = (await send(update, ctx, text, markup, parse_mode="HTML") if new
               else await edit_or_send(update, ctx, text, markup, parse_mode="HTML"))
    remember_prompt(ctx.draft(FLOW), message)


# --- /broadcast ---------------------------------------------------------------------------------


async def start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    councils = await service.councils(ctx.store, ctx.grants)
    provinces = await service.provinces(ctx.store, ctx.grants)
    if not councils and not provinces:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return END
    ctx.drop_draft(FLOW)
    ctx.draft(FLOW)["id"] = secrets.token_hex(6)
    rows: list[list[tuple[str, str]]] = []
    if councils:
        rows.append([(ctx.t("Members of a council"), "bc:a:members")])
        rows.append([(ctx.t("Liaison officers of a council"), "bc:a:liaison")])
    if await groups_service.linked_councils(ctx.store, ctx.grants):
        rows.append([(ctx.t("A council's Telegram group"), "bc:a:group")])
    for province in provinces:
        rows.append([(ctx.t("Everyone in {province}").format(province=province.name),
                      f"bc:p:{province.id}")])
    rows.append(_cancel(ctx))
    await _prompt(update, ctx, ctx.t("Who should receive the message?"), buttons(rows),
                  new=True)
    return B_AUDIENCE


def _council_items(ctx: KurulContext, councils: list[Council]) -> list[tuple[str, str]]:
    return [(council_label(ctx.t, c), f"bc:c:{c.id}") for c in councils]


async def _councils_for(ctx: KurulContext) -> list[Council]:
    """The councils to choose from: for a group, those with a linked group."""
    if ctx.draft(FLOW).get("audience") == service.Audience.GROUP.value:
        return [c for c, _link in await groups_service.linked_councils(ctx.store, ctx.grants)]
    return await service.councils(ctx.store, ctx.grants)


@guarded(FLOW, B_AUDIENCE)
async def audience_chosen(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    parts = data_parts(update)
    if parts[1] == "p":
        provinces = await service.provinces(ctx.store, ctx.grants)
        if int_part(update, 2) not in {p.id for p in provinces}:
            await send(update, ctx, ctx.t("You are not authorised to do this."))
            return B_AUDIENCE
        draft.update(audience=service.Audience.PROVINCE.value, province=int_part(update, 2),
                     council=None)
        return await _ask_text(update, ctx)
    draft.update(audience=parts[2], province=None)
    councils = await _councils_for(ctx)
    if not councils:
        await answer(update, ctx, ctx.t("This button is no longer valid."), alert=True)
        return B_AUDIENCE
    if len(councils) == 1:
        draft["council"] = councils[0].id
        return await _ask_text(update, ctx)
    await _prompt(update, ctx, ctx.t("Which council?"),
                  paged(_council_items(ctx, councils), 0, "bc:cp", ctx.t, _cancel(ctx)))
    return B_COUNCIL


@guarded(FLOW, B_COUNCIL)
async def council_page(update: Update, ctx: KurulContext) -> str | int:
    councils = await _councils_for(ctx)
    await _prompt(update, ctx, ctx.t("Which council?"),
                  paged(_council_items(ctx, councils), int_part(update, 2) or 0, "bc:cp",
                        ctx.t, _cancel(ctx)))
    return B_COUNCIL


@guarded(FLOW, B_COUNCIL)
async def council_chosen(update: Update, ctx: KurulContext) -> str | int:
    council_id = int_part(update, 2)
    if council_id not in {c.id for c in await _councils_for(ctx)}:
        await answer(update, ctx, ctx.t("You are not authorised to do this."), alert=True)
        return B_COUNCIL
    ctx.draft(FLOW)["council"] = council_id
    return await _ask_text(update, ctx)


async def _target(ctx: KurulContext) -> service.BroadcastTarget:
    draft = ctx.draft(FLOW)
    return await service.target(ctx.store, ctx.grants, service.Audience(draft["audience"]),
                                draft.get("council"), draft.get("province"))


async def _ask_text(update: Update, ctx: KurulContext) -> str | int:
    try:
        chosen = await _target(ctx)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return END
    text = "\n".join([
        ctx.t("To: {audience}").format(
            audience=html.escape(audience_label(ctx.t, chosen.payload()))),
        ctx.t("Type the message, at most {limit} characters. It is sent as you write it.")
        .format(limit=f"{service.MAX_BROADCAST:,}".replace(",", ".")),
    ])
    await _prompt(update, ctx, text, buttons([_cancel(ctx)]))
    return B_TEXT


async def text_received(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    try:
        draft["text"] = service.clean_message(text_of(update))
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return B_TEXT
    return await _preview(update, ctx)


async def not_text(update: Update, ctx: KurulContext) -> str:
    await send(update, ctx, ctx.t(
        "Only text can be broadcast: please type the message (photos, files, stickers and "
        "voice messages are not sent)."))
    return B_TEXT


async def _preview(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    try:
        chosen = await _target(ctx)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return END
    assert ctx.person is not None
    payload = {**chosen.payload(), "text": draft["text"]}
    if chosen.audience is service.Audience.GROUP:
        return await _group_preview(update, ctx, chosen, payload)
    people = await service.addressees(ctx.store, chosen, ctx.person.id)
    count = len(people)
    shown = render_broadcast(RenderInput(payload, {}, ctx.t)).text
    head = [
        ctx.t("<b>Preview</b> — this is what they will receive:"),
        ctx.t.ngettext("To: {audience} — {n} person", "To: {audience} — {n} people",
                       count).format(audience=html.escape(audience_label(ctx.t, payload)),
                                     n=count),
    ]
    rows: list[list[tuple[str, str]]] = []
    if count:
        rows.append([(ctx.t.ngettext("✅ Send to {n} person", "✅ Send to {n} people", count)
                      .format(n=count), "bc:ok")])
    else:
        head.append(ctx.t("Nobody in this audience is registered in the bot yet."))
    rows.append([(ctx.t("✏️ Change the text"), "bc:edit")])
    rows.append(_cancel(ctx))
    await _prompt(update, ctx, "\n".join(head) + "\n\n" + shown, buttons(rows), new=True)
    return B_CONFIRM


async def _group_preview(update: Update, ctx: KurulContext, chosen: service.BroadcastTarget,
                         payload: dict[str, object]) -> str | int:
    """The group is not private: the preview says so before anything is sent."""
    try:
        link = await service.group_of(ctx.store, chosen)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return END
    # The group reads it in Turkish: show it as it will arrive there.
    shown = render_broadcast(RenderInput(payload, {}, translator(groups_service.GROUP_LOCALE)))
    head = [
        ctx.t("<b>Preview</b> — this is what the group will see:"),
        ctx.t("To: {audience} — “{title}”").format(
            audience=html.escape(audience_label(ctx.t, payload)), title=html.escape(link.title)),
        ctx.t("⚠️ A group is not private: everyone in it reads this, council members or not. "
              "Write nothing personal (names, phone numbers, health or family matters)."),
    ]
    rows = [[(ctx.t("✅ Send to the group"), "bc:ok")],
            [(ctx.t("✏️ Change the text"), "bc:edit")], _cancel(ctx)]
    await _prompt(update, ctx, "\n".join(head) + "\n\n" + shown.text, buttons(rows), new=True)
    return B_CONFIRM


@guarded(FLOW, B_CONFIRM)
async def change_text(update: Update, ctx: KurulContext) -> str | int:
    return await _ask_text(update, ctx)


@guarded(FLOW, B_CONFIRM)
async def confirm(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    query = update.callback_query
    chat = update.effective_chat
    assert ctx.person is not None and query is not None and chat is not None
    message_id = query.message.message_id if query.message is not None else None
    try:
        queued = await service.queue(
            ctx.store, ctx.clock, ctx.grants, ctx.person.id, str(draft["id"]),
            service.Audience(draft["audience"]), str(draft.get("text", "")),
            council_id=draft.get("council"), province_id=draft.get("province"),
            report_chat_id=chat.id, report_message_id=message_id)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return END
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return B_TEXT
    ctx.drop_draft(FLOW)
    if not queued.created:
        await send(update, ctx, ctx.t("This message is already being sent."))
        return END
    notice = queued.notice
    text = "\n".join([
        ctx.t("📤 <b>Sending</b>: {audience}").format(
            audience=html.escape(audience_label(ctx.t, notice.payload))),
        ctx.t.ngettext("Queued for {n} person. I will update this message as it goes.",
                       "Queued for {n} people. I will update this message as it goes.",
                       queued.recipients).format(n=queued.recipients),
    ])
    await edit_or_send(update, ctx, text, None, parse_mode="HTML")
    notifier_of(ctx.application).queued()
    return END


def build_broadcast_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    return conversation(
        name="broadcast",
        entry_points=command_entry("broadcast", start),
        states={
            B_AUDIENCE: [CallbackQueryHandler(audience_chosen,
                                              pattern=r"^bc:a:(members|liaison|group)$"),
                         CallbackQueryHandler(audience_chosen, pattern=r"^bc:p:\d+$"),
                         MessageHandler(other, want_button)],
            B_COUNCIL: [CallbackQueryHandler(council_chosen, pattern=r"^bc:c:\d+$"),
                        CallbackQueryHandler(council_page, pattern=r"^bc:cp:\d+$"),
                        MessageHandler(other, want_button)],
            B_TEXT: [MessageHandler(text, text_received), MessageHandler(other, not_text)],
            B_CONFIRM: [CallbackQueryHandler(confirm, pattern=r"^bc:ok$"),
                        CallbackQueryHandler(change_text, pattern=r"^bc:edit$"),
                        MessageHandler(other, want_button)],
        },
        fallbacks=[CommandHandler("cancel", cancel_flow(FLOW)),
                   CallbackQueryHandler(cancel_flow(FLOW), pattern=r"^bc:x$")],
    )


# --- /deliveries --------------------------------------------------------------------------------

COUNT_LABELS = (
    (State.SENT, N_("✅ {n} delivered")),
    (State.QUEUED, N_("⏳ {n} pending")),
    (State.UNREACHABLE, N_("🚫 {n} not reachable")),
    (State.FAILED, N_("❌ {n} failed")),
    (State.SKIPPED, N_("➖ {n} no longer relevant")),
)


def _counts(t: Translator, stats: NoticeStats) -> str:
    parts = []
    for state, label in COUNT_LABELS:
        n = stats.pending if state is State.QUEUED else stats.count(state)
        if n or state is State.SENT:
            parts.append(t(label).format(n=n))
    return " · ".join(parts)


def _title(ctx: KurulContext, stats: NoticeStats) -> str:
    notice = stats.notice
    kind = KINDS.get(notice.kind)
    when = notice.created_at.astimezone(ZoneInfo(ctx.settings.timezone))
    title = kind.title(notice.payload, ctx.t) if kind is not None else notice.kind
    return f"{ctx.t.short_date(when.date())} {ctx.t.time(when)} · {title}"


async def deliveries_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    _ = ctx.t
    if not allowed(Permission.VIEW_DELIVERIES, ctx.grants):
        await send(update, ctx, _("You are not authorised to do this."))
        return
    view = await deliveries.overview(ctx.store, ctx.grants)
    if not view.notices:
        await send(update, ctx, _("No notice or reminder has been sent yet."))
        return
    lines = [_("<b>Recent notices and reminders</b>")]
    row: list[tuple[str, str]] = []
    rows: list[list[tuple[str, str]]] = []
    for n, stats in enumerate(view.notices, start=1):
        lines += ["", f"{n}. " + html.escape(_title(ctx, stats)), "    " + _counts(_, stats)]
        row.append((str(n), f"dlv:n:{stats.notice.id}"))
        if len(row) == 4:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    if view.unreachable:
        lines += ["", _("<b>Not reachable</b>:")]
        lines += ["• " + person_line(u.full_name, u.title) + " — "
                  + html.escape(reason_label(_, u.reason)) for u in view.unreachable]
        lines.append(_(START_AGAIN))
    lines += ["", _("Press a number for the names.")]
    await send(update, ctx, "\n".join(lines), buttons(rows), parse_mode="HTML")


async def delivery_details(update: Update, ctx: KurulContext) -> None:
    notice_id = int_part(update, 2)
    try:
        data = await deliveries.notice_report(ctx.store, ctx.grants, notice_id or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return
    await answer(update, ctx)
    _ = ctx.t
    lines = ["<b>" + html.escape(_title(ctx, data.stats)) + "</b>", ""]
    lines += report_lines(_, data.payload())
    if data.pending:
        lines += ["", _("<b>Waiting to be sent ({n}):</b>").format(n=data.stats.pending)]
        lines += ["• " + person_line(name, title) for name, title, _reason in data.pending[:30]]
    await send(update, ctx, "\n".join(lines), parse_mode="HTML")


def deliveries_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        *command_entry("deliveries", deliveries_command),
        CallbackQueryHandler(delivery_details, pattern=r"^dlv:n:\d+$"),
    ]
