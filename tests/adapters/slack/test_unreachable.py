"""Messages that always arrive, on Slack: a member Slack cannot DM any more (gone,
deactivated) is unreachable, never retried; their App Home and their next reply show what
waits, once, to them alone. Through the real bolt app against the mock Slack."""

from __future__ import annotations

from sqlalchemy import select

from adapters.slack.app import SlackBot
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from storage.models import OutboxMessage
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    ADA,
    BEA,
    JO,
    TEAM,
    block_text,
    command_body,
    dispatch,
    event_body,
    valid_blocks,
    valid_view,
)
from tests.helpers import register

NOTE = "A message could not reach you: calendar invitation"


def dispatcher_for(slack: SlackBot, core: Core, clock: SettableClock) -> Dispatcher:
    core.settings.dispatch_rate = {"slack": 1_000.0}  # the adapter paces
    return Dispatcher(
        core.db, platforms={"slack": slack.platform}, clock=clock, settings=core.settings
    )


async def invitation_statuses(core: Core) -> list[str]:
    async with core.db.transaction() as db:
        found = await db.scalars(
            select(OutboxMessage.status)
            .where(OutboxMessage.kind == "invitation")
            .order_by(OutboxMessage.id)
        )
        return list(found)


async def command(slack: SlackBot, mock: MockSlack, text: str, user: tuple[str, str]) -> str:
    mock.clear()
    body = command_body(text, user=user, command="/s4b", response_url=mock.response_url())
    assert (await dispatch(slack, body)).status == 200
    await slack.settled()
    [reply] = [c.args for c in mock.to("respond")]
    assert reply["response_type"] == "ephemeral"
    valid_blocks(reply["blocks"])
    return block_text(reply["blocks"])


async def test_a_member_slack_cannot_reach_finds_it_in_app_home_once(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    dispatcher = dispatcher_for(slack, sqlite_core, clock)
    mock_slack.remove_user(ADA[0], error="user_not_found")
    await register(sqlite_core, Actor("slack", TEAM, ADA[0], "Ada Lovelace"), "spring")
    await register(sqlite_core, Actor("slack", TEAM, BEA[0], "Bea"), "spring")
    await dispatcher.drain()
    await dispatcher.drain()
    assert await invitation_statuses(sqlite_core) == ["unreachable", "sent"]
    opened = [c for c in mock_slack.to("conversations.open") if c.args["users"] == ADA[0]]
    assert len(opened) == 1  # never retried

    assert "could not reach you" not in await command(slack, mock_slack, "mine", BEA)
    mock_slack.clear()
    assert (await dispatch(slack, event_body(ADA))).status == 200
    await slack.settled()
    [home] = mock_slack.to("views.publish")
    assert home.args["user_id"] == ADA[0]
    valid_view(home.args["view"])
    text = block_text(home.args["view"])
    assert NOTE in text and "Here is your calendar invitation" in text
    assert await invitation_statuses(sqlite_core) == ["in_bot", "sent"]
    assert "could not reach you" not in await command(slack, mock_slack, "mine", ADA)


async def test_the_next_reply_carries_it_privately_and_organizers_see_who(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    dispatcher = dispatcher_for(slack, sqlite_core, clock)
    await slack.platform.dm_channel(ADA[0])  # a DM opened before the account was disabled
    mock_slack.remove_user(ADA[0], error="user_disabled")
    await register(sqlite_core, Actor("slack", TEAM, ADA[0], "Ada Lovelace"), "spring")
    await dispatcher.drain()
    assert await invitation_statuses(sqlite_core) == ["unreachable"]
    report = await command_as_organizer(slack, mock_slack, "deliveries")
    assert "Unreachable by DM: 1 member" in report and "on slack: 1 message waiting" in report
    text = await command(slack, mock_slack, "mine", ADA)
    assert "Your registrations" in text and NOTE in text


async def test_another_refusal_is_a_failure_not_an_unreachable_member(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    dispatcher = dispatcher_for(slack, sqlite_core, clock)
    mock_slack.fail("conversations.open", error="account_inactive")  # the bot's own token
    await register(sqlite_core, Actor("slack", TEAM, ADA[0], "Ada Lovelace"), "spring")
    await dispatcher.drain()
    assert await invitation_statuses(sqlite_core) == ["failed"]


async def command_as_organizer(slack: SlackBot, mock: MockSlack, text: str) -> str:
    mock.clear()
    body = command_body(text, user=JO, command="/s4b-admin", response_url=mock.response_url())
    assert (await dispatch(slack, body)).status == 200
    await slack.settled()
    return "\n".join(block_text(c.args["blocks"]) for c in mock.to("respond"))


async def test_the_mock_answers_like_slack_for_a_member_who_is_gone(
    mock_slack: MockSlack,
) -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token="xoxb-test", base_url=mock_slack.api_url)
    channel = (await client.conversations_open(users=ADA[0]))["channel"]["id"]
    mock_slack.remove_user(ADA[0], error="user_disabled")
    for call in (
        client.conversations_open(users=ADA[0]),
        client.chat_postMessage(channel=channel, text="hello"),
    ):
        try:
            await call
        except SlackApiError as exc:
            assert exc.response["error"] in ("user_disabled", "channel_not_found")
        else:
            raise AssertionError("the mock let a DM through to a member who is gone")
    assert (await client.conversations_open(users=BEA[0]))["ok"]
