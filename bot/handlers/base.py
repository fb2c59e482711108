"""What every handler shares: the typed context, the runtime, replies and keyboards.

``KurulContext`` carries, for the update in hand, the person, their grants and a translator in
their language (filled by the gate in ``common.py`` before any other handler runs). Runtime
objects (store, clock, settings) live on ``KurulApplication``: ``bot_data`` is persisted as
JSON and must hold plain data only.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    ExtBot,
)
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.models import Person
from bot.domain.permissions import Grant
from bot.handlers.labels import refusal_text
from bot.i18n import N_, Translator, translator
from bot.services.errors import ServiceError
from bot.store import Store

END = ConversationHandler.END
# How Telegram says that a message to edit is no longer there to edit.
# (A message with a document, such as a meeting notice, has a caption but no text to edit.)
GONE = ("message to edit not found", "message can't be edited",
        "there is no text in the message to edit")
PAGE_SIZE = 8


@dataclass(slots=True)
class Runtime:
    settings: Settings
    store: Store
    clock: Clock
    bot_username: str = ""


class KurulApplication(Application):  # type: ignore[type-arg]
    """PTB's Application with our runtime attached (a subclass may carry attributes)."""

    runtime: Runtime


class KurulContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    person: Person | None
    grants: list[Grant]
    t: Translator
    answered: bool

    def __init__(self, application: Application, chat_id: int | None = None,  # type: ignore[type-arg]
                 user_id: int | None = None) -> None:
        super().__init__(application, chat_id, user_id)
        self.person = None
        self.grants = []
        self.t = translator(None)
        self.answered = False

    @property
    def runtime(self) -> Runtime:
        app = self.application
        assert isinstance(app, KurulApplication)
        return app.runtime

    @property
    def store(self) -> Store:
        return self.runtime.store

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def registered(self) -> bool:
        return self.person is not None and bool(self.grants)

    def draft(self, flow: str) -> dict[str, Any]:
        """The half-filled form of a guided flow; persisted with user_data."""
        assert self.user_data is not None
        drafts: dict[str, Any] = self.user_data.setdefault("drafts", {})
        return drafts.setdefault(flow, {})  # type: ignore[no-any-return]

    def drop_draft(self, flow: str) -> None:
        if self.user_data is not None:
            self.user_data.get("drafts", {}).pop(flow, None)


Callback = Callable[[Update, KurulContext], Awaitable[object]]
F = TypeVar("F", bound=Callback)


def conversation(**kwargs: Any) -> ConversationHandler[KurulContext]:
    """A persistent ConversationHandler tracked per user and chat.

    PTB warns that callback queries are then not tracked per message: that is what we want
    (one flow per person at a time), and each step checks the button belongs to its prompt.
    """
    kwargs.setdefault("persistent", True)
    kwargs.setdefault("allow_reentry", True)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="If 'per_message=False'", category=PTBUserWarning
        )
        return ConversationHandler(**kwargs)


async def send(
    update: Update,
    ctx: KurulContext,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
    parse_mode: str | None = None,
) -> Message:
    """Send a new message to the chat the update came from (message or button press)."""
    chat = update.effective_chat
    assert chat is not None
    return await ctx.bot.send_message(chat.id, text, reply_markup=markup, parse_mode=parse_mode,
                                      disable_web_page_preview=True)


async def answer(
    update: Update, ctx: KurulContext, text: str | None = None, alert: bool = False
) -> None:
    """Answer a button press once (Telegram refuses a second answer); later calls for the same
    update are no-ops, so steps can call each other without knowing who answered. An alert
    coming after the answer (a refusal found by a later step) is sent as a message instead,
    so that it is not lost."""
    query = update.callback_query
    if query is None:
        return
    if ctx.answered:
        if alert and text:
            await send(update, ctx, text)
        return
    ctx.answered = True
    await query.answer(text, show_alert=alert)


