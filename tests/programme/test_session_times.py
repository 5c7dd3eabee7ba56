"""Session times at the edges: far in the future, on another session's start, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from s4b_bot.calendar.ics import EventInfo, Person, build_calendar, event_from_session
from s4b_bot.core import Core
from s4b_bot.errors import UserError
from s4b_bot.invocation import Actor
from s4b_bot.output import Attachment
from s4b_bot.programme.loading import load_programme, parse_programme
from storage.models import ProgrammeSession
from tests.helpers import confirmed, flat, reply_text

JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
ADA = Actor("console", "local", "ada", "Ada")


async def starts(core: Core) -> list[tuple[int, datetime, str]]:
    async with core.db.transaction() as db:
        rows = await db.scalars(select(ProgrammeSession).order_by(ProgrammeSession.id))
        return [(s.id, s.starts_at, s.status) for s in rows]


async def spring_event(core: Core) -> EventInfo:
    async with core.db.transaction() as db:
        spring = await db.scalar(select(ProgrammeSession).where(ProgrammeSession.number == 1))
        assert spring is not None
        await spring.awaitable_attrs.series
        return event_from_session(spring, domain="x", include_call=False)


# --- far in the future: one bound, five years from now --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "session add 9999-12-31 23:59 Far future",
        "session add 9999-12-31 12:00 Far future",
        "session add 2030-04-02 12:00 Just too far",
        "session series 9999-12-31 23:59 quarterly Far future",
        "session series 2029-12-31 12:00 FREQ=MONTHLY;COUNT=12 Runs past the bound",
        "session reschedule spring 9999-12-31 23:59",
        "session reschedule spring 9999-12-31 12:00",
        "session reschedule spring 2031-01-01 12:00",
    ],
)
async def test_a_session_more_than_five_years_ahead_is_refused_and_nothing_saved(
    core: Core, text: str
) -> None:
    before = await starts(core)
    answer = flat(reply_text(await confirmed(core, JO, text)))
    assert "within 5 years from now" in answer, answer
    assert "Something went wrong" not in answer
    assert await starts(core) == before


async def test_a_session_just_within_five_years_is_added(core: Core) -> None:
    answer = reply_text(await confirmed(core, JO, "session add 2030-03-31 12:00 Far but fine"))
    assert "Added 1 session" in answer


async def test_an_ics_event_more_than_five_years_ahead_is_refused(core: Core) -> None:
    event = await spring_event(core)
    far = type(event)(
        **{
            **event.__dict__,
            "uid": "far@x",
            "starts_at": datetime(2040, 6, 5, 17, tzinfo=UTC),
            "ends_at": datetime(2040, 6, 5, 18, tzinfo=UTC),
        }
    )
    content = build_calendar(
        [far], method="PUBLISH", now=datetime(2025, 4, 1, tzinfo=UTC), organizer=Person("j@x.org")
    )
    before = await starts(core)
    upload = Attachment("far.ics", content, "text/calendar")
    answer = flat(
        reply_text(await core.run_text(JO, "s4b-admin", "session import", files=(upload,)))
    )
    assert "within 5 years from now" in answer and "Imported" not in answer
    assert await starts(core) == before


async def test_a_programme_file_session_more_than_five_years_ahead_is_refused(
    core: Core,
) -> None:
    data = {
        "series": {"key": "far", "name": "Far", "timezone": "America/Toronto"},
        "sessions": [
            {"season": "S", "title": "T", "description": "D", "start": s, "end": e}
            for s, e in [
                ("9999-12-31T23:00", "9999-12-31T23:59"),
                ("2040-01-01T12:00", "2040-01-01T13:00"),
            ]
        ],
    }
    with pytest.raises(UserError, match="is too far ahead"):
        parse_programme(data | {"sessions": data["sessions"][:1]})
    spec = parse_programme(data | {"sessions": data["sessions"][1:]})
    async with core.db.transaction() as db:
        with pytest.raises(UserError, match="within 5 years from now"):
            await load_programme(db, spec, now=datetime(2025, 4, 1, tzinfo=UTC))


def event(uid: str, start: datetime, zone: str = "America/Toronto") -> EventInfo:
    return EventInfo(
        uid=uid,
        sequence=0,
        summary="S",
        description="D",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        timezone=zone,
    )


def test_a_calendar_with_a_session_late_in_9999_is_still_written() -> None:
    """A row saved before the bound existed must not break every member's calendar."""
    events = [
        event("late@x", datetime(9999, 12, 31, 17, tzinfo=UTC)),
        event("earlier@x", datetime(9998, 12, 31, 17, tzinfo=UTC)),
        event("tokyo@x", datetime(9999, 12, 31, 20, tzinfo=UTC), "Asia/Tokyo"),
        event("fine@x", datetime(2025, 6, 1, 17, tzinfo=UTC)),
    ]
    content = build_calendar(
        events, method="PUBLISH", now=datetime(2025, 4, 1, tzinfo=UTC), organizer=Person("j@x.org")
    )
    assert b"UID:fine@x" in content and b"UID:earlier@x" in content
    assert b"UID:late@x" not in content and b"UID:tokyo@x" not in content


