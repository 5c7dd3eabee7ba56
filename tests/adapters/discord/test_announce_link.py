"""An announcement on Discord keeps its message link, so an organizer who asks to announce
again right away is shown the post instead of a silent nothing."""

from __future__ import annotations

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import ANNOUNCEMENTS
from tests.adapters.discord.mock_discord import MockDiscord
from tests.helpers import flat, reply_text

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
