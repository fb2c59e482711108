"""Wiring: ``build_application(settings)`` assembles PTB, the store, persistence and handlers.

Handler order (group 0) matters: guided conversations first, so that a text typed inside a flow
reaches the flow; then plain commands and buttons; last, the fallbacks for whatever no one took.
The gate runs before all of them in group -1.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import BotCommandScopeAllPrivateChats
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.config import Settings
from bot.domain.clock import Clock, SystemClock
from bot.handlers import (
    admin,
    agenda,
    audit,
    broadcast,
    calendar,
    common,
    decisions,
    groups,
    invites,
    meetings,
    meetings_day,
    meetings_new,
    members,
    notify_hooks,
    privacy,
    registration,
    serve,
)
from bot.handlers.base import KurulApplication, KurulContext, Runtime
from bot.handlers.commands import COMMANDS, bot_commands
from bot.handlers.persistence import SQLitePersistence
from bot.handlers.ratelimit import ReplyRateLimiter
from bot.handlers.telegram_api import JobQueueTimer, TelegramApi
from bot.i18n import SUPPORTED_LOCALES, translator
from bot.notify import agenda_kinds, decision_kinds, group_kinds, meeting_kinds
from bot.notify.engine import Notifier, attach, notifier_of
from bot.store import Store
from bot.store.db import Database

log = logging.getLogger(__name__)


async def post_init(app: Application) -> None:  # type: ignore[type-arg]
    assert isinstance(app, KurulApplication)
    await app.runtime.store.open()
    app.runtime.bot_username = app.bot.username
    await publish_commands(app)
    # The outbox sender, the progress of broadcasts and the reminders' timer (bot/notify).
    await notifier_of(app).start(JobQueueTimer(app.job_queue))
    log.info("bot @%s ready, database %s", app.bot.username, app.runtime.settings.db_path)


async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    assert isinstance(app, KurulApplication)
    await notifier_of(app).stop()
    await app.runtime.store.close()


async def publish_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The public command menu in every language; each person's own menu is set per chat."""
    public = [c for c in COMMANDS if c.public]
    scope = BotCommandScopeAllPrivateChats()
    try:
        default = app.bot_data.get("default_locale", "tr")
        await app.bot.set_my_commands(bot_commands(public, translator(default)), scope=scope)
        for locale in SUPPORTED_LOCALES:
            await app.bot.set_my_commands(bot_commands(public, translator(locale)), scope=scope,
                                          language_code=locale)
    except TelegramError as exc:
        log.warning("could not publish the command menu: %s", exc)


def build_application(
    settings: Settings, clock: Clock | None = None
) -> KurulApplication:
    clock = clock or SystemClock()
    if not settings.token:
        raise SystemExit("BOT_TOKEN is not set: get one from @BotFather and export it.")
    db = Database(settings.db_path)
    store = Store(db)
    # Created first: the replies' rate limiter shares its buckets with the outbox sender.
    notifier = Notifier(settings, store, clock, open_api=lambda: TelegramApi(
        settings.token or "", settings.api_base_url, settings.api_file_url,
        connections=max(1, settings.send_concurrency) + 2))
    # Meetings add their reminders and the .ics attachments to the engine (issue 5).
    meeting_kinds.install(notifier)
    # The agenda call and the D-18 reminder (issue 6).
    agenda_kinds.install(notifier)
    # Decisions: their reminders and escalations (issue 7).
    decision_kinds.install(notifier)
    # Council groups: meeting notices and agendas announced in a council's group (issue 8).
    group_kinds.install(notifier)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .application_class(KurulApplication)
        .context_types(ContextTypes(context=KurulContext))
        .persistence(SQLitePersistence(db, settings.persistence_interval))
        .defaults(Defaults(tzinfo=ZoneInfo(settings.timezone)))
        .rate_limiter(ReplyRateLimiter(notifier.pacer))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    app = builder.build()
    assert isinstance(app, KurulApplication)
    app.runtime = Runtime(settings=settings, store=store, clock=clock)
    attach(app, notifier)
    register_handlers(app)
    return app


def register_handlers(app: KurulApplication) -> None:
    for handler in common.gate_handlers():
        app.add_handler(handler, group=-1)
    # Guided flows first: a text typed inside a flow belongs to it.
    app.add_handler(registration.build_registration_conversation())
    app.add_handler(invites.build_invite_conversation())
    app.add_handler(members.build_promote_conversation())
    app.add_handler(admin.build_institutions_conversation())
    app.add_handler(admin.build_districts_conversation())
    app.add_handler(calendar.build_leave_conversation())
    app.add_handler(broadcast.build_broadcast_conversation())
    app.add_handler(meetings_new.build_newmeeting_conversation())
    app.add_handler(meetings.build_away_conversation())
    app.add_handler(meetings_day.build_attendee_conversation())
    app.add_handler(agenda.build_propose_conversation())
    app.add_handler(agenda.build_agenda_text_conversation())
    app.add_handler(decisions.build_minutes_conversation())
    app.add_handler(decisions.build_progress_conversation())
    # Last of the flows: the excuse, the chair's proposal and a cancellation's reason typed
    # after a notice's button, so that an abandoned one never takes another flow's text.
    app.add_handler(meetings.build_answer_conversation())
    # Plain commands and buttons.
    for plain in [*common.command_handlers(), *invites.invite_list_handlers(),
                  *members.member_handlers(), *calendar.calendar_handlers(),
                  *privacy.privacy_handlers()]:
        app.add_handler(plain)
    for plain in broadcast.deliveries_handlers():
        app.add_handler(plain)
    for plain in [*meetings.meetings_handlers(), *meetings_day.meetings_day_handlers()]:
        app.add_handler(plain)
    for plain in agenda.agenda_handlers():
        app.add_handler(plain)
    for plain in decisions.decisions_handlers():
        app.add_handler(plain)
    for plain in groups.group_handlers():
        app.add_handler(plain)
    # Council groups: the bot added, removed or moved (before the gate), announcements after.
    for hook, group in groups.membership_handlers():
        app.add_handler(hook, group=group)
    for plain in audit.audit_handlers():
        app.add_handler(plain)
    # The notification engine's watchers: before the gate and after everything (bot/notify).
    for hook, group in notify_hooks.handlers():
        app.add_handler(hook, group=group)
    # Whatever no one took.
    for handler in common.fallback_handlers():
        app.add_handler(handler)
    app.add_error_handler(common.error_handler)  # type: ignore[arg-type]


def run(settings: Settings) -> None:
    """Long polling, or the webhook listener when BOT_WEBHOOK_URL is set; stops gracefully on
    SIGTERM (bot/handlers/serve.py)."""
    serve.run(build_application(settings), settings)
