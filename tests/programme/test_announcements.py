"""`/s4b-admin announce`: asked again while the announcement is queued or just out, it
says so (with the post's link where the platform has one) instead of posting nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.fakes import RecordingPlatform
from tests.helpers import flat, reply_text

ADA = Actor("console", "local", "ada", "Ada")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)


@dataclass
class LinkingPlatform(RecordingPlatform):
    """A platform whose posts have links, as Slack's and Discord's do."""

    async def permalink(self, community: str, ref: str) -> str | None:
        return f"https://chat.example/{community}/{ref}"


@pytest.fixture
def platform() -> LinkingPlatform:
    return LinkingPlatform()


async def announce(core: Core) -> str:
    return flat(reply_text(await core.run_text(JO, "s4b-admin", "announce spring")))


def announcements(platform: RecordingPlatform) -> int:
    return sum(p.to == "announcements" for p in platform.posts())


async def test_announcing_again_says_it_is_queued_or_just_posted_with_its_link(
    core: Core, dispatcher: Dispatcher, platform: LinkingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")  # the console community exists
    assert "is being announced in the announcements channel" in await announce(core)
    queued = await announce(core)
    assert "announcement is queued: it will be in the announcements channel in a moment" in queued
    await dispatcher.drain()
    assert announcements(platform) == 1
    clock.advance(timedelta(minutes=2))
    again = await announce(core)
    assert "The Spring session was announced 2 minutes ago (Tuesday, April 1, 2025, 8:00 a.m." in (
        again
    )
    assert "so nothing was posted again. Console: https://chat.example/local/announcements:" in (
        again
    )
    await dispatcher.drain()
    assert announcements(platform) == 1
    clock.advance(timedelta(minutes=10))  # no longer just posted: a new post
    assert "is being announced" in await announce(core)
    await dispatcher.drain()
    assert announcements(platform) == 2


async def test_without_links_the_answer_still_says_when_it_went_out(
    core: Core, clock: SettableClock
) -> None:
    plain = RecordingPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": plain}, clock=clock, settings=core.settings
    )
    await core.run_text(ADA, "s4b", "help")
    await announce(core)
    await dispatcher.drain()
    again = await announce(core)
    assert again.endswith(
        "was announced just now (Tuesday, April 1, 2025, 8:00 a.m. EDT), so "
        "nothing was posted again."
    )
    await dispatcher.drain()
    assert announcements(plain) == 1


async def test_announcing_a_later_session_does_not_call_it_the_next_one(
    core: Core, dispatcher: Dispatcher, platform: LinkingPlatform
) -> None:
    await core.run_text(ADA, "s4b", "help")  # the console community exists
    await core.run_text(JO, "s4b-admin", "announce year-end")
    await dispatcher.drain()
    [post] = [p for p in platform.posts() if p.to == "announcements"]
    assert post.text.startswith("Coming up: in 8 months.")
    await core.run_text(JO, "s4b-admin", "announce spring")
    await dispatcher.drain()
    assert platform.posts()[-1].text.startswith("Next session: in 4 weeks.")
