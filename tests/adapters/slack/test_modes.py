"""HTTP mode as a real server on 127.0.0.1, and Socket Mode over a local WebSocket.

Both receive the same signed (HTTP) or enveloped (Socket Mode) payloads and must give
the same acks; HTTP mode refuses bad signatures and stale timestamps. No secret is logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from adapters.slack.serve import serve, start_http
from s4b_bot.core import Core
from storage.models import Idea
from tests.adapters.slack.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    FORM,
    action_body,
    block_text,
    command_body,
    event_body,
    signed_headers,
    submission_body,
)
from tests.logcapture import debug_logging


@pytest.fixture
async def http_url(slack: SlackBot, unused_tcp_port: int) -> AsyncIterator[str]:
    runner = await start_http(slack, host="127.0.0.1", port=unused_tcp_port)
    yield f"http://127.0.0.1:{unused_tcp_port}"
    await runner.cleanup()


async def post(url: str, body: str | bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status, await r.text()


async def test_http_mode_answers_signed_requests(
    slack: SlackBot, mock_slack: MockSlack, http_url: str
) -> None:
    url = http_url + "/slack/events"
    body = command_body("sessions", response_url=mock_slack.response_url())
    started = time.monotonic()
    status, text = await post(url, body, signed_headers(SIGNING_SECRET, body))
    assert (status, text) == (200, "") and time.monotonic() - started < 1.0
    await slack.settled()
    [reply] = mock_slack.to("respond")
    assert "Spring" in block_text(reply.args["blocks"])

    body = action_body("s4b:register:1", response_url=mock_slack.response_url("act"))
    assert (await post(url, body, signed_headers(SIGNING_SECRET, body)))[0] == 200
    await slack.settled()
    assert len(mock_slack.to("views.open")) == 1

    view = mock_slack.to("views.open")[0].args["view"]
    body = submission_body(view, {"name": "Ada", "about": "Hi", "sessions": ("1",)})
    status, text = await post(url, body, signed_headers(SIGNING_SECRET, body))
    assert status == 200 and json.loads(text)["errors"].keys() == {"consent"}

    body = event_body()
    headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")
    assert (await post(url, body, headers))[0] == 200
    await slack.settled()
    assert mock_slack.to("views.publish")

    challenge = json.dumps({"type": "url_verification", "challenge": "c4llenge", "token": "t"})
    headers = signed_headers(SIGNING_SECRET, challenge, content_type="application/json")
    assert json.loads((await post(url, challenge, headers))[1]) == {"challenge": "c4llenge"}
    async with aiohttp.ClientSession() as http, http.get(http_url + "/healthz") as health:
        assert health.status == 200


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda b: signed_headers("not-the-secret", b), id="bad signature"),
        pytest.param(
            lambda b: signed_headers(SIGNING_SECRET, b, timestamp=int(time.time()) - 301),
            id="older than five minutes",
        ),
        pytest.param(lambda b: {"content-type": FORM}, id="unsigned"),
    ],
)
async def test_http_mode_refuses_forged_and_replayed_requests(
    slack: SlackBot, mock_slack: MockSlack, http_url: str, forge: Any
) -> None:
    body = command_body("unregister all", response_url=mock_slack.response_url())
    status, _ = await post(http_url + "/slack/events", body, forge(body))
    assert status == 401
    await slack.settled()
    assert not mock_slack.to("respond") and not mock_slack.to("views.publish")


async def test_serve_runs_http_mode_until_stopped(
    sqlite_core: Core, slack_config: SlackConfig, mock_slack: MockSlack, unused_tcp_port: int
) -> None:
    config = slack_config.model_copy(
        update={"http_port": unused_tcp_port, "http_host": "127.0.0.1"}
    )
    assert config.resolved_mode == "http"
    stop = asyncio.Event()
    task = asyncio.create_task(serve(build_slack(sqlite_core, config), stop))
    body = command_body("help", response_url=mock_slack.response_url())
    for _ in range(100):
        try:
            status, _ = await post(
                f"http://127.0.0.1:{unused_tcp_port}/slack/events",
                body,
                signed_headers(SIGNING_SECRET, body),
            )
            break
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.02)
    assert status == 200
    stop.set()
    await asyncio.wait_for(task, 5)
    assert mock_slack.to("respond")


async def test_socket_mode_gets_the_same_acks_and_logs_no_secret(
    sqlite_core: Core,
    slack_config: SlackConfig,
    mock_slack: MockSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="aiosqlite")  # only noise here; then the rest:
    caplog.set_level(logging.DEBUG)  # (this order: set_level also sets the handler's level)
    config = slack_config.model_copy(
        update={"app_token": SecretStr(APP_TOKEN), "signing_secret": None}
    )
    assert config.resolved_mode == "socket"
    slack = build_slack(sqlite_core, config)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(slack, stop))
    await mock_slack.wait_for("apps.connections.open")
    assert mock_slack.to("apps.connections.open")[0].token == APP_TOKEN
    for _ in range(200):
        if mock_slack.sockets:
            break
        await asyncio.sleep(0.01)

    payload = dict(parse_qsl(command_body("mine", response_url=mock_slack.response_url())))
    envelope = await mock_slack.send_envelope("slash_commands", payload)
    assert "payload" not in await mock_slack.ack_of(envelope)  # an empty ack
    await mock_slack.wait_for("respond")
    assert "not registered for any session" in block_text(mock_slack.to("respond")[0].args)

    view = json.loads(dict(parse_qsl(submission_body({"blocks": []}, {})))["payload"])
    view["view"] = {
        **view["view"],
        "callback_id": "s4b:form",
        "private_metadata": '{"form": "register"}',
    }
    envelope = await mock_slack.send_envelope("interactive", view)
    ack = await mock_slack.ack_of(envelope)
    assert ack["payload"]["response_action"] == "errors"

    stop.set()
    await asyncio.wait_for(task, 5)
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text
    assert "auth.test" in caplog.text  # the SDK did log its requests, redacted


async def test_while_serving_web_api_calls_share_kept_alive_connections(
    sqlite_core: Core, slack_config: SlackConfig, mock_slack: MockSlack, unused_tcp_port: int
) -> None:
    config = slack_config.model_copy(
        update={"http_port": unused_tcp_port, "http_host": "127.0.0.1"}
    )
    bot = build_slack(sqlite_core, config)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(bot, stop))
    for _ in range(100):
        if bot.connected:
            break
        await asyncio.sleep(0.02)
    for n in range(5):
        await bot.platform.client.chat_postMessage(channel="C0TEST", text=f"message {n}")
    stop.set()
    await asyncio.wait_for(task, 5)
    peers = {call.peer for call in mock_slack.to("chat.postMessage")}
    assert len(mock_slack.to("chat.postMessage")) == 5
    assert len(peers) == 1, peers  # one connection, not one a call
    assert bot.platform.client.session is None  # closed with the server


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [("soon", None), ("", None), ("1e9", None), (None, "v0=é" + "0" * 63)],
    ids=["words", "empty", "float", "non-ascii signature"],
)
async def test_malformed_signature_headers_are_refused_without_a_traceback(
    slack: SlackBot,
    mock_slack: MockSlack,
    http_url: str,
    caplog: pytest.LogCaptureFixture,
    timestamp: str | None,
    signature: str | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    body = command_body("idea Tea after every session", response_url=mock_slack.response_url())
    headers = signed_headers(SIGNING_SECRET, body)
    if timestamp is not None:
        headers["x-slack-request-timestamp"] = timestamp
        headers["x-slack-signature"] = (
            "v0="
            + hmac.new(
                SIGNING_SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
            ).hexdigest()
        )  # signed with the malformed stamp
    if signature is not None:
        headers["x-slack-signature"] = signature
    status, _ = await post(http_url + "/slack/events", body.encode(), headers)
    assert status == 401
    await slack.settled()
    assert not mock_slack.to("respond")
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_replayed_signed_request_is_acknowledged_and_not_run_again(
    slack: SlackBot, mock_slack: MockSlack, http_url: str, sqlite_core: Core
) -> None:
    body = command_body("idea Tea after every session", response_url=mock_slack.response_url())
    headers = signed_headers(SIGNING_SECRET, body)
    for _ in range(3):  # the same bytes, timestamp and signature: within the five minutes
        assert await post(http_url + "/slack/events", body, headers) == (200, "")
        await slack.settled()
    async with sqlite_core.db.transaction() as db:
        assert await db.scalar(select(func.count()).select_from(Idea)) == 1
    assert len(mock_slack.to("respond")) == 1
    again = signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) + 1)
    assert (await post(http_url + "/slack/events", body, again))[0] == 200  # typed again
    await slack.settled()
    assert len(mock_slack.to("respond")) == 2  # a new request is run (and answered)


async def test_slacks_retries_are_acknowledged_and_not_run_again(
    slack: SlackBot, mock_slack: MockSlack, http_url: str
) -> None:
    body = event_body()
    headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")
    retry = {**headers, "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(http_url + "/slack/events", data=body, headers=retry) as response,
    ):
        assert response.status == 200 and response.headers["x-slack-no-retry"] == "1"
    await slack.settled()
    assert not mock_slack.to("views.publish")


async def test_request_bodies_stay_out_of_the_debug_log(
    slack: SlackBot, mock_slack: MockSlack, http_url: str
) -> None:
    url = http_url + "/slack/events"
    idea = "Qz bee circles on the library roof"
    answers = {"name": "Adaqz Lovelace", "about": "Keeps qz bees", "sessions": ("1",)}
    with debug_logging() as log:
        body = command_body(f"idea {idea}", response_url=mock_slack.response_url())
        assert (await post(url, body, signed_headers(SIGNING_SECRET, body)))[0] == 200
        body = action_body("s4b:register:1", response_url=mock_slack.response_url("act"))
        assert (await post(url, body, signed_headers(SIGNING_SECRET, body)))[0] == 200
        await slack.settled()
        view = mock_slack.to("views.open")[0].args["view"]
        body = submission_body(view, {**answers, "consent": True})
        assert (await post(url, body, signed_headers(SIGNING_SECRET, body)))[0] == 200
        await slack.settled()
    # The idea was answered, and the registration went through (App Home republished).
    assert mock_slack.to("respond") and mock_slack.to("views.publish")
    written = log.getvalue()
    assert "debug lines are written" in written  # the log was on, at DEBUG
    for secret in (idea, answers["name"], answers["about"], BOT_TOKEN, SIGNING_SECRET):
        assert secret not in written, secret


async def test_http_mode_calls_and_response_url_posts_share_one_connection(
    slack: SlackBot, mock_slack: MockSlack, unused_tcp_port: int
) -> None:
    """start_http alone (as the burst benchmark runs it) shares one kept-alive session:
    bolt's per-request clients, the platform's client and the response_url posts."""
    runner = await start_http(slack, host="127.0.0.1", port=unused_tcp_port)
    url = f"http://127.0.0.1:{unused_tcp_port}/slack/events"
    for n in range(4):
        body = command_body("sessions", response_url=mock_slack.response_url(f"c{n}"))
        assert (await post(url, body, signed_headers(SIGNING_SECRET, body)))[0] == 200
        await slack.settled()
        await slack.platform.client.chat_postMessage(channel="C0TEST", text=f"message {n}")
    await runner.cleanup()
    assert len(mock_slack.to("respond")) == 4
    assert len(mock_slack.to("chat.postMessage")) == 4
    peers = {call.peer for call in mock_slack.calls}
    assert len(peers) == 1, f"{len(peers)} connections for {len(mock_slack.calls)} calls"
    assert slack.platform.client.session is None  # closed with the server
