"""Previews with Confirm and Back, and a restored session's Register again in a DM, on
Discord: against the mock (which holds custom_ids to Discord's rules), pressing only the
buttons the bot drew."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import (
    MakeClient,
    callbacks,
    feed,
    followups,
    visible_text,
)
from tests.adapters.discord.mock_discord import MockDiscord
from tests.helpers import register

GUILD = str(payloads.GUILD_ID)
ORGANIZER: dict[str, Any] = {"user": payloads.JO, "roles": [payloads.ORGANIZER_ROLE]}


def dispatcher(core: Core, bot: S4BClient, clock: SettableClock) -> Dispatcher:
    return Dispatcher(
        core.db, platforms={"discord": bot.platform}, clock=clock, settings=core.settings
    )


def button(message: dict[str, Any], label: str) -> str:
    return next(
        c["custom_id"]
        for row in message.get("components", [])
        for c in row["components"]
        if c.get("label") == label
    )


def shown(mock: MockDiscord, reply: dict[str, Any]) -> dict[str, Any]:
    """The ephemeral reply as a message a button press can come from."""
    return {**mock.messages[max(mock.messages)], "components": reply["components"], "flags": 64}


async def test_cancel_previews_then_restore_brings_ada_back_with_one_press(
    make_client: MakeClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    bot = await make_client()
    await bot.on_guild_join(discord.Object(payloads.GUILD_ID))  # type: ignore[arg-type]
    ada = Actor("discord", GUILD, payloads.ADA["id"], "Ada Lovelace")
    await register(sqlite_core, ada, "fall")
    await dispatcher(sqlite_core, bot, clock).drain()

    cancel = payloads.command("s4b-admin", "session cancel", {"session": "fall"}, **ORGANIZER)
    assert await feed(bot, cancel) == "reply"
    [preview] = followups(mock, cancel)
    assert "1 registrant will get a cancellation" in visible_text([preview])
    message = shown(mock, preview.body)

    # Ada cannot confirm; Jo's Back changes nothing.
    press = payloads.component(message, button(preview.body, "Confirm"))
    assert await feed(bot, press) == "reply"
    assert "Only organizers" in visible_text(followups(mock, press))
    back = payloads.component(message, button(preview.body, "Back"), **ORGANIZER)
    assert await feed(bot, back) == "reply"
    assert "Nothing changed" in visible_text(followups(mock, back))
    assert await sqlite_core.upcoming_count() == 4

    # Confirmed from a fresh preview: cancelled.
    cancel = payloads.command("s4b-admin", "session cancel", {"session": "fall"}, **ORGANIZER)
    await feed(bot, cancel)
    [preview] = followups(mock, cancel)
    confirm = payloads.component(
        shown(mock, preview.body), button(preview.body, "Confirm"), **ORGANIZER
    )
    assert await feed(bot, confirm) == "reply"
    assert "The Fall session is cancelled." in visible_text(followups(mock, confirm))
    await dispatcher(sqlite_core, bot, clock).drain()

    fall = next(e for e in mock.events.values() if e["name"].startswith("Fall"))
    assert fall["status"] == 4  # CANCELED, for good

    restore = payloads.command("s4b-admin", "session restore", {"session": "fall"}, **ORGANIZER)
    assert await feed(bot, restore) == "reply"
    assert "1 former registrant will get a message" in visible_text(followups(mock, restore))
    await dispatcher(sqlite_core, bot, clock).drain()
    # A cancelled Scheduled Event cannot come back: the session gets a new one.
    events = [e for e in mock.events.values() if e["name"].startswith("Fall")]
    assert [e["status"] for e in events] == [4, 1]
    channel = mock.dm_channels[payloads.ADA["id"]]
    dm = mock.find("POST", rf"/channels/{channel}/messages")[-1]
    assert "back on" in visible_text([dm])
    again = button(dm.body, "Register again")
    stored = next(m for m in mock.messages.values() if m.get("components") == dm.body["components"])

    press = payloads.component(stored, again)
    assert await feed(bot, press) == "reply"
    # A button that may open a form answers in the interaction's own response.
    assert "Welcome back" in visible_text(callbacks(mock, press) + followups(mock, press))
    await dispatcher(sqlite_core, bot, clock).drain()
    invitation = mock.find("POST", rf"/channels/{channel}/messages")[-1]
    assert "You are registered" in visible_text([invitation])
