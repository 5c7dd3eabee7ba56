"""Configuration: environment variables, then a `.env` file, then an optional TOML file
(`S4B_CONFIG_FILE`, default `s4b.toml` in the working directory), first found wins."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from storage.db import DEFAULT_TIMEOUT, sqlite_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="S4B_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Keys in the TOML file are the field names: data_dir = "/var/lib/s4b", ...
        toml_file = Path(os.environ.get("S4B_CONFIG_FILE", "s4b.toml"))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_file)
        return init_settings, env_settings, dotenv_settings, toml, file_secret_settings

    data_dir: Path = Path("data")
    """Where the default SQLite file lives; created on first run."""
    database_url: str | None = None
    """SQLAlchemy URL; default: a SQLite file in `data_dir`. postgresql://... uses asyncpg."""
    database_timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0, le=300)
    """Seconds to wait for PostgreSQL to connect or answer one statement before giving up."""
    command_timeout: float = Field(default=10.0, gt=0, le=300)
    """Seconds one command, button or form may take in all; past that the member is told to
    try again (nothing is kept), so a database that stops answering never hangs them."""
    log_level: str = Field(default="INFO", pattern="(?i)^(debug|info|warning|error)$")
    log_json: bool = False
    """One JSON object a line instead of plain text (for log collectors)."""
    now: datetime | None = None
    """Pretend it is this time: `bot.py run`'s clock starts there and runs on (rehearsals);
    the console's clock stands still there until `/clock` moves it."""
    programme_file: Path | None = None
    """A programme file to load on first start instead of the bundled S4B 2025 one."""
    contact_email: str | None = None
    """Overrides the programme file's contact address."""
    organizer_name: str | None = None
    organizer_email: str | None = None
    """ORGANIZER of calendar invitations; default: the programme's contact."""
    calendar_domain: str = "s4b-bot.invalid"
    """Right-hand side of calendar UIDs; set it to your own domain."""
    reminder_offsets: str = "7d,1d,1h"
    """Default reminders before each session; members and communities can override."""
    digest_days_before: int = Field(default=7, ge=0, le=60)
    """Post the digest of top ideas to organizers and the ideas channel this many days before."""
    waitlist_offer_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    """How long a freed seat is held for the first in line to accept it; cut so that it
    always ends at the cut-off before the session starts."""
    waitlist_offer_cutoff_hours: float = Field(default=2.0, ge=0, le=24 * 30)
    """No more offers this close to a session's start; those still waiting are told it is full."""
    retention_days: int = Field(default=90, ge=1, le=3650)
    """Form answers and emails are erased this many days after their series' last session."""
    takedown_reports: int = Field(default=3, ge=1, le=100)
    """A message in a discussion thread reported by this many different members is taken
    down pending the organizers' review."""
    announce_days_before: int = Field(default=7, ge=0, le=60)
    """Post "next session" to the announcements channel this many days before (0: off)."""
    followup_after_minutes: int = Field(default=60, ge=0, le=10_080)
    """Ask a session's registrants for feedback this many minutes after it ends."""
    http_port: int | None = Field(default=None, ge=1, le=65535)
    """Port of the bot's small HTTP server (calendar feeds); off when unset."""
    http_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """Port of the Prometheus /metrics listener, apart from the public one; off when unset."""
    metrics_host: str = "127.0.0.1"
    metrics_token: SecretStr | None = None
    """When set, a scrape must send `Authorization: Bearer <token>` (needed off loopback)."""
    public_url: str | None = None
    """How members reach that server, e.g. https://s4b.example.org (for feed links)."""
    dispatch_rate: dict[str, float] = Field(
        default_factory=lambda: {"slack": 20.0, "discord": 40.0, "console": 1000.0}
    )
    """Messages a second per platform, all channels together. Discord allows 50/s a bot;
    Slack ~1/s per channel, which its adapter paces channel by channel, so DMs to many
    members need not wait for one another."""

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets_parse(cls, value: str) -> str:
        from s4b_bot.errors import UserError
        from s4b_bot.reminders.offsets import parse_offsets

        try:
            parse_offsets(value)
        except UserError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir / "s4b.sqlite3")
