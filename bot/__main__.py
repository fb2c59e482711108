"""The command line: ``python -m bot run | init | district add``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import Settings, SettingsError
from bot.domain.clock import SystemClock
from bot.domain.validation import InvalidInput
from bot.services import setup
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import deep_link
from bot.store import Store
from bot.store.db import Database, DatabaseTooNew

MESSAGES = {
    Refusal.PROVINCE_EXISTS: "province {detail!r} is already set up; nothing was changed",
    Refusal.PROVINCE_UNKNOWN: "no province named {detail!r}; run `python -m bot init` first",
    Refusal.DISTRICT_EXISTS: "a district council named {detail!r} already exists in this province",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (long polling, or a webhook if BOT_WEBHOOK_URL)")
    init = sub.add_parser("init", help="set up a province and print its first secretariat link")
    init.add_argument("--province", required=True)
    init.add_argument("--foreign-population", type=int, required=True)
    init.add_argument("--bot-username", help="needed when BOT_TOKEN is not set")
    district = sub.add_parser("district", help="district councils")
    dsub = district.add_subparsers(dest="action", required=True)
    add = dsub.add_parser("add", help="add a district council with the Art. 4(3) institutions")
    add.add_argument("--province", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--foreign-population", type=int, required=True)
    add.add_argument("--border", action="store_true", help="a border district (Art. 8(1))")
    return p


async def _bot_username(settings: Settings, given: str | None) -> str:
    if given:
        return given.lstrip("@")
    if not settings.token:
        raise SystemExit("error: set BOT_TOKEN, or pass --bot-username, to build the link")
    from telegram import Bot

    async with Bot(settings.token, base_url=settings.api_base_url,
                   base_file_url=settings.api_file_url) as bot:
        return bot.username


async def _init(settings: Settings, args: argparse.Namespace) -> int:
    if args.foreign_population < 0:
        raise SystemExit("error: --foreign-population cannot be negative")
    username = await _bot_username(settings, args.bot_username)
    async with Database(settings.db_path) as db:
        done = await setup.init_province(
            Store(db), SystemClock(), args.province, args.foreign_population,
            timezone=settings.timezone, invite_ttl_days=settings.invite_ttl_days,
        )
    print(f"Province {done.province.name} is set up: provincial council, sub-commission and "
          "the Art. 4(2) institutions.")
    print(f"First secretariat link (one use, valid {settings.invite_ttl_days} days):")
    print(deep_link(username, done.token))
    return 0


async def _district_add(settings: Settings, args: argparse.Namespace) -> int:
    if args.foreign_population < 0:
        raise SystemExit("error: --foreign-population cannot be negative")
    async with Database(settings.db_path) as db:
        store = Store(db)
        province = await setup.province_or_refuse(store, args.province)
        council = await setup.add_district(
            store, SystemClock(), province.id, args.name, args.foreign_population, args.border
        )
    print(f"District council {council.name} ({province.name}) added with the Art. 4(3) "
          "institutions.")
    return 0


async def execute(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Run an offline command (everything but ``run``) inside an event loop; for tests too."""
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env(env)
        if args.command == "init":
            return await _init(settings, args)
        if args.command == "district":
            return await _district_add(settings, args)
        raise SystemExit(f"error: {args.command} cannot run inside an event loop")
    except (SettingsError, DatabaseTooNew) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ServiceError as exc:
        template = MESSAGES.get(exc.refusal, "{refusal}: {detail}")
        print("error: " + template.format(detail=exc.detail, refusal=exc.refusal.value),
              file=sys.stderr)
        return 1
    except InvalidInput as exc:
        print(f"error: invalid input ({exc.problem.value})", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.command != "run":
        return asyncio.run(execute(argv))
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from bot.app import run

    try:
        run(settings)
    except DatabaseTooNew as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
