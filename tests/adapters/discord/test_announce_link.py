"""An announcement on Discord keeps its message link, so an organizer who asks to announce
again right away is shown the post instead of a silent nothing; and it follows the session:
edited in place with the new time, or "cancelled" without the Register button."""

from __future__ import annotations

import json
from typing import Any

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import ANNOUNCEMENTS
from tests.adapters.discord.mock_discord import MockDiscord
from tests.helpers import confirmed, flat, reply_text

GUILD = str(payloads.GUILD_ID)
JO = Actor("discord", GUILD, "9", "Jo", is_organizer=True)


async def test_announcing_twice_links_the_message_just_posted(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"discord": bot.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await sqlite_core.run_text(JO, "s4b-admin", "announce spring")
    await dispatcher.drain()
    assert len(mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages")) == 1
    [message_id] = [i for i, m in mock.messages.items() if m["channel_id"] == str(ANNOUNCEMENTS)]
    again = flat(reply_text(await sqlite_core.run_text(JO, "s4b-admin", "announce spring")))
    assert "was announced just now" in again and "nothing was posted again" in again
    link = f"https://discord.com/channels/{GUILD}/{ANNOUNCEMENTS}/{message_id}"
    assert f"Discord: {link}" in again
    await dispatcher.drain()
    assert len(mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages")) == 1


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [button["custom_id"] for row in message["components"] for button in row["components"]]


async def test_the_announcement_follows_a_reschedule_and_a_cancellation_by_editing_it(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    dispatcher = Dispatcher(
        sqlite_core.db,
        platforms={"discord": bot.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )
    await sqlite_core.run_text(JO, "s4b-admin", "announce spring")
    await dispatcher.drain()
    [message_id] = [i for i, m in mock.messages.items() if m["channel_id"] == str(ANNOUNCEMENTS)]
    shown = mock.messages[message_id]
    assert "<t:1745946000:F>" in json.dumps(shown) and "s4b:register:1" in custom_ids(shown)

    await confirmed(sqlite_core, JO, "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    [edit] = mock.find("PATCH", rf"/channels/{ANNOUNCEMENTS}/messages/{message_id}")
    assert edit.body["components"] and edit.body["allowed_mentions"] == {"parse": []}
    assert mock.rejected == [] and shown["edited_timestamp"] is not None
    assert "<t:1746550800:F>" in json.dumps(shown) and "<t:1745946000" not in json.dumps(shown)
    assert "Rescheduled" in json.dumps(shown) and "s4b:register:1" in custom_ids(shown)
    notices = [
        m
        for i, m in mock.messages.items()
        if m["channel_id"] == str(ANNOUNCEMENTS) and i != message_id
    ]
    assert len(notices) == 1 and "moved to <t:1746550800:F>" in notices[0]["content"]

    await confirmed(sqlite_core, JO, "session cancel spring Snowed *in*")
    await dispatcher.drain()
    assert len(mock.find("PATCH", rf"/channels/{ANNOUNCEMENTS}/messages/{message_id}")) == 2
    assert shown["content"].startswith("The Spring session is cancelled: Snowed \\*in\\*.")
    assert custom_ids(shown) == ["s4b:session:1"]
    posted = mock.find("POST", rf"/channels/{ANNOUNCEMENTS}/messages")
    assert len(posted) == 3 and "is cancelled: Snowed" in json.dumps(posted[-1].body)
