"""The command line: ``python -m bot run | init | district add | calendar | backup | check
| permissions``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot import logging_setup
from bot.config import Settings, SettingsError
from bot.domain.clock import SystemClock
from bot.domain.entrypoints import readme_block
from bot.domain.models import CouncilKind
from bot.domain.validation import InvalidInput
from bot.services import setup
from bot.services.errors import Refusal, ServiceError
from bot.services.invites import deep_link
from bot.store import Store
from bot.store.backup import BackupError, backup, verify
from bot.store.db import Database, DatabaseTooNew, load_migrations

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
    _calendar_parser(sub)
    sub.add_parser("permissions", help="print the permission table (Markdown)")
    backup = sub.add_parser("backup", help="copy the database consistently, even while it runs")
    backup.add_argument("path", type=Path, help="where to write the copy")
    check = sub.add_parser("check", help="check a database file (a restored backup) before "
                                         "the bot starts on it")
    check.add_argument("path", type=Path, nargs="?",
                       help="the file to check (default: BOT_DB_PATH)")
    return p


CALENDAR_FORMATS = ("text", "json", "csv", "ics")


def _calendar_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cal = sub.add_parser(
        "calendar",
        help="ordinary meeting windows and deadlines (text, JSON, CSV or ICS)",
        description=(
            "Three ways: every council of the database (--year [--province]), with each "
            "province's leave days; one body described here, without a database (--year "
            "--kind --foreign-population [--border] [--leave ...]); or the deadlines of one "
            "meeting (--kind --date)."
        ),
    )
    cal.add_argument("--year", type=int)
    cal.add_argument("--province", help="only this province (database mode)")
    cal.add_argument("--kind", choices=[k.value for k in CouncilKind])
    cal.add_argument("--foreign-population", type=int,
                     help="the province's (the district's, for a district council)")
    cal.add_argument("--border", action="store_true",
                     help="a border district subject to irregular migration (Art. 8(1))")
    cal.add_argument("--leave", action="append", default=[],
                     metavar="YYYY-MM-DD[..YYYY-MM-DD]",
                     help="an administrative leave day or range; repeat for more")
    cal.add_argument("--date", metavar="YYYY-MM-DD", help="the deadlines of a meeting on this day")
    cal.add_argument("--format", choices=CALENDAR_FORMATS, default="text")
    cal.add_argument("--lang", choices=["tr", "en"],
                     help="language of text and ICS (default BOT_DEFAULT_LOCALE, Turkish)")


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


def _calendar_usage(args: argparse.Namespace) -> str | None:
    """Which mode the arguments ask for, or None when they do not make one."""
    if args.date is not None:
        if args.kind is None:
            return None
        if args.year is not None or args.province is not None:
            return None
        return "meeting"
    if args.year is None:
        return None
    if args.kind is not None:
        if args.foreign_population is None or args.province is not None:
            return None
        return "adhoc"
    if args.foreign_population is not None or args.border or args.leave:
        return None
    return "database"


async def _calendar(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: `run` and `init` need neither the calendar nor its exports.
    from bot.documents.calendar_export import render
    from bot.i18n import translator
    from bot.services import calendar

    mode = _calendar_usage(args)
    if mode is None:
        print("error: use --year Y [--province NAME], or --year Y --kind K "
              "--foreign-population N [--border] [--leave DAY[..DAY]]..., "
              "or --kind K --date YYYY-MM-DD [--leave ...]", file=sys.stderr)
        return 2
    if args.foreign_population is not None and args.foreign_population < 0:
        print("error: --foreign-population cannot be negative", file=sys.stderr)
        return 2
    leave: list[date] = []
    for text in args.leave:
        try:
            start, end = calendar.parse_iso_range(text)
        except calendar.LeaveInputError as exc:
            print(f"error: --leave {text}: {exc.problem.value.replace('_', ' ')} "
                  f"(YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, at most "
                  f"{calendar.MAX_LEAVE_RANGE_DAYS} days)", file=sys.stderr)
            return 2
        leave += calendar.days_of(start, end)
    if mode == "meeting":
        try:
            meeting = date.fromisoformat(args.date)
        except ValueError:
            print(f"error: --date {args.date}: not a date (YYYY-MM-DD)", file=sys.stderr)
            return 2
        entries = calendar.meeting_calendar(CouncilKind(args.kind), meeting, leave)
    elif mode == "adhoc":
        entries = calendar.adhoc_calendar(CouncilKind(args.kind), args.year,
                                          args.foreign_population, args.border, leave)
    else:
        if not settings.db_path.exists():
            print(f"error: no database at {settings.db_path}; set BOT_DB_PATH, or run "
                  "`python -m bot init` first", file=sys.stderr)
            return 2
        async with Database(settings.db_path) as db:
            entries = await calendar.province_calendar(Store(db), args.year, args.province)
    t = translator(args.lang or settings.default_locale)
    sys.stdout.write(render(args.format, t, entries, datetime.now(UTC)))
    return 0


async def execute(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Run an offline command (everything but ``run``) inside an event loop; for tests too."""
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env(env)
        if args.command == "permissions":
            print(readme_block())
            return 0
        if args.command == "backup":
            return _backup(settings, args)
        if args.command == "check":
            return _check(settings, args)
        if args.command == "init":
            return await _init(settings, args)
        if args.command == "district":
            return await _district_add(settings, args)
        if args.command == "calendar":
            return await _calendar(settings, args)
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


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    try:
        done = backup(settings.db_path, args.path)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Backup written to {done.path} ({done.pages} pages, schema version "
          f"{done.schema_version}); integrity check passed.")
    return 0


def _check(settings: Settings, args: argparse.Namespace) -> int:
    path = args.path or settings.db_path
    try:
        done = verify(path)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    known = load_migrations()[-1].version
    if done.schema_version > known:
        print(f"error: {path} has schema version {done.schema_version}, newer than this bot "
              f"({known}); upgrade the bot", file=sys.stderr)
        return 1
    later = (f"; the bot will migrate it from version {done.schema_version} to {known} at "
             "start" if done.schema_version < known else "")
    print(f"{path}: integrity check passed, schema version {done.schema_version}{later}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # The service logs JSON for its collector; a person at a terminal reads text.
    default_format = "json" if args.command == "run" else "text"
    logging_setup.configure(settings.log_format or default_format, settings.log_level,
                            secrets=logging_setup.token_secrets(settings.token))
    if args.command != "run":
        return asyncio.run(execute(argv))
    from bot.app import run

    try:
        run(settings)
    except DatabaseTooNew as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
