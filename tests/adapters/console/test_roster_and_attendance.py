"""The console's roster and attendance (the QA repro scripts, played)."""

from __future__ import annotations

import asyncio
import csv
import io
import textwrap
from pathlib import Path

from adapters.console.repl import Console
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.helpers import flat, run_console

FULL_SPRING = """
/as Jo --organizer
/s4b-admin session capacity spring 1
/as Ada
/s4b register spring
name: Ada
about: x
consent: yes

/as Ben
/s4b register spring
name: Ben O'Brien
about: Librarian
consent: yes

/as Cy
/s4b register spring
name: Cy
about: y
consent: yes

"""


async def test_the_roster_file_numbers_the_waitlist_as_the_message_does(
    core: Core, clock: SettableClock, tmp_path: Path
) -> None:
    printed = io.StringIO()
    console = Console(core, clock, out=printed, echo=True, files_dir=tmp_path)
    script = FULL_SPRING + "/as Jo --organizer\n/s4b-admin roster spring"
    await console.run_script(iter(textwrap.dedent(script).strip("\n").splitlines()))
    out = flat(printed.getvalue())
    assert "its waitlist (number 2)" in out  # Cy, as told
    assert "1. Ben O'Brien 2. Cy" in out
    [saved] = [path for path in console.platform.saved if path.suffix == ".csv"]
    assert saved.parent == tmp_path / "jo"
    text = await asyncio.to_thread(saved.read_text, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["name"], r["position"]) for r in rows] == [
        ("Ada", ""),
        ("Ben O'Brien", "1"),
        ("Cy", "2"),
    ]


async def test_a_waitlisted_member_cannot_be_marked_as_attending(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        FULL_SPRING
        + textwrap.dedent("""
        /clock 2025-04-29T19:00
        /as Jo --organizer
        /s4b-admin attendance spring Ben O'Brien
        /s4b-admin roster spring
        /as Ben
        /s4b feedback spring
        """),
    )
    assert "Not marked: Ben O'Brien was on the waitlist, not registered with a seat." in out
    assert "Attended so far: 0." in out
    assert "Attended: 1" not in out
    assert "is for those who registered and came" in out


async def test_attendance_reads_a_name_with_a_comma_and_numbers_for_twins(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(
        core,
        clock,
        """
        /as Mary
        /s4b register spring
        name: O'Brien, Mary
        about: Librarian
        consent: yes

        /as Ada
        /s4b register spring
        name: Sam
        about: x
        consent: yes

        /as Sam2
        /s4b register spring
        name: Sam
        about: y
        consent: yes

        /clock 2025-04-29T18:05
        /as Jo --organizer
        /s4b-admin attendance spring O'Brien, Mary
        /s4b-admin attendance spring Sam
        /s4b-admin roster spring
        /s4b-admin attendance spring 2 3
        """,
    )
    assert "Marked 1 registrant as attending the Spring session: O'Brien, Mary." in out
    assert "Not among its registrants" not in out
    assert "Matches several registrants, so not marked: Sam. Give their numbers" in out
    assert "1. O'Brien, Mary 2. Sam 3. Sam" in out
    assert "Marked 2 registrants as attending the Spring session: Sam, Sam." in out
    assert "Attended so far: 3." in out
