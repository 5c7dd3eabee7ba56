"""Every outbox kind, gathered from the features that declare them; planning, rendering
and withdrawal look kinds up here.

A session change withdraws the pending rows of the kinds that declare it (`withdraw`),
then plans afresh what still applies.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.conversation import ideas, message_actions, summaries, threads
from s4b_bot.feedback import kind as feedback
from s4b_bot.outbox import session_followups, session_posts, unreachable
from s4b_bot.outbox.kinds import Change, OutboxKind, Recipients
from s4b_bot.registration import comeback, notices, offer_notices
from s4b_bot.reminders.kind import REMINDER
from storage import outbox
from storage.models import OutboxMessage

KINDS: tuple[OutboxKind[...], ...] = (
    REMINDER,
    *notices.KINDS,
    *session_posts.KINDS,
    *session_followups.KINDS,
    *summaries.KINDS,
    *ideas.KINDS,
    *threads.KINDS,
    *message_actions.KINDS,
    *comeback.KINDS,
    *offer_notices.KINDS,
    *feedback.KINDS,
    *unreachable.KINDS,
)
BY_NAME: dict[str, OutboxKind[...]] = {kind.name: kind for kind in KINDS}
assert len(BY_NAME) == len(KINDS), "two outbox kinds share a name"

MEMBER_KINDS = tuple(k.name for k in KINDS if k.recipients is Recipients.MEMBER)
"""The kinds sent as DMs to one member."""


def withdrawn_by(change: Change) -> tuple[str, ...]:
    """The names of the kinds whose pending rows `change` withdraws."""
    return tuple(k.name for k in KINDS if change in k.withdrawn_by)


async def withdraw(
    db: AsyncSession,
    change: Change,
    *,
    session_id: int | None = None,
    member_id: int | None = None,
) -> int:
    """Withdraw the pending rows `change` makes wrong, of this session and/or member."""
    return await outbox.withdraw(
        db, kinds=withdrawn_by(change), session_id=session_id, member_id=member_id
    )


async def erase(db: AsyncSession, member_ids: Collection[int]) -> None:
    """Forget-me: every row of these members, planned, sent or failed, is deleted."""
    await db.execute(
        delete(OutboxMessage).where(
            OutboxMessage.member_id.in_(list(member_ids)),
            OutboxMessage.kind.in_(withdrawn_by(Change.FORGET_ME)),
        )
    )


def labels() -> Sequence[tuple[str, str]]:
    """Each kind's name and what it is in an organizer's words."""
    return [(k.name, k.label) for k in KINDS]
