"""The year in review on Discord: `/s4b-admin review <series>` attaches the PDF to the reply
with the page's address; `public` opens the plain address; an unknown series lists them."""

from __future__ import annotations

import io

from pypdf import PdfReader

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.adapters.discord.conftest import feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord
from tests.adapters.discord.test_summary_pages import organizer
from tests.pages.helpers import BASE, spring_summary_posted
from tests.pages.test_review import TITLES


async def test_the_review_pdf_is_attached_with_the_page_address(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    await spring_summary_posted(sqlite_core, clock)
    made = organizer("review", {"series": "s4b-2025"})
    await feed(bot, made)
    [sent] = [r for r in followups(mock, made) if r.files]
    [pdf] = sent.files
    assert pdf.filename == "review-s4b-2025.pdf" and pdf.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.data))
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert all(title in words for title in TITLES)
    assert f"{BASE}/reviews/s4b-2025/" in visible_text(followups(mock, made))

    public = organizer("review", {"series": "s4b-2025", "visibility": "public"})
    await feed(bot, public)
    assert f"{BASE}/reviews/s4b-2025" in visible_text(followups(mock, public))
    assert await sqlite_core.review_page("s4b-2025", None) is not None

    unknown = organizer("review", {"series": "s4b-2024"})
    await feed(bot, unknown)
    said = visible_text(followups(mock, unknown))
    assert "There is no series 's4b-2024'" in said and "`s4b-2025`" in said
    assert not [r for r in followups(mock, unknown) if r.files]
