"""What the engine learns from incoming updates: who is reachable, and whether facts changed.

This module owns two handlers that never answer anyone:

* before the gate (group -2): a ``my_chat_member`` update saying someone blocked the bot
  records them as unreachable; any update from someone known to be unreachable (pressing
  Start again, writing) makes them reachable again, so a later refusal is reported anew;
* after everything (group 100, not blocking the next update): when the facts reminders are
  derived from changed (a district added, leave days entered, a population corrected), the
  reminders are rebuilt and the ``notify:wake`` timer re-armed. This watches the database
  rather than each handler, so no capability has to remember to tell the engine.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, TypeHandler

from bot.handlers.base import KurulContext
from bot.notify.engine import notifier_of

log = logging.getLogger(__name__)

SEEN_GROUP = -2
FACTS_GROUP = 100


async def seen(update: Update, ctx: KurulContext) -> None:
    try:
        notifier = notifier_of(ctx.application)
        change = update.my_chat_member
        if change is not None and change.chat.type == "private":
            status = change.new_chat_member.status
            if status in (ChatMember.BANNED, ChatMember.LEFT):
                await notifier.user_blocked(change.from_user.id)
                return
        user = update.effective_user
        if user is not None and not user.is_bot:
            await notifier.user_seen(user.id)
    except Exception:  # bookkeeping only: never in the way of answering the person
        log.exception("recording who is reachable failed for update %s", update.update_id,
                      extra={"update_id": update.update_id})


async def facts(update: Update, ctx: KurulContext) -> None:
    try:
        await notifier_of(ctx.application).facts_maybe_changed()
    except Exception:  # a reminder problem must never surface as a user's error
        log.exception("rebuilding reminders after update %s failed", update.update_id,
                      extra={"update_id": update.update_id})


def handlers() -> list[tuple[BaseHandler[Update, KurulContext, None], int]]:
    return [
        (TypeHandler(Update, seen), SEEN_GROUP),
        (TypeHandler(Update, facts, block=False), FACTS_GROUP),
    ]
