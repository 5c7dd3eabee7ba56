"""Editing one's registration: the form filled in with the member's answers and sessions;
sent back, the answers change on every upcoming place, a new email gets an updated
invitation, ticked sessions are added and unticked ones dropped."""

from __future__ import annotations

from collections.abc import Mapping

from s4b_bot.context import Context
from s4b_bot.errors import UserError
from s4b_bot.invocation import FormValue
from s4b_bot.outbox import planning
from s4b_bot.output import Message, Outcome
from s4b_bot.programme.sessions import is_open
from s4b_bot.registration import notices
from s4b_bot.registration.commands import drop_places
from s4b_bot.registration.form import edit_form
from s4b_bot.registration.signup import (
    Answers,
    check_form,
    confirmation,
    take_seats,
)
from storage import outbox, queries
from storage.models import ProgrammeSession, Registration

NO_SESSIONS = (
    "Choose at least one session. To cancel all your registrations, use `/s4b unregister all`."
)


async def held_places(ctx: Context) -> list[Registration]:
    """The member's upcoming places (seats and waitlist places) in open sessions."""
    regs = await queries.registrations_of(ctx.db, ctx.person.id)
    return [r for r in regs if is_open(r.session, ctx.now)]


async def open_edit(ctx: Context, entity_id: int) -> Outcome:
    """The Edit registration button: the form with the presser's own answers."""
    held = await held_places(ctx)
    if not held:
        raise UserError("You have no upcoming registration to edit. `/s4b register` signs you up.")
    sessions = await queries.all_sessions(ctx.db)
    open_sessions = [s for s in sessions if is_open(s, ctx.now)]
    return Outcome(form=edit_form(held, open_sessions, sessions))


async def submit_edit(ctx: Context, values: Mapping[str, FormValue]) -> Outcome:
    """Apply the edited form: answers, email (with an updated invitation), sessions."""
    regs = await queries.registrations_of(ctx.db, ctx.person.id)
    held = [r for r in regs if is_open(r.session, ctx.now)]
    if not held:
        raise UserError(
            "You have no upcoming registration to edit any more; nothing changed. "
            "`/s4b register` signs you up."
        )
    ids = frozenset(r.session_id for r in held)
    # A session ticked on a form opened before it closed is kept as it is, not refused.
    every = frozenset(r.session_id for r in regs)
    answers, chosen = await check_form(ctx, values, held=every, no_sessions=NO_SESSIONS)
    chosen_ids = {s.id for s in chosen}
    kept = [r for r in held if r.session_id in chosen_ids]
    dropped = [r.session for r in held if r.session_id not in chosen_ids]
    to_add = [s for s in chosen if s.id not in ids]
    changed = [r for r in kept if _answers_of(r) != answers]
    new_email = [
        r.session for r in kept if r.status == "confirmed" and (r.email or None) != answers.email
    ]
    if not changed and not dropped and not to_add:
        return Outcome(reply=Message.plain("Nothing changed: your registration is as it was."))
    for registration in changed:
        registration.name = answers.name
        registration.about = answers.about
        registration.organization = answers.organization
        registration.email = answers.email
    await ctx.db.flush()
    lines = [f"Your registration is updated, {answers.name}."] if changed else []
    if new_email:
        await _send_to_new_email(ctx, new_email)
        lines.append(
            "Your calendar invitation now goes to your new email: an updated one is on its "
            "way in a direct message."
            if answers.email
            else "Your calendar file no longer names an email: a new one is on its way."
        )
    removed, left_waitlist = await drop_places(ctx, dropped)
    if removed:
        lines.append(f"You are no longer registered for: {', '.join(removed)}.")
    if left_waitlist:
        lines.append(f"You are off the waitlist of: {', '.join(left_waitlist)}.")
    head = Message.plain(*lines)
    if not to_add:
        return Outcome(reply=head)
    seats = await take_seats(ctx, answers, to_add)
    added = confirmation(ctx, answers.name, seats)
    return Outcome(reply=Message(text=head.text + added.text, cards=added.cards))


async def _send_to_new_email(ctx: Context, sessions: list[ProgrammeSession]) -> None:
    """The invitation again, naming the new email as ATTENDEE (a REQUEST at the next SEQUENCE
    of the member's copy, so their calendar updates the event it holds)."""
    copies = {
        s.id: await queries.advance_calendar_copy(
            ctx.db, member_id=ctx.person.id, programme_session=s, now=ctx.now
        )
        for s in sessions
    }
    community = await ctx.person.awaitable_attrs.community
    row = planning.member_message_row(
        kind=notices.NEW_EMAIL,
        dedupe_key=notices.NEW_EMAIL.key(member=ctx.person, copies=copies),
        member=ctx.person,
        platform=community.platform,
        sessions=sessions,
        now=ctx.now,
    )
    await outbox.plan_many(ctx.db, [row], now=ctx.now)


def _answers_of(registration: Registration) -> Answers:
    return Answers(
        registration.name,
        registration.about,
        registration.organization or None,
        registration.email or None,
    )
