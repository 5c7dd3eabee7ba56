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
import contextlib
import ipaddress
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from adapters.console.repl import Console
from adapters.discord import DiscordConfig
from adapters.slack import SlackConfig
from adapters.web.server import Probes, start_metrics_server, start_server
from s4b_bot import (
    DEFAULT_PROGRAMME,
    Clock,
    Core,
    Dispatcher,
    Platform,
    RunningClock,
    SettableClock,
    Settings,
    SystemClock,
    UserError,
    apply_retention,
    as_utc,
    load_programme,
    logs,
    read_programme,
)
from storage.backup import BackupError, backup, restore
from storage.db import Database, normalise_url

_log = logging.getLogger("s4b_bot.run")


def iso_time(text: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 2025-04-01T12:00") from None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot.py", description="The S4B working-group bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument(
        "--now", type=iso_time, help="pretend it is this time, e.g. 2025-04-01T12:00 (UTC)"
    )
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
    discord = sub.add_parser("discord", help="Discord helpers")
    discord_sub = discord.add_subparsers(dest="action", required=True)
    discord_sub.add_parser("invite-url", help="print the URL that adds the bot to a server")
    return parser.parse_args(argv)


def read_script(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise UserError(f"cannot read the script {path}: {reason}") from None


async def run_console(settings: Settings, args: argparse.Namespace) -> None:
    script = read_script(args.script) if args.script is not None else None
    start = args.now or settings.now
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
        if script is not None:
            await console.run_script(iter(script))
        elif scripted:
            await console.run_script(iter(sys.stdin.read().splitlines()))
        else:
            await console.run_interactive()
    finally:
        if web is not None:
            await web.cleanup()
        await core.db.dispose()


RETENTION_EVERY = 24 * 3600.0


async def run_bot(
    settings: Settings, slack_config: SlackConfig, discord_config: DiscordConfig
) -> None:
    """Slack and/or Discord, the dispatcher, the HTTP server, and daily retention, until
    SIGINT or SIGTERM; then each part stops cleanly (nothing planned is lost either way)."""
    from adapters.discord import build_discord, run_discord
    from adapters.slack import build_slack
    from adapters.slack import serve as serve_slack

    clock = rehearsal_clock(settings)
    core = await start_core(settings, clock)
    stop = asyncio.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signal_number, stop.set)
    platforms: dict[str, Platform] = {}
    probes: dict[str, Callable[[], bool]] = {}
    parts: list[Coroutine[Any, Any, None]] = []
    if slack_config.enabled:
        slack = build_slack(core, slack_config)
        platforms["slack"] = slack.platform
        probes["slack"] = lambda: slack.connected
        parts.append(serve_slack(slack, stop))
    if discord_config.token is not None:
        discord = build_discord(core, discord_config)
        platforms["discord"] = discord.platform
        probes["discord"] = discord.connected
        parts.append(run_discord(discord, stop=stop))
    dispatcher = Dispatcher(core.db, platforms=platforms, clock=clock, settings=settings)
    core.after_change = dispatcher.wake  # invitations go out at once, not at the next poll
    parts += [dispatcher.run_forever(stop), keep_retention(core, stop)]
    servers = []
    if settings.http_port is not None:
        servers.append(
            await start_server(
                core,
                host=settings.http_host,
                port=settings.http_port,
                probes=Probes(dispatcher=dispatcher, adapters=probes),
            )
        )
    if settings.metrics_port is not None:
        token = settings.metrics_token
        servers.append(
            await start_metrics_server(
                core,
                host=settings.metrics_host,
                port=settings.metrics_port,
                token=token.get_secret_value() if token else None,
            )
        )
    _log.info("running: %s", ", ".join(platforms) or "no platform")
    try:
        await asyncio.gather(*parts)
    finally:
        stop.set()
        for server in servers:
            await server.cleanup()
        await core.db.dispose()


