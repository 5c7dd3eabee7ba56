"""Fan-out benchmark: how close one Dispatcher comes to a platform's rate limit.

    python -m bench.fanout [--members N] [--rate R] [--db URL]

N registrants of the Spring session each have one reminder due; one Dispatcher sends them
through an in-process fake platform that enforces R messages a second over a sliding
one-second window (over the limit it raises RetryLater, as a 429 would, and counts it).
The dispatcher is configured with the same rate. Time runs from real time, shifted so
that "now" starts at 2025-04-28 12:00 UTC (the day before the session), because the
dispatcher reschedules a rejected row by its injected clock.

Setup (creating the rows, in a process of its own) is not timed, nor in the peak RSS.
The default database is a fresh SQLite file in a temporary folder; a
`--db postgresql://...` database is EMPTIED first.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import pstats
import resource
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from s4b_bot.errors import RetryLater
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Message
from s4b_bot.ports import ModerationAction, Recipient, SessionEvent
from s4b_bot.settings import Settings
from storage import outbox
from storage.db import Database, sqlite_url
from tests.outbox.worker import PLATFORM, SEED_NOW, seed

WINDOW = 1.0


class ShiftedClock:
    """Real time, moved so that it reads `start` at the moment it is made."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class RateLimitedPlatform:
    """A platform allowing `rate` messages in any one-second window, like a real API's 429."""

    rate: int
    name: str = PLATFORM
    arrivals: Counter[str] = field(default_factory=Counter)
    rejected: int = 0
    _window: deque[float] = field(default_factory=deque)

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        self._admit()
        self.arrivals[recipient.user_id] += 1

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        self._admit()
        self.arrivals[f"#{community}/{channel}"] += 1
        return None

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        self._admit()

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        self._admit()
        return None

    def _admit(self) -> None:
        now = time.monotonic()
        while self._window and self._window[0] <= now - WINDOW:
            self._window.popleft()
        if len(self._window) >= self.rate:
            self.rejected += 1
            raise RetryLater("429 Too Many Requests", delay=self._window[0] + WINDOW - now)
        self._window.append(now)


@dataclass
class Result:
    members: int
    rate: int
    seconds: float
    arrivals: Counter[str]
    rejected: int
    statuses: dict[str, int]

    @property
    def delivered(self) -> int:
        return len(self.arrivals)

    @property
    def achieved_rate(self) -> float:
        return self.delivered / self.seconds

    def lines(self) -> list[str]:
        duplicates = sum(self.arrivals.values()) - self.delivered
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return [
            f"members: {self.members}",
            f"rate_limit: {self.rate}",
            f"seconds: {self.seconds:.2f}",
            f"achieved_rate: {self.achieved_rate:.1f}",
            f"ratio: {self.achieved_rate / self.rate:.3f}",
            f"duplicates: {duplicates}",
            f"lost: {self.members - self.delivered}",
            f"rejected_by_limit: {self.rejected}",
            f"peak_rss_mb: {peak_rss_mb:.0f}",
        ]


def seed_elsewhere(url: str, members: int) -> None:
    """Create the rows in a process of its own: the peak RSS reported is the dispatcher's
    run, not the seeding's 100,000 objects."""
    process = multiprocessing.get_context("spawn").Process(target=_seed, args=(url, members))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"seeding failed (exit {process.exitcode})")


def _seed(url: str, members: int) -> None:
    asyncio.run(seed(url, members, now=SEED_NOW, migrate=True))


async def fan_out(
    url: str,
    *,
    members: int,
    rate: int,
    batch: int,
    concurrency: int,
    time_limit: float,
    profiler: cProfile.Profile | None = None,
) -> Result:
    seed_elsewhere(url, members)
    db = Database(url)
    platform = RateLimitedPlatform(rate)
    clock = ShiftedClock(SEED_NOW)
    dispatcher = Dispatcher(
        db,
        platforms={PLATFORM: platform},
        clock=clock,
        settings=Settings(_env_file=None, dispatch_rate={PLATFORM: float(rate)}),
        batch=batch,
        concurrency=concurrency,
    )
    if profiler is not None:
        profiler.enable()
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < time_limit:
            # drain() is production's loop body: the next batch is drawn while one sends.
            if await dispatcher.drain():
                continue
            async with db.transaction() as session:
                due = await outbox.next_due(session, platforms=[PLATFORM])
            if due is None:  # nothing pending: every row is sent or failed
                break
            wait = (due - clock.now()).total_seconds()
            await asyncio.sleep(min(max(wait, 0.01), 1.0))
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
        async with db.transaction() as session:
            statuses = await outbox.counts_by_status(session)
    finally:
        await db.dispose()
    return Result(members, rate, seconds, platform.arrivals, platform.rejected, statuses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=500, help="the platform's limit, per second")
    parser.add_argument("--db", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--batch", type=int, default=100, help="Dispatcher batch (its default)")
    parser.add_argument("--concurrency", type=int, default=8, help="Dispatcher concurrency")
    parser.add_argument("--timeout", type=float, default=None, help="give up after (s)")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here")
    args = parser.parse_args(argv)
    time_limit = args.timeout or max(60.0, 10 * args.members / args.rate)

    with tempfile.TemporaryDirectory(prefix="s4b-bench-") as tmp:
        url = args.db or sqlite_url(Path(tmp) / "bench.sqlite3")
        profiler = cProfile.Profile() if args.profile else None
        result = asyncio.run(
            fan_out(
                url,
                members=args.members,
                rate=args.rate,
                batch=args.batch,
                concurrency=args.concurrency,
                time_limit=time_limit,
                profiler=profiler,
            )
        )
        if profiler is not None:
            profiler.dump_stats(args.profile)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    print("\n".join(result.lines()))
    unsettled = {k: v for k, v in result.statuses.items() if k != "sent"}
    if unsettled:
        print(f"not sent: {unsettled}", file=sys.stderr)
    return 0 if result.statuses.get("pending", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
