"""Throughput: registrations a second through the core, one after another, each in its own
transaction as in production, beside a plain SQLAlchemy insert-and-commit of the same
registration rows, on the same kind of database in the same run.

    python -m bench.throughput [--db sqlite|postgresql] [--count N] [--report FILE]

- core: `Core.submit(FormSubmission(...))` of the registration form for the Spring
  session by N distinct new members: validation, the member row, the registration, its
  reminders and invitation planned in the outbox, the confirmation drawn.
- plain: `session.add(Registration(...))` and COMMIT, one transaction per row, through the
  same `Database` (so the same engine settings: WAL and BEGIN IMMEDIATE on SQLite), for N
  members created beforehand (untimed), with the same field values.

Each side gets a fresh database and WARMUP untimed rows first.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

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
TARGET_RATIO = 0.3


@dataclass
class Rates:
    backend: str
    count: int
    core_seconds: float
    plain_seconds: float
    errors: int

    @property
    def core_rate(self) -> float:
        return self.count / self.core_seconds

    @property
    def plain_rate(self) -> float:
        return self.count / self.plain_seconds

    @property
    def ratio(self) -> float:
        return self.core_rate / self.plain_rate

    def rows(self) -> list[Row]:
        name = f"throughput {self.backend}"
        return [
            Row(name, f"core: {self.count:,} registrations", f"{self.core_rate:,.0f}/s"),
            Row(name, "plain insert + commit", f"{self.plain_rate:,.0f}/s"),
            Row(name, "core / plain", f"{self.ratio:.2f}", ">= 0.30", self.ratio >= TARGET_RATIO),
            Row(name, "errors", str(self.errors), "0", self.errors == 0),
        ]


async def through_core(core: Core, count: int) -> tuple[float, int]:
    """Seconds for `count` registrations by new members, and how many were refused."""
    spring = await session_id(core)

    async def register(i: int) -> bool:
        actor = Actor("console", "local", f"t{i:06d}", f"Member {i}")
        outcome = await core.submit(FormSubmission(actor, "register", answers(i, spring)))
        return verdict(plain_text(outcome.reply)) is None

    for i in range(-WARMUP, 0):
        await register(i)
    started = time.perf_counter()
    refused = sum([not await register(i) for i in range(count)])
    return time.perf_counter() - started, refused


async def through_plain(core: Core, count: int) -> float:
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
    started = time.perf_counter()
    for i in range(count):
        await insert_one(i)
    return time.perf_counter() - started


async def measure(backend: str, count: int) -> Rates:
    with tempfile.TemporaryDirectory(prefix="s4b-throughput-") as tmp:
        async with scratch_database(backend) as url:
            core = await started_core(url, data_dir=Path(tmp), start=BURST_NOW)
            try:
                core_seconds, errors = await through_core(core, count)
            finally:
                await core.db.dispose()
        async with scratch_database(backend) as url:
            core = await started_core(url, data_dir=Path(tmp), start=BURST_NOW)
            try:
                plain_seconds = await through_plain(core, count)
            finally:
                await core.db.dispose()
    return Rates(backend, count, core_seconds, plain_seconds, errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--db", choices=BACKENDS, action="append", help="default: both")
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--report", type=Path, default=None, help="write the rows as JSON")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for backend in args.db or BACKENDS:
        rates = asyncio.run(measure(backend, args.count))
        print(
            f"throughput {backend}: core {rates.core_rate:,.0f}/s "
            f"({rates.core_seconds:.2f} s), plain {rates.plain_rate:,.0f}/s "
            f"({rates.plain_seconds:.2f} s), ratio {rates.ratio:.3f}, errors {rates.errors}",
            flush=True,
        )
        rows += rates.rows()
    print_rows(rows)
    write_report(args.report, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
