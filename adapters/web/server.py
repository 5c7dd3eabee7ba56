"""The bot's small HTTP servers: personal calendar feeds, summary pages and `/healthz` on
the public one, Prometheus `/metrics` on a listener of its own.

The public server is off unless S4B_HTTP_PORT is set. Feed URLs carry a secret token; an
unknown token gets the same 404 as a missing page, so tokens cannot be probed. Access logs
are off: they would hold the tokens. A summary page answers at
/summaries/<series>/<session> when public, and at that address plus its secret token either
way; an unlisted page's plain address is a 404 too. A series' year in review answers the same
way at /reviews/<series> and /reviews/<series>/<token>. The metrics listener
(S4B_METRICS_PORT) binds to loopback unless told otherwise, and with S4B_METRICS_TOKEN
wants `Authorization: Bearer`.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from s4b_bot import METRICS_REGISTRY, Core, Dispatcher

_log = logging.getLogger(__name__)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_NUMBER = re.compile(r"^[0-9]{1,5}$")  # ASCII digits: int() would take "١" too


@dataclass
class Probes:
    """What /healthz checks besides the database: the dispatcher and each adapter."""

    dispatcher: Dispatcher | None = None
    adapters: Mapping[str, Callable[[], bool]] = field(default_factory=dict)
    dispatcher_stale_after: timedelta = timedelta(minutes=2)


CORE_KEY = web.AppKey("core", Core)
PROBES_KEY = web.AppKey("probes", Probes)
METRICS_TOKEN_KEY = web.AppKey("metrics_token", str | None)
METRICS_MAX_AGE_KEY = web.AppKey("metrics_max_age", float)
QUEUE_READ_EVERY = 10.0
"""Seconds between reads of the outbox for the queue's gauges, however often it is scraped."""


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


_PAGE_HEADERS = {
    "Cache-Control": "no-cache",  # an edit of the summary shows at once
    "Referrer-Policy": "no-referrer",  # a secret address is not sent on to linked sites
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
}


async def summary_page(request: web.Request) -> web.Response:
    info = request.match_info
    token = info.get("token")
    page = None
    if _NUMBER.match(info["number"]) and (token is None or _TOKEN.match(token)):
        page = await request.app[CORE_KEY].summary_page(info["series"], int(info["number"]), token)
    return _page(page, token)


def _page(text: str | None, token: str | None) -> web.Response:
    if text is None:
        raise web.HTTPNotFound()
    headers = dict(_PAGE_HEADERS)
    if token is not None:
        headers["X-Robots-Tag"] = "noindex"
    return web.Response(text=text, content_type="text/html", charset="utf-8", headers=headers)


async def review_page(request: web.Request) -> web.Response:
    token = request.match_info.get("token")
    page = None
    if token is None or _TOKEN.match(token):
        page = await request.app[CORE_KEY].review_page(request.match_info["series"], token)
    return _page(page, token)


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
    token = request.app[METRICS_TOKEN_KEY]
    if token is not None and not hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
    ):
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
    await request.app[CORE_KEY].refresh_queue_metrics(max_age=request.app[METRICS_MAX_AGE_KEY])
    return web.Response(
        body=generate_latest(METRICS_REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


def build_app(core: Core, probes: Probes | None = None) -> web.Application:
    app = web.Application()
    app[CORE_KEY] = core
    app[PROBES_KEY] = probes or Probes()
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    app.router.add_get("/summaries/{series}/{number}", summary_page)
    app.router.add_get("/summaries/{series}/{number}/{token}", summary_page)
    app.router.add_get("/reviews/{series}", review_page)
    app.router.add_get("/reviews/{series}/{token}", review_page)
    app.router.add_get("/healthz", healthz)
    return app


def build_metrics_app(
    core: Core, *, token: str | None = None, max_age: float = QUEUE_READ_EVERY
) -> web.Application:
    """`/metrics` alone; the queue's gauges are read at most every `max_age` seconds."""
    app = web.Application()
    app[CORE_KEY] = core
    app[METRICS_TOKEN_KEY] = token
    app[METRICS_MAX_AGE_KEY] = max_age
    app.router.add_get("/metrics", metrics)
    return app


async def start_server(
    core: Core, *, host: str, port: int, probes: Probes | None = None
) -> web.AppRunner:
    """Start the public server; the caller cleans up with `await runner.cleanup()`."""
    return await _serve(build_app(core, probes), host, port, "HTTP server")


async def start_metrics_server(
    core: Core, *, host: str, port: int, token: str | None = None
) -> web.AppRunner:
    """Start the metrics listener; the caller cleans up with `await runner.cleanup()`."""
    return await _serve(build_metrics_app(core, token=token), host, port, "metrics")


async def _serve(app: web.Application, host: str, port: int, what: str) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    _log.info("%s listening on %s:%s", what, host, port)
    return runner
