"""Two dispatcher processes sharing one PostgreSQL database: `FOR UPDATE SKIP LOCKED` and
the lease keep them off each other's rows, so each message goes out exactly once."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest

from tests.outbox.worker import SEED_NOW, Sink, finish, seed, start_worker, status_counts, user_id

pytestmark = pytest.mark.postgres

ROWS = 1_000
BATCH = 50
RATE = 300.0
"""Each worker's pace: slow enough that neither can finish before the other gets going."""


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    server = Sink(expected_workers=2)
    await server.start()
    yield server
    await server.stop()


async def test_two_dispatchers_send_each_row_exactly_once(postgres_url: str, sink: Sink) -> None:
    started = time.monotonic()
    assert await seed(postgres_url, ROWS) == ROWS

    workers = [
        await start_worker(
            postgres_url,
            sink.url,
            now=SEED_NOW,
            batch=BATCH,
            rate=RATE,
            worker=f"worker-{n}",
            ready=True,  # both check in, then start sending together
        )
        for n in (1, 2)
    ]
    results = await asyncio.gather(*(finish(w, within=25) for w in workers))
    for code, output in results:
        assert code == 0, output[-2000:]
    reported = {json.loads(output.strip().splitlines()[-1])["worker"] for _, output in results}
    assert reported == {"worker-1", "worker-2"}

    assert set(sink.arrivals) == {user_id(i) for i in range(ROWS)}  # 0 lost
    assert sink.total == ROWS  # 0 duplicates
    assert max(sink.arrivals.values()) == 1
    # Both took part, and together they sent everything.
    assert set(sink.by_worker) == {"worker-1", "worker-2"}
    assert min(sink.by_worker.values()) >= BATCH, sink.by_worker
    assert sum(sink.by_worker.values()) == ROWS
    assert await status_counts(postgres_url) == {"sent": ROWS}
    assert time.monotonic() - started < 30
