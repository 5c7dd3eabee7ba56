"""Per-channel pacing: Slack allows about one chat.postMessage a second per channel.

https://api.slack.com/methods/chat.postMessage#rate_limiting — bursts past it earn 429s.
The dispatcher's token bucket paces the platform as a whole; this keeps each channel
(an announcements channel, one member's DM) at its own pace, in the order of arrival.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class ChannelPacer:
    """`await pacer.wait(channel)` before each message to that channel."""

    def __init__(
        self,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel: str) -> None:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:  # FIFO: callers for one channel go in the order they came
            delay = self._next.get(channel, 0.0) - self._monotonic()
            if delay > 0:
                await self._sleep(delay)
            self._next[channel] = self._monotonic() + self.interval
        self._forget_idle()

    def _forget_idle(self) -> None:
        """Drop channels whose turn has long passed, so the maps do not grow forever."""
        if len(self._next) < 1_000:
            return
        now = self._monotonic()
        for channel in [c for c, due in self._next.items() if due < now]:
            lock = self._locks.get(channel)
            if lock is None or not lock.locked():
                self._next.pop(channel, None)
                self._locks.pop(channel, None)
