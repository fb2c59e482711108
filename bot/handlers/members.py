"""``/members``: a council's institutions and who sits for them; ``/promote``: a substitute
liaison officer becomes the principal.

Member lists carry names, titles and phone numbers: they are shown only in private chats (the
gate) and only to the secretariat and the chair (Permission.VIEW_MEMBERS).
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.domain.models import Council, Person
from bot.domain.permissions import Permission
from bot.domain.validation import display_phone
from bot.handlers.base import (
    END,
    KurulContext,
    answer,
    buttons,
    cancel_flow,
    command_entry,
    conversation,
    edit_or_send,
    int_part,
    is_stale,
    paged,
    remember_prompt,
    send,
    want_button,
)
from bot.handlers.labels import council_label, refusal_text
from bot.i18n import Translator
from bot.services import members, registration
from bot.services.access import reachable_councils
from bot.services.errors import ServiceError

MESSAGE_LIMIT = 3900  # Telegram allows 4096 characters; leave room for markup


def _person(t: Translator, person: Person | None) -> str:
    if person is None:
        return "<i>" + html.escape(t("nobody registered")) + "</i>"
    name, title = html.escape(person.full_name), html.escape(person.title)
    return f"{name}, {title}, {display_phone(person.phone)}"


def render_roster(t: Translator, roster: members.Roster) -> list[str]:
    """The roster as one or more messages, split between institutions."""
    kind = roster.council.kind
    head = ["<b>" + html.escape(council_label(t, roster.council)) + "</b>"]
    head.append(t("Chair: {people}").format(
        people="; ".join(_person(t, p) for p in roster.chair) or _person(t, None)))
    head.append(t("Secretariat: {people}").format(
        people="; ".join(_person(t, p) for p in roster.secretariat) or _person(t, None)))
    blocks: list[str] = ["\n".join(head)]
    for n, row in enumerate(roster.rows, start=1):
        lines = [f"<b>{n}. {html.escape(row.institution.name)}</b>"]
        if kind.value != "subcommission":
            lines.append("  " + t("Member: {person}").format(person=_person(t, row.member)))
            if row.deputy is not None:
                lines.append("  " + t("Deputy: {person}").format(person=_person(t, row.deputy)))
        lines.append("  " + t("Liaison officer (principal): {person}").format(
            person=_person(t, row.principal)))
        lines.append("  " + t("Liaison officer (substitute): {person}").format(
            person=_person(t, row.substitute)))
        blocks.append("\n".join(lines))
    if roster.invitees:
        blocks.append(t("Invitees: {people}").format(
            people="; ".join(_person(t, p) for p in roster.invitees)))
    missing = roster.missing_count
    blocks.append(t.ngettext(
        "{n} institution still has an empty seat.",
        "{n} institutions still have empty seats.", missing).format(n=missing)
        if missing else t("Every seat is filled."))
    messages, current = [], ""
    for block in blocks:
        if current and len(current) + len(block) + 2 > MESSAGE_LIMIT:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    messages.append(current)
    return messages


async def members_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    councils = await reachable_councils(ctx.store, ctx.grants, Permission.VIEW_MEMBERS)
    if not councils:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return
    if len(councils) == 1:
        await _show(update, ctx, councils[0].id)
        return
    items = [(council_label(ctx.t, c), f"mem:c:{c.id}") for c in councils]
    await send(update, ctx, ctx.t("Which council?"), paged(items, 0, "mem:p", ctx.t))


async def members_page(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    councils = await reachable_councils(ctx.store, ctx.grants, Permission.VIEW_MEMBERS)
    items = [(council_label(ctx.t, c), f"mem:c:{c.id}") for c in councils]
    await edit_or_send(update, ctx, ctx.t("Which council?"),
                       paged(items, int_part(update, 2) or 0, "mem:p", ctx.t))


async def members_chosen(update: Update, ctx: KurulContext) -> None:
    council_id = int_part(update, 2)
    if council_id is None:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return
    await answer(update, ctx)
    await _show(update, ctx, council_id)


async def _show(update: Update, ctx: KurulContext, council_id: int) -> None:
    try:
        roster = await members.roster(ctx.store, ctx.grants, council_id)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return
    for text in render_roster(ctx.t, roster):
        await send(update, ctx, text, parse_mode="HTML")


# --- /promote -------------------------------------------------------------------------------

FLOW = "promote"
P_COUNCIL, P_INSTITUTION, P_CONFIRM = "pro_council", "pro_institution", "pro_confirm"


async def _promotable_councils(ctx: KurulContext) -> list[Council]:
    councils = await reachable_councils(ctx.store, ctx.grants, Permission.MANAGE_LIAISONS)
    return [c for c in councils if c.kind.value != "subcommission"]


async def promote_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    councils = await _promotable_councils(ctx)
    if not councils:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return END
    ctx.drop_draft(FLOW)
    items = [(council_label(ctx.t, c), f"pro:c:{c.id}") for c in councils]
    prompt = await send(update, ctx, ctx.t("Which council?"),
                        paged(items, 0, "pro:cp", ctx.t, [(ctx.t("Cancel"), "pro:x")]))
    remember_prompt(ctx.draft(FLOW), prompt)
    return P_COUNCIL


async def promote_council_page(update: Update, ctx: KurulContext) -> str:
    await answer(update, ctx)
    items = [(council_label(ctx.t, c), f"pro:c:{c.id}") for c in await _promotable_councils(ctx)]
    prompt = await edit_or_send(update, ctx, ctx.t("Which council?"), paged(
        items, int_part(update, 2) or 0, "pro:cp", ctx.t, [(ctx.t("Cancel"), "pro:x")]))
    remember_prompt(ctx.draft(FLOW), prompt)
    return P_COUNCIL


async def promote_council(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return P_COUNCIL
    council_id = int_part(update, 2)
    if council_id not in {c.id for c in await _promotable_councils(ctx)}:
        await answer(update, ctx, ctx.t("You are not authorised to do this."), alert=True)
        return P_COUNCIL
    try:
        rows = await members.substitutes_to_promote(ctx.store, ctx.grants, council_id or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        return P_COUNCIL
    await answer(update, ctx)
    draft["council"] = council_id
    if not rows:
        await edit_or_send(update, ctx, ctx.t(
            "No institution of this council has a substitute liaison officer."))
        ctx.drop_draft(FLOW)
        return END
    items = [
        (f"{r.institution.name}: {r.substitute.full_name}", f"pro:i:{r.institution.id}")
        for r in rows if r.substitute is not None
    ]
    prompt = await edit_or_send(update, ctx, ctx.t("Whose substitute becomes the principal?"),
                                paged(items, 0, "pro:ip", ctx.t, [(ctx.t("Cancel"), "pro:x")]))
    remember_prompt(draft, prompt)
    return P_INSTITUTION


async def promote_institution(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return P_INSTITUTION
    await answer(update, ctx)
    institution_id = int_part(update, 2)
    try:  # only an institution the chooser offered: one of the council's with a substitute
        rows = await members.substitutes_to_promote(ctx.store, ctx.grants,
                                                    draft.get("council", 0))
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return P_INSTITUTION
    institution = next((r.institution for r in rows if r.institution.id == institution_id),
                       None)
    if institution is None:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return P_INSTITUTION
    draft["institution"] = institution.id
    prompt = await edit_or_send(update, ctx, ctx.t(
        "{institution}: the substitute liaison officer becomes the principal, and the current "
        "principal's term ends. Confirm?").format(institution=institution.name),
        buttons([[(ctx.t("✅ Confirm"), "pro:ok"), (ctx.t("Cancel"), "pro:x")]]))
    remember_prompt(draft, prompt)
    return P_CONFIRM


async def promote_confirm(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return P_CONFIRM
    assert ctx.person is not None
    try:
        promoted, ended = await registration.promote_substitute(
            ctx.store, ctx.clock, ctx.grants, ctx.person.id, draft.get("institution", 0))
    except ServiceError as error:
        await answer(update, ctx, refusal_text(ctx.t, error), alert=True)
        ctx.drop_draft(FLOW)
        return END
    await answer(update, ctx)
    text = ctx.t("{name} is now the principal liaison officer.").format(name=promoted.full_name)
    if ended is not None:
        text += "\n" + ctx.t("Term ended: {names}.").format(names=ended.full_name)
    await edit_or_send(update, ctx, text)
    ctx.drop_draft(FLOW)
    return END


promote_cancel = cancel_flow(FLOW)



def build_promote_conversation() -> ConversationHandler[KurulContext]:
    not_command = ~f.COMMAND
    return conversation(
        name="promote",
        entry_points=command_entry("promote", promote_start),
        states={
            P_COUNCIL: [CallbackQueryHandler(promote_council, pattern=r"^pro:c:"),
                        CallbackQueryHandler(promote_council_page, pattern=r"^pro:cp:"),
                        MessageHandler(not_command, want_button)],
            P_INSTITUTION: [CallbackQueryHandler(promote_institution, pattern=r"^pro:i:"),
                            MessageHandler(not_command, want_button)],
            P_CONFIRM: [CallbackQueryHandler(promote_confirm, pattern=r"^pro:ok$"),
                        MessageHandler(not_command, want_button)],
        },
        fallbacks=[CommandHandler("cancel", promote_cancel),
                   CallbackQueryHandler(promote_cancel, pattern=r"^pro:x$")],
    )


def member_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        *command_entry("members", members_command),
        CallbackQueryHandler(members_chosen, pattern=r"^mem:c:\d+$"),
        CallbackQueryHandler(members_page, pattern=r"^mem:p:\d+$"),
    ]
