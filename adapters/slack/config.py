"""The Slack adapter's settings, from SLACK_* environment variables (or `.env`).

Secrets are `SecretStr`, so a logged or printed config shows `**********`, never a token.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"

Mode = Literal["socket", "http"]


class SlackConfig(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SLACK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    """xoxb-… : every Web API call."""
    app_token: SecretStr | None = None
    """xapp-… with connections:write: Socket Mode."""
    signing_secret: SecretStr | None = None
    """HTTP mode: bolt verifies every request's signature and timestamp with it."""
    mode: Mode | None = None
    """Force "socket" or "http"; by default Socket Mode when an app token is set."""
    http_port: int | None = Field(default=None, ge=1, le=65535)
    http_host: str = "0.0.0.0"
    http_path: str = "/slack/events"
    """The Request URL path of the manifest's commands, interactivity and events."""

    organizer_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    """Slack has no roles: organizers are these user ids (comma-separated) …"""
    organizer_group: str | None = None
    """… and/or the members of this user group (S…), via usergroups.users.list."""
    organizer_cache_seconds: float = Field(default=60.0, ge=0)

    announcements_channel: str | None = None
    """Channel id (C…) for "next session" and "starting now" posts; the bot must be in it."""
    summaries_channel: str | None = None
    """Channel id for session summaries, each with a discussion thread."""
    ideas_channel: str | None = None
    """Channel id for members' ideas (with vote buttons) and the digest of top ideas."""
    organizers_channel: str | None = None
    """A private channel id for the organizers' copy of the digest and reports."""

    api_url: str = SLACK_API_URL
    """Slack's Web API; tests point it at a local mock."""
    post_interval: float = Field(default=1.0, ge=0)
    """Seconds between two messages to one channel (Slack allows about one a second)."""
    trigger_budget: float = Field(default=2.0, gt=0, lt=3)
    """How long to wait for the core before opening a "Loading…" modal: a trigger_id
    lives 3 s (https://api.slack.com/interactivity/handling#modal_responses). Counted
    from the request's arrival in the process, and cut short under load
    (`deadline.Deadline.left`)."""
    submit_budget: float = Field(default=2.0, gt=0, lt=3)
    """How long a view_submission may wait for the core before its 3 s ack (counted
    from the request's arrival, and cut short under load)."""
    max_upload_bytes: int = Field(default=1_000_000, ge=1, le=10_000_000)
    """Largest file an organizer may send with a command (an .ics to import, a Markdown
    summary); Slack's file input takes at most 10 MB."""
    rate_limit_retries: int = Field(default=2, ge=0, le=10)
    """Retries of a 429 inside the client (honouring Retry-After); the outbox does the rest."""

    @field_validator("organizer_ids", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def enabled(self) -> bool:
        """A bot token, plus what one of the two modes needs."""
        return self.bot_token is not None and self.resolved_mode is not None

    @property
    def resolved_mode(self) -> Mode | None:
        if self.mode is not None:
            return self.mode
        if self.app_token is not None:
            return "socket"
        if self.signing_secret is not None and self.http_port is not None:
            return "http"
        return None

    def channel_for(self, name: str) -> str | None:
        """The channel id configured for one of the core's named channels."""
        return {
            "announcements": self.announcements_channel,
            "summaries": self.summaries_channel,
            "ideas": self.ideas_channel,
            "organizers": self.organizers_channel,
        }.get(name)

    def secret(self, name: Literal["bot_token", "app_token", "signing_secret"]) -> str:
        value: SecretStr | None = getattr(self, name)
        if value is None:
            raise ValueError(f"SLACK_{name.upper()} is not set")
        return value.get_secret_value()
