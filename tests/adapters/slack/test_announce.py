"""An announcement on Slack keeps its permalink (chat.getPermalink), so an organizer who
asks to announce again right away is shown the post instead of a silent nothing; and it
follows the session: chat.update shows the new time, or "cancelled" without Register."""

from __future__ import annotations

import pytest

from adapters.slack.app import SlackBot
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.slack.conftest import ANNOUNCEMENTS
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import valid_blocks
from tests.helpers import confirmed, flat, reply_text

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


SPRING = "<!date^1745946000^"
"""The Spring session's start as Slack shows it (2025-04-29 17:00 UTC)."""
MOVED = "<!date^1746550800^"
"""Its new start, a week later (2025-05-06 17:00 UTC)."""


def action_ids(blocks: list[dict[str, object]]) -> list[str]:
    return [
        str(element["action_id"])  # type: ignore[index]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]  # type: ignore[attr-defined]
    ]


async def test_the_announcement_follows_a_reschedule_and_a_cancellation_by_chat_update(
    mock_slack: MockSlack, sqlite_core: Core, dispatcher: Dispatcher
) -> None:
    await sqlite_core.run_text(JO, "s4b-admin", "announce spring")
    await dispatcher.drain()
    [post] = mock_slack.to("chat.postMessage")
    assert post.result is not None
    shown = mock_slack.messages[(ANNOUNCEMENTS, post.result["ts"])]
    assert SPRING in str(shown["blocks"]) and "s4b:register:1" in action_ids(shown["blocks"])

    await confirmed(sqlite_core, JO, "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    [edit] = mock_slack.to("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == (ANNOUNCEMENTS, post.result["ts"])
    valid_blocks(edit.args["blocks"])
    assert MOVED in str(shown["blocks"]) and SPRING not in str(shown["blocks"])
    assert "Rescheduled" in str(shown["blocks"])
    assert "s4b:register:1" in action_ids(shown["blocks"])
    [notice] = mock_slack.to("chat.postMessage")[1:]
    assert notice.args["channel"] == ANNOUNCEMENTS
    assert "The Spring session, “Cultivating Belonging" in notice.args["text"]
    assert MOVED in str(notice.args["blocks"])

    await confirmed(sqlite_core, JO, "session cancel spring Snowed in <sorry>")
    await dispatcher.drain()
    assert len(mock_slack.to("chat.update")) == 2
    assert shown["text"].startswith("The Spring session is cancelled: Snowed in &lt;sorry&gt;.")
    assert "s4b:register:1" not in action_ids(shown["blocks"])
    assert action_ids(shown["blocks"]) == ["s4b:session:1"]
    [cancelled] = mock_slack.to("chat.postMessage")[2:]
    assert "is cancelled: Snowed in" in cancelled.args["text"]
    assert len(mock_slack.messages) == 3  # the announcement and two notices, nothing else
