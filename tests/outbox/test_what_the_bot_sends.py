"""Invitations, reminders, announcements, reschedule, cancel and the waitlist, through the
real dispatcher and outbox with the injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import icalendar
from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.timefmt import format_span
from storage.models import OutboxMessage, ProgrammeSession
from tests.fakes import RecordingPlatform, closed_dms, rate_limited
from tests.helpers import accept_offer, confirmed, flat, register, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)


async def spring_id(core: Core) -> int:
    async with core.db.transaction() as db:
        sid = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
        assert sid is not None
        return sid


def calendar_of(sent_attachment: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(sent_attachment)


def reminders(platform: RecordingPlatform, user: str) -> list[str]:
    return [s.text for s in platform.dms_to(user) if s.text.startswith("Reminder:")]


async def advance_to(clock: SettableClock, dispatcher: Dispatcher, when: datetime) -> None:
    clock.set(when)
    await dispatcher.drain()


async def test_registering_sends_the_invitation_with_call_details_privately(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/s4b")
    await register(core, ADA, "spring", "summer", email="ada@example.org")
    await dispatcher.drain()
    [dm] = platform.dms_to("ada")
    assert "Here are your calendar invitations" in dm.text
    assert "https://call.example/s4b" in dm.text
    names = [a.filename for a in dm.message.attachments]
    assert names == [
        "s4b-spring-2025-04-29.ics",
        "s4b-summer-2025-06-24.ics",
        "s4b-all-my-sessions.ics",
    ]
    spring = calendar_of(dm.message.attachments[0].content)
    assert spring["METHOD"] == "REQUEST"
    [event] = spring.walk("VEVENT")
    assert str(event["LOCATION"]) == "https://call.example/s4b"
    assert "ada@example.org" in str(event["ATTENDEE"])
    combined = calendar_of(dm.message.attachments[2].content)
    assert combined["METHOD"] == "PUBLISH" and len(combined.walk("VEVENT")) == 2
    assert platform.posts() == []  # nothing about Ada goes to a channel
    await dispatcher.drain()
    assert len(platform.dms_to("ada")) == 1  # sent once


async def test_each_reminder_arrives_once_at_its_time(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring")
    await dispatcher.drain()
    checkpoints = [
        (SPRING_START - timedelta(days=7, minutes=1), 0),
        (SPRING_START - timedelta(days=7), 1),
        (SPRING_START - timedelta(days=1, minutes=1), 1),
        (SPRING_START - timedelta(days=1), 2),
        (SPRING_START - timedelta(hours=1, minutes=1), 2),
        (SPRING_START - timedelta(hours=1), 3),
        (SPRING_START + timedelta(days=2), 3),
    ]
    for when, expected in checkpoints:
        await advance_to(clock, dispatcher, when)
        assert len(reminders(platform, "ada")) == expected, when
    texts = reminders(platform, "ada")
    assert "starts in 7 days" in texts[0]
    assert "starts tomorrow at 1:00 p.m. EDT." in texts[1]  # not "in 24 hours"
    assert "starts in 1 hour" in texts[2]


async def test_a_late_registrant_gets_only_the_reminders_still_to_come(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    clock.set(SPRING_START - timedelta(days=3))
    await register(core, ADA, "spring")
    await advance_to(clock, dispatcher, SPRING_START - timedelta(days=1))
    await advance_to(clock, dispatcher, SPRING_START - timedelta(hours=1))
    assert [t.splitlines()[0] for t in reminders(platform, "ada")] == [
        "Reminder: the Spring session starts tomorrow at 1:00 p.m. EDT.",
        "Reminder: the Spring session starts in 1 hour.",
    ]


async def test_a_reason_that_ends_with_a_period_ends_each_sentence_once(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring")
    await dispatcher.drain()
    await confirmed(core, JO, "session cancel spring The room is unavailable.")
    await dispatcher.drain()
    [post] = [p for p in platform.posts() if "cancelled" in p.text]
    note = platform.dms_to("ada")[-1]
    refusal = reply_text(await core.run_text(BEN, "s4b", "register spring"))
    for text in (post.text, note.text.splitlines()[0], refusal):
        assert "unavailable.)" not in text and "unavailable.." not in text, text
        assert "2025-04-29" not in text, "dates as people write them"
    assert note.text.startswith(
        "The Spring session on Tuesday, April 29, 2025 is cancelled: The room is unavailable.\n"
    )
    assert "(The room is unavailable), so registration is closed." in refusal


async def test_counts_in_replies_agree_with_their_nouns(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")  # waits
    seats = reply_text(await confirmed(core, JO, "session capacity spring 2"))
    assert seats == (
        "The Spring session now has 2 seats. Offered a seat from the waitlist: 1 member."
    )
    reminders_reply = reply_text(await core.run_text(ADA, "s4b", "reminders 1d"))
    assert "(1 reminder planned)" in reminders_reply


async def test_registering_after_the_last_reminder_time_gets_the_invitation_then_that_one(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    clock.set(SPRING_START - timedelta(minutes=30))
    await register(core, BEN, "spring")
    await dispatcher.drain()
    invitation, reminder = platform.dms_to("ben")
    assert "Here is your calendar invitation" in invitation.text
    assert invitation.message.attachments
    assert reminder.text.startswith("Reminder: the Spring session starts in 30 minutes")


async def test_reschedule_sends_an_update_and_moves_the_reminders(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring")
    await dispatcher.drain()
    first = calendar_of(platform.dms_to("ada")[0].message.attachments[0].content)
    reply = reply_text(await confirmed(core, JO, "session reschedule spring 2025-05-06 13:00"))
    assert "Tuesday, May 6, 2025, 1:00–2:00 p.m. EDT" in reply and "1 registrant will" in reply
    await dispatcher.drain()
    update = platform.dms_to("ada")[-1]
    assert "has moved" in update.text
    moved = calendar_of(update.message.attachments[0].content)
    [before], [after] = first.walk("VEVENT"), moved.walk("VEVENT")
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == datetime(2025, 5, 6, 17, tzinfo=UTC)
    new_start = datetime(2025, 5, 6, 17, tzinfo=UTC)
    await advance_to(clock, dispatcher, SPRING_START)  # the old 7d, 1d, 1h times pass
    assert len(reminders(platform, "ada")) == 1  # only the new 7-day one (due Apr 29 17:00)
    await advance_to(clock, dispatcher, new_start - timedelta(days=1))
    await advance_to(clock, dispatcher, new_start - timedelta(hours=1))
    assert len(reminders(platform, "ada")) == 3
    assert all("May 6" in t for t in reminders(platform, "ada"))


async def test_cancel_sends_a_calendar_cancellation_and_no_reminder_ever(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring", email="ada@example.org")
    await register(core, BEN, "spring")
    await dispatcher.drain()
    reply = reply_text(await confirmed(core, JO, "session cancel spring speaker is ill"))
    assert "2 registrants" in reply
    await dispatcher.drain()
    # Ada's invitation is cancelled; Ben gave no email, so his published copy is replaced.
    for user, method in (("ada", "CANCEL"), ("ben", "PUBLISH")):
        note = platform.dms_to(user)[-1]
        assert (
            "Spring session on Tuesday, April 29, 2025 is cancelled: speaker is ill." in note.text
        )
        cancel = calendar_of(note.message.attachments[0].content)
        assert cancel["METHOD"] == method
        assert cancel.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert any(
        "is cancelled: speaker is ill. Registrants have been told." in p.text
        for p in platform.posts()
    )
    await advance_to(clock, dispatcher, SPRING_START + timedelta(days=1))
    assert reminders(platform, "ada") == reminders(platform, "ben") == []
    assert not any("Starting now" in p.text for p in platform.posts())


async def test_unregistering_sends_a_cancel_for_that_member_and_stops_reminders(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring", email="ada@example.org")
    await core.run_text(ADA, "s4b", "unregister spring")
    await dispatcher.drain()
    last = platform.dms_to("ada")[-1]
    assert calendar_of(last.message.attachments[0].content)["METHOD"] == "CANCEL"
    await advance_to(clock, dispatcher, SPRING_START + timedelta(hours=1))
    assert reminders(platform, "ada") == []
    # Registering again plans the reminders again (withdrawn rows free their dedupe keys).
    clock.set(SPRING_START - timedelta(days=2))
    await register(core, ADA, "spring")
    await advance_to(clock, dispatcher, SPRING_START - timedelta(days=1))
    await advance_to(clock, dispatcher, SPRING_START - timedelta(minutes=59))
    assert len(reminders(platform, "ada")) == 2


async def test_members_choose_their_reminders(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring")
    assert "7 days, 1 day, 1 hour" in reply_text(await core.run_text(ADA, "s4b", "reminders"))
    assert "2 hours, 15 minutes" in reply_text(await core.run_text(ADA, "s4b", "reminders 2h,15m"))
    bad = reply_text(await core.run_text(ADA, "s4b", "reminders 3 fortnights"))
    assert "not a reminder time" in bad
    await advance_to(clock, dispatcher, SPRING_START - timedelta(hours=2))
    await advance_to(clock, dispatcher, SPRING_START - timedelta(minutes=15))
    assert [t.splitlines()[0] for t in reminders(platform, "ada")] == [
        "Reminder: the Spring session starts in 2 hours.",
        "Reminder: the Spring session starts in 15 minutes.",
    ]
    await register(core, ADA, "summer")
    assert "Reminders are off" in reply_text(await core.run_text(ADA, "s4b", "reminders off"))
    await advance_to(clock, dispatcher, datetime(2025, 6, 24, 16, 59, tzinfo=UTC))
    assert len(reminders(platform, "ada")) == 2


async def test_the_channel_hears_of_each_session_before_and_when_it_starts(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")  # the console community now exists
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/secret")
    await advance_to(clock, dispatcher, SPRING_START - timedelta(days=7))
    [announcement] = platform.posts()
    assert "Next session: in 7 days." in announcement.text
    assert "[1: Register]" in announcement.text
    await advance_to(clock, dispatcher, SPRING_START)
    assert "Starting now" in platform.posts()[-1].text
    assert all("call.example" not in p.text for p in platform.posts())
    reply = reply_text(await core.run_text(JO, "s4b-admin", "announce summer"))
    assert "being announced" in reply
    await dispatcher.drain()
    assert "Investing in Belonging" in platform.posts()[-1].text


async def test_a_full_session_waitlists_and_offers_a_seat_when_one_frees(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    seats = reply_text(await confirmed(core, JO, "session capacity spring 1"))
    assert "The Spring session now has 1 seat." in seats
    await register(core, ADA, "spring")
    text = await register(core, BEN, "spring", email="ben@example.org")
    assert "on its waitlist (number 1)" in text
    await dispatcher.drain()
    assert platform.dms_to("ben") == []  # no invitation while waiting
    roster = reply_text(await core.run_text(JO, "s4b-admin", "roster spring"))
    assert "Registered: 1 of 1" in roster and "Waitlist: 1" in roster
    await core.run_text(ADA, "s4b", "unregister spring")
    await dispatcher.drain()
    [offer] = platform.dms_to("ben")
    assert "A seat opened up" in offer.text and not offer.message.attachments
    await accept_offer(core, BEN)
    await dispatcher.drain()
    promoted = platform.dms_to("ben")[1]
    assert "A seat opened up" in promoted.text
    assert calendar_of(promoted.message.attachments[0].content)["METHOD"] == "REQUEST"
    roster = reply_text(await core.run_text(JO, "s4b-admin", "roster spring"))
    assert "Registered: 1 of 1" in roster and "Waitlist" not in roster


async def test_closed_dms_are_listed_with_who_what_when_and_why_and_not_retried(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    platform.fail = closed_dms
    await register(core, ADA, "spring")
    await dispatcher.drain()
    ada_failed_at = clock.now()
    clock.advance(timedelta(hours=3))
    await register(core, BEN, "spring", "summer")
    await dispatcher.drain()
    outcome = await core.run_text(JO, "s4b-admin", "deliveries")
    report = flat(reply_text(outcome))
    assert "2 failed" in report
    why = "Why: the member does not accept direct messages"
    when = format_span(ada_failed_at, None, "America/Toronto")
    assert f"Ada: calendar invitation (Spring 2025-04-29) on console, {when}. {why}" in report
    assert "Ben: calendar invitation (Spring 2025-04-29, Summer 2025-06-24) on console" in report
    assert report.index("Ben:") < report.index("Ada:")  # the latest first
    (listing,) = outcome.reply.attachments if outcome.reply else ()
    rows = list(csv.DictReader(io.StringIO(listing.content.decode())))
    assert [(r["who"], r["what"], r["failed_at_utc"]) for r in rows][1] == (
        "Ada",
        "calendar invitation",
        ada_failed_at.isoformat(),
    )
    assert rows[1]["why"] == "the member does not accept direct messages"
    platform.fail = None
    clock.advance(timedelta(hours=2))
    await dispatcher.drain()
    assert platform.dms_to("ada") == []


async def test_a_long_list_of_failures_is_cut_in_the_reply_but_whole_in_the_file(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    platform.fail = closed_dms
    for n in range(23):
        await register(core, Actor("console", "local", f"m{n}", f"Member {n}"), "spring")
    await dispatcher.drain()
    outcome = await core.run_text(JO, "s4b-admin", "deliveries")
    report = flat(reply_text(outcome))
    assert "Member 22: calendar invitation" in report and "Member 2: calendar" not in report
    assert "…and 3 older ones: all are in the attached file." in report
    (listing,) = outcome.reply.attachments if outcome.reply else ()
    assert len(list(csv.DictReader(io.StringIO(listing.content.decode())))) == 23


async def test_rate_limits_are_retried_after_retry_after(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    platform.fail = rate_limited(120)
    await register(core, ADA, "spring")
    await dispatcher.drain()
    platform.fail = None
    clock.advance(timedelta(seconds=100))
    await dispatcher.drain()
    assert platform.dms_to("ada") == []  # not before Retry-After
    clock.advance(timedelta(seconds=60))
    await dispatcher.drain()
    assert len(platform.dms_to("ada")) == 1
    async with core.db.transaction() as db:
        row = await db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
        assert row is not None and row.status == "sent" and row.attempts == 1


async def test_planning_twice_makes_one_row(core: Core) -> None:
    await register(core, ADA, "spring")
    await register(core, ADA, "spring")
    async with core.db.transaction() as db:
        count = await db.scalar(
            select(func.count()).where(OutboxMessage.kind.in_(["invitation", "reminder"]))
        )
    assert count == 4  # one invitation, three reminders


async def test_a_crash_before_marking_repeats_only_the_in_flight_rows(
    core: Core, platform: RecordingPlatform, clock: SettableClock
) -> None:
    """A dispatcher that claimed rows and died: its lease runs out and another sends them."""
    await register(core, ADA, "spring", "summer", "fall")
    dead = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings, batch=1
    )
    async with core.db.transaction() as db:
        from storage import outbox

        claimed = await outbox.claim(
            db,
            platforms=["console"],
            now=clock.now(),
            lease_until=clock.now() + dead.lease,
            worker="dead",
            limit=10,
        )
        assert len(claimed) == 1  # the invitation
    alive = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings
    )
    await alive.drain()
    assert platform.dms_to("ada") == []  # leased to the dead worker
    clock.advance(dead.lease + timedelta(seconds=1))
    await alive.drain()
    assert len(platform.dms_to("ada")) == 1


async def test_after_a_gap_only_the_latest_due_reminder_goes_out(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring")
    await advance_to(clock, dispatcher, SPRING_START - timedelta(hours=20))  # 7d and 1d overdue
    assert [t.splitlines()[0] for t in reminders(platform, "ada")] == [
        "Reminder: the Spring session starts tomorrow at 1:00 p.m. EDT."
    ]


async def test_organizers_set_the_communitys_reminder_times(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")
    await core.run_text(BEN, "s4b", "reminders 2h")  # Ben keeps his own
    reply = reply_text(await core.run_text(JO, "s4b-admin", "reminders 3d,30m"))
    assert "3 days, 30 minutes" in reply
    assert "Only organizers" in reply_text(await core.run_text(ADA, "s4b-admin", "reminders 1d"))
    assert "not a reminder time" in reply_text(
        await core.run_text(JO, "s4b-admin", "reminders soon")
    )
    for when in (
        SPRING_START - timedelta(days=3),
        SPRING_START - timedelta(hours=2),
        SPRING_START - timedelta(minutes=30),
    ):
        await advance_to(clock, dispatcher, when)
    assert [t.splitlines()[0] for t in reminders(platform, "ada")] == [
        "Reminder: the Spring session starts in 3 days.",
        "Reminder: the Spring session starts in 30 minutes.",
    ]
    assert [t.splitlines()[0] for t in reminders(platform, "ben")] == [
        "Reminder: the Spring session starts in 2 hours.",
    ]


async def test_a_command_wakes_the_dispatcher_instead_of_waiting_for_its_poll(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    import asyncio

    core.after_change = dispatcher.wake
    stop = asyncio.Event()
    loop = asyncio.create_task(dispatcher.run_forever(stop, idle=30.0))
    await asyncio.sleep(0.2)  # the loop is idle now, for up to 30 s
    await register(core, ADA, "spring")
    for _ in range(100):
        if platform.dms_to("ada"):
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(loop, 5)
    assert len(platform.dms_to("ada")) == 1  # sent within 2 s, not after the 30 s poll


async def test_a_waitlisted_member_sees_their_place_not_a_seat(core: Core) -> None:
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/secret")
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")
    sid = await spring_id(core)
    seen = {
        "session": await core.run_text(BEN, "s4b", "session spring"),
        "details button": await core.press(BEN, f"s4b:session:{sid}"),
        "mine": await core.run_text(BEN, "s4b", "mine"),
        "sessions": await core.run_text(BEN, "s4b", "sessions"),
    }
    for where, outcome in seen.items():
        text = flat(reply_text(outcome))
        assert "Waitlisted, #1 in line" in text, where
        assert "Registered ✓" not in text, where
        assert "call.example" not in text and "Call details" not in text, where
        assert "Add to calendar" not in text and "Leave the waitlist" in text, where
    assert "Seats: 1 of 1 taken" in flat(reply_text(seen["session"]))
    again = flat(reply_text(await core.run_text(BEN, "s4b", "register spring")))
    assert "already on the Spring session's waitlist, #1 in line; nothing changed" in again
    ada = flat(reply_text(await core.run_text(ADA, "s4b", "session spring")))
    assert (
        "Registered ✓" in ada and "Call details (only for you): https://call.example/secret" in ada
    )


async def test_the_waitlist_hears_when_its_session_moves_or_is_cancelled(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/secret")
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")
    await dispatcher.drain()
    await confirmed(core, JO, "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    [moved] = platform.dms_to("ben")
    assert "you are waiting for has moved" in moved.text and "May 6" in moved.text
    assert "#1 in line" in moved.text
    await confirmed(core, JO, "session cancel spring speaker is ill")
    await dispatcher.drain()
    cancelled = platform.dms_to("ben")[-1]
    assert "is cancelled: speaker is ill" in cancelled.text and "waitlist" in cancelled.text
    for note in platform.dms_to("ben"):
        assert note.message.attachments == () and "call.example" not in note.text
    mine = flat(reply_text(await core.run_text(ADA, "s4b", "mine")))
    assert "0 upcoming" in mine and "1 cancelled" in mine
    assert "Cancelled: speaker is ill" in mine and "Add to calendar" not in mine


async def test_changed_call_details_reach_the_registrants_calendars(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, ADA, "spring", email="ada@example.org")
    await register(core, BEN, "spring")  # waitlisted: never sent the call details
    await dispatcher.drain()
    [first] = calendar_of(platform.dms_to("ada")[0].message.attachments[0].content).walk("VEVENT")
    reply = flat(
        reply_text(
            await core.run_text(JO, "s4b-admin", "session call spring https://call.example/one")
        )
    )
    assert "1 registrant will get the updated invitation" in reply
    await dispatcher.drain()
    update = platform.dms_to("ada")[-1]
    assert "call details of the Spring session have changed" in update.text
    assert "https://call.example/one" in update.text
    [event] = calendar_of(update.message.attachments[0].content).walk("VEVENT")
    assert event["UID"] == first["UID"] and str(event["LOCATION"]) == "https://call.example/one"
    assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    # The same details again change nothing and plan nothing.
    async with core.db.transaction() as db:
        planned = await db.scalar(select(func.count()).select_from(OutboxMessage))
    same = reply_text(
        await core.run_text(JO, "s4b-admin", "session call spring https://call.example/one")
    )
    assert "nothing changed" in same
    async with core.db.transaction() as db:
        assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == planned
    # Two changes in a row: both are sent, and the calendar ends with the latest.
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/two")
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/three")
    await dispatcher.drain()
    last = platform.dms_to("ada")[-1]
    [event] = calendar_of(last.message.attachments[0].content).walk("VEVENT")
    assert str(event["LOCATION"]) == "https://call.example/three"
    assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 3
    assert len(platform.dms_to("ada")) == 4
    assert platform.dms_to("ben") == []


async def test_reminder_times_of_a_week_or_more_can_be_chosen(core: Core) -> None:
    """7d is 10,080 minutes: it must be stored in a form that reads back."""
    await register(core, ADA, "spring")
    mine = flat(reply_text(await core.run_text(ADA, "s4b", "reminders 7d,1d,1h")))
    assert "You will be reminded 7 days, 1 day, 1 hour before each" in mine
    assert "3 reminders planned" in mine
    assert "28 days" in flat(reply_text(await core.run_text(ADA, "s4b", "reminders 4w")))
    community = flat(reply_text(await core.run_text(JO, "s4b-admin", "reminders 2w,7d,1h")))
    assert "Reminders in this community now come 14 days, 7 days, 1 hour before" in community
    shown = flat(reply_text(await core.run_text(JO, "s4b-admin", "reminders")))
    assert "14 days, 7 days, 1 hour" in shown


async def test_leaving_a_waitlist_or_a_cancelled_session_says_what_happened(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, ADA, "spring", email="ada@example.org")
    await register(core, BEN, "spring")
    left = flat(reply_text(await core.run_text(BEN, "s4b", "unregister spring")))
    assert left.startswith("You are off the waitlist of: Spring.")
    assert "no longer registered" not in left
    await confirmed(core, JO, "session cancel spring speaker is ill")
    await dispatcher.drain()
    told = len(platform.dms_to("ada"))
    gone = flat(reply_text(await core.run_text(ADA, "s4b", "unregister spring")))
    assert gone == "You are no longer registered for: Spring."  # it is cancelled: no way back
    await dispatcher.drain()
    assert len(platform.dms_to("ada")) == told  # its cancellation has already been sent


async def test_unregistering_from_sessions_of_two_series_names_each_apart(core: Core) -> None:
    await core.run_text(JO, "s4b-admin", "session series 2026-04-28 13:00 quarterly S4B 2026")
    async with core.db.transaction() as db:
        ids = (await db.scalars(select(ProgrammeSession.id).order_by(ProgrammeSession.id))).all()
    values = {"name": "Ada", "about": "x", "sessions": tuple(map(str, ids)), "consent": True}
    await core.submit(FormSubmission(ADA, "register", values))
    gone = flat(reply_text(await core.run_text(ADA, "s4b", "unregister all")))
    assert "Spring (`spring-2025`), Summer (`summer-2025`)" in gone
    assert "Year-End, Spring (`spring-2026`)" in gone
