"""One person, several accounts: who an account acts for, and joining an account to the
person it links to, moving its registrations, ideas, votes and reports without counting
anything twice (a seat kept over a waitlist place, one vote per idea)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.conversation import ideas
from s4b_bot.feedback import results as feedback_results
from s4b_bot.outbox import registry
from s4b_bot.outbox.cache import dm_account
from s4b_bot.outbox.kinds import Change
from s4b_bot.registration import offers
from s4b_bot.registration.waitlist import lock_session, promote
from s4b_bot.settings import Settings
from storage.models import (
    Account,
    CalendarCopy,
    Community,
    Idea,
    LinkCode,
    OutboxMessage,
    Registration,
    Report,
    Vote,
)
from storage.models_offers import WaitlistOffer


async def accounts_of(db: AsyncSession, person: Account) -> list[Account]:
    """The person's accounts: the primary member first, then the accounts linked to it."""
    rows = (
        await db.scalars(
            select(Account)
            .where(or_(Account.id == person.id, Account.person_id == person.id))
            .order_by(Account.id)
        )
    ).all()
    return sorted(rows, key=lambda m: (m.id != person.id, m.id))


async def platforms_of(db: AsyncSession, accounts: Sequence[Account]) -> dict[int, str]:
    """Account id -> the platform of its community."""
    ids = {a.community_id for a in accounts}
    rows = await db.execute(select(Community.id, Community.platform).where(Community.id.in_(ids)))
    by_community = {cid: platform for cid, platform in rows}
    return {a.id: by_community[a.community_id] for a in accounts}


@dataclass
class Moved:
    """What joining one account to another moved, and what it merged."""

    registrations: int = 0
    ideas: int = 0
    votes: int = 0
    duplicates: int = 0
    offers: int = 0
    """Waitlist offers ended because the other account already had a place."""


async def join(
    db: AsyncSession,
    account: Account,
    primary: Account,
    *,
    moved: Moved,
    now: datetime,
    settings: Settings,
) -> None:
    """Make `account` act as `primary`, moving everything it owns without doubling anything."""
    account.person_id = primary.id
    account.prefers_dm_here = False
    if account.id == primary.id:
        return
    await _move_registrations(db, account, primary, moved, now=now, settings=settings)
    await _move_calendar_copies(db, account, primary)
    await _move_votes(db, account, primary, moved, now=now)
    await feedback_results.move(db, account.id, primary.id)
    result = await db.execute(
        update(Idea)
        .where(Idea.member_id == account.id)
        .values(member_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    moved.ideas += int(getattr(result, "rowcount", 0) or 0)
    await db.execute(
        update(Report)
        .where(Report.reporter_id == account.id)
        .values(reporter_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.member_id == account.id, OutboxMessage.status == "pending")
        .values(member_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    await db.execute(delete(LinkCode).where(LinkCode.member_id == account.id))
    if primary.timezone is None and account.timezone is not None:
        primary.timezone = account.timezone
    if primary.feed_token is None and account.feed_token is not None:
        # The calendar the member already subscribed to keeps working, now with every session.
        token, account.feed_token = account.feed_token, None
        await db.flush()
        primary.feed_token = token
    await db.flush()


async def _move_calendar_copies(db: AsyncSession, account: Account, primary: Account) -> None:
    """The person's calendar holds the latest file either account was sent for a session:
    keep that copy, so the next file goes above it."""
    copies = (
        await db.scalars(
            select(CalendarCopy).where(CalendarCopy.member_id.in_([account.id, primary.id]))
        )
    ).all()
    latest: dict[int, CalendarCopy] = {}
    for copy in sorted(copies, key=lambda c: c.sequence):
        latest[copy.session_id] = copy
    for copy in copies:
        if latest[copy.session_id] is not copy:
            await db.delete(copy)
    await db.flush()
    await db.execute(
        update(CalendarCopy)
        .where(CalendarCopy.member_id == account.id)
        .values(member_id=primary.id)
        .execution_options(synchronize_session=False)
    )


def _keeper(a: Registration, b: Registration) -> tuple[Registration, Registration]:
    """Of two registrations for one session, the one to keep (a seat over a place in line,
    a place in line over a former registration, then the earlier), and the one to drop."""
    rank = {"confirmed": 0, "waitlisted": 1}
    ranked = sorted((a, b), key=lambda r: (rank.get(r.status, 2), r.id))
    return ranked[0], ranked[1]


async def _move_registrations(
    db: AsyncSession,
    account: Account,
    primary: Account,
    moved: Moved,
    *,
    now: datetime,
    settings: Settings,
) -> None:
    mine = (
        await db.scalars(select(Registration).where(Registration.member_id == account.id))
    ).all()
    if not mine:
        return
    theirs = {
        r.session_id: r
        for r in (
            await db.scalars(select(Registration).where(Registration.member_id == primary.id))
        ).all()
    }
    freed: list[int] = []
    for registration in sorted(mine, key=lambda r: r.session_id):
        other = theirs.get(registration.session_id)
        if other is None:
            registration.member_id = primary.id
            moved.registrations += 1
            continue
        session = await lock_session(db, registration.session_id)
        keep, drop = _keeper(other, registration)
        await registry.withdraw(
            db, Change.UNREGISTER, session_id=registration.session_id, member_id=drop.member_id
        )
        held = await offers.open_offer(db, session_id=drop.session_id, member_id=drop.member_id)
        # One person, one place: the seat held for the other goes on; the audit entry is
        # what a later press of the offer finds.
        ended = held is not None and await offers.end(db, held, "withdrawn", now=now)
        if held is not None and ended and session is not None:
            offers.log(db, "waitlist offer withdrawn", session, offers.linked_reason(held), now=now)
            moved.offers += 1
        if (keep.status == "confirmed" and drop.status == "confirmed") or held is not None:
            freed.append(registration.session_id)
        await db.delete(drop)
        await db.flush()
        keep.member_id = primary.id
        moved.duplicates += 1
    await db.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.member_id == account.id)
        .values(member_id=primary.id)
    )
    await db.flush()
    for session_id in freed:
        session = await lock_session(db, session_id)
        if session is not None:
            await promote(db, session, now=now, settings=settings)


async def _move_votes(
    db: AsyncSession, account: Account, primary: Account, moved: Moved, *, now: datetime
) -> None:
    mine = (await db.scalars(select(Vote).where(Vote.member_id == account.id))).all()
    if not mine:
        return
    voted = set((await db.scalars(select(Vote.idea_id).where(Vote.member_id == primary.id))).all())
    recount: set[int] = set()
    for ballot in mine:
        if ballot.idea_id in voted:
            await db.delete(ballot)
            recount.add(ballot.idea_id)
            moved.duplicates += 1
        else:
            ballot.member_id = primary.id
            moved.votes += 1
    await db.flush()
    for idea_id in sorted(recount):
        idea = await db.get(Idea, idea_id)
        if idea is not None:
            await ideas.redraw(db, idea, now)


async def retarget(db: AsyncSession, person: Account) -> int:
    """Send the person's pending DMs through the platform of their chosen account, so the
    dispatcher that runs that platform claims them."""
    account = await dm_account(db, person)
    community = await db.get(Community, account.community_id)
    assert community is not None
    result = await db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.member_id == person.id,
            OutboxMessage.status == "pending",
            OutboxMessage.kind.in_(registry.MEMBER_KINDS),
            OutboxMessage.platform != community.platform,
        )
        .values(platform=community.platform)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
