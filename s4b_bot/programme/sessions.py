"""Sessions as members see them: which are upcoming, open, and which one a reference names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from s4b_bot.errors import NotFound, UserError
from s4b_bot.limits import clip
from s4b_bot.timefmt import format_date, format_day, format_span_and_utc
from s4b_bot.words import clause
from storage.models import ProgrammeSession

MAX_TITLE = 200
"""A session's title, however it is added (typed, or imported from an .ics file)."""
_SEASON_WORDS = {"autumn": "fall", "yearend": "year end"}


def is_over(session: ProgrammeSession, now: datetime) -> bool:
    return session.status == "held" or session.ends_at <= now


def is_open(session: ProgrammeSession, now: datetime) -> bool:
    """Open for registration: not cancelled and not yet started."""
    return session.status != "cancelled" and session.starts_at > now


def closed_reason(session: ProgrammeSession, now: datetime) -> str:
    label = session.season
    if session.status == "cancelled":
        note = f" ({clause(session.status_note)})" if session.status_note else ""
        return f"The {label} session was cancelled{note}, so registration is closed."
    if is_over(session, now):
        held_on = format_day(session.starts_at, session.timezone)
        return f"The {label} session took place on {held_on}; registration is closed."
    return f"The {label} session has already started; registration is closed."


def current_series_id(sessions: Sequence[ProgrammeSession], now: datetime) -> int | None:
    """The series of the next session to come, else of the most recent one."""
    upcoming = [s for s in sessions if not is_over(s, now) and s.status != "cancelled"]
    if upcoming:
        return min(upcoming, key=lambda s: s.starts_at).series_id
    return max(sessions, key=lambda s: s.starts_at).series_id if sessions else None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A season word with a year before or after it: "spring 2026", "2026 spring", "year-end-2026".
_WITH_YEAR = re.compile(r"(?:(?P<before>\d{4})[ -]+)?(?P<word>.+?)(?:[ -]+(?P<after>\d{4}))?")


def _local_year(session: ProgrammeSession) -> int:
    return session.starts_at.astimezone(ZoneInfo(session.timezone)).year


def _season_key(text: str) -> str:
    """A season as compared: "Year-End", "year end" and "yearend session" are one."""
    word = _norm(text.replace("-", " ")).removesuffix("session").strip()
    return _SEASON_WORDS.get(word, word)


def _matches(sessions: Sequence[ProgrammeSession], ref: str) -> list[ProgrammeSession]:
    """Every session `ref` names, whenever it is: by number, date, season (with an optional
    year) or a part of the title."""
    text = _norm(ref).removeprefix("#")
    if text.isascii() and text.isdigit():  # not "²", which int() refuses
        return [s for s in sessions if s.number == int(text)]
    if _DATE.fullmatch(text):
        return [s for s in sessions if format_date(s.starts_at, s.timezone) == text]
    parts = _WITH_YEAR.fullmatch(text)
    assert parts is not None  # the word part matches any non-empty text
    year_text = parts["after"] or parts["before"]
    year = int(year_text) if year_text else None
    season = _season_key(parts["word"])
    by_season = [
        s
        for s in sessions
        if _season_key(s.season) == season and (year is None or _local_year(s) == year)
    ]
    return by_season or [s for s in sessions if text in _norm(s.title)]


def resolve(sessions: Sequence[ProgrammeSession], ref: str, *, now: datetime) -> ProgrammeSession:
    """The one session `ref` names. When it names several, the one still ahead (not over,
    not cancelled) is meant; if none or several are ahead, the reference is refused with
    the candidates, each with a reference of its own."""
    if not sessions:
        raise NotFound("There are no sessions in the programme yet.")
    found = _matches(sessions, ref)
    ahead = [s for s in found if s.status != "cancelled" and not is_over(s, now)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1 and len(ahead) == 1:
        return ahead[0]
    shown = clip(ref.strip(), 61)
    if not found:
        raise NotFound(
            f"No session matches {shown!r}. The sessions are:\n{overview(sessions, sessions)}"
        )
    raise UserError(
        f"{shown!r} matches {len(found)} sessions:\n{overview(found, sessions)}\n"
        "Name one as listed: by its season and year, number or date."
    )


def reference(session: ProgrammeSession, sessions: Sequence[ProgrammeSession]) -> str:
    """What to type to name `session` among `sessions`, now and later: its season if no
    other session has it, else season and year (one word: `spring-2026`, so it fits any
    option), else its number, else its date."""
    season = _norm(session.season).replace(" ", "-")
    date = format_date(session.starts_at, session.timezone)
    for ref in (season, f"{season}-{_local_year(session)}", str(session.number), date):
        if _matches(sessions, ref) == [session]:
            return ref
    return str(session.number)


def overview(
    shown: Sequence[ProgrammeSession],
    sessions: Sequence[ProgrammeSession],
    *,
    times: bool = False,
) -> str:
    """One line a session: its reference among `sessions`, when (the date, or with `times`
    the hour in its zone and in UTC) and its title."""
    lines = []
    for s in shown:
        ref = reference(s, sessions)
        when = (
            format_span_and_utc(s.starts_at, s.ends_at, s.timezone)
            if times
            else format_date(s.starts_at, s.timezone)
        )
        lines.append(f"• {ref} · {when} · {s.title}" if ref != when else f"• {when} · {s.title}")
    return "\n".join(lines)
