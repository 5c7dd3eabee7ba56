"""Memory of the steps of multi-step deliveries, shared by the adapters that need it."""

from __future__ import annotations

import time


class StepMemory:
    """Which steps of recent multi-step deliveries are done (in memory: a crash may repeat
    a step, which the outbox's in-flight bound already allows)."""

    def __init__(self, keep_for: float = 6 * 3600.0) -> None:
        self.keep_for = keep_for
        self._done: dict[str, tuple[float, str]] = {}

    def get(self, step: str | None) -> str | None:
        found = self._done.get(step) if step else None
        return found[1] if found else None

    def done(self, step: str, value: str) -> None:
        now = time.monotonic()
        if len(self._done) > 10_000:  # forget the old ones now and then
            self._done = {k: v for k, v in self._done.items() if now - v[0] < self.keep_for}
        self._done[step] = (now, value)
