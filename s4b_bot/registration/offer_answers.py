"""Answering a waitlist offer: Accept takes the held seat, Decline (or leaving the waitlist)
passes it on, and an offer that ran out expires; each once, whoever gets there first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.errors import Forbidden, UserError
from s4b_bot.outbox import registry
from s4b_bot.outbox.kinds import Change
from s4b_bot.output import Message, Outcome, Text
from s4b_bot.registration import offer_notices, offers
from s4b_bot.registration.waitlist import lock_session, promote, seat
from s4b_bot.settings import Settings
from storage import queries
from storage.models import ProgrammeSession
from storage.models_offers import WaitlistOffer

AGAIN = "`/s4b register` puts you back on the waitlist, at its end."


async def accept(ctx: Context, offer_id: int) -> Outcome:
    """The offer's Accept button (`s4b:offer_accept:<offer id>`): the seat is theirs, with
    the invitation (call details, calendar file) and reminders."""
    offer, session = await _theirs(ctx, offer_id)
    if offer.status != offers.OPEN:
        return Outcome(reply=await _ended(offer, session, ctx))
    registration = await queries.registration(
        ctx.db, member_id=ctx.person.id, session_id=session.id
    )
    if registration is None or registration.status != "waitlisted":  # cannot be: left = ended
        raise UserError(f"You are not on the {session.season} session's waitlist; nothing changed.")
    await offers.end(ctx.db, offer, "accepted", now=ctx.now)  # ours: the session is locked
    await seat(ctx.db, registration, session, now=ctx.now, settings=ctx.settings)
    _log(ctx, "offer accepted", offer, session)
    return Outcome(
        reply=Message.plain(
            f"The seat is yours: you are registered for the {session.season} session. ✓",
            "Your invitation with the call details and the calendar file is on its way "
            "in a direct message.",
        )
    )


async def decline(ctx: Context, offer_id: int) -> Outcome:
    """The offer's Decline button: the seat goes to the next in line, the member leaves
    the waitlist."""
    offer, session = await _theirs(ctx, offer_id)
    if offer.status == "accepted":
        raise UserError(
            f"You already accepted this seat in the {session.season} session, so nothing "
            f"changed. To give it up: `/s4b unregister`."
        )
    if offer.status != offers.OPEN:
        return Outcome(reply=await _ended(offer, session, ctx))
    await offers.end(ctx.db, offer, "declined", now=ctx.now)
    await _leave(ctx.db, ctx.person.id, session)
    _log(ctx, "offer declined", offer, session)
    await promote(ctx.db, session, now=ctx.now, settings=ctx.settings)
    return Outcome(
        reply=Message.plain(
            f"You declined the seat in the {session.season} session: it goes to the next "
            "in line, and you are off its waitlist.",
            f"Changed your mind? {AGAIN}",
        )
    )


async def left_waitlist(ctx: Context, session: ProgrammeSession) -> None:
    """The member left the session's waitlist (`/s4b unregister`, the Leave the waitlist
    button, the form): an open offer of theirs ends as declined; both steps are logged."""
    offer = await offers.open_offer(ctx.db, session_id=session.id, member_id=ctx.person.id)
    if offer is not None and await offers.end(ctx.db, offer, "declined", now=ctx.now):
        _log(ctx, "offer declined", offer, session)
    offers.log(
        ctx.db,
        "waitlist left",
        session,
        "left the waitlist",
        now=ctx.now,
        actor=offers.MEMBER,
        platform=ctx.actor.platform,
    )


async def expire(
    db: AsyncSession,
    offer: WaitlistOffer,
    session: ProgrammeSession,
    *,
    now: datetime,
    settings: Settings,
) -> bool:
    """An offer that ran out: it ends (once: False if it already had), its member leaves
    the waitlist and hears why, and the seat is offered to the next in line."""
    if not await offers.end(db, offer, "expired", now=now):
        return False
    if offer.member_id is not None:
        await _leave(db, offer.member_id, session)
        await offer_notices.plan(db, offer, session, ended=True, now=now)
    offers.log(db, "offer expired", session, f"offer {offer.id}", now=now)
    await promote(db, session, now=now, settings=settings)
    return True


async def rescheduled(
    db: AsyncSession, session: ProgrammeSession, *, now: datetime, settings: Settings
) -> None:
    """The session moved: each open offer's deadline is worked out again for the new time
    (its hours from when it was made, never past the new cut-off), and the move's DM tells
    the member; an offer already past the new cut-off ends as one that ran out at it. A
    seat left empty at the old cut-off is offered if the new one is still to come."""
    for offer in await offers.open_offers(db, session.id):
        if offers.offers_allowed(session, settings, now):
            offer.expires_at = offers.expiry(session, settings, offer.offered_at)
        else:
            await expire(db, offer, session, now=now, settings=settings)
    await db.flush()
    await promote(db, session, now=now, settings=settings)


def is_due(
    offer: WaitlistOffer, session: ProgrammeSession, settings: Settings, now: datetime
) -> bool:
    """Whether an open offer has run out: its time is up, or the session moved so close
    that the cut-off has passed."""
    return now >= offer.expires_at or now >= offers.cutoff(session, settings)


async def _theirs(ctx: Context, offer_id: int) -> tuple[WaitlistOffer, ProgrammeSession]:
    """The member's own offer, as it is once its session is locked; one that has run out
    (the sweep not there yet) expires first."""
    offer = await ctx.db.get(WaitlistOffer, offer_id)
    if offer is None:
        raise UserError(
            "That offer no longer exists, so nothing changed. `/s4b mine` shows your places."
        )
    if offer.member_id != ctx.person.id:
        raise Forbidden(
            "That offer was made to someone else, so nothing changed. "
            "`/s4b mine` shows your own places."
        )
    session = await lock_session(ctx.db, offer.session_id)
    assert session is not None  # the offer goes with its session
    await ctx.db.refresh(offer)
    if offer.status == offers.OPEN and session.status == "cancelled":
        await offers.end(ctx.db, offer, "withdrawn", now=ctx.now)
    elif offer.status == offers.OPEN and is_due(offer, session, ctx.settings, ctx.now):
        await expire(ctx.db, offer, session, now=ctx.now, settings=ctx.settings)
    return offer, session


async def _ended(offer: WaitlistOffer, session: ProgrammeSession, ctx: Context) -> Message:
    """What pressing an offer that has ended says; nothing changes."""
    season = session.season
    if offer.status == "accepted":
        return Message.plain(
            f"You already accepted this seat: you are registered for the {season} session. ✓"
        )
    if offer.status == "declined":
        return Message.plain(
            f"You declined this seat in the {season} session, so nothing changed. {AGAIN}"
        )
    if offer.status == "expired":
        until = offer_notices.ended(offer, session, ctx.viewer_zone)
        return Message(
            text=(
                Text.of(
                    f"This offer of a seat in the {season} session expired at ",
                    until,
                    ": the seat went to the next in line, and nothing changed.",
                ),
                Text.of(AGAIN),
            )
        )
    if session.status == "cancelled":
        return Message.plain(f"The {season} session is cancelled, so this offer was withdrawn.")
    if await offers.ended_by_linking(ctx.db, offer):
        return await _linked(ctx, session)
    return Message.plain(
        f"This offer was withdrawn: the {season} session has fewer seats now. You keep your "
        "place on its waitlist; nothing else changed."
    )


async def _linked(ctx: Context, session: ProgrammeSession) -> Message:
    """An offer withdrawn when the member linked an account that already held a place in
    the session: what they hold now, through the linked account."""
    place = await queries.registration(ctx.db, member_id=ctx.person.id, session_id=session.id)
    held = (
        f"you hold a seat in the {session.season} session"
        if place is not None and place.status == "confirmed"
        else f"you keep one place in the {session.season} session"
    )
    return Message.plain(
        f"This offer ended when you linked your accounts, as the other one already had a "
        f"place: one person keeps one place, and {held}, so nothing changed. "
        "`/s4b mine` shows your places."
    )


async def _leave(db: AsyncSession, member_id: int, session: ProgrammeSession) -> None:
    """The member's waitlist place ends, and what was planned for it."""
    await queries.remove_registration(db, member_id=member_id, session_id=session.id)
    await registry.withdraw(db, Change.UNREGISTER, session_id=session.id, member_id=member_id)


def _log(ctx: Context, action: str, offer: WaitlistOffer, session: ProgrammeSession) -> None:
    offers.log(
        ctx.db,
        action,
        session,
        f"offer {offer.id}",
        now=ctx.now,
        actor=offers.MEMBER,
        platform=ctx.actor.platform,
    )
