"""The figures the charts draw, as plain data: counts per session and per day, no names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SessionFigures:
    """One session's counts. `attended` is None where attendance was not marked for a
    session that is over; `rating` is the average feedback rating (1-5), None without any."""

    label: str
    confirmed: int
    waitlisted: int
    attended: int | None
    rating: float | None = None
    ratings: int = 0
    """How many feedback answers the average is of."""


@dataclass(frozen=True)
class DayFigures:
    """How many ideas were posted and votes cast on one day (not cumulative)."""

    day: date
    ideas: int
    votes: int


@dataclass(frozen=True)
class Figures:
    """A programme's figures: its sessions in time order and its active days in date order."""

    sessions: tuple[SessionFigures, ...] = ()
    days: tuple[DayFigures, ...] = ()

    @property
    def rated(self) -> tuple[SessionFigures, ...]:
        """The sessions with feedback ratings."""
        return tuple(s for s in self.sessions if s.rating is not None)
