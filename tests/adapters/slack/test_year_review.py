"""The year in review on Slack: `/s4b-admin review <series>` uploads the PDF and replies
with the page's address; an unknown series is refused with the list, and nothing uploads."""

from __future__ import annotations

import io

from pypdf import PdfReader

from adapters.slack.app import SlackBot
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import ADA, JO, block_text
from tests.adapters.slack.test_commands import replies, run
from tests.pages.helpers import BASE, spring_summary_posted
from tests.pages.test_review import TITLES


async def test_the_review_pdf_is_uploaded_with_the_page_address(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    await spring_summary_posted(sqlite_core, clock)
    await run(slack, mock_slack, "review s4b-2025", user=JO, command="/s4b-admin")
    [url] = mock_slack.to("files.getUploadURLExternal")
    assert url.args["filename"] == "review-s4b-2025.pdf"
    [content] = mock_slack.uploads.values()
    assert content.startswith(b"%PDF") and int(url.args["length"]) == len(content)
    reader = PdfReader(io.BytesIO(content))
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert all(title in words for title in TITLES)
    # The reply goes by response_url, or (a core slower than the trigger budget: the charts
    # and the PDF take a moment on a busy machine) into the "Loading…" modal it opened.
    responses = [block_text(r["blocks"]) for r in replies(mock_slack)]
    modals = [block_text(c.args["view"]["blocks"]) for c in mock_slack.to("views.update")]
    [shown] = responses or modals
    if responses:
        assert "I sent review-s4b-2025.pdf to our direct messages" in shown
    [done] = mock_slack.to("files.completeUploadExternal")
    assert done.args["channel_id"].startswith("D")  # the organizer's DM
    assert f"{BASE}/reviews/s4b-2025/" in shown

    await run(slack, mock_slack, "review s4b-2024", user=JO, command="/s4b-admin")
    refused = block_text(replies(mock_slack)[-1]["blocks"])
    assert "There is no series 's4b-2024'" in refused and "`s4b-2025`" in refused
    await run(slack, mock_slack, "review s4b-2025", user=ADA, command="/s4b-admin")
    assert "is for the working group's organizers" in block_text(replies(mock_slack)[-1]["blocks"])
    assert len(mock_slack.to("files.getUploadURLExternal")) == 1
