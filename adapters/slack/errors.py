"""Slack SDK failures classed by the outbox's next move: RetryLater or PermanentFailure.

The client has already retried 429s (honouring Retry-After) and 500/503s by the time an
error reaches here, so what is left goes back to the outbox with Slack's delay. Error
codes: https://api.slack.com/methods/chat.postMessage#errors and its sibling pages.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError, SlackRequestError

from s4b_bot import PermanentFailure, RetryLater

T = TypeVar("T")

TRANSIENT_CODES = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
"""ok:false codes that may succeed later; every other code is permanent, so the outbox
never hammers Slack with a request that cannot work."""
DEFAULT_DELAY = 5.0
MEMBER_GONE = frozenset(
    {"user_not_found", "user_disabled", "user_not_visible", "cannot_dm_bot", "channel_not_found"}
)
"""Codes of a DM (conversations.open, then chat.postMessage into the DM) that mean this
member cannot get DMs any more: deactivated, deleted, or the DM gone. Not
`account_inactive`: that is the bot's own token, deleted or its workspace gone, and would
make every member look unreachable."""


def error_code(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    return str(data.get("error", "")) if isinstance(data, dict) else ""


def retry_after(exc: SlackApiError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(float(raw), 0.0)
            except ValueError:
                return None
    return None


def classify(exc: BaseException) -> RetryLater | PermanentFailure:
    """The core error for an SDK or network error."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        code = error_code(exc)
        if status == 429 or code in ("ratelimited", "rate_limited"):
            delay = retry_after(exc)
            return RetryLater(f"Slack rate limit ({code or status})", delay=delay or DEFAULT_DELAY)
        if status >= 500 or code in TRANSIENT_CODES:
            return RetryLater(f"Slack is unavailable ({code or status})", delay=DEFAULT_DELAY)
        return PermanentFailure(f"Slack refused it: {code or status}")
    if isinstance(exc, aiohttp.ClientError | TimeoutError | OSError):
        return RetryLater(f"cannot reach Slack ({type(exc).__name__})", delay=DEFAULT_DELAY)
    if isinstance(exc, SlackRequestError):  # e.g. the file upload URL answered 5xx
        return RetryLater(f"Slack request failed ({type(exc).__name__})", delay=DEFAULT_DELAY)
    if isinstance(exc, SlackClientError):
        return PermanentFailure(f"Slack client error: {type(exc).__name__}")
    return RetryLater(f"unexpected {type(exc).__name__}", delay=DEFAULT_DELAY)


async def classified(call: Awaitable[T]) -> T:
    """Await a Slack call, raising RetryLater/PermanentFailure instead of SDK errors."""
    try:
        return await call
    except (SlackClientError, aiohttp.ClientError, OSError) as exc:
        raise classify(exc) from exc
