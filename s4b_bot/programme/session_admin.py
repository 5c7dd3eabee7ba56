"""Organizer commands that change a session: reschedule, cancel, capacity, announce.

Each change and everything it causes (updated invitations, cancellations, moved reminders,
channel posts) is planned in the same transaction, so none happens without the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import UserError
from s4b_bot.outbox import planning, registry, session_followups, session_posts
from s4b_bot.outbox.kinds import Change
from s4b_bot.output import Message, Moment, Outcome, Text
from s4b_bot.programme.sessions import is_over
from s4b_bot.registration import notices
from s4b_bot.registration.waitlist import lock_session, promote
from s4b_bot.routing.route import Args
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_span_and_utc
from s4b_bot.validate import clean_local_time
from s4b_bot.words import plural, relative
from storage import outbox
from storage.models import OutboxMessage, ProgrammeSession

JUST_ANNOUNCED = timedelta(minutes=10)
"""An announcement asked for this soon after one went out is not posted again."""


async def _changeable(ctx: Context, args: Args) -> ProgrammeSession:
    session = await lock_session(ctx.db, args.session().id)
    assert session is not None
    if session.status == "cancelled":
        raise UserError(f"The {session.season} session is cancelled; nothing changed.")
    if is_over(session, ctx.now):
        raise UserError(f"The {session.season} session has already taken place; nothing changed.")
    return session


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
            default_offsets=settings.reminder_offsets,
        )
    await notices.plan_waitlist_notices(db, session, change="moved", now=now)
    await session_posts.plan_announcements(
        db, session, now=now, days_before=settings.announce_days_before
    )
    return len(registrants)


async def reschedule(ctx: Context, args: Args) -> Outcome:
    session = await _changeable(ctx, args)
    starts = clean_local_time("The new time", args["when"], session.timezone)
    if starts <= ctx.now:
        raise UserError("The new time is in the past; give a time still to come.")
    if starts == session.starts_at:
        raise UserError(f"The {session.season} session is already at that time; nothing changed.")
    told_start = await session_followups.start_told(ctx.db, session)
    length = session.ends_at - session.starts_at
    session.starts_at, session.ends_at = starts, starts + length
    session.status, session.sequence, session.updated_at = (
        "rescheduled",
        session.sequence + 1,
        ctx.now,
    )
    await ctx.db.flush()
    told = await replan_session(ctx.db, session, settings=ctx.settings, now=ctx.now)
    await session_followups.announce_moved(
        ctx.db, session, told=told_start, now=ctx.now, days_before=ctx.settings.announce_days_before
    )
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


async def cancel(ctx: Context, args: Args) -> Outcome:
    session = await _changeable(ctx, args)
    reason = args.get("reason")
    session.status, session.status_note = "cancelled", str(reason) if reason else None
    session.sequence, session.updated_at = session.sequence + 1, ctx.now
    await registry.withdraw(ctx.db, Change.CANCEL, session_id=session.id)
    registrants = await planning.confirmed_registrants(ctx.db, session.id)
    for member, community in registrants:
        await planning.plan_member_message(
            ctx.db,
            kind=notices.CANCELLATION,
            dedupe_key=notices.CANCELLATION.key(
                member=member, session=session, by_member=False, now=ctx.now
            ),
            member=member,
            platform=community.platform,
            sessions=[session],
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


async def set_capacity(ctx: Context, args: Args) -> Outcome:
    session = await _changeable(ctx, args)
    text = args["seats"].strip().lower()
    capacity: int | None
    if text in ("none", "unlimited", "off"):
        capacity = None
    elif text.isascii() and text.isdigit() and 0 < int(text) <= 100_000:
        capacity = int(text)
    else:
        raise UserError("Seats must be a whole number from 1 to 100,000, or `none`.")
    if capacity == session.capacity:
        seats = "no limit" if capacity is None else plural(capacity, "seat")
        raise UserError(f"The {session.season} session already has {seats}; nothing changed.")
    session.capacity = capacity
    promoted = await promote(
        ctx.db, session, now=ctx.now, default_offsets=ctx.settings.reminder_offsets
    )
    seats = "no limit" if session.capacity is None else plural(session.capacity, "seat")
    moved = (
        f" Moved up from the waitlist and told: {plural(len(promoted), 'member')}."
        if promoted
        else ""
    )
    return Outcome(reply=Message.plain(f"The {session.season} session now has {seats}.{moved}"))


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
