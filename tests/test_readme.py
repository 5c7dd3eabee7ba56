"""The README documents every command in the catalogue, and its example script runs."""

from __future__ import annotations

from pathlib import Path

from s4b_bot.clock import SettableClock
from s4b_bot.commands import CATALOGUE
from s4b_bot.core import Core
from tests.helpers import run_console

ROOT = Path(__file__).resolve().parents[1]


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in CATALOGUE.commands:
        usage = command.usage.replace("|", "\\|")
        row = f"| `{usage}` | {command.summary} |"
        assert row in readme, f"README is missing: {row}"


async def test_the_example_script_runs_cleanly(core: Core, clock: SettableClock) -> None:
    script = (ROOT / "examples" / "first-visit.txt").read_text(encoding="utf-8")
    out = await run_console(core, clock, script)
    assert "you are registered" in out
    assert "You are no longer registered for: Summer." in out
    assert "No session matches 'atlantis'" in out
    assert "not a time zone I know" in out
    assert "Something went wrong" not in out
