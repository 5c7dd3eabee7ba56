"""A pacer: keeps the dispatcher's send rate under a platform's limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    """Allows `rate` sends a second on average, with bursts of up to `burst`.

    Paced by deadlines: each send gets the next slot, 1/rate after the previous one, so a
    late wake-up is made up by the following sends instead of being lost, and no amount of
    floating-point rounding can leave a caller waiting for a sliver of a token forever.
    """

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
        self._interval = 1.0 / rate
        self._next = monotonic() - (burst - 1) * self._interval
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait for this send's slot, then book the next one."""
        async with self._lock:  # takers queue here, first come first served
            now = self._monotonic()
            # Idle time banks at most `burst` sends, never more.
            self._next = max(self._next, now - (self.burst - 1) * self._interval)
            slot = self._next
            self._next = slot + self._interval
            if slot > now:
                await self._sleep(slot - now)
