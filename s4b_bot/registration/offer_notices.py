"""The DMs of waitlist offers: the offer with Accept and Decline, the news that it expired
or was withdrawn, and the notice at the cut-off that the session is full; their kinds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox import planning
from s4b_bot.outbox.cache import sessions_of
from s4b_bot.outbox.kinds import Change, Draft, Rendering, Withdraw, member_dm
from s4b_bot.output import Button, Card, Message, Moment, Text
from s4b_bot.programme.cards import starts, when
from s4b_bot.registration import offers
from s4b_bot.routing.actions import action_id
from storage import queries
from storage.models import Account, Community, ProgrammeSession
from storage.models_offers import WaitlistOffer

ACCEPT = "offer_accept"
"""The verb of the offer's Accept button (`s4b:offer_accept:<offer id>`): never rename it."""
DECLINE = "offer_decline"
"""The verb of its Decline button (`s4b:offer_decline:<offer id>`): never rename it."""


def until(offer: WaitlistOffer, session: ProgrammeSession, viewer_zone: str | None) -> Moment:
    """When the offer ends, in the member's own time where the platform can."""
    return Moment(start=offer.expires_at, zone=session.timezone, viewer_zone=viewer_zone)


def ended(offer: WaitlistOffer, session: ProgrammeSession, viewer_zone: str | None) -> Moment:
    """When an ended offer really ended: at its deadline (however late the sweep came), or
    earlier, when the session moved so close that the cut-off ended it."""
    end = min(offer.expires_at, offer.ended_at or offer.expires_at)
    return Moment(start=end, zone=session.timezone, viewer_zone=viewer_zone)


def cut_short(offer: WaitlistOffer) -> bool:
    """Whether the offer ended before its deadline: the session moved past its cut-off."""
    return offer.ended_at is not None and offer.ended_at < offer.expires_at


async def _offer(r: Rendering, *, open_only: bool) -> tuple[WaitlistOffer, ProgrammeSession]:
    offer_id = r.row.payload.get("offer")
    offer = await r.db.get(WaitlistOffer, int(offer_id)) if offer_id is not None else None
    if offer is None or offer.member_id is None:
        raise Withdraw("offer gone")
    if open_only and offer.status != "open":
        raise Withdraw(f"offer {offer.status}")
    return offer, (await sessions_of(r))[0]


async def _offer_dm(r: Rendering) -> Draft:
    assert r.member is not None
    offer, session = await _offer(r, open_only=True)
    zone = r.member.timezone
    card = Card(
        title=f"{session.number} · {session.season} Session — {session.title}",
        body=(
            Text.of("When: ", when(session, zone)),
            Text.of(
                "Accept before ",
                until(offer, session, zone),
                " and the seat is yours. Decline if you cannot come: the seat goes to the "
                "next in line and you leave the waitlist.",
            ),
        ),
        buttons=(
            Button("Accept the seat", action_id(ACCEPT, offer.id), "primary"),
            Button("Decline", action_id(DECLINE, offer.id), "danger"),
        ),
    )
    lead = Text.of(
        f"A seat opened up in the {session.season} session, and it is your turn on its "
        "waitlist: it is held for you until ",
        until(offer, session, zone),
        ".",
    )
    return Draft(Message(text=(lead,), cards=(card,)))


