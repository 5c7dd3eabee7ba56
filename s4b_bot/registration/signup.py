"""A registration form sent: every field checked, then a seat (or a waitlist place) in each
chosen session, with the invitation and reminders planned in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from s4b_bot.context import Context
from s4b_bot.errors import FormInvalid, UserError
from s4b_bot.feedback.kind import followup_after, followup_rows
from s4b_bot.invocation import FormValue
from s4b_bot.outbox import planning
from s4b_bot.output import Message, Outcome, Text
from s4b_bot.programme.cards import SEAT, session_card
from s4b_bot.programme.sessions import closed_reason, is_open
from s4b_bot.registration import notices, offers
from s4b_bot.registration.form import MAX_ABOUT, MAX_NAME, MAX_ORGANIZATION, MINE_HINT
from s4b_bot.registration.waitlist import is_full
from s4b_bot.reminders.kind import reminder_rows
from s4b_bot.reminders.offsets import effective_offsets
from s4b_bot.validate import clean_email, clean_text
from storage import outbox, queries
from storage.models import ProgrammeSession


def _collect(errors: dict[str, str], field_id: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except UserError as exc:
        errors[field_id] = str(exc)
        return ""


def _as_text(value: FormValue) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise UserError("Expected text here.")


def _as_ids(value: FormValue) -> list[str]:
    if value is None or value is False:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, tuple):
        return [str(v) for v in value]
    raise UserError("Expected a list of sessions.")


@dataclass(frozen=True)
class Answers:
    """The form's answers about the member, checked and cleaned."""

    name: str
    about: str
    organization: str | None
    email: str | None


@dataclass
class Seats:
    """What taking seats did: a seat, already held, or a place on the waitlist."""

    added: list[ProgrammeSession] = field(default_factory=list)
    already: list[ProgrammeSession] = field(default_factory=list)
    waiting: list[tuple[ProgrammeSession, int]] = field(default_factory=list)


async def check_form(
    ctx: Context,
    values: Mapping[str, FormValue],
    *,
    held: frozenset[int] = frozenset(),
    no_sessions: str = "Choose at least one session.",
) -> tuple[Answers, list[ProgrammeSession]]:
    """Every field checked (FormInvalid with each field's error), and the chosen sessions;
    a session in `held` (one the member already has) that has closed is left out quietly."""
    errors: dict[str, str] = {}
    name = _collect(
        errors,
        "name",
        lambda: clean_text("Your name", _as_text(values.get("name")), max_length=MAX_NAME),
    )
    about = _collect(
        errors,
        "about",
        lambda: clean_text(
            "A bit about yourself",
            _as_text(values.get("about")),
            max_length=MAX_ABOUT,
            multiline=True,
        ),
    )
    organization = _collect(
        errors,
        "organization",
        lambda: clean_text(
            "Organization / role",
            _as_text(values.get("organization")),
            max_length=MAX_ORGANIZATION,
            required=False,
        ),
    )
    email = _collect(errors, "email", lambda: clean_email(_as_text(values.get("email"))))
    if values.get("consent") is not True:
        errors["consent"] = (
            "Tick the box: registering means we send you the invitation, "
            "call details and reminders."
        )
    chosen = await _chosen_sessions(ctx, values.get("sessions"), errors, held, no_sessions)
    unknown = set(values) - {"name", "about", "organization", "email", "sessions", "consent"}
    if unknown:
        errors[sorted(unknown)[0]] = "This form has no such field."
    if errors:
        raise FormInvalid(errors)
    return Answers(name, about, organization or None, email or None), chosen


async def submit_registration(ctx: Context, values: Mapping[str, FormValue]) -> Outcome:
    """Check every field, then register for each chosen session (idempotently)."""
    answers, chosen = await check_form(ctx, values)
    seats = await take_seats(ctx, answers, chosen)
    return Outcome(reply=confirmation(ctx, answers.name, seats))


