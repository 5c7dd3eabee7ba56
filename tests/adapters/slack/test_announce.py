"""An announcement on Slack keeps its permalink (chat.getPermalink), so an organizer who
asks to announce again right away is shown the post instead of a silent nothing."""

from __future__ import annotations

import pytest

from adapters.slack.app import SlackBot
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.slack.conftest import ANNOUNCEMENTS
from tests.adapters.slack.mock_slack import MockSlack
from tests.helpers import flat, reply_text

JO = Actor("slack", "T0S4B", "U0JO", "Jo", is_organizer=True)


@pytest.fixture
def dispatcher(slack: SlackBot, sqlite_core: Core, clock: SettableClock) -> Dispatcher:
    sqlite_core.settings.dispatch_rate = {"slack": 1_000.0}  # the adapter paces
    return Dispatcher(
        sqlite_core.db,
        platforms={"slack": slack.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )


async def test_announcing_twice_links_the_post_just_made(
    mock_slack: MockSlack, sqlite_core: Core, dispatcher: Dispatcher
) -> None:
    await sqlite_core.run_text(JO, "s4b-admin", "announce spring")
    await dispatcher.drain()
    [post] = mock_slack.to("chat.postMessage")
    assert post.args["channel"] == ANNOUNCEMENTS and post.result is not None
    [asked] = mock_slack.to("chat.getPermalink")
    assert asked.args == {"channel": ANNOUNCEMENTS, "message_ts": post.result["ts"]}
    assert asked.result is not None and asked.result["ok"]
    again = flat(reply_text(await sqlite_core.run_text(JO, "s4b-admin", "announce spring")))
    assert "was announced just now" in again and "nothing was posted again" in again
    assert f"Slack: {asked.result['permalink']}" in again
    await dispatcher.drain()
    assert len(mock_slack.to("chat.postMessage")) == 1


async def test_a_post_whose_link_cannot_be_had_is_still_sent_once(
    mock_slack: MockSlack, sqlite_core: Core, dispatcher: Dispatcher
) -> None:
    mock_slack.fail("chat.getPermalink", error="message_not_found")
    await sqlite_core.run_text(JO, "s4b-admin", "announce spring")
    await dispatcher.drain()
    await dispatcher.drain()
    assert len(mock_slack.to("chat.postMessage")) == 1
    again = flat(reply_text(await sqlite_core.run_text(JO, "s4b-admin", "announce spring")))
    assert again.endswith("so nothing was posted again.")
