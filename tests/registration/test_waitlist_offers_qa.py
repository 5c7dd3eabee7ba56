"""Waitlist offers, the QA pass: offers made together, forget-me, no limit, a reschedule
under an open offer, the cut-off, what the cards and replies say about held seats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from storage.models import Account, AuditEntry, Registration
from storage.models_offers import WaitlistOffer
from tests.fakes import RecordingPlatform
from tests.helpers import confirmed, flat, register, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
CY = Actor("console", "local", "cy", "Cy")
EVE = Actor("console", "local", "eve", "Eve")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)


async def _one_seat(core: Core, *line: Actor) -> None:
    """Spring with a single seat: Ada has it, `line` waits in that order."""
    await confirmed(core, JO, "session capacity spring 1")
    for actor in (ADA, *line):
        await register(core, actor, "spring")


def _dms(platform: RecordingPlatform, user: str, words: str) -> list[str]:
    return [flat(s.text) for s in platform.dms_to(user) if words in flat(s.text)]


async def _statuses(core: Core) -> dict[str, str]:
    async with core.db.transaction() as db:
        rows = await db.execute(
            select(Account.user_id, Registration.status).join(
                Account, Account.id == Registration.member_id
            )
        )
        return {user: status for user, status in rows}


async def _offer_rows(core: Core) -> list[WaitlistOffer]:
    async with core.db.transaction() as db:
        return list((await db.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id))).all())


async def _audit_lines(core: Core) -> list[str]:
    async with core.db.transaction() as db:
        rows = await db.execute(select(AuditEntry.action, AuditEntry.reason))
        return [f"{action}|{reason}" for action, reason in rows]


async def test_offers_made_together_do_not_each_say_first_in_line(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _one_seat(core, BEN, CY)
    await confirmed(core, JO, "session capacity spring 3")
    await dispatcher.drain()
    for user in ("ben", "cy"):
        [offer] = _dms(platform, user, "A seat opened up")
        assert "it is your turn on its waitlist: it is held for you until" in offer
        assert "first in line" not in offer


async def test_an_offer_ended_by_forget_me_is_audited_without_a_name(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _one_seat(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    await core.run_text(BEN, "s4b", "forget-me confirm")
    audit = await _audit_lines(core)
    assert "waitlist offer withdrawn|offer 1: forget-me" in audit
    assert not any("Ben" in line for line in audit)


async def test_no_seat_limit_seats_everyone_waiting_at_once(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _one_seat(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")  # Ben holds an offer, Cy waits
    said = flat(reply_text(await core.run_text(JO, "s4b-admin", "session capacity spring none")))
    assert said == "The Spring session now has no limit. Registered from the waitlist: 2 members."
    assert await _statuses(core) == {"ben": "confirmed", "cy": "confirmed"}
    assert [o.status for o in await _offer_rows(core)] == ["accepted"]
    await dispatcher.drain()
    for user in ("ben", "cy"):
        [seat] = _dms(platform, user, "you are now registered for the Spring session")
        assert "next in line" not in seat
    clock.advance(timedelta(hours=25))
    await dispatcher.drain()
    assert await _statuses(core) == {"ben": "confirmed", "cy": "confirmed"}  # nobody removed
    assert not _dms(platform, "ben", "expired")
    assert "waitlist seated|2 members seated: no seat limit" in await _audit_lines(core)


async def test_the_session_card_counts_a_seat_held_by_an_offer(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _one_seat(core, BEN)
    await core.run_text(ADA, "s4b", "unregister spring")  # Ben's offer holds the seat
    card = flat(reply_text(await core.run_text(EVE, "s4b", "session spring")))
    assert "Seats: 0 of 1 taken, 1 held for someone on the waitlist" in card
    assert "on its waitlist" in await register(core, EVE, "spring")


async def test_after_the_cutoff_a_newcomer_is_told_no_seat_will_be_offered(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _one_seat(core, BEN)
    clock.set(SPRING_START - timedelta(hours=1, minutes=30))
    await dispatcher.drain()  # Ben is told the session is full
    await core.run_text(ADA, "s4b", "unregister spring")  # the seat stays empty: Ben waits
    said = flat(await register(core, EVE, "spring"))
    assert "on its waitlist (number 2). Its waitlist is closed this close to the start" in said
    assert "If a seat frees" not in said
    card = flat(reply_text(await core.run_text(CY, "s4b", "session spring")))
    assert "Seats: 0 of 1 taken · full, and its waitlist is closed this close to the" in card
    assert await _offer_rows(core) == []
    await dispatcher.drain()
    [full] = _dms(platform, "eve", "it is full")
    assert "no more seats are offered this close to the start" in full


async def test_after_the_cutoff_with_nobody_waiting_a_newcomer_takes_a_free_seat(
    core: Core, clock: SettableClock
) -> None:
    await _one_seat(core)
    clock.set(SPRING_START - timedelta(hours=1))
    await core.run_text(ADA, "s4b", "unregister spring")
    assert "you are registered" in await register(core, EVE, "spring")


async def test_a_reschedule_cuts_an_open_offer_at_the_new_cutoff_and_says_so(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _one_seat(core, BEN)
    await core.run_text(ADA, "s4b", "unregister spring")  # Ben's offer: until Apr 2, 12:00
    await dispatcher.drain()
    await _reschedule(core, "2025-04-02 09:00")  # 13:00 UTC: the cut-off is 11:00 UTC
    [offer] = await _offer_rows(core)
    assert offer.expires_at.replace(tzinfo=UTC) == datetime(2025, 4, 2, 11, 0, tzinfo=UTC)
    await dispatcher.drain()
    [moved] = _dms(platform, "ben", "has moved")
    assert "still held for you, now until Wednesday, April 2, 2025, 7:00 a.m. EDT" in moved
    clock.set(datetime(2025, 4, 2, 11, 30, tzinfo=UTC))
    await dispatcher.drain()
    [expired] = _dms(platform, "ben", "expired")
    assert "expired at Wednesday, April 2, 2025, 7:00 a.m. EDT without an answer, at the" in (
        expired
    )
    assert "no more seats are offered, and you are off its waitlist" in expired
    assert "went to the next in line" not in expired


async def test_a_reschedule_past_the_cutoff_ends_an_open_offer_at_once(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _one_seat(core, BEN)
    await core.run_text(ADA, "s4b", "unregister spring")
    await dispatcher.drain()
    clock.set(datetime(2025, 4, 1, 14, 0, tzinfo=UTC))
    await _reschedule(core, "2025-04-01 11:00")  # 15:00 UTC: one hour, inside the cut-off
    assert [o.status for o in await _offer_rows(core)] == ["expired"]
    assert "ben" not in await _statuses(core)
    await dispatcher.drain()
    [ended] = _dms(platform, "ben", "ended at")
    assert "moved to Tuesday, April 1, 2025, 11:00 a.m." in ended
    assert "so your offer of a seat ended at Tuesday, April 1, 2025, 10:00 a.m. EDT" in ended


async def _reschedule(core: Core, when: str) -> None:
    preview = await core.run_text(JO, "s4b-admin", f"session reschedule spring {when}")
    assert preview.reply is not None
    [confirm] = [b.action for c in preview.reply.cards for b in c.buttons if b.label == "Confirm"]
    await core.press(JO, confirm)


async def test_a_first_round_after_the_start_still_tells_the_waiting_until_the_end(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _one_seat(core, BEN)
    clock.set(SPRING_START)  # no round ran between the cut-off and the start
    await dispatcher.drain()
    [full] = _dms(platform, "ben", "it is full")
    assert full.startswith("The Spring session has started and it is full")
    assert "waitlist closed|1 member on the waitlist told the session is full" in (
        await _audit_lines(core)
    )


async def test_nobody_is_told_once_the_session_is_over(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _one_seat(core, BEN)
    clock.set(SPRING_START + timedelta(hours=1))
    await dispatcher.drain()
    assert not _dms(platform, "ben", "it is full")


async def test_register_again_while_holding_an_offer_shows_the_held_seat_to_accept(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _one_seat(core, BEN)
    await core.run_text(ADA, "s4b", "unregister spring")
    again = await core.run_text(BEN, "s4b", "register spring")
    assert again.reply is not None
    said = flat(reply_text(again))
    assert "#1 in line, and a seat is held for you: accept it with the button below" in said
    [accept] = [b.action for c in again.reply.cards for b in c.buttons if b.label.startswith("Acc")]
    await core.press(BEN, accept)
    assert (await _statuses(core))["ben"] == "confirmed"


async def test_the_roster_of_a_cancelled_session_says_its_waitlist_is_cancelled(
    core: Core,
) -> None:
    await _one_seat(core, BEN)
    await confirmed(core, JO, "session cancel spring Flooded")
    roster = flat(reply_text(await core.run_text(JO, "s4b-admin", "roster spring")))
    assert "Waitlist: 1 · the session is cancelled: nobody on it will get a seat" in roster


async def test_a_seat_left_empty_at_the_cutoff_is_offered_when_the_session_moves_later(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _one_seat(core, BEN)
    clock.set(SPRING_START - timedelta(hours=1))
    await core.run_text(ADA, "s4b", "unregister spring")  # past the cut-off: stays empty
    assert await _offer_rows(core) == []
    await _reschedule(core, "2025-05-06 13:00")
    assert [o.status for o in await _offer_rows(core)] == ["open"]
    await dispatcher.drain()
    assert _dms(platform, "ben", "A seat opened up in the Spring session")
