"""What happens to the waitlist by itself, on every dispatcher round: offers that ran out
expire (and the next in line is offered the seat), offers of cancelled sessions end, and at
the cut-off (or the first round after it, until the session ends) those still waiting are
told, once, that the session is full.

Exactly once with several dispatchers: an offer ends only by a conditional update on it
(under its session's lock), and the notice is an outbox row whose dedupe key is unique.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox import planning
from s4b_bot.registration import offer_notices, offers
from s4b_bot.registration.offer_answers import expire
from s4b_bot.registration.waitlist import lock_session
from s4b_bot.settings import Settings
from s4b_bot.words import plural
from storage import outbox
from storage.db import Database
from storage.models import ProgrammeSession, Registration
from storage.models_offers import WaitlistOffer

_log = logging.getLogger(__name__)


async def sweep(db: AsyncSession, *, now: datetime, settings: Settings) -> tuple[int, int]:
    """End the offers that ran out, then tell the waiting at the cut-off; returns how many
    offers ended and how many members were told."""
    return await end_due_offers(db, now=now, settings=settings), await tell_full(
        db, now=now, settings=settings
    )


async def end_due_offers(db: AsyncSession, *, now: datetime, settings: Settings) -> int:
    horizon = now + timedelta(hours=settings.waitlist_offer_cutoff_hours)
    due = (
        await db.execute(
            select(WaitlistOffer.id, WaitlistOffer.session_id)
            .join(ProgrammeSession, ProgrammeSession.id == WaitlistOffer.session_id)
            .where(
                WaitlistOffer.status == offers.OPEN,
                or_(
                    WaitlistOffer.expires_at <= now,
                    ProgrammeSession.starts_at <= horizon,
                    ProgrammeSession.status == "cancelled",
                ),
            )
            .order_by(WaitlistOffer.session_id, WaitlistOffer.id)
        )
    ).all()
    ended = 0
    for offer_id, session_id in due:
        session = await lock_session(db, session_id)  # the same order as a press: no deadlock
        offer = await db.get(WaitlistOffer, offer_id, populate_existing=True)
        if session is None or offer is None or offer.status != offers.OPEN:
            continue  # another dispatcher, or the member, got there first
        if session.status == "cancelled":
            if await offers.end(db, offer, "withdrawn", now=now):
                offers.log(db, "waitlist offer withdrawn", session, f"offer {offer.id}", now=now)
                ended += 1
        elif await expire(db, offer, session, now=now, settings=settings):
            ended += 1
    return ended


async def tell_full(db: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Sessions past their cut-off and not over, with members still waiting: each is told
    once (per version of the session) that no seat will be offered, even when the first
    round after the cut-off comes after the start; once it is over, nobody is told."""
    horizon = now + timedelta(hours=settings.waitlist_offer_cutoff_hours)
    waiting = exists().where(
        Registration.session_id == ProgrammeSession.id, Registration.status == "waitlisted"
    )
    sessions = (
        await db.scalars(
            select(ProgrammeSession).where(
                ProgrammeSession.status != "cancelled",
                ProgrammeSession.ends_at > now,
                ProgrammeSession.starts_at <= horizon,
                waiting,
            )
        )
    ).all()
    told = 0
    for session in sessions:
        rows = [
            planning.member_message_row(
                kind=offer_notices.FULL,
                dedupe_key=offer_notices.FULL.key(member=member, session=session),
                member=member,
                platform=community.platform,
                sessions=[session],
                now=now,
            )
            for member, community in await planning.waitlisted_members(db, session.id)
        ]
        new = await outbox.plan_many(db, rows, now=now)
        if new:
            reason = f"{plural(new, 'member')} on the waitlist told the session is full"
            offers.log(db, "waitlist closed", session, reason, now=now)
            told += new
    return told


async def sweep_safely(database: Database, *, now: datetime, settings: Settings) -> None:
    """One sweep in its own transaction; a failure is logged and tried again next round,
    never holding up the messages behind it."""
    try:
        async with database.transaction() as db:
            await sweep(db, now=now, settings=settings)
    except Exception as exc:  # the database may be down: the next round tries again
        _log.warning("waitlist sweep failed: %s", type(exc).__name__, exc_info=exc)
