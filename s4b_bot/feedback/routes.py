"""The follow-up's routes: the feedback form, from the DM's button or a command."""

from __future__ import annotations

from s4b_bot.feedback import form
from s4b_bot.feedback.kind import FEEDBACK
from s4b_bot.routing.route import SESSION, CommandRoute, EntityFormRoute, Route, SessionButtonRoute

ROUTES: tuple[Route, ...] = (
    CommandRoute(
        "feedback",
        "Tell the organizers how a session you came to went: opens the feedback form.",
        form.open_from_command,
        options=(SESSION,),
        example="/s4b feedback spring",
        opens_form=True,
    ),
    SessionButtonRoute(FEEDBACK, form.open_from_button, opens_form=True),
    EntityFormRoute(form.FORM_KEY, "feedback", form.submit),
)
