"""Outbox queries: plan, withdraw, claim with a lease, and record how a send went.

Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several dispatchers can share one
database without two of them taking the same row; on SQLite the write lock taken by
BEGIN IMMEDIATE does the same for processes on one machine. A claim is a lease: the
dispatcher renews it while its rows wait to be sent, and records how each went only on
rows still leased to it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, OutboxMessage, PlatformRef
from storage.queries import insert_for

MAX_ERROR = 500
LEASE = timedelta(minutes=2)
"""How long a dispatcher holds the rows it claimed before another may take them; a row it
sends is sent within its lease."""

# A withdrawn row gives its dedupe key up (prefixed with "~id:"), so the same message can
# be planned again later (a member who unregisters and registers again); sent rows keep
# theirs, so nothing is sent twice.
_FREED_KEY = func.substr(
    "~" + cast(OutboxMessage.id, String) + ":" + OutboxMessage.dedupe_key, 1, 200
)


async def plan(
    db: AsyncSession,
    *,
    dedupe_key: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    platform: str | None,
    member_id: int | None = None,
    community_id: int | None = None,
    session_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Add a message to send at `due_at`; False if one with this dedupe key exists."""
    result = await db.execute(
        insert_for(db, OutboxMessage)
        .values(
            dedupe_key=dedupe_key[:200],
            kind=kind,
            platform=platform,
            member_id=member_id,
            community_id=community_id,
            session_id=session_id,
            payload=payload or {},
            due_at=due_at,
            status="pending",
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return result.scalar() is not None


async def plan_many(db: AsyncSession, rows: Sequence[dict[str, Any]], *, now: datetime) -> int:
    """Several `plan`s in one statement (a registration's invitation and reminders);
    returns how many were new."""
    if not rows:
        return 0
    values = [
        {
            "dedupe_key": row["dedupe_key"][:200],
            "kind": row["kind"],
            "platform": row.get("platform"),
            "member_id": row.get("member_id"),
            "community_id": row.get("community_id"),
            "session_id": row.get("session_id"),
            "payload": row.get("payload") or {},
            "due_at": row["due_at"],
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for row in rows
    ]
    # Parameters apart from the statement (executemany): one compiled, cached statement,
    # where a multi-row VALUES would be compiled afresh for every call.
    result = await db.execute(
        insert_for(db, OutboxMessage)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id),
        values,
    )
    return len(result.all())


async def withdraw(
    db: AsyncSession,
    *,
    kinds: Collection[str],
    session_id: int | None = None,
    member_id: int | None = None,
) -> int:
    """Withdraw pending messages of these kinds for a session and/or member, and those
    waiting for a member who could not get them (no longer to be shown)."""
    stmt = update(OutboxMessage).where(
        OutboxMessage.status.in_(("pending", "unreachable")), OutboxMessage.kind.in_(list(kinds))
    )
    if session_id is not None:
        stmt = stmt.where(OutboxMessage.session_id == session_id)
    if member_id is not None:
        stmt = stmt.where(OutboxMessage.member_id == member_id)
    result = await db.execute(
        stmt.values(status="withdrawn", lease_until=None, dedupe_key=_FREED_KEY)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def fan_out_broadcasts(db: AsyncSession, *, now: datetime) -> int:
    """Turn each due broadcast (no platform yet) into one row per community."""
    broadcasts = (
        await db.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.platform.is_(None),
                OutboxMessage.due_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not broadcasts:
        return 0
    communities = (await db.scalars(select(Community))).all()
    for row in broadcasts:
        for community in communities:
            await plan(
                db,
                dedupe_key=f"{row.dedupe_key}@{community.id}",
                kind=row.kind,
                due_at=row.due_at,
                now=now,
                platform=community.platform,
                community_id=community.id,
                session_id=row.session_id,
                payload=row.payload,
            )
        row.status, row.sent_at = "sent", now
    return len(broadcasts)


async def claim(
    db: AsyncSession,
    *,
    platforms: Collection[str],
    now: datetime,
    lease_until: datetime,
    worker: str,
    limit: int,
) -> Sequence[OutboxMessage]:
    """Lease up to `limit` due rows for these platforms to `worker`."""
    rows = (
        await db.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.due_at <= now,
                OutboxMessage.platform.in_(list(platforms)),
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
            )
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.lease_until, row.leased_by = lease_until, worker
    return rows


def _held_by(worker: str) -> ColumnElement[bool]:
    """Rows still leased to `worker`: once another dispatcher claims a row whose lease ran
    out, it is theirs (`leased_by` changes), and nothing `worker` does may touch it."""
    return and_(OutboxMessage.leased_by == worker, OutboxMessage.status == "pending")


async def renew(
    db: AsyncSession, ids: Collection[int], *, worker: str, lease_until: datetime
) -> set[int]:
    """Extend `worker`'s lease on these rows; returns the ids still its own."""
    if not ids:
        return set()
    result = await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), _held_by(worker))
        .values(lease_until=lease_until)
        .returning(OutboxMessage.id)
    )
    return set(result.scalars())


BLANKED_WHEN_DONE = ("thread_leave",)
"""Kinds whose payload holds the platform user id of a member who asked to be forgotten:
blanked once the row is carried out, withdrawn or given up."""


async def _blank_forgotten(db: AsyncSession, ids: Collection[int]) -> None:
    await db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.kind.in_(BLANKED_WHEN_DONE),
            OutboxMessage.status != "pending",
        )
        .values(payload={})
        .execution_options(synchronize_session=False)
    )


