"""A session's summary as a web page: where it lives (plain or secret address), who may
see it, and its HTML. Only what the organizers wrote, with the session's title and date."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from s4b_bot.pages.markdown import render_markdown
from s4b_bot.pages.render import render_page
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_date
from storage.models import ProgrammeSession, Series, Summary

PATH = "/summaries/"
SECTIONS = (
    ("insights", "Insights"),
    ("recommendations", "Recommendations"),
    ("resources", "Resources"),
    ("collaboration", "Collaboration opportunities"),
)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    body: Markup


@dataclass(frozen=True)
class SummaryPage:
    """What the summary template shows: nothing about members, no call details."""

    series: str
    season: str
    title: str
    date: str
    attendance: str | None
    sections: tuple[Section, ...]
    updated: str
    public: bool


def ensure_token(summary: Summary) -> str:
    """The summary's secret page token, made on first need."""
    if summary.page_token is None:
        summary.page_token = secrets.token_urlsafe(24)
    return summary.page_token


def page_path(summary: Summary, session: ProgrammeSession) -> str:
    """The page's path: the plain one when public, the one with its token when unlisted."""
    plain = f"{PATH}{quote(session.series.key, safe='')}/{session.number}"
    return plain if summary.page_public else f"{plain}/{ensure_token(summary)}"


def page_url(summary: Summary, session: ProgrammeSession, settings: Settings) -> str | None:
    """The page's full address, or None when the bot's web server is not published."""
    if settings.http_port is None or not settings.public_url:
        return None
    return settings.public_url.rstrip("/") + page_path(summary, session)


def summary_page(summary: Summary, session: ProgrammeSession) -> SummaryPage:
    return SummaryPage(
        series=session.series.name,
        season=session.season,
        title=session.title,
        date=format_date(session.starts_at, session.timezone),
        attendance=summary.attendance,
        sections=tuple(
            Section(key, label, render_markdown(getattr(summary, key))) for key, label in SECTIONS
        ),
        updated=format_date(summary.updated_at, session.timezone),
        public=summary.page_public,
    )


def summary_html(summary: Summary, session: ProgrammeSession) -> str:
    return render_page("summary.html", page=summary_page(summary, session))


async def find_page(
    db: AsyncSession, series_key: str, number: int, token: str | None
) -> str | None:
    """The page's HTML for the address asked, or None (the same for missing and secret):
    the plain address only when public; with a token, only the summary's own token."""
    found = (
        await db.execute(
            select(Summary)
            .join(ProgrammeSession, Summary.session_id == ProgrammeSession.id)
            .join(Series, ProgrammeSession.series_id == Series.id)
            .where(Series.key == series_key, ProgrammeSession.number == number)
            .options(contains_eager(Summary.session).contains_eager(ProgrammeSession.series))
        )
    ).scalar_one_or_none()
    if found is None:
        return None
    summary, session = found, found.session
    if session.status == "cancelled":
        return None
    if token is None and not summary.page_public:
        return None
    if token is not None and not (
        summary.page_token and secrets.compare_digest(token, summary.page_token)
    ):
        return None
    return summary_html(summary, session)
