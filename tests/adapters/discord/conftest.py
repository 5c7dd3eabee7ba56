"""Fixtures: a mock Discord on 127.0.0.1, and real discord.py clients logged in against it.

Interactions are fed through discord.py's own parsing
(`ConnectionState.parse_interaction_create`), so the handlers run as in production;
the mock refuses, as Discord does, any body that breaks Discord's OpenAPI description or
documented rules, and a test fails if any was refused (unless it cleared `rejected`).
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from discord.http import Route

from adapters.discord import DiscordConfig, S4BClient, build_discord
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.adapters.discord import payloads
from tests.adapters.discord.mock_discord import APP_ID, MockDiscord, Request

TOKEN = (
    base64.b64encode(str(APP_ID).encode()).decode().rstrip("=") + ".GxYzAb.never-log-this-secret"
)
ANNOUNCEMENTS = 1100000000000000400
SUMMARIES = 1100000000000000401


@pytest.fixture
async def mock(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[MockDiscord]:
    server = MockDiscord()
    await server.start()
    # Before any Route is built; restored after the test.
    monkeypatch.setattr(Route, "BASE", server.base)
    for name in list(os.environ):
        if name.startswith("DISCORD_"):
            monkeypatch.delenv(name)
    server.add_channel(ANNOUNCEMENTS, payloads.GUILD_ID)
    server.add_channel(SUMMARIES, payloads.GUILD_ID)
    yield server
    await server.close()
    # Every body the bot sent was accepted, even where the bot got over a refusal.
    assert not server.rejected, "\n".join(
        f"{r.method} {r.path}: {'; '.join(map(str, found))}" for r, found in server.rejected
    )


@pytest.fixture
def config(mock: MockDiscord) -> DiscordConfig:
    return DiscordConfig(
        _env_file=None,  # type: ignore[call-arg]
        token=TOKEN,
        application_id=APP_ID,
        guild_id=payloads.GUILD_ID,
        organizer_role_id=payloads.ORGANIZER_ROLE,
        announcements_channel_id=ANNOUNCEMENTS,
        summaries_channel_id=SUMMARIES,
        api_base=mock.base,
        new_dm_per_minute=6_000,
    )


MakeClient = Callable[..., Awaitable[S4BClient]]


@pytest.fixture
async def make_client(
    sqlite_core: Core, config: DiscordConfig, clock: SettableClock
) -> AsyncIterator[MakeClient]:
    """Start clients (one per "process"); all are closed at the end."""
    clients: list[S4BClient] = []

    async def make(core: Core = sqlite_core, **changes: Any) -> S4BClient:
        client = build_discord(core, config.model_copy(update=changes))
        await client.login(TOKEN)  # GET /users/@me and the application; then setup_hook
        client.platform.now = clock.now  # Discord's "now" follows the programme clock
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def bot(make_client: MakeClient) -> S4BClient:
    return await make_client()


async def feed(client: S4BClient, payload: dict[str, Any]) -> str:
    """Hand an INTERACTION_CREATE to discord.py as the gateway would; wait for the end."""
    client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    async with asyncio.timeout(5):
        return await client.s4b.log.wait(int(payload["id"]))


def callbacks(mock: MockDiscord, payload: dict[str, Any]) -> list[Request]:
    """The interaction callbacks sent for one interaction."""
    return mock.find("POST", rf"/interactions/{payload['id']}/[^/]+/callback")


def followups(mock: MockDiscord, payload: dict[str, Any]) -> list[Request]:
    return mock.find("POST", rf"/webhooks/\d+/{re.escape(payload['token'])}")


def visible_text(requests: list[Request]) -> str:
    """Everything a member reads in these messages: content, embed titles and fields."""
    parts: list[str] = []
    for request in requests:
        body = request.body or {}
        body = body.get("data", body) if "type" in body and "data" in body else body
        parts.append(body.get("content") or "")
        for embed in body.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(p for p in parts if p)
