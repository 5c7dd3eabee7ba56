"""Waitlist offers as stored: a seat held for the first in line until they answer or the
offer expires; how long it runs, ending it once, and the member's offers in their data."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.conversation.audit import session_target
from s4b_bot.settings import Settings
from storage.models import AuditEntry, ProgrammeSession, Registration
from storage.models_offers import WaitlistOffer

OPEN = "open"
ENDINGS = ("accepted", "declined", "expired", "withdrawn")
BOT = "S4B bot"
"""Who the audit log names for what happens by itself (an offer made, one expiring)."""
MEMBER = "a member"
"""Who it names for a member's own answer: the log names organizers only, never members."""


def cutoff(session: ProgrammeSession, settings: Settings) -> datetime:
    """When offers stop for `session`: the cut-off before its start."""
    return session.starts_at - timedelta(hours=settings.waitlist_offer_cutoff_hours)


def offers_allowed(session: ProgrammeSession, settings: Settings, now: datetime) -> bool:
    return session.status != "cancelled" and now < cutoff(session, settings)


def expiry(session: ProgrammeSession, settings: Settings, now: datetime) -> datetime:
    """An offer made now runs the configured time, but never past the cut-off (so it always
    ends before the session starts)."""
    return min(now + timedelta(hours=settings.waitlist_offer_hours), cutoff(session, settings))


async def open_count(db: AsyncSession, session_id: int) -> int:
    """Seats held by open offers."""
    found = await db.scalar(
        select(func.count()).where(
            WaitlistOffer.session_id == session_id, WaitlistOffer.status == OPEN
        )
    )
    return int(found or 0)


async def open_offer(db: AsyncSession, *, session_id: int, member_id: int) -> WaitlistOffer | None:
    return await db.scalar(
        select(WaitlistOffer).where(
            WaitlistOffer.session_id == session_id,
            WaitlistOffer.member_id == member_id,
            WaitlistOffer.status == OPEN,
        )
    )


async def open_offers(db: AsyncSession, session_id: int) -> Sequence[WaitlistOffer]:
    """The session's open offers, oldest first."""
    return (
        await db.scalars(
            select(WaitlistOffer)
            .where(WaitlistOffer.session_id == session_id, WaitlistOffer.status == OPEN)
            .order_by(WaitlistOffer.id)
        )
    ).all()


async def next_in_line(db: AsyncSession, session_id: int) -> Registration | None:
    """The first waitlisted registration that holds no open offer."""
    offered = select(WaitlistOffer.member_id).where(
        WaitlistOffer.session_id == session_id,
        WaitlistOffer.status == OPEN,
        WaitlistOffer.member_id.is_not(None),
    )
    return await db.scalar(
        select(Registration)
        .where(
            Registration.session_id == session_id,
            Registration.status == "waitlisted",
            Registration.member_id.not_in(offered),
        )
        .order_by(Registration.id)
        .limit(1)
    )


async def end(db: AsyncSession, offer: WaitlistOffer, status: str, *, now: datetime) -> bool:
    """End an open offer as `status`, once: False if it had already ended (another press,
    another dispatcher), so whoever ends it is the one to act on it."""
    assert status in ENDINGS
    result = await db.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.id == offer.id, WaitlistOffer.status == OPEN)
        .values(status=status, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(offer)
    return bool(getattr(result, "rowcount", 0))


def linked_reason(offer: WaitlistOffer) -> str:
    """The audit reason of an offer withdrawn because its member linked an account that
    already held a place in the session (one person, one place)."""
    return f"offer {offer.id}: accounts linked"


async def ended_by_linking(db: AsyncSession, offer: WaitlistOffer) -> bool:
    """Whether this withdrawn offer ended because its member linked their accounts."""
    found = await db.scalar(
        select(AuditEntry.id).where(AuditEntry.reason == linked_reason(offer)).limit(1)
    )
    return found is not None


def log(
    db: AsyncSession,
    action: str,
    session: ProgrammeSession,
    reason: str,
    *,
    now: datetime,
    actor: str = BOT,
    platform: str = "bot",
) -> None:
    """An audit entry for a step of the waitlist: the session and the offer's number, no name."""
    db.add(
        AuditEntry(
            actor_name=actor,
            actor_platform=platform,
            action=action,
            target=session_target(session),
            reason=reason,
            created_at=now,
        )
    )


async def forget(db: AsyncSession, member_ids: Collection[int], *, now: datetime) -> list[int]:
    """Forget-me: the members' open offers are withdrawn and every offer of theirs loses its
    member (kept, nameless, for the counts). Returns the sessions whose held seat is freed."""
    ids = list(member_ids)
    held = (
        await db.execute(
            select(WaitlistOffer.id, ProgrammeSession)
            .join(ProgrammeSession, ProgrammeSession.id == WaitlistOffer.session_id)
            .where(WaitlistOffer.member_id.in_(ids), WaitlistOffer.status == OPEN)
            .order_by(WaitlistOffer.id)
        )
    ).all()
    for offer_id, session in held:  # audited as any withdrawn offer: its number, no name
        log(db, "waitlist offer withdrawn", session, f"offer {offer_id}: forget-me", now=now)
    await db.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.member_id.in_(ids), WaitlistOffer.status == OPEN)
        .values(status="withdrawn", ended_at=now)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.member_id.in_(ids))
        .values(member_id=None)
        .execution_options(synchronize_session=False)
    )
    return sorted({session.id for _, session in held})


async def anonymise(db: AsyncSession, session_ids: Any) -> None:
    """Retention: offers of these sessions (a select of ids) no longer say whose they were."""
    await db.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.session_id.in_(session_ids), WaitlistOffer.member_id.is_not(None))
        .values(member_id=None)
        .execution_options(synchronize_session=False)
    )


async def data_of(db: AsyncSession, member_ids: Collection[int]) -> list[dict[str, Any]]:
    """The members' offers, for `/s4b my-data`."""
    rows = await db.execute(
        select(WaitlistOffer, ProgrammeSession.season)
        .join(ProgrammeSession, ProgrammeSession.id == WaitlistOffer.session_id)
        .where(WaitlistOffer.member_id.in_(list(member_ids)))
        .order_by(WaitlistOffer.id)
    )
    return [
        {
            "session": season,
            "status": offer.status,
            "offered_at": offer.offered_at.isoformat(),
            "expires_at": offer.expires_at.isoformat(),
            "ended_at": offer.ended_at.isoformat() if offer.ended_at else None,
        }
        for offer, season in rows
    ]


async def counts(db: AsyncSession) -> dict[str, int]:
    """Offers by status, for `/s4b-admin stats`."""
    rows = await db.execute(
        select(WaitlistOffer.status, func.count()).group_by(WaitlistOffer.status)
    )
    return {status: count for status, count in rows}
