"""Sessions as members see them: which are upcoming, open, and which one a reference names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from s4b_bot.errors import NotFound, UserError
from s4b_bot.timefmt import format_date
from s4b_bot.words import clause
from storage.models import ProgrammeSession

_SEASON_WORDS = {
    "autumn": "fall",
    "yearend": "year-end",
    "year end": "year-end",
    "winter": "year-end",
}


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
        held_on = format_date(session.starts_at, session.timezone)
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


def resolve(sessions: Sequence[ProgrammeSession], ref: str, *, now: datetime) -> ProgrammeSession:
    """The one session `ref` names: by season, number, date or a unique part of the title."""
    text = _norm(ref).removeprefix("#")
    if not sessions:
        raise NotFound("There are no sessions in the programme yet.")
    current = current_series_id(sessions, now)

    def prefer_current(found: list[ProgrammeSession]) -> list[ProgrammeSession]:
        mine = [s for s in found if s.series_id == current]
        return mine or found

    candidates: list[ProgrammeSession]
    if text.isdigit():
        candidates = prefer_current([s for s in sessions if s.number == int(text)])
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        candidates = [s for s in sessions if format_date(s.starts_at, s.timezone) == text]
    else:
        word = text.removesuffix("session").strip(" -")
        season = _SEASON_WORDS.get(word.replace("-", " "), word)
        candidates = prefer_current([s for s in sessions if _norm(s.season) == season])
        if not candidates:
            candidates = [s for s in sessions if text in _norm(s.title)]
    if len(candidates) == 1:
        return candidates[0]
    listing = overview(candidates or sessions)
    shown = ref.strip() if len(ref.strip()) <= 60 else ref.strip()[:60] + "…"
    if not candidates:
        raise NotFound(f"No session matches {shown!r}. The sessions are:\n{listing}")
    raise UserError(
        f"{shown!r} matches {len(candidates)} sessions:\n{listing}\n"
        "Name one by its season, number or date."
    )


def overview(sessions: Sequence[ProgrammeSession]) -> str:
    return "\n".join(
        f"• {s.number} · {s.season} · {format_date(s.starts_at, s.timezone)} · {s.title}"
        for s in sessions
    )
