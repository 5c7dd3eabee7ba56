"""Scale-out: one bot process, then two, on one PostgreSQL database, under the same load.

    python -m bench.scaleout [--members N] [--concurrency C] [--report FILE]

Each phase gets a fresh scratch database and a mock Slack (`bench.platforms slack-api`, a
process of its own), then starts N real bot processes, `python bot.py` configured as a
deployment in Slack's HTTP mode would be (each its own port, Core, Slack app and running
Dispatcher, all on the one database). This process is Slack's side of the requests and the
load balancer: it sends every member's signed `view_submission` round-robin across the
processes, C requests in flight at a time (the same C for one process and for two).

- registrations/s = registrations in the database ÷ (the start → the last of them in
  the `registrations` table, or the last ack if later): acknowledged and durable. When
  the core is slower than Slack's budget the ack is the "Saving…" modal and the outcome
  follows by views.update; waiting stops once no registration arrived for QUIET seconds.
- error = a member not told "you are registered" (in the ack or that update).
- After the load, the dispatchers send the invitations (Slack's default pacing, per
  process); then each member must have received exactly one invitation DM at the mock
  Slack: duplicates = members with more than one, lost = members told they are
  registered with no invitation, or missing from the database.
- two ÷ one = the pair's registrations/s ÷ one process's, from the same run.

Everything (PostgreSQL, the bots, the mock Slack and this load generator) shares one
machine; the CPU each part used is printed, so the ratio can be read against it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.burst import PlatformProcess, answers, plain_text
from bench.common import (
    BURST_NOW,
    Row,
    print_rows,
    scratch_postgres,
    session_id,
    started_core,
    write_report,
)
from bench.platforms import slack_user, slack_view
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from storage.models import OutboxMessage, Registration
from tests.adapters.slack.slackreq import TEAM, signed_headers, submission_body

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
WARMUP = 3
"""Submissions per process before the timed load (other members, not counted)."""
READY_WITHIN = 60.0
SETTLE_WITHIN = 120.0
QUIET = 10.0
"""After the last ack, registrations still to come must arrive within this of each other
(the "Saving…" ones); the time counted ends at the last that did."""
ENV_PREFIXES = ("S4B_", "SLACK_", "DISCORD_")
INVITATION = "invitation"
"""The outbox kind of the DM a registration plans (the invitation, with its calendar)."""


@dataclass
class Phase:
    """What one phase (N processes) measured."""

    processes: int
    members: int
    seconds: float = float("nan")
    confirmed: set[int] = field(default_factory=set)
    """Members told they are registered (in the ack, or after "Saving…")."""
    errors: Counter[str] = field(default_factory=Counter)
    registered: int = 0
    invitations: Counter[int] = field(default_factory=Counter)
    """Invitation DMs each member received at the mock."""
    outbox: Counter[str] = field(default_factory=Counter)
    drain_seconds: float = float("nan")
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds during the load, by part."""
    wall: float = float("nan")
    notes: list[str] = field(default_factory=list)
    saving: set[int] = field(default_factory=set)
    """Members whose ack was the "Saving…" modal."""
    logged: Counter[str] = field(default_factory=Counter)
    """The bots' warnings and errors, by message."""

    @property
    def rate(self) -> float:
        return self.registered / self.seconds

    @property
    def duplicates(self) -> int:
        return sum(1 for n in self.invitations.values() if n > 1)

    @property
    def lost(self) -> int:
        """Members told they are registered with no invitation, or not in the database."""
        uninvited = sum(1 for i in self.confirmed if self.invitations[i] == 0)
        return max(uninvited, len(self.confirmed) - self.registered)

    def lines(self) -> list[str]:
        cpu = ", ".join(f"{part} {s:.1f} s" for part, s in self.cpu.items())
        return [
            f"scale-out postgresql, {self.processes} process(es): {self.members} members",
            f"  registrations/s: {self.rate:.0f} ({self.registered} in {self.seconds:.2f} s; "
            f"{len(self.confirmed)} confirmed; {len(self.saving)} acks were 'Saving…')",
            f"  errors: {sum(self.errors.values())} {dict(self.errors) or ''}".rstrip(),
            f"  invitations sent after the load: {self.drain_seconds:.1f} s; "
            f"outbox {dict(self.outbox)}",
            f"  invitation DMs: duplicates {self.duplicates}, lost {self.lost}",
            f"  CPU during the load ({self.wall:.2f} s wall, 2 CPUs = {2 * self.wall:.2f} s): "
            f"{cpu}",
            *(f"  note: {n}" for n in self.notes),
            *(f"  logged {n} × {kind}" for kind, n in self.logged.most_common(5)),
        ]


