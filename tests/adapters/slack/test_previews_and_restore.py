"""Previews with Confirm and Back, and a restored session's Register again, on Slack:
through the real bolt app, pressing only the buttons the bot drew."""

from __future__ import annotations

from typing import Any

from adapters.slack.app import SlackBot
from adapters.slack.listeners import MSG_NOT_ORGANIZER
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    ADA,
    JO,
    TEAM,
    action_body,
    block_text,
    command_body,
    dispatch,
    valid_blocks,
)
from tests.helpers import register


def drawn(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Label -> action id of every button drawn."""
    return {
        e["text"]["text"]: e["action_id"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def test_cancel_previews_then_restore_brings_ada_back_with_one_press(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    sqlite_core.settings.dispatch_rate = {"slack": 1_000.0}
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"slack": slack.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await register(sqlite_core, Actor("slack", TEAM, ADA[0], "Ada Lovelace"), "fall")
    await dispatcher.drain()
    respond = mock_slack.response_url()
    mock_slack.clear()

    await dispatch(
        slack,
        command_body("session cancel fall", user=JO, command="/s4b-admin", response_url=respond),
    )
    await slack.settled()
    [preview] = mock_slack.to("respond")
    valid_blocks(preview.args["blocks"])
    assert "1 registrant will get a cancellation" in block_text(preview.args["blocks"])
    buttons = drawn(preview.args["blocks"])
    assert set(buttons) == {"Confirm", "Back"}

    # Ada cannot press it; Jo's Back changes nothing; nothing was sent.
    mock_slack.clear()
    for user, label in ((ADA, "Confirm"), (JO, "Back")):
        await dispatch(slack, action_body(buttons[label], user=user, response_url=respond))
    await slack.settled()
    answers = [block_text(c.args["blocks"]) for c in mock_slack.to("respond")]
    assert any(a.startswith(MSG_NOT_ORGANIZER[:30]) for a in answers)
    assert any("Nothing changed: the Fall session stays as it was." in a for a in answers)
    await dispatcher.drain()
    assert not mock_slack.to("chat.postMessage")

    # Previewed again and confirmed: Ada gets the cancellation.
    mock_slack.clear()
    await dispatch(
        slack,
        command_body("session cancel fall", user=JO, command="/s4b-admin", response_url=respond),
    )
    await slack.settled()
    [preview] = mock_slack.to("respond")
    confirm = drawn(preview.args["blocks"])["Confirm"]
    await dispatch(slack, action_body(confirm, user=JO, response_url=respond))
    await slack.settled()
    assert "The Fall session is cancelled." in block_text(
        mock_slack.to("respond")[-1].args["blocks"]
    )

    await dispatcher.drain()  # the cancellation
    mock_slack.clear()
    await dispatch(
        slack,
        command_body("session restore fall", user=JO, command="/s4b-admin", response_url=respond),
    )
    await slack.settled()
    assert "1 former registrant will get a message" in block_text(
        mock_slack.to("respond")[-1].args["blocks"]
    )
    mock_slack.clear()
    await dispatcher.drain()
    [dm] = [c for c in mock_slack.to("chat.postMessage") if c.args["channel"] == "D0ADA"]
    valid_blocks(dm.args["blocks"])
    assert "back on" in dm.args["text"]
    again = drawn(dm.args["blocks"])["Register again"]

    mock_slack.clear()
    await dispatch(slack, action_body(again, user=ADA, response_url=mock_slack.response_url("a")))
    await slack.settled()
    assert "Welcome back" in block_text([c.args for c in mock_slack.to("respond")])
    await dispatcher.drain()
    [invitation] = [c for c in mock_slack.to("chat.postMessage") if c.args["channel"] == "D0ADA"]
    assert "You are registered" in invitation.args["text"]
