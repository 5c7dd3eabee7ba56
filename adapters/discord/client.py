"""The Discord client: gateway with the minimum intents, the command tree from the
route table, persistent buttons, and the entry points `bot.py` calls.

    client = build_discord(core, DiscordConfig())
    dispatcher = Dispatcher(db, platforms={"discord": client.platform, ...}, ...)
    await run_discord(client, stop=stop_event)        # until stop is set

Rate limits are left to discord.py's HTTP client (`max_ratelimit_timeout` 30 s: a longer
wait comes back as RetryLater to the dispatcher instead of blocking it).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from typing import Any

import discord
from discord import app_commands
from discord.http import Route

from adapters.discord.config import DiscordConfig, minimum_intents
from adapters.discord.gestures import build_context_menus
from adapters.discord.interactions import InteractionHandler
from adapters.discord.platform import DiscordPlatform
from adapters.discord.render import NO_MENTIONS
from adapters.discord.tree import S4BCommandTree, build_groups, discord_names
from adapters.discord.views import MODAL_PREFIX, PERSISTENT_ITEMS
from s4b_bot import Core, went_wrong

_log = logging.getLogger(__name__)

MAX_RATELIMIT_WAIT = 30.0
PLATFORM = "discord"


class S4BClient(discord.Client):
    """discord.Client with the S4B tree, handlers and Platform attached."""

    def __init__(self, core: Core, config: DiscordConfig) -> None:
        options: dict[str, Any] = {}
        if config.application_id is not None:  # else read from the token's app at login
            options["application_id"] = config.application_id
        super().__init__(
            intents=minimum_intents(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            allowed_mentions=NO_MENTIONS,
            **options,
        )
        self.core = core
        self.config = config
        self.names = discord_names(core.routes)
        self.s4b = InteractionHandler(core, config, names=self.names)
        self.tree = S4BCommandTree(self)
        server = discord.Object(config.server_id)  # the commands exist there only
        for group in build_groups(core.routes, self.s4b):
            self.tree.add_command(group, guild=server)
        for menu in build_context_menus(core.routes, self.s4b):  # "Report to organizers"
            self.tree.add_command(menu, guild=server)
        self.platform = DiscordPlatform(self, config, self.s4b, names=self.names)

    @property
    def connected(self) -> bool:
        """Logged in and the gateway ready (for a health check)."""
        return self.is_ready() and not self.is_closed()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*PERSISTENT_ITEMS)
        if self.config.sync_commands:
            try:
                await self.sync_commands()
            except discord.HTTPException as exc:  # the commands synced last time still work
                _log.warning("could not sync the commands: %s %s", exc.status, exc.text)

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """One bulk overwrite to the configured server, and none anywhere else: an empty
        global set also removes commands an earlier global sync left in other servers."""
        await self.tree.sync()
        return await self.tree.sync(guild=discord.Object(self.config.server_id))

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Modal submissions, by custom_id (commands and buttons go through the tree and
        the persistent items)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if custom_id.startswith(MODAL_PREFIX):
            await self.s4b.submit_modal(interaction)

    async def on_ready(self) -> None:
        _log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))
        for guild in self.guilds:
            await self._mirror(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._mirror(guild)

    async def _mirror(self, guild: discord.Guild) -> None:
        """Plan the server's Scheduled Events for every upcoming session (idempotent);
        only in the configured server: the bot serves no other."""
        if guild.id != self.config.server_id:
            _log.warning(
                "server %s is not DISCORD_GUILD_ID: it gets nothing from the bot", guild.id
            )
            return
        try:
            await self.core.sync_community(PLATFORM, str(guild.id))
        except Exception as exc:  # a database hiccup must not stop the gateway
            _log.warning("could not plan event syncs for %s: %s", guild.id, type(exc).__name__)

    async def on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        _log.error("command %s failed", interaction.command, exc_info=error)
        if not interaction.response.is_done():
            with contextlib.suppress(discord.HTTPException):
                await interaction.response.send_message(
                    went_wrong(),
                    ephemeral=True,
                    allowed_mentions=NO_MENTIONS,
                )
        await self.s4b.log.mark(interaction.id, "error")


def set_api_base(url: str) -> None:
    """Point discord.py's REST calls (and interaction webhooks) at another base URL.

    `Route` reads `BASE` each time one is built, so set it before any request.
    """
    Route.BASE = url.rstrip("/")


def build_discord(core: Core, config: DiscordConfig | None = None) -> S4BClient:
    """The client, ready to start; `client.platform` is the dispatcher's Platform."""
    config = config or DiscordConfig()
    if config.api_base:
        set_api_base(config.api_base)
    # The bot never joins voice: no warning about voice libraries it does not need.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    return S4BClient(core, config)


def application_id_from_token(token: str) -> int | None:
    """A bot token starts with its user id in base64, which is the application's id."""
    head = token.split(".", 1)[0]
    try:
        text = base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


async def run_discord(client: S4BClient, *, stop: asyncio.Event) -> None:
    """Log in, connect to the gateway and serve until `stop` is set, then close."""
    token = client.config.token
    if token is None:
        raise ValueError("DISCORD_TOKEN is not set")
    async with client:
        runner = asyncio.create_task(client.start(token.get_secret_value()), name="discord")
        stopper = asyncio.create_task(stop.wait(), name="discord-stop")
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if runner in done:
            runner.result()  # a login failure or a fatal gateway error: let bot.py see it
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
