"""Each chart's alt text: one sentence with the numbers, for screen readers (Slack's alt
text, Discord's attachment description, an HTML page's `alt`)."""

from __future__ import annotations

from collections.abc import Sequence

from s4b_bot.figures.data import DayFigures, SessionFigures
from s4b_bot.limits import clip
from s4b_bot.words import plural

ALT_MAX = 1_000
"""Discord takes 1,024 characters of description; Slack's alt text is kept as short."""


def _sentence(title: str, parts: Sequence[str], noun: str) -> str:
    """ "Title: a; b; c." in at most ALT_MAX characters: the first parts that fit, then how
    many more `noun`s there are."""
    text = f"{title}: {'; '.join(parts)}."
    shown = len(parts)
    while len(text) > ALT_MAX and shown > 1:
        shown -= 1
        more = plural(len(parts) - shown, f"more {noun}")
        text = f"{title}: {'; '.join(parts[:shown])}; and {more}."
    return clip(text, ALT_MAX)


def attendance_alt(sessions: Sequence[SessionFigures]) -> str:
    """ "Registrations and attendance per session: Spring 2025-04-29: 12 confirmed, ..."."""
    parts = []
    for s in sessions:
        came = "attendance not marked" if s.attended is None else f"{s.attended} attended"
        parts.append(f"{s.label}: {s.confirmed} confirmed, {s.waitlisted} waitlisted, {came}")
    return _sentence("Registrations and attendance per session", parts, "session")


def ideas_alt(days: Sequence[DayFigures]) -> str:
    """The totals and the dates they grew on."""
    ideas = votes = 0
    parts = []
    for d in days:
        ideas, votes = ideas + d.ideas, votes + d.votes
        parts.append(f"{d.day.isoformat()}: {plural(ideas, 'idea')}, {plural(votes, 'vote')}")
    if days:
        head = (
            f"Ideas and votes over time, {plural(ideas, 'idea')} and {plural(votes, 'vote')} in all"
        )
    else:
        head = "Ideas and votes over time"
    return _sentence(head, parts or ["none yet"], "day")


def ratings_alt(sessions: Sequence[SessionFigures]) -> str:
    """Each rated session's average and how many answers it is of."""
    parts = [
        f"{s.label}: {s.rating or 0:.1f} of 5 from {plural(s.ratings, 'answer')}" for s in sessions
    ]
    return _sentence("Average feedback rating per session", parts or ["no feedback yet"], "session")
