"""The far side of the burst benchmark: the mock Slack and the mock Discord in a process of
their own, so the bot process shares its CPU with nothing a real deployment would not run.

    python -m bench.platforms slack|slack-api|discord   (started by bench.burst and
                                                         bench.scaleout, not by hand)

It talks to its parent with one JSON object a line on stdin/stdout. Times are
`time.monotonic()` (CLOCK_MONOTONIC on Linux), comparable between the two processes.

- slack: Slack itself. It serves the mock Web API, and sends the signed view_submission
  requests to the bot's HTTP endpoint: a few warm-up ones, then every member's at once.
  It reports, per member, when the HTTP answer (the ack) came back and when the
  confirmation and the App Home tab reached the mock.
- slack-api: the mock Web API only, for bench.scaleout (its load goes to several bot
  processes); asked, it lists the DMs each member received.
- discord: Discord's REST API (the interaction callbacks and webhooks). The gateway
  events are fed inside the bot process; this side notes when each request path was
  first seen and answers `GET /_bench/wait` and `GET /_bench/seen` for the parent.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from tests.adapters.discord.mock_discord import MockDiscord, Request
from tests.adapters.slack.mock_slack import MockSlack
from tests.adapters.slack.slackreq import signed_headers, submission_body

SETTLE = 120.0
WARMUP = 3

Send = Callable[[dict[str, Any]], None]
Receive = Callable[[], Awaitable[dict[str, Any]]]


def slack_user(i: int) -> str:
    return f"U{i + 10:07d}"


def slack_view(i: int) -> str:
    return f"V{i + 10:07d}"


async def poll(done: Callable[[], bool], *, within: float, every: float = 0.05) -> bool:
    for _ in range(int(within / every) + 1):
        if done():
            return True
        await asyncio.sleep(every)
    return done()


# --- Slack -------------------------------------------------------------------------------


def slack_arrivals(mock: MockSlack, members: range) -> dict[str, dict[int, float]]:
    """When each member's confirmation (DM or modal update) and App Home reached the mock."""
    by_channel = {"D" + slack_user(i).lstrip("U"): i for i in members}
    by_view = {slack_view(i): i for i in members}
    by_user = {slack_user(i): i for i in members}
    final: dict[int, float] = {}
    home: dict[int, float] = {}
    for call in list(mock.calls):
        i: int | None = None
        if call.method == "chat.postMessage":
            i = by_channel.get(str(call.args.get("channel")))
        elif call.method == "views.update":
            i = by_view.get(str(call.args.get("view_id")))
        elif call.method == "views.publish":
            j = by_user.get(str(call.args.get("user_id")))
            if j is not None:
                home.setdefault(j, call.at)
        if i is not None:
            final.setdefault(i, call.at)
    return {"final": final, "home": home}


def slack_confirmed(mock: MockSlack, members: range) -> list[int]:
    """Members whose first confirmation says they are registered."""
    by_channel = {"D" + slack_user(i).lstrip("U"): i for i in members}
    by_view = {slack_view(i): i for i in members}
    seen: dict[int, bool] = {}
    for call in mock.calls:
        if call.method == "chat.postMessage":
            i = by_channel.get(str(call.args.get("channel")))
        elif call.method == "views.update":
            i = by_view.get(str(call.args.get("view_id")))
        else:
            continue
        if i is not None and i not in seen:
            seen[i] = "you are registered" in json.dumps(call.args)
    return [i for i, ok in seen.items() if ok]


