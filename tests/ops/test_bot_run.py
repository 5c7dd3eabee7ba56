"""`bot.py run` as a volunteer runs it: the real process, Slack in Socket Mode against the
local mock Slack, the HTTP server's /healthz, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp

from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import command_body

ROOT = Path(__file__).resolve().parents[2]


async def test_bot_py_run_serves_slack_and_health_and_stops_cleanly(
    tmp_path: Path, unused_tcp_port: int
) -> None:
    mock = MockSlack()
    await mock.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S4B_", "SLACK_", "DISCORD_"))}
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-run-test-token",
        "SLACK_APP_TOKEN": "xapp-run-test-token",
        "SLACK_API_URL": mock.api_url,
        "S4B_DATA_DIR": str(tmp_path),
        "S4B_NOW": "2025-04-01T12:00:00+00:00",
        "S4B_HTTP_PORT": str(unused_tcp_port),
        "S4B_PUBLIC_URL": f"http://127.0.0.1:{unused_tcp_port}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "bot.py",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        for _ in range(300):
            if mock.sockets:
                break
            await asyncio.sleep(0.05)
        assert mock.sockets, "the bot never opened its Socket Mode connection"
        payload = dict(parse_qsl(command_body("sessions", response_url=mock.response_url())))
        await mock.ack_of(await mock.send_envelope("slash_commands", payload))
        [reply] = await mock.wait_for("respond")
        assert "Cultivating Belonging" in json.dumps(reply.args)

        async with aiohttp.ClientSession() as http:
            for _ in range(50):
                async with http.get(f"http://127.0.0.1:{unused_tcp_port}/healthz") as response:
                    health = await response.json()
                if response.status == 200:
                    break
                await asyncio.sleep(0.1)
        assert health == {
            "status": "ok",
            "checks": {"database": True, "dispatcher": True, "slack": True},
        }
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 30)
        await mock.stop()
    logs = (out + err).decode()
    assert process.returncode == 0, logs
    assert "xoxb-run-test-token" not in logs and "xapp-run-test-token" not in logs
    assert "Traceback" not in logs


async def test_s4b_now_starts_a_clock_that_runs_so_a_rehearsal_sees_a_reminder_come_due(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """`bot.py run` with S4B_NOW: the clock starts there and keeps running (not frozen)."""
    from bot import rehearsal_clock
    from s4b_bot.clock import SystemClock
    from s4b_bot.core import Core
    from s4b_bot.invocation import Actor, FormSubmission
    from s4b_bot.outbox.dispatch import Dispatcher
    from s4b_bot.settings import Settings
    from storage.db import Database, sqlite_url
    from tests.fakes import RecordingPlatform

    one_hour_before_spring = datetime(2025, 4, 29, 16, 0, tzinfo=UTC)
    settings = Settings(
        data_dir=tmp_path, now=one_hour_before_spring - timedelta(seconds=2), _env_file=None
    )
    path = tmp_path / "rehearsal.sqlite3"
    shutil.copy(sqlite_template, path)
    core = Core(Database(sqlite_url(path)), clock=SystemClock(), settings=settings)
    await core.start()
    core.clock = clock = rehearsal_clock(
        settings
    )  # started now: the migration's time is not counted
    platform = RecordingPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=settings
    )
    ada = Actor("console", "local", "ada", "Ada")
    values = {"name": "Ada", "about": "Neighbour", "sessions": ("1",), "consent": True}
    assert not (await core.submit(FormSubmission(ada, "register", values))).field_errors

    def reminders() -> list[str]:
        return [s.text for s in platform.dms_to("ada") if s.text.startswith("Reminder:")]

    stop = asyncio.Event()
    loop = asyncio.create_task(dispatcher.run_forever(stop, idle=0.2))
    try:
        await dispatcher.drain()
        before = len(reminders())
        for _ in range(100):
            if len(reminders()) > before:
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(loop, 5)
        await core.db.dispose()
    assert clock.now() > one_hour_before_spring
    assert len(reminders()) == before + 1, reminders()  # the 1-hour one came due
