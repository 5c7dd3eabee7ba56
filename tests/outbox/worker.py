"""A dispatcher in its own process, sending DMs to a recording HTTP sink; and the helpers
the outbox tests share with it (seeding many due reminders, the sink itself).

    python -m tests.outbox.worker --db URL --sink http://127.0.0.1:PORT --now ISO --batch B

It sends every due row of the "console" platform as `POST /dm {"row": user_id, "worker": id}`
and exits 0 once nothing is left for it (rows another worker holds a live lease on are that
worker's). With `--ready`, it first checks in at `POST /ready` and waits for the sink's
go-ahead, so several workers can start sending together. With `--started` (a `time.time()`
shared by every worker), its clock runs from `--now` at that moment, so `--lease` seconds
really pass; `--pace` opens new DMs one at a time at that rate, as Discord's adapter does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import func, insert, or_, select, text

from s4b_bot.clock import SettableClock
from s4b_bot.errors import PermanentFailure
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.outbox.pacing import TokenBucket
from s4b_bot.output import Message
from s4b_bot.ports import Clock, ModerationAction, Recipient, SessionEvent
from s4b_bot.programme.loading import DEFAULT_PROGRAMME, load_programme, read_programme
from s4b_bot.settings import Settings
from storage.db import Database
from storage.models import (
    Account,
    Base,
    Community,
    OutboxMessage,
    ProgrammeSession,
    Registration,
)

ROOT = Path(__file__).resolve().parents[2]
SEED_NOW = datetime(2025, 4, 28, 12, 0, tzinfo=UTC)
"""The day before the Spring session (2025-04-29 17:00 UTC): its reminders still apply."""
PLATFORM = "console"


# --- seeding -------------------------------------------------------------------------------


async def seed(url: str, members: int, *, now: datetime = SEED_NOW, migrate: bool = False) -> int:
    """An empty database holding `members` registrants of the Spring session, each with one
    reminder due at `now` (user ids "u00000", "u00001", ...). Returns the outbox row count."""
    db = Database(url)
    try:
        if migrate:
            await db.migrate()
        if not db.is_sqlite:
            tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
            async with db.engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        async with db.transaction() as session:
            await load_programme(session, read_programme(DEFAULT_PROGRAMME), now=now)
            spring = await session.scalar(
                select(ProgrammeSession).where(ProgrammeSession.season == "Spring")
            )
            assert spring is not None and spring.starts_at > now
            community_id = await session.scalar(
                insert(Community)
                .values(platform=PLATFORM, external_id="local", created_at=now)
                .returning(Community.id)
            )
            await session.execute(
                insert(Account),
                [
                    {
                        "community_id": community_id,
                        "user_id": user_id(i),
                        "display_name": f"Member {i}",
                        "created_at": now,
                    }
                    for i in range(members)
                ],
            )
            ids = (
                await session.execute(
                    select(Account.id).where(Account.community_id == community_id)
                )
            ).scalars()
            member_ids = list(ids)
            await session.execute(
                insert(Registration),
                [
                    {
                        "session_id": spring.id,
                        "member_id": mid,
                        "name": f"Member {mid}",
                        "about": "Neighbour",
                        "consent": True,
                        "status": "confirmed",
                        "created_at": now,
                    }
                    for mid in member_ids
                ],
            )
            payload = {"offset": 3600, "starts_at": int(spring.starts_at.timestamp())}
            await session.execute(
                insert(OutboxMessage),
                [
                    {
                        "dedupe_key": f"r:{mid}",
                        "kind": "reminder",
                        "platform": PLATFORM,
                        "member_id": mid,
                        "session_id": spring.id,
                        "payload": payload,
                        "due_at": now,
                        "status": "pending",
                        "attempts": 0,
                        "created_at": now,
                    }
                    for mid in member_ids
                ],
            )
        return len(member_ids)
    finally:
        await db.dispose()


def user_id(i: int) -> str:
    return f"u{i:05d}"


async def status_counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        async with db.transaction() as session:
            rows = await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            return {status: count for status, count in rows}
    finally:
        await db.dispose()


# --- the recording sink ----------------------------------------------------------------------


@dataclass
class Sink:
    """A local HTTP server that counts the DMs it receives, per user id and per worker.

    `kill_at` (arrival count, pid) SIGKILLs that process the moment the count is reached,
    from inside the request handler: the crash lands at an exact point of the fan-out.
    """

    expected_workers: int = 0
    arrivals: Counter[str] = field(default_factory=Counter)
    by_worker: Counter[str] = field(default_factory=Counter)
    posts: int = 0
    kill_at: tuple[int, int] | None = None
    killed_after: int | None = None
    _ready: int = 0
    _go: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    url: str = ""

    @property
    def total(self) -> int:
        return sum(self.arrivals.values())

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/dm", self._dm)
        app.router.add_post("/post", self._post)
        app.router.add_post("/ready", self._ready_handler)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _dm(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.arrivals[body["row"]] += 1
        self.by_worker[body["worker"]] += 1
        if self.kill_at is not None and self.total >= self.kill_at[0]:
            pid = self.kill_at[1]
            self.kill_at = None
            self.killed_after = self.total
            os.kill(pid, signal.SIGKILL)
        return web.json_response({"ok": True})

    async def _post(self, request: web.Request) -> web.Response:
        self.posts += 1
        return web.json_response({"ok": True})

    async def _ready_handler(self, request: web.Request) -> web.Response:
        self._ready += 1
        if self._ready >= self.expected_workers:
            self._go.set()
        await asyncio.wait_for(self._go.wait(), timeout=20)
        return web.json_response({"go": True})


async def start_worker(
    url: str,
    sink: str,
    *,
    now: datetime,
    batch: int,
    rate: float,
    worker: str | None = None,
    ready: bool = False,
    started: float | None = None,
    lease: float | None = None,
    pace: float | None = None,
) -> asyncio.subprocess.Process:
    """Start `python -m tests.outbox.worker` with these options."""
    args = [
        "-m",
        "tests.outbox.worker",
        "--db",
        url,
        "--sink",
        sink,
        "--now",
        now.isoformat(),
        "--batch",
        str(batch),
        "--rate",
        str(rate),
    ]
    if worker is not None:
        args += ["--worker", worker]
    if ready:
        args.append("--ready")
    for option, value in (("--started", started), ("--lease", lease), ("--pace", pace)):
        if value is not None:
            args += [option, str(value)]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, *, within: float) -> tuple[int, str]:
    """Wait for a worker (killing it if it overruns); its exit code and everything it wrote."""
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=within)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        raise AssertionError(f"worker overran {within} s: {err.decode()[-2000:]}") from None
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


# --- the worker --------------------------------------------------------------------------------


class SinkPlatform:
    """A Platform named "console" whose DMs go to the sink over HTTP."""

    name = PLATFORM

    def __init__(
        self, http: aiohttp.ClientSession, sink: str, *, pace: float | None = None
    ) -> None:
        self.http, self.sink = http, sink
        self.worker = "?"
        """Reported with each DM: the dispatcher's worker id, set once it exists."""
        self._opening = TokenBucket(pace) if pace else None
        self._opening_lock = asyncio.Lock()

    async def send_dm(self, recipient: Recipient, message: Message) -> None:
        if self._opening is not None:  # every DM here opens a new channel: one at a time
            async with self._opening_lock:
                await self._opening.take()
        body = {"row": recipient.user_id, "worker": self.worker}
        async with self.http.post(f"{self.sink}/dm", json=body) as response:
            response.raise_for_status()

    async def post(
        self,
        community: str,
        channel: str,
        message: Message,
        *,
        ref: str | None = None,
        thread_title: str | None = None,
    ) -> str | None:
        body = {"community": community, "channel": channel, "worker": self.worker}
        async with self.http.post(f"{self.sink}/post", json=body) as response:
            response.raise_for_status()
        return None

    async def moderate(
        self, community: str, channel: str, ref: str, action: ModerationAction
    ) -> None:
        raise PermanentFailure("the sink cannot moderate")

    async def sync_session(
        self, community: str, event: SessionEvent, *, ref: str | None = None
    ) -> str | None:
        return None


