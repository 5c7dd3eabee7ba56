"""Several dispatcher processes on PostgreSQL, sending through a platform that paces new DMs
(as Discord's adapter does) so slowly that a claimed batch outlives its lease: the leases are
renewed while the rows wait, so another dispatcher never takes a row still being worked on,
and each message goes out once. A dispatcher SIGKILLed mid-way repeats at most what it had
in flight (sent, not yet marked)."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import OutboxMessage
from tests.outbox.worker import SEED_NOW, Sink, finish, seed, start_worker, status_counts, user_id

pytestmark = pytest.mark.postgres

ROWS = 1_000
BATCH = 100
LEASE = 1.5
"""Seconds. A batch of 100 takes 1.25 s to send at PACE; the next one, claimed as the first
starts, waits that long for its turn: without renewal, the later part of it would be sent
after its lease ran out, when another dispatcher may already have taken it."""
PACE = 80.0
"""New DMs a second, each worker (one at a time, as Discord's adapter opens DM channels)."""


async def start_workers(
    postgres_url: str, sink: Sink, count: int
) -> list[asyncio.subprocess.Process]:
    sink.expected_workers = count
    started = time.time()
    return [
        await start_worker(
            postgres_url,
            sink.url,
            now=SEED_NOW,
            batch=BATCH,
            rate=1000.0,
            worker=f"worker-{n}",
            ready=True,
            started=started,
            lease=LEASE,
            pace=PACE,
        )
        for n in range(1, count + 1)
    ]


async def marked_by(url: str, worker: str) -> int:
    """Rows `worker` marked sent (marking keeps the lease holder's name)."""
    db = Database(url)
    try:
        async with db.reading() as session:
            count = await session.scalar(
                select(func.count()).where(
                    OutboxMessage.status == "sent", OutboxMessage.leased_by == worker
                )
            )
            return int(count or 0)
    finally:
        await db.dispose()


@pytest.mark.parametrize("workers", [2, 3])
async def test_paced_dispatchers_send_each_row_once(
    postgres_url: str, sink: Sink, workers: int
) -> None:
    assert await seed(postgres_url, ROWS) == ROWS
    processes = await start_workers(postgres_url, sink, workers)
    results = await asyncio.gather(*(finish(p, within=60) for p in processes))
    for code, output in results:
        assert code == 0, output[-2000:]

    duplicated = {row: n for row, n in sink.arrivals.items() if n > 1}
    assert duplicated == {}, f"{len(duplicated)} rows sent more than once: {sink.by_worker}"
    assert set(sink.arrivals) == {user_id(i) for i in range(ROWS)}
    assert len(sink.by_worker) == workers  # each took part
    assert await status_counts(postgres_url) == {"sent": ROWS}
    # Nothing was sent by one dispatcher and marked by another.
    for output in (output for _, output in results):
        assert "could not be marked" not in output


async def test_a_dispatcher_killed_mid_way_repeats_at_most_its_in_flight(
    postgres_url: str, sink: Sink
) -> None:
    assert await seed(postgres_url, ROWS) == ROWS
    processes = await start_workers(postgres_url, sink, 3)
    victim = processes[0]
    sink.kill_at = (300, victim.pid)
    results = await asyncio.gather(*(finish(p, within=60) for p in processes))
    assert results[0][0] == -9, results[0][1][-2000:]
    for code, output in results[1:]:
        assert code == 0, output[-2000:]

    assert set(sink.arrivals) == {user_id(i) for i in range(ROWS)}  # nothing lost
    assert await status_counts(postgres_url) == {"sent": ROWS}
    duplicates = sink.total - ROWS
    in_flight = sink.by_worker["worker-1"] - await marked_by(postgres_url, "worker-1")
    assert in_flight <= 2 * BATCH, in_flight
    assert duplicates <= in_flight, (duplicates, in_flight, sink.by_worker)
    assert max(sink.arrivals.values()) <= 2
