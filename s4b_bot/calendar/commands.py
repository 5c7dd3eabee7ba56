"""Member calendar commands: the whole series as a file, and a personal calendar feed."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.calendar.ics import build_calendar, event_from_session, file_name, organizer_of
from s4b_bot.calendar.invites import attendee_of, copy_sequences, member_calendar_file
from s4b_bot.context import Context
from s4b_bot.output import Attachment, Message, Outcome, Text
from s4b_bot.programme.sessions import current_series_id
from s4b_bot.reminders.offsets import effective_offsets
from s4b_bot.routing.route import Args
from s4b_bot.settings import Settings
from s4b_bot.words import plural
from storage import queries
from storage.models import Account, Community, ProgrammeSession, Registration

FEED_PATH = "/calendar/"


async def series_calendar(ctx: Context, args: Args) -> Outcome:
    """`/s4b calendar`: every session of the current series, without call links."""
    sessions = await queries.all_sessions(ctx.db)
    series_id = current_series_id(sessions, ctx.now)
    mine = [s for s in sessions if s.series_id == series_id]
    if not mine:
        return Outcome(reply=Message.plain("There are no sessions to put in a calendar yet."))
    events = [
        event_from_session(s, domain=ctx.settings.calendar_domain, include_call=False) for s in mine
    ]
    content = build_calendar(
        events,
        method="PUBLISH",
        now=ctx.now,
        organizer=organizer_of(mine[0].series, ctx.settings),
        name=mine[0].series.name,
    )
    return Outcome(
        reply=Message(
            text=Message.plain(
                f"All {plural(len(mine), 'session')} of {mine[0].series.name}, for your calendar. "
                "Call details come only with your own invitation after you register."
            ).text,
            attachments=(Attachment(f"{mine[0].series.key}.ics", content, "text/calendar"),),
        )
    )


async def session_invitation(ctx: Context, session: ProgrammeSession) -> Outcome:
    """The "Add to calendar" button: for a registrant, the invitation as last sent to them
    (same UID and SEQUENCE); for anyone else, the session without the call details."""
    if session.status == "cancelled":
        return Outcome(
            reply=Message.plain(
                f"The {session.season} session is cancelled; there is nothing to add to your "
                "calendar."
            )
        )
    registration = await queries.registration(
        ctx.db, member_id=ctx.person.id, session_id=session.id
    )
    name = file_name(session)
    if registration is not None and registration.status == "confirmed":
        community = await ctx.person.awaitable_attrs.community
        file = member_calendar_file(
            [session],
            attendee=attendee_of(registration),
            sequences=await copy_sequences(ctx.db, ctx.person, [session]),
            alarms=effective_offsets(ctx.person, community, ctx.settings.reminder_offsets),
            settings=ctx.settings,
            now=ctx.now,
            filename=name,
        )
        note = ""
    else:
        event = event_from_session(session, domain=ctx.settings.calendar_domain, include_call=False)
        content = build_calendar(
            [event],
            method="PUBLISH",
            now=ctx.now,
            organizer=organizer_of(session.series, ctx.settings),
            name=session.series.name,
        )
        file = Attachment(name, content, "text/calendar")
        note = " Register to get the call details with it."
    return Outcome(
        reply=Message(
            text=(Text.of(f"The {session.season} session for your calendar.{note}"),),
            attachments=(file,),
        )
    )


async def calendar_feed(ctx: Context, args: Args) -> Outcome:
    """`/s4b calendar feed [reset]`: a secret URL that always holds exactly your sessions."""
    base = ctx.settings.public_url
    if ctx.settings.http_port is None or not base:
        # The settings' names are for whoever runs the bot, not for members.
        how = " (S4B_HTTP_PORT and S4B_PUBLIC_URL switch them on)" if ctx.actor.is_organizer else ""
        return Outcome(
            reply=Message.plain(
                f"Calendar feeds are not switched on here{how}. `/s4b calendar` gives the "
                "sessions as a file instead."
            )
        )
    reset = args.get("action") == "reset"
    if ctx.person.feed_token is None or reset:
        ctx.person.feed_token = secrets.token_urlsafe(24)
    url = f"{base.rstrip('/')}{FEED_PATH}{ctx.person.feed_token}.ics"
    said = "Your old link no longer works. " if reset else ""
    return Outcome(
        reply=Message.plain(
            f"{said}Your personal calendar feed (keep it to yourself: it holds your call "
            f"details): {url}",
            "Subscribe to it in your calendar app; it follows reschedules and cancellations. "
            "`/s4b calendar feed reset` replaces the link.",
        )
    )


async def feed_for_token(
    db: AsyncSession, token: str, *, settings: Settings, now: datetime
) -> bytes | None:
    """The member's feed, or None for an unknown token."""
    if not token or len(token) > 64:
        return None
    member = await db.scalar(select(Account).where(Account.feed_token == token))
    if member is None:
        return None
    community = await db.get(Community, member.community_id)
    assert community is not None
    sessions = (
        await db.scalars(
            select(ProgrammeSession)
            .join(Registration, Registration.session_id == ProgrammeSession.id)
            .where(Registration.member_id == member.id, Registration.status == "confirmed")
            .order_by(ProgrammeSession.starts_at)
        )
    ).all()
    alarms = effective_offsets(member, community, settings.reminder_offsets)
    sequences = await copy_sequences(db, member, sessions)
    events = []
    for session in sessions:
        await session.awaitable_attrs.series
        events.append(
            event_from_session(
                session,
                domain=settings.calendar_domain,
                include_call=True,
                alarms=alarms,
                sequence=sequences.get(session.id),
            )
        )
    return build_calendar(
        events,
        method="PUBLISH",
        now=now,
        organizer=organizer_of(sessions[0].series if sessions else None, settings),
        name="My S4B sessions",
    )
