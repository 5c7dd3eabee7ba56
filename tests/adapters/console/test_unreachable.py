"""The console plays a member whose DMs are closed (`/dms off`): the DM fails as on a real
platform, and what could not reach them comes with their next command, once."""

from __future__ import annotations

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.helpers import run_console

REGISTER = """
/s4b register spring
name: Ada O'Neil
about: Neighbour 🌱
consent: yes

"""


async def test_closed_dms_fail_and_wait_for_the_next_command(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(core, clock, "/dms off\n" + REGISTER + "/s4b mine\n/s4b mine\n")
    assert "[Ada's direct messages are closed: DMs to them will fail]" in out
    assert "[DM to Ada · not delivered: DMs closed]" in out and "[DM to Ada]" not in out
    first, second = out.split("Ada> /s4b mine")[1:]
    assert "A message could not reach you: calendar invitation" in first
    assert "You are registered. Here is your calendar invitation." in first
    assert "s4b-spring-2025-04-29.ics" in first
    assert "could not reach you" not in second


async def test_open_dms_arrive_and_a_wrong_word_changes_nothing(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(core, clock, "/dms off\n/dms on\n/dms closed\n" + REGISTER)
    assert "[Ada's direct messages are open]" in out
    assert "! /dms takes `off` (close your direct messages) or `on` (open them)." in out
    assert "[DM to Ada] You are registered." in out


async def test_one_members_closed_dms_are_theirs_alone(core: Core, clock: SettableClock) -> None:
    script = "/dms off\n/as Ben\n" + REGISTER.replace("Ada O'Neil", "Ben") + "/s4b mine\n"
    out = await run_console(core, clock, script)
    assert "[DM to Ben] You are registered." in out and "could not reach you" not in out


async def test_an_invitation_and_its_updates_wait_as_one_note(
    core: Core, clock: SettableClock
) -> None:
    script = (
        "/dms off\n"
        + REGISTER
        + """
/as Jo --organizer
/s4b-admin session reschedule spring 2025-05-06 13:00
/press 1
/s4b-admin session call spring https://meet.example/NEW
/as Ada
/s4b contact
/s4b contact
"""
    )
    out = await run_console(core, clock, script)
    first, second = out.split("Ada> /s4b contact")[1:3]
    assert first.count("A message could not reach you") == 1
    assert "A message could not reach you: updated invitation" in first
    assert "https://meet.example/NEW" in first and "could not reach you" not in second
