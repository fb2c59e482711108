"""How ``python -m bot run`` runs and stops: long polling or the webhook listener.

A stop signal (SIGTERM from a service manager or ``docker stop``, SIGINT, SIGABRT) is taken
once; what follows is PTB's own graceful stop, with one step added in front:

1. the notification sender takes no new outbox row (``Notifier.hold``): a message whose
   request is in flight completes and is recorded, one waiting to be retried goes back to
   ``queued``;
2. no new update is taken (the poller stops, confirming to Telegram what it fetched; the
   webhook listener stops listening, and Telegram keeps the rest for the next start);
3. every update already taken is handled to its end, its replies sent and its transaction
   committed, and running jobs finish (``Application.stop``);
4. conversation state is flushed, the sender gives what is still in flight 5 s to settle, and
   the database is closed (``post_shutdown``).

Rows still ``sending`` after that (a request that outlived the grace) are queued again at the
next start, as after a crash (README, "Delivery guarantee"). A second signal while stopping
is logged and ignored: SIGKILL is the way to cut a stop short.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import NoReturn

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.handlers.webhook import WebhookListener
from bot.notify.engine import notifier_of

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


def run(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    install_stop_signals(loop, app)
    if settings.webhook_url:
        run_webhook(app, settings, loop)
    else:
        # PTB's own loop, on the event loop set above, with our signal handlers instead of
        # its own (they raise the same SystemExit, after holding the sender).
        app.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)


def install_stop_signals(loop: asyncio.AbstractEventLoop,
                         app: Application) -> None:  # type: ignore[type-arg]
    stopping = False

    def on_signal(sig: signal.Signals) -> None:
        nonlocal stopping
        if stopping:
            log.warning("%s while stopping: ignored (the stop is under way)", sig.name)
            return
        stopping = True
        log.info("%s: finishing the updates in hand, then stopping", sig.name)
        notifier_of(app).hold()
        _raise_system_exit()

    try:
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, on_signal, sig)
    except NotImplementedError:  # not on Windows: Ctrl-C still stops it, without the hold
        log.warning("stop signals cannot be handled on this platform")


def _raise_system_exit() -> NoReturn:
    # What PTB's own handler does: unwinds run_forever / run_until_complete, after which the
    # stop sequence runs on the same loop with every task (the updates in hand) still alive.
    raise SystemExit


def run_webhook(app: Application, settings: Settings,  # type: ignore[type-arg]
                loop: asyncio.AbstractEventLoop) -> None:
    """``Application.run_webhook``'s sequence around our own listener (it adds /healthz)."""
    listener = WebhookListener(app, settings)
    try:
        loop.run_until_complete(app.initialize())
        if app.post_init:
            loop.run_until_complete(app.post_init(app))
        loop.run_until_complete(listener.start())
        loop.run_until_complete(app.start())
        loop.run_forever()
    except (KeyboardInterrupt, SystemExit):
        log.debug("stop signal received")
    finally:
        try:
            loop.run_until_complete(listener.stop())
            if app.running:
                loop.run_until_complete(app.stop())
                if app.post_stop:
                    loop.run_until_complete(app.post_stop(app))
            loop.run_until_complete(app.shutdown())
            if app.post_shutdown:
                loop.run_until_complete(app.post_shutdown(app))
        finally:
            loop.close()
