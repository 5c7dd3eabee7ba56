"""Outbox queries for DMs that cannot reach their member: kept as `unreachable` until the
member sees them in the bot (`in_bot`), withdrawn by the changes that withdraw pending rows,
and erased with the member on forget-me.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Registration

UNREACHABLE = "unreachable"
"""A DM the member could not get (DMs closed, account gone): kept for them to see in the bot."""
IN_BOT = "in_bot"
"""A DM that reached its member another way: shown in the bot, or once in their last interaction."""
MAX_ERROR = 500


async def mark_unreachable(
    db: AsyncSession, row_id: int, *, worker: str, error: str, now: datetime, shown: bool
) -> OutboxMessage | None:
    """Record that the member cannot get this DM (`shown`: the platform showed it to them
    once anyway); the row, if it was still `worker`'s to record."""
    result = await db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.leased_by == worker,
            OutboxMessage.status == "pending",
        )
        .values(
            status=IN_BOT if shown else UNREACHABLE,
            attempts=OutboxMessage.attempts + 1,
            lease_until=None,
            last_error=error[:MAX_ERROR],
            failed_at=now,
            sent_at=now if shown else None,
        )
        .returning(OutboxMessage.id)
    )
    if result.scalar() is None:
        return None
    return await db.get(OutboxMessage, row_id, populate_existing=True)


async def waiting_for(
    db: AsyncSession, member_id: int, kinds: Collection[str], *, limit: int = 10
) -> Sequence[OutboxMessage]:
    """The member's DMs that could not reach them and they have not seen yet, oldest first."""
    result = await db.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.member_id == member_id,
            OutboxMessage.status == UNREACHABLE,
            OutboxMessage.kind.in_(list(kinds)),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update()
    )
    return result.all()


async def mark_in_bot(db: AsyncSession, ids: Collection[int], *, now: datetime) -> None:
    """These rows were shown to their member in the bot: delivered, never shown again."""
    if ids:
        await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == UNREACHABLE)
            .values(status=IN_BOT, sent_at=now)
        )


@dataclass(frozen=True)
class Unreachable:
    """One member whom DMs do not reach, for organizers."""

    member_id: int
    platform: str
    waiting: int
    """How many messages wait for them, still unseen."""
    since: datetime
    """When the first of those failed."""


async def unreachable_members(db: AsyncSession) -> list[Unreachable]:
    """Every member with unseen messages waiting, the longest waiting first."""
    rows = await db.execute(
        select(
            OutboxMessage.member_id,
            OutboxMessage.platform,
            func.count(),
            func.min(OutboxMessage.failed_at),
        )
        .where(OutboxMessage.status == UNREACHABLE, OutboxMessage.member_id.is_not(None))
        .group_by(OutboxMessage.member_id, OutboxMessage.platform)
    )
    found = [
        Unreachable(member, str(platform or ""), int(count), _utc(since))
        for member, platform, count, since in rows
        if member is not None
    ]
    return sorted(found, key=lambda u: (u.since, u.member_id))


async def still_in_threads(
    db: AsyncSession, kind: str, member_ids: Collection[int]
) -> dict[int, set[int]]:
    """Of these members, the sessions whose thread a row of `kind` brought them into and
    where they still hold a seat (one who left is taken out of it)."""
    if not member_ids:
        return {}
    rows = await db.execute(
        select(OutboxMessage.member_id, OutboxMessage.session_id)
        .join(
            Registration,
            (Registration.member_id == OutboxMessage.member_id)
            & (Registration.session_id == OutboxMessage.session_id),
        )
        .where(
            OutboxMessage.kind == kind,
            OutboxMessage.status == "sent",
            OutboxMessage.member_id.in_(list(member_ids)),
            Registration.status == "confirmed",
        )
    )
    found: dict[int, set[int]] = {}
    for member_id, session_id in rows:
        if member_id is not None and session_id is not None:
            found.setdefault(member_id, set()).add(session_id)
    return found


async def sessions_noted(
    db: AsyncSession, kind: str, member_ids: Collection[int]
) -> set[tuple[str, int]]:
    """The (platform, session) of every row of `kind` these members have, in any state."""
    rows = await db.execute(
        select(OutboxMessage.platform, OutboxMessage.session_id)
        .where(OutboxMessage.kind == kind, OutboxMessage.member_id.in_(list(member_ids)))
        .distinct()
    )
    return {
        (platform, session_id)
        for platform, session_id in rows
        if platform is not None and session_id is not None
    }


async def members_sent(db: AsyncSession, kind: str, session_id: int) -> set[int]:
    """The members to whom a row of `kind` about this session was sent."""
    found = await db.scalars(
        select(OutboxMessage.member_id).where(
            OutboxMessage.kind == kind,
            OutboxMessage.status == "sent",
            OutboxMessage.session_id == session_id,
        )
    )
    return {member for member in found if member is not None}


def _utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
