"""The database goes away in the middle of a run: commands in that window get a clear
"try again" and change nothing; the dispatcher carries on by itself afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from adapters.web.server import start_server
from s4b_bot.clock import SettableClock
from s4b_bot.core import MSG_DATABASE_DOWN, Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.settings import Settings
from storage.db import Database
from storage.models import Registration
from tests.fakes import RecordingPlatform
from tests.faults._tcp_proxy import CuttableProxy
from tests.helpers import flat, reply_text

pytestmark = pytest.mark.postgres
CLUSTER_VERSION = (
    next(iter(sorted(os.listdir("/etc/postgresql"))), "")
    if os.path.isdir("/etc/postgresql")
    else ""
)


async def empty_database(url: str) -> None:
    """Start from the migrated schema with no rows (other tests share the database)."""
    from tests.conftest import TABLES

    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    await database.dispose()


def member(n: int) -> Actor:
    return Actor("console", "local", f"m{n}", f"Member {n}")


def form(session_id: int = 1) -> dict[str, object]:
    return {"name": "M", "about": "Neighbour", "sessions": (str(session_id),), "consent": True}


async def registrations(core: Core) -> int:
    async with core.db.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(Registration)) or 0)


@pytest.fixture
async def proxied_core(
    postgres_url: str, clock: SettableClock, tmp_path: Path
) -> AsyncIterator[tuple[Core, CuttableProxy]]:
    """A core whose database connections pass through a proxy the test can cut."""
    await empty_database(postgres_url)
    url = make_url(postgres_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    core = Core(
        Database(through), clock=clock, settings=Settings(data_dir=tmp_path, _env_file=None)
    )
    await core.start()
    yield core, proxy
    await core.db.dispose()
    await proxy.stop()


async def test_a_database_outage_gets_try_again_and_the_dispatcher_resumes(
    proxied_core: tuple[Core, CuttableProxy], clock: SettableClock
) -> None:
    core, proxy = proxied_core
    platform = RecordingPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(dispatcher.run_forever(stop, idle=0.05))
    for n in range(5):
        assert not (await core.submit(FormSubmission(member(n), "register", form()))).field_errors
    for _ in range(200):  # a loaded machine may take a while
        if len(platform.sent) == 5:
            break
        await asyncio.sleep(0.05)
    assert len(platform.sent) == 5  # invitations out before the outage

    proxy.down = True
    proxy.cut()
    during = [
        await core.submit(FormSubmission(member(n), "register", form())) for n in range(5, 10)
    ]
    for outcome in during:
        assert flat(reply_text(outcome)) == MSG_DATABASE_DOWN
    assert not loop.done()  # the dispatcher survives the outage
    proxy.down = False

    after = [await core.submit(FormSubmission(member(n), "register", form())) for n in range(5, 10)]
    assert all("you are registered" in reply_text(o) for o in after)
    for _ in range(100):
        if len(platform.sent) == 10:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(loop, 5)
    assert sorted(s.to for s in platform.sent) == sorted(f"m{n}" for n in range(10))
    assert await registrations(core) == 10


@pytest.mark.skipif(
    os.environ.get("S4B_TEST_PG_RESTART") != "1" or shutil.which("pg_ctlcluster") is None,
    reason="restarts the machine's PostgreSQL: only where nothing else uses it (CI sets S4B_TEST_PG_RESTART=1)",
)
async def test_a_real_postgresql_restart(
    postgres_url: str, clock: SettableClock, tmp_path: Path
) -> None:
    await empty_database(postgres_url)
    core = Core(
        Database(postgres_url), clock=clock, settings=Settings(data_dir=tmp_path, _env_file=None)
    )
    await core.start()
    platform = RecordingPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(dispatcher.run_forever(stop, idle=0.1))
    assert "you are registered" in reply_text(
        await core.submit(FormSubmission(member(1), "register", form()))
    )
    version = CLUSTER_VERSION
    restart = await asyncio.create_subprocess_exec(
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        version,
        "main",
        "restart",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    answers = []
    while restart.returncode is None:
        answers.append(reply_text(await core.submit(FormSubmission(member(2), "register", form()))))
        await asyncio.sleep(0.05)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(restart.wait(), 0.01)
    assert restart.returncode == 0
    assert all(flat(a) == MSG_DATABASE_DOWN or "registered" in a for a in answers), set(answers)
    for _ in range(100):
        outcome = await core.submit(FormSubmission(member(3), "register", form()))
        if "registered" in reply_text(outcome):
            break
        await asyncio.sleep(0.1)
    # A round cut by the restart may have claimed m1's invitation: it waits for its lease,
    # as after a crash. The test's clock stands still, so move it past the lease.
    clock.advance(dispatcher.lease + timedelta(seconds=1))
    for _ in range(100):
        if {"m1", "m3"} <= {s.to for s in platform.sent}:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(loop, 10)
    await core.db.dispose()
    assert {"m1", "m3"} <= {s.to for s in platform.sent}


BOUND = 2.0
"""Seconds a command may take (S4B_COMMAND_TIMEOUT) in the black-hole test."""


async def test_a_black_holed_database_gets_try_again_within_seconds(
    proxied_core: tuple[Core, CuttableProxy], unused_tcp_port: int
) -> None:
    """The server accepts connections and never answers: members hear "try again" within
    the command bound, /healthz says 503 within 2 s, and all is well once it answers again."""
    core, proxy = proxied_core
    # Shorter than the database's own timeouts (10 s), so the bound on the call is what holds.
    core.settings = core.settings.model_copy(update={"command_timeout": BOUND})
    runner = await start_server(core, host="127.0.0.1", port=unused_tcp_port)
    health = f"http://127.0.0.1:{unused_tcp_port}/healthz"
    try:
        assert "you are registered" in reply_text(
            await core.submit(FormSubmission(member(1), "register", form()))
        )
        proxy.black_hole = True
        for n in (2, 3):  # the pooled connection hangs; so does a new one
            started = time.monotonic()
            outcome = await asyncio.wait_for(
                core.submit(FormSubmission(member(n), "register", form())), 60
            )
            took = time.monotonic() - started
            assert flat(reply_text(outcome)) == MSG_DATABASE_DOWN
            assert took < BOUND + 1.0, took
        async with aiohttp.ClientSession() as http:
            started = time.monotonic()
            async with http.get(health, timeout=aiohttp.ClientTimeout(total=30)) as response:
                status, body = response.status, await response.json()
            took = time.monotonic() - started
        assert status == 503 and body["checks"]["database"] is False
        assert took < 2.0, took
    finally:
        proxy.black_hole = False
        proxy.cut()  # the silent connections time out on their own in real life
    for _ in range(50):  # answers again, without a restart
        outcome = await core.submit(FormSubmission(member(4), "register", form()))
        if "you are registered" in reply_text(outcome):
            break
        await asyncio.sleep(0.2)
    assert "you are registered" in reply_text(outcome)
    assert await registrations(core) == 2
    await runner.cleanup()
