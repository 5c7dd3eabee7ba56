"""The ports through which the core reaches the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

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


@dataclass(frozen=True)
class SessionEvent:
    """A session as a platform calendar shows it (Discord's Guild Scheduled Events).

    Never carries the call link: `location` is a neutral line for everyone to read.
    """

    session_id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    status: Literal["scheduled", "cancelled", "held"]
    location: str


ModerationAction = Literal["lock", "unlock", "archive", "pin"]


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

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        """Post to a configured channel ("announcements", "summaries", "ideas", "organizers").

        With `ref` (what an earlier call returned), edit that post instead of posting
        again. With `thread_title` on a new post, open a discussion thread under it (a
        Slack thread reply, a Discord thread; on a Discord forum channel the post is the
        thread). Returns a ref to the post (Slack "channel:ts", a Discord message id), or
        None when the platform cannot edit posts later.
        """
        ...

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        """Lock, unlock or archive the discussion under a post, or pin the post.

        Raise `PermanentFailure` saying so when the platform cannot (Slack cannot lock).
        """
        ...

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        """Create (ref None) or update the platform's own calendar entry for a session.

        Returns its ref, or None on platforms without such a calendar (Slack, console).
        """
        ...


@runtime_checkable
class PostLinks(Protocol):
    """A platform whose posts have a link people can open (Slack, Discord; not a terminal)."""

    async def permalink(self, community: str, ref: str) -> str | None:
        """The link to the post `ref` (what `post` returned), or None if there is none."""
        ...


# --- Messages that always arrive (issue 14, part 5): a private thread per session --------


@dataclass(frozen=True)
class SessionThread:
    """A session's private thread, where the bot reaches registrants whose DMs stay closed.

    Everyone in it reads every post: what goes there names the member (a mention) and the
    session, never their email, answers or calendar file, and never call details unless
    every member of the thread holds a seat.
    """

    session_id: int
    name: str
    """The thread's name, if it has to be made."""
    ref: str | None = None
    """What an earlier `post_in_session_thread` returned, if the thread exists already."""
    leave: tuple[str, ...] = ()
    """Members added earlier who hold no seat now (left, or moved to the waitlist): taken
    out of the thread before anything more is posted there."""


@runtime_checkable
class SessionThreads(Protocol):
    """A platform that can add one member to a private thread (Discord). On the others
    (`private_threads` False) a member who cannot get DMs finds them in the bot instead."""

    private_threads: bool

    async def post_in_session_thread(
        self, recipient: Recipient, thread: SessionThread, message: Message
    ) -> str:
        """Open the session's private thread in the announcements channel unless `thread.ref`
        still exists, take `thread.leave` out of it, add the member, and post `message`
        there mentioning them only.
        Returns the thread's ref. Raise `PermanentFailure` where there are no such threads."""

    async def leave_session_thread(self, community: str, thread: SessionThread) -> None:
        """Take `thread.leave` out of the existing thread `thread.ref`, posting nothing (a
        member who asked to be forgotten); one already out, or a thread gone, is fine."""


# --- members' messages in the bot's threads (issue 14 part 8) ---------------------------


@runtime_checkable
class ThreadModeration(Protocol):
    """A platform whose members' messages in threads the bot can act on.

    Raise `PermanentFailure` whose text tells an organizer exactly how to do it by hand
    when the platform or the bot's permissions do not allow it.
    """

    async def delete_message(self, community: str, channel: str, message_id: str) -> bool:
        """Delete a member's message: True, or False if it was already gone."""
        ...

    async def slow_thread(self, community: str, channel: str, seconds: int) -> None:
        """Let each member post in the thread at most once every `seconds` (0: off)."""
        ...
