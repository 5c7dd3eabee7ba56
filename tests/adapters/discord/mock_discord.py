"""A local mock of Discord's REST API (aiohttp on 127.0.0.1) for discord.py to talk to.

It records every request (method, path, query, JSON body or multipart parts) and answers
like Discord: JSON with content type exactly `application/json`, snowflake ids, message
objects discord.py can parse. Like Discord, it refuses a body that does not fit the
OpenAPI schema or breaks a documented rule (`rules.py`) with a 400: code 50035 "Invalid
Form Body" and the nested `errors`, or 50006 for an empty message; `rejected` keeps them.
Failures can be injected per route: `fail(...)` for a status and Discord error code,
`rate_limit(...)` for a 429 with `Via` and a JSON `retry_after` (without those
discord.py takes a 429 for a Cloudflare ban).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from tests.adapters.discord import rules, spec
from tests.adapters.discord.mock_discord_store import (
    APP_ID,
    BOT_ID,
    BOT_USER,
    DiscordStore,
    json_response,
    now,
)
from tests.adapters.discord.mock_discord_wire import (
    Failure,
    Part,
    Request,
    operation_of,
)

MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}
OWNER = {"id": "1100000000000000009", "username": "owner", "discriminator": "0", "avatar": None}


class MockDiscord(DiscordStore):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Request] = []
        self._failures: list[Failure] = []
        self.dm_channels: dict[str, str] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.granted: set[str] = set()
        """Permissions the bot holds beyond the basics: "MANAGE_MESSAGES" (delete someone
        else's message), "MANAGE_THREADS" (a thread's slow mode). Without one: 403, 50013."""
        self.downloads: list[str] = []
        """Names of attachments the bot fetched, in order."""
        self.closed_dms: set[str] = set()
        """Members whose DMs are closed to the bot (`close_dms`): 403, code 50007."""
        self.rejected: list[tuple[Request, list[rules.Problem]]] = []
        """Requests refused for their body, with why (tests that expect one clear it)."""
        self._runner: web.AppRunner | None = None
        self.base = ""

    # --- control ---------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=4 * rules.UPLOAD_BYTES)  # rules.py answers
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root = f"http://127.0.0.1:{port}"
        self.base = f"{self.root}/api/v10"
        return self.base

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int,
        code: int = 0,
        message: str = "error",
        times: int = 1,
    ) -> None:
        """The next `times` matching requests get this Discord error."""
        self._failures.append(
            Failure(
                method,
                re.compile(path),
                status,
                {"message": message, "code": code},
                {},
                times,
            )
        )

    def rate_limit(self, method: str, path: str, *, retry_after: float, times: int = 1) -> None:
        """The next `times` matching requests get a Discord 429 (with Via and JSON)."""
        self._failures.append(
            Failure(
                method,
                re.compile(path),
                429,
                {
                    "message": "You are being rate limited.",
                    "retry_after": retry_after,
                    "global": False,
                },
                {"Via": "1.1 google", "X-RateLimit-Scope": "user"},
                times,
            )
        )

    def add_channel(self, channel_id: int, guild_id: int, *, kind: int = 0) -> None:
        self.channels[str(channel_id)] = self._channel(str(channel_id), str(guild_id), kind)

    def close_dms(self, user_id: int | str) -> None:
        """The member turned off DMs from server members (or blocked the bot): Discord
        answers a message to their DM channel 403 "Cannot send messages to this user"."""
        self.closed_dms.add(str(user_id))

    def add_member(self, guild_id: int | str, user_id: int | str) -> None:
        self.guild_members.setdefault(str(guild_id), set()).add(str(user_id))

    def add_member_message(self, channel_id: str, author: dict[str, Any], content: str) -> Any:
        """A message a member wrote (in a thread), as Discord stores it."""
        message = self._message(channel_id, {"content": content})
        message["author"] = {"discriminator": "0", "avatar": None, **author}
        return message

    def add_file(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return f"{self.root}/attachments/{name}"

    def find(self, method: str, path: str) -> list[Request]:
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    def clear(self) -> None:
        self.requests.clear()

    # --- serving ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/attachments/"):
            name = path.rsplit("/", 1)[1]
            self.downloads.append(name)
            if name not in self.files:
                return web.Response(status=404)
            return web.Response(body=self.files[name])
        path = path.removeprefix("/api/v10")
        recorded = Request(request.method, path, dict(request.query), headers=dict(request.headers))
        if request.content_type == "application/json":
            recorded.json = await request.json()
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                recorded.parts.append(
                    Part(
                        part.name or "",  # type: ignore[union-attr]
                        part.filename,  # type: ignore[union-attr]
                        part.headers.get("Content-Type"),  # type: ignore[union-attr]
                        await part.read(),  # type: ignore[union-attr]
                    )
                )
        self.requests.append(recorded)
        refusal = self._check(recorded)
        if refusal is not None:
            return refusal
        for failure in self._failures:
            if (
                failure.times > 0
                and failure.method == request.method
                and failure.pattern.fullmatch(path)
            ):
                failure.times -= 1
                return json_response(failure.body, failure.status, failure.headers)
        return self._answer(recorded)

    def _check(self, r: Request) -> web.Response | None:
        """Discord's 400 for a body that breaks its schema or a documented rule."""
        if sum(len(f.data) for f in r.files) > rules.UPLOAD_BYTES:
            self.rejected.append((r, []))
            return json_response(
                {"message": "Request entity too large", "code": rules.TOO_LARGE}, 413
            )
        operation = operation_of(r)
        if operation is None or r.body is None:
            return None
        found = spec.schema_problems(operation, r.body)
        found += rules.problems(operation, r.body, files=len(r.files))
        if not found:
            return None
        self.rejected.append((r, found))
        if rules.is_empty_message(found):
            return json_response({"message": "Cannot send an empty message", "code": 50006}, 400)
        return json_response(
            {
                "message": "Invalid Form Body",
                "code": rules.INVALID_FORM_BODY,
                "errors": rules.form_errors(found),
            },
            400,
        )

    def _answer(self, r: Request) -> web.StreamResponse:
        m, p, body = r.method, r.path, r.body
        if m == "GET" and p == "/users/@me":
            return json_response(BOT_USER)
        if m == "GET" and p == "/oauth2/applications/@me":
            return json_response(
                {
                    "id": str(APP_ID),
                    "name": "S4B",
                    "description": "",
                    "icon": None,
                    "bot_public": False,
                    "bot_require_code_grant": False,
                    "owner": OWNER,
                    "verify_key": "0" * 64,
                    "flags": 0,
                }
            )
        if m == "PUT" and (
            match := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", p)
        ):
            return json_response(
                [
                    {
                        "description": "",  # what Discord stores for a context menu
                        **c,
                        "id": str(next(self._ids)),
                        "application_id": match[1],
                        "guild_id": match[2],
                        "version": "1",
                    }
                    for c in body
                ]
            )
        if m == "POST" and (match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p)):
            kind = body["type"]
            resource: dict[str, Any] = {"type": kind}
            if kind in (4, 7):
                resource["message"] = self._message(None, body.get("data") or {})
            return json_response(
                {
                    "interaction": {
                        "id": match[1],
                        "type": 2,
                        "response_message_loading": kind == 5,
                        "response_message_ephemeral": bool(
                            (body.get("data") or {}).get("flags", 0) & 64
                        ),
                    },
                    "resource": resource,
                }
            )
        if m == "POST" and re.fullmatch(r"/webhooks/(\d+)/([^/]+)", p):
            message = self._message(None, body or {})
            return (
                json_response(message)
                if r.query.get("wait") in ("1", "true")
                else web.Response(status=204)
            )
        if m == "PATCH" and re.fullmatch(r"/webhooks/(\d+)/([^/]+)/messages/[^/]+", p):
            return json_response(self._message(None, body or {}))
        if m == "POST" and p == "/users/@me/channels":
            user = str(body["recipient_id"])
            channel = self.dm_channels.setdefault(user, str(next(self._ids)))
            recipient = {
                "id": user,
                "username": f"user{user[-4:]}",
                "discriminator": "0",
                "avatar": None,
            }
            return json_response(
                {"id": channel, "type": 1, "recipients": [recipient], "last_message_id": None}
            )
        if m == "GET" and (match := re.fullmatch(r"/channels/(\d+)", p)):
            channel = self.channels.get(match[1])
            if channel is None:
                return json_response({"message": "Unknown Channel", "code": 10003}, 404)
            return json_response(channel)
        if m == "PATCH" and (match := re.fullmatch(r"/channels/(\d+)", p)):
            if "rate_limit_per_user" in (body or {}) and "MANAGE_THREADS" not in self.granted:
                return json_response(MISSING_PERMISSIONS, 403)
            channel = self.channels.setdefault(match[1], self._channel(match[1], "1", 11))
            channel.update(body or {})
            for key in ("archived", "locked"):  # a thread's state lives in thread_metadata
                if key in (body or {}) and "thread_metadata" in channel:
                    channel["thread_metadata"][key] = body[key]
            return json_response(channel)
        if m == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages", p)):
            if any(self.dm_channels.get(user) == match[1] for user in self.closed_dms):
                return json_response(
                    {"message": "Cannot send messages to this user", "code": 50007}, 403
                )
            thread = self.channels.get(match[1], {}).get("thread_metadata")
            if thread is not None and not thread["locked"]:
                thread["archived"] = False  # a message unarchives a thread (topics/threads)
            return json_response(self._message(match[1], body or {}))
        if m in ("PUT", "DELETE") and (
            match := re.fullmatch(r"/channels/(\d+)/thread-members/(\d+)", p)
        ):
            return self._thread_member(m, match[1], match[2])
        if m == "PATCH" and (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", p)):
            return self._edit_message(match[1], match[2], body or {})
        if m == "DELETE" and (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", p)):
            # resources/message.mdx, Delete Message: someone else's needs MANAGE_MESSAGES.
            message = self.messages.get(match[2])
            if message is None or message["channel_id"] != match[1]:
                return json_response({"message": "Unknown Message", "code": 10008}, 404)
            if message["author"]["id"] != str(BOT_ID) and "MANAGE_MESSAGES" not in self.granted:
                return json_response(MISSING_PERMISSIONS, 403)
            del self.messages[match[2]]
            return web.Response(status=204)
        if m == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", p)):
            parent = self.channels.get(match[1], {})
            thread = self._channel(match[2], parent.get("guild_id", "1"), 11)
            thread.update(
                {
                    "parent_id": match[1],
                    "name": body["name"],
                    "owner_id": str(BOT_ID),
                    "message_count": 0,
                    "member_count": 1,
                    "thread_metadata": {
                        "archived": False,
                        "auto_archive_duration": 1440,
                        "archive_timestamp": now(),
                        "locked": False,
                    },
                }
            )
            self.channels[match[2]] = thread
            return json_response(thread)
        if m == "POST" and (match := re.fullmatch(r"/channels/(\d+)/threads", p)):
            parent = self.channels.get(match[1], {})
            if "message" not in body:
                return self._thread_without_message(match[1], body)
            thread_id = str(next(self._ids))
            thread = self._channel(thread_id, parent.get("guild_id", "1"), 11)
            thread.update(
                {
                    "parent_id": match[1],
                    "name": body["name"],
                    "owner_id": str(BOT_ID),
                    "message_count": 0,
                    "member_count": 1,
                    "thread_metadata": {
                        "archived": False,
                        "auto_archive_duration": 1440,
                        "archive_timestamp": now(),
                        "locked": False,
                    },
                }
            )
            self.channels[thread_id] = thread
            message = self._message(thread_id, body.get("message") or {}, message_id=thread_id)
            return json_response({**thread, "message": message})
        if m == "PUT" and re.fullmatch(r"/channels/(\d+)/(?:messages/)?pins/(\d+)", p):
            return web.Response(status=204)
        if m == "POST" and (match := re.fullmatch(r"/guilds/(\d+)/scheduled-events", p)):
            event = {
                **body,
                "id": str(next(self._ids)),
                "guild_id": match[1],
                "status": 1,
                "channel_id": None,
                "creator_id": str(BOT_ID),
                "entity_id": None,
                "user_count": 0,
            }
            self.events[event["id"]] = event
            return json_response(event)
        if m == "PATCH" and (match := re.fullmatch(r"/guilds/(\d+)/scheduled-events/(\d+)", p)):
            event = self.events.get(match[2])
            if event is None:
                return json_response(
                    {"message": "Unknown Guild Scheduled Event", "code": 10070}, 404
                )
            if (
                event["status"] in rules.EVENT_FINAL
                and body.get("status", event["status"]) != (event["status"])
            ):
                return json_response(
                    {"message": "Invalid Form Body", "code": rules.INVALID_FORM_BODY}, 400
                )
            event.update(body)
            return json_response(event)
        return json_response({"message": f"404: Not Found ({m} {p})", "code": 0}, 404)
