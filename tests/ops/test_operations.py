"""Operations: configuration check, logs without secrets, /healthz and /metrics, backups,
and upgrading a database made by the first migration without losing rows."""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from alembic.script import ScriptDirectory
from sqlalchemy import text

from adapters.web.server import Probes, build_metrics_app, start_server
from s4b_bot import logs
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from storage.backup import backup, restore
from storage.db import Database, sqlite_url
from storage.migrate import alembic_config, current_revision, upgrade_to
from tests.fakes import RecordingPlatform

ROOT = Path(__file__).resolve().parents[2]
ADA = Actor("console", "local", "ada", "Ada")


def run_bot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("S4B_", "SLACK_", "DISCORD_"))
    }
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_validates_without_connecting() -> None:
    ok = run_bot("check", env={"S4B_DATABASE_URL": "postgresql://nobody@10.255.255.1/none"})
    assert ok.returncode == 0 and "Configuration OK" in ok.stdout
    bad = run_bot(
        "check",
        env={
            "S4B_HTTP_PORT": "70000",
            "S4B_REMINDER_OFFSETS": "7d",
            "S4B_LOG_LEVEL": "chatty",
            "SLACK_HTTP_PORT": "99999999",
        },
    )
    assert bad.returncode == 2
    assert "S4B_HTTP_PORT" in bad.stderr and "S4B_LOG_LEVEL" in bad.stderr
    assert "SLACK_HTTP_PORT" in bad.stderr  # every part's problems, in one go
    slack = run_bot("check", env={"SLACK_BOT_TOKEN": "xoxb-123"})
    assert slack.returncode == 2 and "SLACK_APP_TOKEN" in slack.stderr
    assert "xoxb-123" not in slack.stdout + slack.stderr
    discord = run_bot("check", env={"DISCORD_TOKEN": "MTE.GxYzAb.secret-part"})
    assert discord.returncode == 2 and "DISCORD_GUILD_ID: required" in discord.stderr
    assert "secret-part" not in discord.stdout + discord.stderr


def test_logs_never_carry_tokens_secrets_or_emails() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RedactingFilter())
    handler.setFormatter(logs.JsonFormatter())
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        log.info("calling with token=%s for %s", "xoxb-1111-2222-abcd", "ada@example.org")
        log.info(
            "Authorization: Bot MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789"
        )
        try:
            raise RuntimeError("signing_secret=abc123def456 rejected for ben@example.org")
        except RuntimeError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    for secret in ("xoxb-1111", "ada@example.org", "ben@example.org", "abc123def456", "GaBcDe"):
        assert secret not in out
    assert out.count("\n") == 3 and '"level": "error"' in out and "[email]" in out


@pytest.fixture
async def server(
    core: Core, clock: SettableClock, unused_tcp_port_factory: Callable[[], int]
) -> tuple[str, str, Dispatcher, dict[str, bool]]:
    """The public server and the metrics listener (reading the queue on every scrape)."""
    dispatcher = Dispatcher(
        core.db, platforms={"console": RecordingPlatform()}, clock=clock, settings=core.settings
    )
    connected = {"slack": True}
    probes = Probes(dispatcher=dispatcher, adapters={"slack": lambda: connected["slack"]})
    public, private = unused_tcp_port_factory(), unused_tcp_port_factory()
    runner: web.AppRunner = await start_server(core, host="127.0.0.1", port=public, probes=probes)
    metrics = web.AppRunner(build_metrics_app(core, max_age=0))
    await metrics.setup()
    await web.TCPSite(metrics, "127.0.0.1", private).start()
    yield (  # type: ignore[misc]
        f"http://127.0.0.1:{public}",
        f"http://127.0.0.1:{private}",
        dispatcher,
        connected,
    )
    await metrics.cleanup()
    await runner.cleanup()


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def test_health_and_metrics(
    core: Core, clock: SettableClock, server: tuple[str, str, Dispatcher, dict[str, bool]]
) -> None:
    base, metrics_base, dispatcher, connected = server
    status, body = await get(f"{base}/healthz")
    assert status == 200 and '"database": true' in body
    connected["slack"] = False
    status, body = await get(f"{base}/healthz")
    assert status == 503 and '"slack": false' in body
    connected["slack"] = True
    values = {"name": "Ada", "about": "x", "sessions": ("1",), "consent": True}
    await core.submit(FormSubmission(ADA, "register", values))
    assert (await get(f"{base}/metrics"))[0] == 404  # not on the public port
    status, body = await get(f"{metrics_base}/metrics")
    assert status == 200
    assert 's4b_outbox_rows{status="pending"}' in body
    due = float(
        next(line for line in body.splitlines() if line.startswith("s4b_outbox_due ")).split()[1]
    )
    assert due >= 1  # at least the invitation, due now
    assert "s4b_commands_total" in body
    await dispatcher.drain()
    _, body = await get(f"{metrics_base}/metrics")
    assert (
        "s4b_outbox_due 0.0" in body
        and 's4b_deliveries_total{outcome="sent",platform="console"}' in body
    )
    clock.set(datetime(2025, 5, 1, tzinfo=UTC))  # the dispatcher has not run for a month
    status, body = await get(f"{base}/healthz")
    assert status == 503 and '"dispatcher": false' in body


