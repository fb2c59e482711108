"""The database is the truth: registrations and half-finished conversations survive a restart,
in this process and for the real ``python -m bot run`` pointed at BOT_API_BASE_URL."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Province
from tests.e2e.harness import BotProcess, cli_env, run_cli, running
from tests.fakebot import FakeBotAPI


async def test_a_restart_mid_conversation_resumes_at_the_same_step(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    user = fake.user(7001, "Ece", language_code="en")
    async with running(fake, db_path) as bot:
        await user.command("start", province.token)
        await user.expect("Step 1 of 4")
        await user.send_text("Ece Arslan")
        await user.expect("Step 2 of 4")
        await bot.restart()
        await user.send_text("Uzman")  # the title: the bot remembers where we were
        await user.expect("Step 3 of 4")
        await user.share_contact("+905321234567")
        await user.expect("Step 4 of 4")
        await bot.restart()
        await user.press("English")
        preview = await user.expect("Please check your details")
        assert "Ece Arslan" in (preview.text or "") and "Uzman" in (preview.text or "")
        await user.press("✅ Confirm")
        await user.expect("Thank you, Ece Arslan.")
        await bot.restart()
        await user.command("me")
        me = await user.expect("My data")
        assert "Secretariat" in (me.text or "")


async def test_the_deployed_command_starts_answers_and_keeps_state_across_restarts(
    fake: FakeBotAPI, db_path: Path, tmp_path: Path
) -> None:
    env = cli_env(fake, db_path)
    code, out, err = await run_cli(
        ["init", "--province", "Kilis", "--foreign-population", "90000"], env)
    assert code == 0, err
    assert f"https://t.me/{fake.bot_username}?start=" in out
    token = out.rsplit("start=", 1)[1].strip()
    code, _, err = await run_cli(["init", "--province", "KİLİS", "--foreign-population", "1"], env)
    assert code == 1 and "already set up" in err  # refused, not a crash
    code, out, err = await run_cli(
        ["district", "add", "--province", "Kilis", "--name", "Elbeyli", "--foreign-population",
         "15000", "--border"], env)
    assert code == 0 and "Elbeyli" in out, err

    user = fake.user(7101, "Ece", language_code="en")
    bot = BotProcess(env)
    await bot.start()
    try:
        await user.command("start")
        await user.expect("Welcome to Kurul", timeout=30)
        await user.command("start", token)
        await user.expect("Step 1 of 4")
        await user.send_text("Ece Arslan")
        await user.expect("Step 2 of 4")
    finally:
        stderr = await bot.stop()
    assert "Traceback" not in stderr, stderr
    commands = fake.commands("en", {"type": "all_private_chats"})
    assert commands is not None and {c["command"] for c in commands} == {
        "start", "lang", "help", "cancel", "privacy"}

    bot = BotProcess(env)
    await bot.start()
    try:
        await user.send_text("Uzman")
        await user.expect("Step 3 of 4", timeout=30)
        await user.send_text("0532 123 45 67")
        await user.expect("Step 4 of 4")
        await user.press("English")
        await user.expect("Please check your details")
        await user.press("✅ Confirm")
        await user.expect("Thank you, Ece Arslan.")
        await user.command("districts")
        districts = await user.expect("District councils")
        assert "Elbeyli" in (districts.text or "") and "border district" in (districts.text or "")
    finally:
        stderr = await bot.stop()
    assert "Traceback" not in stderr, stderr

    bot = BotProcess(env)
    await bot.start()
    try:
        await user.command("me")
        await user.expect("Secretariat", timeout=30)
    finally:
        await bot.stop()


async def test_init_without_token_needs_the_bot_username(
    fake: FakeBotAPI, db_path: Path
) -> None:
    env = cli_env(fake, db_path, with_token=False)
    code, _, err = await run_cli(["init", "--province", "Kilis", "--foreign-population", "9"],
                                 env)
    assert code != 0 and "--bot-username" in err
    code, out, _ = await run_cli(["init", "--province", "Kilis", "--foreign-population", "9",
                                  "--bot-username", "@kurul_il_bot"], env)
    assert code == 0 and "https://t.me/kurul_il_bot?start=" in out


async def test_a_database_newer_than_the_code_is_refused_clearly(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    from bot.store.db import Database, load_migrations

    async with Database(db_path) as db:
        await db.execute(f"PRAGMA user_version = {load_migrations()[-1].version + 5}")
    code, _, err = await run_cli(["run"], cli_env(fake, db_path))
    assert code == 2 and "upgrade the bot" in err and "Traceback" not in err


async def test_webhook_mode_when_bot_webhook_url_is_set(
    fake: FakeBotAPI, db_path: Path
) -> None:
    from tests.fakebot import free_port

    port = free_port()
    env = cli_env(fake, db_path)
    env.update(BOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram", BOT_WEBHOOK_LISTEN="127.0.0.1",
               BOT_WEBHOOK_PORT=str(port), BOT_WEBHOOK_SECRET="s3cret-token")
    user = fake.user(7201, "Ece", language_code="en")
    bot = BotProcess(env)
    await bot.start()
    try:
        await user.command("start")
        await user.expect("Welcome to Kurul", timeout=30)
        webhook = fake.calls("setWebhook")
        assert webhook and webhook[-1].params["url"].endswith("/telegram")
        assert not fake.calls("getUpdates")
    finally:
        stderr = await bot.stop()
    assert "Traceback" not in stderr, stderr
