"""Test doubles for the core's ports: a Platform that records what it was asked to send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from s4b_bot.errors import PermanentFailure, RetryLater
from s4b_bot.output import Message
from s4b_bot.ports import ModerationAction, Recipient, SessionEvent
from tests.helpers import message_text


@dataclass
class Sent:
    kind: str  # "dm" or "post"
    to: str  # user id, or channel
    message: Message
    ref: str | None = None
    thread: str | None = None

    @property
    def text(self) -> str:
        return message_text(self.message)


@dataclass
class RecordingPlatform:
    """Records every DM and post. `fail` may raise RetryLater/PermanentFailure to inject faults."""

    name: str = "console"
    sent: list[Sent] = field(default_factory=list)
    synced: list[tuple[SessionEvent, str | None]] = field(default_factory=list)
    moderated: list[tuple[str, str, str]] = field(default_factory=list)
    cannot_lock: bool = False
    fail: Callable[[Sent], None] | None = None
    deleted: list[tuple[str, str]] = field(default_factory=list)
    slowed: list[tuple[str, int]] = field(default_factory=list)
    cannot_delete: str | None = None
    """Set: delete_message raises PermanentFailure with this text (how to do it by hand)."""

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        self._record(Sent("dm", recipient.user_id, message))

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        self._record(Sent("post", channel, message, ref=ref, thread=thread_title))
        return ref or f"{channel}:{len(self.sent)}"

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        if self.cannot_lock and action in ("lock", "unlock"):
            raise PermanentFailure("this platform has no API to lock a thread")
        self.moderated.append((channel, ref, action))

    async def delete_message(self, community: str, channel: str, message_id: str) -> bool:
        if self.cannot_delete is not None:
            raise PermanentFailure(self.cannot_delete)
        if (channel, message_id) in self.deleted:
            return False  # already gone
        self.deleted.append((channel, message_id))
        return True

    async def slow_thread(self, community: str, channel: str, seconds: int) -> None:
        self.slowed.append((channel, seconds))

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        self.synced.append((event, ref))
        return ref or f"event:{event.session_id}"

    def _record(self, item: Sent) -> None:
        if self.fail is not None:
            self.fail(item)
        self.sent.append(item)

    def dms_to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == "dm" and s.to == user_id]

    def posts(self) -> list[Sent]:
        return [s for s in self.sent if s.kind == "post"]


def closed_dms(item: Sent) -> None:
    raise PermanentFailure("the member does not accept direct messages")


def rate_limited(seconds: float) -> Callable[[Sent], None]:
    def fail(item: Sent) -> None:
        raise RetryLater("429 Too Many Requests", delay=seconds)

    return fail
