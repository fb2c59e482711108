"""The gate every update passes first, and the commands every person has.

The gate (group -1) loads who the sender is and in which language to answer, keeps the bot to
private chats, and lets people without a role use only /start, /help, /lang and /cancel.
Also here: /help, /menu, /me, /lang, /cancel, the answer to stale buttons and stray input, and
the error handler.
"""

from __future__ import annotations

import contextlib
import html
import logging

from telegram import (
    BotCommandScopeChat,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.domain.entrypoints import BY_KEY, Access, entry_for_data, permits
from bot.domain.validation import display_phone
from bot.handlers.base import KurulContext, answer, buttons, data_parts, send
from bot.handlers.commands import PERSONAL_COMMANDS, PUBLIC_COMMANDS, available, bot_commands
from bot.handlers.labels import council_label, role_label
from bot.i18n import SUPPORTED_LOCALES, normalize_locale, translator
from bot.services import members, registration

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English"}


def _command_name(update: Update) -> str | None:
    message = update.effective_message
    text = message.text if message is not None else None
    if not text or not text.startswith("/"):
        return None
    return text[1:].split()[0].split("@")[0].lower() if len(text) > 1 else ""


def _locale(ctx: KurulContext, language_code: str | None) -> str:
    """The person's language, else the one they chose before registering, else Telegram's."""
    remembered = ctx.user_data.get("lang") if ctx.user_data is not None else None
    return (ctx.person.language if ctx.person
            else remembered or normalize_locale(language_code, ctx.settings.default_locale))


async def gate(update: Update, ctx: KurulContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    store = ctx.store
    ctx.person = await store.people.by_telegram_id(user.id)
    ctx.grants = await store.people.grants(user.id) if ctx.person else []
    ctx.t = translator(_locale(ctx, user.language_code))
    _ = ctx.t
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _private_only(update, ctx, chat)
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        # An edit would otherwise be read as the answer to whatever step the flow is at now.
        await send(update, ctx, _("Edited messages are not read. Please send the corrected "
                                  "text as a new message."))
        raise ApplicationHandlerStop
    if update.callback_query is not None:
        await _gate_button(update, ctx)
    command = _command_name(update)
    # Someone whose roles all ended may still see their own data (/me).
    allowed_now = PUBLIC_COMMANDS | (PERSONAL_COMMANDS if ctx.person is not None else set())
    query = update.callback_query
    if query is not None and ctx.person is None \
            and not _open_to_everyone(query.data or "", allowed_now):
        # Someone we know nothing about (never registered, or forgotten with /forgetme)
        # pressing a button kept from before, or forged data: the handlers behind it act for
        # a known person (one whose roles ended is refused by the services, with the reason).
        await answer(update, ctx, _("This button is no longer active. Send /menu to start "
                                    "again."), alert=True)
        raise ApplicationHandlerStop
    if command is not None and not ctx.registered and command not in allowed_now:
        await send(update, ctx, _(
            "You are not registered yet. You need an invitation link from your council's "
            "secretariat (the provincial migration directorate). Send /help to learn more."
        ))
        raise ApplicationHandlerStop
    entry = BY_KEY.get(f"/{command}")
    if ctx.registered and entry is not None and not permits(entry.need, ctx.grants,
                                                            registered=True):
        # The permission table's first question, for every command in one place: does this
        # person hold the permission anywhere? Handlers then check it on the real target.
        await send(update, ctx, _("You are not authorised to do this."))
        raise ApplicationHandlerStop


async def _gate_button(update: Update, ctx: KurulContext) -> None:
    """A button (perhaps forged or forwarded) reaches its handler only if the entry-point
    table lets this person use it somewhere; the handler checks where."""
    query = update.callback_query
    assert query is not None
    entry = entry_for_data(query.data or "")
    if entry is None:
        return
    _ = ctx.t
    if entry.need is Access.OWN and ctx.person is not None:
        return
    if ctx.person is None and entry.need is not Access.PUBLIC:
        refusal = _("You are not registered yet.")
    elif not ctx.registered:
        return  # roles ended, perhaps mid-flow: the step itself refuses and ends the flow
    elif not permits(entry.need, ctx.grants, registered=True):
        refusal = _("You are not authorised to do this.")
    else:
        return
    if (query.data or "").startswith("menu:"):
        # A menu button stands for its command: refused the way the command is.
        await answer(update, ctx)
        await send(update, ctx, refusal)
    else:
        await answer(update, ctx, refusal, alert=True)
    raise ApplicationHandlerStop


# Buttons of the flows open to people we do not know: registration and the language.
_OPEN_BUTTONS = frozenset({"reg", "lang"})


def _open_to_everyone(data: str, allowed_commands: frozenset[str] | set[str]) -> bool:
    prefix, _sep, rest = data.partition(":")
    if prefix == "menu":
        return rest in allowed_commands
    if prefix == "forget":
        return "forgetme" in allowed_commands
    return prefix in _OPEN_BUTTONS


async def _private_only(update: Update, ctx: KurulContext, chat: Chat) -> None:
    """Commands and buttons in groups get a pointer to the private chat; nothing personal.
    In the language Telegram reports, not the one the bot keeps for a registered person, so
    that the answer says nothing about whether the sender is registered."""
    user = update.effective_user
    _ = translator(normalize_locale(user.language_code if user else None,
                                    ctx.settings.default_locale))
    link = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Open a private chat"),
                               url=f"https://t.me/{ctx.runtime.bot_username}")]]
    )
    if update.callback_query is not None:
        await answer(update, ctx, _("Please use me in a private chat."), alert=True)
    elif _command_name(update) is not None and chat.type != ChatType.CHANNEL:
        await ctx.bot.send_message(
            chat.id, _("I work in private chats only. Please write to me directly."),
            reply_markup=link,
        )


