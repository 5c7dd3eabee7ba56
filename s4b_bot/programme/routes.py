"""The programme's routes: browsing sessions, one's time zone, and the organizer commands
that add and change sessions."""

from __future__ import annotations

from s4b_bot import validate
from s4b_bot.programme import (
    browse,
    call_details,
    previews,
    session_admin,
    session_create,
    session_restore,
)
from s4b_bot.routing.route import (
    SESSION,
    ButtonRoute,
    CommandRoute,
    Option,
    Route,
    SessionButtonRoute,
)

ROUTES: tuple[Route, ...] = (
    CommandRoute(
        "sessions",
        "The upcoming sessions (`all` includes past ones).",
        browse.list_sessions,
        options=(Option("scope", "choice", "Which sessions", choices=("upcoming", "all")),),
    ),
    CommandRoute(
        "session",
        "One session in full: when, what it is about, and your registration.",
        browse.show_session,
        options=(SESSION,),
        example="/s4b session spring",
    ),
    SessionButtonRoute("session", browse.session_detail),
    CommandRoute(
        "timezone",
        "Show times in your own zone as well as Eastern (`off` clears it).",
        browse.set_timezone,
        options=(
            Option(
                "zone",
                "zone",
                "An IANA time zone such as America/Vancouver, or `off`",
                max_length=64,
                choices=(validate.OFF,),
            ),
        ),
        example="/s4b timezone America/Vancouver",
    ),
    CommandRoute(
        "session call",
        "Set a session's call link and dial-in details (shown only to its registrants).",
        call_details.set_call_details,
        options=(
            SESSION,
            Option(
                "details",
                "text",
                "The call link and dial-in details",
                required=True,
                max_length=1_000,
                label="Call details",
            ),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin session call spring https://zoom.us/j/123 (passcode 4567)",
    ),
    CommandRoute(
        "session add",
        "Add a one-hour session (time in Eastern unless it has an offset).",
        session_create.add_session,
        options=(
            Option(
                "when", "when", "The start, like 2026-04-28 13:00", required=True, max_length=40
            ),
            Option("title", "text", "The title", required=True, max_length=200),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin session add 2026-04-28 13:00 Belonging in Practice",
    ),
    CommandRoute(
        "session series",
        "Add recurring sessions: `quarterly`, `monthly`, or an RRULE (FREQ=...).",
        session_create.add_series,
        options=(
            Option(
                "first",
                "when",
                "The first start, like 2026-01-27 13:00",
                required=True,
                max_length=40,
            ),
            Option("rule", "text", "How it repeats", required=True, max_length=200),
            Option("title", "text", "The title", required=True, max_length=200),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin session series 2026-04-28 13:00 quarterly S4B 2026",
    ),
    CommandRoute(
        "session import",
        "Add the sessions of an attached .ics file.",
        session_create.import_sessions,
        options=(Option("file", "file", "An .ics file", required=True, accept=(".ics",)),),
        audience="organizer",
        audit="change",
    ),
    CommandRoute(
        "session reschedule",
        "Move a session; registrants get the updated invitation and reminders.",
        previews.reschedule,
        options=(
            SESSION,
            Option(
                "when",
                "when",
                "The new start, like 2025-05-06 13:00",
                required=True,
                max_length=40,
            ),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin session reschedule spring 2025-05-06 13:00",
    ),
    CommandRoute(
        "session cancel",
        "Cancel a session; registrants get a calendar cancellation.",
        previews.cancel,
        options=(SESSION, Option("reason", "text", "Why, for the members", max_length=300)),
        audience="organizer",
        audit="change",
    ),
    CommandRoute(
        "session capacity",
        "Limit a session's seats (`none` for no limit); a waitlist takes the rest.",
        previews.set_capacity,
        options=(
            SESSION,
            Option("seats", "text", "A number of seats, or `none`", required=True, max_length=10),
        ),
        audience="organizer",
        audit="change",
    ),
    ButtonRoute(previews.CONFIRM, previews.confirm, audience="organizer", audit="change"),
    ButtonRoute(previews.BACK, previews.back, audience="organizer", audit="none"),
    CommandRoute(
        "session restore",
        "Reopen a cancelled session; its former registrants can come back with one press.",
        session_restore.restore,
        options=(SESSION,),
        audience="organizer",
        audit="change",
        example="/s4b-admin session restore spring",
    ),
    CommandRoute(
        "announce",
        "Post a session's announcement with a Register button now.",
        session_admin.announce,
        options=(SESSION,),
        audience="organizer",
        audit="change",
    ),
)
