"""The reminders' routes: a member's own reminder times, and the community's."""

from __future__ import annotations

from s4b_bot.reminders import commands
from s4b_bot.routing.route import CommandRoute, Option, Route

ROUTES: tuple[Route, ...] = (
    CommandRoute(
        "reminders",
        "Turn your reminders off or on, or choose when they come (e.g. `1d,1h`).",
        commands.set_reminders,
        options=(
            Option("setting", "text", "`off`, `on`, or times like `7d,1d,1h`", max_length=40),
        ),
        example="/s4b reminders 1d,1h",
    ),
    CommandRoute(
        "reminders",
        "This community's reminder times (`default` restores the configured ones).",
        commands.set_community_reminders,
        options=(Option("setting", "text", "Times like `7d,1d,1h`, or `default`", max_length=40),),
        audience="organizer",
        audit="change",
        example="/s4b-admin reminders 3d,2h",
    ),
)
