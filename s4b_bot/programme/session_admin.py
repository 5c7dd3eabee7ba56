"""Organizer changes to a session, as they are applied: reschedule, cancel, capacity
(each shown first as a preview, `programme/previews.py`), and announce.

Each change and everything it causes (updated invitations, cancellations, moved reminders,
channel posts) is planned in the same transaction, so none happens without the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import UserError
from s4b_bot.outbox import planning, registry, session_followups, session_posts
from s4b_bot.outbox.kinds import Change
from s4b_bot.output import Message, Moment, Outcome, Text
from s4b_bot.programme.sessions import is_over
from s4b_bot.registration import notices, offer_answers
from s4b_bot.registration.waitlist import lock_session, promote
from s4b_bot.routing.route import Args
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_span_and_utc
from s4b_bot.validate import check_horizon, clean_local_time
from s4b_bot.words import plural, relative
from storage import outbox
from storage.models import Account, Community, OutboxMessage, ProgrammeSession, Registration

JUST_ANNOUNCED = timedelta(minutes=10)
"""An announcement asked for this soon after one went out is not posted again."""


async def changeable(db: AsyncSession, session_id: int, now: datetime) -> ProgrammeSession:
    """The session, locked, if it can still be changed: not cancelled, not over."""
    session = await lock_session(db, session_id)
    if session is None:
        raise UserError("That session no longer exists; nothing changed.")
    if session.status == "cancelled":
        raise UserError(f"The {session.season} session is cancelled; nothing changed.")
    if is_over(session, now):
        raise UserError(f"The {session.season} session has already taken place; nothing changed.")
    return session


async def _changeable(ctx: Context, args: Args) -> ProgrammeSession:
    return await changeable(ctx.db, args.session().id, ctx.now)


def new_start(session: ProgrammeSession, text: str, now: datetime) -> datetime:
    """A reschedule's new start, checked: to come, and not the time it already has."""
    starts = clean_local_time("The new time", text, session.timezone)
    return check_new_start(session, starts, now)


def check_new_start(session: ProgrammeSession, starts: datetime, now: datetime) -> datetime:
    if starts <= now:
        raise UserError("The new time is in the past; give a time still to come.")
    check_horizon(starts, now)
    if starts == session.starts_at:
        raise UserError(f"The {session.season} session is already at that time; nothing changed.")
    return starts


def seats(text: str) -> int | None:
    """A capacity as typed: a number of seats, or None for no limit."""
    word = text.strip().lower()
    if word in ("none", "unlimited", "off"):
        return None
    if word.isascii() and word.isdigit() and 0 < int(word) <= 100_000:
        return int(word)
    raise UserError("Seats must be a whole number from 1 to 100,000, or `none`.")


def check_capacity(session: ProgrammeSession, capacity: int | None) -> int | None:
    if capacity == session.capacity:
        had = "no limit" if capacity is None else plural(capacity, "seat")
        raise UserError(f"The {session.season} session already has {had}; nothing changed.")
    return capacity


async def over_capacity(
    db: AsyncSession, session: ProgrammeSession, capacity: int | None
) -> tuple[list[Registration], list[Registration]]:
    """Who keeps a seat and who moves to the waitlist under `capacity`: the earliest
    registrations keep theirs, the latest move."""
    confirmed = list(
        (
            await db.scalars(
                select(Registration)
                .where(Registration.session_id == session.id, Registration.status == "confirmed")
                .order_by(Registration.id)
            )
        ).all()
    )
    if capacity is None:
        return confirmed, []
    return confirmed[:capacity], confirmed[capacity:]


async def replan_session(
    db: AsyncSession, session: ProgrammeSession, *, settings: Settings, now: datetime
) -> int:
    """After a move: updated invitations and fresh reminders for every registrant, new posts."""
    await registry.withdraw(db, Change.RESCHEDULE, session_id=session.id)
    await session_posts.plan_session_sync(db, session, now=now)
    registrants = await planning.confirmed_registrants(db, session.id)
    for member, community in registrants:
        await notices.plan_seat_messages(
            db,
            kind=notices.UPDATE,
            dedupe_key=notices.UPDATE.key(member=member, session=session),
            member=member,
            community=community,
            session=session,
            now=now,
            settings=settings,
        )
    await notices.plan_waitlist_notices(db, session, change="moved", now=now)
    await session_posts.plan_announcements(
        db, session, now=now, days_before=settings.announce_days_before
    )
    return len(registrants)


async def apply_reschedule(ctx: Context, session: ProgrammeSession, starts: datetime) -> Outcome:
    told_start = await session_followups.start_told(ctx.db, session)
    length = session.ends_at - session.starts_at
    session.starts_at, session.ends_at = starts, starts + length
    session.status, session.sequence, session.updated_at = (
        "rescheduled",
        session.sequence + 1,
        ctx.now,
    )
    await ctx.db.flush()
    await offer_answers.rescheduled(ctx.db, session, now=ctx.now, settings=ctx.settings)
    told = await replan_session(ctx.db, session, settings=ctx.settings, now=ctx.now)
    await session_followups.announce_moved(
        ctx.db, session, told=told_start, now=ctx.now, days_before=ctx.settings.announce_days_before
    )
    audit.record(ctx, "session reschedule", audit.session_target(session))
    return Outcome(
        reply=Message(
            text=(
                Text.of(
                    f"The {session.season} session is now "
                    f"{format_span_and_utc(session.starts_at, session.ends_at, session.timezone)}."
                ),
                Text.of(
                    f"{plural(told, 'registrant')} will get the updated invitation, "
                    "and their reminders move with it."
                ),
            )
        )
    )


