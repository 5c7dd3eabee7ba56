"""discord.py's errors, classed by what the dispatcher should do next.

discord.py's HTTP client already waits out 429s (up to `max_ratelimit_timeout`) and
retries 5xx a few times; what still reaches us is either passing (RetryLater) or
permanent (PermanentFailure: never retried, since Discord bans bots that keep making
invalid requests — 10,000 401/403/429 in 10 minutes).
"""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from s4b_bot import PermanentFailure, RetryLater

CANNOT_DM = 50007
"""Cannot send messages to this user (DMs from server members closed, or blocked)."""
DMS_CLOSED = "direct messages closed (off for this server, or the bot is blocked)"
UNKNOWN_EVENT = 10070
SERVER_ERROR_DELAY = 10.0
CLOUDFLARE_DELAY = 15 * 60.0
NETWORK_DELAY = 5.0


def describe(exc: discord.HTTPException) -> str:
    return f"Discord {exc.status} (code {exc.code}): {exc.text or 'no message'}"[:300]


def classify(exc: BaseException) -> RetryLater | PermanentFailure:
    """The S4B error for a failed Discord call."""
    if isinstance(exc, discord.RateLimited):
        return RetryLater("Discord rate limit", delay=exc.retry_after)
    if isinstance(exc, discord.DiscordServerError):
        return RetryLater(describe(exc), delay=SERVER_ERROR_DELAY)
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:  # without Discord's headers: Cloudflare's temporary ban
            return RetryLater("Discord 429 from Cloudflare", delay=CLOUDFLARE_DELAY)
        if exc.status >= 500:
            return RetryLater(describe(exc), delay=SERVER_ERROR_DELAY)
        if exc.code == CANNOT_DM:
            return PermanentFailure(f"{DMS_CLOSED} ({describe(exc)})", unreachable=True)
        return PermanentFailure(describe(exc))
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ClientError, OSError)):
        return RetryLater(f"network: {type(exc).__name__}", delay=NETWORK_DELAY)
    return RetryLater(f"unexpected: {type(exc).__name__}", delay=NETWORK_DELAY)
