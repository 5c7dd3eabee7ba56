"""Organizers add, import and move sessions; platform calendars and stored refs follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from s4b_bot.calendar.ics import Person, build_calendar, event_from_session
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Attachment
from storage.models import PlatformRef, ProgrammeSession, Series
from tests.fakes import RecordingPlatform
from tests.helpers import confirmed, flat, reply_text

JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
ADA = Actor("console", "local", "ada", "Ada")


async def sessions_of(core: Core, key: str) -> list[ProgrammeSession]:
    async with core.db.transaction() as db:
        series = await db.scalar(select(Series).where(Series.key == key))
        assert series is not None, key
        rows = await db.scalars(
            select(ProgrammeSession)
            .options(selectinload(ProgrammeSession.series))
            .where(ProgrammeSession.series_id == series.id)
            .order_by(ProgrammeSession.number)
        )
        return list(rows)


async def organizer_says(core: Core, text: str) -> str:
    """The answer to an organizer's command, as one line."""
    return flat(reply_text(await confirmed(core, JO, text)))


async def test_platform_calendars_follow_the_session_and_keep_their_ref(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await core.run_text(ADA, "s4b", "help")  # the community exists
    assert await core.sync_community("console", "local") == 4
    await dispatcher.drain()
    assert sorted(e.title.split(" —")[0] for e, ref in platform.synced) == [
        "Fall Session",
        "Spring Session",
        "Summer Session",
        "Year-End Session",
    ]
    assert all(ref is None for _, ref in platform.synced)
    assert all(
        "call" not in e.location.lower() or "registrants" in e.location for e, _ in platform.synced
    )
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/secret")
    await confirmed(core, JO, "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    moved, ref = platform.synced[-1]
    assert ref == f"event:{moved.session_id}"  # updated in place, not created again
    assert moved.starts_at == datetime(2025, 5, 6, 17, tzinfo=UTC)
    assert "secret" not in moved.description + moved.location
    await confirmed(core, JO, "session cancel spring")
    await dispatcher.drain()
    cancelled, ref = platform.synced[-1]
    assert cancelled.status == "cancelled" and ref == f"event:{cancelled.session_id}"
    async with core.db.transaction() as db:
        refs = (await db.scalars(select(PlatformRef))).all()
    assert len(refs) == 4
    assert await core.sync_community("console", "local") == 0  # nothing new to mirror


async def test_autocomplete_offers_upcoming_sessions_first(
    core: Core, clock: SettableClock
) -> None:
    clock.set(datetime(2025, 7, 1, tzinfo=UTC))
    choices = await core.session_choices("")
    assert [c.aliases[0] for c in choices] == ["fall", "year-end", "spring", "summer"]
    assert [c.aliases[0] for c in await core.session_choices("summ")] == ["summer"]
    assert [c.aliases[0] for c in await core.session_choices("2025-09")] == ["fall"]
    assert await core.session_choices("nothing like it") == []
    assert len(await core.session_choices("", limit=2)) == 2


async def test_adding_sessions_one_by_one_and_as_a_series(core: Core) -> None:
    reply = await organizer_says(core, "session add 2025-12-09T13:00 A holiday gathering")
    assert (
        "Added 1 session: • 5 · Tuesday, December 9, 2025, 1:00–2:00 p.m. EST "
        "(2025-12-09 18:00 UTC) · A holiday gathering"
    ) in reply
    reply = reply_text(
        await core.run_text(
            JO,
            "s4b-admin",
            "session series 2026-01-27T13:00 FREQ=MONTHLY;INTERVAL=3;COUNT=4 S4B 2026",
        )
    )
    assert "Added 4 sessions" in reply
    sessions = await sessions_of(core, "s4b-2026")
    assert [s.season for s in sessions] == ["Winter", "Spring", "Summer", "Fall"]
    assert [s.number for s in sessions] == [6, 7, 8, 9]
    assert [s.starts_at.hour for s in sessions] == [18, 17, 17, 17]  # 13:00 EST, then EDT
    assert sessions[0].series.name == "S4B Working Group 2026"
    assert "Only organizers" in reply_text(
        await core.run_text(ADA, "s4b-admin", "session add 2026-05-01T13:00 Mine")
    )
    for text, expected in [
        ("session add tomorrow-ish Hello", "not a date and time"),
        ("session add 2024-01-01T13:00 Too late", "only be added in the future"),
        ("session series 2026-01-27T13:00 FREQ=HOURLY S4B", ""),
    ]:
        answer = reply_text(await core.run_text(JO, "s4b-admin", text))
        assert expected in answer and "Added" not in answer


async def test_importing_sessions_from_an_ics_file(core: Core) -> None:
    async with core.db.transaction() as db:
        spring = await db.scalar(select(ProgrammeSession).where(ProgrammeSession.number == 1))
        assert spring is not None
        await spring.awaitable_attrs.series
        event = event_from_session(spring, domain="x", include_call=False)
    moved = type(event)(
        **{
            **event.__dict__,
            "uid": "other@x",
            "starts_at": event.starts_at + timedelta(days=400),
            "ends_at": event.ends_at + timedelta(days=400),
        }
    )
    content = build_calendar(
        [moved],
        method="PUBLISH",
        now=datetime(2025, 4, 1, tzinfo=UTC),
        organizer=Person("jo@example.org"),
    )
    upload = Attachment("next-year.ics", content, "text/calendar")
    reply = reply_text(await core.run_text(JO, "s4b-admin", "session import", files=(upload,)))
    assert "Imported 1 session:" in reply and "2026-06-03" in reply
    missing = reply_text(await core.run_text(JO, "s4b-admin", "session import"))
    assert "Attach the .ics file" in missing
    junk = Attachment("junk.ics", b"not a calendar", "text/calendar")
    bad = reply_text(await core.run_text(JO, "s4b-admin", "session import", files=(junk,)))
    assert "Imported" not in bad and "Something went wrong" not in bad


async def added_session(core: Core, key: str, title: str) -> ProgrammeSession:
    return next(s for s in await sessions_of(core, key) if s.title == title)


async def test_a_date_and_a_time_of_day_give_that_start_and_the_answer_shows_it(
    core: Core,
) -> None:
    reply = await organizer_says(core, "session add 2025-10-28 13:00 Community circle")
    session = await added_session(core, "s4b-2025", "Community circle")
    assert session.starts_at == datetime(2025, 10, 28, 17, 0, tzinfo=UTC)  # 13:00 EDT
    assert session.ends_at == datetime(2025, 10, 28, 18, 0, tzinfo=UTC)
    assert "Tuesday, October 28, 2025, 1:00–2:00 p.m. EDT (2025-10-28 17:00 UTC)" in reply
    reply = await organizer_says(core, "session reschedule 5 2025-10-28 2:30pm")
    assert "now Tuesday, October 28, 2025, 2:30–3:30 p.m. EDT (2025-10-28 18:30 UTC)" in reply


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("session add 2025-10-28 Community circle", "has a date but no time of day"),
        ("session add 2025-10-28 25:00 Community circle", "'25:00' is not a time of day"),
        ("session add 13:00 Community circle", "is not a date and time"),
        ("session series 2026-04-28 quarterly S4B", "has a date but no time of day"),
        ("session reschedule spring 2025-05-06", "has a date but no time of day"),
        ("session reschedule spring 2025-05-06 at 1pm", "'at 1pm' is not a time of day"),
    ],
)
async def test_a_time_without_its_time_of_day_is_refused_and_changes_nothing(
    core: Core, text: str, message: str
) -> None:
    async with core.db.transaction() as db:
        before = [(s.id, s.starts_at) for s in await db.scalars(select(ProgrammeSession))]
    answer = reply_text(await core.run_text(JO, "s4b-admin", text))
    assert message in answer
    async with core.db.transaction() as db:
        assert [(s.id, s.starts_at) for s in await db.scalars(select(ProgrammeSession))] == before


