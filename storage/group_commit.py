"""Group commit: units of work that arrive together share one transaction.

A burst of members (an announcement pings a whole server, everyone presses Register) would
otherwise queue for the database one transaction each: a BEGIN, a COMMIT and a pooled
connection per member, and on SQLite one write lock after another. Here the first caller
starts a leader task that runs every unit waiting at that moment in one transaction, each
inside a SAVEPOINT of its own, and commits once; whoever arrives meanwhile goes into the
next group, which starts as soon as the current one has committed.

Each unit keeps its own outcome:
- a unit that raises (a refusal, bad input, a bug) rolls back to its savepoint and its
  caller gets the exception at once: nothing of it was written, and the others go on;
- a unit that returns gets its result only after the COMMIT: nothing is acknowledged
  before it is durable. If the group fails (COMMIT, a lost connection, the timeout), each
  caller gets that error and nothing of theirs was kept.

A lone unit runs without a savepoint: the transaction is its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, is_unavailable, within

T = TypeVar("T")

Unit = Callable[[AsyncSession], Awaitable[T]]
"""A unit of work: reads and writes through the session it is given, never commits."""

MAX_GROUP = 25
"""At most this many units a transaction: each is answered only when the last of its
group is done, so a small group answers the first sooner; a COMMIT costs about one
unit's statement, so 25 a group already spreads it thin."""
PACE_WEIGHT = 0.2
"""How much the last group counts in the recent seconds per unit (a moving average)."""


@dataclass
class _Waiting(Generic[T]):
    unit: Unit[T]
    future: asyncio.Future[T]
    result: T | None = None


class GroupCommit:
    """Runs units of work in shared transactions (see the module's docstring).

    `timeout` bounds a whole group, BEGIN to COMMIT: past it the group is rolled back and
    each of its callers gets TimeoutError, so a caller told "try again" never has their
    unit committed later behind their back.
    """

    def __init__(
        self, db: Database, *, timeout: Callable[[], float], max_group: int = MAX_GROUP
    ) -> None:
        self.db = db
        self.timeout = timeout
        """Read at each group's start (the settings may be replaced while running)."""
        self.max_group = max_group
        self._queue: list[_Waiting[Any]] = []
        self._leader: asyncio.Task[None] | None = None
        self._running = 0
        self._unit_seconds = 0.0
        self._idle = asyncio.Event()
        self._idle.set()
        self.groups = 0
        """Transactions run so far (for benchmarks and tests)."""

    def expected_wait(self) -> float:
        """Seconds a unit arriving now would wait for its answer, at the recent pace: an
        adapter that must answer the platform within seconds can say "one moment" at once
        instead of waiting in a burst's queue for most of its deadline."""
        return (len(self._queue) + self._running + 1) * self._unit_seconds

    async def idle(self) -> None:
        """Until no unit is waiting or running (work that can wait for a burst to pass)."""
        await self._idle.wait()

    async def run(self, unit: Unit[T]) -> T:
        """The unit's result once its transaction committed, or the exception it raised."""
        waiting: _Waiting[T] = _Waiting(unit, asyncio.get_running_loop().create_future())
        self._queue.append(waiting)
        self._idle.clear()
        if self._leader is None or self._leader.done():
            # A task of its own: a caller that gives up must not cancel the others' group.
            self._leader = asyncio.ensure_future(self._lead())
        return await waiting.future

    async def _lead(self) -> None:
        try:
            while self._queue:
                group = [w for w in self._queue[: self.max_group] if not w.future.done()]
                del self._queue[: self.max_group]
                if group:
                    self._running = len(group)
                    started = time.monotonic()
                    await self._run_group(group)
                    per_unit = (time.monotonic() - started) / len(group)
                    self._unit_seconds += PACE_WEIGHT * (per_unit - self._unit_seconds)
        except BaseException as exc:  # the leader itself cancelled (shutdown): nobody hangs
            for waiting in self._queue:
                if not waiting.future.done():
                    waiting.future.set_exception(exc)
            self._queue.clear()
            raise
        finally:
            self._running = 0
            if not self._queue:
                self._idle.set()

    async def _run_group(self, group: list[_Waiting[Any]]) -> None:
        self.groups += 1
        try:
            await within(self.timeout(), self._transaction(group))
        except BaseException as exc:  # the group's failure is each of its members'
            for waiting in group:
                if not waiting.future.done():
                    waiting.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for waiting in group:
            if not waiting.future.done():
                waiting.future.set_result(waiting.result)

    async def _transaction(self, group: list[_Waiting[Any]]) -> None:
        async with self.db.transaction() as session:
            if len(group) == 1:
                group[0].result = await group[0].unit(session)
                return
            for waiting in group:
                if waiting.future.done():  # its caller gave up before it started
                    continue
                try:
                    async with session.begin_nested():
                        waiting.result = await waiting.unit(session)
                except Exception as exc:
                    if is_unavailable(exc):  # the connection, not the unit: the group fails
                        raise
                    if not waiting.future.done():  # its caller may have given up meanwhile
                        waiting.future.set_exception(exc)
