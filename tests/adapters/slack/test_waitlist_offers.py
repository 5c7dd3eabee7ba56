"""Waitlist offers on Slack, through the real bolt app with signed requests: the offer DM
(valid Block Kit, Accept and Decline), accept, decline and the next in line, expiry, the
cut-off notice, leaving the waitlist, and someone else pressing."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.slack.app import SlackBot
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    ADA,
    BEA,
    JO,
    TEAM,
    action_body,
    block_text,
    command_body,
    dispatch,
    valid_blocks,
)
from tests.helpers import confirmed, register

CY = ("U0CY", "cy")
_presses = itertools.count()
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)


def _actor(user: tuple[str, str]) -> Actor:
    return Actor("slack", TEAM, user[0], user[1].title())


@pytest.fixture
async def queue(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> AsyncIterator[Dispatcher]:
    """Spring with one seat: Ada in it, Bea then Cy in line; the dispatcher sends to Slack."""
    sqlite_core.settings.dispatch_rate = {"slack": 1_000.0}
    organizer = Actor("slack", TEAM, JO[0], "Jo", is_organizer=True)
    reply = await confirmed(sqlite_core, organizer, "session capacity spring 1")
    assert reply.reply is not None and "now has 1 seat" in reply.reply.text[0].spans[0]
    for user in (ADA, BEA, CY):
        await register(sqlite_core, _actor(user), "spring")
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"slack": slack.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await dispatcher.drain()
    mock_slack.clear()
    yield dispatcher


async def _say(slack: SlackBot, mock_slack: MockSlack, user: tuple[str, str], text: str) -> str:
    mock_slack.clear()
    await dispatch(slack, command_body(text, user=user, response_url=mock_slack.response_url()))
    await slack.settled()
    return block_text([c.args for c in mock_slack.to("respond")])


async def _press(slack: SlackBot, mock_slack: MockSlack, user: tuple[str, str], action: str) -> str:
    mock_slack.clear()
    respond = mock_slack.response_url(f"{user[1]}{next(_presses)}")
    await dispatch(slack, action_body(action, user=user, response_url=respond))
    await slack.settled()
    return block_text([c.args for c in mock_slack.to("respond")])


def _dms(mock_slack: MockSlack, user: tuple[str, str]) -> list[dict[str, Any]]:
    channel = "D" + user[0].lstrip("U")
    return [c.args for c in mock_slack.to("chat.postMessage") if c.args["channel"] == channel]


async def _offer(
    dispatcher: Dispatcher, mock_slack: MockSlack, user: tuple[str, str]
) -> dict[str, str]:
    """The offer DM sent to `user` (checked as Block Kit), as label -> action id."""
    await dispatcher.drain()
    [dm] = [d for d in _dms(mock_slack, user) if "A seat opened up in" in d["text"]]
    valid_blocks(dm["blocks"])
    assert "https://" not in block_text(dm["blocks"])  # no call link before the seat
    return {
        e["text"]["text"]: e["action_id"]
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def test_the_offer_is_accepted_only_by_its_member_and_brings_the_invitation(
    slack: SlackBot, mock_slack: MockSlack, queue: Dispatcher
) -> None:
    await _say(slack, mock_slack, ADA, "unregister spring")
    buttons = await _offer(queue, mock_slack, BEA)
    assert list(buttons) == ["Accept the seat", "Decline"]
    refused = await _press(slack, mock_slack, CY, buttons["Accept the seat"])
    assert "That offer was made to someone else, so nothing changed" in refused
    said = await _press(slack, mock_slack, BEA, buttons["Accept the seat"])
    assert "The seat is yours: you are registered for the Spring session." in said
    mock_slack.clear()
    await queue.drain()
    [invitation] = _dms(mock_slack, BEA)
    assert "A seat opened up: you are now registered" in invitation["text"]
    again = await _press(slack, mock_slack, BEA, buttons["Accept the seat"])
    assert "You already accepted this seat" in again
    assert "Registered ✓" in await _say(slack, mock_slack, BEA, "mine")


async def test_decline_and_leaving_the_waitlist_pass_the_seat_on(
    slack: SlackBot, mock_slack: MockSlack, queue: Dispatcher, sqlite_core: Core
) -> None:
    await register(sqlite_core, _actor(JO), "spring")  # a fourth in line
    await _say(slack, mock_slack, ADA, "unregister spring")
    bea = await _offer(queue, mock_slack, BEA)
    said = await _press(slack, mock_slack, BEA, bea["Decline"])
    assert "You declined the seat in the Spring session: it goes to the next in line" in said
    cy = await _offer(queue, mock_slack, CY)
    late = await _press(slack, mock_slack, BEA, bea["Accept the seat"])
    assert "You declined this seat in the Spring session, so nothing changed" in late
    # Cy leaves the waitlist with the offer open: it goes to Jo.
    assert "You are off the waitlist of: Spring." in await _say(
        slack, mock_slack, CY, "unregister spring"
    )
    assert set(await _offer(queue, mock_slack, JO)) == {"Accept the seat", "Decline"}
    gone = await _press(slack, mock_slack, CY, cy["Accept the seat"])
    assert "You declined this seat" in gone


async def test_an_offer_expires_and_at_the_cutoff_the_waiting_are_told(
    slack: SlackBot,
    mock_slack: MockSlack,
    queue: Dispatcher,
    clock: SettableClock,
    sqlite_core: Core,
) -> None:
    await _say(slack, mock_slack, ADA, "unregister spring")
    bea = await _offer(queue, mock_slack, BEA)
    clock.advance(timedelta(hours=24))
    mock_slack.clear()
    await queue.drain()
    [expired] = _dms(mock_slack, BEA)
    valid_blocks(expired["blocks"])
    assert "expired at" in expired["text"] and "off its waitlist" in expired["text"]
    await _offer(queue, mock_slack, CY)  # by itself: nobody pressed anything
    late = await _press(slack, mock_slack, BEA, bea["Accept the seat"])
    assert "This offer of a seat in the Spring session expired at" in late
    assert "nothing changed" in late
    # Bea comes back to the end of the line; Cy lets the offer run out too. At the
    # cut-off nothing more is offered, and Bea is told, once, that the session is full.
    assert "on its waitlist (number 2)" in await register(sqlite_core, _actor(BEA), "spring")
    clock.set(SPRING_START - timedelta(hours=2))
    mock_slack.clear()
    await queue.drain()
    await queue.drain()
    assert "expired at" in _dms(mock_slack, CY)[0]["text"]
    [full] = _dms(mock_slack, BEA)
    valid_blocks(full["blocks"])
    assert "it is full: no seat opened for you in time" in full["text"]


def test_the_block_check_refuses_an_action_id_twice_in_a_block() -> None:
    """Slack requires an action_id unique among its block's elements; the check holds it."""
    button = {"type": "button", "text": {"type": "plain_text", "text": "A"}, "action_id": "s4b:x:1"}
    with pytest.raises(AssertionError, match="action_id repeated"):
        valid_blocks([{"type": "actions", "elements": [button, button]}])
