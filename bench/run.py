"""Every benchmark, each in its own subprocess (so peak RSS is per benchmark), as ONE table.

    python -m bench.run [--quick] [--only NAME ...] [--markdown FILE]

NAME is a group (burst, throughput, fanout, scaleout, memory) or the start of a job id as listed by
`--list` (e.g. `burst/slack`, `fanout/postgresql`). `--quick` uses small sizes: a smoke
run of a minute or so, not figures to quote. The table goes to stdout; each benchmark's
own output (percentiles, where the time went) goes to stderr and to bench/latest.log. The
table is also written as Markdown with the machine and the date: to bench/latest.md, or
bench/latest-quick.md for `--quick` (so a smoke run never replaces the real figures).

PostgreSQL jobs create a scratch database next to S4B_BENCH_POSTGRES_URL (default: the
local server's `test` database) and drop it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    BACKENDS,
    Row,
    create_postgres,
    drop_postgres,
    postgres_version,
    read_report,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FANOUT_RATE = 500
FANOUT_MEMORY_MB = 200.0
FANOUT_TARGET = 0.95


@dataclass
class Job:
    id: str
    group: str
    args: list[str]
    timeout: float
    postgres: bool = False
    """Give the job a scratch PostgreSQL database (its URL replaces "{db}" in args)."""
    parse: Callable[[Job, str, int], list[Row]] | None = None
    """Rows from the job's output and exit code, for a job without `--report`."""
    label: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def jobs(quick: bool) -> list[Job]:
    members = 50 if quick else 1_000
    runs = "1" if quick else "3"  # the late-ack target holds for three bursts in a row
    count = 200 if quick else 2_000
    out: list[Job] = []
    for backend in BACKENDS:
        for path in ("core", "slack", "discord"):
            out.append(
                Job(
                    f"burst/{path}/{backend}",
                    "burst",
                    [
                        *("bench.burst", "--path", path, "--db", backend),
                        *("--members", str(members), "--runs", runs),
                    ],
                    1_200,
                )
            )
    for backend in BACKENDS:
        out.append(
            Job(
                f"throughput/{backend}",
                "throughput",
                ["bench.throughput", "--db", backend, "--count", str(count)],
                600,
            )
        )
    for backend in BACKENDS:
        for size in (2_000,) if quick else (10_000, 100_000):
            db = ["--db", "{db}"] if backend == "postgresql" else []
            out.append(
                Job(
                    f"fanout/{backend}/{size}",
                    "fanout",
                    ["bench.fanout", "--members", str(size), "--rate", str(FANOUT_RATE), *db],
                    1_800,
                    postgres=backend == "postgresql",
                    parse=fanout_rows,
                    label=f"fan-out {backend} {size:,}",
                )
            )
    out.append(
        Job(
            "scaleout/postgresql",
            "scaleout",
            ["bench.scaleout", "--members", str(200 if quick else 2_000)],
            900,
        )
    )
    sizes = ["--members", "1000", "--registrations", "5000"] if quick else []
    for backend in BACKENDS:
        out.append(
            Job(f"memory/{backend}", "memory", ["bench.memory", "--db", backend, *sizes], 600)
        )
    return out


def selected(all_jobs: list[Job], only: list[str] | None) -> list[Job]:
    if not only:
        return all_jobs
    return [j for j in all_jobs if any(j.group == n or j.id.startswith(n) for n in only)]


# --- fan-out's output ------------------------------------------------------------------------


def fanout_rows(job: Job, output: str, code: int) -> list[Row]:
    """bench.fanout prints `key: value` lines; its exit code is 1 if rows were left."""
    values: dict[str, str] = {}
    for line in output.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key.replace("_", "").isalpha():
            values[key] = value.strip()
    if "ratio" not in values:
        return [Row(job.label, "run", f"failed (exit {code})", "", False)]
    ratio = float(values["ratio"])
    duplicates, lost = int(values["duplicates"]), int(values["lost"])
    return [
        Row(
            job.label,
            f"achieved / limit ({values['rate_limit']}/s, default rate)",
            f"{ratio:.3f} ({float(values['achieved_rate']):.0f}/s, "
            f"{float(values['seconds']):.0f} s)",
            f">= {FANOUT_TARGET}",
            ratio >= FANOUT_TARGET and code == 0,
        ),
        Row(
            job.label,
            "duplicates / lost / 429s",
            f"{duplicates} / {lost} / {values.get('rejected_by_limit', '?')}",
            "0 / 0",
            duplicates == 0 and lost == 0,
        ),
        Row(
            job.label,
            "peak RSS of the run (seeded by another process)",
            f"{values['peak_rss_mb']} MB",
            f"< {FANOUT_MEMORY_MB:.0f} MB",
            float(values["peak_rss_mb"]) < FANOUT_MEMORY_MB,
        ),
    ]


