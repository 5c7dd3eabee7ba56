"""`bot.py run` as a volunteer runs it: the real process, Slack in Socket Mode against the
local mock Slack, the HTTP server's /healthz, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
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