# --- the processes' CPU ----------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds all CPUs spent not idle so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# --- the bot processes -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class BotProcess:
    """`python bot.py`: Slack in HTTP mode on its own port, its Dispatcher, the database."""

    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    @classmethod
    async def start(cls, database_url: str, api_url: str, workdir: Path) -> BotProcess:
        port = free_port()
        await asyncio.to_thread(workdir.mkdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
        env.update(
            S4B_DATABASE_URL=database_url,
            S4B_DATA_DIR=str(workdir),
            S4B_NOW=BURST_NOW.isoformat(),
            S4B_LOG_LEVEL="WARNING",
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_HTTP_HOST="127.0.0.1",
            SLACK_HTTP_PORT=str(port),
            SLACK_API_URL=api_url,
        )
        log = workdir / "bot.log"
        with log.open("wb") as out:  # the child keeps its own descriptor
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(ROOT / "bot.py"),
                cwd=workdir,  # no .env or s4b.toml of the developer's
                env=env,
                stdout=out,
                stderr=out,
            )
        return cls(process, port, log)

    async def ready(self, http: aiohttp.ClientSession) -> None:
        for _ in range(int(READY_WITHIN / 0.1)):
            if self.process.returncode is not None:
                break
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the bot process did not start: {self.log_tail()}")

    def log_tail(self, lines: int = 8) -> str:
        return " | ".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)  # bot.py stops cleanly on SIGTERM
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@contextlib.asynccontextmanager
async def bots(
    count: int, database_url: str, api_url: str, workdir: Path, http: aiohttp.ClientSession
) -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    try:
        for n in range(count):  # one after another: each runs the (idempotent) startup
            started.append(await BotProcess.start(database_url, api_url, workdir / f"bot{n}"))
            await started[-1].ready(http)
        yield started
    finally:
        for bot in started:
            await bot.stop()


def logged(log: Path) -> Counter[str]:
    """Warnings and errors in a bot's log, by level, logger and message (the bot's logs
    hold no personal data)."""
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        for level in (" WARNING ", " ERROR ", " CRITICAL "):
            if level in line:
                found[line.split(level, 1)[1][:100]] += 1
                break
    return found


# --- one phase -----------------------------------------------------------------------------


async def registered(core: Core, spring: int) -> int:
    async with core.db.reading() as db:
        return int(
            await db.scalar(
                select(func.count())
                .select_from(Registration)
                .where(Registration.session_id == spring)
            )
            or 0
        )


async def outbox_states(core: Core) -> Counter[str]:
    async with core.db.reading() as db:
        rows = await db.execute(
            select(OutboxMessage.kind, OutboxMessage.status, func.count()).group_by(
                OutboxMessage.kind, OutboxMessage.status
            )
        )
        return Counter({f"{kind} {status}": int(n) for kind, status, n in rows.all()})


async def form_view(core: Core) -> dict[str, Any]:
    """The registration modal as the Slack adapter builds it (as bench.burst opens it)."""
    from adapters.slack.modal import form_modal

    opened = await core.run_text(Actor("slack", TEAM, "U0WARM", "warm"), "s4b", "register spring")
    assert opened.form is not None, plain_text(opened.reply)
    view: dict[str, Any] = form_modal(opened.form)
    return view


def submission(view: dict[str, Any], spring: int, i: int) -> tuple[str, dict[str, str]]:
    body = submission_body(
        {**view, "id": slack_view(i)}, answers(i, spring), user=(slack_user(i), f"member{i}")
    )
    return body, signed_headers(SECRET, body)


SAVING = "saving"


def answered(status: int, text: str) -> str | None:
    """None for a registration confirmed in the ack; SAVING for the "Saving…" modal (the
    core took longer than Slack's budget: the outcome follows by views.update); else the
    error's kind."""
    if status != 200:
        return f"HTTP {status}"
    if "you are registered" in text:
        return None
    if '"update"' in text:
        return SAVING
    return text[:60] or "(empty ack)"


async def run_phase(processes: int, members: int, concurrency: int) -> Phase:
    phase = Phase(processes, members)
    slack = await PlatformProcess.start("slack-api")
    try:
        api_url = (await slack.receive())["api_url"]
        slack.send({"members": members})
        await slack.receive()
        timeout = aiohttp.ClientTimeout(total=None)
        async with (
            scratch_postgres() as url,
            aiohttp.ClientSession(timeout=timeout) as http,
        ):
            with tempfile.TemporaryDirectory(prefix="s4b-scaleout-") as tmp:
                core = await started_core(url, data_dir=Path(tmp) / "bench")
                try:
                    view, spring = await form_view(core), await session_id(core)
                    async with bots(processes, url, api_url, Path(tmp), http) as running:
                        pids = {
                            "bots": [b.process.pid for b in running],
                            "mock Slack": [slack.process.pid],
                        }
                        await load(phase, running, http, core, view, spring, concurrency, pids)
                        await drain(phase, core)
                        slack.send({"dms": True})
                        mock = await slack.receive()
                        dms, updated = mock["dms"], mock["updated"]
                    for bot in running:
                        if bot.process.returncode not in (0, None):
                            phase.notes.append(f"a bot exited {bot.process.returncode}")
                        phase.logged += logged(bot.log)
                finally:
                    await core.db.dispose()
    finally:
        await slack.stop()
    count_invitations(phase, dms)
    for i in phase.saving:
        if updated.get(slack_view(i)):
            phase.confirmed.add(i)
        else:
            phase.errors['"Saving…", then not registered'] += 1
    return phase