class CountingSlack(MockSlack):
    """The mock Slack, also counting the TCP connections its Web API calls came on."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: set[object] = set()

    async def _api(self, request: web.Request) -> web.Response:
        transport = request.transport
        self.peers.add(transport.get_extra_info("peername") if transport else None)
        return await super()._api(request)


async def slack_side(send: Send, receive: Receive) -> None:
    mock = CountingSlack()
    await mock.start()
    send({"api_url": mock.api_url})
    setup = await receive()
    url, secret, view = setup["url"], setup["secret"], setup["view"]
    answers: Callable[[int], dict[str, Any]] = lambda i: {  # noqa: E731
        **setup["answers"],
        "name": f"Member {i}",
        "email": f"member{i}@example.org",
        "sessions": tuple(setup["answers"]["sessions"]),
    }

    def body(i: int) -> str:
        return submission_body(
            {**view, "id": slack_view(i)}, answers(i), user=(slack_user(i), f"member{i}")
        )

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def post(payload: str, headers: dict[str, str]) -> tuple[int, str]:
            async with http.post(url, data=payload, headers=headers) as response:
                return response.status, await response.text()

        warm = range(-WARMUP, 0)
        for i in warm:
            await post(body(i), signed_headers(secret, body(i)))
        await poll(lambda: len(slack_arrivals(mock, warm)["home"]) >= WARMUP, within=10)
        mock.clear()
        mock.peers.clear()
        members = range(setup["members"])
        bodies = [body(i) for i in members]
        headers = [signed_headers(secret, b) for b in bodies]
        ack: dict[int, float] = {}
        answered: dict[int, str] = {}
        in_ack: dict[int, float] = {}  # the ack itself was the confirmation (core in time)

        async def one(i: int) -> None:
            status, text = await post(bodies[i], headers[i])
            ack[i] = time.monotonic()
            answered[i] = f"HTTP {status}" if status != 200 else text[:60]
            if status == 200 and "you are registered" in text:
                in_ack[i] = ack[i]

        def finals() -> dict[int, float]:
            return {**slack_arrivals(mock, members)["final"], **in_ack}

        send({"event": "burst"})
        t0 = time.monotonic()
        await asyncio.gather(*(one(i) for i in members))
        await poll(lambda: len(finals()) >= len(ack), within=SETTLE)
        await poll(lambda: len(slack_arrivals(mock, members)["home"]) >= len(ack), within=30)
    arrivals = slack_arrivals(mock, members)
    send(
        {
            "event": "done",
            "t0": t0,
            "ack": ack,
            "answered": answered,
            "final": finals(),
            "home": arrivals["home"],
            "confirmed": slack_confirmed(mock, members) + list(in_ack),
            "busy_updates": len(mock.to("views.update")),
            "calls": len(mock.calls),
            "connections": len(mock.peers),
        }
    )
    await receive()
    await mock.stop()


async def slack_api_side(send: Send, receive: Receive) -> None:
    """Only Slack's Web API, for `bench.scaleout` (whose load generator sends the requests
    itself): knows members 0..N-1 (users.info), and answers `{"dms": true}` with the
    text of every chat.postMessage to each member's DM channel and, for each modal
    updated, whether its last update confirmed a registration."""
    mock = CountingSlack()
    await mock.start()
    send({"api_url": mock.api_url})
    while (message := await receive()) and not message.get("quit"):
        if "members" in message:
            for i in range(-10, message["members"]):  # and the warm-ups
                mock.add_user(slack_user(i), f"member{i}", real_name=f"Member {i}")
            send({"members": message["members"]})
        if message.get("dms"):
            dms: dict[str, list[str]] = {}
            updated: dict[str, bool] = {}  # view id: whether its last update says registered
            for call in list(mock.calls):
                channel = str(call.args.get("channel"))
                if call.method == "chat.postMessage" and channel.startswith("D"):
                    dms.setdefault(channel, []).append(str(call.args.get("text")))
                elif call.method == "views.update":
                    registered = "you are registered" in json.dumps(call.args)
                    updated[str(call.args.get("view_id"))] = registered
            send({"dms": dms, "updated": updated, "calls": len(mock.calls)})
    await mock.stop()


# --- Discord -----------------------------------------------------------------------------


class TimedDiscord(MockDiscord):
    """The mock Discord REST API, noting when each request path was first seen (and its
    body), with two control routes for the parent process."""

    def __init__(self) -> None:
        super().__init__()
        self.first: dict[str, tuple[float, Any]] = {}

    def _answer(self, r: Request) -> web.StreamResponse:
        self.first.setdefault(f"{r.method} {r.path}", (time.monotonic(), r.body))
        return super()._answer(r)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/_bench/wait":
            return await self._wait(request)
        if request.path == "/_bench/seen":
            return web.json_response(self._matching(request.query["pattern"]))
        return await super()._handle(request)

    def _matching(self, pattern: str) -> dict[str, tuple[float, Any]]:
        compiled = re.compile(pattern)
        return {k: v for k, v in list(self.first.items()) if compiled.fullmatch(k)}

    async def _wait(self, request: web.Request) -> web.Response:
        """Answer once `count` paths matching `pattern` were seen (or `within` passed)."""
        compiled = re.compile(request.query["pattern"])
        count, within = int(request.query["count"]), float(request.query["within"])

        def seen() -> int:
            return sum(1 for k in list(self.first) if compiled.fullmatch(k))

        await poll(lambda: seen() >= count, within=within)
        return web.json_response({"count": seen()})


async def discord_side(send: Send, receive: Receive) -> None:
    mock = TimedDiscord()
    await mock.start()
    send({"base": mock.base, "root": mock.root})
    await receive()
    await mock.close()


# --- plumbing ----------------------------------------------------------------------------


async def main(kind: str) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def send(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    async def receive() -> dict[str, Any]:
        line = await reader.readline()
        return json.loads(line) if line.strip() else {}

    side = {"slack": slack_side, "slack-api": slack_api_side, "discord": discord_side}[kind]
    await side(send, receive)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
