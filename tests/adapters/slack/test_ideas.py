"""Members' ideas on Slack: posted with a thread, voted with buttons, edited in place."""

from __future__ import annotations

from adapters.slack.app import SlackBot
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    BEA,
    action_body,
    block_text,
    command_body,
    dispatch,
    valid_blocks,
)

IDEA = "A shared map of local belonging projects <!channel> & @everyone should see it"


async def test_an_idea_is_posted_safely_voted_on_and_edited_in_place(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    sqlite_core.settings.dispatch_rate = {"slack": 1_000.0}
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"slack": slack.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await dispatch(slack, command_body(f"idea {IDEA}", response_url=mock_slack.response_url()))
    await slack.settled()
    await dispatcher.drain()
    post, thread = mock_slack.to("chat.postMessage")
    assert post.result is not None and post.args["channel"] == "C0IDEAS"
    assert thread.args["thread_ts"] == post.result["ts"]  # the discussion under the post
    valid_blocks(post.args["blocks"])
    shown = block_text(post.args["blocks"]) + post.args["text"] + thread.args["text"]
    assert "<!channel>" not in shown and "@everyone" not in shown
    assert "&lt;!channel&gt; &amp; @\u2060everyone" in shown
    votes = [
        e["action_id"] for b in post.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    vote_up = next(a for a in votes if a.startswith("s4b:vote_up:"))

    mock_slack.clear()
    body = action_body(vote_up, user=BEA, response_url=mock_slack.response_url("vote"))
    await dispatch(slack, body)
    await slack.settled()
    [reply] = mock_slack.to("respond")
    assert reply.args["response_type"] == "ephemeral"
    await dispatcher.drain()
    [edit] = mock_slack.to("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == ("C0IDEAS", post.result["ts"])
    assert not mock_slack.to("chat.postMessage"), "an edit, not a second post"
    valid_blocks(edit.args["blocks"])
