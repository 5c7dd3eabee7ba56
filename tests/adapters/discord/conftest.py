"""Fixtures: a mock Discord on 127.0.0.1, and real discord.py clients logged in against it.

Interactions are fed through discord.py's own parsing
(`ConnectionState.parse_interaction_create`), so the handlers run as in production;
every request body the bot sent is checked against Discord's OpenAPI description when
the test ends.
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
from tests.adapters.discord import payloads, spec
from tests.adapters.discord.mock_discord import APP_ID, MockDiscord, Request

TOKEN = (
    base64.b64encode(str(APP_ID).encode()).decode().rstrip("=") + ".GxYzAb.never-log-this-secret"
)
ANNOUNCEMENTS = 1100000000000000400
SUMMARIES = 1100000000000000401
OPERATIONS = [
    ("POST", r"/interactions/\d+/[^/]+/callback", "create_interaction_response"),
    ("POST", r"/webhooks/\d+/[^/]+", "execute_webhook"),
    ("PATCH", r"/webhooks/\d+/[^/]+/messages/[^/]+", "update_original_webhook_message"),
    ("POST", r"/channels/\d+/messages", "create_message"),
    ("PATCH", r"/channels/\d+/messages/\d+", "update_message"),
    ("POST", r"/channels/\d+/messages/\d+/threads", "create_thread_from_message"),
    ("POST", r"/channels/\d+/threads", "create_thread"),
    ("PATCH", r"/channels/\d+", "update_channel"),
    ("POST", r"/users/@me/channels", "create_dm"),
    ("PUT", r"/applications/\d+/guilds/\d+/commands", "bulk_set_guild_application_commands"),
    ("PUT", r"/applications/\d+/commands", "bulk_set_application_commands"),
    ("POST", r"/guilds/\d+/scheduled-events", "create_guild_scheduled_event"),
    ("PATCH", r"/guilds/\d+/scheduled-events/\d+", "update_guild_scheduled_event"),
]


def operation_of(request: Request) -> str | None:
    for method, path, operation in OPERATIONS:
        if request.method == method and re.fullmatch(path, request.path):
            return operation
    return None


def validate_request(request: Request) -> None:
    operation = operation_of(request)
    if operation is not None and request.body is not None:
        spec.validate(operation, request.body)


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
    for request in server.requests:  # every body the bot sent fits Discord's schemas
        validate_request(request)


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
