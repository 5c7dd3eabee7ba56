"""Reporting a message in a discussion thread on Slack: the real message_action payload
through the real bolt app (signed), views.open with its trigger_id, the modal's submission,
and what the bot cannot do on Slack (delete a member's message, slow a thread) said to the
organizers with how to do it by hand."""

from __future__ import annotations

import copy
import itertools
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack
from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from adapters.slack.shortcuts import HOW_TO_DELETE, HOW_TO_SLOW
from s4b_bot import PermanentFailure
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.routing.routes import ROUTES
from tests.adapters.slack.conftest import BOT_TOKEN
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import (
    ADA,
    BEA,
    JO,
    block_text,
    command_body,
    dispatch,
    load,
    submission_body,
    valid_view,
)
from tests.logcapture import debug_logging

CY = ("U0CY", "cy")
DI = ("U0DI", "di")
ORGANIZERS = "C0ORG"
SAID = "Only fools want this <3"
_triggers = itertools.count(1)


def shortcut_body(
    mock: MockSlack, message: dict[str, Any], *, user: tuple[str, str], channel: str = "C0IDEAS"
) -> str:
    """A message_action as Slack sends it, with a fresh trigger_id the mock will hold to 3 s."""
    payload = copy.deepcopy(load("message_action"))
    payload["user"] = {"id": user[0], "username": user[1], "name": user[1], "team_id": "T0S4B"}
    payload["channel"]["id"] = channel
    payload["message"] = {**message, "text": message["text"].replace("<", "&lt;")}
    payload["message_ts"] = message["ts"]
    payload["trigger_id"] = mock.issue_trigger(f"{payload['trigger_id']}.{next(_triggers)}")
    payload["response_url"] = mock.response_url(f"shortcut-{user[1]}")
    return urlencode({"payload": json.dumps(payload)})


@pytest.fixture
async def bot(sqlite_core: Core, slack_config: SlackConfig) -> SlackBot:
    config = slack_config.model_copy(update={"organizers_channel": ORGANIZERS})
    return build_slack(sqlite_core, config)


@pytest.fixture
def dispatcher(bot: SlackBot, sqlite_core: Core, clock: SettableClock) -> Dispatcher:
    sqlite_core.settings.dispatch_rate = {"slack": 1_000.0}
    return Dispatcher(
        sqlite_core.db,
        platforms={"slack": bot.platform},
        clock=clock,
        settings=sqlite_core.settings,
    )


async def idea_thread(bot: SlackBot, mock: MockSlack, dispatcher: Dispatcher) -> str:
    """An idea posted with its thread; the post's ts."""
    await dispatch(bot, command_body("idea A shared map", response_url=mock.response_url()))
    await bot.settled()
    await dispatcher.drain()
    post = mock.to("chat.postMessage")[0]
    assert post.result is not None and post.args["channel"] == "C0IDEAS"
    return str(post.result["ts"])


async def report(
    bot: SlackBot, mock: MockSlack, message: dict[str, Any], user: tuple[str, str], why: str
) -> dict[str, Any]:
    """The shortcut, then the modal it opened, sent; the modal as the bot opened it."""
    before = len(mock.to("views.open"))
    assert (await dispatch(bot, shortcut_body(mock, message, user=user))).status == 200
    await bot.settled()
    opened = mock.to("views.open")[before:]
    assert len(opened) == 1, mock.methods()
    assert opened[0].result is not None and opened[0].result["ok"], opened[0].result
    view: dict[str, Any] = opened[0].result["view"]
    response = await dispatch(bot, submission_body(view, {"reason": why}, user=user))
    await bot.settled()
    assert response.status == 200
    body = json.loads(response.body or "{}")
    assert body.get("response_action") == "update"
    assert "Your report is with the organizers" in block_text(body["view"])
    return view


async def test_the_shortcut_opens_the_modal_and_three_reports_alert_the_organizers(
    bot: SlackBot, mock_slack: MockSlack, dispatcher: Dispatcher
) -> None:
    thread = await idea_thread(bot, mock_slack, dispatcher)
    said = mock_slack.add_member_message("C0IDEAS", ADA[0], SAID, thread_ts=thread)
    view = await report(bot, mock_slack, said, BEA, "Personal attack")
    valid_view(view)
    assert view["title"]["text"] == "Report to organizers" and view["type"] == "modal"
    [link] = mock_slack.to("chat.getPermalink")
    assert (link.args["channel"], link.args["message_ts"]) == ("C0IDEAS", said["ts"])

    # Once per member: the second time, an ephemeral reply and no modal.
    opened = len(mock_slack.to("views.open"))
    await dispatch(bot, shortcut_body(mock_slack, said, user=BEA))
    await bot.settled()
    again = mock_slack.to("respond")[-1]
    assert again.args["response_type"] == "ephemeral"
    assert "You already reported this message" in again.args["text"]
    assert len(mock_slack.to("views.open")) == opened

    for user in (CY, DI):
        await report(bot, mock_slack, said, user, "insult")
    await dispatcher.drain()
    [delete] = mock_slack.to("chat.delete")
    assert delete.result == {"ok": False, "error": "cant_delete_message"}
    [alert] = [c for c in mock_slack.to("chat.postMessage") if c.args["channel"] == ORGANIZERS]
    told = alert.args["text"] + block_text(alert.args.get("blocks") or [])
    assert "reported by 3 members" in told and "it is still up" in told
    assert "Slack lets a bot delete only its own messages" in told
    assert "archives/C0IDEAS/p" in told  # the permalink, to open it and delete it by hand
    assert SAID not in told and "bea" not in told  # the text and reporters stay in the queue

    # The queue, for an organizer: the text (as typed), the permalink, the reasons.
    mock_slack.clear()
    await dispatch(
        bot,
        command_body(
            "queue", user=JO, command="/s4b-admin", response_url=mock_slack.response_url("queue")
        ),
    )
    await bot.settled()
    [queue] = mock_slack.to("respond")
    shown = block_text(queue.args["blocks"])
    assert "“Only fools want this &lt;3”" in shown  # escaped for mrkdwn, shown as typed
    assert "Reason (#1): Personal attack" in shown and "archives/C0IDEAS/p" in shown
    assert "still up: I could not delete it" in shown

    # Slow mode: Slack has none, and the organizers are told so with what to do instead.
    mock_slack.clear()
    await dispatch(
        bot,
        command_body(
            "resolve 1 slow --every 10m",
            user=JO,
            command="/s4b-admin",
            response_url=mock_slack.response_url(),
        ),
    )
    await bot.settled()
    await dispatcher.drain()
    [alert] = [c for c in mock_slack.to("chat.postMessage") if c.args["channel"] == ORGANIZERS]
    assert "Slack has no slow mode" in alert.args["text"]


