"""Configuration, the invite URL with the minimum permissions, and start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from adapters.discord import (
    DiscordConfig,
    application_id_from_token,
    build_discord,
    invite_url,
    minimum_intents,
    run_discord,
)
from adapters.discord.config import PERMISSION_REASONS
from s4b_bot.core import Core
from tests.adapters.discord.conftest import TOKEN
from tests.adapters.discord.mock_discord import APP_ID, MockDiscord

SETUP = Path(__file__).parents[3] / "README.md"


def test_invite_url_asks_for_the_bot_and_commands_with_the_minimum_permissions() -> None:
    url = urlparse(invite_url(APP_ID))
    query = parse_qs(url.query)
    assert (url.netloc, url.path) == ("discord.com", "/oauth2/authorize")
    assert query["client_id"] == [str(APP_ID)]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert all(getattr(granted, name) for name in PERMISSION_REASONS)
    assert bin(granted.value).count("1") == len(PERMISSION_REASONS)  # and nothing else
    assert not granted.administrator and not granted.manage_guild and not granted.mention_everyone


def test_every_permission_is_justified_in_the_setup_guide() -> None:
    text = SETUP.read_text()
    assert "## Run it on Discord" in text
    for name in PERMISSION_REASONS:
        label = name.replace("_", " ").title().replace("In ", "in ")
        assert label.lower() in text.lower(), name
    assert "bot.py discord invite-url" in text
    assert "/s4b sessions" in text


def test_no_privileged_intent() -> None:
    intents = minimum_intents()
    assert intents.guilds
    assert not (intents.message_content or intents.members or intents.presences)
    assert intents.value == discord.Intents(guilds=True).value


def test_configuration_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_GUILD_ID": "42",
        "DISCORD_ORGANIZER_ROLE_ID": "43",
        "DISCORD_ANNOUNCEMENTS_CHANNEL_ID": "44",
    }.items():
        monkeypatch.setenv(name, value)
    config = DiscordConfig(_env_file=None)  # type: ignore[call-arg]
    assert (config.guild_id, config.organizer_role_id, config.channel_id("announcements")) == (
        42,
        43,
        44,
    )
    assert config.token is not None and config.token.get_secret_value() == TOKEN
    assert TOKEN not in repr(config)
    assert config.channel_id("ideas") is None


def test_the_application_id_can_be_read_from_the_token() -> None:
    assert application_id_from_token(TOKEN) == APP_ID
    assert application_id_from_token("not-a-token") is None


async def test_a_failed_login_reaches_the_caller_without_the_token(
    mock: MockDiscord, sqlite_core: Core, config: DiscordConfig, caplog: pytest.LogCaptureFixture
) -> None:
    mock.fail("GET", "/users/@me", status=401, code=0, message="401: Unauthorized")
    client = build_discord(sqlite_core, config)
    with pytest.raises(discord.LoginFailure):
        async with asyncio.timeout(5):
            await run_discord(client, stop=asyncio.Event())
    assert client.is_closed()
    assert TOKEN not in caplog.text


async def test_running_needs_a_token(sqlite_core: Core, config: DiscordConfig) -> None:
    client = build_discord(sqlite_core, config.model_copy(update={"token": None}))
    with pytest.raises(ValueError, match="DISCORD_TOKEN"):
        await run_discord(client, stop=asyncio.Event())
