"""Leaving and registering again within the same second (or on the console's still clock):
each step's calendar file is sent, in order, so the member's calendar ends invited."""

from __future__ import annotations

from icalendar import Calendar

from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.fakes import RecordingPlatform
from tests.helpers import register

ADA = Actor("console", "local", "ada", "Ada")


async def test_register_leave_register_in_one_second_ends_with_an_invitation(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    # The clock does not move between the three: the same second for all.
    await register(core, ADA, "spring", email="ada@example.org")
    await dispatcher.drain()
    await core.run_text(ADA, "s4b", "unregister spring")
    await dispatcher.drain()
    again = await register(core, ADA, "spring", email="ada@example.org")
    assert "on its way" in again
    await dispatcher.drain()
    files = [
        Calendar.from_ical(dm.message.attachments[0].content)
        for dm in platform.dms_to("ada")
        if dm.message.attachments
    ]
    methods = [(str(c["METHOD"]), int(c.walk("VEVENT")[0]["SEQUENCE"])) for c in files]
    assert [m for m, _ in methods] == ["REQUEST", "CANCEL", "REQUEST"], methods
    sequences = [s for _, s in methods]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3, methods