async def _ended_dm(r: Rendering) -> Draft:
    """An offer that ended without the member's answer: it expired, or fewer seats took
    the held seat away (the member keeps their place in line)."""
    assert r.member is not None
    offer, session = await _offer(r, open_only=False)
    if offer.status == "withdrawn" and session.status != "cancelled":
        registration = await queries.registration(
            r.db, member_id=r.member.id, session_id=session.id
        )
        if registration is None or registration.status != "waitlisted":
            raise Withdraw("no longer on the waitlist")
        position = await queries.waitlist_position(r.db, registration)
        return Draft(
            Message.plain(
                f"The {session.season} session now has fewer seats, so the seat offered to "
                "you is no longer free and the offer is withdrawn.",
                f"You keep your place on its waitlist, #{position} in line.",
            )
        )
    if offer.status != "expired":
        raise Withdraw(f"offer {offer.status}")
    zone, season = r.member.timezone, session.season
    end = ended(offer, session, zone)
    if cut_short(offer):
        lead = Text.of(
            f"The {season} session moved to ",
            when(session, zone),
            ", and no seats are offered this close to its start, so your offer of a seat ended at ",
            end,
            " and you are off its waitlist.",
        )
    elif end.start < offers.cutoff(session, r.settings):
        lead = Text.of(
            f"Your offer of a seat in the {season} session expired at ",
            end,
            " without an answer, so the seat went to the next in line and you are off its "
            "waitlist.",
        )
    else:  # at the cut-off: the seat goes to nobody
        lead = Text.of(
            f"Your offer of a seat in the {season} session expired at ",
            end,
            " without an answer, at the cut-off before its start: no more seats are "
            "offered, and you are off its waitlist.",
        )
    return Draft(
        Message(
            text=(
                lead,
                Text.of("`/s4b register` puts you back in line, at its end."),
            )
        )
    )


async def _full_dm(r: Rendering) -> Draft:
    assert r.member is not None
    session = (await sessions_of(r))[0]
    registration = await queries.registration(r.db, member_id=r.member.id, session_id=session.id)
    if registration is None or registration.status != "waitlisted":
        raise Withdraw("no longer on the waitlist")
    if session.status == "cancelled" or session.ends_at <= r.now:
        raise Withdraw("session cancelled or over")
    started = (
        Text.of(f"The {session.season} session has started")
        if session.starts_at <= r.now
        else Text.of(
            f"The {session.season} session starts ", starts(session, r.now, r.member.timezone)
        )
    )
    return Draft(
        Message(
            text=(
                Text.of(
                    *started.spans,
                    " and it is full: no seat opened for you in time, and no more seats "
                    "are offered this close to the start.",
                ),
                Text.of(
                    "Thank you for waiting. There is nothing more to do; "
                    "`/s4b sessions` shows the next ones."
                ),
            )
        )
    )


def _offer_key(*, offer: WaitlistOffer) -> str:
    return f"waitlist_offer:{offer.id}"


def _ended_key(*, offer: WaitlistOffer) -> str:
    return f"offer_ended:{offer.id}"


def _full_key(*, member: Account, session: ProgrammeSession) -> str:
    return f"waitlist_full:{member.id}:{session.id}:{session.sequence}"


OFFER = member_dm(
    "waitlist_offer",
    "offer of a seat from the waitlist",
    _offer_key,
    _offer_dm,
    {Change.CANCEL, Change.UNREGISTER, Change.FORGET_ME},
)
ENDED = member_dm(
    "offer_ended",
    "news that a seat offer expired or was withdrawn",
    _ended_key,
    _ended_dm,
    {Change.FORGET_ME},
)
FULL = member_dm(
    "waitlist_full",
    "notice that the session stays full",
    _full_key,
    _full_dm,
    {Change.CANCEL, Change.UNREGISTER, Change.FORGET_ME, Change.WAITLIST_MOVE},
)
KINDS = (OFFER, ENDED, FULL)


async def plan(
    db: AsyncSession,
    offer: WaitlistOffer,
    session: ProgrammeSession,
    *,
    ended: bool,
    now: datetime,
) -> None:
    """The offer's DM to its member, or with `ended` the news that it expired or was
    withdrawn, due now."""
    assert offer.member_id is not None
    member = await db.get(Account, offer.member_id)
    assert member is not None
    community = await db.get(Community, member.community_id)
    assert community is not None
    kind = ENDED if ended else OFFER
    await planning.plan_member_message(
        db,
        kind=kind,
        dedupe_key=kind.key(offer=offer),
        member=member,
        platform=community.platform,
        sessions=[session],
        now=now,
        extra={"offer": offer.id},
    )