async def test_a_message_outside_the_bots_threads_is_refused_without_a_modal(
    bot: SlackBot, mock_slack: MockSlack, dispatcher: Dispatcher, sqlite_core: Core
) -> None:
    thread = await idea_thread(bot, mock_slack, dispatcher)
    elsewhere = mock_slack.add_member_message("C0IDEAS", ADA[0], "hello channel")
    other = mock_slack.add_member_message("C0RANDOM", ADA[0], "hi", thread_ts=thread)
    bots_post = {
        "type": "message",
        "text": "Idea #1",
        "user": "U0BOT",
        "bot_id": "B0BOT",
        "ts": thread,
        "thread_ts": thread,
    }
    for message, channel in ((elsewhere, "C0IDEAS"), (other, "C0RANDOM"), (bots_post, "C0IDEAS")):
        await dispatch(bot, shortcut_body(mock_slack, message, user=BEA, channel=channel))
        await bot.settled()
    replies = [c.args["text"] for c in mock_slack.to("respond")][-3:]
    assert all(r.startswith("Only messages in my discussion threads") for r in replies[:2])
    assert "a bot's post" in replies[2]
    assert "To report an idea, use the Report button on it" in replies[2]  # it is the idea
    assert not mock_slack.to("views.open")


async def test_the_mock_holds_slack_to_its_rules(mock_slack: MockSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=mock_slack.api_url)
    said = mock_slack.add_member_message("C0IDEAS", ADA[0], "x", thread_ts="1.2")
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    stale = mock_slack.issue_trigger("1.2.stale")
    mock_slack.triggers[stale] = time.monotonic() - 3.5
    fresh = mock_slack.issue_trigger("1.2.fresh")
    for trigger, error in (
        (stale, "expired_trigger_id"),
        (fresh, None),
        (fresh, "exchanged_trigger_id"),
    ):
        try:
            await client.views_open(trigger_id=trigger, view=view)
            assert error is None
        except Exception as exc:  # SlackApiError
            assert error is not None and error in str(exc)
    with pytest.raises(Exception, match="cant_delete_message"):
        await client.chat_delete(channel="C0IDEAS", ts=said["ts"])
    link = await client.chat_getPermalink(channel="C0IDEAS", message_ts=said["ts"])
    assert str(link["permalink"]).endswith("?thread_ts=1.2&cid=C0IDEAS")


async def test_the_platform_says_how_to_do_by_hand_what_slack_does_not_let_a_bot(
    bot: SlackBot, mock_slack: MockSlack
) -> None:
    said = mock_slack.add_member_message("C0IDEAS", ADA[0], "x", thread_ts="1.2")
    with pytest.raises(PermanentFailure) as failed:
        await bot.platform.delete_message("T0S4B", "C0IDEAS", said["ts"])
    assert str(failed.value) == HOW_TO_DELETE
    # Gone already (message_not_found): no failure, and the core hears it was not deleted
    # now (its audit entry says "already gone").
    assert await bot.platform.delete_message("T0S4B", "C0IDEAS", "9.9") is False
    with pytest.raises(PermanentFailure, match="no slow mode") as slow:
        await bot.platform.slow_thread("T0S4B", "C0IDEAS", 600)
    assert str(slow.value) == HOW_TO_SLOW


async def test_the_message_and_the_reason_stay_out_of_the_debug_log(
    bot: SlackBot, mock_slack: MockSlack, dispatcher: Dispatcher
) -> None:
    thread = await idea_thread(bot, mock_slack, dispatcher)
    said = mock_slack.add_member_message(
        "C0IDEAS", ADA[0], "Qzx says rude things", thread_ts=thread
    )
    with debug_logging() as log:
        before = len(mock_slack.to("views.open"))
        await dispatch(bot, shortcut_body(mock_slack, said, user=BEA))
        await bot.settled()
        [opened] = mock_slack.to("views.open")[before:]
        assert opened.result is not None
        view = opened.result["view"]
        sent = await dispatch(bot, submission_body(view, {"reason": "Qzx-reason"}, user=BEA))
        await bot.settled()
    assert "Your report is with the organizers" in (sent.body or "")
    written = log.getvalue()
    assert "debug lines are written" in written
    for private in ("Qzx says rude things", "Qzx-reason", BOT_TOKEN):
        assert private not in written, private


@pytest.mark.parametrize("name", ["manifest.json", "manifest.http.json"])
def test_the_manifest_declares_each_message_gesture_as_a_message_shortcut(name: str) -> None:
    manifest = json.loads((Path(adapters.slack.__file__).parent / name).read_text())
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"], s["name"]) for s in shortcuts] == [
        ("message", g.callback_id, g.name) for g in ROUTES.gestures
    ]
    assert all(s["description"] for s in shortcuts)  # the manifest requires one
