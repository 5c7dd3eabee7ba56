"""What the benchmarks share: scratch databases, a started Core, percentiles, result rows.

Each benchmark module writes its figures as `Row`s to a JSON file (`--report FILE`), which
`bench.run` gathers into one table; on its own a module prints its figures to stdout.

PostgreSQL: `S4B_BENCH_POSTGRES_URL` (default: the local server's `test` database, as the
tests use) is only the administrative connection: each run creates its own scratch
database next to it and drops it afterwards.
"""

from __future__ import annotations

import json
import logging
import math
import os
import resource
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bench.fanout import ShiftedClock
from s4b_bot.core import Core
from s4b_bot.settings import Settings
from storage.db import Database, sqlite_url
from storage.models import ProgrammeSession

POSTGRES_ADMIN_URL = os.environ.get(
    "S4B_BENCH_POSTGRES_URL",
    os.environ.get("S4B_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
)
BURST_NOW = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
"""Four weeks before the Spring session (2025-04-29): registration is open, no reminder due."""
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    benchmark: str
    figure: str
    value: str
    target: str = "—"
    ok: bool | None = None
    """None for a figure without a target (shown for context)."""


def write_report(path: Path | None, rows: Sequence[Row]) -> None:
    if path is not None:
        path.write_text(json.dumps([asdict(r) for r in rows], indent=1))


def read_report(path: Path) -> list[Row]:
    return [Row(**item) for item in json.loads(path.read_text())]


def print_rows(rows: Sequence[Row]) -> None:
    for row in rows:
        mark = "" if row.ok is None else ("  ok" if row.ok else "  MISSED")
        target = "" if row.target == "—" else f"  (target {row.target})"
        print(f"{row.benchmark} | {row.figure}: {row.value}{target}{mark}")


# --- figures ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return "—" if math.isnan(seconds) else f"{seconds * 1000:,.0f}"


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024**2


class CpuMeter:
    """Share of one core this process used between `start()` and `stop()`."""

    def start(self) -> None:
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def stop(self) -> float:
        return (time.process_time() - self._cpu) / max(time.perf_counter() - self._wall, 1e-9)


class LogCounter(logging.Handler):
    """Counts warnings and errors logged while a benchmark runs (by logger name)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.levelname} {record.name}: {record.getMessage()[:80]}"] += 1

    def install(self) -> LogCounter:
        logging.getLogger().addHandler(self)
        return self

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self)


def quiet_logging() -> LogCounter:
    """Warnings go to stderr once each kind, not a thousand times; all are counted
    (until `uninstall()`)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        root.handlers[0].addFilter(_Once())
    return LogCounter().install()


class _Once(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{record.msg}"
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


# --- databases ---------------------------------------------------------------------------


async def _admin(sql: str) -> None:
    admin = Database(POSTGRES_ADMIN_URL)
    engine = admin.engine.execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await admin.dispose()


async def postgres_version() -> str:
    admin = Database(POSTGRES_ADMIN_URL)
    try:
        async with admin.engine.connect() as conn:
            return str(await conn.scalar(text("SHOW server_version")))
    finally:
        await admin.dispose()


async def create_postgres() -> str:
    """A new, empty PostgreSQL database (its URL); `drop_postgres(url)` when done."""
    name = f"s4b_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await _admin(f'CREATE DATABASE "{name}"')
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


async def drop_postgres(url: str) -> None:
    name = make_url(url).database
    assert name and name.startswith("s4b_bench_"), name
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def scratch_postgres() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for this run, dropped afterwards."""
    url = await create_postgres()
    try:
        yield url
    finally:
        await drop_postgres(url)


@asynccontextmanager
async def scratch_database(backend: str) -> AsyncIterator[str]:
    """An empty database of this kind ("sqlite": a file in a temporary folder)."""
    if backend == "postgresql":
        async with scratch_postgres() as url:
            yield url
        return
    if backend != "sqlite":
        raise ValueError(f"unknown backend {backend!r}")
    with tempfile.TemporaryDirectory(prefix="s4b-bench-") as tmp:
        yield sqlite_url(Path(tmp) / "bench.sqlite3")


async def started_core(url: str, *, data_dir: Path, start: datetime = BURST_NOW) -> Core:
    """The core as production starts it (migrations, the S4B 2025 programme), with the
    default settings and a clock running from `start`."""
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=url)
    core = Core(Database(url), clock=ShiftedClock(start), settings=settings)
    await core.start()
    return core


async def session_id(core: Core, season: str = "Spring") -> int:
    async with core.db.transaction() as db:
        found = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == season)
        )
    assert found is not None, season
    return int(found)
