"""`/s4b-admin session restore`: reopen a cancelled session that has not yet started; its
former registrants are told and can come back with one press, and the channel is told."""

from __future__ import annotations

from sqlalchemy import delete

from s4b_bot.context import Context
from s4b_bot.errors import UserError
from s4b_bot.outbox import session_posts
from s4b_bot.output import Message, Outcome, Text
from s4b_bot.registration import comeback
from s4b_bot.registration.waitlist import lock_session
from s4b_bot.routing.route import Args
from s4b_bot.timefmt import format_span_and_utc
from s4b_bot.words import plural
from storage.models import PlatformRef


async def restore(ctx: Context, args: Args) -> Outcome:
    session = await lock_session(ctx.db, args.session().id)
    assert session is not None
    if session.status != "cancelled":
        raise UserError(
            f"The {session.season} session is not cancelled, so there is nothing to restore; "
            "nothing changed."
        )
    if session.starts_at <= ctx.now:
        raise UserError(
            f"The {session.season} session's time has passed, so it cannot be restored; "
            "nothing changed. `/s4b-admin session add` adds a new one."
        )
    session.status, session.status_note = "scheduled", None
    session.sequence, session.updated_at = session.sequence + 1, ctx.now
    # A platform event cancelled stays cancelled (Discord: a CANCELED scheduled event's
    # status can no longer change): forget it, so the sync below makes a new one.
    await ctx.db.execute(delete(PlatformRef).where(PlatformRef.key == f"session:{session.id}"))
    await ctx.db.flush()
    told = await comeback.plan_comeback(ctx.db, session, now=ctx.now)
    await session_posts.plan_session_sync(ctx.db, session, now=ctx.now)
    await session_posts.plan_announcements(
        ctx.db, session, now=ctx.now, days_before=ctx.settings.announce_days_before
    )
    span = format_span_and_utc(session.starts_at, session.ends_at, session.timezone)
    return Outcome(
        reply=Message(
            text=(
                Text.of(f"The {session.season} session is back on: {span}."),
                Text.of(
                    f"{plural(told, 'former registrant')} will get a message with a Register "
                    "again button (their answers are kept); the channel is told."
                    if told
                    else "Nobody had registered for it; the channel is told."
                ),
            )
        )
    )
