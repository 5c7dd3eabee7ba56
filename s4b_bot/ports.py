"""The ports through which the core reaches the outside world."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time. Injected everywhere so tests and demos can set "now"."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...
