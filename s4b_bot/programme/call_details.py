"""The organizer command that sets a session's private call details (for registrants only)."""

from __future__ import annotations

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.outbox import planning
from s4b_bot.output import Message, Outcome
from s4b_bot.programme.sessions import is_over
from s4b_bot.registration.notices import CALL_CHANGED, UPDATE
from s4b_bot.registration.waitlist import lock_session
from s4b_bot.routing.route import Args
from s4b_bot.words import plural


async def set_call_details(ctx: Context, args: Args) -> Outcome:
    session = await lock_session(ctx.db, args.session().id)
    assert session is not None
    details = args["details"]
    if details == session.call_details:
        audit.unchanged(ctx)
        return Outcome(
            reply=Message.plain(
                f"The {session.season} session already has these call details; nothing changed."
            )
        )
    # The invitations carry the call details: a change is a new version of them.
    session.call_details = details
    session.sequence, session.updated_at = session.sequence + 1, ctx.now
    registrants = await planning.confirmed_registrants(ctx.db, session.id)
    upcoming = session.status != "cancelled" and not is_over(session, ctx.now)
    for member, community in registrants if upcoming else ():
        await planning.plan_member_message(
            ctx.db,
            kind=UPDATE,
            dedupe_key=UPDATE.key(member=member, session=session),
            member=member,
            platform=community.platform,
            sessions=[session],
            now=ctx.now,
            extra={"change": CALL_CHANGED},
        )
    told = (
        f" {plural(len(registrants), 'registrant')} will get the updated invitation."
        if upcoming and registrants
        else ""
    )
    return Outcome(
        reply=Message.plain(
            f"Call details for the {session.season} session are saved. Only its registrants "
            f"see them.{told}"
        )
    )
