"""Seats: a session with a capacity fills up, then registrations wait in line, and the
first in line gets the next seat that frees, with an invitation and a DM."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.feedback.kind import FOLLOWUP_AFTER
from s4b_bot.outbox import registry
from s4b_bot.outbox.kinds import Change
from s4b_bot.programme.cards import SEAT, Place
from s4b_bot.registration import notices
from storage import queries
from storage.models import Account, Community, ProgrammeSession, Registration


async def lock_session(db: AsyncSession, session_id: int) -> ProgrammeSession | None:
    """The session row, locked until commit on PostgreSQL, so seats are counted one at a time."""
    return await db.scalar(
        select(ProgrammeSession)
        .where(ProgrammeSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def confirmed_count(db: AsyncSession, session_id: int) -> int:
    return int(
        await db.scalar(
            select(func.count()).where(
                Registration.session_id == session_id, Registration.status == "confirmed"
            )
        )
        or 0
    )


async def places_of(db: AsyncSession, member_id: int) -> dict[int, Place]:
    """The member's place in each session they registered for, by session id."""
    registrations = await queries.registrations_of(db, member_id)
    return {r.session_id: await place_of(db, r) for r in registrations}


async def place_of(db: AsyncSession, registration: Registration) -> Place:
    if registration.status == "confirmed":
        return SEAT
    return Place(waiting_at=await queries.waitlist_position(db, registration))


async def promote(
    db: AsyncSession,
    session: ProgrammeSession,
    *,
    now: datetime,
    default_offsets: str,
    followup_after: timedelta = FOLLOWUP_AFTER,
) -> list[Account]:
    """Fill free seats from the waitlist, first come first served; returns who moved up."""
    if session.status == "cancelled" or session.starts_at <= now:
        return []
    promoted = []
    while session.capacity is None or await confirmed_count(db, session.id) < session.capacity:
        registration = await db.scalar(
            select(Registration)
            .where(Registration.session_id == session.id, Registration.status == "waitlisted")
            .order_by(Registration.id)
            .limit(1)
        )
        if registration is None:
            break
        registration.status = "confirmed"
        await db.flush()
        member = await db.get(Account, registration.member_id)
        assert member is not None
        community = await db.get(Community, member.community_id)
        assert community is not None
        await registry.withdraw(
            db, Change.WAITLIST_MOVE, session_id=session.id, member_id=member.id
        )
        await notices.plan_seat_messages(
            db,
            kind=notices.PROMOTED,
            dedupe_key=notices.PROMOTED.key(member=member, session=session, now=now),
            member=member,
            community=community,
            session=session,
            now=now,
            default_offsets=default_offsets,
            followup_after=followup_after,
        )
        promoted.append(member)
    return promoted
