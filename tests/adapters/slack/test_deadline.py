"""Slack's 3 s count from the request's arrival, not from when its listener got to run.

A saturated event loop is simulated deterministically: the arrival stamp is put in the
past (as if the request had waited that long for the loop), or the adapter's clock
(`deadline.clock`) jumps forward between the stamp and bolt's dispatch.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from pydantic import SecretStr

from adapters.slack import deadline
from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from adapters.slack.deadline import Deadline
from adapters.slack.modal import form_modal
from adapters.slack.serve import start_http
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from tests.adapters.slack.conftest import APP_TOKEN, SIGNING_SECRET
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    TEAM,
    block_text,
    command_body,
    dispatch,
    signed_headers,
    submission_body,
    valid_view,
)
from tests.adapters.slack.test_interactions import ANSWERS, open_form, registrations

serve_module = importlib.import_module("adapters.slack.serve")  # (the package exports serve())
CORE_TIME = 0.25
"""How long the slowed core takes: well inside the tests' 0.5 s budgets."""


def slow_core(core: Core, name: str, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make `core.<name>` take CORE_TIME; returns the list of times it finished."""
    real = getattr(core, name)
    finished: list[float] = []

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(CORE_TIME)
        outcome = await real(*args, **kwargs)
        finished.append(time.monotonic())
        return outcome

    monkeypatch.setattr(core, name, slow)
    return finished


def jumping_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """The adapter's clock, and a way to move it forward (the loop was busy that long)."""
    offset = [0.0]
    monkeypatch.setattr(deadline, "clock", lambda: time.monotonic() + offset[0])

    def jump(seconds: float) -> None:
        offset[0] += seconds

    return jump


def assert_saving(body: str | bytes) -> None:
    ack = json.loads(body)
    assert ack["response_action"] == "update", ack
    assert "Saving" in block_text(ack["view"])
    valid_view(ack["view"])


def assert_confirmed_in_the_modal(mock: MockSlack, view_id: str) -> None:
    """The "Saving…" modal was updated with the confirmation."""
    [update] = mock.to("views.update")
    assert update.args["view_id"] == view_id
    assert "Thank you, Ada Lovelace" in block_text(update.args["view"])
    valid_view(update.args["view"])


# ---- the deadline itself --------------------------------------------------------------


def test_the_wait_counts_from_arrival_and_keeps_the_loops_lag_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(deadline, "clock", lambda: now[0])
    fresh = Deadline.of({deadline.RECEIVED: 100.0})
    assert fresh.lag == 0 and fresh.left(2.0) == pytest.approx(2.0)
    now[0] = 100.5  # the listener started 0.5 s after arrival
    late = Deadline.of({deadline.RECEIVED: 100.0}, margin=1.0)
    assert late.lag == pytest.approx(0.5)
    assert late.left(2.0) == pytest.approx(3.0 - 1.0 - 0.5 - 0.5)  # 3 s - margin - lag - elapsed
    assert late.left(0.5) == pytest.approx(0.0)  # a small budget from arrival is all gone
    assert late.trigger_left() == pytest.approx(3.0 - 0.5 - deadline.TRIGGER_SLACK)
    unstamped = Deadline.of({})  # no stamp: the listener's start is the arrival
    assert unstamped.received == 100.5 and unstamped.left(2.0) == pytest.approx(2.0)
    future = Deadline.of({deadline.RECEIVED: 101.0})  # never trust a stamp from the future
    assert future.received == 100.5


# ---- view_submission ------------------------------------------------------------------


async def test_a_submission_that_arrived_2_9_s_ago_is_acked_at_once_with_saving(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = await open_form(slack, mock_slack)
    finished = slow_core(slack.handlers.core, "submit", monkeypatch)
    body = submission_body(view, ANSWERS)
    response = await dispatch(slack, body, received=deadline.clock() - 2.9)
    acked = time.monotonic()
    assert_saving(response.body)
    assert not finished, "the ack went out before the core had answered"
    await slack.settled()
    assert finished and acked < finished[0]
    assert sorted(await registrations(sqlite_core)) == [1, 2]
    assert_confirmed_in_the_modal(mock_slack, "V0FORM")


async def test_a_fresh_submission_still_gets_inline_errors_from_a_slowish_core(
    slack: SlackBot, mock_slack: MockSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = await open_form(slack, mock_slack)
    finished = slow_core(slack.handlers.core, "submit", monkeypatch)
    answers = {**ANSWERS, "consent": False}
    response = await dispatch(slack, submission_body(view, answers), received=deadline.clock())
    ack = json.loads(response.body)
    assert ack["response_action"] == "errors" and set(ack["errors"]) == {"consent"}
    assert finished, "the ack waited for the core"
    await slack.settled()
    assert not mock_slack.to("views.update")


async def test_http_mode_stamps_the_arrival_before_bolt_runs(
    slack: SlackBot, mock_slack: MockSlack, unused_tcp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop is "busy" for 2.9 s between the aiohttp handler and bolt's dispatch."""
    view = await open_form(slack, mock_slack)
    slow_core(slack.handlers.core, "submit", monkeypatch)
    jump = jumping_clock(monkeypatch)
    dispatch_now = slack.app.async_dispatch

    async def late_dispatch(request: Any) -> Any:
        jump(2.9)
        return await dispatch_now(request)

    monkeypatch.setattr(slack.app, "async_dispatch", late_dispatch)
    runner = await start_http(slack, host="127.0.0.1", port=unused_tcp_port)
    try:
        body = submission_body(view, ANSWERS)
        url = f"http://127.0.0.1:{unused_tcp_port}/slack/events"
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=body, headers=signed_headers(SIGNING_SECRET, body)) as r,
        ):
            assert r.status == 200
            assert_saving(await r.text())
        await slack.settled()
    finally:
        await runner.cleanup()
    assert_confirmed_in_the_modal(mock_slack, "V0FORM")


# ---- slash commands: the trigger_id ---------------------------------------------------


async def test_a_late_command_opens_loading_at_once_while_the_trigger_lives(
    slack: SlackBot, mock_slack: MockSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    finished = slow_core(slack.handlers.core, "run_text", monkeypatch)
    body = command_body("register", response_url=mock_slack.response_url())
    response = await dispatch(slack, body, received=deadline.clock() - 2.5)
    assert response.status == 200 and response.body == ""
    await slack.settled()
    [opened] = mock_slack.to("views.open")
    assert "one moment" in block_text(opened.args["view"])
    assert finished and opened.at < finished[0], "Loading… did not wait for the core"
    [updated] = mock_slack.to("views.update")
    assert updated.args["view_id"] == opened.result["view"]["id"]  # type: ignore[index]
    assert updated.args["view"]["callback_id"] == "s4b:form"


async def test_a_fresh_command_with_a_slowish_core_opens_the_form_directly(
    slack: SlackBot, mock_slack: MockSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_core(slack.handlers.core, "run_text", monkeypatch)
    body = command_body("register", response_url=mock_slack.response_url())
    await dispatch(slack, body, received=deadline.clock())
    await slack.settled()
    [opened] = mock_slack.to("views.open")
    assert opened.args["view"]["callback_id"] == "s4b:form"
    assert not mock_slack.to("views.update")


async def test_a_command_past_its_trigger_answers_by_respond(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    body = command_body("register", response_url=mock_slack.response_url())
    response = await dispatch(slack, body, received=deadline.clock() - 2.95)
    assert response.status == 200 and response.body == ""
    await slack.settled()
    assert not mock_slack.to("views.open"), "an expired trigger_id is not tried"
    [reply] = mock_slack.to("respond")
    assert "took too long" in block_text(reply.args["blocks"])


# ---- Socket Mode ----------------------------------------------------------------------


async def test_socket_mode_stamps_the_envelope_when_its_frame_is_read(
    sqlite_core: Core,
    slack_config: SlackConfig,
    mock_slack: MockSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loop is "busy" for 2.9 s between reading the frame and handing it to bolt."""
    config = slack_config.model_copy(
        update={"app_token": SecretStr(APP_TOKEN), "signing_secret": None}
    )
    slack = build_slack(sqlite_core, config)
    slow_core(slack.handlers.core, "submit", monkeypatch)
    jump = jumping_clock(monkeypatch)
    handler = serve_module.StampedSocketModeHandler
    handle_now = handler.handle

    async def late_handle(self: Any, client: Any, req: Any) -> None:
        jump(2.9)
        await handle_now(self, client, req)

    monkeypatch.setattr(handler, "handle", late_handle)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_module.serve(slack, stop))
    try:
        await mock_slack.wait_for("apps.connections.open")
        for _ in range(200):
            if mock_slack.sockets:
                break
            await asyncio.sleep(0.01)
        opened = await sqlite_core.run_text(Actor("slack", TEAM, "U0ADA", "ada"), "s4b", "register")
        assert opened.form is not None
        view = {**form_modal(opened.form), "id": "V0SOCK"}
        payload = json.loads(dict(parse_qsl(submission_body(view, ANSWERS)))["payload"])
        envelope = await mock_slack.send_envelope("interactive", payload)
        ack = await mock_slack.ack_of(envelope)
        assert_saving(json.dumps(ack["payload"]))
        await slack.settled()
        assert_confirmed_in_the_modal(mock_slack, "V0SOCK")
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


def test_socket_mode_keeps_no_stamp_it_will_not_use() -> None:
    """Frames without an envelope (hello, disconnect) leave nothing behind."""
    assert serve_module.ENVELOPE_ID.search('{"type": "hello", "num_connections": 1}') is None
    frame = json.dumps({"payload": {"text": '"envelope_id": "forged"'}, "envelope_id": "e-1"})
    found = serve_module.ENVELOPE_ID.search(frame)
    assert found is not None and found.group(1) == "e-1"
