"""Waitlist offers in the console: the offer DM shows its Accept and Decline buttons,
`/press` answers it (a wrong number is refused), and `/clock` lets one expire."""

from __future__ import annotations

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.helpers import run_console

SETUP = """
/as Jo --organizer
/s4b-admin session capacity spring 1
/as Ada
/s4b register spring
name: Ada
about: Gardener
consent: yes

/as Ben
/s4b register spring
name: Ben "Benji" O'Brien 🌱
about: Librarian
consent: yes

/as Cy
/s4b register spring
name: Cy
about: Youth worker
consent: yes

/as Ada
/s4b unregister spring
"""


async def test_the_offer_is_pressed_in_the_console_and_a_wrong_number_is_refused(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(core, clock, SETUP + "/as Ben\n/press 3\n/press 1\n/s4b mine\n")
    offer = out.split("[DM to Ben]")[1]
    assert "A seat opened up in the Spring session" in offer
    assert "[1: Accept the seat] [2: Decline]" in offer
    assert "! /press takes a button number from the last reply (1 to 2)." in out
    assert "The seat is yours: you are registered for the Spring session. ✓" in out
    assert "[DM to Ben] A seat opened up: you are now registered" in out
    assert "You: Registered ✓" in out.split("Ben> /s4b mine")[-1]


async def test_the_clock_lets_an_offer_expire_and_the_next_in_line_is_offered(
    core: Core, clock: SettableClock
) -> None:
    out = await run_console(core, clock, SETUP + "/clock +23h\n/clock +1h\n/as Ben\n/s4b mine\n")
    before, after = out.split("Ada> /clock +1h")
    assert "expired" not in before.split("Ada> /clock +23h")[-1]
    assert "[DM to Ben] Your offer of a seat in the Spring session expired at" in after
    assert "[DM to Cy] A seat opened up in the Spring session" in after
    assert "You are not registered for any session yet." in after


async def test_the_card_shows_the_held_seat_and_a_second_offer_is_not_first_in_line(
    core: Core, clock: SettableClock
) -> None:
    script = SETUP + "/as Eve\n/s4b session spring\n/as Jo --organizer\n"
    out = await run_console(core, clock, script + "/s4b-admin session capacity spring 2\n")
    assert "Seats: 0 of 1 taken, 1 held for someone on the waitlist" in out
    assert "[DM to Cy] A seat opened up in the Spring session, and it is your turn" in out
    assert "first in line" not in out


async def test_a_reschedule_tells_the_held_seat_s_new_deadline_and_the_real_expiry(
    core: Core, clock: SettableClock
) -> None:
    script = SETUP + (
        "/as Jo --organizer\n/s4b-admin session reschedule spring 2025-04-02 09:00\n"
        "/press 1\n/clock 2025-04-02T11:30\n"
    )
    out = await run_console(core, clock, script)
    moved = out.split("[DM to Ben] The Spring session you are waiting for has moved")[1]
    assert "still held for you, now until Wednesday, April 2, 2025, 7:00 a.m. EDT" in moved
    expired = out.split("[DM to Ben] Your offer of a seat in the Spring session expired at")[1]
    assert expired.startswith(" Wednesday, April 2, 2025, 7:00 a.m. EDT without an answer, at")


async def test_no_limit_registers_everyone_waiting_at_once(
    core: Core, clock: SettableClock
) -> None:
    script = SETUP + "/as Jo --organizer\n/s4b-admin session capacity spring none\n"
    out = await run_console(core, clock, script)
    assert "The Spring session now has no limit. Registered from the waitlist: 2 members." in out
    assert "[DM to Cy] A seat opened up: you are now registered for the Spring session" in out


async def test_a_newcomer_after_the_cutoff_is_told_no_seat_will_be_offered(
    core: Core, clock: SettableClock
) -> None:
    late = SETUP + (
        "/clock 2025-04-29T15:30\n/as Eve\n/s4b register spring\nname: Eve\nabout: x\n"
        "consent: yes\n\n"
    )
    out = await run_console(core, clock, late)
    assert "Its waitlist is closed this close to the start, so no seat will be offered" in out
