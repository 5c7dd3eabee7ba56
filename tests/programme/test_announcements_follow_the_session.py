"""Announcements that follow the session: a reschedule or a cancellation edits each
announcement already posted (the new time; or "cancelled" without the Register button) and
posts a short notice in the channel; one not yet posted goes out as the session then is."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from tests.fakes import RecordingPlatform, Sent
from tests.helpers import confirmed, flat, register, reply_text

ADA = Actor("console", "local", "ada", "Ada")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
SUMMER_JUNE_3 = "Tuesday, June 3, 2025, 2:00–3:00 p.m. EDT"
SUMMER_JUNE_10 = "Tuesday, June 10, 2025, 3:00–4:00 p.m. EDT"


async def organizer(core: Core, text: str) -> str:
    """An organizer command, confirmed when it previews (cancel, reschedule)."""
    return flat(reply_text(await confirmed(core, JO, text)))


async def announced(core: Core, dispatcher: Dispatcher, platform: RecordingPlatform) -> Sent:
    """The Summer session announced in the console's channel: the post."""
    await core.run_text(ADA, "s4b", "help")  # the console community exists
    await organizer(core, "announce summer")
    await dispatcher.drain()
    [post] = platform.posts()
    assert post.ref is None and "[1: Register]" in post.text
    return post


def after(platform: RecordingPlatform, count: int) -> tuple[list[Sent], list[Sent]]:
    """The edits and the new posts since the first `count` things sent."""
    posts = [s for s in platform.sent[count:] if s.kind == "post"]
    return [p for p in posts if p.ref], [p for p in posts if not p.ref]


