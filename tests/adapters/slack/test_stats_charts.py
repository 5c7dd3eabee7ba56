"""`/s4b-admin stats` on Slack, through the real bolt app: the charts are uploaded (the
files.getUploadURLExternal → upload → files.completeUploadExternal flow) into the
organizer's DM, each with its alt text for screen readers."""

from __future__ import annotations

from adapters.slack.app import SlackBot
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import JO, block_text
from tests.adapters.slack.test_commands import replies, run
from tests.figures.test_charts import decoded


async def test_stats_upload_the_charts_with_their_alt_text(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await run(slack, mock_slack, "idea Tea after every session ☕")
    mock_slack.clear()
    await run(slack, mock_slack, "stats", user=JO, command="/s4b-admin")
    # The reply goes by response_url, or (a core slower than the trigger budget: the first
    # chart imports matplotlib, on a busy machine) into the "Loading…" modal it opened.
    responses = [block_text(r["blocks"]) for r in replies(mock_slack)]
    modals = [block_text(c.args["view"]["blocks"]) for c in mock_slack.to("views.update")]
    [text] = responses or modals
    assert "The programme in numbers, with charts:" in text
    if responses:
        assert "I sent stats-attendance.png, stats-ideas.png to our direct messages" in text

    urls = mock_slack.to("files.getUploadURLExternal")
    assert [u.args["filename"] for u in urls] == ["stats-attendance.png", "stats-ideas.png"]
    attendance, ideas = (u.args["alt_txt"] for u in urls)
    assert attendance.startswith(
        "Registrations and attendance per session: "
        "Spring 2025-04-29: 0 confirmed, 0 waitlisted, 0 attended;"
    )
    assert ideas.startswith("Ideas and votes over time, 1 idea and 0 votes in all: 2025-04-01")
    for url, content in zip(urls, mock_slack.uploads.values(), strict=True):
        assert decoded(content) == (450, 800) and int(url.args["length"]) == len(content)
    [done] = mock_slack.to("files.completeUploadExternal")
    assert mock_slack.to("conversations.open")[0].args["users"] == JO[0]
    assert done.args["channel_id"].startswith("D")  # the organizer's DM
    assert [f["title"] for f in done.args["files"]] == ["stats-attendance.png", "stats-ideas.png"]


async def test_a_file_that_is_no_picture_carries_no_alt_text(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    await run(slack, mock_slack, "calendar")
    [url] = mock_slack.to("files.getUploadURLExternal")
    assert "alt_txt" not in url.args


async def test_the_mock_refuses_an_upload_url_without_filename_or_length(
    mock_slack: MockSlack,
) -> None:
    assert mock_slack._files_getUploadURLExternal({"length": "3"}) == {
        "ok": False,
        "error": "invalid_arguments",
    }
    assert mock_slack._files_getUploadURLExternal({"filename": "a.png"})["ok"] is False