async def mark_sent(db: AsyncSession, ids: Collection[int], *, worker: str, now: datetime) -> int:
    """Mark rows sent; returns how many were still `worker`'s to mark."""
    if not ids:
        return 0
    result = await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), _held_by(worker))
        .values(status="sent", sent_at=now, lease_until=None)
    )
    await _blank_forgotten(db, ids)
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_withdrawn(db: AsyncSession, row_id: int, *, reason: str) -> None:
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            status="withdrawn",
            lease_until=None,
            dedupe_key=_FREED_KEY,
            last_error=reason[:MAX_ERROR],
        )
    )
    await _blank_forgotten(db, [row_id])


async def retry_later(
    db: AsyncSession, row_id: int, *, worker: str, due_at: datetime, error: str
) -> None:
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, _held_by(worker))
        .values(
            due_at=due_at,
            attempts=OutboxMessage.attempts + 1,
            lease_until=None,
            last_error=error[:MAX_ERROR],
        )
    )


async def mark_failed(
    db: AsyncSession, row_id: int, *, worker: str, error: str, now: datetime
) -> None:
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, _held_by(worker))
        .values(
            status="failed",
            attempts=OutboxMessage.attempts + 1,
            lease_until=None,
            last_error=error[:MAX_ERROR],
            failed_at=now,
        )
    )
    await _blank_forgotten(db, [row_id])


async def counts_by_status(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: count for status, count in rows}


async def failures(db: AsyncSession) -> Sequence[OutboxMessage]:
    """Every row given up for good, the latest first."""
    result = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.id.desc())
    )
    return result.all()


async def next_due(db: AsyncSession, *, platforms: Collection[str]) -> datetime | None:
    """When the earliest pending row falls due (for the dispatcher's sleep)."""
    return await db.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.status == "pending",
            or_(OutboxMessage.platform.in_(list(platforms)), OutboxMessage.platform.is_(None)),
        )
    )


def link_key(row_id: int) -> str:
    """The platform ref key under which the link to what outbox row `row_id` posted is kept."""
    return f"link:{row_id}"


async def session_posts(db: AsyncSession, *, kind: str, session_id: int) -> Sequence[OutboxMessage]:
    """A session's channel posts of one kind, planned or sent, the newest first."""
    result = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.session_id == session_id)
        .order_by(OutboxMessage.id.desc())
        .limit(100)
    )
    return result.all()


async def get_ref(db: AsyncSession, *, platform: str, community_id: int, key: str) -> str | None:
    return await db.scalar(
        select(PlatformRef.ref).where(
            PlatformRef.platform == platform,
            PlatformRef.community_id == community_id,
            PlatformRef.key == key,
        )
    )


async def save_ref(
    db: AsyncSession, *, platform: str, community_id: int, key: str, ref: str, now: datetime
) -> None:
    """Remember (or replace) what the platform called the thing known as `key`."""
    await db.execute(
        insert_for(db, PlatformRef)
        .values(platform=platform, community_id=community_id, key=key, ref=ref, updated_at=now)
        .on_conflict_do_update(
            index_elements=["platform", "community_id", "key"],
            set_={"ref": ref, "updated_at": now},
        )
    )


async def due_summary(db: AsyncSession, *, now: datetime) -> tuple[int, datetime | None]:
    """How many pending rows are due, and when the oldest of them fell due."""
    row = (
        await db.execute(
            select(func.count(), func.min(OutboxMessage.due_at)).where(
                OutboxMessage.status == "pending", OutboxMessage.due_at <= now
            )
        )
    ).one()
    count, oldest = row
    if isinstance(oldest, datetime) and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(count or 0), oldest
