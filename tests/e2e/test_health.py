"""Webhook mode's listener (issue 8, item 5): Telegram's route with its secret, and
``GET /healthz`` answering 200 while the database can be read and 503 when it cannot; then a
SIGTERM stop that exits 0."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import aiohttp

from bot import __version__
from bot.store.db import load_migrations
from tests.e2e.conftest import Province
from tests.e2e.harness import BotProcess, cli_env
from tests.fakebot import FakeBotAPI, free_port

SECRET = "s3cret-token"


async def get_health(session: aiohttp.ClientSession, base: str) -> tuple[int, dict[str, Any]]:
    async with session.get(f"{base}/healthz") as response:
        return response.status, await response.json()


async def test_healthz_reports_the_database_and_the_backlog_and_503_when_it_is_gone(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = cli_env(fake, db_path)
    env.update(BOT_WEBHOOK_URL=f"{base}/telegram", BOT_WEBHOOK_LISTEN="127.0.0.1",
               BOT_WEBHOOK_PORT=str(port), BOT_WEBHOOK_SECRET=SECRET)
    user = fake.user(7301, "Ece", language_code="en")
    bot = BotProcess(env)
    await bot.start()
    try:
        await user.command("start")
        await user.expect("Welcome to Kurul", timeout=30)
        assert fake.webhook_url == f"{base}/telegram"
        async with aiohttp.ClientSession() as session:
            status, body = await get_health(session, base)
            assert status == 200, body
            assert body["status"] == "ok" and body["database"] == "ok"
            assert body["schema_version"] == load_migrations()[-1].version
            assert body["outbox_queued"] == 0 and body["outbox_sending"] == 0
            assert 0 <= body["last_update_age_seconds"] < 30
            assert body["version"] == __version__ and body["uptime_seconds"] >= 0

            # Telegram's route: a forged call without (or with a wrong) secret is refused.
            update = {"update_id": 999_999, "message": {
                "message_id": 1, "date": 0, "chat": {"id": 7301, "type": "private"},
                "from": {"id": 7301, "is_bot": False, "first_name": "X"}, "text": "/help"}}
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(f"{base}/telegram", json=update,
                                        headers=headers) as response:
                    assert response.status == 403
            async with session.get(f"{base}/telegram") as response:
                assert response.status == 405

            # The volume goes away: the health check says so; it comes back: healthy again.
            moved = db_path.with_name("elsewhere.db")
            os.replace(db_path, moved)
            try:
                status, body = await get_health(session, base)
            finally:
                os.replace(moved, db_path)
            assert status == 503, body
            assert body["status"] == "unavailable" and body["database"].startswith("error:")
            assert body["outbox_queued"] is None
            status, body = await get_health(session, base)
            assert status == 200 and body["database"] == "ok"
        await user.command("help")  # the bot itself kept working throughout
        await user.expect("/start")
    finally:
        stderr = await bot.stop()
    assert bot.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert not [d for d in fake.webhook_deliveries if d.status not in (200, None)]
