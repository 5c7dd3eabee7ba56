"""The console adapter end to end: a script in, the transcript out, as `bot.py console` runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.helpers import run_console

ROOT = Path(__file__).resolve().parents[2]


async def test_newcomer_sees_sessions_in_eastern_and_their_zone(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b sessions
        /s4b timezone America/Vancouver
        /s4b sessions
        """,
    )
    first, _, second = out.partition("Ada> /s4b timezone")
    assert "Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT" in first
    assert "Tuesday, November 18, 2025, 1:00–2:00 p.m. EST" in first
    assert "your time" not in first
    assert "Your time zone is now America/Vancouver" in second
    assert "(Tuesday, April 29, 2025, 10:00–11:00 a.m. PDT your time)" in second
    assert "(Tuesday, November 18, 2025, 10:00–11:00 a.m. PST your time)" in second
    # The console cannot localise: it says which zone the times are in.
    assert "Times are Eastern (America/Toronto). `/s4b timezone <zone>` adds your own" in first
    assert "Times are Eastern (America/Toronto) and your zone, America/Vancouver." in second
    assert "your own time zone" not in out


async def test_register_for_two_through_the_form_list_and_cancel(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b register spring
        name: Ada Lovelace
        about: A neighbour who runs the community garden
        email: ada@example.org
        sessions: spring, summer
        consent: yes

        /s4b mine
        /s4b unregister summer
        /s4b mine
        """,
    )
    assert "[form for Ada]" in out
    assert "Thank you, Ada Lovelace: you are registered." in out
    assert "Your registrations: 2 upcoming, 0 past." in out
    assert "You are no longer registered for: Summer." in out
    assert "Your registrations: 1 upcoming, 0 past." in out
    # The email is the member's own; the console never echoes it back in a reply.
    assert out.count("ada@example.org") == 1


async def test_a_bad_form_answer_changes_nothing(core: Core, clock: SettableClock) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b register
        name: Ada
        about: hi
        sessions: spring, atlantis
        consent: maybe

        /s4b mine
        """,
    )
    assert "'atlantis' is not an option here" in out
    assert "consent: answer yes or no" in out
    assert "Please check the form" in out
    assert "not registered for any session yet" in out


async def test_buttons_can_be_pressed_by_number(core: Core, clock: SettableClock) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b session fall
        /press 1
        about: Policy analyst
        consent: yes

        /s4b mine
        /press 1
        /s4b mine
        """,
    )
    assert "[1: Register]" in out
    assert "you are registered" in out
    assert "You are no longer registered for: Fall." in out
    assert out.rstrip().endswith("`/s4b register` signs you up.")


async def test_clock_and_as_lines_play_several_people(core: Core, clock: SettableClock) -> None:
    out = await run_console(
        core,
        clock,
        """
        /as Jo --organizer
        /s4b-admin session call spring https://call.example/abc
        /as Ben
        /s4b-admin session call spring https://evil.example
        /clock +30d
        /s4b sessions
        /clock 2026-01-01T00:00
        /s4b sessions
        /s4b sessions all
        /clock soon
        """,
    )
    assert "[now typing as Jo, an organizer]" in out
    assert "Call details for the Spring session are saved" in out
    assert "Only organizers can use `/s4b-admin session call`" in out
    assert "[clock] 2025-05-01 12:00 UTC" in out
    assert "1 · Spring" not in out.split("[clock] 2025-05-01")[1].split("[clock]")[0]
    assert "There are no upcoming sessions. `/s4b sessions all` shows the past ones." in out
    assert "Took place" in out
    assert "Cannot set the clock" in out


def test_bot_py_console_reads_a_script_from_standard_input(tmp_path: Path) -> None:
    """The real entry point, as a newcomer runs it, on a fresh SQLite file."""
    script = "/s4b sessions\n/s4b register spring\nabout: Neighbour\nconsent: yes\n\n/s4b mine\n"
    env = {**os.environ, "S4B_DATA_DIR": str(tmp_path / "data")}
    env.pop("S4B_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "bot.py", "console", "--now", "2025-04-01T12:00", "--as", "Ada"],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Cultivating Belonging" in result.stdout
    assert "you are registered" in result.stdout
    assert "Your registrations: 1 upcoming" in result.stdout
    assert (tmp_path / "data" / "s4b.sqlite3").exists()
    assert "Traceback" not in result.stdout + result.stderr
