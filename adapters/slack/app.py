"""Build the Slack adapter: one AsyncWebClient, the bolt AsyncApp, the dispatcher's port.

slack_sdk retries only connection errors by default, so the client gets the rate-limit
handler (429: wait Retry-After, then try again) and the server-error handler (500/503);
bolt copies them onto the per-request clients it gives listeners. What still fails goes
back to the outbox as RetryLater with Slack's delay.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import SlackConfig
from adapters.slack.files import UPLOAD_ACTION_ID, UPLOAD_CALLBACK_ID
from adapters.slack.listeners import Handlers
from adapters.slack.modal import CALLBACK_ID
from adapters.slack.platform import SlackPlatform
from adapters.slack.verify import VerifiedOnce
from s4b_bot import ACTION_PREFIX, MEMBER_ROOT, ORGANIZER_ROOT, Core

_log = logging.getLogger(__name__)

ACTION_PATTERN = re.compile(rf"^{re.escape(ACTION_PREFIX)}:")
TIMEOUT = 10
"""Seconds for one Web API call (slack_sdk's default is 30: too long behind a 3 s ack)."""


def build_client(config: SlackConfig) -> AsyncWebClient:
    """The one Web API client: Slack's (or the mock's) URL, and every retry handler."""
    return AsyncWebClient(
        token=config.secret("bot_token"),
        base_url=config.api_url,
        timeout=TIMEOUT,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=config.rate_limit_retries),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass
class SlackBot:
    """The adapter, built: serve it with `adapters.slack.serve`, deliver with `platform`."""

    app: AsyncApp
    platform: SlackPlatform
    handlers: Handlers
    config: SlackConfig
    connected: bool = False
    """Receiving Slack's requests (for /healthz)."""

    async def settled(self) -> None:
        """Wait for the work listeners do after their acks (tests, graceful shutdown)."""
        await self.handlers.inflight.settled()

    async def open_session(self) -> None:
        """Give every Web API call one kept-alive aiohttp session (no-op if one is open).

        It is set on the one client, so bolt's per-request clients (which copy its
        `session`) and the response_url posts (`answer.Answer`) share it too; without it
        slack_sdk opens a new connection, and a TLS handshake, for each call.
        """
        client = self.platform.client
        if client.session is None or client.session.closed:
            timeout = aiohttp.ClientTimeout(total=client.timeout)
            client.session = aiohttp.ClientSession(timeout=timeout)

    async def close_session(self) -> None:
        """Let listeners finish their calls, then close the shared session."""
        await self.settled()
        session, self.platform.client.session = self.platform.client.session, None
        if session is not None:
            await session.close()


def build_slack(core: Core, config: SlackConfig | None = None) -> SlackBot:
    """The bolt app with its listeners, and the Platform for the dispatcher.

    Request verification stays on (`verify.VerifiedOnce`): in HTTP mode each request's
    signature is checked, timestamps older than five minutes are refused, and a request is
    run once (Slack's retries and replays are acknowledged only); Socket Mode needs no
    signature.
    """
    config = config or SlackConfig()
    client = build_client(config)
    secret = config.signing_secret.get_secret_value() if config.signing_secret else ""
    logger = logging.getLogger("slack_bolt.s4b")  # a library's: its DEBUG logs carry bodies
    app = AsyncApp(
        client=client,
        signing_secret=secret,
        request_verification_enabled=False,  # VerifiedOnce does it, in the same place
        before_authorize=VerifiedOnce(secret, base_logger=logger),
        logger=logger,
    )
    platform = SlackPlatform(client, config)
    handlers = Handlers(core, platform, config)
    app.command(f"/{MEMBER_ROOT}")(handlers.on_command)
    app.command(f"/{ORGANIZER_ROOT}")(handlers.on_command)
    app.action(ACTION_PATTERN)(handlers.on_action)
    app.view_submission(CALLBACK_ID)(handlers.on_submission)
    app.view_submission(UPLOAD_CALLBACK_ID)(handlers.on_upload)
    app.action(UPLOAD_ACTION_ID)(handlers.on_upload_button)
    app.event("app_home_opened")(handlers.on_home_opened)
    for gesture in core.routes.gestures:  # "Report to organizers" in a message's ⋯ menu
        app.message_shortcut(gesture.callback_id)(handlers.on_message_shortcut)
    return SlackBot(app=app, platform=platform, handlers=handlers, config=config)
