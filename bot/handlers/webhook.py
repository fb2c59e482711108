"""The webhook listener: Telegram's updates in, and ``GET /healthz`` for the operator.

PTB's ``run_webhook`` serves exactly one route, so this is PTB's documented alternative, a
custom webhook server (its ``customwebhookbot`` examples), on tornado, which PTB's webhooks
extra already brings. It keeps PTB's behaviour on the Telegram route: ``POST /telegram`` with
a JSON body, the ``X-Telegram-Bot-Api-Secret-Token`` header checked when a secret is set
(403 otherwise), the update put on the Application's queue and answered 200 at once;
``set_webhook`` (allowed updates, secret, 40 connections) once the server listens, and the
webhook left in place at stop so that Telegram keeps what arrives while the bot restarts.

``/healthz`` answers 200 with a JSON body when a fresh connection can read the database, and
503 when it cannot: ``status``, ``database`` (``ok`` or the error), ``schema_version``,
``outbox_queued`` and ``outbox_sending``, ``last_update_age_seconds`` (since Telegram last
delivered an update; null before the first), ``uptime_seconds`` and ``version``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer

from bot import __version__
from bot.config import Settings
from bot.store.health import probe

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class ListenerState:
    """What the listener knows beyond the database: when it started and last got an update."""

    started: float = field(default_factory=time.monotonic)
    last_update: float | None = None


class TelegramRoute(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, app: Application, secret: str | None,  # type: ignore[type-arg]
                   state: ListenerState) -> None:
        self.app, self.secret, self.state = app, secret, state

    async def post(self) -> None:
        if self.secret is not None:
            given = self.request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                log.warning("webhook call without the right secret token from %s",
                            self.request.remote_ip)
                raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(self.request.body), self.app.bot)
        except Exception as exc:
            log.error("could not read an update from the webhook: %r", exc)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from exc
        self.state.last_update = time.monotonic()
        if isinstance(self.app.bot, ExtBot):
            self.app.bot.insert_callback_data(update)
        await self.app.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *args: Any) -> None:
        """A refused call is expected traffic, logged above; not a traceback."""


class HealthRoute(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)  # type: ignore[assignment]

    def initialize(self, bot_settings: Settings, state: ListenerState) -> None:
        # (tornado's RequestHandler has a `settings` of its own)
        self.bot_settings, self.state = bot_settings, state

    async def get(self) -> None:
        report, healthy = await health_report(self.bot_settings, self.state)
        self.set_status(HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.write(json.dumps(report))


async def health_report(settings: Settings, state: ListenerState) -> tuple[dict[str, Any], bool]:
    now = time.monotonic()
    report: dict[str, Any] = {
        "status": "ok",
        "database": "ok",
        "schema_version": None,
        "outbox_queued": None,
        "outbox_sending": None,
        "last_update_age_seconds": (None if state.last_update is None
                                    else round(now - state.last_update, 1)),
        "uptime_seconds": round(now - state.started, 1),
        "version": __version__,
    }
    try:
        db = await asyncio.to_thread(probe, settings.db_path)
    except (sqlite3.Error, OSError) as exc:
        log.warning("health check: the database cannot be read: %s", exc)
        report.update(status="unavailable", database=f"error: {exc}")
        return report, False
    report.update(schema_version=db.schema_version, outbox_queued=db.outbox_queued,
                  outbox_sending=db.outbox_sending)
    return report, True


class _Routes(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: Telegram calls for every update; ours are the records above."""


class WebhookListener:
    """The HTTP server of webhook mode, started after ``post_init`` and stopped first."""

    def __init__(self, app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
        self.app, self.settings = app, settings
        self.state = ListenerState()
        routes = _Routes([
            (rf"{WEBHOOK_PATH}/?", TelegramRoute,
             {"app": app, "secret": settings.webhook_secret, "state": self.state}),
            (HEALTH_PATH, HealthRoute, {"bot_settings": settings, "state": self.state}),
        ])
        self._server = HTTPServer(routes)
        self._listening = False

    async def start(self) -> None:
        self._server.listen(self.settings.webhook_port, address=self.settings.webhook_listen)
        self._listening = True
        await self.app.bot.set_webhook(
            url=self.settings.webhook_url or "", allowed_updates=Update.ALL_TYPES,
            secret_token=self.settings.webhook_secret, max_connections=40)
        log.info("webhook listening on %s:%s", self.settings.webhook_listen,
                 self.settings.webhook_port)

    async def stop(self) -> None:
        """No new call is taken; calls being answered finish (their updates are queued)."""
        if not self._listening:
            return
        self._listening = False
        self._server.stop()
        await self._server.close_all_connections()
