"""The Discord adapter: S4B on Discord with discord.py 2.7 application commands.

`build_discord(core, DiscordConfig())` gives the client (its `platform` is the
dispatcher's Platform); `run_discord(client, stop=...)` serves until stopped;
`invite_url(application_id)` is the OAuth2 link with the minimum permissions.
"""

from adapters.discord.client import (
    S4BClient,
    application_id_from_token,
    build_discord,
    run_discord,
    set_api_base,
)
from adapters.discord.config import DiscordConfig, invite_url, minimum_intents
from adapters.discord.platform import DiscordPlatform

__all__ = [
    "DiscordConfig",
    "DiscordPlatform",
    "S4BClient",
    "application_id_from_token",
    "build_discord",
    "invite_url",
    "minimum_intents",
    "run_discord",
    "set_api_base",
]
