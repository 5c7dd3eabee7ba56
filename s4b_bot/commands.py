"""The catalogue of every command the bot offers, on every platform."""

from __future__ import annotations

from s4b_bot import admin, browse, info, registration
from s4b_bot.catalogue import Catalogue, Command, Option

SESSION = Option(
    "session", "session", "A session: its season, number, date or part of its title", required=True
)

CATALOGUE = Catalogue(
    [
        Command(
            "help",
            "What I can do, or how to use one command.",
            info.show_help,
            options=(Option("command", "text", "A command to explain", max_length=60),),
            example="/s4b help register",
        ),
        Command(
            "about",
            "What the Strategy for Belonging Working Group is, and who should join.",
            info.show_about,
        ),
        Command("values", "Our values: the community guidelines.", info.show_values),
        Command("contact", "Who to ask about the working group.", info.show_contact),
        Command(
            "sessions",
            "The upcoming sessions (`all` includes past ones).",
            browse.list_sessions,
            options=(Option("scope", "choice", "Which sessions", choices=("upcoming", "all")),),
        ),
        Command(
            "session",
            "One session in full: when, what it is about, and your registration.",
            browse.show_session,
            options=(SESSION,),
            example="/s4b session spring",
        ),
        Command(
            "register",
            "Register through a short form, for one session, several or all.",
            registration.start_registration,
            options=(
                Option(
                    "session", "session", "A session to register for, or `all`", choices=("all",)
                ),
            ),
            example="/s4b register spring",
        ),
        Command(
            "unregister",
            "Cancel your registration for one session, or `all`.",
            registration.unregister,
            options=(
                Option(
                    "session", "session", "A session, or `all`", required=True, choices=("all",)
                ),
            ),
            example="/s4b unregister summer",
        ),
        Command("mine", "The sessions you registered for.", registration.my_registrations),
        Command(
            "timezone",
            "Show times in your own zone as well as Eastern.",
            browse.set_timezone,
            options=(
                Option(
                    "zone", "zone", "An IANA time zone such as America/Vancouver", max_length=64
                ),
            ),
            example="/s4b timezone America/Vancouver",
        ),
        Command(
            "help",
            "The organizer commands.",
            info.show_help,
            options=(Option("command", "text", "A command to explain", max_length=60),),
            audience="organizer",
        ),
        Command(
            "session call",
            "Set a session's call link and dial-in details (shown only to its registrants).",
            admin.set_call_details,
            options=(
                SESSION,
                Option(
                    "details",
                    "text",
                    "The call link and dial-in details",
                    required=True,
                    max_length=1_000,
                ),
            ),
            audience="organizer",
            example="/s4b-admin session call spring https://zoom.us/j/123 (passcode 4567)",
        ),
    ]
)
