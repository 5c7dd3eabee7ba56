"""A summary's web page through the core: its address in the post and the notice, public or
unlisted, safe Markdown, nothing personal, edits shown at once, and the one-page PDF export."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from pypdf import PdfReader
from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.pages.markdown import render_markdown
from s4b_bot.pages.pdf import page_pdf
from s4b_bot.pages.summary import SECTIONS, summary_html
from storage.models import AuditEntry, ProgrammeSession, Series, Summary
from tests.fakes import RecordingPlatform
from tests.helpers import flat, reply_text
from tests.pages.fixture import REAL_SUMMARY

ADA = Actor("console", "local", "ada", "Ada Lovelace")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
AFTER_SPRING = datetime(2025, 4, 29, 19, tzinfo=UTC)
BASE = "https://s4b.example.org"


async def say(core: Core, actor: Actor, text: str) -> str:
    root, _, rest = text.partition(" ")
    return flat(reply_text(await core.run_text(actor, root.lstrip("/"), rest)))


async def post_summary(core: Core, **overrides: str) -> None:
    opened = await core.run_text(JO, "s4b-admin", "summary spring")
    assert opened.form is not None
    outcome = await core.submit(FormSubmission(JO, opened.form.id, {**REAL_SUMMARY, **overrides}))
    assert not outcome.field_errors


async def token_of(core: Core) -> str:
    async with core.db.transaction() as db:
        summary = await db.scalar(select(Summary))
        assert summary is not None and summary.page_token is not None
        return summary.page_token


def publish(core: Core) -> None:
    core.settings.http_port = 8080
    core.settings.public_url = BASE + "/"


async def test_the_post_and_the_notice_link_to_the_unlisted_page(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    publish(core)
    values = {"name": "Ada Lovelace", "about": "x", "sessions": ("1",), "consent": True}
    await core.submit(FormSubmission(ADA, "register", values))
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/secret")
    clock.set(AFTER_SPRING)
    await post_summary(core)
    await dispatcher.drain()
    token = await token_of(core)
    secret = f"{BASE}/summaries/s4b-2025/1/{token}"
    [post] = [p for p in platform.posts() if p.to == "summaries"]
    assert secret in post.text and "//summaries" not in post.text
    [notice] = [d.text for d in platform.dms_to("ada") if "summary of the Spring" in d.text]
    assert secret in notice

    page = await core.summary_page("s4b-2025", 1, token)
    assert page is not None
    assert "Spring session: Cultivating Belonging" in page and "2025-04-29" in page
    assert "Belonging starts with being asked" in page and "38 participants" in page
    for private in ("Ada", "Lovelace", "call.example", "Jo"):
        assert private not in page, private
    assert await core.summary_page("s4b-2025", 1, None) is None  # unlisted by default
    assert await core.summary_page("s4b-2025", 1, "x" * 32) is None
    assert await core.summary_page("s4b-2025", 2, token) is None
    assert await core.summary_page("nope", 1, token) is None

    await post_summary(core, insights="A revised insight, after the thread's comments.")
    page = await core.summary_page("s4b-2025", 1, token)
    assert page is not None and "A revised insight" in page and "being asked" not in page


async def test_organizers_make_the_page_public_unlisted_or_relinked(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    publish(core)
    clock.set(AFTER_SPRING)
    await post_summary(core)
    await dispatcher.drain()
    token = await token_of(core)
    shown = await say(core, JO, "/s4b-admin summary page spring")
    assert "unlisted (secret link)" in shown and f"/summaries/s4b-2025/1/{token}" in shown

    made = await say(core, JO, "/s4b-admin summary page spring public")
    assert "is public" in made and made.endswith(f"{BASE}/summaries/s4b-2025/1")
    assert await core.summary_page("s4b-2025", 1, None) is not None
    assert await core.summary_page("s4b-2025", 1, token) is not None
    await dispatcher.drain()
    edit = [p for p in platform.posts() if p.to == "summaries"][-1]
    assert edit.ref is not None  # the post is edited in place, to the plain address
    assert re.search(rf"{BASE}/summaries/s4b-2025/1(?![/\w])", edit.text)
    assert token not in edit.text

    hidden = await say(core, JO, "/s4b-admin summary page spring unlisted")
    assert "only its secret link" in hidden
    assert await core.summary_page("s4b-2025", 1, None) is None

    relinked = await say(core, JO, "/s4b-admin summary page spring reset")
    assert "old one no longer works" in relinked
    assert await core.summary_page("s4b-2025", 1, token) is None
    assert await core.summary_page("s4b-2025", 1, await token_of(core)) is not None

    async with core.db.transaction() as db:
        actions = list(await db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-3:] == ["summary page public", "summary page unlisted", "summary page reset"]

    async with core.db.transaction() as db:
        before = await db.scalar(select(Summary))
        assert before is not None
        state = (before.page_public, before.page_token, before.version)
    wrong = await say(core, JO, "/s4b-admin summary page spring everyone")
    assert "'everyone' is not an option here" in wrong and "`public`" in wrong
    assert "has not taken place yet" in await say(core, JO, "/s4b-admin summary page summer")
    assert "Only organizers" in await say(core, ADA, "/s4b-admin summary page spring public")
    assert "Spring summary's page is unlisted" in await say(
        core, JO, "/s4b-admin summary page spring"
    )
    async with core.db.transaction() as db:
        after = await db.scalar(select(Summary))
        assert after is not None and (after.page_public, after.page_token, after.version) == state
        assert len(list(await db.scalars(select(AuditEntry)))) == len(actions)


async def test_without_a_public_url_the_post_says_there_is_no_page(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    clock.set(AFTER_SPRING)
    await post_summary(core)
    await dispatcher.drain()
    [post] = [p for p in platform.posts() if p.to == "summaries"]
    assert (
        "web page is not available here" in post.text
        and "http" not in post.text.split("Attendance")[0]
    )
    assert "/summaries/" not in post.text


async def test_the_pdf_export_is_one_page_with_the_summary_and_markdown_stays(
    core: Core, clock: SettableClock
) -> None:
    clock.set(AFTER_SPRING)
    assert "no summary yet" in await say(core, JO, "/s4b-admin summary export spring pdf")
    await post_summary(core)
    outcome = await core.run_text(JO, "s4b-admin", "summary export spring pdf")
    assert outcome.reply is not None
    [pdf] = outcome.reply.attachments
    assert (pdf.filename, pdf.mime) == ("summary-spring-2025-04-29.pdf", "application/pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for words in (
        "Cultivating Belonging",
        "Insights",
        "Collaboration opportunities",
        "belonging hosts",
        "Translation help",
        "38 participants",
    ):
        assert words in text, words

    for markdown in ("summary export spring", "summary export spring md"):
        [md] = (await core.run_text(JO, "s4b-admin", markdown)).reply.attachments  # type: ignore[union-attr]
        assert md.mime == "text/markdown" and b"## Insights" in md.content
    long = "Belonging grows where people are asked what they bring. " * 50
    await post_summary(core, **{key: long for key, _ in SECTIONS})
    overlong = await say(core, JO, "/s4b-admin summary export spring pdf")
    assert "The Spring summary as a PDF of 2 pages: shorten it for one." in overlong
    wrong = await say(core, JO, "/s4b-admin summary export spring docx")
    assert "'docx' is not an option here; use one of `md` or `pdf`." in wrong


def test_markdown_is_rendered_safely() -> None:
    html = str(
        render_markdown(
            "<script>alert(1)</script> **bold** [bad](javascript:alert(1)) "
            "[ok](https://e.org/a?b=1&c=2) [mail](mailto:a@e.org) [ftp](ftp://e.org) "
            '![img](https://tracker.example/p.png) <img src=x onerror="x">\n\n# Not a heading'
        )
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x" in html  # no image is ever fetched
    assert "<strong>bold</strong>" in html
    assert 'href="javascript' not in html and 'href="ftp' not in html
    assert 'href="https://e.org/a?b=1&amp;c=2"' in html and 'href="mailto:a@e.org"' in html
    assert "<h1>" not in html and "<p># Not a heading</p>" in html


def test_a_long_summary_shrinks_onto_one_page_and_an_overlong_one_still_prints() -> None:
    long = "Belonging grows where people are asked what they bring. " * 22  # ~1,250 each
    summary = Summary(
        **{key: long for key, _ in SECTIONS}, attendance="40", page_public=True, version=1
    )
    summary.updated_at = AFTER_SPRING
    session = ProgrammeSession(
        number=1, season="Spring", title="Cultivating Belonging", timezone="America/Toronto"
    )
    session.starts_at = AFTER_SPRING
    session.series = Series(key="s4b-2025", name="S4B Working Group 2025")
    html = summary_html(summary, session)
    pdf, pages = page_pdf(html)
    assert pages == len(PdfReader(io.BytesIO(pdf)).pages) == 1

    summary.insights = summary.recommendations = long * 2  # the form's 3,000 characters
    summary.resources = summary.collaboration = long * 2
    pdf, pages = page_pdf(summary_html(summary, session))
    assert pages == len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert "updated 2025-04-29" in PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
