"""The console adapter end to end: a script in, the transcript out, as `bot.py console` runs it."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import select

from adapters.console.repl import Console
from adapters.web.server import start_server
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from storage.models import Idea, Summary
from tests.helpers import reply_text, run_console

ROOT = Path(__file__).resolve().parents[3]


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
    assert (
        "Only organizers can use `/s4b-admin`. In the console, type as one with "
        "`/as NAME --organizer`, or start the console with `--organizer`"
    ) in out
    assert "[clock] 2025-05-01 12:00 UTC" in out
    assert "1 · Spring" not in out.split("[clock] 2025-05-01")[1].split("[clock]")[0]
    assert "There are no upcoming sessions. `/s4b sessions all` shows the past ones." in out
    assert "Took place" in out
    assert "Cannot set the clock" in out


def bot_py(tmp_path: Path, *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    """The real entry point, as a newcomer runs it, on a fresh SQLite file."""
    env = {**os.environ, "S4B_DATA_DIR": str(tmp_path / "data")}
    env.pop("S4B_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_bot_py_console_reads_a_script_from_standard_input(tmp_path: Path) -> None:
    """The real entry point, as a newcomer runs it, on a fresh SQLite file."""
    script = "/s4b sessions\n/s4b register spring\nabout: Neighbour\nconsent: yes\n\n/s4b mine\n"
    result = bot_py(tmp_path, "console", "--now", "2025-04-01T12:00", "--as", "Ada", input=script)
    assert result.returncode == 0, result.stderr
    assert "Cultivating Belonging" in result.stdout
    assert "you are registered" in result.stdout
    assert "Your registrations: 1 upcoming" in result.stdout
    assert (tmp_path / "data" / "s4b.sqlite3").exists()
    assert "Traceback" not in result.stdout + result.stderr


async def test_an_at_word_in_free_text_is_text_and_a_last_at_path_is_a_file(
    sqlite_core: Core, clock: SettableClock, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "## Insights\nOne.\n\n## Recommendations\nTwo.\n\n"
        "## Resources\nThree.\n\n## Collaboration opportunities\nFour.\n",
        encoding="utf-8",
    )
    clock.set(datetime(2025, 5, 1, 12, tzinfo=UTC))
    out = await run_console(
        sqlite_core,
        clock,
        f"""
        /s4b idea Let's tell @everyone about "the library" -- it’s open @night
        /as Jo --organizer
        /s4b-admin summary spring @{tmp_path / "missing.md"}
        /s4b-admin summary spring @{notes}
        """,
    )
    assert "Cannot read everyone" not in out and "Cannot read night" not in out
    assert f"! Cannot read the file {tmp_path / 'missing.md'}: No such file or directory." in out
    async with sqlite_core.db.transaction() as db:
        assert await db.scalar(select(Idea.text)) == (
            'Let\'s tell @everyone about "the library" -- it’s open @night'
        )
        assert await db.scalar(select(Summary.insights)) == "One."


async def test_console_lines_with_nothing_to_act_on_say_what_to_do(
    sqlite_core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        sqlite_core,
        clock,
        """
        /press 1
        /clock yesterday
        """,
    )
    assert "! The last message shown has no buttons to press." in out
    assert "1 to 0" not in out
    assert "! Cannot set the clock: 'yesterday' is not a time; use +7d, +1d12h, -2h" in out
    assert "isoformat" not in out


async def test_the_http_server_answers_while_a_form_waits_for_input(
    sqlite_core: Core, clock: SettableClock, unused_tcp_port: int
) -> None:
    """The interactive console reads in a thread: calendar feeds keep being served."""
    sqlite_core.settings.http_port = unused_tcp_port
    sqlite_core.settings.public_url = f"http://127.0.0.1:{unused_tcp_port}"
    runner = await start_server(sqlite_core, host="127.0.0.1", port=unused_tcp_port)
    console = Console(sqlite_core, clock, out=io.StringIO(), name="Ada")
    reply = reply_text(await sqlite_core.run_text(console.actor, "s4b", "calendar feed"))
    feed = next(w for w in reply.split() if w.startswith(sqlite_core.settings.public_url))
    form_open, fetched = threading.Event(), threading.Event()
    served_during_form: list[bool] = []
    lines = iter(["/s4b register spring"])

    def read(prompt: str) -> str:
        if prompt.startswith("  "):  # a form field's prompt
            form_open.set()
            served_during_form.append(fetched.wait(timeout=5))
            return "/cancel"
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    typing = asyncio.create_task(console.run_interactive(read))
    try:
        assert await asyncio.to_thread(form_open.wait, 5)
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(feed) as response:
            status = response.status
        fetched.set()
        await asyncio.wait_for(typing, timeout=10)
    finally:
        fetched.set()
        await runner.cleanup()
    assert status == 200
    assert served_during_form == [True]


def test_bot_py_console_with_a_missing_script_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = bot_py(tmp_path, "console", "--script", str(missing))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: cannot read the script {missing}: No such file or directory"
    )
    assert "Traceback" not in result.stdout + result.stderr


async def test_a_member_clears_their_time_zone_with_off(
    sqlite_core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        sqlite_core,
        clock,
        """
        /s4b timezone America/Vancouver
        /s4b timezone off
        /s4b sessions
        /s4b timezone
        /s4b timezone off
        """,
    )
    assert "Your time zone is now America/Vancouver" in out
    cleared = out.split("Ada> /s4b timezone off")[1]
    assert "Your time zone is cleared: times show in Eastern." in cleared
    assert "your time" not in cleared
    assert "Your time zone: not set" in cleared
    assert out.rstrip().endswith("You have no time zone set; nothing changed.")


async def test_a_command_line_ends_a_forms_answers_and_a_form_with_stray_lines_is_not_sent(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /s4b register spring
        name: Mary
        about: x
        consent: yes
        /s4b mine
        /s4b register summer
        nmae: Mary
        about: typo above
        consent: yes

        /s4b mine
        """,
    )
    # No blank line after the answers: the next command line ends them and then runs.
    assert "is not `field: value`" in out.split("/s4b register summer")[1]
    assert "'/s4b mine' is not" not in out
    first, second = out.split("Ada> /s4b mine")[1:3]
    assert "Spring Session" in first and "Summer Session" not in first
    # A form with a line that is no answer is not sent, and the console says so.
    assert "! 'nmae: Mary' is not `field: value`" in out
    assert "Form not sent: 1 line was not an answer; nothing changed." in out
    assert "Summer Session" not in second
