"""A series' year in review as a web page: every session with its summary, the ideas carried
between sessions and where they stand, and the figures as charts. It counts people and never
lists them: no names, no emails, no feedback answers; ideas appear without their authors.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from s4b_bot.conversation.ideas import STATUS_LABELS, scores
from s4b_bot.figures import (
    Figures,
    attendance_alt,
    attendance_chart,
    data_uri,
    ideas_alt,
    ideas_chart,
    ideas_of,
    ratings_alt,
    ratings_chart,
    read_figures,
)
from s4b_bot.pages.render import render_page
from s4b_bot.pages.summary import Section, summary_page
from s4b_bot.programme.sessions import is_over
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_date
from s4b_bot.words import plural
from storage.models import Idea, ProgrammeSession, Series, Summary
from storage.review_pages import ReviewPage

PATH = "/reviews/"
IDEA_ORDER = ("carried", "done", "review", "open")
"""The ideas shown, in this order; hidden and merged ones are only counted."""


@dataclass(frozen=True)
class SessionEntry:
    number: int
    season: str
    title: str
    date: str
    state: str
    """ "held", "cancelled" or "to come"."""
    attendance: str | None
    sections: tuple[Section, ...]
    """The summary's sections; none without a summary."""


@dataclass(frozen=True)
class IdeaEntry:
    number: int
    text: str
    up: int
    down: int
    status: str


