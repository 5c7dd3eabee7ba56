"""Throughput: registrations a second through the core, as members' submissions arrive
together, beside a plain SQLAlchemy insert-and-commit of the same registration rows, one
transaction each, on the same kind of database in the same run.

    python -m bench.throughput [--db sqlite|postgresql] [--count N] [--profile FILE]

- core: `Core.submit(FormSubmission(...))` of the registration form for the Spring
  session by N distinct new members, IN_FLIGHT submissions at a time (as a burst arrives):
  validation, the member row, the registration, its reminders and invitation planned in the
  outbox, the confirmation drawn; calls that arrive together share a transaction (group
  commit, `storage/group_commit.py`), each answered after the COMMIT. Also shown: the same
  one after another (each alone in its transaction), for context.
- plain: `session.add(Registration(...))` and COMMIT, one transaction per row, through the
  same `Database` (so the same engine settings: WAL and BEGIN IMMEDIATE on SQLite), for N
  members created beforehand (untimed), with the same field values.

CPU ms per registration is this process's CPU time (user + system) over the timed part,
divided by N; the database server's own CPU (PostgreSQL) is not in it. `--profile FILE`
writes a cProfile of the core's arrivals-together run and prints where its time goes.
Each side gets a fresh database and WARMUP untimed rows first.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select

from bench.burst import answers, plain_text, verdict
from bench.common import (
    BACKENDS,
    BURST_NOW,
    Row,
    print_rows,
    scratch_database,
    session_id,
    started_core,
    write_report,
)
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from storage.models import Account, Community, Registration

WARMUP = 20
IN_FLIGHT = 100
"""Submissions under way at once on the core's side (a burst's members, answered or not)."""
TARGET_RATIO = 1.0


@dataclass
class Run:
    """`count` registrations: wall and CPU seconds, refusals, transactions."""

    count: int
    seconds: float
    cpu: float
    errors: int = 0
    transactions: int = 0
    statements: int = 0
    """SQL statements sent (BEGIN and SAVEPOINTs included; COMMIT is not a statement here)."""

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.count * 1000

    @property
    def each(self) -> str:
        """Its cost per registration."""
        return f"{self.cpu_ms:.2f} CPU ms, {self.statements / self.count:.1f} statements each"


class StatementCounter:
    """Counts the statements an engine sends while it is counting."""

    def __init__(self, core: Core) -> None:
        self.count = 0
        event.listen(core.db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


@dataclass
class Rates:
    backend: str
    together: Run
    one_by_one: Run
    plain: Run

    @property
    def ratio(self) -> float:
        return self.together.rate / self.plain.rate

    def rows(self) -> list[Row]:
        name = f"throughput {self.backend}"
        n, t = self.together.count, self.together
        return [
            Row(
                name,
                f"core: {n:,} registrations, {IN_FLIGHT} in flight",
                f"{t.rate:,.0f}/s, {t.each}, {t.transactions:,} transactions",
            ),
            Row(
                name,
                "core, one after another",
                f"{self.one_by_one.rate:,.0f}/s, {self.one_by_one.each}",
            ),
            Row(
                name,
                "plain insert + commit, one a transaction",
                f"{self.plain.rate:,.0f}/s, {self.plain.each}",
            ),
            Row(
                name,
                "core (in flight) / plain",
                f"{self.ratio:.2f}",
                f">= {TARGET_RATIO:.1f}",
                self.ratio >= TARGET_RATIO,
            ),
            Row(
                name,
                "errors",
                str(t.errors + self.one_by_one.errors),
                "0",
                t.errors + self.one_by_one.errors == 0,
            ),
        ]


async def through_core(
    core: Core, first: int, count: int, *, in_flight: int, profile: cProfile.Profile | None = None
) -> Run:
    """`count` registrations by new members (numbered from `first`), `in_flight` at a time."""
    spring = await session_id(core)

    async def register(i: int) -> bool:
        actor = Actor("console", "local", f"t{i:06d}", f"Member {i}")
        outcome = await core.submit(FormSubmission(actor, "register", answers(i, spring)))
        return verdict(plain_text(outcome.reply)) is None

    for i in range(first - WARMUP, first):
        await register(i)
    slots = asyncio.Semaphore(in_flight)

    async def arrive(i: int) -> bool:
        async with slots:
            return await register(i)

    groups, statements = core.writes.groups, StatementCounter(core)
    cpu, started = time.process_time(), time.perf_counter()
    if profile is not None:
        profile.enable()
    confirmed = await asyncio.gather(*(arrive(i) for i in range(first, first + count)))
    if profile is not None:
        profile.disable()
    return Run(
        count,
        time.perf_counter() - started,
        time.process_time() - cpu,
        errors=confirmed.count(False),
        transactions=core.writes.groups - groups,
        statements=statements.count,
    )


async def through_plain(core: Core, count: int) -> Run:
    """Seconds for `count` plain inserts of the same registration rows, one commit each."""
    spring = await session_id(core)
    now = datetime.now(UTC)
    async with core.db.transaction() as db:
        community = await db.scalar(
            insert(Community)
            .values(platform="console", external_id="local", created_at=now)
            .returning(Community.id)
        )
        await db.execute(
            insert(Account),
            [
                {
                    "community_id": community,
                    "user_id": f"t{i:06d}",
                    "display_name": f"Member {i}",
                    "created_at": now,
                }
                for i in range(-WARMUP, count)
            ],
        )
        ids = {user: mid for user, mid in await db.execute(select(Account.user_id, Account.id))}

    async def insert_one(i: int) -> None:
        values = answers(i, spring)
        async with core.db.transaction() as db:
            db.add(
                Registration(
                    session_id=spring,
                    member_id=ids[f"t{i:06d}"],
                    name=str(values["name"]),
                    about=str(values["about"]),
                    organization=str(values["organization"]),
                    email=str(values["email"]),
                    consent=True,
                    status="confirmed",
                    created_at=core.clock.now(),
                )
            )

    for i in range(-WARMUP, 0):
        await insert_one(i)
    statements = StatementCounter(core)
    cpu, started = time.process_time(), time.perf_counter()
    for i in range(count):
        await insert_one(i)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Run(count, seconds, cpu, transactions=count, statements=statements.count)


async def measure(backend: str, count: int, profile: cProfile.Profile | None) -> Rates:
    with tempfile.TemporaryDirectory(prefix="s4b-throughput-") as tmp:
        async with scratch_database(backend) as url:
            core = await started_core(url, data_dir=Path(tmp), start=BURST_NOW)
            try:
                together = await through_core(core, 0, count, in_flight=IN_FLIGHT, profile=profile)
                one_by_one = await through_core(core, count + WARMUP, count // 4, in_flight=1)
            finally:
                await core.db.dispose()
        async with scratch_database(backend) as url:
            core = await started_core(url, data_dir=Path(tmp), start=BURST_NOW)
            try:
                plain = await through_plain(core, count)
            finally:
                await core.db.dispose()
    return Rates(backend, together, one_by_one, plain)


def print_profile(profile: cProfile.Profile, path: Path, count: int) -> None:
    """Where the core's time went, by function, cumulative, per registration."""
    profile.dump_stats(path)
    stats = pstats.Stats(str(path), stream=sys.stderr)
    print(f"profile of {count:,} registrations (cProfile slows it down): {path}", file=sys.stderr)
    stats.sort_stats("cumulative").print_stats(r"s4b_bot|storage|sqlalchemy/orm", 25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--db", choices=BACKENDS, action="append", help="default: both")
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--report", type=Path, default=None, help="write the rows as JSON")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile output file")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for backend in args.db or BACKENDS:
        profile = cProfile.Profile() if args.profile else None
        rates = asyncio.run(measure(backend, args.count, profile))
        t, p = rates.together, rates.plain
        print(
            f"throughput {backend}: core {t.rate:,.0f}/s ({t.seconds:.2f} s, "
            f"{t.cpu_ms:.2f} CPU ms each, {t.transactions} transactions), "
            f"one by one {rates.one_by_one.rate:,.0f}/s, plain {p.rate:,.0f}/s "
            f"({p.cpu_ms:.2f} CPU ms each), ratio {rates.ratio:.3f}, errors {t.errors}",
            flush=True,
        )
        if profile is not None and args.profile is not None:
            print_profile(profile, args.profile.with_suffix(f".{backend}.prof"), t.count)
        rows += rates.rows()
    print_rows(rows)
    write_report(args.report, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
