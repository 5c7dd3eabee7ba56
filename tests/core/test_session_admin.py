"""Organizers add, import and move sessions; platform calendars and stored refs follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from s4b_bot.calendar_ics import Person, build_calendar, event_from_session
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.dispatch import Dispatcher
from s4b_bot.invocation import Actor
from s4b_bot.output import Attachment
from storage.models import PlatformRef, ProgrammeSession, Series
from tests.fakes import RecordingPlatform
from tests.helpers import reply_text

JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
ADA = Actor("console", "local", "ada", "Ada")


@pytest.fixture
def platform() -> RecordingPlatform:
    return RecordingPlatform()


@pytest.fixture
def dispatcher(core: Core, platform: RecordingPlatform, clock: SettableClock) -> Dispatcher:
    return Dispatcher(core.db, platforms={"console": platform}, clock=clock, settings=core.settings)


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
    await core.run_text(JO, "s4b-admin", "session reschedule spring 2025-05-06 13:00")
    await dispatcher.drain()
    moved, ref = platform.synced[-1]
    assert ref == f"event:{moved.session_id}"  # updated in place, not created again
    assert moved.starts_at == datetime(2025, 5, 6, 17, tzinfo=UTC)
    assert "secret" not in moved.description + moved.location
    await core.run_text(JO, "s4b-admin", "session cancel spring")
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
    reply = reply_text(
        await core.run_text(JO, "s4b-admin", "session add 2025-12-09T13:00 A holiday gathering")
    )
    assert "5 · Year-End · 2025-12-09 · A holiday gathering" in reply
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
    assert "Imported 1 sessions" in reply and "2026-06-03" in reply
    missing = reply_text(await core.run_text(JO, "s4b-admin", "session import"))
    assert "Attach the .ics file" in missing
    junk = Attachment("junk.ics", b"not a calendar", "text/calendar")
    bad = reply_text(await core.run_text(JO, "s4b-admin", "session import", files=(junk,)))
    assert "Imported" not in bad and "Something went wrong" not in bad
