"""The member commands and buttons around registration: register (opens the form),
unregister, and the list of one's own registrations."""

from __future__ import annotations

from collections.abc import Sequence

from s4b_bot.context import Context
from s4b_bot.errors import UserError
from s4b_bot.feedback.kind import followup_after
from s4b_bot.outbox import registry
from s4b_bot.outbox.kinds import Change
from s4b_bot.output import Message, Outcome, Text
from s4b_bot.programme.cards import session_card
from s4b_bot.programme.sessions import is_open, is_over, reference
from s4b_bot.registration import notices
from s4b_bot.registration.form import answers_card, open_form
from s4b_bot.registration.waitlist import lock_session, place_of, promote
from s4b_bot.routing.route import Args
from storage import queries
from storage.models import ProgrammeSession


async def start_registration(ctx: Context, args: Args) -> Outcome:
    """`/s4b register [<session>|all]`: open the form, with the named sessions ticked."""
    sessions = await queries.all_sessions(ctx.db)
    return await open_form(ctx, sessions, "all" if args.wants_all() else args.maybe_session())


async def start_registration_for(ctx: Context, session: ProgrammeSession) -> Outcome:
    """The Register button: the same form, with that session ticked."""
    return await open_form(ctx, await queries.all_sessions(ctx.db), session)


async def unregister(ctx: Context, args: Args) -> Outcome:
    """`/s4b unregister <session>|all`."""
    regs = await queries.registrations_of(ctx.db, ctx.person.id)
    if args.wants_all():
        targets = [r.session for r in regs if not is_over(r.session, ctx.now)]
        if not targets:
            return Outcome(
                reply=Message.plain("You have no upcoming registrations; nothing changed.")
            )
    else:
        targets = [args.session()]
    return await _unregister_from(ctx, targets)


async def unregister_from(ctx: Context, session: ProgrammeSession) -> Outcome:
    """The Unregister button."""
    return await _unregister_from(ctx, [session])


async def _unregister_from(ctx: Context, sessions: list[ProgrammeSession]) -> Outcome:
    for session in sessions:
        if is_over(session, ctx.now):
            raise UserError(
                f"The {session.season} session has already taken place; nothing changed."
            )
    removed, left_waitlist = await drop_places(ctx, sessions)
    if not removed and not left_waitlist:
        season = sessions[0].season
        return Outcome(
            reply=Message.plain(
                f"You were not registered for the {season} session; nothing changed."
            )
        )
    lines = []
    if removed:
        lines.append(f"You are no longer registered for: {', '.join(removed)}.")
    if left_waitlist:
        lines.append(f"You are off the waitlist of: {', '.join(left_waitlist)}.")
    if any(session.status != "cancelled" for session in sessions):
        lines.append("Changed your mind? `/s4b register` signs you up again.")
    return Outcome(reply=Message.plain(*lines))


async def drop_places(
    ctx: Context, sessions: Sequence[ProgrammeSession]
) -> tuple[list[str], list[str]]:
    """Give up the member's place in each session: a seat (a calendar cancellation, and the
    first in line moves up) or a waitlist place. Returns the sessions named, by which."""
    removed: list[str] = []
    left_waitlist: list[str] = []
    community = await ctx.person.awaitable_attrs.community
    every = await queries.all_sessions(ctx.db)
    for session in sessions:
        status = await queries.remove_registration(
            ctx.db, member_id=ctx.person.id, session_id=session.id
        )
        if status is None:
            continue
        (removed if status == "confirmed" else left_waitlist).append(_named(session, every))
        await registry.withdraw(
            ctx.db, Change.UNREGISTER, session_id=session.id, member_id=ctx.person.id
        )
        # A cancelled session's cancellation has already reached the member's calendar.
        if status == "confirmed" and session.status != "cancelled":
            await notices.plan_cancellation(
                ctx.db,
                member=ctx.person,
                community=community,
                session=session,
                by_member=True,
                now=ctx.now,
                extra={"cause": "member"},
            )
            locked = await lock_session(ctx.db, session.id)
            assert locked is not None
            await promote(
                ctx.db,
                locked,
                now=ctx.now,
                default_offsets=ctx.settings.reminder_offsets,
                followup_after=followup_after(ctx.settings),
            )
    return removed, left_waitlist


def _named(session: ProgrammeSession, sessions: Sequence[ProgrammeSession]) -> str:
    """The season, with what names it alone when another session shares it."""
    ref = reference(session, sessions)
    if ref == session.season.lower().replace(" ", "-"):
        return session.season
    return f"{session.season} (`{ref}`)"


async def my_registrations(ctx: Context, args: Args) -> Outcome:
    regs = await queries.registrations_of(ctx.db, ctx.person.id)
    if not regs:
        return Outcome(
            reply=Message.plain(
                "You are not registered for any session yet. `/s4b sessions` lists them; "
                "`/s4b register` signs you up."
            )
        )
    cards = tuple(
        [
            session_card(
                r.session, now=ctx.now, viewer_zone=ctx.viewer_zone, place=await place_of(ctx.db, r)
            )
            for r in regs
        ]
    )
    cancelled = sum(1 for r in regs if r.session.status == "cancelled")
    past = sum(1 for r in regs if r.session.status != "cancelled" and is_over(r.session, ctx.now))
    upcoming = len(regs) - cancelled - past
    lead = Text.of(
        f"Your registrations: {upcoming} upcoming, {past} past"
        + (f", {cancelled} cancelled." if cancelled else ".")
    )
    held = [r for r in regs if is_open(r.session, ctx.now)]
    if held:
        cards += (answers_card(ctx, held),)
    return Outcome(reply=Message(text=(lead,), cards=cards))
