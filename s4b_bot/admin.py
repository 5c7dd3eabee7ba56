"""Organizer commands of the foundation: setting a session's private call details."""

from __future__ import annotations

from s4b_bot.catalogue import Args
from s4b_bot.context import Context
from s4b_bot.output import Message, Outcome
from s4b_bot.sessions import resolve
from storage import queries


async def set_call_details(ctx: Context, args: Args) -> Outcome:
    session = resolve(await queries.all_sessions(ctx.db), str(args["session"]), now=ctx.now)
    details = str(args["details"])
    session.call_details = details
    session.updated_at = ctx.now
    count = (await queries.registration_counts(ctx.db)).get(session.id, 0)
    return Outcome(
        reply=Message.plain(
            f"Call details for the {session.season} session are saved. Only its registrants "
            f"see them ({count} so far)."
        )
    )
