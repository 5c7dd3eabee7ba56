"""Summary pages on Slack: `/s4b-admin summary export <session> pdf` uploads the one-page
PDF, and `/s4b summary` carries the page's address."""

from __future__ import annotations

from adapters.slack.app import SlackBot
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import JO, block_text
from tests.adapters.slack.test_commands import replies, run
from tests.pages.helpers import BASE, one_page_with_the_summary, spring_summary_posted


async def test_the_pdf_export_is_uploaded_and_the_summary_links_its_page(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    await spring_summary_posted(sqlite_core, clock)
    await run(slack, mock_slack, "summary export spring pdf", user=JO, command="/s4b-admin")
    [url] = mock_slack.to("files.getUploadURLExternal")
    assert url.args["filename"] == "summary-spring-2025-04-29.pdf"
    [content] = mock_slack.uploads.values()
    assert content.startswith(b"%PDF") and int(url.args["length"]) == len(content)
    one_page_with_the_summary(content)

    await run(slack, mock_slack, "summary spring")
    shown = block_text(replies(mock_slack)[-1]["blocks"])
    assert f"{BASE}/summaries/s4b-2025/1/" in shown

    await run(slack, mock_slack, "summary export spring docx", user=JO, command="/s4b-admin")
    refused = block_text(replies(mock_slack)[-1]["blocks"])
    assert "docx" in refused and "pdf" in refused
    assert len(mock_slack.to("files.getUploadURLExternal")) == 1