async def apply_cancel(ctx: Context, session: ProgrammeSession, reason: str | None) -> Outcome:
    audit.record(ctx, "session cancel", audit.session_target(session), reason)
    session.status, session.status_note = "cancelled", reason or None
    session.sequence, session.updated_at = session.sequence + 1, ctx.now
    await registry.withdraw(ctx.db, Change.CANCEL, session_id=session.id)
    registrants = await planning.confirmed_registrants(ctx.db, session.id)
    for member, community in registrants:
        await notices.plan_cancellation(
            ctx.db,
            member=member,
            community=community,
            session=session,
            by_member=False,
            now=ctx.now,
            extra={"cause": "organizer", "reason": session.status_note},
        )
    await notices.plan_waitlist_notices(ctx.db, session, change="cancelled", now=ctx.now)
    await session_posts.plan_session_sync(ctx.db, session, now=ctx.now)
    await session_posts.announce_cancelled(ctx.db, session, now=ctx.now)
    await session_followups.update_announcements(ctx.db, session, now=ctx.now)
    return Outcome(
        reply=Message.plain(
            f"The {session.season} session is cancelled. "
            f"{plural(len(registrants), 'registrant')} will get "
            "a cancellation for their calendars; their reminders are withdrawn; "
            "the channel is told."
        )
    )


async def apply_capacity(ctx: Context, session: ProgrammeSession, capacity: int | None) -> Outcome:
    """Set the seats: the latest registrations beyond them move to the front of the
    waitlist (with a calendar cancellation); seats freed are offered to those waiting."""
    audit.record(ctx, "session capacity", audit.session_target(session))
    _, moving = await over_capacity(ctx.db, session, capacity)
    session.capacity = capacity
    for registration in moving:
        registration.status = "waitlisted"
    await ctx.db.flush()
    for registration in moving:
        member = await ctx.db.get(Account, registration.member_id)
        assert member is not None
        community = await ctx.db.get(Community, member.community_id)
        assert community is not None
        await registry.withdraw(
            ctx.db, Change.UNREGISTER, session_id=session.id, member_id=member.id
        )
        await notices.plan_cancellation(
            ctx.db,
            member=member,
            community=community,
            session=session,
            by_member=True,
            now=ctx.now,
            extra={"cause": notices.SEATS_CUT},
        )
    offered = await promote(ctx.db, session, now=ctx.now, settings=ctx.settings)
    has = "no limit" if session.capacity is None else plural(session.capacity, "seat")
    given = "Offered a seat" if session.capacity is not None else "Registered"
    moved = f" {given} from the waitlist: {plural(len(offered), 'member')}." if offered else ""
    down = (
        f" Moved to the waitlist and told: {plural(len(moving), 'registrant')}." if moving else ""
    )
    return Outcome(reply=Message.plain(f"The {session.season} session now has {has}.{moved}{down}"))


async def announce(ctx: Context, args: Args) -> Outcome:
    session = await _changeable(ctx, args)
    earlier = await outbox.session_posts(
        ctx.db, kind=session_posts.ANNOUNCEMENT.name, session_id=session.id
    )
    queued = Message.plain(
        f"The {session.season} session's announcement is queued: it will be in the "
        "announcements channel in a moment."
    )
    if any(row.status == "pending" and row.due_at <= ctx.now for row in earlier):
        audit.unchanged(ctx)  # nothing posted again: no entry
        return Outcome(reply=queued)
    recent = [
        row
        for row in earlier
        if row.status == "sent"
        and row.platform is not None
        and row.sent_at is not None
        and row.sent_at > ctx.now - JUST_ANNOUNCED
    ]
    if recent:
        audit.unchanged(ctx)
        return Outcome(reply=await _just_announced(ctx, session, recent))
    # Keyed by the latest announcement row, so two organizers asking at once plan one.
    planned = await session_posts.announce_now(
        ctx.db, session, after=earlier[0].id if earlier else 0, now=ctx.now
    )
    if not planned:
        audit.unchanged(ctx)
        return Outcome(reply=queued)
    return Outcome(
        reply=Message.plain(
            f"The {session.season} session is being announced in the announcements channel."
        )
    )


async def _just_announced(
    ctx: Context, session: ProgrammeSession, recent: list[OutboxMessage]
) -> Message:
    """What went out a moment ago, with its link on each platform that has links."""
    newest: dict[tuple[str, int | None], OutboxMessage] = {}
    for row in recent:  # newest first: the latest post in each community
        newest.setdefault((str(row.platform), row.community_id), row)
    links = []
    for (platform, community_id), row in newest.items():
        link = await outbox.get_ref(
            ctx.db, platform=platform, community_id=community_id or 0, key=outbox.link_key(row.id)
        )
        if link:
            links.append(f"{platform.capitalize()}: {link}")
    sent_at = max(row.sent_at for row in recent if row.sent_at is not None)
    ago = "just now" if ctx.now - sent_at < timedelta(minutes=1) else relative(sent_at - ctx.now)
    lead = Text.of(
        f"The {session.season} session was announced {ago} (",
        Moment(start=sent_at, zone=session.timezone),
        "), so nothing was posted again.",
    )
    return Message(text=(lead, *(Text.of(link) for link in links)))
