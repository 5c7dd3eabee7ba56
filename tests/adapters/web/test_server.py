"""The calendar feed over real HTTP: a member's secret URL always holds exactly their sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import icalendar
import pytest
from aiohttp import web

from adapters.web.server import start_server
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from tests.helpers import confirmed, reply_text

ADA = Actor("console", "local", "ada", "Ada")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)


@pytest.fixture
async def server(core: Core, unused_tcp_port: int) -> AsyncIterator[str]:
    core.settings.http_port = unused_tcp_port
    core.settings.public_url = f"http://127.0.0.1:{unused_tcp_port}"
    runner: web.AppRunner = await start_server(core, host="127.0.0.1", port=unused_tcp_port)
    yield core.settings.public_url
    await runner.cleanup()


async def fetch(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read()


async def test_the_feed_follows_registrations_reschedules_and_resets(
    core: Core, server: str
) -> None:
    reply = reply_text(await core.run_text(ADA, "s4b", "calendar feed"))
    url = next(word for word in reply.split() if word.startswith(server))
    status, body = await fetch(url)
    assert status == 200 and icalendar.Calendar.from_ical(body).walk("VEVENT") == []

    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/x")
    values = {"name": "Ada", "about": "Neighbour", "sessions": ("1", "2"), "consent": True}
    assert not (await core.submit(FormSubmission(ADA, "register", values))).field_errors
    await confirmed(core, JO, "session reschedule summer 2025-06-26 13:00")
    status, body = await fetch(url)
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert [str(e["SUMMARY"]).split("—")[-1].split(":")[0].strip() for e in events] == [
        "Spring Session",
        "Summer Session",
    ]
    assert "https://call.example/x" in str(events[0]["LOCATION"])
    assert events[1].decoded("DTSTART").day == 26
    assert len(events[0].walk("VALARM")) == 3

    reset = reply_text(await core.run_text(ADA, "s4b", "calendar feed reset"))
    assert "old link no longer works" in reset
    assert (await fetch(url))[0] == 404
    assert (await fetch(f"{server}/calendar/{'A' * 32}.ics"))[0] == 404


async def test_feeds_are_off_unless_configured(core: Core) -> None:
    reply = reply_text(await core.run_text(ADA, "s4b", "calendar feed"))
    assert "not switched on here" in reply
    assert "S4B_" not in reply, "setting names are for whoever runs the bot"
    organizer = reply_text(await core.run_text(JO, "s4b", "calendar feed"))
    assert "S4B_HTTP_PORT and S4B_PUBLIC_URL" in organizer


async def test_the_series_calendar_has_no_call_details(core: Core) -> None:
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/secret")
    outcome = await core.run_text(ADA, "s4b", "calendar")
    assert outcome.reply is not None
    [file] = outcome.reply.attachments
    assert b"call.example" not in file.content
    calendar = icalendar.Calendar.from_ical(file.content)
    assert calendar["METHOD"] == "PUBLISH" and len(calendar.walk("VEVENT")) == 4
