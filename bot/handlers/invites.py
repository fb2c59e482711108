"""Invitations: ``/invite`` (council → role → institution → link) and ``/invites`` (list, revoke).

The secretariat invites anyone; a member may invite only a deputy for their own institution,
and a deputy no one (Art. 9(2)). What a person may choose is offered as buttons, and checked
again by the service when the link is made, since callback data can be forged.
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

from bot.domain.models import INSTITUTION_ROLES, Council, Rank, RoleKind
from bot.domain.permissions import Permission
from bot.handlers.base import (
    END,
    KurulContext,
    answer,
    buttons,
    cancel_flow,
    command_entry,
    conversation,
    data_parts,
    edit_or_send,
    int_part,
    is_stale,
    local_date,
    paged,
    remember_prompt,
    send,
    want_button,
)
from bot.handlers.labels import council_label, refusal_text, role_label
from bot.services import invites
from bot.services.access import reachable_councils
from bot.services.errors import Refusal, ServiceError

FLOW = "invite"
COUNCIL, ROLE, INSTITUTION = "inv_council", "inv_role", "inv_institution"


async def _councils(ctx: KurulContext) -> list[Council]:
    found = await reachable_councils(ctx.store, ctx.grants, Permission.INVITE)
    for council in await reachable_councils(ctx.store, ctx.grants, Permission.INVITE_DEPUTY):
        if council.id not in {c.id for c in found}:
            found.append(council)
    return found


async def start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    councils = await _councils(ctx)
    if not councils:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return END
    ctx.drop_draft(FLOW)
    draft = ctx.draft(FLOW)
    if len(councils) == 1:
        draft["council"] = councils[0].id
        return await _ask_role(update, ctx, councils[0])
    items = [(council_label(ctx.t, c), f"inv:c:{c.id}") for c in councils]
    prompt = await send(update, ctx, ctx.t("Invite to which council?"),
                        paged(items, 0, "inv:cp", ctx.t, [(ctx.t("Cancel"), "inv:x")]))
    remember_prompt(draft, prompt)
    return COUNCIL


async def council_page(update: Update, ctx: KurulContext) -> str:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        return await _stale(update, ctx, COUNCIL)
    await answer(update, ctx)
    councils = await _councils(ctx)
    items = [(council_label(ctx.t, c), f"inv:c:{c.id}") for c in councils]
    await edit_or_send(update, ctx, ctx.t("Invite to which council?"),
                       paged(items, int_part(update, 2) or 0, "inv:cp", ctx.t,
                             [(ctx.t("Cancel"), "inv:x")]))
    return COUNCIL


async def council_chosen(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        return await _stale(update, ctx, COUNCIL)
    council_id = int_part(update, 2)
    council = next((c for c in await _councils(ctx) if c.id == council_id), None)
    if council is None:
        await answer(update, ctx, ctx.t("You are not authorised to do this."), alert=True)
        return COUNCIL
    await answer(update, ctx)
    draft["council"] = council.id
    return await _ask_role(update, ctx, council)


def _role_code(kind: RoleKind, rank: Rank | None) -> str:
    return f"{kind.value}.{rank.value}" if rank else kind.value


def _parse_role(code: str) -> tuple[RoleKind, Rank | None] | None:
    kind, _, rank = code.partition(".")
    try:
        return RoleKind(kind), Rank(rank) if rank else None
    except ValueError:
        return None


async def _role_options(ctx: KurulContext, council: Council) -> list[tuple[RoleKind, Rank | None]]:
    options = invites.role_options(council, ctx.grants)
    for grant in ctx.grants:
        if grant.council_id == council.id and grant.institution_id is not None:
            for option in invites.role_options(council, ctx.grants, grant.institution_id):
                if option not in options:
                    options.append(option)
    return options


async def _ask_role(update: Update, ctx: KurulContext, council: Council) -> str:
    options = await _role_options(ctx, council)
    rows = [[(role_label(ctx.t, k, r), f"inv:r:{_role_code(k, r)}")] for k, r in options]
    rows.append([(ctx.t("Cancel"), "inv:x")])
    prompt = await edit_or_send(update, ctx, ctx.t("{council}\nInvite as what?").format(
        council=council_label(ctx.t, council)), buttons(rows))
    remember_prompt(ctx.draft(FLOW), prompt)
    return ROLE


async def role_chosen(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        return await _stale(update, ctx, ROLE)
    council = await ctx.store.councils.council(draft.get("council", 0))
    parsed = _parse_role(data_parts(update)[-1])
    if council is None or parsed is None or parsed not in await _role_options(ctx, council):
        await answer(update, ctx, ctx.t("You are not authorised to do this."), alert=True)
        return ROLE
    await answer(update, ctx)
    kind, rank = parsed
    draft["role"] = _role_code(kind, rank)
    if kind not in INSTITUTION_ROLES:
        return await _create(update, ctx, None)
    return await _ask_institution(update, ctx, council, 0)


async def _institution_items(ctx: KurulContext, council: Council) -> list[tuple[str, str]]:
    parsed = _parse_role(ctx.draft(FLOW).get("role", ""))
    assert parsed is not None
    institutions = await ctx.store.councils.institutions(invites.institution_council(council))
    return [
        (i.name, f"inv:i:{i.id}") for i in institutions
        if parsed in invites.role_options(council, ctx.grants, i.id)
    ]


async def _ask_institution(
    update: Update, ctx: KurulContext, council: Council, page: int
) -> str | int:
    items = await _institution_items(ctx, council)
    if len(items) == 1:  # a member inviting their deputy: only their own institution
        return await _create(update, ctx, int(items[0][1].rsplit(":", 1)[1]))
    prompt = await edit_or_send(update, ctx, ctx.t("For which institution?"),
                                paged(items, page, "inv:ip", ctx.t, [(ctx.t("Cancel"), "inv:x")]))
    remember_prompt(ctx.draft(FLOW), prompt)
    return INSTITUTION


async def institution_page(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        return await _stale(update, ctx, INSTITUTION)
    await answer(update, ctx)
    council = await ctx.store.councils.council(draft.get("council", 0))
    if council is None:
        return await _stale(update, ctx, INSTITUTION)
    return await _ask_institution(update, ctx, council, int_part(update, 2) or 0)


async def institution_chosen(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        return await _stale(update, ctx, INSTITUTION)
    await answer(update, ctx)
    return await _create(update, ctx, int_part(update, 2))


async def _create(update: Update, ctx: KurulContext, institution_id: int | None) -> str | int:
    draft = ctx.draft(FLOW)
    parsed = _parse_role(draft.get("role", ""))
    assert parsed is not None and ctx.person is not None
    kind, rank = parsed
    _ = ctx.t
    try:
        made = await invites.create_invite(
            ctx.store, ctx.clock, ctx.grants, ctx.person.id, draft["council"], kind, rank,
            institution_id, ctx.settings.invite_ttl_days,
        )
    except ServiceError as error:
        await answer(update, ctx, refusal_text(_, error), alert=True)
        return INSTITUTION if institution_id is not None else ROLE
    view = made.view
    link = invites.deep_link(ctx.runtime.bot_username, made.token)
    where = council_label(_, view.council)
    if view.institution is not None:
        where += " — " + view.institution.name
    await edit_or_send(update, ctx, "\n".join([
        _("<b>Invitation ready</b>"),
        _("Role: {role}").format(role=html.escape(role_label(_, kind, rank))),
        _("Where: {where}").format(where=html.escape(where)),
        _("Valid until: {date}").format(date=_.date(local_date(ctx, view.invite.expires_at))),
        "",
        _("Send this link to the person; it works once:"),
        link,
    ]), parse_mode="HTML")
    ctx.drop_draft(FLOW)
    return END


async def _stale(update: Update, ctx: KurulContext, state: str) -> str:
    await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
    return state


cancel = cancel_flow(FLOW)



# --- /invites -------------------------------------------------------------------------------

async def list_invites(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    _ = ctx.t
    try:
        views = await invites.open_invites(ctx.store, ctx.clock, ctx.grants)
    except ServiceError as error:
        await send(update, ctx, refusal_text(_, error))
        return
    if not views:
        await send(update, ctx, _("There are no open invitations."))
        return
    lines = [_("<b>Open invitations</b>")]
    rows = []
    for n, view in enumerate(views, start=1):
        where = council_label(_, view.council)
        if view.institution is not None:
            where += " — " + view.institution.name
        lines.append(_("{n}. {role}, {where} (until {date})").format(
            n=n, role=html.escape(role_label(_, view.invite.role_kind, view.invite.rank)),
            where=html.escape(where), date=_.short_date(local_date(ctx, view.invite.expires_at))))
        rows.append([(_("Revoke {n}").format(n=n), f"invrev:{view.invite.id}")])
    await send(update, ctx, "\n".join(lines), buttons(rows), parse_mode="HTML")


async def revoke(update: Update, ctx: KurulContext) -> None:
    _ = ctx.t
    invite_id = int_part(update, 1)
    assert ctx.person is not None
    try:
        if invite_id is None:
            raise ServiceError(Refusal.INVITE_UNKNOWN)
        await invites.revoke_invite(ctx.store, ctx.clock, ctx.grants, ctx.person.id, invite_id)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(_, error), alert=True)
        return
    await answer(update, ctx, _("Invitation revoked."))
    await list_invites(update, ctx)


def build_invite_conversation() -> ConversationHandler[KurulContext]:
    not_command = ~f.COMMAND
    return conversation(
        name="invite",
        entry_points=command_entry("invite", start),
        states={
            COUNCIL: [
                CallbackQueryHandler(council_chosen, pattern=r"^inv:c:"),
                CallbackQueryHandler(council_page, pattern=r"^inv:cp:"),
                MessageHandler(not_command, want_button),
            ],
            ROLE: [
                CallbackQueryHandler(role_chosen, pattern=r"^inv:r:"),
                MessageHandler(not_command, want_button),
            ],
            INSTITUTION: [
                CallbackQueryHandler(institution_chosen, pattern=r"^inv:i:"),
                CallbackQueryHandler(institution_page, pattern=r"^inv:ip:"),
                MessageHandler(not_command, want_button),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(cancel, pattern=r"^inv:x$"),
        ],
    )


def invite_list_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        *command_entry("invites", list_invites),
        CallbackQueryHandler(revoke, pattern=r"^invrev:\d+$"),
    ]
