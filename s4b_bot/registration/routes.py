"""Registration's routes: register (the command, the button and the form), editing one's
registration (its button and form), unregister, a waitlist offer's Accept and Decline,
one's own registrations, and the organizers' roster and delivery report."""

from __future__ import annotations

from s4b_bot.registration import (
    comeback,
    commands,
    edit,
    form,
    offer_answers,
    offer_notices,
    rejoin,
    roster,
    signup,
)
from s4b_bot.routing.route import (
    SESSION,
    ButtonRoute,
    CommandRoute,
    FormRoute,
    Option,
    Route,
    SessionButtonRoute,
)

ROUTES: tuple[Route, ...] = (
    CommandRoute(
        "register",
        "Register, or edit your registration, through a short form: one session, several or all.",
        commands.start_registration,
        options=(
            Option("session", "session", "A session to register for, or `all`", choices=("all",)),
        ),
        example="/s4b register spring",
        opens_form=True,
    ),
    SessionButtonRoute("register", commands.start_registration_for, opens_form=True),
    SessionButtonRoute(comeback.REGISTER_AGAIN, rejoin.register_again, opens_form=True),
    FormRoute(form.FORM_ID, "register", signup.submit_registration),
    ButtonRoute(form.EDIT_VERB, edit.open_edit, opens_form=True),
    FormRoute(form.EDIT_FORM_ID, "register", edit.submit_edit),
    CommandRoute(
        "unregister",
        "Cancel your registration for one session, or `all`.",
        commands.unregister,
        options=(
            Option("session", "session", "A session, or `all`", required=True, choices=("all",)),
        ),
        example="/s4b unregister summer",
    ),
    SessionButtonRoute("unregister", commands.unregister_from),
    ButtonRoute(offer_notices.ACCEPT, offer_answers.accept),
    ButtonRoute(offer_notices.DECLINE, offer_answers.decline),
    CommandRoute("mine", "The sessions you registered for.", commands.my_registrations),
    CommandRoute(
        "roster",
        "Who registered for a session, and the waitlist (private, with a CSV).",
        roster.roster,
        options=(SESSION,),
        audience="organizer",
        audit="export",
    ),
    CommandRoute(
        "deliveries",
        "What the bot sent, and what it could not deliver.",
        roster.deliveries,
        audience="organizer",
        audit="export",
    ),
)