# --- running ---------------------------------------------------------------------------------


@contextmanager
def database_for(job: Job) -> Iterator[str | None]:
    if not job.postgres:
        yield None
        return
    url = asyncio.run(create_postgres())
    try:
        yield url
    finally:
        asyncio.run(drop_postgres(url))


def run_job(job: Job, log: Callable[[str], None]) -> list[Row]:
    with database_for(job) as url, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rows.json"
        args = [a.replace("{db}", url or "") for a in job.args]
        if job.parse is None:
            args += ["--report", str(report)]
        command = [sys.executable, "-m", *args]
        log(f"$ {shlex.join(['python', '-m', *args])}")
        output, code = stream(command, job.timeout, log)
        if job.parse is not None:
            return job.parse(job, output, code)
        if code != 0 or not report.exists():
            return [Row(job.id, "run", f"failed (exit {code}; see bench/latest.log)", "", False)]
        return read_report(report)


def stream(command: list[str], timeout: float, log: Callable[[str], None]) -> tuple[str, int]:
    """Run, passing each output line to `log`; (all output, exit code). Killed at timeout."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            log(line.rstrip("\n"))
        code = process.wait()
    finally:
        timer.cancel()
    return "".join(lines), code


# --- the table -------------------------------------------------------------------------------

COLUMNS = ("benchmark", "figure", "value", "target", "ok")


def cells(row: Row) -> tuple[str, ...]:
    ok = "" if row.ok is None else ("yes" if row.ok else "NO")
    return (row.benchmark, row.figure, row.value, row.target, ok)


def text_table(rows: list[Row]) -> str:
    table = [COLUMNS, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    out = []
    for n, line in enumerate(table):
        out.append(" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(rows: list[Row]) -> str:
    def escape(text: str) -> str:
        return text.replace("|", "\\|")

    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(escape(c) for c in cells(r)) + " |" for r in rows]
    return "\n".join(out)


def machine() -> dict[str, str]:
    info = {
        "CPUs (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU": _cpu_model(),
        "memory": _memory(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
    }
    try:
        info["PostgreSQL"] = asyncio.run(postgres_version()) + " (same machine, local TCP)"
    except Exception as exc:  # the table is still worth writing without it
        info["PostgreSQL"] = f"unreachable ({type(exc).__name__})"
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def definitions() -> str:
    """The "Definitions" section of bench/README.md, where they are kept (without its
    first paragraph, which says that it is copied)."""
    text = (HERE / "README.md").read_text()
    section = text.split("## Definitions\n", 1)[1].split("\n## ", 1)[0]
    return section.strip().split("\n\n", 1)[1] + "\n"


def markdown(rows: list[Row], command: str, started: datetime, seconds: float) -> str:
    facts = "\n".join(f"- {k}: {v}" for k, v in machine().items())
    return (
        f"# Benchmark results\n\n"
        f"`{command}` — {started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} minutes.\n\n"
        f"{markdown_table(rows)}\n\n"
        f"## Machine\n\n{facts}\n\n"
        f"The bot, the mock platforms, the load and the database server all ran on this one "
        f"machine.\n\n## What is measured\n\n{definitions()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="groups or job id prefixes")
    parser.add_argument("--list", action="store_true", help="list the jobs and exit")
    parser.add_argument("--markdown", type=Path, default=None, help="where to write the table")
    args = parser.parse_args(argv)
    todo = selected(jobs(args.quick), args.only)
    if args.list or not todo:
        print("\n".join(f"{j.id}: python -m {shlex.join(j.args)}" for j in todo) or "no jobs")
        return 0 if todo else 2
    command = shlex.join(["python", "-m", "bench.run", *(argv or sys.argv[1:])])
    started, clock = datetime.now(UTC), time.perf_counter()
    rows: list[Row] = []
    with (HERE / "latest.log").open("w") as logfile:

        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)
            print(line, file=logfile, flush=True)

        for n, job in enumerate(todo, 1):
            log(f"\n=== [{n}/{len(todo)}] {job.id}")
            began = time.perf_counter()
            rows += run_job(job, log)
            log(f"=== {job.id}: {time.perf_counter() - began:.1f} s")
    seconds = time.perf_counter() - clock
    print(text_table(rows))
    target = args.markdown or HERE / ("latest-quick.md" if args.quick else "latest.md")
    target.write_text(markdown(rows, command, started, seconds))
    print(f"\n{len(rows)} figures in {seconds / 60:.1f} min; Markdown: {target}", file=sys.stderr)
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