async def help_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    _ = ctx.t
    lines = [_("<b>Kurul</b> assists the Provincial and District Migration Coordination "
               "Councils: registration, meetings, agenda proposals and decision follow-up.")]
    if not ctx.registered:
        lines.append(_(
            "To register you need an invitation link. Your council's secretariat (the "
            "provincial migration directorate) creates one for your institution and role; "
            "open it on this phone and I will guide you."
        ))
    lines.append("")
    for command in available(ctx.grants, ctx.registered):
        lines.append(f"/{command.name} — {html.escape(_(command.description))}")
    await send(update, ctx, "\n".join(lines), parse_mode="HTML")


async def menu_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    _ = ctx.t
    if not ctx.registered:
        await help_command(update, ctx)
        return
    items = [c for c in available(ctx.grants, True) if c.in_menu]
    rows = [[(_(c.description), f"menu:{c.name}")] for c in items]
    await send(update, ctx, _("What would you like to do?"), buttons(rows))


async def me_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    _ = ctx.t
    user = update.effective_user
    assert user is not None
    mine = await members.me(ctx.store, user.id)
    if mine is None:
        await send(update, ctx, _("You are not registered yet."))
        return
    person = mine.person
    lines = [
        _("<b>My data</b>"),
        _("Name: {name}").format(name=html.escape(person.full_name)),
        _("Title: {title}").format(title=html.escape(person.title)),
        _("Phone: {phone}").format(phone=display_phone(person.phone)),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(person.language, "")),
        "",
        _("<b>My roles</b>"),
    ]
    for view in mine.roles:
        where = council_label(_, view.council)
        if view.institution is not None:
            where += " — " + view.institution.name
        lines.append("• " + role_label(_, view.role.kind, view.role.rank) + ": "
                     + html.escape(where))
    if not mine.roles:
        lines.append(_("You hold no role at the moment."))
    await send(update, ctx, "\n".join(lines), parse_mode="HTML")


