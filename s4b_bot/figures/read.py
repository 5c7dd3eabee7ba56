"""The figures of one series, or of the whole programme, read from the database: counts of
registrations, attendance, feedback ratings, ideas and votes; never who."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.figures.data import DayFigures, Figures, SessionFigures
from s4b_bot.programme.sessions import is_over
from storage.feedback import Feedback
from storage.models import Idea, ProgrammeSession, Registration, Series, Vote


def attendance_or_none(session: ProgrammeSession, attended: int, now: datetime) -> int | None:
    """How many attended, or None: "attendance not marked" for a session that is over (and
    not cancelled) with nobody marked."""
    if attended or not is_over(session, now) or session.status == "cancelled":
        return attended
    return None


def session_label(session: ProgrammeSession) -> str:
    """ "Spring 2025-04-29": a session on a chart's axis ("… (cancelled)" if it was)."""
    local = session.starts_at.astimezone(ZoneInfo(session.timezone))
    cancelled = " (cancelled)" if session.status == "cancelled" else ""
    return f"{session.season} {local:%Y-%m-%d}{cancelled}"


def ideas_of(series: Series, sessions: Sequence[ProgrammeSession]) -> ColumnElement[bool]:
    """Which ideas belong to `series` (whose sessions are `sessions`, at least one): its
    sessions' ideas, those carried to one, and those posted for no session while it ran."""
    ids = [s.id for s in sessions]
    unlinked = and_(
        Idea.session_id.is_(None),
        Idea.created_at >= series.created_at,
        Idea.created_at <= max(s.ends_at for s in sessions),
    )
    return or_(Idea.session_id.in_(ids), Idea.carried_to_id.in_(ids), unlinked)


async def read_figures(db: AsyncSession, now: datetime, series_id: int | None = None) -> Figures:
    """The figures of the series `series_id`, or of every series; days are dated in the
    first session's time zone."""
    in_series = ProgrammeSession.series_id == series_id if series_id is not None else true()
    sessions = (
        await db.scalars(
            select(ProgrammeSession)
            .where(in_series)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        )
    ).all()
    ids = [s.id for s in sessions]
    zone = ZoneInfo(sessions[0].timezone if sessions else "UTC")
    counts: Counter[tuple[int, str]] = Counter()
    for session_id, status, attended, count in await db.execute(
        select(
            Registration.session_id,
            Registration.status,
            Registration.attended.is_(True),
            func.count(),
        )
        .where(Registration.session_id.in_(ids))
        .group_by(Registration.session_id, Registration.status, Registration.attended.is_(True))
    ):
        counts[(session_id, status)] += count
        counts[(session_id, "attended")] += count if attended else 0
    ratings = {
        session_id: (float(average), int(count))
        for session_id, average, count in await db.execute(
            select(Feedback.session_id, func.avg(Feedback.rating), func.count())
            .where(Feedback.session_id.in_(ids))
            .group_by(Feedback.session_id)
        )
    }
    figures = tuple(
        SessionFigures(
            label=session_label(s),
            confirmed=counts[(s.id, "confirmed")],
            waitlisted=counts[(s.id, "waitlisted")],
            attended=attendance_or_none(s, counts[(s.id, "attended")], now),
            rating=ratings[s.id][0] if s.id in ratings else None,
            ratings=ratings[s.id][1] if s.id in ratings else 0,
        )
        for s in sessions
    )
    belongs: ColumnElement[bool] = true()
    if series_id is not None:
        series = await db.get(Series, series_id)
        if series is None or not sessions:
            return Figures()
        belongs = ideas_of(series, sessions)
    return Figures(sessions=figures, days=await _days(db, belongs, zone))


async def _days(
    db: AsyncSession, belongs: ColumnElement[bool], zone: ZoneInfo
) -> tuple[DayFigures, ...]:
    """Ideas posted and votes cast on them, per local date."""
    ideas = Counter[date](
        when.astimezone(zone).date()
        for when in await db.scalars(select(Idea.created_at).where(belongs))
    )
    votes = Counter[date](
        when.astimezone(zone).date()
        for when in await db.scalars(
            select(Vote.created_at).join(Idea, Idea.id == Vote.idea_id).where(belongs)
        )
    )
    return tuple(DayFigures(d, ideas[d], votes[d]) for d in sorted(ideas.keys() | votes.keys()))
