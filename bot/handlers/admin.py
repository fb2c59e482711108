"""The secretariat's set-up in the bot: ``/institutions`` and ``/districts``.

Add, rename and remove a council's institutions; add, rename and remove district councils.
Removing is refused while someone still holds a role there, so no history is orphaned.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.domain.models import Council, CouncilKind
from bot.domain.permissions import Permission
from bot.domain.validation import InvalidInput, clean_text, parse_count
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
from bot.i18n import N_
from bot.services import setup
from bot.services.access import reachable_councils
from bot.services.errors import ServiceError

INST = "institutions"
I_COUNCIL, I_ACTION, I_NAME, I_PICK, I_CONFIRM = (
    "ins_council", "ins_action", "ins_name", "ins_pick", "ins_confirm")
DIST = "districts"
D_ACTION, D_NAME, D_POPULATION, D_BORDER, D_CONFIRM, D_PICK = (
    "dis_action", "dis_name", "dis_population", "dis_border", "dis_confirm", "dis_pick")

_prompt = prompt


# --- /institutions ----------------------------------------------------------------------------

async def _inst_councils(ctx: KurulContext) -> list[Council]:
    councils = await reachable_councils(ctx.store, ctx.grants, Permission.MANAGE_INSTITUTIONS)
    # The sub-commission has no institutions of its own: it is the provincial council's.
    return [c for c in councils if c.kind is not CouncilKind.SUBCOMMISSION]


async def inst_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    councils = await _inst_councils(ctx)
    if not councils:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return END
    ctx.drop_draft(INST)
    if len(councils) == 1:
        ctx.draft(INST)["council"] = councils[0].id
        return await _inst_actions(update, ctx, new=True)
    items = [(council_label(ctx.t, c), f"ins:c:{c.id}") for c in councils]
    await _prompt(update, ctx, INST, ctx.t("Which council?"),
                  paged(items, 0, "ins:cp", ctx.t, cancel_row(ctx, "ins:x")), new=True)
    return I_COUNCIL


@guarded(INST, I_COUNCIL)
async def inst_council_page(update: Update, ctx: KurulContext) -> str | int:
    items = [(council_label(ctx.t, c), f"ins:c:{c.id}") for c in await _inst_councils(ctx)]
    await _prompt(update, ctx, INST, ctx.t("Which council?"),
                  paged(items, int_part(update, 2) or 0, "ins:cp", ctx.t,
                        cancel_row(ctx, "ins:x")))
    return I_COUNCIL


@guarded(INST, I_COUNCIL)
async def inst_council(update: Update, ctx: KurulContext) -> str | int:
    council_id = int_part(update, 2)
    if council_id not in {c.id for c in await _inst_councils(ctx)}:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return I_COUNCIL
    ctx.draft(INST)["council"] = council_id
    return await _inst_actions(update, ctx)


async def _inst_actions(update: Update, ctx: KurulContext, new: bool = False) -> str:
    council = await ctx.store.councils.council(ctx.draft(INST)["council"])
    assert council is not None
    institutions = await ctx.store.councils.institutions(council.id)
    lines = ["<b>" + html.escape(council_label(ctx.t, council)) + "</b>"]
    lines += [f"{n}. {html.escape(i.name)}" for n, i in enumerate(institutions, start=1)]
    markup = buttons([
        [(ctx.t("➕ Add"), "ins:a:add")],
        [(ctx.t("✏️ Rename"), "ins:a:rename"), (ctx.t("🗑 Remove"), "ins:a:remove")],
        cancel_row(ctx, "ins:x"),
    ])
    await _prompt(update, ctx, INST, "\n".join(lines), markup, new=new)
    return I_ACTION


@guarded(INST, I_ACTION)
async def inst_action(update: Update, ctx: KurulContext) -> str | int:
    action = data_parts(update)[-1]
    draft = ctx.draft(INST)
    draft["action"] = action
    if action == "add":
        await send(update, ctx, ctx.t("Type the name of the new institution."))
        return I_NAME
    return await _inst_pick(update, ctx, 0)


async def _inst_pick(update: Update, ctx: KurulContext, page: int) -> str:
    institutions = await ctx.store.councils.institutions(ctx.draft(INST)["council"])
    items = [(i.name, f"ins:i:{i.id}") for i in institutions]
    await _prompt(update, ctx, INST, ctx.t("Which institution?"),
                  paged(items, page, "ins:ip", ctx.t, cancel_row(ctx, "ins:x")))
    return I_PICK


@guarded(INST, I_PICK)
async def inst_pick_page(update: Update, ctx: KurulContext) -> str | int:
    return await _inst_pick(update, ctx, int_part(update, 2) or 0)


@guarded(INST, I_PICK)
async def inst_picked(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(INST)
    institution = await ctx.store.councils.institution(int_part(update, 2) or 0)
    if institution is None or institution.council_id != draft["council"]:
        await send(update, ctx, ctx.t("That record no longer exists. Please start again."))
        return I_PICK
    draft["institution"] = institution.id
    if draft.get("action") == "rename":
        await send(update, ctx, ctx.t("Type the new name for {name}.").format(
            name=institution.name))
        return I_NAME
    await _prompt(update, ctx, INST, ctx.t("Remove {name} from the council?").format(
        name=html.escape(institution.name)),
        buttons([[(ctx.t("🗑 Remove"), "ins:ok")], cancel_row(ctx, "ins:x")]))
    return I_CONFIRM


async def inst_name(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(INST)
    assert ctx.person is not None
    try:
        if draft.get("action") == "rename":
            done = await setup.rename_institution(
                ctx.store, ctx.clock, ctx.grants, draft["council"], draft["institution"],
                text_of(update) or "", ctx.person.id)
            message = ctx.t("Renamed: {name}.").format(name=done.name)
        else:
            done = await setup.add_institution(ctx.store, ctx.clock, ctx.grants,
                                               draft["council"], text_of(update) or "",
                                               ctx.person.id)
            message = ctx.t("Added: {name}.").format(name=done.name)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return I_NAME
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error) + "\n" + ctx.t("Type another name."))
        return I_NAME
    await send(update, ctx, message)
    return await _inst_actions(update, ctx, new=True)


@guarded(INST, I_CONFIRM)
async def inst_remove(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(INST)
    assert ctx.person is not None
    try:
        done = await setup.remove_institution(ctx.store, ctx.clock, ctx.grants, draft["council"],
                                              draft["institution"], ctx.person.id)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return await _inst_actions(update, ctx, new=True)
    await send(update, ctx, ctx.t("Removed: {name}.").format(name=done.name))
    return await _inst_actions(update, ctx, new=True)


# --- /districts -------------------------------------------------------------------------------

async def _province_id(ctx: KurulContext) -> int | None:
    for grant in ctx.grants:
        if grant.kind.value == "secretariat" and grant.council_kind is CouncilKind.PROVINCIAL:
            return grant.province_id
    return None


async def _districts(ctx: KurulContext) -> list[Council]:
    province_id = await _province_id(ctx)
    if province_id is None:
        return []
    councils = await ctx.store.councils.councils_of_province(province_id)
    return [c for c in councils if c.kind is CouncilKind.DISTRICT]


async def dist_start(update: Update, ctx: KurulContext) -> str | int:
    await answer(update, ctx)
    if await _province_id(ctx) is None:
        await send(update, ctx, ctx.t("You are not authorised to do this."))
        return END
    ctx.drop_draft(DIST)
    return await _dist_actions(update, ctx, new=True)


async def _dist_actions(update: Update, ctx: KurulContext, new: bool = False) -> str:
    districts = await _districts(ctx)
    lines = ["<b>" + html.escape(ctx.t("District councils")) + "</b>"]
    for n, d in enumerate(districts, start=1):
        extra = ctx.t("border district") if d.border else ""
        lines.append(ctx.t("{n}. {name} — foreign population {population}{extra}").format(
            n=n, name=html.escape(d.name), population=f"{d.foreign_population:,}".replace(
                ",", "."), extra=f", {extra}" if extra else ""))
    if not districts:
        lines.append(ctx.t("No district council yet."))
    markup = buttons([
        [(ctx.t("➕ Add"), "dis:a:add")],
        [(ctx.t("✏️ Rename"), "dis:a:rename"), (ctx.t("🗑 Remove"), "dis:a:remove")],
        cancel_row(ctx, "dis:x"),
    ])
    await _prompt(update, ctx, DIST, "\n".join(lines), markup, new=new)
    return D_ACTION


@guarded(DIST, D_ACTION)
async def dist_action(update: Update, ctx: KurulContext) -> str | int:
    action = data_parts(update)[-1]
    draft = ctx.draft(DIST)
    draft["action"] = action
    if action == "add":
        await send(update, ctx, ctx.t("Type the name of the district."))
        return D_NAME
    return await _dist_pick(update, ctx, 0)


async def _dist_pick(update: Update, ctx: KurulContext, page: int) -> str:
    items = [(d.name, f"dis:i:{d.id}") for d in await _districts(ctx)]
    await _prompt(update, ctx, DIST, ctx.t("Which district?"),
                  paged(items, page, "dis:ip", ctx.t, cancel_row(ctx, "dis:x")))
    return D_PICK


@guarded(DIST, D_PICK)
async def dist_pick_page(update: Update, ctx: KurulContext) -> str | int:
    return await _dist_pick(update, ctx, int_part(update, 2) or 0)


@guarded(DIST, D_PICK)
async def dist_picked(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(DIST)
    district = next((d for d in await _districts(ctx) if d.id == int_part(update, 2)), None)
    if district is None:
        await send(update, ctx, ctx.t("That record no longer exists. Please start again."))
        return D_PICK
    draft["district"] = district.id
    if draft.get("action") == "rename":
        await send(update, ctx, ctx.t("Type the new name for {name}.").format(name=district.name))
        return D_NAME
    await _prompt(update, ctx, DIST, ctx.t("Remove the district council of {name}?").format(
        name=html.escape(district.name)),
        buttons([[(ctx.t("🗑 Remove"), "dis:rm")], cancel_row(ctx, "dis:x")]))
    return D_CONFIRM


async def dist_name(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(DIST)
    assert ctx.person is not None
    try:
        name = clean_text(text_of(update), 60)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return D_NAME
    if draft.get("action") == "rename":
        try:
            done = await setup.rename_district(ctx.store, ctx.clock, ctx.grants,
                                               draft["district"], name, ctx.person.id)
        except ServiceError as error:
            await send(update, ctx,
                       refusal_text(ctx.t, error) + "\n" + ctx.t("Type another name."))
            return D_NAME
        await send(update, ctx, ctx.t("Renamed: {name}.").format(name=done.name))
        return await _dist_actions(update, ctx, new=True)
    draft["name"] = name
    await send(update, ctx, ctx.t(
        "What is the foreign population of {name}? Type a number, like 2500.").format(name=name))
    return D_POPULATION


async def dist_population(update: Update, ctx: KurulContext) -> str | int:
    try:
        population = parse_count(text_of(update))
    except InvalidInput as problem:
        await send(update, ctx, problem_text(ctx.t, problem))
        return D_POPULATION
    draft = ctx.draft(DIST)
    draft["population"] = population
    await _prompt(update, ctx, DIST, ctx.t(
        "Is {name} a border district subject to irregular migration (Art. 8(1))?").format(
        name=html.escape(draft["name"])),
        buttons([[(ctx.t("Yes"), "dis:b:1"), (ctx.t("No"), "dis:b:0")], cancel_row(ctx, "dis:x")]),
        new=True)
    return D_BORDER


@guarded(DIST, D_BORDER)
async def dist_border(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(DIST)
    draft["border"] = data_parts(update)[-1] == "1"
    text = "\n".join([
        ctx.t("<b>New district council</b>"),
        ctx.t("District: {name}").format(name=html.escape(draft["name"])),
        ctx.t("Foreign population: {population}").format(population=draft["population"]),
        ctx.t("Border district: {answer}").format(
            answer=ctx.t("Yes") if draft["border"] else ctx.t("No")),
    ])
    await _prompt(update, ctx, DIST, text,
                  buttons([[(ctx.t("✅ Confirm"), "dis:ok")], cancel_row(ctx, "dis:x")]))
    return D_CONFIRM


@guarded(DIST, D_CONFIRM)
async def dist_confirm(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(DIST)
    province_id = await _province_id(ctx)
    assert ctx.person is not None
    try:
        if province_id is None:
            raise ServiceError(setup.Refusal.FORBIDDEN)
        council = await setup.add_district(
            ctx.store, ctx.clock, province_id, draft["name"], draft["population"],
            draft["border"], grants=ctx.grants, actor_id=ctx.person.id)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return await _dist_actions(update, ctx, new=True)
    await send(update, ctx, ctx.t("Added: {name}.").format(name=council_label(ctx.t, council)))
    return await _dist_actions(update, ctx, new=True)


@guarded(DIST, D_CONFIRM)
async def dist_remove(update: Update, ctx: KurulContext) -> str | int:
    assert ctx.person is not None
    try:
        await setup.remove_district(ctx.store, ctx.clock, ctx.grants, ctx.draft(DIST)["district"],
                                    ctx.person.id)
    except ServiceError as error:
        await send(update, ctx, refusal_text(ctx.t, error))
        return await _dist_actions(update, ctx, new=True)
    await send(update, ctx, ctx.t("The district council was removed."))
    return await _dist_actions(update, ctx, new=True)


def build_institutions_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    return conversation(
        name="institutions",
        entry_points=command_entry("institutions", inst_start),
        states={
            I_COUNCIL: [CallbackQueryHandler(inst_council, pattern=r"^ins:c:"),
                        CallbackQueryHandler(inst_council_page, pattern=r"^ins:cp:"),
                        MessageHandler(other, want_button)],
            I_ACTION: [CallbackQueryHandler(inst_action, pattern=r"^ins:a:(add|rename|remove)$"),
                       MessageHandler(other, want_button)],
            I_NAME: [MessageHandler(text, inst_name), MessageHandler(other, want_text)],
            I_PICK: [CallbackQueryHandler(inst_picked, pattern=r"^ins:i:"),
                     CallbackQueryHandler(inst_pick_page, pattern=r"^ins:ip:"),
                     MessageHandler(other, want_button)],
            I_CONFIRM: [CallbackQueryHandler(inst_remove, pattern=r"^ins:ok$"),
                        MessageHandler(other, want_button)],
        },
        fallbacks=[CommandHandler("cancel", cancel_flow(INST, N_("Done."))),
                   CallbackQueryHandler(cancel_flow(INST, N_("Done.")), pattern=r"^ins:x$")],
    )


def build_districts_conversation() -> ConversationHandler[KurulContext]:
    text, other = f.TEXT & ~f.COMMAND, ~f.COMMAND
    return conversation(
        name="districts",
        entry_points=command_entry("districts", dist_start),
        states={
            D_ACTION: [CallbackQueryHandler(dist_action, pattern=r"^dis:a:(add|rename|remove)$"),
                       MessageHandler(other, want_button)],
            D_NAME: [MessageHandler(text, dist_name), MessageHandler(other, want_text)],
            D_POPULATION: [MessageHandler(text, dist_population),
                           MessageHandler(other, want_text)],
            D_BORDER: [CallbackQueryHandler(dist_border, pattern=r"^dis:b:[01]$"),
                       MessageHandler(other, want_button)],
            D_PICK: [CallbackQueryHandler(dist_picked, pattern=r"^dis:i:"),
                     CallbackQueryHandler(dist_pick_page, pattern=r"^dis:ip:"),
                     MessageHandler(other, want_button)],
            D_CONFIRM: [CallbackQueryHandler(dist_confirm, pattern=r"^dis:ok$"),
                        CallbackQueryHandler(dist_remove, pattern=r"^dis:rm$"),
                        MessageHandler(other, want_button)],
        },
        fallbacks=[CommandHandler("cancel", cancel_flow(DIST, N_("Done."))),
                   CallbackQueryHandler(cancel_flow(DIST, N_("Done.")), pattern=r"^dis:x$")],
    )
