"""Wiring only: read the configuration, open storage, build the core, start an adapter.

python bot.py                      run: Slack/Discord if their tokens are set, else the console
python bot.py console [--now T] [--as NAME] [--organizer] [--script FILE]
python bot.py programme load FILE  add or update a programme from a file
python bot.py db upgrade|backup FILE|restore FILE
python bot.py check                validate the configuration without connecting
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from adapters.console.repl import Console
from adapters.web.server import start_server
from s4b_bot import logs
from s4b_bot.clock import SettableClock, SystemClock, as_utc
from s4b_bot.core import Core
from s4b_bot.errors import UserError
from s4b_bot.ports import Clock
from s4b_bot.programme import DEFAULT_PROGRAMME, load_programme, read_programme
from s4b_bot.settings import Settings
from storage.backup import BackupError, backup, restore
from storage.db import Database, normalise_url


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot.py", description="The S4B working-group bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--now", help="pretend it is this time, e.g. 2025-04-01T12:00 (UTC)")
    console.add_argument("--as", dest="name", default="you", help="who is typing")
    console.add_argument("--organizer", action="store_true", help="type as an organizer")
    console.add_argument("--script", type=Path, help="read commands from this file")
    programme = sub.add_parser("programme", help="manage programmes")
    programme_sub = programme.add_subparsers(dest="action", required=True)
    load = programme_sub.add_parser("load", help="add or update a programme from a TOML file")
    load.add_argument("file", type=Path)
    db = sub.add_parser("db", help="manage the database")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    db_backup = db_sub.add_parser("backup", help="copy the database to a file")
    db_backup.add_argument("file", type=Path)
    db_restore = db_sub.add_parser("restore", help="replace the database with a backup")
    db_restore.add_argument("file", type=Path)
    sub.add_parser("check", help="validate the configuration without connecting to anything")
    return parser.parse_args(argv)


async def run_console(settings: Settings, args: argparse.Namespace) -> None:
    start = as_utc(datetime.fromisoformat(args.now)) if args.now else settings.now
    clock = SettableClock(start or SystemClock().now())
    core = await start_core(settings, clock)
    scripted = args.script is not None or not sys.stdin.isatty()
    console = Console(
        core,
        clock,
        name=args.name,
        organizer=args.organizer,
        echo=scripted,
        files_dir=settings.data_dir / "console-files",
    )
    web = None
    if settings.http_port is not None:
        web = await start_server(core, host=settings.http_host, port=settings.http_port)
    try:
        if args.script is not None:
            with args.script.open(encoding="utf-8") as script:
                await console.run_script(iter(script.read().splitlines()))
        elif scripted:
            await console.run_script(iter(sys.stdin.read().splitlines()))
        else:
            await console.run_interactive()
    finally:
        if web is not None:
            await web.cleanup()
        await core.db.dispose()


async def start_core(settings: Settings, clock: Clock) -> Core:
    db = Database(settings.resolved_database_url)
    core = Core(db, clock=clock, settings=settings)
    await core.start()
    return core


async def load_programme_file(settings: Settings, path: Path) -> None:
    spec = read_programme(path)
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        async with db.transaction() as session:
            report = await load_programme(session, spec, now=SystemClock().now())
        print(
            f"Loaded {report.series}: {report.added} sessions added, {report.updated} updated "
            f"({report.moved} moved to a new time)."
        )
    finally:
        await db.dispose()


def check_configuration() -> int:
    """Validate every setting and the programme file; connect to nothing."""
    try:
        settings = Settings()
    except ValidationError as exc:
        print("The configuration has problems:", file=sys.stderr)
        for error in exc.errors():
            name = "S4B_" + "_".join(str(p) for p in error["loc"]).upper()
            print(f"- {name}: {error['msg']}", file=sys.stderr)
        return 2
    problems = []
    try:
        url = normalise_url(settings.resolved_database_url)
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            problems.append(f"S4B_DATABASE_URL: {url.get_backend_name()} is not supported")
    except Exception as exc:  # make_url's errors vary by what was typed
        problems.append(f"S4B_DATABASE_URL: {exc}")
    try:
        read_programme(settings.programme_file or DEFAULT_PROGRAMME)
    except UserError as exc:
        problems.append(f"S4B_PROGRAMME_FILE: {exc}")
    if settings.slack_bot_token and not (settings.slack_app_token or settings.slack_signing_secret):
        problems.append(
            "SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) "
            "nor SLACK_SIGNING_SECRET (HTTP mode) is"
        )
    if settings.http_port and not settings.public_url:
        problems.append("S4B_HTTP_PORT is set without S4B_PUBLIC_URL: feed links would be wrong")
    for problem in problems:
        print(f"- {problem}", file=sys.stderr)
    if problems:
        return 2
    platforms = [
        name
        for name, on in (("Slack", settings.slack_bot_token), ("Discord", settings.discord_token))
        if on
    ] or ["console"]
    print(
        f"Configuration OK: {', '.join(platforms)}; database "
        f"{normalise_url(settings.resolved_database_url).render_as_string(hide_password=True)}."
    )
    return 0


async def upgrade_database(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        print(f"Database at {db.url.render_as_string(hide_password=True)} is up to date.")
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "check":
        return check_configuration()
    try:
        settings = Settings()
    except ValidationError:
        return check_configuration()  # says what is wrong, setting by setting
    console = args.command in (None, "run", "console") and not (
        settings.slack_bot_token or settings.discord_token
    )
    # In the console, log lines would be mixed into the chat: only warnings go out.
    logs.configure(level="WARNING" if console else settings.log_level, json_lines=settings.log_json)
    try:
        if args.command == "programme":
            asyncio.run(load_programme_file(settings, args.file))
        elif args.command == "db" and args.action == "upgrade":
            asyncio.run(upgrade_database(settings))
        elif args.command == "db":
            url = normalise_url(settings.resolved_database_url)
            (backup if args.action == "backup" else restore)(url, args.file)
            print(f"{args.action.capitalize()} done: {args.file}")
        else:
            if args.command in (None, "run"):
                if settings.slack_bot_token or settings.discord_token:
                    print("The Slack and Discord adapters are not built yet; opening the console.")
                args = parse_args(["console"])
            asyncio.run(run_console(settings, args))
    except (UserError, BackupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
