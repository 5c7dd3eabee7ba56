"""A burst on Slack: when the core's queue is longer than Slack's wait allows, the form's
ack says "Saving…" at once; the App Home tabs wait for the queue to empty."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.slack.app import SlackBot
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import ADA, TEAM, block_text, dispatch, submission_body
from tests.adapters.slack.test_interactions import ANSWERS, open_form, registrations


async def test_a_long_queue_gets_saving_at_once_and_the_answer_after(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = await open_form(slack, mock_slack)
    monkeypatch.setattr(sqlite_core.writes, "expected_wait", lambda: 60.0)  # a burst ahead
    started = time.monotonic()
    response = await dispatch(slack, submission_body(view, ANSWERS))
    body = json.loads(response.body)
    # Without waiting the 2 s budget: in a real burst that wait ends past Slack's 3 s.
    assert time.monotonic() - started < 1.0
    assert body["response_action"] == "update" and "Saving" in block_text(body["view"])
    await slack.settled()
    [update] = mock_slack.to("views.update")
    assert "Thank you, Ada Lovelace" in block_text(update.args["view"])
    assert sorted(await registrations(sqlite_core)) == [1, 2]


async def test_app_home_waits_for_the_queue_and_comes_once(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    release = asyncio.Event()

    async def busy(session: AsyncSession) -> None:
        await release.wait()

    ada = Actor("slack", TEAM, ADA[0], "Ada Lovelace")
    holding = asyncio.ensure_future(sqlite_core.writes.run(busy))
    await asyncio.sleep(0.05)
    slack.handlers.refresh_home_soon(ada)
    slack.handlers.refresh_home_soon(ada)  # a second answer before it ran: one refresh
    await asyncio.sleep(0.3)
    assert not mock_slack.to("views.publish")
    release.set()
    await holding
    await slack.settled()
    [home] = mock_slack.to("views.publish")
    assert home.args["user_id"] == ADA[0]
