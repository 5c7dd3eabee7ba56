"""A token bucket: keeps the dispatcher's send rate under a platform's limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    """Allows `rate` sends a second on average, with bursts of up to `burst`."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst = rate, burst
        self._monotonic, self._sleep = monotonic, sleep
        self._tokens = burst
        self._updated = monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait until one send is allowed, then use it."""
        async with self._lock:
            while True:
                now = self._monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.rate)
