"""The dispatcher's port on Slack against the mock Web API: DMs, files, posts, 429s, pacing."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.errors import PermanentFailure, RetryLater
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Attachment, Message
from s4b_bot.ports import Recipient
from storage.models import OutboxMessage
from tests.adapters.slack.conftest import ANNOUNCEMENTS
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import block_text, valid_blocks

ADA = Actor("slack", "T0S4B", "U0ADA", "Ada")
JO = Actor("slack", "T0S4B", "U0JO", "Jo", is_organizer=True)
RECIPIENT = Recipient("T0S4B", "U0ADA", "Ada")
VALUES: dict[str, FormValue] = {
    "name": "Ada",
    "about": "Neighbour",
    "email": "ada@example.org",
    "sessions": ("1", "2"),
    "consent": True,
}


def dispatcher(core: Core, slack: SlackBot, clock: SettableClock) -> Dispatcher:
    core.settings.dispatch_rate = {"slack": 1_000.0}  # the adapter paces; tests need no wait
    return Dispatcher(
        core.db, platforms={"slack": slack.platform}, clock=clock, settings=core.settings
    )


async def outbox_rows(core: Core, kind: str) -> list[OutboxMessage]:
    async with core.db.transaction() as db:
        return list(
            (await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))).all()
        )


async def test_the_invitation_is_a_dm_with_its_ics_files(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    assert not (await sqlite_core.submit(FormSubmission(ADA, "register", VALUES))).field_errors
    await dispatcher(sqlite_core, slack, clock).drain()
    [opened] = mock_slack.to("conversations.open")
    assert opened.args == {"users": "U0ADA"}
    [dm] = mock_slack.to("chat.postMessage")
    assert dm.args["channel"] == "D0ADA"
    valid_blocks(dm.args["blocks"])
    assert "calendar invitations" in dm.args["text"] and "<!date^" in block_text(dm.args["blocks"])
    names = [c.args["filename"] for c in mock_slack.to("files.getUploadURLExternal")]
    assert names == [
        "s4b-spring-2025-04-29.ics",
        "s4b-summer-2025-06-24.ics",
        "s4b-all-my-sessions.ics",
    ]
    assert all(b"METHOD:REQUEST" in f for f in list(mock_slack.uploads.values())[:2])
    [done] = mock_slack.to("files.completeUploadExternal")
    assert done.args["channel_id"] == "D0ADA" and len(done.args["files"]) == 3
    assert [r.status for r in await outbox_rows(sqlite_core, "invitation")] == ["sent"]


async def test_a_429_is_retried_after_retry_after(slack: SlackBot, mock_slack: MockSlack) -> None:
    mock_slack.fail("chat.postMessage", status=429, retry_after=1)
    await slack.platform.send_dm(RECIPIENT, Message.plain("Hello"))
    first, second = mock_slack.to("chat.postMessage")
    assert second.at - first.at >= 1.0  # Slack's Retry-After, honoured by the client


async def test_a_500_is_retried_by_the_client(slack: SlackBot, mock_slack: MockSlack) -> None:
    mock_slack.fail("conversations.open", status=500, error="internal_error")
    await slack.platform.send_dm(RECIPIENT, Message.plain("Hello"))
    assert len(mock_slack.to("conversations.open")) == 2
    assert len(mock_slack.to("chat.postMessage")) == 1


async def test_a_lasting_429_goes_back_to_the_outbox_with_slacks_delay(
    sqlite_core: Core, slack_config: SlackConfig, mock_slack: MockSlack, clock: SettableClock
) -> None:
    slack = build_slack(sqlite_core, slack_config.model_copy(update={"rate_limit_retries": 0}))
    mock_slack.fail("chat.postMessage", status=429, retry_after=120)
    with pytest.raises(RetryLater) as caught:
        await slack.platform.send_dm(RECIPIENT, Message.plain("Hello"))
    assert caught.value.delay == 120

    mock_slack.fail("chat.postMessage", status=429, retry_after=120)
    await sqlite_core.submit(FormSubmission(ADA, "register", VALUES))
    await dispatcher(sqlite_core, slack, clock).drain()
    [row] = await outbox_rows(sqlite_core, "invitation")
    assert row.status == "pending" and row.attempts == 1 and "rate limit" in str(row.last_error)
    assert row.due_at.replace(tzinfo=clock.now().tzinfo) >= clock.now() + timedelta(seconds=120)


@pytest.mark.parametrize("error", ["cannot_dm_bot", "user_not_found", "account_inactive"])
async def test_permanent_errors_are_not_retried(
    slack: SlackBot, mock_slack: MockSlack, error: str
) -> None:
    mock_slack.fail("conversations.open", error=error)
    with pytest.raises(PermanentFailure, match=error):
        await slack.platform.send_dm(RECIPIENT, Message.plain("Hello"))
    assert len(mock_slack.to("conversations.open")) == 1


async def test_announcements_post_with_a_register_button_and_a_ref(
    slack: SlackBot, mock_slack: MockSlack, sqlite_core: Core, clock: SettableClock
) -> None:
    await sqlite_core.run_text(JO, "s4b-admin", "announce spring")
    await dispatcher(sqlite_core, slack, clock).drain()
    [post] = mock_slack.to("chat.postMessage")
    assert post.args["channel"] == ANNOUNCEMENTS
    valid_blocks(post.args["blocks"])
    buttons = [e for b in post.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"action_id": "s4b:register:1", "style": "primary"}.items() <= buttons[0].items()

    assert post.result is not None
    posted = f"{ANNOUNCEMENTS}:{post.result['ts']}"
    ref = await slack.platform.post("T0S4B", "announcements", Message.plain("Edited"), ref=posted)
    assert ref == posted
    [edit] = mock_slack.to("chat.update")
    assert edit.args["ts"] == post.result["ts"] and edit.args["text"] == "Edited"
    shown = mock_slack.messages[(ANNOUNCEMENTS, post.result["ts"])]
    assert shown["text"] == "Edited" and "Register" not in str(shown["blocks"])
    with pytest.raises(PermanentFailure, match="message_not_found"):
        await slack.platform.post(
            "T0S4B", "announcements", Message.plain("Edited"), ref=f"{ANNOUNCEMENTS}:1.000001"
        )


async def test_a_post_can_open_its_discussion_thread(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    ref = await slack.platform.post(
        "T0S4B", "summaries", Message.plain("Summary"), thread_title="Discuss <it>"
    )
    channel, ts = str(ref).split(":")
    post, thread = mock_slack.to("chat.postMessage")
    assert channel == "C0SUMMARY" and post.args["channel"] == channel
    assert thread.args["thread_ts"] == ts and thread.args["text"] == "🧵 Discuss &lt;it&gt;"


async def test_pins_work_and_locks_say_slack_cannot(slack: SlackBot, mock_slack: MockSlack) -> None:
    await slack.platform.moderate("T0S4B", "summaries", "C0SUMMARY:1.000002", "pin")
    [pin] = mock_slack.to("pins.add")
    assert pin.args == {"channel": "C0SUMMARY", "timestamp": "1.000002"}
    with pytest.raises(PermanentFailure, match="no API to lock"):
        await slack.platform.moderate("T0S4B", "summaries", "C0SUMMARY:1.000002", "lock")
    with pytest.raises(PermanentFailure, match="SLACK_ORGANIZERS_CHANNEL"):
        await slack.platform.post("T0S4B", "organizers", Message.plain("Digest"))
    assert await slack.platform.sync_session("T0S4B", None, ref=None) is None  # type: ignore[arg-type]


async def test_messages_to_one_channel_are_paced(
    sqlite_core: Core, slack_config: SlackConfig, mock_slack: MockSlack
) -> None:
    slack = build_slack(sqlite_core, slack_config.model_copy(update={"post_interval": 0.4}))
    started = time.monotonic()
    posts = [("announcements", t) for t in ("one", "two", "three")] + [("ideas", "elsewhere")]
    await asyncio.gather(
        *(slack.platform.post("T0S4B", channel, Message.plain(t)) for channel, t in posts)
    )
    calls = {c.args["text"]: c.at for c in mock_slack.to("chat.postMessage")}
    assert calls["two"] - calls["one"] >= 0.39 and calls["three"] - calls["two"] >= 0.39
    assert calls["elsewhere"] - started < 0.3  # another channel does not wait behind it


async def test_a_long_message_is_split_in_order(slack: SlackBot, mock_slack: MockSlack) -> None:
    paragraphs = tuple(f"Paragraph {i}: " + "word " * 500 for i in range(60))
    await slack.platform.send_dm(RECIPIENT, Message.plain(*paragraphs))
    posts = mock_slack.to("chat.postMessage")
    assert len(posts) == 4  # 150,000 characters: at most 40,000 a message
    assert all(len(p.args["blocks"]) <= 50 and len(str(p.args["blocks"])) <= 40_000 for p in posts)
    assert [p.args["text"].endswith("(continued)") for p in posts] == [False, True, True, True]
    text = block_text([b for p in posts for b in p.args["blocks"]])
    assert [int(line.split()[1].rstrip(":")) for line in text.splitlines()] == list(range(60))


async def test_the_mock_refuses_a_modal_title_longer_than_slack_allows(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Join the S4B Working Group"},  # 26
        "blocks": [],
    }
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await slack.platform.client.views_open(trigger_id="1.2.3", view=view)
    view["title"]["text"] = "Register for S4B"
    assert (await slack.platform.client.views_open(trigger_id="1.2.3", view=view))["ok"]


async def test_a_message_with_only_files_says_what_they_are(
    slack: SlackBot, mock_slack: MockSlack
) -> None:
    ics = Attachment("s4b-spring-2025-04-29.ics", b"BEGIN:VCALENDAR", "text/calendar")
    await slack.platform.deliver("D0ADA", Message(attachments=(ics,)))
    [post] = mock_slack.to("chat.postMessage")
    assert post.args["text"] != "S4B"
    assert "s4b-spring-2025-04-29.ics: a calendar file" in post.args["text"]
    assert "calendar file" in block_text(post.args["blocks"])
    assert len(mock_slack.to("files.completeUploadExternal")) == 1
