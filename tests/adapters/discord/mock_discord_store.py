"""What the mock Discord stores and how it answers about it: channels and threads, their
members, and messages, shaped as Discord's objects so discord.py can parse them."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

APP_ID = 1_100_000_000_000_000_001
BOT_ID = APP_ID
BOT_USER = {
    "id": str(BOT_ID),
    "username": "S4B",
    "discriminator": "0",
    "global_name": "S4B",
    "avatar": None,
    "bot": True,
}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # Exactly "application/json": discord.py compares the header, charset and all.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class DiscordStore:
    """Channels, threads and their members, and messages; `MockDiscord` serves them."""

    def __init__(self) -> None:
        self._ids = itertools.count(1_200_000_000_000_000_000)
        self.messages: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.guild_members: dict[str, set[str]] = {}
        """Each server's members (`add_member`): only they can be added to its threads."""
        self.thread_members: dict[str, set[str]] = {}

    def _thread_without_message(self, parent_id: str, body: dict[str, Any]) -> web.Response:
        """Start Thread without Message (resources/channel.mdx): type defaults to 12
        PRIVATE_THREAD; a private thread only in a GUILD_TEXT channel (topics/threads.mdx),
        `invitable` only for one; the bot is its first member."""
        parent = self.channels.get(parent_id)
        if parent is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        kind = body.get("type") or 12
        if (kind == 12 and parent["type"] != 0) or (kind == 10) != (parent["type"] == 5):
            return json_response(
                {"message": "Cannot execute action on this channel type", "code": 50024}, 400
            )
        if kind != 12 and body.get("invitable") is not None:
            errors = {"invitable": {"_errors": [{"code": "BASE_TYPE_BAD", "message": "private"}]}}
            return json_response(
                {"message": "Invalid Form Body", "code": 50035, "errors": errors}, 400
            )
        thread_id = str(next(self._ids))
        thread = self._channel(thread_id, parent["guild_id"], kind)
        thread.update(
            {
                "parent_id": parent_id,
                "name": body["name"],
                "owner_id": str(BOT_ID),
                "message_count": 0,
                "member_count": 1,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": body.get("auto_archive_duration") or 4320,
                    "archive_timestamp": now(),
                    "locked": False,
                    **({"invitable": body.get("invitable", True)} if kind == 12 else {}),
                },
            }
        )
        self.channels[thread_id] = thread
        self.thread_members[thread_id] = {str(BOT_ID)}
        return json_response(thread, 201)

    def _thread_member(self, method: str, thread_id: str, user_id: str) -> web.Response:
        """Add (PUT) or Remove (DELETE) Thread Member: the thread exists (10003) and is a
        thread (50024), is not archived (50083), and the user is a member of its server,
        or of the thread to be removed (10007); 204."""
        thread = self.channels.get(thread_id)
        if thread is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        if thread["type"] not in (10, 11, 12):
            return json_response(
                {"message": "Cannot execute action on this channel type", "code": 50024}, 400
            )
        if thread["thread_metadata"]["archived"]:
            message = "Tried to perform an operation on an archived thread"
            return json_response({"message": message, "code": 50083}, 400)
        members = self.thread_members.setdefault(thread_id, set())
        known = members if method == "DELETE" else self.guild_members.get(thread["guild_id"], ())
        if user_id not in known:
            return json_response({"message": "Unknown Member", "code": 10007}, 404)
        if method == "DELETE":
            members.discard(user_id)
        else:
            members.add(user_id)
        thread["member_count"] = len(self.thread_members[thread_id])
        return web.Response(status=204)

    def _channel(self, channel_id: str, guild_id: str, kind: int) -> dict[str, Any]:
        return {
            "id": channel_id,
            "type": kind,
            "guild_id": guild_id,
            "name": f"channel-{channel_id[-4:]}",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "available_tags": [],
        }

    def _edit_message(self, channel_id: str, message_id: str, body: dict[str, Any]) -> web.Response:
        """Edit Message (resources/message.mdx): every field is optional; one left out is
        kept, one sent replaces it (`components: []` removes the buttons), and a message
        that is not there, or not in that channel, is 10008 Unknown Message."""
        message = self.messages.get(message_id)
        if message is None or message["channel_id"] != channel_id:
            return json_response({"message": "Unknown Message", "code": 10008}, 404)
        for name in ("content", "embeds", "components", "flags"):
            if name in body:
                empty: Any = "" if name == "content" else 0 if name == "flags" else []
                message[name] = body[name] if body[name] is not None else empty
        message["edited_timestamp"] = now()
        return json_response(message)

    def _message(
        self, channel_id: str | None, body: dict[str, Any], *, message_id: str | None = None
    ) -> dict[str, Any]:
        message_id = message_id or str(next(self._ids))
        message = {
            "id": message_id,
            "channel_id": channel_id or "1100000000000000100",
            "type": 0,
            "author": BOT_USER,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [],
            "mentions": [
                {"id": user, "username": f"user{user[-4:]}", "discriminator": "0", "avatar": None}
                for user in mentioned(body)
            ],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": now(),
            "edited_timestamp": None,
            "flags": body.get("flags", 0),
            "application_id": str(APP_ID),
        }
        self.messages[message_id] = message
        return message


def mentioned(body: dict[str, Any]) -> list[str]:
    """The users a message pings: those its content mentions (`<@id>`) that its
    allowed_mentions let through (all of them when it has none)."""
    found = re.findall(r"<@!?(\d+)>", body.get("content") or "")
    allowed = body.get("allowed_mentions")
    if not isinstance(allowed, dict) or "users" in (allowed.get("parse") or []):
        return found  # no allowed_mentions: every mention in the content pings
    listed = {str(u) for u in allowed.get("users") or []}
    return [user for user in found if user in listed]


def now() -> str:
    return datetime.now(UTC).isoformat()
