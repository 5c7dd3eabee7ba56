"""How each recent Discord interaction ended: for the logs, and for tests waiting on one."""

from __future__ import annotations

import asyncio
from collections import OrderedDict


class HandledLog:
    """How each recent interaction ended ("modal", "reply", "expired", …).

    Useful in logs, and lets tests wait for the end of an interaction handled in a task.
    """

    def __init__(self, size: int = 1_000) -> None:
        self._done: OrderedDict[int, str] = OrderedDict()
        self._size = size
        self._changed = asyncio.Condition()

    async def mark(self, interaction_id: int, how: str) -> None:
        async with self._changed:
            self._done[interaction_id] = how
            while len(self._done) > self._size:
                self._done.popitem(last=False)
            self._changed.notify_all()

    async def wait(self, interaction_id: int) -> str:
        """How the interaction ended, once it has (wrap in `asyncio.timeout`)."""
        async with self._changed:
            await self._changed.wait_for(lambda: interaction_id in self._done)
            return self._done[interaction_id]
