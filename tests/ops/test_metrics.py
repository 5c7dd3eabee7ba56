"""/metrics apart from the public feeds: on its own listener (loopback by default), behind a
bearer token when one is set, and cached and read-only, so scrapers never queue behind or
hold up a command (SQLite's write lock)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.web.server import start_metrics_server, start_server
from s4b_bot.core import Core
from storage import outbox
from tests.ops.test_operations import run_bot

TOKEN = "metrics-token-9f8e7d6c5b4a"


@pytest.fixture
async def metrics_url(
    sqlite_core: Core, unused_tcp_port_factory: Callable[[], int]
) -> AsyncIterator[tuple[str, str]]:
    """The public server's base URL and the metrics listener's, with TOKEN set."""
    public, private = unused_tcp_port_factory(), unused_tcp_port_factory()
    runners: list[web.AppRunner] = [
        await start_server(sqlite_core, host="127.0.0.1", port=public),
        await start_metrics_server(sqlite_core, host="127.0.0.1", port=private, token=TOKEN),
    ]
    yield f"http://127.0.0.1:{public}", f"http://127.0.0.1:{private}/metrics"
    for runner in runners:
        await runner.cleanup()


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.text()


async def test_metrics_are_not_on_the_public_port(metrics_url: tuple[str, str]) -> None:
    public, _ = metrics_url
    assert (await get(f"{public}/metrics"))[0] == 404
    assert (await get(f"{public}/healthz"))[0] == 200  # the load balancer still checks it


async def test_the_metrics_listener_wants_the_token(metrics_url: tuple[str, str]) -> None:
    _, metrics = metrics_url
    for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        status, body = await get(metrics, headers)
        assert status == 401 and "s4b_" not in body, headers
    status, body = await get(metrics, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "s4b_outbox_rows" in body


async def test_a_scrape_neither_waits_for_nor_takes_the_write_lock(sqlite_core: Core) -> None:
    """A command holding SQLite's write lock (here another connection) does not hold up a
    scrape, so a scrape cannot be holding that lock either: no scraper delays a command."""
    path = sqlite_core.db.url.database
    assert path is not None
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        await asyncio.wait_for(sqlite_core.refresh_queue_metrics(), 10)
        assert time.monotonic() - started < 2.0
    finally:
        writer.execute("ROLLBACK")
        writer.close()


async def test_simultaneous_scrapes_read_the_database_once(
    metrics_url: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = 0
    counts_by_status = outbox.counts_by_status

    async def counted(db: Any) -> dict[str, int]:
        nonlocal reads
        reads += 1
        return await counts_by_status(db)

    monkeypatch.setattr(outbox, "counts_by_status", counted)
    _, metrics = metrics_url
    answers = await asyncio.gather(
        *(get(metrics, {"Authorization": f"Bearer {TOKEN}"}) for _ in range(10))
    )
    assert [status for status, _ in answers] == [200] * 10
    assert reads == 1


def test_check_refuses_metrics_off_loopback_without_a_token() -> None:
    result = run_bot("check", env={"S4B_METRICS_PORT": "9464", "S4B_METRICS_HOST": "0.0.0.0"})
    assert result.returncode == 2 and "S4B_METRICS_TOKEN is unset" in result.stderr
    result = run_bot(
        "check",
        env={"S4B_METRICS_PORT": "9464", "S4B_METRICS_HOST": "0.0.0.0", "S4B_METRICS_TOKEN": TOKEN},
    )
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr
