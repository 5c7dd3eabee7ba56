"""Registration: the programme page's form, and the commands around it.

The form has the page's fields: name, a bit about yourself, organization/role, email
(for the calendar invitation), which sessions, and consent to be contacted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import select

from s4b_bot.context import Context
from s4b_bot.errors import FormInvalid, UserError
from s4b_bot.invocation import FormValue
from s4b_bot.outbox import planning, registry
from s4b_bot.outbox.kinds import Change
from s4b_bot.output import Choice, Form, FormField, Message, Outcome, Text
from s4b_bot.programme.cards import SEAT, session_card
from s4b_bot.programme.sessions import closed_reason, is_open, is_over, reference, resolve
from s4b_bot.registration import notices
from s4b_bot.registration.waitlist import (
    confirmed_count,
    lock_session,
    place_of,
    promote,
)
from s4b_bot.reminders.kind import reminder_rows
from s4b_bot.reminders.offsets import effective_offsets
from s4b_bot.routing.catalogue import Args
from s4b_bot.timefmt import format_date
from s4b_bot.validate import clean_email, clean_text
from s4b_bot.words import SESSION_GONE
from storage import outbox, queries
from storage.models import ProgrammeSession

FORM_ID = "register"
MAX_NAME = 100
MAX_ABOUT = 1_000
MAX_ORGANIZATION = 150
MAX_EMAIL = 254


def session_choice(session: ProgrammeSession, sessions: Sequence[ProgrammeSession]) -> Choice:
    """A session to pick; its first alias is its reference among `sessions`."""
    date = format_date(session.starts_at, session.timezone)
    return Choice(
        value=str(session.id),
        label=f"{session.season} · {date} · {session.title}"[:100],
        aliases=tuple(dict.fromkeys((reference(session, sessions), date, str(session.number)))),
    )


def registration_form(
    open_sessions: Sequence[ProgrammeSession],
    *,
    sessions: Sequence[ProgrammeSession],
    preselected: Sequence[ProgrammeSession],
    answers: Mapping[str, FormValue],
) -> Form:
    """The form, offering `open_sessions`; `sessions` (all of them) make their references."""
    return Form(
        id=FORM_ID,
        title="Register for S4B",
        intro="Tell us a bit about yourself and which sessions you would like to attend.",
        submit_label="Register",
        fields=(
            FormField(
                "name", "Your name", "short_text", max_length=MAX_NAME, default=answers.get("name")
            ),
            FormField(
                "about",
                "A bit about yourself",
                "long_text",
                max_length=MAX_ABOUT,
                hint="Who you are: community leader, neighbour, lived experience, …",
                default=answers.get("about"),
            ),
            FormField(
                "organization",
                "Organization / role",
                "short_text",
                required=False,
                max_length=MAX_ORGANIZATION,
                default=answers.get("organization"),
            ),
            FormField(
                "email",
                "Email (for the calendar invitation)",
                "email",
                required=False,
                max_length=MAX_EMAIL,
                hint="Optional. Only organizers see it.",
                default=answers.get("email"),
            ),
            FormField(
                "sessions",
                "Which sessions",
                "multi_select",
                choices=tuple(session_choice(s, sessions) for s in open_sessions),
                default=tuple(str(s.id) for s in preselected),
            ),
            FormField(
                "consent",
                "I agree to be contacted about the sessions I register for "
                "(invitation, call details, reminders, summary).",
                "checkbox",
                default=bool(answers.get("consent")),
            ),
        ),
    )


async def start_registration(ctx: Context, args: Args) -> Outcome:
    """`/s4b register [<session>|all]`: open the form, with the named sessions ticked."""
    sessions = await queries.all_sessions(ctx.db)
    return await open_form(ctx, sessions, args.get("session"))


async def open_form(ctx: Context, sessions: Sequence[ProgrammeSession], ref: object) -> Outcome:
    mine = {r.session_id: r for r in await queries.registrations_of(ctx.db, ctx.person.id)}
    open_sessions = [s for s in sessions if is_open(s, ctx.now)]
    if ref is None:
        preselected = open_sessions if len(open_sessions) == 1 else []
    elif str(ref).strip().lower() == "all":
        preselected = [s for s in open_sessions if s.id not in mine]
        if open_sessions and not preselected:
            return Outcome(
                reply=Message.plain(
                    "You are already registered for every upcoming session; nothing changed."
                )
            )
    else:
        session = (
            ref if isinstance(ref, ProgrammeSession) else resolve(sessions, str(ref), now=ctx.now)
        )
        if not is_open(session, ctx.now):
            raise UserError(
                closed_reason(session, ctx.now) + _upcoming_hint(open_sessions, sessions)
            )
        if session.id in mine:
            place = await place_of(ctx.db, mine[session.id])
            already = (
                f"registered for the {session.season} session"
                if place.confirmed
                else f"on the {session.season} session's waitlist, #{place.waiting_at} in line"
            )
            return Outcome(reply=Message.plain(f"You are already {already}; nothing changed."))
        preselected = [session]
    if not open_sessions:
        raise UserError("There are no upcoming sessions to register for right now.")
    last = await queries.latest_registration(ctx.db, ctx.person.id)
    answers: dict[str, FormValue] = {"name": ctx.actor.display_name}
    if last is not None:
        answers = {
            "name": last.name,
            "about": last.about,
            "organization": last.organization,
            "email": last.email,
            "consent": last.consent,
        }
    form = registration_form(
        open_sessions, sessions=sessions, preselected=preselected, answers=answers
    )
    return Outcome(form=form)


def _upcoming_hint(
    open_sessions: Sequence[ProgrammeSession], sessions: Sequence[ProgrammeSession]
) -> str:
    if not open_sessions:
        return ""
    names = ", ".join(reference(s, sessions) for s in open_sessions)
    return f" Open for registration: {names}."


async def start_registration_for(ctx: Context, session_id: int) -> Outcome:
    """The Register button: the same form, with that session ticked."""
    sessions = await queries.all_sessions(ctx.db)
    session = next((s for s in sessions if s.id == session_id), None)
    if session is None:
        raise UserError(SESSION_GONE)
    return await open_form(ctx, sessions, session)


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


async def submit_registration(ctx: Context, values: Mapping[str, FormValue]) -> Outcome:
    """Check every field, then register for each chosen session (idempotently)."""
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
    chosen = await _chosen_sessions(ctx, values.get("sessions"), errors)
    unknown = set(values) - {"name", "about", "organization", "email", "sessions", "consent"}
    if unknown:
        errors[sorted(unknown)[0]] = "This form has no such field."
    if errors:
        raise FormInvalid(errors)

    added: list[ProgrammeSession] = []
    already: list[ProgrammeSession] = []
    waiting: list[tuple[ProgrammeSession, int]] = []
    community = await ctx.person.awaitable_attrs.community
    offsets = effective_offsets(ctx.person, community, ctx.settings.reminder_offsets)
    reminders: list[dict[str, object]] = []
    for session in chosen:
        full = session.capacity is not None and (
            await confirmed_count(ctx.db, session.id) >= session.capacity
        )
        inserted = await queries.add_registration(
            ctx.db,
            session_id=session.id,
            member_id=ctx.person.id,
            name=name,
            about=about,
            organization=organization or None,
            email=email or None,
            consent=True,
            status="waitlisted" if full else "confirmed",
            created_at=ctx.now,
        )
        if not inserted:
            already.append(session)
        elif full:
            registration = await queries.registration(
                ctx.db, member_id=ctx.person.id, session_id=session.id
            )
            assert registration is not None
            waiting.append((session, await queries.waitlist_position(ctx.db, registration)))
        else:
            added.append(session)
            reminders += reminder_rows(
                session=session,
                member=ctx.person,
                platform=community.platform,
                offsets=offsets,
                now=ctx.now,
            )
    # The invitation before the reminders: a late registrant's first reminder is due at
    # once too, and rows due at the same time go out in the order they were planned.
    planned: list[dict[str, object]] = []
    if added:
        await planning.advance_copies(
            ctx.db, kind=notices.INVITATION, member=ctx.person, sessions=added, now=ctx.now
        )
        planned.append(
            planning.member_message_row(
                kind=notices.INVITATION,
                dedupe_key=notices.INVITATION.key(member=ctx.person, sessions=added, now=ctx.now),
                member=ctx.person,
                platform=community.platform,
                sessions=added,
                now=ctx.now,
            )
        )
    await outbox.plan_many(ctx.db, planned + reminders, now=ctx.now)  # one statement
    return Outcome(reply=_confirmation(ctx, name, added, already, waiting))


async def _chosen_sessions(
    ctx: Context, value: FormValue, errors: dict[str, str]
) -> list[ProgrammeSession]:
    try:
        ids = _as_ids(value)
    except UserError as exc:
        errors["sessions"] = str(exc)
        return []
    if not ids:
        errors["sessions"] = "Choose at least one session."
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
        if not is_open(session, ctx.now):
            errors["sessions"] = closed_reason(session, ctx.now)
            return []
        chosen.append(session)
    return chosen


def _confirmation(
    ctx: Context,
    name: str,
    added: list[ProgrammeSession],
    already: list[ProgrammeSession],
    waiting: list[tuple[ProgrammeSession, int]],
) -> Message:
    lead = []
    if added:
        lead.append(Text.of(f"Thank you, {name}: you are registered. ✓"))
        lead.append(Text.of("Your calendar invitation is on its way in a direct message."))
    for session, position in waiting:
        lead.append(
            Text.of(
                f"The {session.season} session is full, so you are on its waitlist "
                f"(number {position}). If a seat frees, you get it and your invitation "
                "automatically."
            )
        )
    if already:
        seasons = ", ".join(s.season for s in already)
        lead.append(Text.of(f"You were already registered for {seasons}; nothing changed there."))
    lead.append(
        Text.of("`/s4b mine` lists your registrations; `/s4b unregister <session>` cancels one.")
    )
    cards = tuple(
        session_card(s, now=ctx.now, viewer_zone=ctx.viewer_zone, place=SEAT, detail=True)
        for s in added
    )
    return Message(text=tuple(lead), cards=cards)


async def unregister(ctx: Context, args: Args) -> Outcome:
    """`/s4b unregister <session>|all`."""
    ref = str(args["session"])
    regs = await queries.registrations_of(ctx.db, ctx.person.id)
    if ref.strip().lower() == "all":
        targets = [r.session for r in regs if not is_over(r.session, ctx.now)]
        if not targets:
            return Outcome(
                reply=Message.plain("You have no upcoming registrations; nothing changed.")
            )
    else:
        targets = [resolve(await queries.all_sessions(ctx.db), ref, now=ctx.now)]
    return await _unregister_from(ctx, targets)


async def unregister_from(ctx: Context, session_id: int) -> Outcome:
    """The Unregister button."""
    session = await queries.session_by_id(ctx.db, session_id)
    if session is None:
        raise UserError(SESSION_GONE)
    return await _unregister_from(ctx, [session])


async def _unregister_from(ctx: Context, sessions: list[ProgrammeSession]) -> Outcome:
    for session in sessions:
        if is_over(session, ctx.now):
            raise UserError(
                f"The {session.season} session has already taken place; nothing changed."
            )
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
            await planning.plan_member_message(
                ctx.db,
                kind=notices.CANCELLATION,
                dedupe_key=notices.CANCELLATION.key(
                    member=ctx.person, session=session, by_member=True, now=ctx.now
                ),
                member=ctx.person,
                platform=community.platform,
                sessions=[session],
                now=ctx.now,
                extra={"cause": "member"},
            )
            locked = await lock_session(ctx.db, session.id)
            assert locked is not None
            await promote(
                ctx.db, locked, now=ctx.now, default_offsets=ctx.settings.reminder_offsets
            )
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
    return Outcome(reply=Message(text=(lead,), cards=cards))
