"""Run the Slack adapter until asked to stop: Socket Mode, or HTTP behind a URL.

Socket Mode (SLACK_APP_TOKEN) needs no public URL and suits one deployment. HTTP mode
(SLACK_SIGNING_SECRET, SLACK_HTTP_PORT) is for several workers behind a load balancer
or Marketplace distribution: Slack sends each request to the Request URL and bolt
verifies it. Both run inside the caller's event loop, beside Discord and the dispatcher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableMapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from s4b_bot.core import Core
from s4b_bot.ports import Platform

_log = logging.getLogger(__name__)
BOT_KEY = web.AppKey("slack_bot", SlackBot)


async def _events(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    response = await bot.app.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(response)


async def _health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def http_app(bot: SlackBot) -> web.Application:
    """The aiohttp app for HTTP mode: Slack's Request URL, and a health check."""
    app = web.Application(client_max_size=1024**2)
    app[BOT_KEY] = bot
    app.router.add_post(bot.config.http_path, _events)
    app.router.add_get("/healthz", _health)
    return app


async def start_http(bot: SlackBot, *, host: str, port: int) -> web.AppRunner:
    """Listen for Slack's requests; the caller cleans up with `await runner.cleanup()`."""
    if not bot.config.signing_secret:
        raise ValueError("HTTP mode needs SLACK_SIGNING_SECRET")
    runner = web.AppRunner(http_app(bot), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    _log.info("Slack HTTP mode listening on %s:%s%s", host, port, bot.config.http_path)
    return runner


async def serve(bot: SlackBot, stop: asyncio.Event) -> None:
    """Receive Slack's requests until `stop` is set, then wait for listeners to finish."""
    mode = bot.config.resolved_mode
    if mode == "socket":
        handler = AsyncSocketModeHandler(
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
    await bot.settled()


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
