"""The year in review through the core: the page model (each session with its summary, the
ideas with votes and status, the figures and the stats charts with their alt texts), nothing
personal in it, the command's reply and multi-page PDF, its audit entry, and who may open
the page (unlisted by default, public, reset); on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.figures import attendance_alt, ideas_alt, ratings_alt, read_figures
from s4b_bot.pages import review as review_module
from s4b_bot.pages.review import year_review
from storage.models import AuditEntry, Series
from storage.review_pages import ReviewPage
from tests.feedback.test_results import three_answers
from tests.figures.test_read import ideas_on_two_days
from tests.helpers import confirmed, flat, register, reply_text
from tests.pages.fixture import REAL_SUMMARY
from tests.pages.test_summary_pages import ADA, BASE, JO, post_summary, publish

TITLES = (
    "Cultivating Belonging: A Foundation for Leadership",
    "Investing in Belonging: The Role of Social Infrastructure",
    "Enabling Policies for Belonging",
    "Building on Our Momentum",
)
PERSONAL = ("Ada", "Mary", "Ben", "Cy ", "ada@example.org", "breakout rooms", "Mary's story")


async def a_year(core: Core, clock: SettableClock) -> None:
    """Three ideas (one carried, one done, one hidden), three registrants who gave feedback
    (texts with a name in one), one marked as attending, and the Spring summary."""
    await ideas_on_two_days(core, clock)
    await three_answers(core, clock)
    await confirmed(core, JO, "attendance spring Ada")
    await confirmed(core, JO, "idea 1 carry summer")
    await confirmed(core, JO, "idea 2 done")
    await confirmed(core, JO, "idea 3 hide off topic")
    await post_summary(core)


async def review(core: Core, text: str = "review s4b-2025") -> str:
    return flat(reply_text(await core.run_text(JO, "s4b-admin", text)))


async def test_the_page_model_holds_each_session_the_ideas_and_the_figures(
    core: Core, clock: SettableClock
) -> None:
    await a_year(core, clock)
    async with core.db.transaction() as db:
        series = await db.scalar(select(Series))
        assert series is not None
        page = await year_review(db, series, clock.now(), public=False)
        figures = await read_figures(db, clock.now(), series.id)
    assert [s.title for s in page.sessions] == list(TITLES)
    assert [s.state for s in page.sessions] == ["held", "to come", "to come", "to come"]
    spring = page.sessions[0]
    assert [s.title for s in spring.sections] == [
        "Insights",
        "Recommendations",
        "Resources",
        "Collaboration opportunities",
    ]
    assert "Belonging starts with being asked" in spring.sections[0].body
    assert spring.attendance == REAL_SUMMARY["attendance"]
    assert all(not s.sections for s in page.sessions[1:])
    [carried, done] = page.ideas
    assert carried.title == "Carried to a session" and done.title == "Done"
    [circles] = carried.ideas
    assert circles.text == "Monthly belonging circles at the library"
    assert (circles.up, circles.down, circles.status) == (2, 0, "Carried to the Summer session")
    assert [(i.number, i.up) for i in done.ideas] == [(2, 1)]
    assert page.set_aside == 1  # the hidden idea is counted, not shown
    assert dict(page.facts) == {
        "Sessions": "1 held of 4",
        "Registrations": "3",
        "Attendance (where marked)": "1",
        "Ideas": "3",
        "Votes": "4",
        "Feedback": "4.0 of 5 from 3 answers",
    }
    assert [c.alt for c in page.charts] == [
        attendance_alt(figures.sessions),
        ideas_alt(figures.days),
        ratings_alt(figures.rated),
    ]
    assert all(c.src.startswith("data:image/svg+xml;base64,") for c in page.charts)


async def test_the_reply_links_the_unlisted_page_and_attaches_a_pdf_of_every_session(
    core: Core, clock: SettableClock
) -> None:
    publish(core)
    await a_year(core, clock)
    outcome = await core.run_text(JO, "s4b-admin", "review s4b-2025")
    text = flat(reply_text(outcome))
    async with core.db.transaction() as db:
        page = await db.scalar(select(ReviewPage))
        assert page is not None and not page.public
        token = page.token
        [entry] = (await db.scalars(select(AuditEntry))).all()[-1:]
    assert f"unlisted: only its secret link opens it: {BASE}/reviews/s4b-2025/{token}" in text
    assert (entry.action, entry.target) == ("review exported", "series:1 (s4b-2025)")
    assert outcome.reply is not None
    [pdf] = outcome.reply.attachments
    assert pdf.filename == "review-s4b-2025.pdf" and pdf.mime == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) > 1 and f"a PDF of {len(reader.pages)} pages" in text
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for title in TITLES:
        assert title in words, title
    assert "Monthly belonging circles" in words and "Translation help" in words


async def test_nothing_personal_is_on_the_page(core: Core, clock: SettableClock) -> None:
    await a_year(core, clock)
    await review(core)
    async with core.db.transaction() as db:
        token = await db.scalar(select(ReviewPage.token))
    assert token is not None
    html = await core.review_page("s4b-2025", token)
    assert html is not None and "Tea after every session" not in html  # hidden
    for private in PERSONAL:
        assert private not in html, private
    assert "Registrations and attendance per session: Spring 2025-04-29: 3 confirmed" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


async def test_unlisted_by_default_then_public_unlisted_and_reset(
    core: Core, clock: SettableClock
) -> None:
    publish(core)
    assert await core.review_page("s4b-2025", None) is None  # never made: nothing to show
    await review(core)
    async with core.db.transaction() as db:
        first = await db.scalar(select(ReviewPage.token))
    assert first is not None and len(first) == 32
    assert await core.review_page("s4b-2025", None) is None
    assert await core.review_page("s4b-2025", first) is not None
    assert await core.review_page("s4b-2025", "A" * 32) is None
    assert await core.review_page("s4b-2026", first) is None

    said = await review(core, "review s4b-2025 public")
    assert f"is public: anyone with its plain address can read it: {BASE}/reviews/s4b-2025" in said
    assert await core.review_page("s4b-2025", None) is not None
    await review(core, "review s4b-2025 unlisted")
    assert await core.review_page("s4b-2025", None) is None

    said = await review(core, "review s4b-2025 reset")
    fresh = re.search(r"/reviews/s4b-2025/([\w-]{32})", said)
    assert fresh is not None and fresh.group(1) != first and "the old one no longer" in said
    assert await core.review_page("s4b-2025", first) is None
    assert await core.review_page("s4b-2025", fresh.group(1)) is not None
    async with core.db.transaction() as db:
        actions = (await db.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert actions == ["review exported", "review public", "review unlisted", "review reset"]


async def test_by_name_and_wrong_input(core: Core, clock: SettableClock) -> None:
    said = await review(core, 'review "S4B Working Group 2025"')
    assert "S4B Working Group 2025: the year in review, as a PDF of" in said
    assert "not available here: this bot does not publish web pages" in said  # not published
    said = await review(core, "review s4b-2024")
    assert said == "There is no series 's4b-2024'. The series: `s4b-2025` (S4B Working Group 2025)."
    said = await review(core, "review s4b-2025 everyone")
    assert "'everyone' is not an option here" in said
    member = flat(reply_text(await core.run_text(ADA, "s4b-admin", "review s4b-2025")))
    assert "Only organizers" in member
    async with core.db.transaction() as db:
        assert (await db.scalars(select(AuditEntry.action))).all() == ["review exported"]


async def test_the_charts_are_drawn_again_only_when_the_figures_change(
    core: Core, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[int] = []
    real = review_module.attendance_chart

    def counting(*args: object, **kwargs: object) -> bytes:
        drawn.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(review_module, "attendance_chart", counting)
    review_module._charts.cache_clear()
    await review(core)
    async with core.db.transaction() as db:
        token = await db.scalar(select(ReviewPage.token))
    assert token is not None
    first = await core.review_page("s4b-2025", token)
    assert await core.review_page("s4b-2025", token) == first and len(drawn) == 1
    await register(core, ADA, "spring")
    again = await core.review_page("s4b-2025", token)
    assert again is not None and again != first and len(drawn) == 2
