"""The registration form: the programme page's fields, opened with the sessions to tick.

The form has the page's fields: name, a bit about yourself, organization/role, email
(for the calendar invitation), which sessions, and consent to be contacted. What happens
when it is sent is `registration/signup.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from s4b_bot.context import Context
from s4b_bot.errors import UserError
from s4b_bot.invocation import FormValue
from s4b_bot.output import Button, Card, Choice, Field, Form, FormField, Message, Outcome, Text
from s4b_bot.programme.cards import session_card
from s4b_bot.programme.sessions import closed_reason, is_open, reference
from s4b_bot.registration.waitlist import place_of
from s4b_bot.routing.actions import action_id
from s4b_bot.timefmt import format_date
from storage import queries
from storage.models import ProgrammeSession, Registration

FORM_ID = "register"
EDIT_VERB = "edit_registration"
"""The Edit registration button's verb."""
EDIT_FORM_ID = "register_edit"
"""The same fields, filled in with the member's answers and their sessions ticked: what is
unticked is dropped (`registration/edit.py`). Its own id, so a register form never drops."""
MINE_HINT = (
    "`/s4b mine` lists your registrations; `/s4b register` changes your answers or "
    "sessions; `/s4b unregister <session>` cancels one."
)
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
    edit: bool = False,
) -> Form:
    """The form, offering `open_sessions`; `sessions` (all of them) make their references.
    `edit`: the member's own registration to change, with their answers and sessions."""
    return Form(
        id=EDIT_FORM_ID if edit else FORM_ID,
        title="Edit your registration" if edit else "Register for S4B",
        intro=(
            "Change any answer. Tick a session to add it; untick one to cancel your place in it."
            if edit
            else "Tell us a bit about yourself and which sessions you would like to attend."
        ),
        submit_label="Save changes" if edit else "Register",
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


async def open_form(
    ctx: Context,
    sessions: Sequence[ProgrammeSession],
    chosen: ProgrammeSession | Literal["all"] | None,
) -> Outcome:
    """The form, with `chosen` ticked: one session, every open one not yet yours (`all`), or
    the only open one when there is just one. With no session named, a member who holds an
    upcoming place gets the form to edit their registration instead."""
    mine = {r.session_id: r for r in await queries.registrations_of(ctx.db, ctx.person.id)}
    open_sessions = [s for s in sessions if is_open(s, ctx.now)]
    if chosen is None:
        preselected = open_sessions if len(open_sessions) == 1 else []
    elif chosen == "all":
        preselected = [s for s in open_sessions if s.id not in mine]
        if open_sessions and not preselected:
            return Outcome(
                reply=Message.plain(
                    "You are already registered for every upcoming session; nothing changed."
                )
            )
    else:
        session = chosen
        if not is_open(session, ctx.now):
            raise UserError(
                closed_reason(session, ctx.now) + _upcoming_hint(open_sessions, sessions)
            )
        if session.id in mine:
            place = await place_of(ctx.db, mine[session.id])
            if place.offer is not None:  # the held seat, with its Accept button
                return Outcome(
                    reply=Message(
                        text=(
                            Text.of(
                                f"You are already on the {session.season} session's waitlist, "
                                f"#{place.waiting_at} in line, and a seat is held for you: "
                                "accept it with the button below. Nothing changed."
                            ),
                        ),
                        cards=(
                            session_card(
                                session, now=ctx.now, viewer_zone=ctx.viewer_zone, place=place
                            ),
                        ),
                    )
                )
            already = (
                f"registered for the {session.season} session"
                if place.confirmed
                else f"on the {session.season} session's waitlist, #{place.waiting_at} in line"
            )
            return Outcome(
                reply=Message.plain(
                    f"You are already {already}; nothing changed.",
                    "`/s4b register` (with no session) changes your answers or sessions.",
                )
            )
        preselected = [session]
    if not open_sessions:
        raise UserError("There are no upcoming sessions to register for right now.")
    held = [r for r in mine.values() if is_open(r.session, ctx.now)]
    if chosen is None and held:
        return Outcome(form=edit_form(held, open_sessions, sessions))
    last = await queries.latest_registration(ctx.db, ctx.person.id)
    answers: dict[str, FormValue] = {"name": ctx.actor.display_name}
    if last is not None:
        answers = answers_of(last)
    form = registration_form(
        open_sessions, sessions=sessions, preselected=preselected, answers=answers
    )
    return Outcome(form=form)


def answers_of(registration: Registration) -> dict[str, FormValue]:
    """A registration's answers, as the form's defaults."""
    return {
        "name": registration.name,
        "about": registration.about,
        "organization": registration.organization,
        "email": registration.email,
        "consent": registration.consent,
    }


def edit_form(
    held: Sequence[Registration],
    open_sessions: Sequence[ProgrammeSession],
    sessions: Sequence[ProgrammeSession],
) -> Form:
    """The form to edit a registration: the answers of the latest one the member holds, and
    each session they hold (a seat or a waitlist place) ticked."""
    answers = answers_of(max(held, key=lambda r: (r.created_at, r.id)))
    preselected = [r.session for r in held]
    return registration_form(
        open_sessions, sessions=sessions, preselected=preselected, answers=answers, edit=True
    )


def answers_card(ctx: Context, held: Sequence[Registration]) -> Card:
    """The member's answers as the form holds them, with the button that edits them."""
    last = max(held, key=lambda r: (r.created_at, r.id))
    fields = [Field("Name", Text.of(last.name)), Field("About you", Text.of(last.about))]
    if last.organization:
        fields.append(Field("Organization / role", Text.of(last.organization)))
    # The address itself is never echoed back in a reply; the form shows it to its owner.
    email = "given, for your calendar invitation" if last.email else "none given"
    fields.append(Field("Email", Text.of(email)))
    return Card(
        title="Your registration answers",
        fields=tuple(fields),
        buttons=(Button("Edit registration", action_id(EDIT_VERB, ctx.person.id), "primary"),),
    )


async def own_answers(ctx: Context) -> tuple[Card, ...]:
    """The answers card (with Edit registration) while the member holds a seat or a
    waitlist place in a session still open; else nothing (Slack's App Home)."""
    regs = await queries.registrations_of(ctx.db, ctx.person.id)
    held = [r for r in regs if is_open(r.session, ctx.now)]
    return (answers_card(ctx, held),) if held else ()


def _upcoming_hint(
    open_sessions: Sequence[ProgrammeSession], sessions: Sequence[ProgrammeSession]
) -> str:
    if not open_sessions:
        return ""
    names = ", ".join(reference(s, sessions) for s in open_sessions)
    return f" Open for registration: {names}."
