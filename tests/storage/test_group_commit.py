"""Group commit: calls that arrive together share one transaction, each keeping its own
outcome; nothing is answered before it is durable. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.core import Core
from s4b_bot.errors import UserError
from s4b_bot.invocation import Actor, FormSubmission
from storage.db import Database
from storage.group_commit import GroupCommit
from storage.models import Community, ProgrammeSession, Registration

NOW = datetime(2025, 4, 1, 12, tzinfo=UTC)


def group_commit(db: Database, *, timeout: float = 10.0) -> GroupCommit:
    return GroupCommit(db, timeout=lambda: timeout)


def add_community(name: str) -> Any:
    async def unit(session: AsyncSession) -> str:
        session.add(Community(platform="test", external_id=name, created_at=NOW))
        await session.flush()
        return name

    return unit


async def communities(db: Database) -> set[str]:
    async with db.sessions() as session:
        rows = await session.scalars(select(Community.external_id))
        return set(rows) - {"local"}


async def test_callers_that_arrive_together_share_one_transaction(db: Database) -> None:
    writes = group_commit(db)
    names = [f"c{i}" for i in range(20)]
    results = await asyncio.gather(*(writes.run(add_community(n)) for n in names))
    assert results == names
    assert await communities(db) == set(names)
    assert writes.groups == 1
    # Those arriving while a group runs share the next one.
    more = [f"d{i}" for i in range(5)]
    first = asyncio.ensure_future(writes.run(add_community("alone")))
    await asyncio.sleep(0)  # its group starts: it is alone in it
    await asyncio.gather(first, *(writes.run(add_community(n)) for n in more))
    assert writes.groups == 3
    assert await communities(db) == {*names, "alone", *more}


async def test_a_refusal_is_rolled_back_alone_and_answered_at_once(db: Database) -> None:
    writes = group_commit(db)
    refused_at: list[float] = []
    loop = asyncio.get_running_loop()

    async def refused(session: AsyncSession) -> str:
        session.add(Community(platform="test", external_id="refused", created_at=NOW))
        await session.flush()  # written, then refused: the savepoint takes it back
        raise UserError("That session is full.")

    async def slow(session: AsyncSession) -> str:
        await asyncio.sleep(0.2)
        return await add_community("slow")(session)

    async def refused_call() -> None:
        try:
            await writes.run(refused)
        except UserError:
            refused_at.append(loop.time())

    started = loop.time()
    blocker = asyncio.ensure_future(writes.run(add_community("first")))
    await asyncio.sleep(0)  # "first" runs alone; the next three arrive meanwhile
    _, refusal, late = await asyncio.gather(
        writes.run(add_community("before")), refused_call(), writes.run(slow)
    )
    await blocker
    assert late == "slow" and refusal is None
    # The refusal reached its caller before the slow member of its group finished.
    [at] = refused_at
    assert at - started < 0.2
    assert await communities(db) == {"first", "before", "slow"}


async def test_nothing_is_answered_before_the_commit_and_a_failed_commit_fails_all(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = group_commit(db)
    real = db.transaction
    answered_before_commit: list[bool] = []
    futures: list[asyncio.Future[str]] = []

    @asynccontextmanager
    async def failing_commit() -> AsyncIterator[AsyncSession]:
        async with real() as session:
            yield session
            # Every unit has run: none of their callers may have an answer yet.
            answered_before_commit.extend(f.done() for f in futures)
            await session.rollback()
        raise OSError("disk full at COMMIT")

    monkeypatch.setattr(db, "transaction", failing_commit)
    futures.extend(asyncio.ensure_future(writes.run(add_community(f"c{i}"))) for i in range(3))
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    assert answered_before_commit == [False, False, False]
    assert all(isinstance(o, OSError) for o in outcomes), outcomes
    assert await communities(db) == set()


async def test_a_group_past_its_time_is_rolled_back_for_every_caller(db: Database) -> None:
    writes = group_commit(db, timeout=0.3)

    async def stuck(session: AsyncSession) -> str:
        await asyncio.sleep(5)
        return "never"

    blocker = asyncio.ensure_future(writes.run(add_community("alone")))
    await asyncio.sleep(0)
    outcomes = await asyncio.gather(
        writes.run(add_community("kept?")), writes.run(stuck), return_exceptions=True
    )
    assert await blocker == "alone"
    assert [type(o) for o in outcomes] == [TimeoutError, TimeoutError]
    assert await communities(db) == {"alone"}


def count_begins(core: Core) -> list[int]:
    begins = [0]

    def on_begin(conn: Any) -> None:
        begins[0] += 1

    event.listen(core.db.engine.sync_engine, "begin", on_begin)
    return begins


async def test_a_burst_of_registrations_shares_transactions_each_with_its_own_outcome(
    core: Core,
) -> None:
    async with core.db.reading() as session:
        spring = await session.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
    begins = count_begins(core)

    def form(i: int, email: str) -> FormSubmission:
        values = {
            "name": f"Member {i}",
            "about": "Neighbour",
            "email": email,
            "sessions": (str(spring),),
            "consent": True,
        }
        return FormSubmission(Actor("console", "local", f"u{i}", f"Member {i}"), "register", values)

    emails = [f"m{i}@example.org" for i in range(30)]
    emails[7] = "not an address"
    outcomes = await asyncio.gather(*(core.submit(form(i, e)) for i, e in enumerate(emails)))

    assert outcomes[7].field_errors and "email" in outcomes[7].field_errors
    assert all(not o.field_errors for i, o in enumerate(outcomes) if i != 7)
    async with core.db.reading() as session:
        kept = await session.scalar(select(func.count()).select_from(Registration))
    assert kept == 29
    # One transaction each before group commit; now the first alone, the rest together.
    assert begins[0] <= 3, begins


async def test_the_expected_wait_follows_the_queue_and_idle_waits_for_it(db: Database) -> None:
    writes = group_commit(db)
    assert writes.expected_wait() == 0.0  # no pace known yet
    release = asyncio.Event()

    async def held(session: AsyncSession) -> None:
        await asyncio.sleep(0.05)
        await release.wait()

    await asyncio.gather(*(writes.run(add_community(f"p{i}")) for i in range(4)))
    alone = writes.expected_wait()
    assert alone > 0.0  # the pace of the group just run
    holding = asyncio.ensure_future(writes.run(held))
    queued = [asyncio.ensure_future(writes.run(add_community(f"q{i}"))) for i in range(10)]
    await asyncio.sleep(0.01)
    assert writes.expected_wait() > 5 * alone  # ten more ahead of a newcomer
    idle = asyncio.ensure_future(writes.idle())
    await asyncio.sleep(0.05)
    assert not idle.done()
    release.set()
    await asyncio.gather(holding, *queued)
    await asyncio.wait_for(idle, 1.0)


async def test_a_cancelled_leader_leaves_no_caller_waiting(db: Database) -> None:
    writes = group_commit(db)
    started = asyncio.Event()

    async def long(session: AsyncSession) -> None:
        started.set()
        await asyncio.sleep(10)

    first = asyncio.ensure_future(writes.run(long))
    await started.wait()
    queued = asyncio.ensure_future(writes.run(add_community("next")))
    await asyncio.sleep(0)
    assert writes._leader is not None
    writes._leader.cancel()  # as at shutdown
    outcomes = await asyncio.wait_for(asyncio.gather(first, queued, return_exceptions=True), 2)
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes), outcomes


async def test_a_caller_who_gives_up_on_a_refusal_spoils_nobody_elses(db: Database) -> None:
    writes = group_commit(db)

    async def refused_later(session: AsyncSession) -> str:
        await asyncio.sleep(0.2)
        raise UserError("No such session.")

    blocker = asyncio.ensure_future(writes.run(add_community("first")))
    await asyncio.sleep(0)
    before = asyncio.ensure_future(writes.run(add_community("a")))
    gives_up = asyncio.ensure_future(writes.run(refused_later))
    after = asyncio.ensure_future(writes.run(add_community("c")))
    await asyncio.sleep(0.1)  # its unit is running
    gives_up.cancel()
    assert await asyncio.gather(blocker, before, after) == ["first", "a", "c"]
    assert await communities(db) == {"first", "a", "c"}