class RunningClock:
    """The real time, shifted so that it read `start` at the wall-clock moment `started`."""

    def __init__(self, start: datetime, started: float) -> None:
        self.start, self.started = start, started

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.time() - self.started)


async def unleased_due(db: Database, now: datetime) -> int:
    """Due pending rows nobody holds a live lease on (a dead process's claim may still be
    rolling back on the server: its row locks make `claim` skip them for a moment)."""
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count()).where(
                OutboxMessage.status == "pending",
                OutboxMessage.platform == PLATFORM,
                OutboxMessage.due_at <= now,
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
            )
        )
        return int(count or 0)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.outbox.worker")
    parser.add_argument("--db", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--ready", action="store_true")
    parser.add_argument("--deadline", type=float, default=25.0)
    parser.add_argument("--started", type=float, default=None)
    parser.add_argument("--lease", type=float, default=120.0)
    parser.add_argument("--pace", type=float, default=None)
    args = parser.parse_args(argv)

    db = Database(args.db)
    clock: Clock = (
        SettableClock(args.now) if args.started is None else RunningClock(args.now, args.started)
    )
    settings = Settings(_env_file=None, dispatch_rate={PLATFORM: args.rate})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.deadline
    handled = 0
    async with aiohttp.ClientSession() as http:
        platform = SinkPlatform(http, args.sink, pace=args.pace)
        dispatcher = Dispatcher(
            db,
            platforms={PLATFORM: platform},
            clock=clock,
            settings=settings,
            batch=args.batch,
            lease=timedelta(seconds=args.lease),
            worker=args.worker,
        )
        platform.worker = dispatcher.worker
        await unleased_due(db, clock.now())  # connect before the start line
        if args.ready:
            async with http.post(f"{args.sink}/ready", json={}) as response:
                response.raise_for_status()
        while True:
            handled += await dispatcher.drain()
            if await unleased_due(db, clock.now()) == 0:
                break
            if loop.time() > deadline:
                print("deadline passed with rows left", file=sys.stderr)
                return 2
            await asyncio.sleep(0.1)
    await db.dispose()
    print(json.dumps({"worker": dispatcher.worker, "handled": handled}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
