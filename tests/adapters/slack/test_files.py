"""Files with commands on Slack: a modal's file input, fetched with the bot token, through bolt.

Every request is signed and goes through the real bolt app; the file is served by the mock
Slack, which checks the token on files.info and on the private download address.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.app import SlackBot
from adapters.slack.config import SlackConfig
from adapters.slack.files import (
    FILE_BLOCK,
    UPLOAD_ACTION_ID,
    UPLOAD_CALLBACK_ID,
    Fetcher,
)
from adapters.slack.listeners import MSG_NOT_ORGANIZER
from s4b_bot import SettableClock, UserError
from s4b_bot.core import Core
from storage.models import AuditEntry, ProgrammeSession, Summary
from tests.adapters.slack.conftest import BOT_TOKEN
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    ADA,
    JO,
    action_body,
    block_text,
    command_body,
    dispatch,
    submission_body,
    valid_view,
)

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:x@test\r\nDTSTART:20261027T170000Z\r\nDTEND:20261027T180000Z\r\n"
    b"SUMMARY:Belonging \xe2\x80\x9cat home\xe2\x80\x9d \xf0\x9f\x8f\xa1\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
SUMMARY_MD = (
    "# Spring\n\n## Insights\nBelonging starts with being asked 🙂.\n\n"
    "## Recommendations\nOpen with “names and neighbourhoods”.\n\n"
    "## Resources\nThe toolkit.\n\n## Collaboration opportunities\nLibraries & gardens.\n"
).encode()
AFTER_SPRING = datetime(2025, 4, 29, 19, tzinfo=UTC)


async def organizer_types(slack: SlackBot, mock: MockSlack, text: str, user: Any = JO) -> None:
    body = command_body(text, user=user, command="/s4b-admin", response_url=mock.response_url())
    response = await dispatch(slack, body)
    assert response.status == 200 and response.body == ""
    await slack.settled()


async def opened_view(slack: SlackBot, mock: MockSlack, text: str) -> dict[str, Any]:
    """The modal a command opened, as Slack holds it (with its view id)."""
    await organizer_types(slack, mock, text)
    [call] = mock.to("views.open")
    view: dict[str, Any] = call.args["view"]
    valid_view(view)  # slack_sdk's models, FileInputElement included
    mock.clear()
    return {**view, "id": "V0UPLOAD", "hash": "h"}


async def submit(slack: SlackBot, view: dict[str, Any], files: list[dict[str, Any]]) -> Any:
    response = await dispatch(slack, submission_body(view, {FILE_BLOCK: files}, user=JO))
    await slack.settled()
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


async def sessions(core: Core) -> list[str]:
    async with core.db.transaction() as db:
        return list((await db.scalars(select(ProgrammeSession.title))).all())


async def audit_targets(core: Core) -> list[str]:
    async with core.db.transaction() as db:
        return [f"{a.action} {a.target}" for a in (await db.scalars(select(AuditEntry))).all()]


async def test_import_opens_a_file_input_at_once_and_imports_the_file_sent(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    before = await sessions(sqlite_core)
    view = await opened_view(slack, mock_slack, "session import")
    assert view["callback_id"] == UPLOAD_CALLBACK_ID
    assert json.loads(view["private_metadata"]) == {"root": "s4b-admin", "text": "session import"}
    [block] = [b for b in view["blocks"] if b["type"] == "input"]
    assert block["block_id"] == FILE_BLOCK and "optional" not in block  # Slack requires it
    assert block["element"] == {
        "type": "file_input",
        "action_id": FILE_BLOCK,
        "max_files": 1,
        "filetypes": ["ics"],
    }
    assert "at most 1,000,000 bytes" in block["hint"]["text"]
    assert await sessions(sqlite_core) == before, "nothing runs before the file comes"

    file = mock_slack.add_file("next-year.ics", ICS, mimetype="text/calendar")
    body = await submit(slack, view, [file])
    [info] = mock_slack.to("files.info")
    assert info.args["file"] == file["id"] and info.token == BOT_TOKEN
    [download] = mock_slack.to("download")
    assert download.token == f"Bearer {BOT_TOKEN}"
    assert body["response_action"] == "update"
    shown = block_text(body["view"])
    assert "Imported 1 session" in shown and "Belonging “at home” 🏡" in shown
    assert await sessions(sqlite_core) == [*before, "Belonging “at home” 🏡"]
    assert any(t.startswith("session import 1 session") for t in await audit_targets(sqlite_core))


async def test_a_file_of_the_wrong_kind_is_refused_under_the_field_unread(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    before = await sessions(sqlite_core)
    view = await opened_view(slack, mock_slack, "session import")
    file = mock_slack.add_file("programme.pdf", b"%PDF-1.7", mimetype="application/pdf")
    body = await submit(slack, view, [file])
    assert body["response_action"] == "errors"
    error = body["errors"][FILE_BLOCK]
    assert "“programme.pdf” is not an .ics file (its name must end in .ics)" in error
    assert not mock_slack.to("download"), "not downloaded"
    assert await sessions(sqlite_core) == before


async def test_a_file_too_large_is_refused_before_and_while_reading(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    before = await sessions(sqlite_core)
    view = await opened_view(slack, mock_slack, "session import")
    big = mock_slack.add_file("big.ics", ICS + b" " * 1_000_000, mimetype="text/calendar")
    body = await submit(slack, view, [big])
    assert "That file is too large (1,000," in body["errors"][FILE_BLOCK]
    assert not mock_slack.to("download"), "refused on files.info's size, before any byte"

    # Should files.info ever say less, the download's length refuses it before reading…
    liar = mock_slack.add_file("liar.ics", ICS + b" " * 2_000_000, size=len(ICS))
    body = await submit(slack, view, [liar])
    assert "That file is too large (2,000," in body["errors"][FILE_BLOCK]
    # … and with no length announced, the read stops at the limit.
    stream = mock_slack.add_file("stream.ics", ICS + b" " * 2_000_000, size=1, chunked=True)
    body = await submit(slack, view, [stream])
    assert "over 1,000,000 bytes" in body["errors"][FILE_BLOCK]
    assert await sessions(sqlite_core) == before


async def test_without_files_read_the_organizer_is_told_which_scope_is_missing(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    mock_slack.scopes.discard("files:read")
    view = await opened_view(slack, mock_slack, "session import")
    file = mock_slack.add_file("next-year.ics", ICS, mimetype="text/calendar")
    body = await submit(slack, view, [file])
    error = body["errors"][FILE_BLOCK]
    assert "missing_scope" in error and "files:read" in error


async def test_the_token_goes_only_to_slack_and_a_sign_in_page_is_not_a_file(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    fetcher = slack.handlers.uploads.fetcher
    assert fetcher.trusted("https://files.slack.com/files-pri/T0S4B-F1/download/a.ics")
    assert not fetcher.trusted("http://files.slack.com/files-pri/T0S4B-F1/download/a.ics")
    assert not fetcher.trusted("https://files.slack.com.example.org/a.ics")
    assert not fetcher.trusted("https://example.org/a.ics")
    file = mock_slack.add_file("next-year.ics", ICS, mimetype="text/calendar")
    assert await fetcher.download(file["url_private_download"]) == ICS
    stranger = AsyncWebClient(token="xoxb-another-app", base_url=mock_slack.api_url)
    with pytest.raises(UserError, match="a sign-in page instead of the file"):
        await Fetcher(stranger, slack.config).download(file["url_private_download"])


async def test_a_summary_opens_its_form_with_a_button_to_send_a_file_instead(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    clock.set(AFTER_SPRING)
    form = await opened_view(slack, mock_slack, "summary spring")
    assert form["callback_id"] == "s4b:form", "the form stays the first choice"
    button = form["blocks"][0]["accessory"]
    assert button["action_id"] == UPLOAD_ACTION_ID
    assert "Or send a Markdown file with the four headings instead." in block_text(form)

    pressed = action_body(
        UPLOAD_ACTION_ID, user=JO, where="modal", view=form, value=button["value"]
    )
    response = await dispatch(slack, pressed)
    await slack.settled()
    assert response.status == 200
    [update] = mock_slack.to("views.update")
    assert update.args["view_id"] == "V0MODAL" and update.args["hash"] == "h"
    upload = update.args["view"]
    valid_view(upload)
    assert upload["callback_id"] == UPLOAD_CALLBACK_ID
    assert upload["title"]["text"] == form["title"]["text"] == "Spring summary"
    element = upload["blocks"][-1]["element"]
    assert element["filetypes"] == ["md", "markdown", "txt"]
    mock_slack.clear()

    file = mock_slack.add_file("spring.md", SUMMARY_MD, mimetype="text/markdown")
    body = await submit(slack, {**upload, "id": "V0MODAL"}, [file])
    assert "posted" in block_text(body["view"])
    async with sqlite_core.db.transaction() as db:
        summary = await db.scalar(select(Summary))
        assert summary is not None
        assert summary.recommendations == "Open with “names and neighbourhoods”."
        assert summary.collaboration == "Libraries & gardens."
    assert "summary posted session:1 (Spring 2025-04-29)" in await audit_targets(sqlite_core)


async def test_a_member_gets_no_file_input_and_a_forged_upload_is_refused_unread(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    before = await sessions(sqlite_core)
    await organizer_types(slack, mock_slack, "session import", user=ADA)
    assert not mock_slack.to("views.open")
    [reply] = mock_slack.to("respond")
    assert block_text(reply.args["blocks"]).startswith(MSG_NOT_ORGANIZER[:40])

    view = await opened_view(slack, mock_slack, "session import")  # Jo's modal…
    file = mock_slack.add_file("next-year.ics", ICS, mimetype="text/calendar")
    response = await dispatch(slack, submission_body(view, {FILE_BLOCK: [file]}, user=ADA))
    await slack.settled()
    assert MSG_NOT_ORGANIZER[:40] in block_text(json.loads(response.body)["view"])
    assert not mock_slack.to("files.info") and not mock_slack.to("download")
    assert await sessions(sqlite_core) == before


async def test_a_slow_download_holds_the_modal_then_shows_the_answer_or_the_error(
    tight_budgets: SlackConfig, slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core
) -> None:
    view = await opened_view(slack, mock_slack, "session import")
    mock_slack.delay["files.info"] = slack.config.submit_budget + 0.3
    wrong = mock_slack.add_file("programme.pdf", b"%PDF-1.7", mimetype="application/pdf")
    body = await submit(slack, view, [wrong])
    assert body["response_action"] == "update"  # "Reading…": Slack's 3 s come first
    assert "Reading your file, one moment" in block_text(body["view"])
    [again] = mock_slack.to("views.update")
    assert again.args["view_id"] == "V0UPLOAD"
    redrawn = again.args["view"]
    valid_view(redrawn)
    assert redrawn["callback_id"] == UPLOAD_CALLBACK_ID, "the same modal, to pick another file"
    assert "“programme.pdf” is not an .ics file" in block_text(redrawn)
    mock_slack.clear()

    file = mock_slack.add_file("next-year.ics", ICS, mimetype="text/calendar")
    await submit(slack, view, [file])
    [done] = mock_slack.to("views.update")
    assert "Imported 1 session" in block_text(done.args["view"])


@pytest.mark.parametrize("name", ["manifest.json", "manifest.http.json"])
def test_the_manifests_ask_for_files_read_which_a_file_input_needs(name: str) -> None:
    manifest = json.loads((Path(__file__).parents[3] / "adapters" / "slack" / name).read_text())
    assert "files:read" in manifest["oauth_config"]["scopes"]["bot"]


async def test_a_member_pressing_send_a_file_gets_no_file_input(
    slack: SlackBot, mock_slack: MockSlack, clock: SettableClock
) -> None:
    clock.set(AFTER_SPRING)
    form = await opened_view(slack, mock_slack, "summary spring")
    value = form["blocks"][0]["accessory"]["value"]
    pressed = action_body(UPLOAD_ACTION_ID, user=ADA, where="modal", view=form, value=value)
    await dispatch(slack, pressed)
    await slack.settled()
    [update] = mock_slack.to("views.update")
    assert update.args["view"].get("callback_id") != UPLOAD_CALLBACK_ID
    assert MSG_NOT_ORGANIZER[:40] in block_text(update.args["view"])
