"""Organizer changes that would change nothing are refused, saying why, and plan nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from storage.models import OutboxMessage, ProgrammeSession
from tests.helpers import confirmed, flat, reply_text

ADA = Actor("console", "local", "ada", "Ada")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)


async def say(core: Core, text: str) -> str:
    return flat(reply_text(await confirmed(core, JO, text)))


async def counts(core: Core) -> tuple[int, int, int]:
    """Sessions, outbox rows, and the Spring session's SEQUENCE."""
    async with core.db.transaction() as db:
        sessions = await db.scalar(select(func.count()).select_from(ProgrammeSession))
        rows = await db.scalar(select(func.count()).select_from(OutboxMessage))
        sequence = await db.scalar(
            select(ProgrammeSession.sequence).where(ProgrammeSession.season == "Spring")
        )
    return int(sessions or 0), int(rows or 0), int(sequence or 0)


async def test_rescheduling_to_the_same_time_is_refused_and_sends_nothing(core: Core) -> None:
    values = {"name": "Ada", "about": "x", "sessions": ("1",), "consent": True}
    await core.submit(FormSubmission(ADA, "register", values))
    before = await counts(core)
    for same in ("2025-04-29 13:00", "2025-04-29T17:00:00Z", "2025-04-29 1pm"):
        refused = await say(core, f"session reschedule spring {same}")
        assert refused == "The Spring session is already at that time; nothing changed."
    assert await counts(core) == before


async def test_adding_a_session_at_the_time_of_another_is_refused_naming_it(core: Core) -> None:
    added = await say(core, "session add 2025-12-09T13:00 A holiday gathering")
    assert (
        "5 · Tuesday, December 9, 2025, 1:00–2:00 p.m. EST (2025-12-09 18:00 UTC) · "
        "A holiday gathering" in added
    )
    before = await counts(core)
    for again, existing in (
        ("session add 2025-12-09T13:00 A holiday gathering", "5 · Tuesday, December 9, 2025"),
        ("session add 2025-12-09T18:00:00Z Another title", "5 · Tuesday, December 9, 2025"),
        (
            "session add 2025-09-23T13:00 The Fall session again",
            "fall · Tuesday, September 23, 2025",
        ),
        (
            "session series 2025-09-23T13:00 FREQ=MONTHLY;COUNT=3 Circle",
            "fall · Tuesday, September 23, 2025",
        ),
    ):
        refused = await say(core, again)
        assert refused.startswith("There is already a session at that time, so nothing was added")
        assert existing in refused and "Added" not in refused
    assert await counts(core) == before
    # A cancelled session's time is free again.
    await say(core, "session cancel fall")
    assert "Added 1 session" in await say(core, "session add 2025-09-23T13:00 Fall, once more")


async def test_setting_the_capacity_a_session_already_has_is_refused(core: Core) -> None:
    assert await say(core, "session capacity spring 5") == "The Spring session now has 5 seats."
    assert await say(core, "session capacity spring 5") == (
        "The Spring session already has 5 seats; nothing changed."
    )
    assert await say(core, "session capacity spring none") == "The Spring session now has no limit."
    assert await say(core, "session capacity spring unlimited") == (
        "The Spring session already has no limit; nothing changed."
    )
    assert "2 entries" not in await say(core, "audit")
    assert (await say(core, "audit")).count("session capacity") == 2
