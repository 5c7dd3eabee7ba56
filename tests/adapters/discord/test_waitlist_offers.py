"""Waitlist offers on Discord, through the real discord.py client against the mock (which
holds components to Discord's rules: custom_ids unique in a message, at most 100 chars):
the offer DM with Accept and Decline, pressed from the DM as Discord sends it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import MakeClient, callbacks, feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord
from tests.helpers import confirmed, register

GUILD = str(payloads.GUILD_ID)
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)


def _member(user: dict[str, str]) -> Actor:
    return Actor("discord", GUILD, user["id"], user["global_name"])


async def _line_up(
    make_client: MakeClient, core: Core, clock: SettableClock
) -> tuple[S4BClient, Dispatcher]:
    """Spring with one seat: Ada in it, Bea then Jo (as a member) in line."""
    bot = await make_client()
    await bot.on_guild_join(discord.Object(payloads.GUILD_ID))  # type: ignore[arg-type]
    organizer = Actor("discord", GUILD, payloads.JO["id"], "Jo", is_organizer=True)
    await confirmed(core, organizer, "session capacity spring 1")
    for user in (payloads.ADA, payloads.BEA, payloads.JO):
        await register(core, _member(user), "spring")
    dispatcher = Dispatcher(
        core.db, platforms={"discord": bot.platform}, clock=clock, settings=core.settings
    )
    await dispatcher.drain()
    return bot, dispatcher


def _dms(mock: MockDiscord, user: dict[str, str]) -> list[Any]:
    """The messages posted to the user's DM channel (calls, for `visible_text`)."""
    channel = mock.dm_channels.get(user["id"])
    return mock.find("POST", rf"/channels/{channel}/messages") if channel else []


def _offer(mock: MockDiscord, user: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The last offer DM to `user` as Discord stores it, and its buttons (label -> id)."""
    [call] = [c for c in _dms(mock, user) if "A seat opened up in" in visible_text([c])][-1:]
    body = call.body
    stored = next(m for m in mock.messages.values() if m.get("components") == body["components"])
    buttons = {c["label"]: c["custom_id"] for row in body["components"] for c in row["components"]}
    return stored, buttons


async def _press(
    bot: S4BClient, mock: MockDiscord, message: dict[str, Any], custom_id: str, user: dict[str, str]
) -> str:
    """A press from the DM (no server), as Discord sends it."""
    press = payloads.component(message, custom_id, user=user, guild=False)
    assert await feed(bot, press) == "reply"
    return visible_text(callbacks(mock, press) + followups(mock, press))


async def test_the_offer_dm_is_accepted_by_its_member_only_and_brings_the_invitation(
    make_client: MakeClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    bot, dispatcher = await _line_up(make_client, sqlite_core, clock)
    leave = payloads.command("s4b", "unregister", {"session": "spring"})
    assert await feed(bot, leave) == "reply"
    await dispatcher.drain()
    message, buttons = _offer(mock, payloads.BEA)
    assert list(buttons) == ["Accept the seat", "Decline"]
    assert "https://" not in visible_text(_dms(mock, payloads.BEA))
    assert _dms(mock, payloads.JO) == []  # Jo waits behind Bea
    refused = await _press(bot, mock, message, buttons["Accept the seat"], payloads.ADA)
    assert "That offer was made to someone else, so nothing changed" in refused
    said = await _press(bot, mock, message, buttons["Accept the seat"], payloads.BEA)
    assert "The seat is yours: you are registered for the Spring session." in said
    await dispatcher.drain()
    assert "A seat opened up: you are now registered" in visible_text(_dms(mock, payloads.BEA)[-1:])
    again = await _press(bot, mock, message, buttons["Accept the seat"], payloads.BEA)
    assert "You already accepted this seat" in again


async def test_decline_offers_the_next_and_expiry_and_the_cutoff_need_no_press(
    make_client: MakeClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    bot, dispatcher = await _line_up(make_client, sqlite_core, clock)
    await sqlite_core.run_text(_member(payloads.ADA), "s4b", "unregister spring")
    await dispatcher.drain()
    message, buttons = _offer(mock, payloads.BEA)
    said = await _press(bot, mock, message, buttons["Decline"], payloads.BEA)
    assert "You declined the seat in the Spring session: it goes to the next in line" in said
    await dispatcher.drain()
    jo_message, jo_buttons = _offer(mock, payloads.JO)
    late = await _press(bot, mock, message, buttons["Accept the seat"], payloads.BEA)
    assert "You declined this seat" in late
    # Jo never answers: the offer expires by itself.
    clock.advance(timedelta(hours=24))
    await dispatcher.drain()
    assert "Your offer of a seat in the Spring session expired at" in visible_text(
        _dms(mock, payloads.JO)[-1:]
    )
    expired = await _press(bot, mock, jo_message, jo_buttons["Accept the seat"], payloads.JO)
    assert "expired at" in expired and "nothing changed" in expired
    # Nobody else waits: the seat is free for whoever registers first (Bea); Ada, after
    # her, waits, and at the cut-off she is told, once, that the session is full.
    assert "you are registered. ✓" in await register(sqlite_core, _member(payloads.BEA), "spring")
    assert "waitlist" in await register(sqlite_core, _member(payloads.ADA), "spring")
    clock.set(SPRING_START - timedelta(hours=2))
    await dispatcher.drain()
    await dispatcher.drain()
    told = [c for c in _dms(mock, payloads.ADA) if "it is full" in visible_text([c])]
    assert len(told) == 1
    assert "no more seats are offered this close to the start" in visible_text(told)