async def load(
    phase: Phase,
    running: Sequence[BotProcess],
    http: aiohttp.ClientSession,
    core: Core,
    view: dict[str, Any],
    spring: int,
    concurrency: int,
    pids: dict[str, list[int]],
) -> None:
    async def post(url: str, body: str, headers: dict[str, str]) -> str | None:
        async with http.post(url, data=body, headers=headers) as response:
            return answered(response.status, await response.text())

    warm = itertools.count(-1, -1)
    for bot in running:  # not counted: connections, caches, each bolt app's first request
        for _ in range(WARMUP):
            await post(bot.url, *submission(view, spring, next(warm)))
    before = await registered(core, spring)
    requests = [submission(view, spring, i) for i in range(phase.members)]
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            error = await post(running[i % len(running)].url, *requests[i])
        if error is None:
            phase.confirmed.add(i)
        elif error == SAVING:
            phase.saving.add(i)
        else:
            phase.errors[error] += 1

    cpu0 = {p: sum(process_cpu(pid) for pid in ps) for p, ps in pids.items()}
    load0, busy0 = time.process_time(), machine_busy()
    t0 = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(phase.members)))
    acked_at = time.monotonic()
    count, last_change = before, acked_at
    while time.monotonic() - max(last_change, acked_at) < QUIET:  # durable: in the database
        now_count = await registered(core, spring)
        if now_count != count:
            count, last_change = now_count, time.monotonic()
        if count >= before + phase.members:
            break
        await asyncio.sleep(0.02)
    phase.seconds = max(last_change, acked_at) - t0
    phase.wall = phase.seconds
    phase.registered = count - before
    phase.cpu = {p: sum(process_cpu(pid) for pid in ps) - cpu0[p] for p, ps in pids.items()}
    phase.cpu["load generator"] = time.process_time() - load0
    phase.cpu["the machine (also PostgreSQL, other work)"] = machine_busy() - busy0


async def drain(phase: Phase, core: Core) -> None:
    """Until the dispatchers have sent every invitation (or none went out for a while).
    Reminders and follow-ups the registrations also planned are due weeks later."""
    t0 = time.monotonic()
    pending = -1
    still = time.monotonic()
    while True:
        states = await outbox_states(core)
        now_pending = states[f"{INVITATION} pending"]
        if now_pending == 0:
            break
        if now_pending != pending:
            pending, still = now_pending, time.monotonic()
        elif time.monotonic() - still > SETTLE_WITHIN:
            phase.notes.append(f"{now_pending} invitations still pending")
            break
        await asyncio.sleep(0.2)
    phase.drain_seconds = time.monotonic() - t0
    phase.outbox = Counter({k: n for k, n in states.items() if k.startswith(INVITATION)})


def count_invitations(phase: Phase, dms: dict[str, list[str]]) -> None:
    for i in range(phase.members):
        texts = dms.get("D" + slack_user(i).lstrip("U"), [])
        phase.invitations[i] = sum(1 for t in texts if is_invitation(t))


def is_invitation(text: str) -> bool:
    """The DM's text as the dispatcher sends it ("… Here is your calendar invitation.")."""
    return "calendar invitation" in text


# --- running ---------------------------------------------------------------------------


def rows(one: Phase, two: Phase) -> list[Row]:
    name = "scale-out postgresql"
    ratio = two.rate / one.rate
    bad = [(p.duplicates, p.lost, sum(p.errors.values())) for p in (one, two)]
    return [
        Row(name, "one process (registrations/s)", f"{one.rate:.0f}"),
        Row(name, "two processes (registrations/s)", f"{two.rate:.0f}"),
        Row(
            name,
            "two ÷ one",
            f"{ratio:.2f}",
            "— (report; ≥ 1.0 would mean it scales)",
        ),
        Row(
            name,
            "duplicates / lost / errors (one; two)",
            "; ".join(" / ".join(map(str, b)) for b in bad),
            "0 / 0 / 0",
            all(b == (0, 0, 0) for b in bad),
        ),
        Row(name, "where the CPU went (two)", cpu_summary(two)),
    ]


def cpu_summary(phase: Phase) -> str:
    share = {k: v / phase.wall for k, v in phase.cpu.items()}
    return ", ".join(f"{k} {v:.0%}" for k, v in share.items()) + " of one CPU (2 CPUs)"


async def measure(members: int, concurrency: int) -> tuple[Phase, Phase]:
    one = await run_phase(1, members, concurrency)
    print("\n".join(one.lines()), flush=True)
    two = await run_phase(2, members, concurrency)
    print("\n".join(two.lines()), flush=True)
    return one, two


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaleout", description=__doc__)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument("--report", type=Path, default=None, help="write the rows as JSON")
    args = parser.parse_args(argv)
    one, two = asyncio.run(measure(args.members, args.concurrency))
    found = rows(one, two)
    print_rows(found)
    write_report(args.report, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
