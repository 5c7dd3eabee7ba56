"""Work the Slack listeners go on doing after their acks, counted so that tests and a
graceful shutdown can wait for it (bolt runs listeners as tasks of its own)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

_log = logging.getLogger(__name__)


class Inflight:
    """Counts listeners still working after their ack, so tests and shutdown can wait."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self._begin()
        try:
            yield
        finally:
            self._end()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` as a task of its own, counted from now (not from when it starts)."""
        self._begin()
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # referenced until it ends, as asyncio requires
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._end()
        if not task.cancelled() and task.exception() is not None:
            _log.error("Slack background work failed", exc_info=task.exception())

    def _begin(self) -> None:
        self._count += 1
        self._idle.clear()

    def _end(self) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    async def settled(self) -> None:
        """Wait until no listener is running (bolt starts them as tasks: let them begin)."""
        for _ in range(5):
            await asyncio.sleep(0)
        while self._count:
            await self._idle.wait()
            for _ in range(5):
                await asyncio.sleep(0)
