"""The deployed process's logs (issue 8, item 5): JSON lines on stderr, and neither the bot's
token nor a phone number in any form, even at DEBUG where PTB prints whole updates (a shared
contact included) and httpx prints every Bot API URL with the token in it."""

from __future__ import annotations

import json
from pathlib import Path

from bot.logging_setup import PHONE_MASK, TOKEN_MASK
from tests.e2e.harness import BotProcess, cli_env, run_cli_inline, token_from
from tests.e2e.steps import register
from tests.fakebot import FakeBotAPI, Fault

# Shaped like a real token, so the test also covers the pattern, not only the known secret.
TOKEN = "7123456789:AAH3xKq9zVexampleSECRETpart0123456"
PHONE_FORMS = ["+905321234567", "905321234567", "5321234567", "532 123 45 67", "0532"]


async def test_the_running_bot_logs_json_lines_without_token_or_phone(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "kurul.db"
    async with FakeBotAPI(token=TOKEN) as fake:
        env = cli_env(fake, db_path)
        code, out = await run_cli_inline(
            ["init", "--province", "Kilis", "--foreign-population", "90000"], env)
        assert code == 0, out
        env.update(BOT_LOG_LEVEL="DEBUG")  # BOT_LOG_FORMAT unset: json is run's default
        user = fake.user(1234567, "Ece", language_code="en")  # shares +905321234567
        bot = BotProcess(env)
        await bot.start()
        try:
            await register(user, token_from(out), "Ece Arslan", lang="en")
            await fake.wait_idle()
            # An error inside a handler, its text carrying the token and the phone number.
            fake.fail_next("sendMessage", Fault(
                "bad_request", description=f"Bad Request: bot{TOKEN} chat 0532 123 45 67"))
            await user.command("me")
            await user.expect("Sorry, something went wrong")
        finally:
            stderr = await bot.stop()

    records = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    errors = [r for r in records if r["level"] == "ERROR" and "update_id" in r]
    assert len(errors) == 1 and isinstance(errors[0]["update_id"], int)
    assert "BadRequest" in errors[0]["exception"] and TOKEN_MASK in errors[0]["exception"]
    for secret in [TOKEN, TOKEN.split(":")[1], *PHONE_FORMS]:
        assert secret not in stderr, secret
    # the DEBUG records did carry them (so the absence above is the filter's work)
    assert any(PHONE_MASK in r["message"] for r in records if r["logger"].startswith("telegram"))
    assert any(TOKEN_MASK in r["message"] for r in records if r["logger"].startswith("http"))
