"""The catalogue of every command the bot offers, on every platform."""

from __future__ import annotations

from s4b_bot import validate
from s4b_bot.calendar import commands as calendar_cmd
from s4b_bot.conversation import audit, ideas, moderation, summaries
from s4b_bot.people import help as info
from s4b_bot.people import linking, privacy, stats
from s4b_bot.programme import browse, session_admin, session_create
from s4b_bot.programme import call_details as admin
from s4b_bot.registration import form as registration
from s4b_bot.registration import roster
from s4b_bot.reminders import commands as reminders
from s4b_bot.routing.catalogue import Catalogue, Command, Option

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
        Command(
            "reminders",
            "Turn your reminders off or on, or choose when they come (e.g. `1d,1h`).",
            reminders.set_reminders,
            options=(
                Option("setting", "text", "`off`, `on`, or times like `7d,1d,1h`", max_length=40),
            ),
            example="/s4b reminders 1d,1h",
        ),
        Command(
            "calendar",
            "All the sessions as a calendar file (without call details).",
            calendar_cmd.series_calendar,
        ),
        Command(
            "calendar feed",
            "Your personal calendar feed link (`reset` replaces it).",
            calendar_cmd.calendar_feed,
            options=(
                Option("action", "choice", "`reset` to replace the link", choices=("reset",)),
            ),
        ),
        Command(
            "summary",
            "A session's one-page summary (the latest by default).",
            summaries.show_summary,
            options=(Option("session", "session", "A session"),),
            example="/s4b summary spring",
        ),
        Command(
            "idea",
            "Share an idea to carry the conversation on between sessions.",
            ideas.submit_idea,
            options=(
                Option(
                    "text",
                    "text",
                    "Your idea",
                    required=True,
                    max_length=ideas.MAX_IDEA,
                    label="Your idea",
                ),
                Option("session", "session", "The session it is about", keyword_only=True),
            ),
            example="/s4b idea A shared map of local belonging projects --session summer",
        ),
        Command(
            "ideas",
            "The ideas with their votes and status: `top`, `new` or `mine`.",
            ideas.list_ideas,
            options=(
                Option(
                    "order", "choice", "Which ideas, in which order", choices=("top", "new", "mine")
                ),
            ),
        ),
        Command(
            "report",
            "Tell the organizers an idea breaks the guidelines (`/s4b values`).",
            moderation.report,
            options=(
                Option("idea", "text", "The idea's number", required=True, max_length=12),
                Option(
                    "reason",
                    "text",
                    "What is wrong",
                    required=True,
                    max_length=moderation.MAX_REASON,
                ),
            ),
            example="/s4b report 12 personal attack",
        ),
        Command(
            "help",
            "The organizer commands.",
            info.show_help,
            options=(Option("command", "text", "A command to explain", max_length=60),),
            audience="organizer",
            audit="none",
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
                    label="Call details",
                ),
            ),
            audience="organizer",
            audit="change",
            example="/s4b-admin session call spring https://zoom.us/j/123 (passcode 4567)",
        ),
        Command(
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
        Command(
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
        Command(
            "session import",
            "Add the sessions of an attached .ics file.",
            session_create.import_sessions,
            options=(Option("file", "file", "An .ics file", required=True),),
            audience="organizer",
            audit="change",
        ),
        Command(
            "session reschedule",
            "Move a session; registrants get the updated invitation and reminders.",
            session_admin.reschedule,
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
        Command(
            "session cancel",
            "Cancel a session; registrants get a calendar cancellation.",
            session_admin.cancel,
            options=(SESSION, Option("reason", "text", "Why, for the members", max_length=300)),
            audience="organizer",
            audit="change",
        ),
        Command(
            "session capacity",
            "Limit a session's seats (`none` for no limit); a waitlist takes the rest.",
            session_admin.set_capacity,
            options=(
                SESSION,
                Option(
                    "seats", "text", "A number of seats, or `none`", required=True, max_length=10
                ),
            ),
            audience="organizer",
            audit="change",
        ),
        Command(
            "reminders",
            "This community's reminder times (`default` restores the configured ones).",
            reminders.set_community_reminders,
            options=(
                Option("setting", "text", "Times like `7d,1d,1h`, or `default`", max_length=40),
            ),
            audience="organizer",
            audit="change",
            example="/s4b-admin reminders 3d,2h",
        ),
        Command(
            "announce",
            "Post a session's announcement with a Register button now.",
            session_admin.announce,
            options=(SESSION,),
            audience="organizer",
            audit="change",
        ),
        Command(
            "roster",
            "Who registered for a session, and the waitlist (private, with a CSV).",
            roster.roster,
            options=(SESSION,),
            audience="organizer",
            audit="export",
        ),
        Command(
            "deliveries",
            "What the bot sent, and what it could not deliver.",
            roster.deliveries,
            audience="organizer",
            audit="export",
        ),
        Command(
            "summary",
            "Post or edit a session's summary: a form, or attach a Markdown file.",
            summaries.start_summary,
            options=(SESSION, Option("file", "file", "A Markdown file with the four headings")),
            audience="organizer",
            audit="change",
            example="/s4b-admin summary spring",
        ),
        Command(
            "summary export",
            "A session's summary as a one-page Markdown file.",
            summaries.export_summary,
            options=(SESSION,),
            audience="organizer",
            audit="none",
        ),
        Command(
            "summary pin",
            "Pin a session's summary in the summaries channel.",
            summaries.pin_summary,
            options=(SESSION,),
            audience="organizer",
            audit="change",
        ),
        Command(
            "idea",
            "Move an idea along: open, review, carry <session>, done, hide [reason], merge <idea>.",
            ideas.change_status,
            options=(
                Option("idea", "text", "The idea's number", required=True, max_length=12),
                Option(
                    "action",
                    "choice",
                    "What to do",
                    required=True,
                    choices=("open", "review", "carry", "done", "hide", "merge"),
                ),
                Option(
                    "detail",
                    "text",
                    "The session, the idea it duplicates, or a reason",
                    max_length=300,
                ),
            ),
            audience="organizer",
            audit="change",
            example="/s4b-admin idea 12 carry summer",
        ),
        Command(
            "queue",
            "The moderation queue: open reports.",
            moderation.queue,
            audience="organizer",
            audit="none",
        ),
        Command(
            "resolve",
            "Resolve a report: `dismiss`, or `hide` the idea.",
            moderation.resolve_report,
            options=(
                Option("report", "text", "The report's number", required=True, max_length=12),
                Option(
                    "decision", "choice", "What to do", required=True, choices=("dismiss", "hide")
                ),
                Option("note", "text", "Why", max_length=300),
            ),
            audience="organizer",
            audit="change",
        ),
        Command(
            "thread",
            "Lock, unlock or archive the discussion of `idea <n>` or `summary <session>`.",
            moderation.thread_action,
            options=(
                Option(
                    "action",
                    "choice",
                    "What to do",
                    required=True,
                    choices=("lock", "unlock", "archive"),
                ),
                Option(
                    "target", "text", "`idea 12` or `summary spring`", required=True, max_length=60
                ),
            ),
            audience="organizer",
            audit="change",
        ),
        Command(
            "audit",
            "The audit log: who did what, when and why.",
            audit.show_audit,
            audience="organizer",
            audit="none",
        ),
        *privacy.COMMANDS,
        *linking.COMMANDS,
        *stats.COMMANDS,
    ]
)
