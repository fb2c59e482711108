"""Running the real bot against the fake Bot API: in this process (fast, with an injected
clock) or as ``python -m bot run`` in a child process (the way it is deployed)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from telegram import Update

from bot.__main__ import execute
from bot.app import build_application, post_init, post_shutdown
from bot.config import Settings
from bot.domain.clock import Clock
from bot.handlers.base import KurulApplication
from tests.fakebot import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"https://t\.me/(\w+)\?start=([\w-]+)")


def settings_for(fake: FakeBotAPI, db_path: Path, **extra: object) -> Settings:
    return Settings(token=fake.token, api_base_url=fake.base_url, db_path=db_path,
                    persistence_interval=0.2, **extra)  # type: ignore[arg-type]


class RunningBot:
    """The Application started the way ``run_polling`` starts it, but stoppable from a test."""

    def __init__(self, fake: FakeBotAPI, db_path: Path, clock: Clock | None = None) -> None:
        self.fake, self.db_path, self.clock = fake, db_path, clock
        self.app: KurulApplication | None = None

    def settings(self) -> Settings:
        return settings_for(self.fake, self.db_path)

    async def start(self) -> KurulApplication:
        app = build_application(self.settings(), self.clock)
        await app.initialize()
        await post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1,
                                        allowed_updates=Update.ALL_TYPES)
        await app.start()
        self.app = app
        return app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await post_shutdown(app)

    async def restart(self) -> KurulApplication:
        await self.stop()
        return await self.start()


@contextlib.asynccontextmanager
async def running(fake: FakeBotAPI, db_path: Path, clock: Clock | None = None
                  ) -> AsyncIterator[RunningBot]:
    bot = RunningBot(fake, db_path, clock)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


def cli_env(fake: FakeBotAPI, db_path: Path, with_token: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(BOT_API_BASE_URL=fake.base_url, BOT_DB_PATH=str(db_path), PYTHONUNBUFFERED="1")
    if with_token:
        env["BOT_TOKEN"] = fake.token
    return env


async def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """``python -m bot ARGS`` in a child process; returns (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def run_cli_inline(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """The CLI in this process (no interpreter start-up); returns (exit code, stdout+stderr)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = await execute(args, env)
    return code, out.getvalue()


def token_from(text: str) -> str:
    match = LINK.search(text)
    assert match, f"no invitation link in: {text!r}"
    return match.group(2)


class BotProcess:
    """``python -m bot run`` as a child process, stopped with SIGTERM like a service manager.

    Its stderr is read as it comes: a child writing more than a pipe holds (64 KiB: the logs of
    a few steps at DEBUG) would otherwise block in its next log call until the stop."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.returncode: int | None = None  # the exit code of the last stop
        self._reader: asyncio.Task[bytes] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        assert self.proc.stderr is not None
        self._reader = asyncio.create_task(self.proc.stderr.read())  # to EOF, i.e. the exit

    async def stop(self, sig: int = signal.SIGTERM) -> str:
        assert self.proc is not None and self._reader is not None
        self.proc.send_signal(sig)
        err = await asyncio.wait_for(self._reader, timeout=30)
        self.returncode = await asyncio.wait_for(self.proc.wait(), timeout=30)
        self.proc, self._reader = None, None
        return err.decode()