# --- one session at a time ------------------------------------------------------------


async def test_a_reschedule_onto_another_sessions_start_is_refused_naming_it(core: Core) -> None:
    before = await starts(core)
    answer = flat(
        reply_text(await confirmed(core, JO, "session reschedule spring 2025-06-24 13:00"))
    )
    assert "There is already a session at that time, so nothing was changed" in answer, answer
    assert "• summer · Tuesday, June 24, 2025" in answer and "Investing in Belonging" in answer
    assert await starts(core) == before


async def test_a_reschedule_onto_a_cancelled_sessions_start_goes_ahead(core: Core) -> None:
    await confirmed(core, JO, "session cancel summer")
    answer = flat(
        reply_text(await confirmed(core, JO, "session reschedule spring 2025-06-24 13:00"))
    )
    assert "The Spring session is now Tuesday, June 24, 2025, 1:00–2:00 p.m. EDT" in answer


# --- when the clocks change -----------------------------------------------------------


async def test_a_time_the_clocks_skip_is_refused_naming_the_gap(core: Core) -> None:
    before = await starts(core)
    for text in (
        "session add 2026-03-08 02:30 DST gap",
        "session reschedule spring 2026-03-08 2am",
    ):
        answer = flat(reply_text(await confirmed(core, JO, text)))
        assert "does not exist in America/Toronto" in answer, answer
        assert "the clocks go forward 1 hour" in answer
        assert "Added" not in answer and "is now" not in answer
    assert await starts(core) == before


async def test_a_time_that_happens_twice_is_the_first_and_its_span_says_so(core: Core) -> None:
    answer = flat(reply_text(await confirmed(core, JO, "session add 2026-11-01 01:30 Twice")))
    async with core.db.transaction() as db:
        added = await db.scalar(select(ProgrammeSession).where(ProgrammeSession.title == "Twice"))
        assert added is not None
    assert added.starts_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 1:30 EDT, the first
    assert added.ends_at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # an hour later
    assert "Sunday, November 1, 2026, 1:30 a.m. EDT – 1:30 a.m. EST (2026-11-01 05:30 UTC)" in (
        answer
    )


async def test_a_series_from_a_time_that_happens_twice_lasts_an_hour(core: Core) -> None:
    await confirmed(core, JO, "session series 2026-11-01 01:30 FREQ=DAILY;COUNT=2 Twice")
    async with core.db.transaction() as db:
        added = list(
            await db.scalars(
                select(ProgrammeSession)
                .where(ProgrammeSession.title == "Twice")
                .order_by(ProgrammeSession.starts_at)
            )
        )
    assert [s.ends_at - s.starts_at for s in added] == [timedelta(hours=1)] * 2
    assert added[0].starts_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
