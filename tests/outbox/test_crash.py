"""The crash guarantee, with a real process: a dispatcher SIGKILLed in the middle of a
fan-out loses nothing, and the next one repeats at most the batch that was in flight.

Rows sent but not yet marked (they are marked in groups) are sent again once their lease
runs out; rows marked sent never are.
"""

from __future__ import annotations

import time
from datetime import timedelta

from tests.outbox.worker import SEED_NOW, Sink, finish, seed, start_worker, status_counts, user_id

ROWS = 500
BATCH = 50
KILL_AT = 165
"""Arrivals before the kill: 15 rows into the fourth batch, before its first group of 20 is
marked, so some rows are certainly sent and unmarked when the process dies."""
RATE = 200.0
"""Sends a second while the kill is pending: paced, so the fan-out is still under way."""


async def test_sigkill_mid_fan_out_loses_nothing_and_repeats_at_most_one_batch(
    database_url: str, sink: Sink
) -> None:
    started = time.monotonic()
    assert await seed(database_url, ROWS) == ROWS

    first = await start_worker(database_url, sink.url, now=SEED_NOW, batch=BATCH, rate=RATE)
    sink.kill_at = (KILL_AT, first.pid)
    code, output = await finish(first, within=20)
    assert code == -9, f"the worker was not killed (exit {code}): {output[-2000:]}"
    assert sink.killed_after == KILL_AT
    arrived_before_restart = sink.total
    marked = (await status_counts(database_url)).get("sent", 0)
    # The crash window was hit: some rows went out but were never marked sent.
    assert marked < arrived_before_restart < ROWS, (marked, arrived_before_restart)

    later = SEED_NOW + timedelta(minutes=3)  # past the 2-minute lease of the dead worker
    second = await start_worker(database_url, sink.url, now=later, batch=BATCH, rate=5000)
    code, output = await finish(second, within=20)
    assert code == 0, output[-2000:]

    expected = {user_id(i) for i in range(ROWS)}
    assert set(sink.arrivals) == expected  # nothing lost, nothing stray
    duplicates = sink.total - ROWS
    assert 0 < duplicates <= BATCH, duplicates
    # Only rows the dead worker sent without marking can come twice, each at most once more.
    assert max(sink.arrivals.values()) == 2
    assert duplicates == arrived_before_restart - marked
    assert await status_counts(database_url) == {"sent": ROWS}
    assert sink.posts == 0
    assert time.monotonic() - started < 30
