"""Which interactions may answer with a modal comes from the route table (`opens_form`):
a Report button and `/s4b-admin summary` open their forms, as Register always did."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import callbacks, feed, followups
from tests.adapters.discord.mock_discord import MockDiscord

ADA = Actor("discord", str(payloads.GUILD_ID), payloads.ADA["id"], "Ada")
MODAL = 9


async def test_the_report_button_opens_the_report_form(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core
) -> None:
    await sqlite_core.run_text(ADA, "s4b", "idea Libraries could host belonging circles")
    press = payloads.component(payloads.message_with("s4b:report:1"), "s4b:report:1")
    assert await feed(bot, press) == "modal"
    (only,) = callbacks(mock, press)  # the modal is the first answer: nothing was deferred
    assert only.body["type"] == MODAL
    assert only.body["data"]["custom_id"] == "s4b-form:report:1"
    assert followups(mock, press) == []


async def test_the_summary_command_opens_the_summary_form(
    bot: S4BClient, mock: MockDiscord, clock: SettableClock
) -> None:
    clock.set(datetime(2025, 4, 29, 19, tzinfo=UTC))  # the Spring session is over
    organizer = payloads.command(
        "s4b-admin", "summary", {"session": "spring"}, roles=[payloads.ORGANIZER_ROLE]
    )
    assert await feed(bot, organizer) == "modal"
    (only,) = callbacks(mock, organizer)
    assert only.body["type"] == MODAL
    assert only.body["data"]["custom_id"].startswith("s4b-form:summary:")
