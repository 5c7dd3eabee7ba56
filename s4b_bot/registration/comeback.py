"""Coming back to a restored session: its former registrants' DM (with a Register again
button) and the channel's notice that it is back on; their outbox kinds and planning."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox import planning
from s4b_bot.outbox.cache import cached_reference, sessions_of
from s4b_bot.outbox.kinds import Change, Draft, Rendering, Withdraw, channel_post, member_dm
from s4b_bot.outbox.session_posts import ANNOUNCEMENTS
from s4b_bot.output import Button, Card, Message, Text
from s4b_bot.programme.cards import session_card, when
from s4b_bot.programme.sessions import is_open
from s4b_bot.routing.actions import action_id
from storage import outbox, queries
from storage.models import Account, Community, ProgrammeSession, Registration

REGISTER_AGAIN = "register_again"
"""The verb of the DM's button (`s4b:register_again:<session>`): never rename it."""


async def _restored_dm(r: Rendering) -> Draft:
    assert r.member is not None
    member, session = r.member, (await sessions_of(r))[0]
    if not is_open(session, r.now):
        raise Withdraw("session cancelled again, or started")
    registration = await queries.registration(r.db, member_id=member.id, session_id=session.id)
    if registration is None or registration.status != queries.FORMER:
        raise Withdraw("registered again, or gone")
    card = Card(
        title=f"{session.number} · {session.season} Session — {session.title}",
        fields=(),
        body=(Text.of("When: ", when(session, member.timezone)),),
        buttons=(Button("Register again", action_id(REGISTER_AGAIN, session.id), "primary"),),
    )
    return Draft(
        Message(
            text=(
                Text.of(f"Good news: the {session.season} session is back on."),
                Text.of(
                    "Your registration ended when it was cancelled. Press Register again to "
                    "come back with the answers you gave before."
                ),
            ),
            cards=(card,),
        )
    )


async def _back_on_post(r: Rendering) -> Draft:
    if r.row.session_id is None:
        raise Withdraw("no session")
    session = await queries.session_by_id(r.db, r.row.session_id)
    if session is None or not is_open(session, r.now):
        raise Withdraw("session gone, cancelled again, or started")
    card = session_card(session, now=r.now, viewer_zone=None, place=None)
    lead = Text.of(
        f"The {session.season} session, “{session.title}”, is back on: ",
        when(session, None),
        ". Its former registrants have been told; everyone is welcome: register with the "
        f"button or `/s4b register {await cached_reference(r.db, session)}`.",
    )
    return Draft(Message(text=(lead,), cards=(card,)), channel=ANNOUNCEMENTS)


def _restored_key(*, member: Account, session: ProgrammeSession) -> str:
    return f"restored:{member.id}:{session.id}:{session.sequence}"


def _back_on_key(*, session: ProgrammeSession) -> str:
    return f"session_restored:{session.id}:{session.sequence}"


RESTORED = member_dm(
    "restored",
    "news that a cancelled session is back on",
    _restored_key,
    _restored_dm,
    {Change.CANCEL, Change.UNREGISTER, Change.FORGET_ME},
)
BACK_ON_POST = channel_post(
    "session_restored",
    "notice that a session is back on",
    _back_on_key,
    _back_on_post,
    {Change.CANCEL},
)
KINDS = (RESTORED, BACK_ON_POST)


async def former_registrants(db: AsyncSession, session_id: int) -> list[tuple[Account, Community]]:
    """Who held a seat or a place in line when the session was cancelled."""
    rows = await db.execute(
        select(Account, Community)
        .join(Registration, Registration.member_id == Account.id)
        .join(Community, Community.id == Account.community_id)
        .where(Registration.session_id == session_id, Registration.status != queries.FORMER)
        .order_by(Registration.id)
    )
    return [(account, community) for account, community in rows]


async def plan_comeback(db: AsyncSession, session: ProgrammeSession, *, now: datetime) -> int:
    """A cancelled session is back on: the registrations its cancellation ended become
    former ones (answers kept, no seat), each member gets a DM to come back with one press,
    and every channel is told. Returns how many members are told."""
    told = await former_registrants(db, session.id)
    await db.execute(
        update(Registration)
        .where(Registration.session_id == session.id)
        .values(status=queries.FORMER)
    )
    rows = [
        planning.member_message_row(
            kind=RESTORED,
            dedupe_key=RESTORED.key(member=member, session=session),
            member=member,
            platform=community.platform,
            sessions=[session],
            now=now,
        )
        for member, community in told
    ]
    # The channel first, then the DMs (the console shows the last message's buttons): a
    # broadcast's rows are made when it fans out, so it is due a second before them.
    await planning.plan_broadcast(
        db,
        BACK_ON_POST,
        dedupe_key=BACK_ON_POST.key(session=session),
        due_at=now - timedelta(seconds=1),
        now=now,
        session_id=session.id,
    )
    await outbox.plan_many(db, rows, now=now)
    return len(told)
