"""The bot's small HTTP server: personal calendar feeds, `/healthz` and `/metrics`.

Off unless S4B_HTTP_PORT is set. Feed URLs carry a secret token; an unknown token gets
the same 404 as a missing page, so tokens cannot be probed. Access logs are off: they
would hold the tokens.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from s4b_bot.core import Core
from s4b_bot.dispatch import Dispatcher
from s4b_bot.metrics import REGISTRY

_log = logging.getLogger(__name__)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class Probes:
    """What /healthz checks besides the database: the dispatcher and each adapter."""

    dispatcher: Dispatcher | None = None
    adapters: Mapping[str, Callable[[], bool]] = field(default_factory=dict)
    dispatcher_stale_after: timedelta = timedelta(minutes=2)


CORE_KEY = web.AppKey("core", Core)
PROBES_KEY = web.AppKey("probes", Probes)


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


async def healthz(request: web.Request) -> web.Response:
    core, probes = request.app[CORE_KEY], request.app[PROBES_KEY]
    checks: dict[str, bool] = {"database": await core.database_ok()}
    if probes.dispatcher is not None:
        age = core.clock.now() - probes.dispatcher.last_round_at
        checks["dispatcher"] = age <= probes.dispatcher_stale_after
    for name, connected in probes.adapters.items():
        checks[name] = connected()
    healthy = all(checks.values())
    return web.json_response(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


async def metrics(request: web.Request) -> web.Response:
    await request.app[CORE_KEY].refresh_queue_metrics()
    return web.Response(
        body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


def build_app(core: Core, probes: Probes | None = None) -> web.Application:
    app = web.Application()
    app[CORE_KEY] = core
    app[PROBES_KEY] = probes or Probes()
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_server(
    core: Core, *, host: str, port: int, probes: Probes | None = None
) -> web.AppRunner:
    """Start serving; the caller cleans up with `await runner.cleanup()`."""
    runner = web.AppRunner(build_app(core, probes), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    _log.info("HTTP server listening on %s:%s", host, port)
    return runner
