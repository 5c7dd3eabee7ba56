"""The bot's small HTTP server: personal calendar feeds (and, later, health and metrics).

Off unless S4B_HTTP_PORT is set. Feed URLs carry a secret token; an unknown token gets
the same 404 as a missing page, so tokens cannot be probed.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web

from s4b_bot.core import Core

_log = logging.getLogger(__name__)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CORE_KEY = web.AppKey("core", Core)


async def calendar_feed(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    feed = await request.app[CORE_KEY].calendar_feed(token) if _TOKEN.match(token) else None
    if feed is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=feed,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


def build_app(core: Core) -> web.Application:
    app = web.Application()
    app[CORE_KEY] = core
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    return app


async def start_server(core: Core, *, host: str, port: int) -> web.AppRunner:
    """Start serving; the caller cleans up with `await runner.cleanup()`."""
    runner = web.AppRunner(build_app(core), access_log=None)  # access logs would hold tokens
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    _log.info("HTTP server listening on %s:%s", host, port)
    return runner