def rehearsal_clock(settings: Settings) -> Clock:
    """The real time; with S4B_NOW, a clock that starts then and runs on, so a rehearsal
    sees its reminders come due."""
    return RunningClock(settings.now) if settings.now else SystemClock()


async def keep_retention(core: Core, stop: asyncio.Event) -> None:
    """Erase old form answers once a day (S4B_RETENTION_DAYS after their series ended)."""
    while not stop.is_set():
        try:
            async with core.db.transaction() as session:
                cleared = await apply_retention(
                    session, now=core.clock.now(), days=core.settings.retention_days
                )
            if cleared:
                _log.info("retention: cleared the answers of %d registrations", cleared)
        except Exception as exc:  # the database may be down; try again tomorrow
            _log.warning("retention failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=RETENTION_EVERY)


def print_invite_url() -> int:
    from adapters.discord import DiscordConfig, application_id_from_token, invite_url

    try:
        config = DiscordConfig()
    except ValidationError:
        return check_configuration()  # says what is wrong, setting by setting
    token = config.token.get_secret_value() if config.token else ""
    application_id = config.application_id or application_id_from_token(token)
    if application_id is None:
        print("error: set DISCORD_APPLICATION_ID (or DISCORD_TOKEN)", file=sys.stderr)
        return 2
    print(invite_url(application_id))
    return 0


async def start_core(settings: Settings, clock: Clock) -> Core:
    db = Database(settings.resolved_database_url, timeout=settings.database_timeout)
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


def read_configuration() -> tuple[Settings, SlackConfig, DiscordConfig]:
    """The core's settings and each platform adapter's own (pydantic raises on bad values)."""
    return Settings(), SlackConfig(), DiscordConfig()


def check_configuration() -> int:
    """Validate every setting and the programme file; connect to nothing."""
    loaded: dict[str, Any] = {}
    broken = False
    for prefix, config in (
        ("S4B_", Settings),
        ("SLACK_", SlackConfig),
        ("DISCORD_", DiscordConfig),
    ):
        try:
            loaded[prefix] = config()
        except ValidationError as exc:  # every wrong value, of every part, in one go
            if not broken:
                print("The configuration has problems:", file=sys.stderr)
            broken = True
            for error in exc.errors():
                name = prefix + "_".join(str(p) for p in error["loc"]).upper()
                print(f"- {name}: {error['msg']}", file=sys.stderr)
    if broken:
        return 2
    settings, slack, discord = loaded["S4B_"], loaded["SLACK_"], loaded["DISCORD_"]
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
    if slack.bot_token and not slack.enabled:
        problems.append(
            "SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) nor "
            "SLACK_SIGNING_SECRET with SLACK_HTTP_PORT (HTTP mode) is"
        )
    if settings.http_port and not settings.public_url:
        problems.append(
            "S4B_HTTP_PORT is set without S4B_PUBLIC_URL: links to feeds and pages would be wrong"
        )
    if (
        settings.metrics_port
        and not settings.metrics_token
        and not is_loopback(settings.metrics_host)
    ):
        problems.append(
            "S4B_METRICS_HOST is not a loopback address and S4B_METRICS_TOKEN is unset: "
            "anyone who reaches the port could read the metrics"
        )
    for problem in problems:
        print(f"- {problem}", file=sys.stderr)
    if problems:
        return 2
    platforms = [
        name for name, on in (("Slack", slack.enabled), ("Discord", discord.token)) if on
    ] or ["console"]
    print(
        f"Configuration OK: {', '.join(platforms)}; database "
        f"{normalise_url(settings.resolved_database_url).render_as_string(hide_password=True)}."
    )
    return 0


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


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
    if args.command == "discord":
        return print_invite_url()
    try:
        settings, slack, discord = read_configuration()
    except ValidationError:
        return check_configuration()  # says what is wrong, setting by setting
    console = args.command == "console" or (
        args.command in (None, "run") and not (slack.bot_token or discord.token)
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
        elif args.command in (None, "run") and not console:
            asyncio.run(run_bot(settings, slack, discord))
        else:
            if args.command in (None, "run"):
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
