"""A local stand-in for Slack's Web API, response_urls, file uploads and Socket Mode.

An aiohttp server on 127.0.0.1 (cf. bolt's tests/mock_web_api_server) that records every
call (method, arguments, time) and answers as Slack does: `{"ok": true, ...}`, or
`{"ok": false, "error": ...}`, or HTTP 429 with Retry-After when told to fail.

Files a member sent through a modal's file input (`add_file`) are described by files.info
and served at their url_private_download. Slack's rules for them: files.info needs the
files:read scope (else `missing_scope`); the private URL needs the app's token in an
`Authorization: Bearer` header (https://api.slack.com/types/file#auth), and without it
Slack answers 200 with its HTML sign-in page, not the file (slackapi/bolt-js#2585).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

JSON_FIELDS = ("blocks", "view", "files", "attachments", "errors")
VIEW_LABELS = ("title", "submit", "close")
VIEW_LABEL_CHARS = 24
RADIO_OPTIONS = 10
"""Radio buttons offer at most 10 options (api.slack.com/reference/block-kit/block-elements
#radio); slack_sdk's model does not check it, Slack refuses more."""
WAIT = 5.0
TRIGGER_LIFETIME = 3.0
SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float
    token: str | None = None
    result: dict[str, Any] | None = None
    """What the mock answered."""
    peer: Any = None
    """The caller's (host, port): which TCP connection the call came on."""


@dataclass
class Failure:
    status: int = 200
    error: str = "ratelimited"
    retry_after: int | None = None


@dataclass
class MockSlack:
    team_id: str = "T0S4B"
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    group_members: dict[str, list[str]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    """users.info's user objects, by id (`add_user`)."""
    delay: dict[str, float] = field(default_factory=dict)
    """Seconds to wait before answering a method (a slow Slack)."""
    _failures: dict[str, list[Failure]] = field(default_factory=lambda: defaultdict(list))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _used_triggers: set[str] = field(default_factory=set)
    base_url: str = ""
    bot_token: str | None = None
    """When set, files.info and private file URLs accept only this token."""
    scopes: set[str] = field(default_factory=lambda: {"files:read", "files:write"})
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Files members uploaded, as files.info describes them (`add_file`)."""
    file_bytes: dict[str, bytes] = field(default_factory=dict)
    chunked: set[str] = field(default_factory=set)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    """What each message posted shows now (its text and blocks), by (channel, ts), as
    chat.postMessage made it and chat.update changed it."""
    gone: dict[str, str] = field(default_factory=dict)
    """Members Slack no longer lets the bot DM, and the error it answers (`remove_user`)."""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_messages: list[dict[str, Any]] = field(default_factory=list)
    triggers: dict[str, float] = field(default_factory=dict)
    """trigger_ids handed out with an interaction (`issue_trigger`), and when."""
    member_messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    """Messages members wrote (`add_member_message`), by (channel, ts): not the bot's."""

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base_url}/respond/{name}"

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024**2)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{team_file}/download/{name}", self._download)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- test controls -------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str = "ratelimited",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls to `method` fail this way (429 if status=429)."""
        self._failures[method] += [Failure(status, error, retry_after)] * times

    def add_user(
        self, user_id: str, handle: str, *, real_name: str = "", display_name: str = ""
    ) -> None:
        """A member as users.info describes them (https://api.slack.com/types/user): the
        handle in `name`, and in the profile the display name (often empty: people need
        not set one) and the real name."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": handle,
            "real_name": real_name,
            "profile": {
                "display_name": display_name,
                "display_name_normalized": display_name,
                "real_name": real_name,
                "real_name_normalized": real_name,
            },
        }

    def remove_user(self, user_id: str, *, error: str = "user_not_found") -> None:
        """A member who left, or was deactivated: conversations.open with them answers
        `error` (user_not_found, user_disabled; https://api.slack.com/methods/
        conversations.open#errors), and a DM already open with them is channel_not_found."""
        self.gone[user_id] = error

    def add_file(
        self,
        name: str,
        content: bytes,
        *,
        mimetype: str = "text/plain",
        user: str = "U0JO",
        size: int | None = None,
        chunked: bool = False,
    ) -> dict[str, Any]:
        """A file a member uploaded through a file input; its file object
        (https://api.slack.com/types/file), as the view_submission's state and files.info
        carry it. `size`: what Slack says, when a test wants it to differ from the bytes;
        `chunked`: served without a Content-Length."""
        file_id = f"F{next(self._ids):05d}"
        ext = name.rpartition(".")[2] if "." in name else ""
        base = f"{self.base_url}/files-pri/{self.team_id}-{file_id}"
        self.files[file_id] = {
            "id": file_id,
            "created": 1743508800,
            "timestamp": 1743508800,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": ext,
            "user": user,
            "user_team": self.team_id,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "size": len(content) if size is None else size,
            "url_private": f"{base}/{name}",
            "url_private_download": f"{base}/download/{name}",
            "permalink": f"https://s4b-test.slack.com/files/{user}/{file_id}/{name}",
        }
        self.file_bytes[file_id] = content
        if chunked:
            self.chunked.add(file_id)
        return self.files[file_id]

    def issue_trigger(self, trigger_id: str) -> str:
        """A trigger_id Slack just sent with an interaction: views.open and views.push take
        it once, within 3 seconds (https://api.slack.com/interactivity/handling#modal_responses),
        else `expired_trigger_id` / `exchanged_trigger_id`."""
        self.triggers[trigger_id] = time.monotonic()
        return trigger_id

    def add_member_message(
        self, channel: str, user: str, text: str, *, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A message a member wrote (in a thread under `thread_ts`), as Slack sends it in
        a message_action payload; chat.getPermalink knows it, chat.delete by a bot token
        refuses it (`cant_delete_message`)."""
        ts = self._next_ts()
        message = {"type": "message", "text": text, "user": user, "ts": ts, "team": self.team_id}
        if thread_ts:
            message.update(thread_ts=thread_ts, parent_user_id="U0BOT")
        self.member_messages[(channel, ts)] = message
        return message

    def to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    def clear(self) -> None:
        self.calls.clear()
        self.uploads.clear()

    async def wait_for(self, method: str, count: int = 1) -> list[Call]:
        """Until `method` has been called `count` times (5 s at most)."""
        deadline = time.monotonic() + WAIT
        while len(self.to(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} called {len(self.to(method))}x: {self.methods()}")
            await asyncio.sleep(0.01)
        return self.to(method)

    # ---- handlers ------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if request.content_type == "application/json" and raw:
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw.decode(), keep_blank_values=True))
        for key in JSON_FIELDS:
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call = Call(method, args, time.monotonic(), token, peer=peer)
        self.calls.append(call)
        if method in self.delay:
            await asyncio.sleep(self.delay[method])
        if self._failures.get(method):
            failure = self._failures[method].pop(0)
            headers = (
                {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            )
            body = {"ok": False, "error": failure.error}
            return web.json_response(body, status=failure.status, headers=headers)
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if method == "files.info" and self.bot_token is not None and token != self.bot_token:
            call.result = {"ok": False, "error": "invalid_auth"}
        else:
            call.result = answer(args) if answer else {"ok": False, "error": "unknown_method"}
        return web.json_response(call.result)

    def _next_ts(self) -> str:
        return f"1743508800.{next(self._ids):06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team_id": self.team_id, "user_id": "U0BOT", "bot_id": "B0BOT"}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if str(args.get("users", "")) in self.gone:
            return {"ok": False, "error": self.gone[str(args["users"])]}
        return {"ok": True, "channel": {"id": "D" + str(args["users"]).lstrip("U")}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if any(str(args["channel"]) == "D" + user.lstrip("U") for user in self.gone):
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        shown = {"text": args.get("text", ""), "blocks": args.get("blocks") or []}
        self.messages[(str(args["channel"]), ts)] = shown
        return {"ok": True, "channel": args["channel"], "ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        # https://api.slack.com/methods/chat.update: a message that is not there is
        # message_not_found; without `blocks` the old blocks stay only when no `text` is
        # given either (with text alone they are removed), and an empty array removes them.
        message = self.messages.get((str(args["channel"]), str(args["ts"])))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if "blocks" in args:
            message["blocks"] = args["blocks"] or []
        elif "text" in args:
            message["blocks"] = []
        if "text" in args:
            message["text"] = args["text"]
        message["edited"] = True
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args["channel"], str(args["message_ts"])
        posted = {
            (c.args["channel"], c.result.get("ts")) for c in self.to("chat.postMessage") if c.result
        }
        member = self.member_messages.get((channel, ts))
        if (channel, ts) not in posted and member is None:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://s4b-test.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        if member is not None and member.get("thread_ts"):
            link += f"?thread_ts={member['thread_ts']}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        # https://api.slack.com/methods/chat.delete: a bot token deletes only the bot's own
        # messages; anyone else's is cant_delete_message (only a user token of an admin or
        # the author can).
        key = (str(args["channel"]), str(args["ts"]))
        if key in self.member_messages:
            return {"ok": False, "error": "cant_delete_message"}
        if self.messages.pop(key, None) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        # A modal's title, submit and close are plain_text of at most 24 characters
        # (https://api.slack.com/reference/surfaces/views); Slack refuses longer ones.
        for key in VIEW_LABELS:
            text = (args["view"].get(key) or {}).get("text", "")
            if len(text) > VIEW_LABEL_CHARS:
                return {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {
                        "messages": [
                            f"[ERROR] must be less than {VIEW_LABEL_CHARS + 1} characters "
                            f"[json-pointer:/view/{key}/text]"
                        ]
                    },
                }
        for i, block in enumerate(args["view"].get("blocks") or ()):
            # An action_id is unique among the elements of its block (block-elements);
            # Slack refuses a view that repeats one.
            ids = [e.get("action_id") for e in block.get("elements") or () if "action_id" in e]
            if len(ids) != len(set(ids)):
                return {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {
                        "messages": [
                            "[ERROR] action_id must be unique in a block "
                            f"[json-pointer:/view/blocks/{i}/elements]"
                        ]
                    },
                }
            element = block.get("element") or {}
            if element.get("type") == "radio_buttons" and len(element["options"]) > RADIO_OPTIONS:
                return {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {
                        "messages": [
                            f"[ERROR] must provide at most {RADIO_OPTIONS} items "
                            f"[json-pointer:/view/blocks/{i}/element/options]"
                        ]
                    },
                }
        trigger = str(args.get("trigger_id") or "")
        if trigger in self.triggers:
            if time.monotonic() - self.triggers[trigger] > TRIGGER_LIFETIME:
                return {"ok": False, "error": "expired_trigger_id"}
            if trigger in self._used_triggers:
                return {"ok": False, "error": "exchanged_trigger_id"}
            self._used_triggers.add(trigger)
        view_id = args.get("view_id") or f"V{next(self._ids):05d}"
        return {"ok": True, "view": {**args["view"], "id": view_id}}

    _views_open = _views_push = _views_update = _views_publish = _view

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        # filename and length are required; alt_txt (a picture's description) is optional.
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):05d}"
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "files": [{"id": f["id"], "title": f.get("title")} for f in args["files"]],
        }

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        if "files:read" not in self.scopes:
            return {"ok": False, "error": "missing_scope", "needed": "files:read"}
        file = self.files.get(str(args.get("file")))
        if file is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": file, "comments": [], "response_metadata": {}}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = args.get("usergroup", "")
        if group not in self.group_members:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": self.group_members[group]}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args["user"]
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self.users[user]}

    def _pins_add(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.base_url.replace("http", "ws") + "/link"}

    async def _respond(self, request: web.Request) -> web.Response:
        args = await self._args(request)
        args["_url"] = request.match_info["name"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.calls.append(Call("respond", args, time.monotonic(), peer=peer))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id}, time.monotonic()))
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _download(self, request: web.Request) -> web.StreamResponse:
        team, _, file_id = request.match_info["team_file"].partition("-")
        auth = request.headers.get("Authorization", "")
        self.calls.append(Call("download", {"file": file_id}, time.monotonic(), auth or None))
        allowed = self.bot_token is None or auth == f"Bearer {self.bot_token}"
        if not allowed or "files:read" not in self.scopes:
            return web.Response(body=SIGN_IN_PAGE, content_type="text/html")
        file = self.files.get(file_id)
        if team != self.team_id or file is None or file["name"] != request.match_info["name"]:
            return web.Response(status=404, text="file not found")
        if file_id not in self.chunked:
            return web.Response(body=self.file_bytes[file_id], content_type=file["mimetype"])
        stream = web.StreamResponse(headers={"Content-Type": file["mimetype"]})
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        content = self.file_bytes[file_id]
        for start in range(0, len(content), 256 * 1024):
            await stream.write(content[start : start + 256 * 1024])
        await stream.write_eof()
        return stream

    # ---- Socket Mode ---------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_messages.append(json.loads(message.data))
        return ws

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Push a Socket Mode envelope to the connected app; returns its envelope_id."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        await self.sockets[-1].send_json(envelope)
        return envelope_id

    async def ack_of(self, envelope_id: str) -> dict[str, Any]:
        """The app's Socket Mode ack of one envelope (5 s at most)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for message in self.socket_messages:
                if message.get("envelope_id") == envelope_id:
                    return message
            await asyncio.sleep(0.01)
        raise AssertionError(f"no ack for {envelope_id}")
