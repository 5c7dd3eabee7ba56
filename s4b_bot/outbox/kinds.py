"""What an outbox kind declares: its name, dedupe key, recipients, renderer and withdrawals.

Each feature declares its kinds next to its code; `outbox/registry.py` gathers them (and
lists where they are), and planning, rendering and withdrawal read them there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, Literal, ParamSpec

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.output import Message
from s4b_bot.ports import ModerationAction, SessionEvent, SessionThread
from s4b_bot.settings import Settings
from storage.models import Account, Community, OutboxMessage

P = ParamSpec("P")


class Change(StrEnum):
    """What happens to a session (or to a member's place in it) that may make pending rows
    wrong. A capacity change withdraws nothing itself: the seats it frees are waitlist moves."""

    RESCHEDULE = "reschedule"
    """The session moved (rows of the session)."""
    CANCEL = "cancel"
    """The session is cancelled (rows of the session)."""
    UNREGISTER = "unregister"
    """A member left the session or its waitlist, or a duplicate account's registration was
    dropped on linking (rows of that member and session)."""
    WAITLIST_MOVE = "waitlist move"
    """A member moved up from the waitlist to a seat (rows of that member and session)."""
    FORGET_ME = "forget-me"
    """A member asked to be forgotten (every row of theirs is erased)."""
    REMINDER_SETTINGS = "reminder settings"
    """A member's reminder times changed (rows of that member, planned again)."""


class Recipients(StrEnum):
    """Whom a kind's rows go to."""

    MEMBER = "member"
    """A DM to one member (`row.member_id`), through the account they chose for DMs."""
    COMMUNITY = "community"
    """A post in a community's channel (`row.community_id`); planned once with no platform,
    then fanned out to every community."""


class Withdraw(Exception):
    """The row no longer applies; the reason is recorded on it."""


@dataclass(frozen=True)
class Rendering:
    """What a renderer is given: the row, and where it goes, already looked up."""

    db: AsyncSession
    row: OutboxMessage
    community: Community
    member: Account | None
    """The member a DM is about (their own settings); None for a community post."""
    settings: Settings
    now: datetime

    @property
    def platform(self) -> str:
        assert self.row.platform is not None
        return self.row.platform


@dataclass(frozen=True)
class Draft:
    """What a renderer returns: a message, and for a channel post where and how it goes."""

    message: Message
    channel: str | None = None
    sync: SessionEvent | None = None
    ref: str | None = None
    """The platform's id of what to edit, from an earlier send."""
    ref_key: str | None = None
    """Where to keep the id the platform gives back."""
    thread_title: str | None = None
    """On a new post: open a discussion thread under it with this title."""
    moderate: ModerationAction | None = None
    """Instead of posting: lock, unlock, archive or pin the post `ref`."""
    link_key: str | None = None
    """Where to keep the link to the new post, if the platform gives one."""
    act: MessageAct | None = None
    """Instead of posting: delete a member's message, or slow its thread down."""
    keep_ref_as: str | None = None
    """Where to keep the platform's id of the new post, so a later row can edit it (this
    row still posts anew, unlike one with `ref_key`)."""
    in_thread: SessionThread | None = None
    """For a member whose DMs are closed: post in this session thread, not as a DM."""


@dataclass(frozen=True)
class MessageAct:
    """A draft's act on a member's message in a thread, instead of posting
    (`ports.ThreadModeration`); organizers are told in their channel how it went."""

    action: Literal["delete", "slow"]
    channel: str
    message_id: str
    message: int = 0
    """The message's moderation record (`ThreadMessage.id`)."""
    seconds: int = 0
    done: Message | None = None
    """Posted to the organizers when it worked (None: nothing to add)."""
    failed: str = ""
    """Posted to the organizers when it did not, before the platform's own words."""
    audit_target: str = ""


Renderer = Callable[[Rendering], Awaitable[Draft]]


@dataclass(frozen=True)
class OutboxKind(Generic[P]):
    """One kind of outbox row, declared once."""

    name: str
    """Stored in `OutboxMessage.kind`, and the first part of every dedupe key."""
    label: str
    """What it is, in an organizer's words (`/s4b-admin deliveries`)."""
    recipients: Recipients
    key: Callable[P, str]
    """The dedupe key, from what the row is about: planning twice plans one row. Keys of
    rows already stored must keep their format (tests/outbox/test_kinds.py pins them)."""
    render: Renderer
    withdrawn_by: frozenset[Change]
    """The changes that withdraw this kind's pending rows (the change plans afresh what
    still applies)."""
    calendar: bool = False
    """Carries calendar files: planning one advances the member's copy of its sessions."""

    def __post_init__(self) -> None:
        if self.recipients is Recipients.MEMBER and Change.FORGET_ME not in self.withdrawn_by:
            raise ValueError(f"{self.name}: a DM must be erased on forget-me")


def member_dm(
    name: str,
    label: str,
    key: Callable[P, str],
    render: Renderer,
    withdrawn_by: Collection[Change],
    *,
    calendar: bool = False,
) -> OutboxKind[P]:
    """A kind of DM to one member."""
    changes = frozenset(withdrawn_by)
    return OutboxKind(name, label, Recipients.MEMBER, key, render, changes, calendar)


def channel_post(
    name: str, label: str, key: Callable[P, str], render: Renderer, withdrawn_by: Collection[Change]
) -> OutboxKind[P]:
    """A kind of post in every community's channel."""
    return OutboxKind(name, label, Recipients.COMMUNITY, key, render, frozenset(withdrawn_by))


MOVED_OR_CANCELLED = (Change.RESCHEDULE, Change.CANCEL)
"""What withdraws the posts and events planned for a session's time."""


def ts(when: datetime) -> int:
    """A time as it appears in dedupe keys and payloads: whole seconds since the epoch."""
    return int(when.timestamp())
