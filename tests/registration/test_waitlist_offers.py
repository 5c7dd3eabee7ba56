"""Waitlist offers: a freed seat is offered to the first in line, held while the offer runs;
Accept takes it, Decline or no answer passes it on; nothing is offered after the cut-off,
and those still waiting are told once. Every step is audited and counted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.people.privacy import apply_retention, member_data
from storage.models import Account, AuditEntry, OutboxMessage, Registration
from storage.models_offers import WaitlistOffer
from tests.fakes import RecordingPlatform, Sent
from tests.helpers import confirmed, flat, register, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
CY = Actor("console", "local", "cy", "Cy")
DEE = Actor("console", "local", "dee", "Dee")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)
CALL = "https://call.example/secret-room"


async def _full_spring(core: Core, *waiting: Actor) -> None:
    """Spring with one seat, Ada in it, and `waiting` in line in that order."""
    await confirmed(core, JO, "session capacity spring 1")
    await core.run_text(JO, "s4b-admin", f"session call spring {CALL}")
    await register(core, ADA, "spring")
    for actor in waiting:
        await register(core, actor, "spring")


def _buttons(sent: Sent) -> dict[str, str]:
    return {b.label: b.action for card in sent.message.cards for b in card.buttons}


async def _offer_dm(dispatcher: Dispatcher, platform: RecordingPlatform, user: str) -> Sent:
    await dispatcher.drain()
    offers = [s for s in platform.dms_to(user) if "A seat opened up in" in s.text]
    assert offers, f"no offer sent to {user}"
    return offers[-1]


async def _status(core: Core, actor: Actor) -> str | None:
    async with core.db.transaction() as db:
        return await db.scalar(
            select(Registration.status)
            .join(Account, Account.id == Registration.member_id)
            .where(Account.user_id == actor.user_id)
        )


async def _offers(core: Core) -> list[tuple[str, str | None]]:
    """(status, user id) of every offer, oldest first."""
    async with core.db.transaction() as db:
        rows = await db.execute(
            select(WaitlistOffer.status, Account.user_id)
            .outerjoin(Account, Account.id == WaitlistOffer.member_id)
            .order_by(WaitlistOffer.id)
        )
        return [(status, user) for status, user in rows]


async def _audit(core: Core) -> list[str]:
    async with core.db.transaction() as db:
        rows = await db.execute(select(AuditEntry.actor_name, AuditEntry.action, AuditEntry.reason))
        return [f"{actor}|{action}|{reason}" for actor, action, reason in rows]


async def test_a_freed_seat_is_offered_held_and_accepted_with_the_call_details(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    offer = await _offer_dm(dispatcher, platform, "ben")
    text = flat(offer.text)
    assert "it is your turn on its waitlist: it is held for you until" in text
    assert "Wednesday, April 2, 2025" in text  # 24 hours from now, in the session's zone
    assert CALL not in text and not offer.message.attachments  # no seat yet
    buttons = _buttons(offer)
    assert list(buttons) == ["Accept the seat", "Decline"]
    assert len(set(buttons.values())) == 2  # one id per button
    assert platform.dms_to("cy") == []  # Cy waits behind Ben
    # The seat is held: a newcomer goes on the waitlist, behind Cy.
    assert "on its waitlist (number 3)" in await register(core, DEE, "spring")
    roster = flat(reply_text(await core.run_text(JO, "s4b-admin", "roster spring")))
    assert "Waitlist: 3 (1 offered a seat)" in roster
    assert "1. Ben · offered a seat, until Wednesday, April 2, 2025" in roster

    reply = flat(reply_text(await core.press(BEN, buttons["Accept the seat"])))
    assert "The seat is yours: you are registered for the Spring session. ✓" in reply
    assert await _status(core, BEN) == "confirmed"
    await dispatcher.drain()
    invitation = platform.dms_to("ben")[-1]
    assert "A seat opened up: you are now registered" in invitation.text
    assert CALL in invitation.text and invitation.message.attachments
    # Pressing again changes nothing and says so; Decline cannot undo it.
    again = flat(reply_text(await core.press(BEN, buttons["Accept the seat"])))
    assert "You already accepted this seat" in again
    refused = flat(reply_text(await core.press(BEN, buttons["Decline"])))
    assert "You already accepted this seat in the Spring session, so nothing changed" in refused
    assert await _status(core, BEN) == "confirmed"
    await dispatcher.drain()
    assert len([s for s in platform.dms_to("ben") if "now registered" in s.text]) == 1
    assert platform.dms_to("cy") == []  # no seat left
    assert await _offers(core) == [("accepted", "ben")]


async def test_decline_passes_the_seat_on_and_leaves_the_waitlist(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    buttons = _buttons(await _offer_dm(dispatcher, platform, "ben"))
    reply = flat(reply_text(await core.press(BEN, buttons["Decline"])))
    assert "You declined the seat in the Spring session: it goes to the next in line" in reply
    assert await _status(core, BEN) is None
    assert "A seat opened up" in (await _offer_dm(dispatcher, platform, "cy")).text
    late = flat(reply_text(await core.press(BEN, buttons["Accept the seat"])))
    assert "You declined this seat in the Spring session, so nothing changed" in late
    assert await _status(core, BEN) is None
    assert await _offers(core) == [("declined", "ben"), ("open", "cy")]


async def test_an_unanswered_offer_expires_by_itself_and_the_next_in_line_is_offered(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    buttons = _buttons(await _offer_dm(dispatcher, platform, "ben"))
    clock.advance(timedelta(hours=23, minutes=59))
    await dispatcher.drain()
    assert await _offers(core) == [("open", "ben")]  # not yet
    clock.advance(timedelta(minutes=1))
    await dispatcher.drain()  # nobody pressed anything
    assert await _offers(core) == [("expired", "ben"), ("open", "cy")]
    expired = flat(platform.dms_to("ben")[-1].text)
    assert "Your offer of a seat in the Spring session expired at" in expired
    assert "you are off its waitlist" in expired
    assert await _status(core, BEN) is None
    assert "A seat opened up" in (await _offer_dm(dispatcher, platform, "cy")).text
    late = flat(reply_text(await core.press(BEN, buttons["Accept the seat"])))
    assert "This offer of a seat in the Spring session expired at" in late
    assert "nothing changed" in late
    assert await _status(core, BEN) is None and await _status(core, CY) == "waitlisted"


async def test_accept_after_the_time_is_up_expires_it_even_before_the_sweep(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    buttons = _buttons(await _offer_dm(dispatcher, platform, "ben"))
    clock.advance(timedelta(hours=25))
    late = flat(reply_text(await core.press(BEN, buttons["Accept the seat"])))
    assert "expired at" in late and await _status(core, BEN) is None
    assert await _offers(core) == [("expired", "ben"), ("open", "cy")]


async def test_two_dispatchers_expire_an_offer_once(
    core: Core, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    clock.advance(timedelta(hours=25))
    first, second = (
        Dispatcher(core.db, platforms={"console": platform}, clock=clock, settings=core.settings)
        for _ in range(2)
    )
    await asyncio.gather(first.drain(), second.drain())
    await first.drain()
    assert await _offers(core) == [("expired", "ben"), ("open", "cy")]
    assert len([s for s in platform.dms_to("ben") if "expired at" in s.text]) == 1
    assert len([s for s in platform.dms_to("cy") if "A seat opened up" in s.text]) == 1
    assert sum("offer expired" in line for line in await _audit(core)) == 1


async def test_an_offer_ends_before_the_session_starts_and_none_is_made_after_the_cutoff(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _full_spring(core, BEN, CY)
    clock.set(SPRING_START - timedelta(hours=10))
    await core.run_text(ADA, "s4b", "unregister spring")
    await _offer_dm(dispatcher, platform, "ben")
    async with core.db.transaction() as db:
        expires = await db.scalar(select(WaitlistOffer.expires_at))
    assert expires == SPRING_START - timedelta(hours=2)  # not 24 hours: the cut-off
    clock.set(SPRING_START - timedelta(hours=2))
    await dispatcher.drain()
    # Ben's offer expired at the cut-off, and the seat is not offered to Cy: Cy is told.
    assert await _offers(core) == [("expired", "ben")]
    [full] = [s for s in platform.dms_to("cy") if "is full" in s.text]
    assert "no more seats are offered this close to the start" in flat(full.text)
    clock.advance(timedelta(minutes=30))
    await dispatcher.drain()
    assert len([s for s in platform.dms_to("cy") if "is full" in s.text]) == 1  # once
    # A newcomer does not take the free seat ahead of Cy, and is told too.
    assert "on its waitlist" in await register(core, DEE, "spring")
    await dispatcher.drain()
    assert [s for s in platform.dms_to("dee") if "is full" in s.text]
    assert any("waitlist closed|1 member" in line for line in await _audit(core))


async def test_leaving_the_waitlist_with_an_offer_passes_it_on(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    await _offer_dm(dispatcher, platform, "ben")
    left = reply_text(await core.run_text(BEN, "s4b", "unregister spring"))
    assert left.startswith("You are off the waitlist of: Spring.")
    assert await _offers(core) == [("declined", "ben"), ("open", "cy")]
    audit = await _audit(core)
    assert "a member|offer declined|offer 1" in audit
    assert "a member|waitlist left|left the waitlist" in audit
    # Leaving from behind in line offers nothing new.
    await register(core, DEE, "spring")
    await core.run_text(DEE, "s4b", "unregister spring")
    assert [s for s, _ in await _offers(core)] == ["declined", "open"]


async def test_only_the_member_offered_can_answer(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    buttons = _buttons(await _offer_dm(dispatcher, platform, "ben"))
    for label in ("Accept the seat", "Decline"):
        refused = flat(reply_text(await core.press(CY, buttons[label])))
        assert "That offer was made to someone else, so nothing changed" in refused
    gone = flat(reply_text(await core.press(BEN, "s4b:offer_accept:999999")))
    assert "That offer no longer exists, so nothing changed" in gone
    assert await _offers(core) == [("open", "ben")]
    assert await _status(core, CY) == "waitlisted"


async def test_fewer_seats_withdraw_an_offer_and_a_cancellation_ends_it(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _full_spring(core, BEN, CY)
    await confirmed(core, JO, "session capacity spring 3")  # two offers
    await dispatcher.drain()
    cy = _buttons(await _offer_dm(dispatcher, platform, "cy"))
    await confirmed(core, JO, "session capacity spring 2")
    assert await _offers(core) == [("open", "ben"), ("withdrawn", "cy")]
    await dispatcher.drain()
    told = flat(platform.dms_to("cy")[-1].text)
    assert "now has fewer seats, so the seat offered to you is no longer free" in told
    assert "You keep your place on its waitlist, #2 in line." in told
    said = flat(reply_text(await core.press(CY, cy["Accept the seat"])))
    assert "This offer was withdrawn: the Spring session has fewer seats now" in said
    assert await _status(core, CY) == "waitlisted"  # keeps the place in line
    ben = _buttons(await _offer_dm(dispatcher, platform, "ben"))
    await confirmed(core, JO, "session cancel spring Flooded")
    await dispatcher.drain()
    assert await _offers(core) == [("withdrawn", "ben"), ("withdrawn", "cy")]
    said = flat(reply_text(await core.press(BEN, ben["Accept the seat"])))
    assert "The Spring session is cancelled, so this offer was withdrawn" in said


async def test_stats_count_the_offers_and_the_audit_names_no_member(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _full_spring(core, BEN, CY, DEE)
    await core.run_text(ADA, "s4b", "unregister spring")
    await core.press(BEN, _buttons(await _offer_dm(dispatcher, platform, "ben"))["Decline"])
    clock.advance(timedelta(hours=25))
    await dispatcher.drain()  # Cy's expires, Dee is offered
    await core.press(DEE, _buttons(await _offer_dm(dispatcher, platform, "dee"))["Accept the seat"])
    stats = flat(reply_text(await core.run_text(JO, "s4b-admin", "stats")))
    assert "3 offers made from the waitlist: 1 accepted, 1 declined, 1 expired." in stats
    audit = await _audit(core)
    for step in ("waitlist offer", "offer declined", "offer expired", "offer accepted"):
        assert any(f"|{step}|" in line for line in audit), step
    assert not any(name in line for line in audit for name in ("Ben", "Cy", "Dee"))
    shown = flat(reply_text(await core.run_text(JO, "s4b-admin", "audit")))
    assert "S4B bot (bot) · offer expired the Spring session" in shown


async def test_forget_me_and_retention_leave_offers_nameless(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform, clock: SettableClock
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    await _offer_dm(dispatcher, platform, "ben")
    async with core.db.transaction() as db:
        ben = await db.scalar(select(Account).where(Account.user_id == "ben"))
        assert ben is not None
        data = await member_data(db, ben, now=clock.now())
    assert [o["status"] for o in data["waitlist_offers"]] == ["open"]
    await core.run_text(BEN, "s4b", "forget-me confirm")
    # Ben's held seat goes to Cy; his offer stays, for the counts, without him.
    assert await _offers(core) == [("withdrawn", None), ("open", "cy")]
    async with core.db.transaction() as db:
        left = await db.scalar(
            select(func.count()).where(
                OutboxMessage.kind == "waitlist_offer", OutboxMessage.member_id.is_(None)
            )
        )
        assert left == 0
        await apply_retention(db, now=SPRING_START + timedelta(days=400), days=90)
    assert await _offers(core) == [("withdrawn", None), ("open", None)]


async def test_mine_shows_the_held_seat_with_accept_for_a_member_who_missed_the_dm(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await _full_spring(core, BEN, CY)
    await core.run_text(ADA, "s4b", "unregister spring")
    mine = await core.run_text(BEN, "s4b", "mine")
    assert mine.reply is not None
    text = flat(reply_text(mine))
    assert "Waitlisted, #1 in line · a seat is held for you until Wednesday, April 2" in text
    [accept] = [
        b.action for c in mine.reply.cards for b in c.buttons if b.label == "Accept the seat"
    ]
    assert "a seat is held" not in flat(reply_text(await core.run_text(CY, "s4b", "mine")))
    await core.press(BEN, accept)
    assert await _status(core, BEN) == "confirmed"


async def test_an_offer_follows_the_member_when_they_link_their_accounts(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    ben_slack = Actor("slack", "T1", "U-BEN", "Ben")
    ben_discord = Actor("discord", "G1", "D-BEN", "ben_o")
    await _full_spring(core, ben_slack)
    await core.run_text(ADA, "s4b", "unregister spring")
    async with core.db.transaction() as db:
        [offer_id] = (await db.scalars(select(WaitlistOffer.id))).all()
    code = (
        flat(reply_text(await core.run_text(ben_discord, "s4b", "link")))
        .split("Your link code: ")[1]
        .split()[0]
    )
    linked = flat(reply_text(await core.run_text(ben_slack, "s4b", f"link {code}")))
    assert linked.startswith("Linked"), linked
    said = flat(reply_text(await core.press(ben_slack, f"s4b:offer_accept:{offer_id}")))
    assert "The seat is yours" in said
    assert await _offers(core) == [("accepted", "D-BEN")]
