"""The Discord adapter's configuration (environment variables `DISCORD_*`, or `.env`),
and the invite URL with the minimum permissions the bot needs.
"""

from __future__ import annotations

import discord
from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

SCOPES = ("bot", "applications.commands")

# Each permission the bot asks for, and why (the README repeats this).
PERMISSION_REASONS: dict[str, str] = {
    "view_channel": "see the channels it posts in (announcements, summaries, ideas)",
    "send_messages": "post announcements and summaries in those channels",
    "embed_links": "show sessions as embeds in those posts (without it Discord drops them)",
    "create_events": "mirror each session as a Scheduled Event, and update or cancel its own",
    "create_public_threads": "open a discussion thread under a summary or an idea",
    "send_messages_in_threads": "post in the threads it opened",
    "manage_threads": "lock, unlock, archive or slow down those threads when organizers ask",
    "manage_messages": "take down a member's message in those threads once it is reported",
    "pin_messages": "pin a post when organizers ask",
}
"""Nothing else: replies to commands, buttons and forms go through the interaction
webhook and DMs need no server permission; no privileged intent is used."""


def minimum_permissions() -> discord.Permissions:
    return discord.Permissions(**dict.fromkeys(PERMISSION_REASONS, True))


def invite_url(application_id: int | str) -> str:
    """The OAuth2 URL that adds the bot to a server with the minimum permissions
    (`bot.py discord invite-url` prints it)."""
    return discord.utils.oauth_url(application_id, permissions=minimum_permissions(), scopes=SCOPES)


def minimum_intents() -> discord.Intents:
    """Only `guilds` (not privileged): the guild list and roles for the organizer check.

    Slash commands, buttons and modals arrive as interactions, which need no intent;
    the bot never reads message content.
    """
    return discord.Intents(guilds=True)


class DiscordConfig(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DISCORD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    """The bot token (Developer Portal → Bot → Reset Token). Never logged."""
    application_id: int | None = None
    """The application id; read from the token's application at login when unset."""
    guild_id: int | None = Field(default=None, validate_default=True)
    """The one server the bot serves (required with a token): commands are synced there
    only, organizer rights are that server's, and other servers' interactions are refused."""
    sync_commands: bool = True
    """Push the command tree to Discord at start-up (one bulk overwrite, idempotent)."""
    organizer_role_id: int | None = None
    """Members with this role (in the guild_id server) are organizers. Unset: those with
    Manage Events in that server."""
    announcements_channel_id: int | None = None
    summaries_channel_id: int | None = None
    ideas_channel_id: int | None = None
    organizers_channel_id: int | None = None
    api_base: str | None = None
    """Another Discord REST base URL, e.g. http://127.0.0.1:8080/api/v10 (tests only)."""
    new_dm_per_minute: float = Field(default=20.0, gt=0)
    """How many DM channels the bot opens a minute, at most: Discord quarantines bots that
    open many new DMs quickly. Channels once opened are reused without limit."""
    new_dm_burst: int = Field(default=5, ge=1)
    ack_budget: float = Field(default=2.0, gt=0, le=2.5)
    """Seconds the core may take before an interaction that might open a form is deferred
    instead (Discord wants an answer within 3 s, and a modal must be the first answer)."""
    max_upload_bytes: int = Field(default=1_000_000, ge=1)
    """Largest file a command accepts (an .ics to import)."""

    @field_validator("guild_id")
    @classmethod
    def _guild_with_token(cls, guild_id: int | None, info: ValidationInfo) -> int | None:
        if guild_id is None and info.data.get("token") is not None:
            raise PydanticCustomError(
                "guild_required",
                "required with DISCORD_TOKEN: the id of the one server the bot serves "
                "(right-click the server, Copy Server ID); organizer rights hold only there",
            )
        return guild_id

    @property
    def server_id(self) -> int:
        """`guild_id`, which a running Discord adapter cannot do without."""
        if self.guild_id is None:
            raise ValueError("DISCORD_GUILD_ID is not set: the bot serves one Discord server")
        return self.guild_id

    def channel_id(self, channel: str) -> int | None:
        """The configured channel for one of the core's channel names."""
        return {
            "announcements": self.announcements_channel_id,
            "summaries": self.summaries_channel_id,
            "ideas": self.ideas_channel_id,
            "organizers": self.organizers_channel_id,
        }.get(channel)