async def lang_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    rows = [[(name, f"lang:{code}") for code, name in LANGUAGE_NAMES.items()]]
    await send(update, ctx, ctx.t("Choose your language:"), buttons(rows))


async def lang_chosen(update: Update, ctx: KurulContext) -> None:
    parts = data_parts(update)
    code = parts[1] if len(parts) > 1 else ""
    if code not in SUPPORTED_LOCALES:
        await answer(update, ctx, ctx.t("This button is no longer valid."))
        return
    user = update.effective_user
    assert user is not None and ctx.user_data is not None
    ctx.user_data["lang"] = code
    await registration.set_language(ctx.store, ctx.clock, user.id, code)
    ctx.t = translator(code)
    await answer(update, ctx)
    await send(update, ctx, ctx.t("From now on I will speak English with you."))
    await publish_user_commands(ctx, user.id)


async def publish_user_commands(ctx: KurulContext, chat_id: int) -> None:
    """Give one person the command menu of their roles, in their language."""
    try:
        await ctx.bot.set_my_commands(
            bot_commands(available(ctx.grants, ctx.registered), ctx.t),
            scope=BotCommandScopeChat(chat_id),
        )
    except TelegramError as exc:  # a menu is a convenience; never fail the flow over it
        log.warning("set_my_commands for chat %s failed: %s", chat_id, exc)


async def cancel_command(update: Update, ctx: KurulContext) -> None:
    await send(update, ctx, ctx.t("There is nothing to cancel."))


async def stale_button(update: Update, ctx: KurulContext) -> None:
    """A button of an old message, or of a flow that has ended: say so, change nothing."""
    await answer(update, ctx, ctx.t("This button is no longer active. Send /menu to start again."),
                 alert=True)


async def unknown_command(update: Update, ctx: KurulContext) -> None:
    await send(update, ctx, ctx.t("I do not know this command. Send /help to see what I can do."))


async def stray_message(update: Update, ctx: KurulContext) -> None:
    _ = ctx.t
    if ctx.registered:
        await send(update, ctx, _("I am not waiting for anything from you now. "
                                  "Send /menu to see what you can do."))
    else:
        await send(update, ctx, _("To register you need an invitation link from your "
                                  "council's secretariat. Send /help to learn more."))


async def error_handler(update: object, ctx: KurulContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=ctx.error,
              extra={"update_id": update_id})
    if isinstance(update, Update) and update.effective_chat is not None:
        chat = update.effective_chat
        if chat.type != ChatType.PRIVATE:
            return
        # The error handler gets a fresh context: find the person's language again.
        user = update.effective_user
        if user is not None:
            with contextlib.suppress(Exception):  # the store may be what failed
                ctx.person = await ctx.store.people.by_telegram_id(user.id)
            ctx.t = translator(_locale(ctx, user.language_code))
        try:
            await ctx.bot.send_message(chat.id, ctx.t(
                "Sorry, something went wrong on my side. What you entered so far is kept; "
                "please try the last step again."
            ))
        except TelegramError:
            log.warning("could not tell chat %s about the error", chat.id,
                        extra={"update_id": update_id, "chat_id": chat.id})


def gate_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [TypeHandler(Update, gate)]


def command_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        CommandHandler("help", help_command),
        CommandHandler("menu", menu_command),
        CommandHandler("me", me_command),
        CommandHandler("lang", lang_command),
        CallbackQueryHandler(lang_chosen, pattern=r"^lang:"),
        CallbackQueryHandler(help_command, pattern=r"^menu:help$"),
        CallbackQueryHandler(me_command, pattern=r"^menu:me$"),
        CallbackQueryHandler(lang_command, pattern=r"^menu:lang$"),
    ]


def fallback_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    """Last in line: whatever no flow took."""
    return [
        CommandHandler("cancel", cancel_command),
        MessageHandler(filters.COMMAND, unknown_command),
        CallbackQueryHandler(stale_button),
        MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, stray_message),
    ]