async def _empty(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
async def test_a_database_from_the_first_migration_upgrades_without_losing_rows(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        db = Database(sqlite_url(tmp_path / "old.sqlite3"))
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        await _empty(db)
    try:
        await upgrade_to(db.engine, "0001")
        assert await current_revision(db.engine) == "0001"
        async with db.engine.begin() as conn:
            now = datetime(2025, 3, 1)
            await conn.execute(
                text(
                    "INSERT INTO communities (id, platform, external_id, created_at) VALUES (1, 'slack', 'T1', :n)"
                ),
                {"n": now},
            )
            await conn.execute(
                text(
                    "INSERT INTO members (id, community_id, user_id, display_name, created_at) VALUES (1, 1, 'U1', 'Ada', :n)"
                ),
                {"n": now},
            )
            await conn.execute(
                text(
                    "INSERT INTO series (id, key, name, timezone, info, created_at) VALUES (1, 's', 'S', 'America/Toronto', '{}', :n)"
                ),
                {"n": now},
            )
            await conn.execute(
                text(
                    "INSERT INTO sessions (id, series_id, number, season, title, description, starts_at, ends_at, timezone, status, sequence, updated_at) "
                    "VALUES (1, 1, 1, 'Spring', 'T', 'D', :s, :e, 'America/Toronto', 'scheduled', 0, :n)"
                ),
                {"s": datetime(2025, 4, 29, 17), "e": datetime(2025, 4, 29, 18), "n": now},
            )
            await conn.execute(
                text(
                    "INSERT INTO registrations (id, session_id, member_id, name, about, email, consent, created_at) "
                    "VALUES (1, 1, 1, 'Ada', 'Neighbour', 'ada@example.org', :t, :n)"
                ),
                {"t": True, "n": now},
            )
        await db.migrate()
        assert (
            await current_revision(db.engine)
            == ScriptDirectory.from_config(alembic_config()).get_current_head()
        )
        async with db.engine.connect() as conn:
            row = (await conn.execute(text("SELECT name, email, status FROM registrations"))).one()
            member = (
                await conn.execute(text("SELECT display_name, reminders_enabled FROM members"))
            ).one()
        assert tuple(row) == ("Ada", "ada@example.org", "confirmed")
        assert member[0] == "Ada" and bool(member[1]) is True
    finally:
        if not db.is_sqlite:  # leave the shared test database as the other tests expect it
            await _empty(db)
            await db.migrate()
        await db.dispose()


async def test_sqlite_backup_and_restore(core: Core, tmp_path: Path) -> None:
    if not core.db.is_sqlite:
        pytest.skip("the PostgreSQL round trip is below")
    values = {"name": "Ada", "about": "x", "sessions": ("1",), "consent": True}
    await core.submit(FormSubmission(ADA, "register", values))
    target = tmp_path / "backup.sqlite3"
    backup(core.db.url, target)
    await core.run_text(ADA, "s4b", "unregister spring")
    await core.db.dispose()
    restore(core.db.url, target)
    assert "1 upcoming" in str((await core.run_text(ADA, "s4b", "mine")).reply)


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
async def test_postgres_backup_and_restore(postgres_url: str, tmp_path: Path) -> None:
    db = Database(postgres_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO communities (platform, external_id, created_at) VALUES ('x', 'backup-test', now())"
                )
            )
        backup(db.url, tmp_path / "pg.dump")
        async with db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM communities WHERE external_id = 'backup-test'"))
        await db.dispose()
        restore(db.url, tmp_path / "pg.dump")
        async with db.engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT count(*) FROM communities WHERE external_id = 'backup-test'")
            )
        assert found == 1
    finally:
        await db.dispose()
