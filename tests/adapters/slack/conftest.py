"""Fixtures: a mock Slack on 127.0.0.1, and the real Slack adapter on the S4B 2025 programme."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from s4b_bot.core import Core
from tests.adapters.slack.mock_slack import MockSlack

BOT_TOKEN = "xoxb-test-0000-bot-token-must-never-be-logged"
APP_TOKEN = "xapp-1-test-app-token-must-never-be-logged"
SIGNING_SECRET = "test-signing-secret-must-never-be-logged"
ORGANIZER_ID = "U0JO"
ANNOUNCEMENTS = "C0ANNOUNCE"


@pytest.fixture
async def mock_slack() -> AsyncIterator[MockSlack]:
    server = MockSlack(bot_token=BOT_TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def slack_config(mock_slack: MockSlack) -> SlackConfig:
    return SlackConfig(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=SecretStr(BOT_TOKEN),
        signing_secret=SecretStr(SIGNING_SECRET),
        api_url=mock_slack.api_url,
        organizer_ids=frozenset({ORGANIZER_ID}),
        announcements_channel=ANNOUNCEMENTS,
        summaries_channel="C0SUMMARY",
        ideas_channel="C0IDEAS",
        post_interval=0.0,
        # The production budgets: on a busy CI machine an ordinary answer must not slip
        # into the slow path ("Loading…" modal) that `tight_budgets` tests on purpose.
        trigger_budget=2.0,
        submit_budget=2.0,
    )


@pytest.fixture
def tight_budgets(slack_config: SlackConfig) -> SlackConfig:
    """Budgets of 0.5 s, for the tests of what a core slower than them does."""
    slack_config.trigger_budget = 0.5
    slack_config.submit_budget = 0.5
    return slack_config


@pytest.fixture
async def slack(sqlite_core: Core, slack_config: SlackConfig) -> AsyncIterator[SlackBot]:
    bot = build_slack(sqlite_core, slack_config)
    yield bot
    await bot.settled()
