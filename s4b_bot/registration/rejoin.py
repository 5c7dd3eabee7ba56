"""The Register again button of a restored session's DM: one press signs a former
registrant up again with the answers they gave before (a seat, or the end of the line)."""

from __future__ import annotations

from s4b_bot.context import Context
from s4b_bot.errors import UserError
from s4b_bot.output import Message, Outcome
from s4b_bot.programme.sessions import closed_reason, is_open
from s4b_bot.registration import notices
from s4b_bot.registration.commands import start_registration_for
from s4b_bot.registration.waitlist import is_full, lock_session
from storage import queries
from storage.models import ProgrammeSession


async def register_again(ctx: Context, session: ProgrammeSession) -> Outcome:
    locked = await lock_session(ctx.db, session.id)
    assert locked is not None
    if not is_open(locked, ctx.now):
        raise UserError(closed_reason(locked, ctx.now) + " Nothing changed.")
    former = await queries.registration(ctx.db, member_id=ctx.person.id, session_id=locked.id)
    if former is None:  # answers erased meanwhile: the form, as the Register button opens it
        return await start_registration_for(ctx, locked)
    if former.status != queries.FORMER:
        place = "on the waitlist of" if former.status == "waitlisted" else "registered for"
        raise UserError(f"You are already {place} the {locked.season} session; nothing changed.")
    full = await is_full(ctx.db, locked)
    # A new row, so a place in line is taken from now, after those who waited meanwhile.
    answers = {
        "name": former.name,
        "about": former.about,
        "organization": former.organization,
        "email": former.email,
        "consent": former.consent,
    }
    await queries.add_registration(
        ctx.db,
        session_id=locked.id,
        member_id=ctx.person.id,
        status="waitlisted" if full else "confirmed",
        created_at=ctx.now,
        **answers,
    )
    if full:
        again = await queries.registration(ctx.db, member_id=ctx.person.id, session_id=locked.id)
        assert again is not None
        position = await queries.waitlist_position(ctx.db, again)
        return Outcome(
            reply=Message.plain(
                f"The {locked.season} session is full now: you are on its waitlist, "
                f"#{position} in line, with the answers you gave before. "
                "If a seat opens, it is offered to you by direct message."
            )
        )
    community = await ctx.person.awaitable_attrs.community
    await notices.plan_seat_messages(
        ctx.db,
        kind=notices.INVITATION,
        dedupe_key=notices.INVITATION.key(member=ctx.person, sessions=[locked], now=ctx.now),
        member=ctx.person,
        community=community,
        session=locked,
        now=ctx.now,
        settings=ctx.settings,
    )
    return Outcome(
        reply=Message.plain(
            f"Welcome back: you are registered for the {locked.season} session again, with "
            "the answers you gave before. Your calendar invitation is on its way."
        )
    )
