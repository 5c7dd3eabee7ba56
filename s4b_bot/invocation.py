"""What arrives from an adapter: who is asking, and what they asked for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from s4b_bot.output import Attachment

ArgValue = str | int | bool | None
FormValue = str | tuple[str, ...] | bool | None


@dataclass(frozen=True)
class Actor:
    """The person behind an event, as the adapter knows them."""

    platform: str
    """"slack", "discord" or "console"."""
    community: str
    """The workspace, guild, or "local" for the console."""
    user_id: str
    display_name: str
    is_organizer: bool = False


@dataclass(frozen=True)
class Invocation:
    """A command with its arguments, already parsed against the route table."""

    actor: Actor
    command: str
    """The command's name in the route table: "register", "session call"."""
    args: Mapping[str, ArgValue] = field(default_factory=dict)
    root: str = "s4b"
    """"s4b" for member commands, "s4b-admin" for organizer ones."""
    files: tuple[Attachment, ...] = ()
    """Files sent with the command (an .ics to import)."""


@dataclass(frozen=True)
class FormSubmission:
    actor: Actor
    form_id: str
    values: Mapping[str, FormValue]