async def edit_or_send(
    update: Update,
    ctx: KurulContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    parse_mode: str | None = None,
) -> Message:
    """Replace the pressed message's text (a flow advancing in place) or send a new one."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        try:
            edited = await query.message.edit_text(text, reply_markup=markup,
                                                   parse_mode=parse_mode,
                                                   disable_web_page_preview=True)
            if isinstance(edited, Message):
                return edited
        except BadRequest as exc:
            if "not modified" in str(exc):
                return query.message
            # The person deleted the message meanwhile (or it cannot be edited into text):
            # the flow goes on in a new one.
            if not any(gone in str(exc).lower() for gone in GONE):
                raise
    return await send(update, ctx, text, markup, parse_mode)


def buttons(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data); data stays under 64 bytes."""
    for row in rows:
        for _label, data in row:
            if len(data.encode()) > 64:
                raise ValueError(f"callback data too long: {data!r}")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def paged(
    items: Sequence[tuple[str, str]],
    page: int,
    page_prefix: str,
    t: Translator,
    extra: Sequence[tuple[str, str]] = (),
) -> InlineKeyboardMarkup:
    """One button per row, PAGE_SIZE per page, with ◀ ▶ buttons carrying ``page_prefix:N``."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows: list[list[tuple[str, str]]] = [
        [item] for item in items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    nav = []
    if page > 0:
        nav.append(("◀ " + t("Previous"), f"{page_prefix}:{page - 1}"))
    if page < pages - 1:
        nav.append((t("Next") + " ▶", f"{page_prefix}:{page + 1}"))
    if nav:
        rows.append(nav)
    if extra:
        rows.append(list(extra))
    return buttons(rows)


def query_of(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query


def data_parts(update: Update) -> list[str]:
    return (query_of(update).data or "").split(":")


def int_part(update: Update, index: int) -> int | None:
    """A numeric field of callback data, or None when it was forged or garbled."""
    parts = data_parts(update)
    try:
        return int(parts[index])
    except (IndexError, ValueError):
        return None


def remember_prompt(draft: dict[str, Any], message: Message) -> None:
    """Note which message carries the live buttons of a flow, to tell stale ones apart."""
    draft["prompt"] = message.message_id


def is_stale(update: Update, draft: dict[str, Any]) -> bool:
    query = update.callback_query
    if query is None or query.message is None:
        return False
    return draft.get("prompt") not in (None, query.message.message_id)


def local_date(ctx: KurulContext, instant: datetime) -> date:
    """The calendar day of an instant where the councils are (BOT_TIMEZONE)."""
    return instant.astimezone(ZoneInfo(ctx.settings.timezone)).date()


def text_of(update: Update) -> str | None:
    message = update.effective_message
    return message.text if message is not None else None


# --- guided flows -----------------------------------------------------------------------------

Step = Callable[[Update, KurulContext], Coroutine[Any, Any, str | int]]


def guarded(flow: str, state: str) -> Callable[[Step], Step]:
    """Refuse a button that does not belong to the flow's current prompt, staying in place."""

    def wrap(step: Step) -> Step:
        async def run(update: Update, ctx: KurulContext) -> str | int:
            if is_stale(update, ctx.draft(flow)):
                await answer(update, ctx, ctx.t("This button is no longer active."), alert=True)
                return state
            await answer(update, ctx)
            return await step(update, ctx)

        return run

    return wrap


def cancel_flow(flow: str, message: str = N_("Cancelled. Nothing was saved.")) -> Step:
    """A /cancel (or Cancel button) step: forget the draft, say so, end the flow.

    ``message`` is an English msgid marked with ``N_`` by the caller."""

    async def cancel(update: Update, ctx: KurulContext) -> int:
        await answer(update, ctx)
        ctx.drop_draft(flow)
        await send(update, ctx, ctx.t(message))
        return END

    return cancel


def command_entry(
    name: str, start: Callable[[Update, KurulContext], Coroutine[Any, Any, Any]]
) -> list[BaseHandler[Update, KurulContext, Any]]:
    """A command and its button in /menu (``menu:<name>``), for a flow's entry or a plain
    command."""
    return [CommandHandler(name, start), CallbackQueryHandler(start, pattern=f"^menu:{name}$")]


def cancel_row(ctx: KurulContext, data: str) -> list[tuple[str, str]]:
    return [(ctx.t("Cancel"), data)]


async def want_button(update: Update, ctx: KurulContext) -> None:
    await send(update, ctx, ctx.t("Please choose one of the buttons above."))


async def want_text(update: Update, ctx: KurulContext) -> None:
    await send(update, ctx, ctx.t("Please answer with a text message."))


MESSAGE_LIMIT = 3900  # Telegram allows 4096 characters; leave room for markup


def split_messages(blocks: Sequence[str], sep: str = "\n",
                   limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into messages under Telegram's length limit, splitting between blocks."""
    messages, current = [], ""
    for block in blocks:
        if current and len(current) + len(block) + len(sep) > limit:
            messages.append(current)
            current = ""
        current = f"{current}{sep}{block}" if current else block
    messages.append(current)
    return messages


async def prompt(update: Update, ctx: KurulContext, flow: str, text: str,
                 markup: InlineKeyboardMarkup | None = None, new: bool = False) -> None:
    """Show a flow's live buttons (HTML), remembering which message carries them: in place of
    the pressed message, or as a new one."""
    message = (await send(update, ctx, text, markup, parse_mode="HTML") if new
               else await edit_or_send(update, ctx, text, markup, parse_mode="HTML"))
    remember_prompt(ctx.draft(flow), message)


def ends_on_refusal(flow: str) -> Callable[[Step], Step]:
    """A refusal in the middle of a flow (a role ended meanwhile, a record went away) ends the
    flow, saying why, instead of reaching the error handler."""

    def wrap(step: Step) -> Step:
        async def run(update: Update, ctx: KurulContext) -> str | int:
            try:
                return await step(update, ctx)
            except ServiceError as error:
                await answer(update, ctx)
                await send(update, ctx, refusal_text(ctx.t, error))
                ctx.drop_draft(flow)
                return END

        return run

    return wrap
