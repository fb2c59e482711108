"""KVKK self-service: ``/privacy`` (the information text), ``/mydata`` (a copy of my data) and
``/forgetme`` (erase my personal fields and end my roles, after a confirmation)."""

from __future__ import annotations

import html
import io
import json
import logging

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.domain.validation import display_phone
from bot.handlers.base import KurulContext, answer, buttons, edit_or_send, send
from bot.i18n import N_, translator
from bot.services import privacy

log = logging.getLogger(__name__)

INFORMATION_TEXT = N_(
    "<b>How Kurul uses your personal data</b> (KVKK, Law No. 6698, Art. 10)\n\n"
    "<b>Data controller:</b> the Provincial Migration Directorate (İl Göç İdaresi Müdürlüğü) "
    "of your province, as the secretariat of the Migration Coordination Councils.\n"
    "<b>What is kept:</b> your name and surname, title, phone number, Telegram user id and "
    "language; the councils, institutions and roles you hold or held; what you do in the bot "
    "(proposals, answers, reports) and a log of changes.\n"
    "<b>Why:</b> to run the councils as the Ministry of Interior's circular requires: to send "
    "meeting notices and reminders, to keep the attendance list (Ek-2, which asks for name, "
    "title and phone, Art. 12(7)), the minutes and the follow-up of decisions.\n"
    "<b>Legal basis:</b> the fulfilment of a legal obligation and of public duties (KVKK "
    "Art. 5(2)(ç) and (f)).\n"
    "<b>Who sees it:</b> the secretariat and the chair of your councils; your name and title "
    "appear on attendance lists and minutes. Nothing personal is posted in groups. The data is "
    "kept on the directorate's server and is not given to third parties.\n"
    "<b>Your rights (KVKK Art. 11):</b> /mydata sends you a copy of what is kept about you; "
    "/forgetme erases your name, title and phone number and ends your roles. Attendance lists "
    "and minutes already signed keep your name as it stood: they are the council's official "
    "archive. For anything else, write to the directorate."
)


async def privacy_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    await send(update, ctx, ctx.t(INFORMATION_TEXT), parse_mode="HTML")


async def mydata_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    _ = ctx.t
    exported = await privacy.export(ctx.store, user.id)
    if exported is None:
        await send(update, ctx, _("I keep no personal data about you."))
        return
    person = exported.person
    roles = exported.document["roles"]
    lines = [
        _("<b>What I keep about you</b>"),
        _("Name: {name}").format(name=html.escape(person.full_name)),
        _("Title: {title}").format(title=html.escape(person.title)),
        _("Phone: {phone}").format(phone=display_phone(person.phone)),
        _("Telegram user id: {id}").format(id=person.telegram_user_id),
        _.ngettext("{n} role, past and present.", "{n} roles, past and present.",
                   len(roles)).format(n=len(roles)),
        _.ngettext("{n} recorded action.", "{n} recorded actions.",
                   len(exported.document["actions"])).format(
                       n=len(exported.document["actions"])),
        "",
        _("The attached file holds all of it in a machine-readable form (JSON)."),
    ]
    await send(update, ctx, "\n".join(lines), parse_mode="HTML")
    data = json.dumps(exported.document, ensure_ascii=False, indent=2).encode("utf-8")
    await ctx.bot.send_document(chat.id, io.BytesIO(data), filename="kurul-my-data.json")


async def forgetme_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    _ = ctx.t
    if ctx.person is None:
        await send(update, ctx, _("I keep no personal data about you."))
        return
    await send(update, ctx, _(
        "This erases your name, title and phone number and ends all your roles. Attendance "
        "lists and minutes already signed keep your name as it stood. You would need a new "
        "invitation to take part again. Erase your data?"
    ), buttons([[(_("Erase my data"), "forget:yes"), (_("Keep it"), "forget:no")]]))


async def forget_answer(update: Update, ctx: KurulContext) -> None:
    user = update.effective_user
    assert user is not None
    if (update.callback_query and update.callback_query.data) != "forget:yes":
        await answer(update, ctx)
        await edit_or_send(update, ctx, ctx.t("Nothing was erased."))
        return
    forgotten = await privacy.forget(ctx.store, ctx.clock, user.id)
    await answer(update, ctx)
    if forgotten is None:
        await edit_or_send(update, ctx, ctx.t("I keep no personal data about you."))
        return
    ctx.application.drop_user_data(user.id)
    ctx.person, ctx.grants = None, []
    try:
        await ctx.bot.delete_my_commands(scope=BotCommandScopeChat(user.id))
    except TelegramError as exc:
        log.warning("could not reset the command menu of a forgotten person: %s", exc)
    t = translator(forgotten.language)
    await edit_or_send(update, ctx, t(
        "Your personal data was erased and your roles ended. Thank you for your work on the "
        "councils."
    ))


def privacy_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    return [
        CommandHandler("privacy", privacy_command),
        CommandHandler("mydata", mydata_command),
        CommandHandler("forgetme", forgetme_command),
        CallbackQueryHandler(privacy_command, pattern=r"^menu:privacy$"),
        CallbackQueryHandler(mydata_command, pattern=r"^menu:mydata$"),
        CallbackQueryHandler(forgetme_command, pattern=r"^menu:forgetme$"),
        CallbackQueryHandler(forget_answer, pattern=r"^forget:(yes|no)$"),
    ]
