"""The console's answers to session times at the edges (the QA repro scripts, played)."""

from __future__ import annotations

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.helpers import run_console


async def test_a_session_in_the_year_9999_is_refused_and_the_calendar_still_works(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /as Jo --organizer
        /s4b-admin session add 9999-12-31 23:59 Far future
        /s4b-admin session series 9999-12-31 23:59 quarterly X
        /s4b-admin session reschedule spring 9999-12-31 12:00
        /as Ada
        /s4b calendar
        /s4b sessions
        """,
    )
    assert "Something went wrong" not in out
    assert out.count("a session must start within 5 years from now") == 3
    assert "Added" not in out and "is now" not in out
    assert "All 4 sessions of S4B Working Group 2025, for your calendar." in out
    assert "9999" not in out.split("/s4b sessions")[-1]


async def test_a_reschedule_onto_another_sessions_start_is_refused_like_an_add(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /as Jo --organizer
        /s4b-admin session add 2025-06-24 13:00 Duplicate slot
        /s4b-admin session reschedule spring 2025-06-24 13:00
        /press 1
        """,
    )
    assert "There is already a session at that time, so nothing was added" in out
    assert "There is already a session at that time, so nothing was changed" in out
    assert "is now" not in out


async def test_times_when_the_clocks_change(core: Core, clock: SettableClock) -> None:
    out = await run_console(
        core,
        clock,
        """
        /as Jo --organizer
        /s4b-admin session add 2026-11-01 01:30 DST ambiguous
        /s4b-admin session add 2026-03-08 02:30 DST gap
        """,
    )
    assert "Sunday, November 1, 2026, 1:30 a.m. EDT – 1:30 a.m. EST (2026-11-01 05:30 UTC)" in out
    assert "The time '2026-03-08 02:30' does not exist in America/Toronto" in out
    assert out.count("Added 1 session") == 1
