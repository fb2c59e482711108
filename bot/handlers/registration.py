"""Registration: ``/start`` with or without an invitation token, and the guided sign-up.

Steps: full name → title → phone (shared contact or typed) → language → preview → confirm.
Each step re-asks with an explanation on bad input and keeps what was entered. The token is
checked again at confirmation, since it may have been used or revoked meanwhile.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.models import Rank, RoleKind
from bot.domain.validation import (
    InvalidInput,
    clean_name,
    clean_title,
    display_phone,
    normalize_phone,
)
from bot.handlers.base import (
    END,
    KurulContext,
    answer,
    buttons,
    conversation,
    data_parts,
    edit_or_send,
    is_stale,
    remember_prompt,
    send,
    text_of,
    want_button,
    want_text,
)
from bot.handlers.common import LANGUAGE_NAMES, menu_command, publish_user_commands
from bot.handlers.labels import council_label, problem_text, refusal_text, role_label
from bot.i18n import Translator, translator
from bot.services import invites, registration
from bot.services.errors import ServiceError

log = logging.getLogger(__name__)

FLOW = "reg"
NAME, TITLE, PHONE, LANGUAGE, CONFIRM = "reg_name", "reg_title", "reg_phone", "reg_lang", "reg_ok"


def _invitation_line(t: Translator, draft: dict[str, Any]) -> str:
    role = role_label(t, RoleKind(draft["role"]), _rank(draft))
    where = draft["council"]
    if draft.get("institution"):
        where += " — " + draft["institution"]
    return t("You are invited as <b>{role}</b> of {where}.").format(
        role=html.escape(role), where=html.escape(where)
    )


def _rank(draft: dict[str, Any]) -> Rank | None:
    return Rank(draft["rank"]) if draft.get("rank") else None


async def start(update: Update, ctx: KurulContext) -> str | int:
    _ = ctx.t
    token = ctx.args[0] if ctx.args else None
    if not token:
        if ctx.registered:
            assert ctx.person is not None
            await send(update, ctx, _("Welcome back, {name}.").format(name=ctx.person.full_name))
            await menu_command(update, ctx)
        else:
            await send(update, ctx, _(
                "Welcome to Kurul, the assistant of the Migration Coordination Councils.\n\n"
                "To register you need an invitation link. Your council's secretariat (the "
                "provincial migration directorate) creates one for your institution and role. "
                "Open it on this phone and I will guide you through registration."
            ))
        return END
    try:
        view = await invites.check_token(ctx.store, ctx.clock, token)
    except ServiceError as error:
        await send(update, ctx, refusal_text(_, error))
        return END
    ctx.drop_draft(FLOW)
    draft = ctx.draft(FLOW)
    draft.update(
        token=token,
        role=view.invite.role_kind.value,
        rank=view.invite.rank.value if view.invite.rank else None,
        council=council_label(_, view.council),
        institution=view.institution.name if view.institution else None,
        lang=ctx.t.locale,
    )
    intro = _invitation_line(_, draft)
    if ctx.person is not None:
        # Known already: reuse the profile and go straight to the preview.
        draft.update(name=ctx.person.full_name, title=ctx.person.title, phone=ctx.person.phone,
                     lang=ctx.person.language)
        await send(update, ctx, intro, parse_mode="HTML")
        return await _preview(update, ctx)
    await send(update, ctx, intro + "\n\n" + _(
        "Let us register you in four short steps. You can send /cancel at any time."
    ) + "\n" + _(
        "Before you start: /privacy says which of your personal data is kept and why."
    ), parse_mode="HTML")
    await send(update, ctx, _("Step 1 of 4 — Please type your full name (name and surname)."))
    return NAME


async def got_name(update: Update, ctx: KurulContext) -> str:
    _ = ctx.t
    try:
        ctx.draft(FLOW)["name"] = clean_name(text_of(update))
    except InvalidInput as problem:
        await send(update, ctx, problem_text(_, problem) + "\n" + _("Please type your full name."))
        return NAME
    if ctx.draft(FLOW).get("editing"):
        return await _preview(update, ctx)
    await send(update, ctx, _("Step 2 of 4 — Your title (unvan), for example: Şube Müdürü."))
    return TITLE


async def got_title(update: Update, ctx: KurulContext) -> str:
    _ = ctx.t
    try:
        ctx.draft(FLOW)["title"] = clean_title(text_of(update))
    except InvalidInput as problem:
        await send(update, ctx, problem_text(_, problem) + "\n" + _("Please type your title."))
        return TITLE
    if ctx.draft(FLOW).get("editing"):
        return await _preview(update, ctx)
    return await _ask_phone(update, ctx)


async def _ask_phone(update: Update, ctx: KurulContext) -> str:
    _ = ctx.t
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
    await send(update, ctx, _(
        "Step 3 of 4 — Your phone number: press the button below to share it, or type it."
    ), keyboard)
    return PHONE


async def got_phone(update: Update, ctx: KurulContext) -> str:
    _ = ctx.t
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    if message.contact is not None:
        if message.contact.user_id != user.id:
            await send(update, ctx, _(
                "This is someone else's contact. Please share your own number with the button, "
                "or type it."
            ))
            return PHONE
        raw: str | None = message.contact.phone_number
    else:
        raw = message.text
    try:
        phone = normalize_phone(raw)
    except InvalidInput as problem:
        await send(update, ctx, problem_text(_, problem))
        return PHONE
    ctx.draft(FLOW)["phone"] = phone
    await send(update, ctx, _("Phone number noted: {phone}").format(phone=display_phone(phone)),
               ReplyKeyboardRemove())
    if ctx.draft(FLOW).get("editing"):
        return await _preview(update, ctx)
    return await _ask_language(update, ctx)


async def _ask_language(update: Update, ctx: KurulContext) -> str:
    rows = [[(name, f"reg:lang:{code}") for code, name in LANGUAGE_NAMES.items()]]
    prompt = await send(
        update, ctx, ctx.t("Step 4 of 4 — In which language shall I write to you?"), buttons(rows)
    )
    remember_prompt(ctx.draft(FLOW), prompt)
    return LANGUAGE


async def got_language(update: Update, ctx: KurulContext) -> str:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return LANGUAGE
    code = data_parts(update)[-1]
    if code not in LANGUAGE_NAMES:
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return LANGUAGE
    await answer(update, ctx)
    draft["lang"] = code
    return await _preview(update, ctx)


async def _preview(update: Update, ctx: KurulContext) -> str:
    draft = ctx.draft(FLOW)
    draft.pop("editing", None)
    _ = translator(draft.get("lang"))
    text = "\n".join([
        _("<b>Please check your details</b>"),
        _invitation_line(_, draft),
        "",
        _("Name: {name}").format(name=html.escape(draft["name"])),
        _("Title: {title}").format(title=html.escape(draft["title"])),
        _("Phone: {phone}").format(phone=display_phone(draft["phone"])),
        _("Language: {language}").format(language=LANGUAGE_NAMES[draft["lang"]]),
    ])
    markup = buttons([
        [(_("✅ Confirm"), "reg:ok")],
        [(_("Edit name"), "reg:edit:name"), (_("Edit title"), "reg:edit:title")],
        [(_("Edit phone"), "reg:edit:phone"), (_("Edit language"), "reg:edit:lang")],
        [(_("Cancel"), "reg:cancel")],
    ])
    prompt = await edit_or_send(update, ctx, text, markup, parse_mode="HTML")
    remember_prompt(draft, prompt)
    return CONFIRM


async def edit_field(update: Update, ctx: KurulContext) -> str:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return CONFIRM
    await answer(update, ctx)
    field = data_parts(update)[-1]
    _ = ctx.t
    draft["editing"] = True
    if field == "name":
        await send(update, ctx, _("Please type your full name."))
        return NAME
    if field == "title":
        await send(update, ctx, _("Please type your title."))
        return TITLE
    if field == "phone":
        return await _ask_phone(update, ctx)
    return await _ask_language(update, ctx)


async def confirm(update: Update, ctx: KurulContext) -> str | int:
    draft = ctx.draft(FLOW)
    if is_stale(update, draft):
        await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
        return CONFIRM
    await answer(update, ctx)
    user = update.effective_user
    assert user is not None
    _ = translator(draft["lang"])
    try:
        profile = registration.Profile.checked(draft["name"], draft["title"], draft["phone"],
                                               draft["lang"])
        done = await registration.register(ctx.store, ctx.clock, draft["token"], user.id, profile)
    except ServiceError as error:
        await edit_or_send(update, ctx, refusal_text(_, error))
        ctx.drop_draft(FLOW)
        return END
    ctx.drop_draft(FLOW)
    if ctx.user_data is not None:
        ctx.user_data["lang"] = profile.language
    ctx.person, ctx.t = done.person, _
    ctx.grants = await ctx.store.people.grants(user.id)
    await edit_or_send(update, ctx, _(
        "Thank you, {name}. You are registered as {role} of {where}."
    ).format(name=done.person.full_name,
             role=role_label(_, done.role.kind, done.role.rank),
             where=_where(_, done)))
    await publish_user_commands(ctx, user.id)
    await menu_command(update, ctx)
    await _tell_secretariat(ctx, done)
    return END


def _where(t: Translator, done: registration.Registration) -> str:
    where = council_label(t, done.invite.council)
    if done.invite.institution is not None:
        where += " — " + done.invite.institution.name
    return where


async def _tell_secretariat(ctx: KurulContext, done: registration.Registration) -> None:
    """A direct, best-effort note to the secretariat (the outbox of issue 4 will carry it)."""
    for telegram_id in done.notify_telegram_ids:
        person = await ctx.store.people.by_telegram_id(telegram_id)
        t = translator(person.language if person else None)
        text = t("New registration: {name} ({title}) is now {role} of {where}.").format(
            name=done.person.full_name, title=done.person.title,
            role=role_label(t, done.role.kind, done.role.rank), where=_where(t, done),
        )
        if done.replaced:
            text += "\n" + t("Term ended: {names}.").format(
                names=", ".join(p.full_name for p in done.replaced))
        try:
            await ctx.bot.send_message(telegram_id, text)
        except TelegramError as exc:
            log.warning("could not notify secretariat %s: %s", telegram_id, exc)


async def cancel(update: Update, ctx: KurulContext) -> int:
    await answer(update, ctx)
    ctx.drop_draft(FLOW)
    await send(update, ctx, ctx.t(
        "Registration cancelled. Your invitation stays valid until it expires; open the link "
        "again to start over."
    ), ReplyKeyboardRemove())
    return END



async def want_phone(update: Update, ctx: KurulContext) -> None:
    await send(update, ctx, ctx.t(
        "Please share your phone number with the button below, or type it."
    ))



def build_registration_conversation() -> ConversationHandler[KurulContext]:
    text = filters.TEXT & ~filters.COMMAND
    not_command = ~filters.COMMAND
    return conversation(
        name="registration",
        entry_points=[CommandHandler("start", start)],
        states={
            NAME: [MessageHandler(text, got_name), MessageHandler(not_command, want_text)],
            TITLE: [MessageHandler(text, got_title), MessageHandler(not_command, want_text)],
            PHONE: [
                MessageHandler((text | filters.CONTACT), got_phone),
                MessageHandler(not_command, want_phone),
            ],
            LANGUAGE: [
                CallbackQueryHandler(got_language, pattern=r"^reg:lang:"),
                MessageHandler(not_command, want_button),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=r"^reg:ok$"),
                CallbackQueryHandler(edit_field, pattern=r"^reg:edit:"),
                CallbackQueryHandler(cancel, pattern=r"^reg:cancel$"),
                MessageHandler(not_command, want_button),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
