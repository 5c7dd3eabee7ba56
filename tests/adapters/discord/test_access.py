"""Who reaches what on Discord: the one configured server, organizer rights, direct messages,
and what never reaches the logs."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket
from pydantic import ValidationError

from adapters.discord import DiscordConfig, S4BClient
from s4b_bot.core import Core
from s4b_bot.errors import PermanentFailure
from s4b_bot.invocation import Actor
from s4b_bot.output import Message
from s4b_bot.ports import Recipient
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import (
    TOKEN,
    MakeClient,
    callbacks,
    feed,
    followups,
    visible_text,
)
from tests.adapters.discord.mock_discord import MockDiscord
from tests.logcapture import debug_logging

EPHEMERAL = 64
JO = Actor("discord", str(payloads.GUILD_ID), payloads.JO["id"], "Jo", is_organizer=True)


async def test_organizer_commands_check_the_organizer_role(
    bot: S4BClient, mock: MockDiscord
) -> None:
    options = {"session": "2025-04-29", "details": "https://zoom.example/j/1"}
    member = payloads.command(
        "s4b-admin", "session call", options, permissions=payloads.MANAGE_EVENTS
    )
    await feed(bot, member)  # Manage Events shows the command, but the role is what counts
    assert "Only organizers" in visible_text(followups(mock, member))
    organizer = payloads.command(
        "s4b-admin", "session call", options, roles=[payloads.ORGANIZER_ROLE], user=payloads.JO
    )
    await feed(bot, organizer)
    assert "Only organizers" not in visible_text(followups(mock, organizer))
    detail = payloads.command(
        "s4b-admin", "roster", {"session": "2025-04-29"}, roles=[payloads.ORGANIZER_ROLE]
    )
    await feed(bot, detail)
    assert "Only organizers" not in visible_text(followups(mock, detail))


async def test_without_a_role_manage_events_makes_an_organizer(
    make_client: MakeClient, mock: MockDiscord
) -> None:
    bot = await make_client(organizer_role_id=None)
    for permissions, refused in (("3072", True), (payloads.MANAGE_EVENTS, False)):
        payload = payloads.command("s4b-admin", "deliveries", permissions=permissions)
        await feed(bot, payload)
        assert ("Only organizers" in visible_text(followups(mock, payload))) is refused


OTHER_GUILD = "1100000000000000999"


def from_another_server(payload: dict[str, Any]) -> dict[str, Any]:
    """The same interaction, sent from another server that added the bot."""
    payload["guild_id"] = payload["guild"]["id"] = payload["channel"]["guild_id"] = OTHER_GUILD
    payload["authorizing_integration_owners"] = {"0": OTHER_GUILD}
    if "data" in payload and "guild_id" in payload["data"]:
        payload["data"]["guild_id"] = OTHER_GUILD
    return payload


@pytest.mark.parametrize("role", [payloads.ORGANIZER_ROLE, None])
async def test_another_server_reaches_nothing_whatever_its_permissions(
    make_client: MakeClient,
    mock: MockDiscord,
    sqlite_core: Core,
    monkeypatch: pytest.MonkeyPatch,
    role: int | None,
) -> None:
    bot = await make_client(organizer_role_id=role)

    async def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("another server's interaction reached the core")

    for name in ("invoke", "press", "submit", "run_text", "session_choices", "sync_community"):
        monkeypatch.setattr(sqlite_core, name, never)
    organizer = {"permissions": payloads.MANAGE_EVENTS, "roles": [payloads.ORGANIZER_ROLE]}
    attempts = [
        payloads.command("s4b-admin", "roster", {"session": "spring"}, **organizer),
        payloads.command(
            "s4b-admin",
            "session call",
            {"session": "spring", "details": "https://evil"},
            **organizer,
        ),
        payloads.command("s4b", "sessions"),
        payloads.component(payloads.message_with("s4b:session:1"), "s4b:session:1", **organizer),
        payloads.component(
            payloads.message_with("s4b-form:open:register"), "s4b-form:open:register"
        ),
        payloads.modal_submit("s4b-form:register", [], **organizer),
    ]
    for payload in map(from_another_server, attempts):
        assert await feed(bot, payload) == "other server"
        (answer,) = callbacks(mock, payload)
        assert answer.body["data"]["flags"] == EPHEMERAL
        assert "in its own server only" in answer.body["data"]["content"]
        assert followups(mock, payload) == []
    typing = from_another_server(payloads.autocomplete("s4b-admin", "roster", "session", "s"))
    assert await feed(bot, typing) == "other server"
    assert callbacks(mock, typing)[0].body == {"type": 8, "data": {"choices": []}}
    await bot.on_guild_join(discord.Object(int(OTHER_GUILD)))  # type: ignore[arg-type]
    assert mock.find("POST", rf"/guilds/{OTHER_GUILD}/.*") == []


async def test_in_a_dm_a_member_can_press_buttons_but_is_never_an_organizer(
    bot: S4BClient, mock: MockDiscord
) -> None:
    press = payloads.component(payloads.message_with("s4b:session:1"), "s4b:session:1", guild=False)
    assert await feed(bot, press) == "reply"
    assert "Spring" in visible_text(followups(mock, press))  # a reminder's buttons work
    roster = payloads.command(
        "s4b-admin", "roster", {"session": "spring"}, guild=False, user=payloads.JO
    )
    await feed(bot, roster)
    assert "Only organizers" in visible_text(followups(mock, roster))


async def test_commands_are_synced_to_the_configured_server_only(
    bot: S4BClient, mock: MockDiscord
) -> None:
    (guild,) = mock.find("PUT", r"/applications/\d+/guilds/\d+/commands")
    assert guild.path.endswith(f"/guilds/{payloads.GUILD_ID}/commands") and guild.body
    (everywhere,) = mock.find("PUT", r"/applications/\d+/commands")
    assert everywhere.body == []  # and none left anywhere by an earlier global sync


def test_the_server_is_required_with_a_token() -> None:
    with pytest.raises(ValidationError, match="required with DISCORD_TOKEN"):
        DiscordConfig(_env_file=None, token=TOKEN)  # type: ignore[call-arg]
    assert DiscordConfig(_env_file=None).guild_id is None  # type: ignore[call-arg]


async def test_the_token_is_never_logged(
    make_client: MakeClient, mock: MockDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await make_client()
    await feed(bot, payloads.command("s4b", "sessions"))
    mock.fail("POST", r"/users/@me/channels", status=403, code=50007, message="Cannot send")
    with pytest.raises(PermanentFailure):
        await bot.platform.send_dm(Recipient("1", "2", "x"), Message.plain("hi"))
    assert caplog.records  # discord.py did log, at DEBUG
    secret = TOKEN.split(".", 1)[1]
    assert secret not in caplog.text
    assert secret not in repr(bot.config) and secret not in str(bot.config.model_dump())


async def test_typed_text_and_answers_stay_out_of_the_debug_log(
    bot: S4BClient, mock: MockDiscord
) -> None:
    """discord.py logs each gateway event at DEBUG (an interaction, with what was typed and
    answered in a form) and each request's body: none of it reaches the bot's log."""
    idea = "Qz bee circles on the library roof"
    payload = payloads.command("s4b", "idea", {"text": idea}, user=payloads.BEA)
    gateway = DiscordWebSocket(None, loop=asyncio.get_running_loop())  # type: ignore[arg-type]
    gateway._discord_parsers = bot._connection.parsers
    gateway._dispatch = bot.dispatch
    gateway.shard_id = None
    event = {"op": 0, "t": "INTERACTION_CREATE", "s": 1, "d": payload}
    with debug_logging() as log:
        await gateway.received_message(json.dumps(event))
        async with asyncio.timeout(5):
            assert await bot.s4b.log.wait(int(payload["id"])) == "reply"
    assert idea in visible_text(followups(mock, payload))  # it was shared, and answered
    written = log.getvalue()
    assert "debug lines are written" in written  # the log was on, at DEBUG
    for secret in (idea, payloads.BEA["global_name"], payload["token"], TOKEN.split(".", 1)[1]):
        assert secret not in written, secret
