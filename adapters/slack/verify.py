"""What reaches the listeners: signed requests (HTTP mode), each handled once.

It takes the place of bolt's own request verification (the same slot, before
authorization), and adds what that one lacks:

- A malformed timestamp or signature is refused like a wrong one (401). slack_sdk's
  verifier calls `int()` on the timestamp and `hmac.compare_digest` on the signature, and
  would raise: an HTTP 500 and a traceback in the log.
- Slack's own retries (`X-Slack-Retry-Num`; bolt sets the same header in Socket Mode) are
  acknowledged and not run again: Slack retries when an ack was late or lost, so the
  first delivery is being handled, or was. Only the Events API retries (here, the App
  Home tab's refresh); commands, buttons and forms are never retried by Slack.
- A signed request that comes again (the same signature: the same timestamp and body)
  while its timestamp is accepted is acknowledged and not run again, so a replay cannot
  share an idea twice, add a session twice or take a vote back.

The memory of signatures is this process's: a replay sent to another copy of the bot
behind the same load balancer is not caught. Catching it would need a table shared
through the database, for an attack that needs a captured request (TLS) and works for
five minutes; Slack's retries, the duplicates that do happen, are caught in any copy.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from slack_bolt.middleware.request_verification.async_request_verification import (
    AsyncRequestVerification,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

_log = logging.getLogger(__name__)

REMEMBERED = 600.0
"""Seconds a signature is remembered: longer than bolt accepts a timestamp (five minutes,
either way of the clock)."""


def _header(headers: dict[str, Sequence[str]], name: str) -> str:
    values = headers.get(name) or [""]
    return values[0]


def _well_formed(timestamp: str, signature: str) -> bool:
    """What slack_sdk's verifier can check without raising."""
    try:
        int(timestamp)
    except ValueError:
        return False
    return signature.isascii()


class SeenSignatures:
    """Signatures of the requests handled lately, oldest first."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str) -> bool:
        """True the first time a signature is seen (then remembered for REMEMBERED s)."""
        now = self._clock()
        while self._until and next(iter(self._until.values())) <= now:
            self._until.popitem(last=False)
        if signature in self._until:
            return False
        self._until[signature] = now + REMEMBERED
        return True


class VerifiedOnce(AsyncRequestVerification):
    """bolt's request verification, total on malformed headers, and once per request."""

    def __init__(self, signing_secret: str, *, base_logger: logging.Logger) -> None:
        super().__init__(signing_secret, base_logger=base_logger)
        self.seen = SeenSignatures()

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # bolt calls it by this name
    ) -> BoltResponse:
        if not self._can_skip(req.mode, req.body):  # Socket Mode needs no signature
            timestamp = _header(req.headers, "x-slack-request-timestamp")
            signature = _header(req.headers, "x-slack-signature")
            if not (
                _well_formed(timestamp, signature)
                and self.verifier.is_valid(req.raw_body, timestamp, signature)
            ):
                return self._build_error_response()
            if not self.seen.first_time(signature):
                _log.warning("a signed request came again: acknowledged, not run again")
                return BoltResponse(status=200, body="")
        if _header(req.headers, "x-slack-retry-num"):
            _log.info(
                "Slack retried a request (%s): acknowledged, not run again",
                _header(req.headers, "x-slack-retry-reason") or "no reason given",
            )
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        return await next()