async def take_seats(ctx: Context, answers: Answers, chosen: Sequence[ProgrammeSession]) -> Seats:
    """A seat (or a waitlist place) in each chosen session, with the invitation and the
    reminders planned."""
    seats = Seats()
    community = await ctx.person.awaitable_attrs.community
    offsets = effective_offsets(ctx.person, community, ctx.settings.reminder_offsets)
    reminders: list[dict[str, object]] = []
    for session in chosen:
        full = await is_full(ctx.db, session)
        inserted = await queries.add_registration(
            ctx.db,
            session_id=session.id,
            member_id=ctx.person.id,
            name=answers.name,
            about=answers.about,
            organization=answers.organization,
            email=answers.email,
            consent=True,
            status="waitlisted" if full else "confirmed",
            created_at=ctx.now,
        )
        if not inserted:
            seats.already.append(session)
        elif full:
            registration = await queries.registration(
                ctx.db, member_id=ctx.person.id, session_id=session.id
            )
            assert registration is not None
            seats.waiting.append((session, await queries.waitlist_position(ctx.db, registration)))
        else:
            seats.added.append(session)
            reminders += reminder_rows(
                session=session,
                member=ctx.person,
                platform=community.platform,
                offsets=offsets,
                now=ctx.now,
            )
            reminders += followup_rows(
                session=session,
                member=ctx.person,
                platform=community.platform,
                after=followup_after(ctx.settings),
            )
    # The invitation before the reminders: a late registrant's first reminder is due at
    # once too, and rows due at the same time go out in the order they were planned.
    planned: list[dict[str, object]] = []
    if seats.added:
        planned.append(await invitation_row(ctx, seats.added))
    await outbox.plan_many(ctx.db, planned + reminders, now=ctx.now)  # one statement
    return seats


async def invitation_row(ctx: Context, sessions: list[ProgrammeSession]) -> dict[str, object]:
    """The invitation DM for these sessions (the member's copies move on), to plan."""
    community = await ctx.person.awaitable_attrs.community
    versions = await planning.advance_copies(
        ctx.db, kind=notices.INVITATION, member=ctx.person, sessions=sessions, now=ctx.now
    )
    key = notices.INVITATION.key(member=ctx.person, sessions=sessions, now=ctx.now)
    return planning.member_message_row(
        kind=notices.INVITATION,
        dedupe_key=key + versions,
        member=ctx.person,
        platform=community.platform,
        sessions=sessions,
        now=ctx.now,
    )


async def _chosen_sessions(
    ctx: Context,
    value: FormValue,
    errors: dict[str, str],
    held: frozenset[int],
    no_sessions: str,
) -> list[ProgrammeSession]:
    try:
        ids = _as_ids(value)
    except UserError as exc:
        errors["sessions"] = str(exc)
        return []
    if not ids:
        errors["sessions"] = no_sessions
        return []
    numbers = [int(i) for i in ids if i.isascii() and i.isdigit() and len(i) < 10]
    query = select(ProgrammeSession).where(ProgrammeSession.id.in_(numbers))
    found = list(await ctx.db.scalars(query.order_by(ProgrammeSession.starts_at)))
    if any(s.capacity is not None for s in found):
        # Seats are counted one registration at a time: lock the rows (PostgreSQL), only
        # when there are seats to count, so unlimited sessions never queue on a lock.
        locked = query.with_for_update().execution_options(populate_existing=True)
        found = list(await ctx.db.scalars(locked.order_by(ProgrammeSession.starts_at)))
    by_id = {str(s.id): s for s in found}
    chosen = []
    for value_id in dict.fromkeys(ids):
        session = by_id.get(value_id)
        if session is None:
            errors["sessions"] = "One of the chosen sessions no longer exists; choose again."
            return []
        if not is_open(session, ctx.now) and session.id in held:
            continue  # the form was opened before it closed: the member keeps it as it is
        if not is_open(session, ctx.now):
            errors["sessions"] = closed_reason(session, ctx.now)
            return []
        chosen.append(session)
    return chosen


def confirmation(ctx: Context, name: str, seats: Seats) -> Message:
    """What the member is told of the seats taken."""
    added, already, waiting = seats.added, seats.already, seats.waiting
    lead = []
    if added:
        lead.append(Text.of(f"Thank you, {name}: you are registered. ✓"))
        lead.append(Text.of("Your calendar invitation is on its way in a direct message."))
    for session, position in waiting:
        then = (
            "If a seat frees, it is offered to you by direct message, held for you for a "
            "while: accept it there."
            if offers.offers_allowed(session, ctx.settings, ctx.now)
            else "Its waitlist is closed this close to the start, so no seat will be "
            "offered to you."
        )
        lead.append(
            Text.of(
                f"The {session.season} session is full, so you are on its waitlist "
                f"(number {position}). {then}"
            )
        )
    if already:
        seasons = ", ".join(s.season for s in already)
        lead.append(Text.of(f"You were already registered for {seasons}; nothing changed there."))
    lead.append(Text.of(MINE_HINT))
    cards = tuple(
        session_card(s, now=ctx.now, viewer_zone=ctx.viewer_zone, place=SEAT, detail=True)
        for s in added
    )
    return Message(text=tuple(lead), cards=cards)
