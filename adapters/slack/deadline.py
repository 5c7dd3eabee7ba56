"""Slack's 3 seconds, counted from when a request reached this process.

Slack wants every interaction acknowledged within 3 s of sending it, and a trigger_id
is valid for 3 s from then too. When the event loop is busy (hundreds of members
registering at once), a listener may start seconds after its request arrived, so a
budget counted from the listener's start overshoots. The request is therefore stamped
as early as the process can see it (`serve.py`: the aiohttp handler in HTTP mode, the
WebSocket read in Socket Mode), the stamp travels in bolt's context under `RECEIVED`,
and every wait is counted from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ACK_WINDOW = 3.0
"""Slack's deadline for an ack, and a trigger_id's lifetime, from Slack's send."""
RECEIVED = "s4b_received"
"""The key of the arrival stamp (a `clock()` reading) in bolt's request context."""
ACK_MARGIN = 1.0
"""Seconds kept back from the 3 s for an ack or a views.open to leave the process and
cross the network; the event loop's current lag (`Deadline.lag`) is kept back as well."""
MIN_WAIT = 0.05
"""Less time than this left to wait: do not wait at all, answer with the fallback."""
TRIGGER_SLACK = 0.1
"""A views.open this close to the trigger_id's 3 s is not tried."""

clock: Callable[[], float] = time.monotonic
"""The clock of every stamp and deadline (tests may replace it)."""


@dataclass(frozen=True)
class Deadline:
    """One request's time: when it arrived, when its listener started, the safety margin."""

    received: float
    started: float
    margin: float = ACK_MARGIN

    @classmethod
    def of(cls, context: Mapping[str, Any], *, margin: float = ACK_MARGIN) -> Deadline:
        """The deadline of the request whose bolt context this is (a listener's `context`).

        Without a stamp (a request that did not come through `serve.py`), the listener's
        start is the best guess of the arrival.
        """
        now = clock()
        stamp = context.get(RECEIVED)
        received = float(stamp) if isinstance(stamp, (int, float)) and stamp <= now else now
        return cls(received=received, started=now, margin=margin)

    @property
    def lag(self) -> float:
        """From arrival to the listener's start: how slow the event loop is right now.

        The ack goes back out through about as many turns of the loop as the request
        took to come in, so this much more is kept back from the 3 s.
        """
        return self.started - self.received

    def elapsed(self) -> float:
        return clock() - self.received

    def left(self, budget: float) -> float:
        """How much longer the listener may wait before it must ack (or open a modal).

        At most `budget` after arrival, and never past Slack's 3 s minus the margin and
        the loop's lag; 0 or less: act now.
        """
        return min(budget, ACK_WINDOW - self.margin - self.lag) - self.elapsed()

    def trigger_left(self) -> float:
        """How long the trigger_id is still worth trying (views.open / views.push)."""
        return ACK_WINDOW - self.elapsed() - TRIGGER_SLACK
