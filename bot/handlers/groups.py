"""Council groups on Telegram's side: the bot added to, removed from or moved with a group, the
private prompt that links a group to a council, and ``/groups``.

Membership updates and the migration of a group to a supergroup are read before the gate
(``MEMBERSHIP_GROUP``), which otherwise stops every update from a group; they never answer
anything in the group but the one neutral line on being added (the same line whoever added
the bot, so the group learns nothing about anyone). Whoever added the bot and may link it gets
the council buttons in a private chat; confirming links the group (``bot.services.groups``).
Channels are ignored. After every update, ``announce`` queues the group announcements of
meeting notices and agendas queued meanwhile (``bot.notify.group_kinds``).

``/groups`` (secretariat): each council with its group; unlinking takes the bot out of the
group; groups the person added the bot to that are not linked yet can be linked from there.
"""

from __future__ import annotations

import html
import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.domain.models import Council
from bot.handlers.base import (
    KurulContext,
    answer,
    buttons,
    command_entry,
    edit_or_send,
    int_part,
    send,
)
from bot.handlers.labels import council_label, refusal_text
from bot.i18n import Translator, translator
from bot.notify import group_kinds
from bot.notify.engine import notifier_of
from bot.services import groups as service
from bot.services.errors import ServiceError

log = logging.getLogger(__name__)

MEMBERSHIP_GROUP = -3      # before the engine's watcher (-2) and the gate (-1)
ANNOUNCE_GROUP = 101       # after everything, beside the engine's own (100)
_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
_GONE = (ChatMember.LEFT, ChatMember.BANNED)


def neutral_line(t: Translator) -> str:
    return t("I only post the announcements of a migration coordination council here, once "
             "its secretariat has linked this group. I do not answer here: please write to "
             "me in a private chat.")


# --- membership -------------------------------------------------------------------------------


