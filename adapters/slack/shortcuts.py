"""Slack's message shortcut ("Report to organizers" in a message's ⋯ menu) and what the bot
can and cannot do to members' messages on Slack.

A shortcut arrives as an interaction of `type: "message_action"` with its `callback_id`,
a `trigger_id` (3 s to open a modal), the `channel` and the `message` itself
(https://api.slack.com/reference/interaction-payloads/shortcuts#message_actions). Slack
lets a bot token delete only the bot's own messages (chat.delete answers anyone else's
with `cant_delete_message`), and has no slow mode: the bot says how to do either by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import classify, error_code
from adapters.slack.parse import command_text
from s4b_bot import ChatMessage, PermanentFailure

_log = logging.getLogger(__name__)

HOW_TO_DELETE = (
    "Slack lets a bot delete only its own messages. Someone who may delete it (its author, "
    "or a workspace owner or admin) opens the message, hovers it, clicks ⋯ (More actions) "
    "and chooses Delete message."
)
HOW_TO_SLOW = (
    "Slack has no slow mode. Ask the thread to pause in a reply, or have a workspace admin "
    "limit who can post in the channel (channel details → Settings → Posting permissions)."
)


def pointed_at(body: Mapping[str, Any]) -> ChatMessage:
    """The message a message_action points at; `under` is the thread it replies in."""
    channel = str((body.get("channel") or {}).get("id", ""))
    message: Mapping[str, Any] = body.get("message") or {}
    ts = str(message.get("ts") or body.get("message_ts") or "")
    thread = str(message.get("thread_ts") or "")
    under = (f"{channel}:{thread}",) if thread and thread != ts else ()
    return ChatMessage(
        channel=channel,
        message_id=ts,
        under=under,
        author_id=str(message.get("user") or message.get("bot_id") or ""),
        # As typed: Slack sends &, < and > as entities.
        text=command_text({"text": message.get("text") or ""}),
        by_bot=bool(message.get("bot_id")),
    )


async def with_link(client: AsyncWebClient, message: ChatMessage) -> ChatMessage:
    """The message with its permalink (chat.getPermalink), or without if Slack will not say."""
    try:
        response = await client.chat_getPermalink(
            channel=message.channel, message_ts=message.message_id
        )
    except (SlackClientError, OSError) as exc:
        _log.warning("no permalink for a reported message: %s", type(exc).__name__)
        return message
    link = response.get("permalink")
    return ChatMessage(**{**vars(message), "link": str(link) if link else None})


async def delete_message(client: AsyncWebClient, channel: str, ts: str) -> bool:
    """chat.delete: True, or False if the message was already gone; one the bot may not
    delete becomes PermanentFailure saying how to do it by hand."""
    try:
        await client.chat_delete(channel=channel, ts=ts)
    except SlackApiError as exc:
        code = error_code(exc)
        if code == "message_not_found":
            return False
        if code in ("cant_delete_message", "compliance_exports_prevent_deletion"):
            raise PermanentFailure(HOW_TO_DELETE) from exc
        raise classify(exc) from exc
    except (SlackClientError, OSError) as exc:
        raise classify(exc) from exc
    return True
