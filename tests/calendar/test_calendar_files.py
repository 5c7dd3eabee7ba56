"""Every calendar file the bot makes, through the real core and dispatcher, checked against
RFC 5545/5546 by one checker (tests/calendar/rfc.py): invitations, updates, cancellations,
the "Add to calendar" button, `/s4b calendar`, the personal feed and the combined file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Attachment, Outcome
from s4b_bot.routing.actions import action_id
from storage.models import Account, ProgrammeSession
from tests.calendar.rfc import CalendarFiles
from tests.fakes import RecordingPlatform
from tests.helpers import accept_offer, confirmed, register

ADA = Actor("console", "local", "ada", "Ada")  # gives an email: invitations
BEN = Actor("console", "local", "ben", "Ben")  # gives none: published copies
CY = Actor("console", "local", "cy", "Cy")  # not registered
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
CALL = "https://call.example/s4b?pwd=first"
NEW_CALL = "https://call.example/s4b?pwd=second"


async def session_ids(core: Core) -> dict[str, int]:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        return {season.lower(): sid for season, sid in rows}


def attachments(outcome: Outcome) -> tuple[Attachment, ...]:
    assert outcome.reply is not None
    return outcome.reply.attachments


def only_event(calendar: Calendar) -> Calendar:
    [event] = calendar.walk("VEVENT")
    return event


class Files:
    """What each member was sent, each file checked as it arrives."""

    def __init__(self, platform: RecordingPlatform, clock: SettableClock) -> None:
        self.platform, self.clock = platform, clock
        self.rules = CalendarFiles()
        self.seen = 0

    def new_dm_files(self) -> dict[str, list[tuple[str, Calendar]]]:
        """The files of the DMs sent since the last call, checked, by recipient."""
        found: dict[str, list[tuple[str, Calendar]]] = {}
        for sent in self.platform.sent[self.seen :]:
            for file in sent.message.attachments:
                calendar = self.check(file, sent.to)
                found.setdefault(sent.to, []).append((file.filename, calendar))
        self.seen = len(self.platform.sent)
        return found

    def check(self, file: Attachment, recipient: str) -> Calendar:
        assert file.mime.startswith("text/calendar"), file
        return self.rules.check(
            file.content, now=self.clock.now(), recipient=recipient, content_type=file.mime
        )


async def test_every_calendar_file_the_bot_makes_follows_rfc_5546(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    core.settings = core.settings.model_copy(
        update={"http_port": 8080, "public_url": "https://bot.example"}
    )
    files = Files(platform, clock)
    ids = await session_ids(core)
    await core.run_text(JO, "s4b-admin", f"session call spring {CALL}")
    await register(core, ADA, "spring", "summer", email="ada@example.org")
    await register(core, BEN, "spring")
    await dispatcher.drain()

    # The invitations: one REQUEST per session naming Ada, and one PUBLISH with them all.
    sent = files.new_dm_files()
    assert [name for name, _ in sent["ada"]] == [
        "s4b-spring-2025-04-29.ics",
        "s4b-summer-2025-06-24.ics",
        "s4b-all-my-sessions.ics",
    ]
    spring, _, combined = (calendar for _, calendar in sent["ada"])
    assert [str(c["METHOD"]) for c in (spring, combined)] == ["REQUEST", "PUBLISH"]
    invitation = only_event(spring)
    assert "ada@example.org" in str(invitation["ATTENDEE"])
    assert str(invitation["LOCATION"]) == CALL
    # Ben gave no email: what a subscriber imports, with his call details.
    [(_, ben_spring)] = sent["ben"]
    assert str(ben_spring["METHOD"]) == "PUBLISH"
    assert str(only_event(ben_spring)["LOCATION"]) == CALL

    # "Add to calendar": Ada gets the invitation as sent (same UID and SEQUENCE) ...
    clock.advance(timedelta(minutes=5))
    pressed = await core.press(ADA, action_id("calendar", ids["spring"]))
    [file] = attachments(pressed)
    again = only_event(files.check(file, "ada"))
    assert str(again["UID"]) == str(invitation["UID"])
    assert int(again["SEQUENCE"]) == int(invitation["SEQUENCE"])
    assert "ada@example.org" in str(again["ATTENDEE"])
    # ... Ben a published copy with his call details, Cy one without them.
    [file] = attachments(await core.press(BEN, action_id("calendar", ids["spring"])))
    assert str(only_event(files.check(file, "ben")).get("LOCATION")) == CALL
    [file] = attachments(await core.press(CY, action_id("calendar", ids["spring"])))
    cy_copy = files.check(file, "cy")
    assert str(cy_copy["METHOD"]) == "PUBLISH" and CALL.encode() not in file.content

    # `/s4b calendar`: the whole series, published, without call details.
    [file] = attachments(await core.run_text(CY, "s4b", "calendar"))
    series = files.check(file, "anyone")
    assert len(series.walk("VEVENT")) == 4 and b"call.example" not in file.content

    # The personal feed, made now: Ada's two sessions with her call details.
    await core.run_text(ADA, "s4b", "calendar feed")
    async with core.db.transaction() as db:
        token = await db.scalar(select(Account.feed_token).where(Account.user_id == "ada"))
    assert token
    clock.advance(timedelta(minutes=5))
    feed = await core.calendar_feed(token)
    assert feed is not None
    feed_calendar = files.rules.check(feed, now=clock.now(), recipient="ada")
    assert len(feed_calendar.walk("VEVENT")) == 2

    # New call details: an updated invitation, same UID, SEQUENCE + 1, and the feed follows.
    clock.advance(timedelta(hours=1))
    await core.run_text(JO, "s4b-admin", f"session call spring {NEW_CALL}")
    await dispatcher.drain()
    sent = files.new_dm_files()
    [(_, updated)] = sent["ada"]
    update = only_event(updated)
    assert str(updated["METHOD"]) == "REQUEST" and str(update["UID"]) == str(invitation["UID"])
    assert int(update["SEQUENCE"]) == int(invitation["SEQUENCE"]) + 1
    assert str(update["LOCATION"]) == NEW_CALL
    assert str(only_event(sent["ben"][0][1])["LOCATION"]) == NEW_CALL
    feed = await core.calendar_feed(token)
    assert feed is not None and NEW_CALL.encode() in feed
    files.rules.check(feed, now=clock.now(), recipient="ada")

    # A reschedule: the update for both.
    clock.advance(timedelta(hours=1))
    await confirmed(core, JO, "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    sent = files.new_dm_files()
    assert {"ada", "ben"} <= set(sent)

    # Ada unregisters: a CANCEL above what she was sent; registering again goes above that.
    clock.advance(timedelta(hours=1))
    await core.run_text(ADA, "s4b", "unregister spring")
    await dispatcher.drain()
    [(_, cancel)] = files.new_dm_files()["ada"]
    assert str(cancel["METHOD"]) == "CANCEL"
    clock.advance(timedelta(hours=1))
    await register(core, ADA, "spring", email="ada@example.org")
    await dispatcher.drain()
    [(_, invited_again)] = files.new_dm_files()["ada"]
    assert int(only_event(invited_again)["SEQUENCE"]) > int(only_event(cancel)["SEQUENCE"])

    # The session is cancelled: Ada's CANCEL names her; Ben's copy is published as cancelled.
    clock.advance(timedelta(hours=1))
    await confirmed(core, JO, "session cancel spring The room is unavailable.")
    await dispatcher.drain()
    sent = files.new_dm_files()
    assert str(sent["ada"][0][1]["METHOD"]) == "CANCEL"
    ben_cancel = sent["ben"][0][1]
    assert str(ben_cancel["METHOD"]) == "PUBLISH"
    assert str(only_event(ben_cancel)["STATUS"]) == "CANCELLED"

    # The feed after it all, made now.
    clock.advance(timedelta(minutes=1))
    feed = await core.calendar_feed(token)
    assert feed is not None
    files.rules.check(feed, now=clock.now(), recipient="ada")
    assert files.rules.checked == 19  # every file above went through the checker


async def test_the_waitlists_files_follow_rfc_5546_too(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    files = Files(platform, clock)
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, ADA, "spring", email="ada@example.org")
    await register(core, BEN, "spring", email="ben@example.org")
    await dispatcher.drain()
    assert set(files.new_dm_files()) == {"ada"}  # nothing for the waitlist
    clock.advance(timedelta(hours=1))
    await core.run_text(ADA, "s4b", "unregister spring")  # Ben is offered the seat
    await accept_offer(core, BEN)
    await dispatcher.drain()
    sent = files.new_dm_files()
    assert str(sent["ada"][0][1]["METHOD"]) == "CANCEL"
    [(_, promoted)] = sent["ben"]
    assert str(promoted["METHOD"]) == "REQUEST"
    assert "ben@example.org" in str(only_event(promoted)["ATTENDEE"])
    ids = await session_ids(core)
    [file] = attachments(await core.press(BEN, action_id("calendar", ids["spring"])))
    again = only_event(files.check(file, "ben"))
    assert int(again["SEQUENCE"]) == int(only_event(promoted)["SEQUENCE"])
    assert files.rules.checked == 4


async def test_the_add_to_calendar_file_is_named_by_the_sessions_own_date(core: Core) -> None:
    """9 p.m. in Toronto is already the next day in UTC: the file still says the 29th, as the
    invitation does."""
    ids = await session_ids(core)
    async with core.db.transaction() as db:
        spring = await db.get(ProgrammeSession, ids["spring"])
        assert spring is not None and spring.timezone == "America/Toronto"
        spring.starts_at = datetime(2025, 4, 30, 1, 0, tzinfo=UTC)  # 9:00 p.m. EDT on the 29th
        spring.ends_at = spring.starts_at + timedelta(hours=1)
    [file] = attachments(await core.press(CY, action_id("calendar", ids["spring"])))
    assert file.filename == "s4b-spring-2025-04-29.ics"
