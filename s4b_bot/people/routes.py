"""The people's routes: help and the programme's texts, one's own data (export, forget),
linking accounts, and the organizers' numbers and attendance."""

from __future__ import annotations

from s4b_bot.people import help as info
from s4b_bot.people import linking, privacy, stats
from s4b_bot.routing.route import SESSION, ButtonRoute, CommandRoute, Option, Route

HELP_OPTIONS = (Option("command", "text", "A command to explain", max_length=60),)

ROUTES: tuple[Route, ...] = (
    CommandRoute(
        "help",
        "What I can do, or how to use one command.",
        info.show_help,
        options=HELP_OPTIONS,
        example="/s4b help register",
    ),
    CommandRoute(
        "about",
        "What the Strategy for Belonging Working Group is, and who should join.",
        info.show_about,
    ),
    CommandRoute("values", "Our values: the community guidelines.", info.show_values),
    CommandRoute("contact", "Who to ask about the working group.", info.show_contact),
    CommandRoute(
        "help",
        "The organizer commands.",
        info.show_help,
        options=HELP_OPTIONS,
        audience="organizer",
        audit="none",
    ),
    CommandRoute(
        "my-data", "Everything I store about you, as a file only you see.", privacy.my_data
    ),
    CommandRoute(
        "forget-me",
        "Erase your registrations and settings; your ideas and votes stay, without your name.",
        privacy.forget_me,
        options=(
            Option(
                "confirm", "choice", "`confirm` to erase without the button", choices=("confirm",)
            ),
        ),
    ),
    ButtonRoute(privacy.FORGET, privacy.confirm_forget),
    CommandRoute(
        "link",
        "Link your Slack and Discord accounts: get a code here, type it there.",
        linking.link,
        options=(Option("code", "text", "The code from your other account", max_length=20),),
        example="/s4b link K7M2QX",
    ),
    CommandRoute(
        "link here",
        "Send your reminders and direct messages to the account you type this on.",
        linking.link_here,
    ),
    CommandRoute("unlink", "Undo the link between your accounts.", linking.unlink),
    CommandRoute(
        "stats",
        "Registrations, attendance, reminders, ideas and reports, in numbers and charts.",
        stats.stats,
        audience="organizer",
        audit="none",
    ),
    CommandRoute(
        "attendance",
        "Mark who attended a session: roster numbers, names (comma- or semicolon-separated), "
        "or `all`.",
        stats.attendance,
        options=(
            SESSION,
            Option(
                "names",
                "text",
                "Who attended: roster numbers (1 3), names split by , or ; "
                "(quote a name with a comma), or all",
                required=True,
                max_length=stats.MAX_NAMES,
            ),
        ),
        audience="organizer",
        audit="change",
        example="/s4b-admin attendance spring Ada Lovelace, Ben Okafor",
    ),
)
