"""Run the Slack adapter until asked to stop: Socket Mode, or HTTP behind a URL.

Socket Mode (SLACK_APP_TOKEN) needs no public URL and suits one deployment. HTTP mode
(SLACK_SIGNING_SECRET, SLACK_HTTP_PORT) is for several workers behind a load balancer
or Marketplace distribution: Slack sends each request to the Request URL and bolt
verifies it. Both run inside the caller's event loop, beside Discord and the dispatcher.

Slack's 3 s for an ack count from its send, so each request is stamped on arrival, before
bolt sees it, and the stamp rides in bolt's context (`deadline.RECEIVED`): a listener that
starts late on a busy event loop knows how much of the 3 s is already gone.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, MutableMapping

from aiohttp import WSMessage, WSMsgType, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import deadline
from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from s4b_bot import Core, Platform

_log = logging.getLogger(__name__)
BOT_KEY = web.AppKey("slack_bot", SlackBot)
ENVELOPE_ID = re.compile(r'"envelope_id"\s*:\s*"([^"\\]+)"')
BACKLOG = 2048
"""Connections the kernel may hold before the loop accepts them (aiohttp's default is 128;
Linux caps it at net.core.somaxconn). Past it, new connections' SYNs are dropped and
retried a second later, unseen by any stamp: a burst of 1,000 then acks after 3 s."""
STAMPS_KEPT = 10_000
"""Arrival stamps of envelopes not yet dispatched; beyond this, stale ones are dropped."""


async def _events(request: web.Request) -> web.Response:
    received = deadline.clock()  # first: the 3 s started before this handler did
    bot = request.app[BOT_KEY]
    bolt_request = await to_bolt_request(request)
    bolt_request.context[deadline.RECEIVED] = received
    response = await bot.app.async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


async def _health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _shared_session(app: web.Application) -> AsyncIterator[None]:
    """From setup to cleanup, the bot's Web API calls share one kept-alive session."""
    bot = app[BOT_KEY]
    await bot.open_session()
    yield
    await bot.close_session()


def http_app(bot: SlackBot) -> web.Application:
    """The aiohttp app for HTTP mode: Slack's Request URL, and a health check."""
    app = web.Application(client_max_size=1024**2)
    app[BOT_KEY] = bot
    app.cleanup_ctx.append(_shared_session)
    app.router.add_post(bot.config.http_path, _events)
    app.router.add_get("/healthz", _health)
    return app


async def start_http(bot: SlackBot, *, host: str, port: int) -> web.AppRunner:
    """Listen for Slack's requests; the caller cleans up with `await runner.cleanup()`."""
    if not bot.config.signing_secret:
        raise ValueError("HTTP mode needs SLACK_SIGNING_SECRET")
    runner = web.AppRunner(http_app(bot), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port, backlog=BACKLOG).start()
    _log.info("Slack HTTP mode listening on %s:%s%s", host, port, bot.config.http_path)
    return runner


class StampedSocketModeHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler, with each envelope stamped when its frame is read.

    slack_sdk queues the frames and a single task hands them out, so under load an
    envelope may wait in the queue; its stamp is taken by the client's on-message hook,
    in the receiving loop, and given to bolt in the request context as in HTTP mode.
    """

    def __init__(self, app: AsyncApp, *, app_token: str, web_client: AsyncWebClient) -> None:
        super().__init__(app, app_token=app_token, web_client=web_client)
        self.arrivals: dict[str, float] = {}
        self.client.on_message_listeners.append(self._stamp)

    async def _stamp(self, message: WSMessage) -> None:
        if message.type != WSMsgType.TEXT or not isinstance(message.data, str):
            return
        found = ENVELOPE_ID.search(message.data)
        if found is None:
            return
        now = deadline.clock()
        if len(self.arrivals) >= STAMPS_KEPT:
            self.arrivals = {k: t for k, t in self.arrivals.items() if now - t < 60}
        self.arrivals[found.group(1)] = now

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        received = self.arrivals.pop(req.envelope_id, None)
        start = time.time()
        bolt_request = AsyncBoltRequest(
            mode="socket_mode",
            body=req.payload,
            headers=build_headers(req),
            context={deadline.RECEIVED: deadline.clock() if received is None else received},
        )
        response = await self.app.async_dispatch(bolt_request)
        await send_async_response(client, req, response, start)


async def serve(bot: SlackBot, stop: asyncio.Event) -> None:
    """Receive Slack's requests until `stop` is set, then wait for listeners to finish.

    While serving, every Web API call shares one kept-alive session (`SlackBot.open_session`).
    """
    await bot.open_session()
    try:
        await _receive(bot, stop)
    finally:
        await bot.close_session()


async def _receive(bot: SlackBot, stop: asyncio.Event) -> None:
    mode = bot.config.resolved_mode
    if mode == "socket":
        handler = StampedSocketModeHandler(
            bot.app, app_token=bot.config.secret("app_token"), web_client=bot.platform.client
        )
        await handler.connect_async()  # type: ignore[no-untyped-call]
        _log.info("Slack Socket Mode connected")
        bot.connected = True
        try:
            await stop.wait()
        finally:
            bot.connected = False
            await handler.close_async()  # type: ignore[no-untyped-call]
    elif mode == "http":
        assert bot.config.http_port is not None
        runner = await start_http(bot, host=bot.config.http_host, port=bot.config.http_port)
        bot.connected = True
        try:
            await stop.wait()
        finally:
            bot.connected = False
            await runner.cleanup()
    else:
        raise ValueError(
            "Slack needs SLACK_BOT_TOKEN and either SLACK_APP_TOKEN (Socket Mode) or "
            "SLACK_SIGNING_SECRET with SLACK_HTTP_PORT (HTTP mode)"
        )


async def run_slack(
    core: Core,
    platforms: MutableMapping[str, Platform],
    *,
    config: SlackConfig | None = None,
    stop: asyncio.Event,
) -> None:
    """Build, register the Platform in `platforms` (before any await), and serve.

    The caller builds its Dispatcher with the same `platforms` mapping; the entry is in
    place as soon as this coroutine starts, so create the Dispatcher after that, or use
    `build_slack` + `serve` to control the order.
    """
    bot = build_slack(core, config)
    platforms["slack"] = bot.platform
    await serve(bot, stop)
