"""The calendar's routes: the series as a file, a personal feed, and "Add to calendar"."""

from __future__ import annotations

from s4b_bot.calendar import commands
from s4b_bot.routing.route import CommandRoute, Option, Route, SessionButtonRoute

ROUTES: tuple[Route, ...] = (
    CommandRoute(
        "calendar",
        "All the sessions as a calendar file (without call details).",
        commands.series_calendar,
    ),
    CommandRoute(
        "calendar feed",
        "Your personal calendar feed link (`reset` replaces it).",
        commands.calendar_feed,
        options=(Option("action", "choice", "`reset` to replace the link", choices=("reset",)),),
    ),
    SessionButtonRoute("calendar", commands.session_invitation),
)
