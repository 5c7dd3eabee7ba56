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


@dataclass(frozen=True)
class ChatMessage:
    """A message someone pointed at with their platform's own gesture (Discord's message
    context menu, Slack's message shortcut, the console's `/report-message`)."""

    channel: str
    """Where it is: a Discord thread's id, a Slack channel id, a console channel."""
    message_id: str
    """A Discord message id, a Slack ts, a console message number."""
    under: tuple[str, ...]
    """The post whose thread it is in, as `Platform.post` refs that post (its first
    message); more than one reading where the platform cannot tell which (a Discord
    thread under a channel message, or a forum post that is its own thread). Empty when
    it is in no thread at all."""
    author_id: str
    text: str
    link: str | None = None
    """Where an organizer opens it (Discord's message link, Slack's permalink)."""
    by_bot: bool = False
    """Posted by the bot itself."""
