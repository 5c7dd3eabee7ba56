"""Clocks: the core asks one of these for "now" and never calls datetime.now() itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock:
    """A clock that stands still until moved: for tests, demos and the console's `/clock`."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = as_utc(when)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class RunningClock:
    """A clock that starts at a chosen time and runs on (`S4B_NOW` in a rehearsal):
    reminders and announcements come due as they would, from a pretended start."""

    def __init__(self, start: datetime, *, elapsed: Callable[[], float] = time.monotonic) -> None:
        self._start = as_utc(start)
        self._elapsed = elapsed
        self._started = elapsed()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed() - self._started)


def as_utc(when: datetime) -> datetime:
    """Naive datetimes are taken to be UTC; aware ones are converted."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