@dataclass(frozen=True)
class IdeaGroup:
    title: str
    ideas: tuple[IdeaEntry, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    alt: str
    src: str


@dataclass(frozen=True)
class YearReview:
    """What the review template shows: counts, never who."""

    series: str
    made: str
    public: bool
    facts: tuple[tuple[str, str], ...]
    sessions: tuple[SessionEntry, ...]
    ideas: tuple[IdeaGroup, ...]
    set_aside: int
    """Hidden or merged ideas: counted, not shown."""
    charts: tuple[Chart, ...]


async def review_page_of(db: AsyncSession, series: Series) -> ReviewPage:
    """The series' review page settings, made unlisted with a fresh token on first need."""
    page = await db.get(ReviewPage, series.id)
    if page is None:
        page = ReviewPage(series_id=series.id, public=False, token=secrets.token_urlsafe(24))
        db.add(page)
        await db.flush()
    return page


def review_path(series: Series, page: ReviewPage) -> str:
    plain = f"{PATH}{quote(series.key, safe='')}"
    return plain if page.public else f"{plain}/{page.token}"


def review_url(series: Series, page: ReviewPage, settings: Settings) -> str | None:
    """The page's full address, or None when the bot's web server is not published."""
    if settings.http_port is None or not settings.public_url:
        return None
    return settings.public_url.rstrip("/") + review_path(series, page)


def _entry(session: ProgrammeSession, summary: Summary | None, now: datetime) -> SessionEntry:
    state = "cancelled" if session.status == "cancelled" else "held"
    if state == "held" and not is_over(session, now):
        state = "to come"
    shown = summary_page(summary, session) if summary and state == "held" else None
    return SessionEntry(
        number=session.number,
        season=session.season,
        title=session.title,
        date=format_date(session.starts_at, session.timezone),
        state=state,
        attendance=shown.attendance if shown else None,
        sections=shown.sections if shown else (),
    )


async def _ideas(
    db: AsyncSession, series: Series, sessions: Sequence[ProgrammeSession]
) -> tuple[tuple[IdeaGroup, ...], int]:
    if not sessions:
        return (), 0
    ideas = (await db.scalars(select(Idea).where(ideas_of(series, sessions)))).all()
    votes = await scores(db, [i.id for i in ideas])
    seasons = {s.id: s.season for s in sessions}
    groups = []
    for status in IDEA_ORDER:
        entries = []
        for idea in ideas:
            if idea.status != status:
                continue
            up, down = votes.get(idea.id, (0, 0))
            label = STATUS_LABELS[status]
            if status == "carried" and idea.carried_to_id in seasons:
                label = f"Carried to the {seasons[idea.carried_to_id]} session"
            entries.append(IdeaEntry(idea.id, idea.text, up, down, label))
        entries.sort(key=lambda e: (e.down - e.up, e.number))
        if entries:
            groups.append(IdeaGroup(STATUS_LABELS[status], tuple(entries)))
    return tuple(groups), sum(1 for i in ideas if i.status not in IDEA_ORDER)


def _facts(figures: Figures, sessions: Sequence[SessionEntry]) -> tuple[tuple[str, str], ...]:
    held = sum(1 for s in sessions if s.state == "held")
    marked = [f.attended for f in figures.sessions if f.attended is not None]
    answers = sum(f.ratings for f in figures.sessions)
    rated = sum((f.rating or 0) * f.ratings for f in figures.sessions)
    facts = [
        ("Sessions", f"{held} held of {len(sessions)}"),
        ("Registrations", str(sum(f.confirmed for f in figures.sessions))),
        ("Attendance (where marked)", str(sum(m for m in marked if m))),
        ("Ideas", str(sum(d.ideas for d in figures.days))),
        ("Votes", str(sum(d.votes for d in figures.days))),
    ]
    if answers:
        facts.append(("Feedback", f"{rated / answers:.1f} of 5 from {plural(answers, 'answer')}"))
    return tuple(facts)


@lru_cache(maxsize=16)
def _charts(figures: Figures) -> tuple[Chart, ...]:
    """The `/s4b-admin stats` charts, as SVG in the page, with the same alt texts; drawn
    again only when the figures change (a public page may be opened often)."""
    charts = []
    if figures.sessions:
        svg = attendance_chart(figures.sessions, "svg")
        alt = attendance_alt(figures.sessions)
        charts.append(Chart("Registrations and attendance", alt, data_uri(svg, "svg")))
    if figures.days:
        svg = ideas_chart(figures.days, "svg")
        charts.append(Chart("Ideas and votes", ideas_alt(figures.days), data_uri(svg, "svg")))
    if figures.rated:
        svg = ratings_chart(figures.rated, "svg")
        charts.append(Chart("Feedback", ratings_alt(figures.rated), data_uri(svg, "svg")))
    return tuple(charts)


async def year_review(
    db: AsyncSession, series: Series, now: datetime, *, public: bool
) -> YearReview:
    """The page model of `series` as it stands at `now`."""
    sessions = (
        await db.scalars(
            select(ProgrammeSession)
            .where(ProgrammeSession.series_id == series.id)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
            .options(selectinload(ProgrammeSession.series))
        )
    ).all()
    summaries = {
        s.session_id: s
        for s in await db.scalars(
            select(Summary).where(Summary.session_id.in_([s.id for s in sessions]))
        )
    }
    entries = tuple(_entry(s, summaries.get(s.id), now) for s in sessions)
    ideas, set_aside = await _ideas(db, series, sessions)
    figures = await read_figures(db, now, series_id=series.id)
    return YearReview(
        series=series.name,
        made=format_date(now, sessions[0].timezone if sessions else series.timezone),
        public=public,
        facts=_facts(figures, entries),
        sessions=entries,
        ideas=ideas,
        set_aside=set_aside,
        charts=await asyncio.to_thread(_charts, figures),  # CPU: off the event loop
    )


async def review_html(db: AsyncSession, series: Series, now: datetime, *, public: bool) -> str:
    return render_page("review.html", page=await year_review(db, series, now, public=public))


async def find_review(
    db: AsyncSession, series_key: str, token: str | None, now: datetime
) -> str | None:
    """The review's HTML for the address asked, or None (the same for missing and secret):
    the plain address only when public; with a token, only the series' own token."""
    series = await db.scalar(select(Series).where(Series.key == series_key))
    page = await db.get(ReviewPage, series.id) if series else None
    if series is None or page is None:
        return None
    if token is None and not page.public:
        return None
    if token is not None and not secrets.compare_digest(token, page.token):
        return None
    return await review_html(db, series, now, public=page.public)
