"""Seats: a session with a capacity fills up, then registrations wait in line, and the
first in line is offered the next seat that frees (held for them while the offer runs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox import registry
from s4b_bot.outbox.kinds import Change
from s4b_bot.programme.cards import SEAT, Place
from s4b_bot.registration import notices, offer_notices, offers
from s4b_bot.settings import Settings
from s4b_bot.words import plural
from storage import queries
from storage.models import Account, Community, ProgrammeSession, Registration
from storage.models_offers import WaitlistOffer


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
    offer = await offers.open_offer(
        db, session_id=registration.session_id, member_id=registration.member_id
    )
    return Place(
        waiting_at=await queries.waitlist_position(db, registration),
        offer=(offer.id, offer.expires_at) if offer is not None else None,
    )


async def is_full(db: AsyncSession, session: ProgrammeSession) -> bool:
    """No seat for a newcomer: the seats are taken or held by open offers, or others wait
    in line already (a seat freed after the cut-off is not offered, nor taken ahead of them)."""
    if session.capacity is None:
        return False
    taken = await confirmed_count(db, session.id) + await offers.open_count(db, session.id)
    return taken >= session.capacity or await offers.next_in_line(db, session.id) is not None


async def seats_text(
    db: AsyncSession, session: ProgrammeSession, *, settings: Settings, now: datetime
) -> str | None:
    """The Seats line of a session's card: how many are taken, how many are held for the
    waitlist by open offers (a held seat is not free), and, past the cut-off, that it is
    full with its waitlist closed (a freed seat then stays empty while anyone waits: it is
    neither offered nor taken ahead of them). None with no seat limit."""
    if session.capacity is None:
        return None
    text = f"{await confirmed_count(db, session.id)} of {session.capacity} taken"
    held = await offers.open_count(db, session.id)
    if held:
        text += f", {held} held for {'someone' if held == 1 else 'members'} on the waitlist"
    if not offers.offers_allowed(session, settings, now) and await is_full(db, session):
        text += " · full, and its waitlist is closed this close to the start"
    return text


async def promote(
    db: AsyncSession, session: ProgrammeSession, *, now: datetime, settings: Settings
) -> list[Account]:
    """Offer each free seat to the first in line who has no offer yet (the seat is held for
    them until they answer or the offer expires); offers beyond fewer seats are withdrawn,
    the latest first. Before the cut-off only. With no seat limit there is nothing to offer:
    everyone waiting is seated at once. Returns who got an offer (or a seat)."""
    if session.status == "cancelled" or session.starts_at <= now:
        return []
    if session.capacity is None:
        return await _seat_everyone(db, session, now=now, settings=settings)
    await _withdraw_extra(db, session, now=now)
    if not offers.offers_allowed(session, settings, now):
        return []
    offered = []
    while (
        await confirmed_count(db, session.id) + await offers.open_count(db, session.id)
        < session.capacity
    ):
        registration = await offers.next_in_line(db, session.id)
        if registration is None:
            break
        offer = WaitlistOffer(
            session_id=session.id,
            member_id=registration.member_id,
            status=offers.OPEN,
            offered_at=now,
            expires_at=offers.expiry(session, settings, now),
        )
        db.add(offer)
        await db.flush()
        await offer_notices.plan(db, offer, session, ended=False, now=now)
        offers.log(db, "waitlist offer", session, f"offer {offer.id}", now=now)
        member = await db.get(Account, registration.member_id)
        assert member is not None
        offered.append(member)
    return offered


async def _withdraw_extra(db: AsyncSession, session: ProgrammeSession, *, now: datetime) -> None:
    """Fewer seats than are taken and held: the latest open offers are withdrawn (their
    members keep their place in line)."""
    if session.capacity is None:
        return
    held = list(await offers.open_offers(db, session.id))
    extra = await confirmed_count(db, session.id) + len(held) - session.capacity
    for offer in list(reversed(held))[: max(extra, 0)]:
        if await offers.end(db, offer, "withdrawn", now=now) and offer.member_id is not None:
            offers.log(db, "waitlist offer withdrawn", session, f"offer {offer.id}", now=now)
            await offer_notices.plan(db, offer, session, ended=True, now=now)


async def seat(
    db: AsyncSession,
    registration: Registration,
    session: ProgrammeSession,
    *,
    now: datetime,
    settings: Settings,
) -> Account:
    """A waitlisted member takes a seat: confirmed, with the invitation from the waitlist
    (call details, calendar file), reminders and follow-up; what waiting planned goes."""
    registration.status = "confirmed"
    await db.flush()
    member = await db.get(Account, registration.member_id)
    assert member is not None
    community = await db.get(Community, member.community_id)
    assert community is not None
    await registry.withdraw(db, Change.WAITLIST_MOVE, session_id=session.id, member_id=member.id)
    await notices.plan_seat_messages(
        db,
        kind=notices.PROMOTED,
        dedupe_key=notices.PROMOTED.key(member=member, session=session, now=now),
        member=member,
        community=community,
        session=session,
        now=now,
        settings=settings,
    )
    return member


async def _seat_everyone(
    db: AsyncSession, session: ProgrammeSession, *, now: datetime, settings: Settings
) -> list[Account]:
    """No seat limit: everyone waiting is confirmed at once, as an accepted offer would be
    (an open offer of theirs ends as accepted); nobody leaves the line empty-handed."""
    waiting = (
        await db.scalars(
            select(Registration)
            .where(Registration.session_id == session.id, Registration.status == "waitlisted")
            .order_by(Registration.id)
        )
    ).all()
    for offer in await offers.open_offers(db, session.id):
        await offers.end(db, offer, "accepted", now=now)
    seated = [await seat(db, r, session, now=now, settings=settings) for r in waiting]
    if seated:
        reason = f"{plural(len(seated), 'member')} seated: no seat limit"
        offers.log(db, "waitlist seated", session, reason, now=now)
    return seated