async def test_a_reschedule_edits_the_announcement_and_tells_the_channel(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await announced(core, dispatcher, platform)
    seen = len(platform.sent)
    await organizer(core, "session reschedule summer 2025-06-03 14:00")
    await dispatcher.drain()
    [edit], [notice] = after(platform, seen)
    assert edit.ref == "announcements:1" and edit.to == "announcements"
    assert f"When: {SUMMER_JUNE_3}" in edit.text and "June 24" not in edit.text
    assert "Status: Rescheduled" in edit.text and "[1: Register]" in edit.text
    assert "in 2 months (new time)" in edit.text
    assert notice.to == "announcements"
    assert flat(notice.text) == (
        "The Summer session, “Investing in Belonging: The Role of Social Infrastructure”, "
        f"moved to {SUMMER_JUNE_3}. Registrants have been told."
    )


async def test_rescheduled_twice_before_the_dispatcher_runs_one_edit_and_one_notice(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    """The channel saw neither change: one edit and one notice, both with the latest time."""
    await announced(core, dispatcher, platform)
    seen = len(platform.sent)
    await organizer(core, "session reschedule summer 2025-06-03 14:00")
    await organizer(core, "session reschedule summer 2025-06-10 15:00")
    await dispatcher.drain()
    [edit], [notice] = after(platform, seen)
    assert SUMMER_JUNE_10 in edit.text and "June 3" not in edit.text
    assert SUMMER_JUNE_10 in notice.text and "June 3" not in notice.text
    await dispatcher.drain()
    assert len(platform.sent) == seen + 2


async def test_each_move_the_channel_could_see_gets_its_own_notice(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await announced(core, dispatcher, platform)
    seen = len(platform.sent)
    await organizer(core, "session reschedule summer 2025-06-03 14:00")
    await dispatcher.drain()
    await organizer(core, "session reschedule summer 2025-06-10 15:00")
    await dispatcher.drain()
    edits, notices = after(platform, seen)
    assert [SUMMER_JUNE_3 in e.text for e in edits] == [True, False]
    assert SUMMER_JUNE_10 in edits[1].text and {e.ref for e in edits} == {"announcements:1"}
    assert [SUMMER_JUNE_3 in n.text for n in notices] == [True, False]
    assert SUMMER_JUNE_10 in notices[1].text


async def test_moved_and_moved_back_before_the_dispatcher_runs_no_notice(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await announced(core, dispatcher, platform)
    seen = len(platform.sent)
    await organizer(core, "session reschedule summer 2025-06-03 14:00")
    await organizer(core, "session reschedule summer 2025-06-24 13:00")
    await dispatcher.drain()
    [edit], notices = after(platform, seen)
    assert notices == []
    assert "Tuesday, June 24, 2025, 1:00–2:00 p.m. EDT" in edit.text


async def test_a_cancellation_edits_the_announcement_without_register_and_tells_why(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await announced(core, dispatcher, platform)
    seen = len(platform.sent)
    await organizer(core, 'session cancel summer The speaker is ill — "sorry" 🤒')
    await dispatcher.drain()
    [edit], [notice] = after(platform, seen)
    assert edit.ref == "announcements:1"
    assert flat(edit.text).startswith(
        'The Summer session is cancelled: The speaker is ill — "sorry" 🤒. Registration is closed.'
    )
    assert 'Status: Cancelled: The speaker is ill — "sorry" 🤒' in edit.text
    [card] = edit.message.cards
    assert [b.label for b in card.buttons] == ["Details"]
    assert "Register" not in edit.text
    assert "is cancelled: The speaker is ill" in notice.text and notice.ref is None


async def test_moved_then_cancelled_before_sending_only_the_cancellation_is_told(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await announced(core, dispatcher, platform)
    seen = len(platform.sent)
    await organizer(core, "session reschedule summer 2025-06-03 14:00")
    await organizer(core, "session cancel summer")
    await dispatcher.drain()
    [edit], [notice] = after(platform, seen)
    assert edit.text.startswith("The Summer session is cancelled. Registration is closed.")
    assert "moved to" not in notice.text and "is cancelled" in notice.text


async def test_every_announcement_of_the_session_is_edited(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    """An organizer announced it twice: neither post keeps the old time."""
    await announced(core, dispatcher, platform)
    clock.advance(timedelta(minutes=11))
    await organizer(core, "announce summer")
    await dispatcher.drain()
    refs = {p.ref or "" for p in platform.posts()}
    seen = len(platform.sent)
    await organizer(core, "session cancel summer")
    await dispatcher.drain()
    edits, _ = after(platform, seen)
    assert len(edits) == 2 and {e.ref for e in edits} == {"announcements:1", "announcements:2"}
    assert refs == {""} and all("is cancelled" in e.text for e in edits)


async def test_an_announcement_not_yet_posted_goes_out_with_the_new_time(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")
    await register(core, ADA, "summer")
    await organizer(core, "session reschedule summer 2025-06-10 15:00")
    await dispatcher.drain()
    [notice] = platform.posts()
    assert "moved to" in flat(notice.text) and not any(p.ref for p in platform.posts())
    clock.set(datetime(2025, 6, 3, 19, tzinfo=UTC))  # 7 days before the new time
    await dispatcher.drain()
    [announcement] = platform.posts()[1:]
    assert announcement.ref is None and f"When: {SUMMER_JUNE_10}" in announcement.text
    assert "Next session: in 7 days (new time)." in flat(announcement.text)


async def test_moved_into_the_announcement_window_it_is_announced_now(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    """Its announcement (7 days before) would have gone out; with the new time that day has
    passed, so it goes out now instead of never."""
    await core.run_text(ADA, "s4b", "help")
    await organizer(core, "session reschedule summer 2025-04-04 13:00")
    await dispatcher.drain()
    texts = [flat(p.text) for p in platform.posts()]
    assert sum("moved to" in t for t in texts) == 1
    [announcement] = [t for t in texts if "Everyone is welcome" in t]
    assert "Friday, April 4, 2025, 1:00–2:00 p.m. EDT" in announcement
    assert announcement.startswith("Next session: in 3 days (new time).")
    await organizer(core, "session reschedule summer 2025-04-05 13:00")
    await dispatcher.drain()
    edits = [p for p in platform.posts() if p.ref]
    assert len(edits) == 1 and "Saturday, April 5" in flat(edits[0].text)
    assert sum("Everyone is welcome" in flat(p.text) and not p.ref for p in platform.posts()) == 1


async def test_a_refused_change_edits_nothing_and_says_why(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await announced(core, dispatcher, platform)
    seen = len(platform.sent)
    refused = await organizer(core, "session reschedule summer 2025-06-24 13:00")
    assert refused == "The Summer session is already at that time; nothing changed."
    assert "not" in await organizer(core, "session reschedule summer next blursday")
    await organizer(core, "session cancel summer")
    await dispatcher.drain()
    again = await organizer(core, "session cancel summer")
    assert again == "The Summer session is cancelled; nothing changed."
    await dispatcher.drain()
    edits, notices = after(platform, seen)
    assert len(edits) == 1 and len(notices) == 1


async def test_a_session_moved_while_it_runs_edits_its_starting_now_post_too(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")
    clock.set(datetime(2025, 4, 29, 17, 5, tzinfo=UTC))  # Spring has just started
    await dispatcher.drain()
    assert ["Starting now" in flat(p.text) for p in platform.posts()] == [True]
    await organizer(core, "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    [edit] = [p for p in platform.posts() if p.ref]
    assert edit.ref == "announcements:1" and "Starting now" not in edit.text
    assert flat(edit.text).startswith("Next session: in 7 days (new time).")
    assert "[1: Register]" in edit.text


class HeldPlatform(RecordingPlatform):
    """Holds the first post until released: the dispatcher has drawn it and is sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = asyncio.Event()
        self.release = asyncio.Event()

    async def post(self, *args: Any, **kwargs: Any) -> str | None:
        if not self.sending.is_set():
            self.sending.set()
            await self.release.wait()
        return await super().post(*args, **kwargs)


async def test_an_announcement_in_flight_during_a_reschedule_is_brought_up_to_date(
    core: Core, clock: SettableClock
) -> None:
    platform = HeldPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings
    )
    await core.run_text(ADA, "s4b", "help")  # the console community exists
    await organizer(core, "announce summer")
    sending = asyncio.ensure_future(dispatcher.drain())
    await asyncio.wait_for(platform.sending.wait(), 5)  # drawn with June 24, on its way
    await organizer(core, "session reschedule summer 2025-06-03 14:00")
    platform.release.set()
    await sending
    [post] = [p for p in platform.posts() if not p.ref and "[1: Register]" in p.text]
    assert "June 24" in post.text  # what was on its way went out as it was drawn
    clock.advance(dispatcher.lease)  # the edit waits out the send's lease
    await dispatcher.drain()
    edits = [p for p in platform.posts() if p.ref == "announcements:1"]
    assert edits and f"When: {SUMMER_JUNE_3}" in edits[-1].text
