"""The ports through which the core reaches the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from s4b_bot.output import Message


class Clock(Protocol):
    """Tells the time. Injected everywhere so tests and demos can set "now"."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


@dataclass(frozen=True)
class Recipient:
    """A member as their platform knows them."""

    community: str
    user_id: str
    display_name: str


class Platform(Protocol):
    """What the dispatcher needs from an adapter to deliver what the core planned.

    Raise `RetryLater(delay=...)` for a passing failure (429, 5xx, timeout) and
    `PermanentFailure` for one that will never succeed (DMs closed, user gone, no
    such channel); anything else is treated as transient and retried a few times.
    """

    name: str

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        """Send a direct message (with its attachments) to one member."""
        ...

    async def post(self, community: str, channel: str, message: Message) -> None:
        """Post to one of the community's configured channels ("announcements")."""
        ...