async def membership(update: Update, ctx: KurulContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return  # private chats are the engine's business; channels are ignored
    chat, by = change.chat, change.from_user
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in _PRESENT and old not in _PRESENT:
        await _added(ctx, chat.id, chat.type, chat.title or "", by.id if by else None)
    elif new in _GONE and old not in _GONE:
        told = await service.bot_left(ctx.store, ctx.clock, chat.id, by.id if by else None)
        if told:
            notifier_of(ctx.application).queued()


async def _added(ctx: KurulContext, chat_id: int, kind: str, title: str,
                 by: int | None) -> None:
    councils = await service.bot_added(ctx.store, ctx.clock, chat_id, kind, title, by)
    try:
        await ctx.bot.send_message(chat_id, neutral_line(translator(service.GROUP_LOCALE)))
    except TelegramError as exc:
        log.warning("could not post in group %s: %s", chat_id, exc)
    if not councils or by is None:
        return
    person = await ctx.store.people.by_telegram_id(by)
    if person is None:
        return
    t = translator(person.language)
    try:
        await ctx.bot.send_message(by, _choose_text(t, title), parse_mode="HTML",
                                   reply_markup=buttons(_council_rows(t, chat_id, councils)))
    except TelegramError as exc:
        log.warning("could not ask %s which council group %s belongs to: %s", by, chat_id, exc)


def _choose_text(t: Translator, title: str) -> str:
    return "\n".join([
        t("👥 You added me to the group “{title}”.").format(title=html.escape(title)),
        t("Which council's announcements should I post there? Only announcements go to a "
          "group: meeting notices, moves and cancellations, published agendas and your "
          "broadcasts to it; never anyone's personal data."),
    ])


def _council_rows(t: Translator, chat_id: int,
                  councils: list[Council]) -> list[list[tuple[str, str]]]:
    rows = [[(council_label(t, c), f"grp:c:{chat_id}:{c.id}")] for c in councils]
    rows.append([(t("Not now"), f"grp:no:{chat_id}")])
    return rows


async def migration(update: Update, ctx: KurulContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await service.migrated(ctx.store, ctx.clock, old, new, message.chat.title or "")


# --- linking (private chat) -------------------------------------------------------------------


async def _refuse_stranger(update: Update, ctx: KurulContext) -> bool:
    """Buttons reach the handlers from anyone: someone unknown is refused, nothing else."""
    if ctx.person is None:
        await answer(update, ctx, ctx.t("You are not authorised to do this."), alert=True)
        return True
    return False


async def choose(update: Update, ctx: KurulContext) -> None:
    """A council was chosen for the group: ask to confirm."""
    chat_id, council_id = int_part(update, 2), int_part(update, 3)
    if await _refuse_stranger(update, ctx) or ctx.person is None:
        return
    _ = ctx.t
    try:
        group, [council] = await service.linkable(ctx.store, ctx.grants, ctx.person,
                                                  chat_id or 0, council_id or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(_, error), alert=True)
        return
    await answer(update, ctx)
    lines = [_("Link the group “{title}” to the {council}?").format(
        title=html.escape(group.title), council=html.escape(council_label(_, council)))]
    current = await ctx.store.groups.of_council(council.id)
    if current is not None and current.chat_id != group.chat_id:
        lines.append(_("It replaces the group “{title}” linked now.").format(
            title=html.escape(current.title)))
    lines.append(_("⚠️ A group is not private: everyone in it reads the announcements."))
    rows = [[(_("✅ Link"), f"grp:ok:{group.chat_id}:{council.id}")],
            [(_("Not now"), f"grp:no:{group.chat_id}")]]
    await edit_or_send(update, ctx, "\n".join(lines), buttons(rows), parse_mode="HTML")


async def confirm(update: Update, ctx: KurulContext) -> None:
    chat_id, council_id = int_part(update, 2), int_part(update, 3)
    if await _refuse_stranger(update, ctx) or ctx.person is None:
        return
    _ = ctx.t
    try:
        linked = await service.link(ctx.store, ctx.clock, ctx.grants, ctx.person, chat_id or 0,
                                    council_id or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(_, error), alert=True)
        return
    await answer(update, ctx)
    lines = [_("✅ The group “{title}” now receives the announcements of the {council}.").format(
        title=html.escape(linked.link.title),
        council=html.escape(council_label(_, linked.council)))]
    if linked.replaced is not None:
        lines.append(_("The group “{title}” no longer does.").format(
            title=html.escape(linked.replaced.title)))
    if linked.moved_from is not None:
        lines.append(_("It no longer receives those of the {council}.").format(
            council=html.escape(council_label(_, linked.moved_from))))
    lines.append(_("/groups shows and unlinks it."))
    await edit_or_send(update, ctx, "\n".join(lines), None, parse_mode="HTML")
    notifier_of(ctx.application).queued()


async def not_now(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    await edit_or_send(update, ctx, ctx.t(
        "Not linked. I post nothing there until it is; /groups lets you link it later."))


async def relink(update: Update, ctx: KurulContext) -> None:
    """From /groups: a group the person added the bot to that is not linked yet."""
    if await _refuse_stranger(update, ctx) or ctx.person is None:
        return
    _ = ctx.t
    try:
        group, councils = await service.linkable(ctx.store, ctx.grants, ctx.person,
                                                  int_part(update, 2) or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(_, error), alert=True)
        return
    await answer(update, ctx)
    await edit_or_send(update, ctx, _choose_text(_, group.title),
                       buttons(_council_rows(_, group.chat_id, councils)), parse_mode="HTML")


# --- /groups ----------------------------------------------------------------------------------


async def groups_command(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    _ = ctx.t
    if ctx.person is None:
        await send(update, ctx, _("You are not authorised to do this."))
        return
    view = await service.overview(ctx.store, ctx.grants, ctx.person)
    if not view.councils:
        await send(update, ctx, _("You are not authorised to do this."))
        return
    lines = [_("<b>Council groups</b>"),
             _("A linked group receives the council's announcements, never personal data.")]
    rows: list[list[tuple[str, str]]] = []
    for council, link in view.councils:
        label = html.escape(council_label(_, council))
        if link is None:
            lines.append("• " + label + ": " + _("no group"))
            continue
        lines.append("• " + label + ": “" + html.escape(link.title) + "”")
        rows.append([(_("Unlink: {council}").format(council=council_label(_, council)),
                      f"grp:u:{council.id}")])
    for group in view.waiting:
        rows.append([(_("Link: “{title}”").format(title=group.title), f"grp:l:{group.chat_id}")])
    lines.append("")
    lines.append(_("To link a group, add me to it: I will ask you here which council it "
                   "belongs to."))
    await send(update, ctx, "\n".join(lines), buttons(rows) if rows else None,
               parse_mode="HTML")


async def unlink_ask(update: Update, ctx: KurulContext) -> None:
    if await _refuse_stranger(update, ctx):
        return
    _ = ctx.t
    try:
        council, link = await service.unlinkable(ctx.store, ctx.grants,
                                                 int_part(update, 2) or 0)
    except ServiceError as error:  # out of reach: not authorised; no group (any more): gone
        await answer(update, ctx, refusal_text(_, error), alert=True)
        return
    await answer(update, ctx)
    text = _("Unlink the group “{title}” from the {council}? I will leave the group.").format(
        title=html.escape(link.title), council=html.escape(council_label(_, council)))
    rows = [[(_("Unlink"), f"grp:uy:{council.id}")], [(_("Keep it"), "grp:keep")]]
    await edit_or_send(update, ctx, text, buttons(rows), parse_mode="HTML")


async def unlink_confirm(update: Update, ctx: KurulContext) -> None:
    if await _refuse_stranger(update, ctx) or ctx.person is None:
        return
    _ = ctx.t
    try:
        ended = await service.unlink(ctx.store, ctx.clock, ctx.grants, ctx.person,
                                     int_part(update, 2) or 0)
    except ServiceError as error:
        await answer(update, ctx, refusal_text(_, error), alert=True)
        return
    await answer(update, ctx)
    try:
        await ctx.bot.leave_chat(ended.chat_id)
    except TelegramError as exc:  # already out: the link is gone all the same
        log.info("leaving group %s: %s", ended.chat_id, exc)
    await edit_or_send(update, ctx, _("Unlinked. I left the group “{title}”.").format(
        title=html.escape(ended.title)), None, parse_mode="HTML")


async def keep(update: Update, ctx: KurulContext) -> None:
    await answer(update, ctx)
    await edit_or_send(update, ctx, ctx.t("Nothing was changed."))


# --- announcements after every update ---------------------------------------------------------


async def announce(update: Update, ctx: KurulContext) -> None:
    try:
        notifier = notifier_of(ctx.application)
        if notifier.started:
            await group_kinds.announce(notifier)
    except Exception:  # an announcement problem must never surface as a user's error
        log.exception("group announcements after update %s failed", update.update_id)


# --- wiring -----------------------------------------------------------------------------------


def membership_handlers() -> list[tuple[BaseHandler[Update, KurulContext, None], int]]:
    """Before the gate, and the announcer after everything: (handler, group) pairs."""
    return [
        (ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER), MEMBERSHIP_GROUP),
        (MessageHandler(filters.StatusUpdate.MIGRATE, migration), MEMBERSHIP_GROUP),
        (TypeHandler(Update, announce, block=False), ANNOUNCE_GROUP),
    ]


def group_handlers() -> list[BaseHandler[Update, KurulContext, None]]:
    """Plain commands and buttons (private chats: the gate keeps groups out)."""
    return [
        *command_entry("groups", groups_command),
        CallbackQueryHandler(choose, pattern=r"^grp:c:-?\d+:\d+$"),
        CallbackQueryHandler(confirm, pattern=r"^grp:ok:-?\d+:\d+$"),
        CallbackQueryHandler(not_now, pattern=r"^grp:no:-?\d+$"),
        CallbackQueryHandler(relink, pattern=r"^grp:l:-?\d+$"),
        CallbackQueryHandler(unlink_ask, pattern=r"^grp:u:\d+$"),
        CallbackQueryHandler(unlink_confirm, pattern=r"^grp:uy:\d+$"),
        CallbackQueryHandler(keep, pattern=r"^grp:keep$"),
    ]
