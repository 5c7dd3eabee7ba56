"""The issue's "done means", as a new member and an organizer would try it on Slack.

Only Slack's payloads go in (signed, through the real bolt app) and only the mock Web
API's records come out: every button pressed is one the bot actually drew.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import icalendar
import pytest

from adapters.slack.app import SlackBot
from adapters.slack.listeners import MSG_NOT_ORGANIZER
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.slack.conftest import ANNOUNCEMENTS, BOT_TOKEN, SIGNING_SECRET
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    BEA,
    JO,
    action_body,
    block_text,
    command_body,
    dispatch,
    event_body,
    submission_body,
    valid_blocks,
    valid_view,
)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Label -> action id of every button drawn, last one wins."""
    return {
        e["text"]["text"] + ":" + e["action_id"].split(":")[-1]: e["action_id"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


def calendars(mock: MockSlack) -> list[icalendar.Calendar]:
    return [icalendar.Calendar.from_ical(content) for content in mock.uploads.values()]


async def test_a_member_and_an_organizer_on_slack(
    slack: SlackBot,
    mock_slack: MockSlack,
    sqlite_core: Core,
    clock: SettableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="aiosqlite")  # only noise here; then the rest:
    caplog.set_level(logging.DEBUG)  # (this order: set_level also sets the handler's level)
    sqlite_core.settings.dispatch_rate = {"slack": 1_000.0}
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"slack": slack.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    respond = mock_slack.response_url()

    # A member opens the registration modal…
    await dispatch(slack, command_body("register", response_url=respond))
    await slack.settled()
    [opened] = mock_slack.to("views.open")
    form = {**opened.args["view"], "id": "V00002"}
    valid_view(form)

    # …registers for two sessions…
    answers = {
        "name": "Ada Lovelace",
        "about": "A neighbour who runs the community garden",
        "email": "ada@example.org",
        "sessions": ("1", "2"),
        "consent": True,
    }
    ack = await dispatch(slack, submission_body(form, answers))
    assert ack.status == 200
    await slack.settled()
    # Shown in the modal (in the ack, or by views.update after "Saving…"), not as a DM.
    shown = [json.loads(ack.body)["view"], *(c.args["view"] for c in mock_slack.to("views.update"))]
    assert "you are registered" in block_text(shown)
    assert not mock_slack.to("chat.postMessage")

    # …gets the DM with the .ics, the one "you are registered" message…
    mock_slack.clear()
    await dispatcher.drain()
    [invitation] = mock_slack.to("chat.postMessage")
    assert invitation.args["channel"] == "D0ADA"
    assert "You are registered" in invitation.args["text"]
    assert "on its way" not in block_text(invitation.args["blocks"])
    valid_blocks(invitation.args["blocks"])
    assert len(mock_slack.to("files.getUploadURLExternal")) == 3
    assert mock_slack.to("files.completeUploadExternal")[0].args["channel_id"] == "D0ADA"
    summaries = [str(e["SUMMARY"]) for c in calendars(mock_slack)[:2] for e in c.walk("VEVENT")]
    assert len(summaries) == 2 and "Spring" in summaries[0] and "Summer" in summaries[1]

    # …sees them on the App Home tab…
    mock_slack.clear()
    await dispatch(slack, event_body(), content_type="application/json")
    await slack.settled()
    [home] = mock_slack.to("views.publish")
    valid_view(home.args["view"])
    assert "You are registered for 2 of the 4 upcoming sessions" in block_text(home.args["view"])
    drawn = buttons(home.args["view"]["blocks"])
    assert {"Unregister:1", "Unregister:2", "Register:3", "Register:4"} <= drawn.keys()

    # …and unregisters with a button.
    mock_slack.clear()
    await dispatch(slack, action_body(drawn["Unregister:1"], where="home"))
    await slack.settled()
    [answer] = mock_slack.to("views.open")
    assert "no longer registered for: Spring" in block_text(answer.args["view"])
    [home] = mock_slack.to("views.publish")
    assert "registered for 1 of the 4" in block_text(home.args["view"])
    assert "Register:1" in buttons(home.args["view"]["blocks"])
    mock_slack.clear()
    await dispatcher.drain()
    [cancel] = calendars(mock_slack)
    assert cancel["METHOD"] == "CANCEL"

    # An organizer's /s4b-admin works; a member's is refused.
    call = "session call summer https://call.example/s4b"
    mock_slack.clear()
    await dispatch(slack, command_body(call, user=JO, command="/s4b-admin", response_url=respond))
    await dispatch(slack, command_body(call, command="/s4b-admin", response_url=respond))
    await slack.settled()
    replies = {block_text(c.args["blocks"]) for c in mock_slack.to("respond")}
    assert any("Summer" in r and "call" in r.lower() for r in replies)
    assert any(r.startswith(MSG_NOT_ORGANIZER[:30]) for r in replies)

    # The organizer announces; another member registers from the post's button.
    mock_slack.clear()
    await dispatch(
        slack, command_body("announce fall", user=JO, command="/s4b-admin", response_url=respond)
    )
    await slack.settled()
    await dispatcher.drain()
    [post] = [c for c in mock_slack.to("chat.postMessage") if c.args["channel"] == ANNOUNCEMENTS]
    register = buttons(post.args["blocks"])["Register:3"]
    mock_slack.clear()
    await dispatch(
        slack, action_body(register, user=BEA, response_url=mock_slack.response_url("a"))
    )
    await slack.settled()
    [modal] = mock_slack.to("views.open")
    chosen = next(b for b in modal.args["view"]["blocks"] if b.get("block_id") == "sessions")
    assert [o["value"] for o in chosen["element"]["initial_options"]] == ["3"]
    assert json.loads(modal.args["view"]["private_metadata"]) == {"form": "register"}

    assert "views.open" in caplog.text  # the SDK logged its requests, with the token redacted
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text