async def test_a_january_session_is_winter_and_its_announcement_names_it_alone(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")  # the community exists
    reply = await organizer_says(core, "session add 2026-01-27 13:00 Winter gathering")
    assert "• winter · Tuesday, January 27, 2026" in reply
    winter = await added_session(core, "s4b-2026", "Winter gathering")
    roster = reply_text(await core.run_text(JO, "s4b-admin", "roster winter"))
    assert "Winter" in roster and "Year-End" not in roster
    clock.set(datetime(2026, 1, 20, 18, tzinfo=UTC))
    await dispatcher.drain()
    posts = [p.text for p in platform.sent if p.kind == "post" and "Winter gathering" in p.text]
    assert len(posts) == 1 and "`/s4b register winter`" in flat(posts[0])
    form = (await core.run_text(ADA, "s4b", "register winter")).form
    assert form is not None and form.field("sessions").default == (str(winter.id),)


async def test_a_second_series_is_numbered_on_and_its_references_are_unambiguous(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await core.run_text(ADA, "s4b", "help")  # the community exists
    reply = await organizer_says(core, "session series 2026-04-28 13:00 quarterly S4B 2026")
    assert reply == (
        "Added 4 sessions: "
        "• spring-2026 · Tuesday, April 28, 2026, 1:00–2:00 p.m. EDT (2026-04-28 17:00 UTC) "
        "· S4B 2026 "
        "• summer-2026 · Tuesday, July 28, 2026, 1:00–2:00 p.m. EDT (2026-07-28 17:00 UTC) "
        "· S4B 2026 "
        "• fall-2026 · Tuesday, October 27, 2026, 1:00–2:00 p.m. EDT (2026-10-27 17:00 UTC) "
        "· S4B 2026 "
        "• winter · Tuesday, January 26, 2027, 1:00–2:00 p.m. EST (2027-01-26 18:00 UTC) "
        "· S4B 2026"
    )
    numbers = [s.number for s in await sessions_of(core, "s4b-2026")]
    numbers += [s.number for s in await sessions_of(core, "s4b-2027")]
    assert numbers == [5, 6, 7, 8]
    shown = {
        ref: reply_text(await core.run_text(ADA, "s4b", f"session {ref}")).splitlines()[1]
        for ref in ("8", "1", "spring 2026", "Spring-2025")
    }
    assert shown == {
        "8": "│ When: Tuesday, January 26, 2027, 1:00–2:00 p.m. EST",
        "1": "│ When: Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT",
        "spring 2026": "│ When: Tuesday, April 28, 2026, 1:00–2:00 p.m. EDT",
        "Spring-2025": "│ When: Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT",
    }
    ambiguous = reply_text(await core.run_text(ADA, "s4b", "session spring"))
    assert "'spring' matches 2 sessions" in ambiguous
    assert "• spring-2025 · 2025-04-29" in ambiguous
    assert "• spring-2026 · 2026-04-28" in ambiguous
    # Once 2025's spring is over, "spring" is the one still ahead; announcements say which.
    clock.set(datetime(2026, 4, 21, 18, tzinfo=UTC))
    assert "April 28, 2026" in reply_text(await core.run_text(ADA, "s4b", "session spring"))
    await dispatcher.drain()
    posts = [p.text for p in platform.sent if p.kind == "post" and "S4B 2026" in p.text]
    assert len(posts) == 1 and "`/s4b register spring-2026`" in flat(posts[0])
    choices = await core.session_choices("spring")
    assert [c.aliases[0] for c in choices] == ["spring-2026", "spring-2025"]


HOSTILE_ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:forever@x\r\n"
    b"SUMMARY:Forever\r\nDTSTART:20260428T170000Z\r\nDURATION:P999999W\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


@pytest.mark.parametrize(
    ("text", "files", "message"),
    [
        ("session series 2026-04-28 13:00 FREQ=DAILY;INTERVAL=0 Circle", (), "INTERVAL=0 is not"),
        ("session series 2026-04-28 13:00 FREQ=DAILY;BYHOUR=13,14 Circle", (), "BYHOUR is not"),
        ("session series 2026-04-28 13:00 FREQ=YEARLY;COUNT=7 Circle", (), "more than 5 years"),
        (
            "session import",
            (Attachment("forever.ics", HOSTILE_ICS, "text/calendar"),),
            "Event 1 ('Forever') lasts 19,165 years; a session lasts at most 24 hours",
        ),
    ],
)
async def test_a_hostile_rule_or_duration_is_refused_and_adds_nothing(
    core: Core, text: str, files: tuple[Attachment, ...], message: str
) -> None:
    async with core.db.transaction() as db:
        before = [s.id for s in await db.scalars(select(ProgrammeSession))]
    answer = flat(reply_text(await core.run_text(JO, "s4b-admin", text, files=files)))
    assert message in answer
    assert "Something went wrong" not in answer
    async with core.db.transaction() as db:
        assert [s.id for s in await db.scalars(select(ProgrammeSession))] == before
