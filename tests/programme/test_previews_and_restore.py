"""Cancel, reschedule and fewer seats than are taken show what they will do, with Confirm
and Back; a preview is used once, by an organizer, on the session as it was shown. A
cancelled session can be restored: its former registrants come back with one press."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Outcome
from storage.models import AuditEntry, OutboxMessage, ProgrammeSession, Registration
from tests.fakes import RecordingPlatform
from tests.helpers import accept_offer, confirm_button, confirmed, flat, register, reply_text

JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
BO = Actor("console", "local", "bo", "Bo", is_organizer=True)
ADA = Actor("console", "local", "ada", "Ada Lovelace")
BEN = Actor("console", "local", "ben", "Ben Okafor")
CY = Actor("console", "local", "cy", "Cy Tran")


async def state(core: Core) -> tuple[str, int, int | None, int, int]:
    """Spring's status, SEQUENCE and capacity; how many outbox rows and audit entries."""
    async with core.db.transaction() as db:
        spring = await db.scalar(select(ProgrammeSession).where(ProgrammeSession.number == 1))
        assert spring is not None
        rows = await db.scalar(select(func.count()).select_from(OutboxMessage))
        entries = await db.scalar(select(func.count()).select_from(AuditEntry))
        return spring.status, spring.sequence, spring.capacity, int(rows or 0), int(entries or 0)


async def statuses(core: Core) -> dict[str, str]:
    async with core.db.transaction() as db:
        rows = await db.execute(
            select(Registration.name, Registration.status).order_by(Registration.id)
        )
        return {name: status for name, status in rows}


def back_button(outcome: Outcome) -> str:
    assert outcome.reply is not None
    return next(
        b.action
        for card in outcome.reply.cards
        for b in card.buttons
        if b.action.startswith("s4b:back_change:")
    )


def says(outcome: Outcome) -> str:
    return flat(reply_text(outcome))


async def test_cancel_shows_what_it_will_do_and_acts_only_on_confirm(core: Core) -> None:
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")
    before = await state(core)

    preview = await core.run_text(JO, "s4b-admin", "session cancel spring The room is flooded")

    shown = says(preview)
    assert "Nothing has changed yet" in shown
    assert "2 registrants will get a cancellation for their calendars" in shown
    assert "will be cancelled: The room is flooded." in shown and "The channel is told." in shown
    assert await state(core) == before  # nothing planned, nothing audited
    confirm = confirm_button(preview)
    assert confirm is not None

    done = says(await core.press(JO, confirm))

    assert "The Spring session is cancelled. 2 registrants will get a cancellation" in done
    status, sequence, _, rows, entries = await state(core)
    assert (status, sequence, entries) == ("cancelled", before[1] + 1, 1)
    assert rows > before[3]
    async with core.db.transaction() as db:
        entry = await db.scalar(select(AuditEntry))
        assert entry is not None
        assert (entry.action, entry.reason) == ("session cancel", "The room is flooded")
    # Pressed again (a double click, a second organizer): used up, nothing more happens.
    again = says(await core.press(JO, confirm))
    assert "already confirmed, taken back or replaced; nothing changed" in again
    assert (await state(core))[3:] == (rows, 1)


async def test_back_changes_nothing_and_the_preview_cannot_be_confirmed_after(
    core: Core,
) -> None:
    await register(core, ADA, "spring")
    before = await state(core)
    preview = await core.run_text(JO, "s4b-admin", "session reschedule spring 2025-05-06 13:00")
    assert "1 registrant will get the updated invitation" in says(preview)

    assert says(await core.press(JO, back_button(preview))) == (
        "Nothing changed: the Spring session stays as it was."
    )
    confirm = confirm_button(preview)
    assert confirm is not None
    assert "nothing changed" in says(await core.press(JO, confirm))
    assert await state(core) == before


async def test_only_organizers_can_confirm(core: Core) -> None:
    await register(core, ADA, "spring")
    preview = await core.run_text(JO, "s4b-admin", "session cancel spring")
    before = await state(core)
    confirm = confirm_button(preview)
    assert confirm is not None

    refused = await core.press(ADA, confirm)

    assert refused.organizers_only and "Only organizers" in says(refused)
    assert await state(core) == before
    assert "is cancelled" in says(await core.press(JO, confirm))  # still good for Jo


async def test_a_preview_of_a_session_changed_since_is_shown_again_not_applied(
    core: Core,
) -> None:
    await register(core, ADA, "spring")
    jo = await core.run_text(JO, "s4b-admin", "session reschedule spring 2025-05-06 13:00")
    await confirmed(core, BO, "session reschedule spring 2025-05-13 13:00")
    before = await state(core)
    confirm = confirm_button(jo)
    assert confirm is not None

    again = await core.press(JO, confirm)

    shown = says(again)
    assert "changed since that preview, so nothing changed yet" in shown
    assert "moves from Tuesday, May 13, 2025" in shown  # from where Bo put it
    assert await state(core) == before
    fresh = confirm_button(again)
    assert fresh is not None and fresh != confirm
    assert "The Spring session is now Tuesday, May 6, 2025" in says(await core.press(JO, fresh))


async def test_a_preview_of_a_session_cancelled_since_is_refused(core: Core) -> None:
    jo = await core.run_text(JO, "s4b-admin", "session reschedule spring 2025-05-06 13:00")
    await confirmed(core, BO, "session cancel spring")
    before = await state(core)
    confirm = confirm_button(jo)
    assert confirm is not None
    assert says(await core.press(JO, confirm)) == (
        "The Spring session is cancelled; nothing changed."
    )
    assert await state(core) == before


async def test_a_preview_expires(core: Core, clock: SettableClock) -> None:
    preview = await core.run_text(JO, "s4b-admin", "session cancel spring")
    clock.advance(timedelta(minutes=16))
    confirm = confirm_button(preview)
    assert confirm is not None
    assert "This preview has expired; nothing changed." in says(await core.press(JO, confirm))
    assert (await state(core))[0] == "scheduled"


async def test_fewer_seats_than_are_taken_names_who_moves_and_who_keeps_a_seat(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring")
    await register(core, BEN, "spring")
    before = await state(core)
    preview = await core.run_text(JO, "s4b-admin", "session capacity spring 1")
    shown = says(preview)
    assert "1 registrant will move to the waitlist" in shown
    assert "get a calendar cancellation: Ben Okafor." in shown
    assert "Keeping their seats: Ada Lovelace." in shown
    assert await state(core) == before
    # Cy registers meanwhile (seats are still unlimited): the preview said one moves, two
    # would now, so Confirm shows the new preview instead.
    await register(core, CY, "spring")
    confirm = confirm_button(preview)
    assert confirm is not None
    again = await core.press(JO, confirm)
    assert "2 registrants will move to the waitlist" in says(again)
    assert "Ben Okafor, Cy Tran" in says(again)
    fresh = confirm_button(again)
    assert fresh is not None

    done = says(await core.press(JO, fresh))

    assert done == (
        "The Spring session now has 1 seat. Moved to the waitlist and told: 2 registrants."
    )
    assert await statuses(core) == {
        "Ada Lovelace": "confirmed",
        "Ben Okafor": "waitlisted",
        "Cy Tran": "waitlisted",
    }
    await dispatcher.drain()
    [ben] = [s for s in platform.dms_to("ben") if "fewer seats" in s.text]
    assert "yours moved to its waitlist: you are #1 in line" in flat(ben.text)
    assert b"STATUS:CANCELLED" in ben.message.attachments[0].content  # off his calendar
    # Ada leaves: Ben, first in line, is offered the seat back.
    await core.run_text(ADA, "s4b", "unregister spring")
    await accept_offer(core, BEN)
    assert (await statuses(core))["Ben Okafor"] == "confirmed"


async def test_restoring_a_session_that_is_not_cancelled_is_refused(
    core: Core, clock: SettableClock
) -> None:
    before = await state(core)
    refused = says(await core.run_text(JO, "s4b-admin", "session restore spring"))
    assert refused == (
        "The Spring session is not cancelled, so there is nothing to restore; nothing changed."
    )
    await confirmed(core, JO, "session cancel spring")
    clock.set(clock.now() + timedelta(days=40))  # after its time
    cancelled = await state(core)
    refused = says(await core.run_text(JO, "s4b-admin", "session restore spring"))
    assert "time has passed, so it cannot be restored; nothing changed." in refused
    assert await state(core) == cancelled
    assert before[4] + 1 == cancelled[4]  # the cancellation alone is audited


async def test_a_restored_session_brings_its_registrants_back_with_one_press(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring", email="ada@example.org")
    await register(core, BEN, "spring")
    await confirmed(core, JO, "session cancel spring")
    await dispatcher.drain()
    platform.sent.clear()

    restored = says(await core.run_text(JO, "s4b-admin", "session restore spring"))

    assert "The Spring session is back on: Tuesday, April 29, 2025" in restored
    assert "2 former registrants will get a message with a Register again button" in restored
    status, *_, entries = await state(core)
    assert (status, entries) == ("scheduled", 2)  # cancel, restore
    # Their registrations ended with the cancellation: no seat until they come back.
    assert "not registered for any session" in says(await core.run_text(ADA, "s4b", "mine"))
    roster = says(await core.run_text(JO, "s4b-admin", "roster spring"))
    assert "Ada" not in roster and "Nobody yet." in roster
    await dispatcher.drain()
    [post] = [p for p in platform.posts() if "is back on" in p.text]
    assert "Its former registrants have been told" in post.text
    [dm] = platform.dms_to("ada")
    assert "Good news: the Spring session is back on." in dm.text
    [button] = [b for card in dm.message.cards for b in card.buttons]
    assert button.label == "Register again"

    back = says(await core.press(ADA, button.action))

    assert "Welcome back: you are registered for the Spring session again" in back
    assert (await statuses(core))["Ada Lovelace"] == "confirmed"
    roster = says(await core.run_text(JO, "s4b-admin", "roster spring"))
    assert "Ada Lovelace" in roster
    await dispatcher.drain()
    [invitation] = [s for s in platform.dms_to("ada") if "You are registered" in s.text]
    ics = invitation.message.attachments[0].content
    assert b"METHOD:REQUEST" in ics and b"ada@example.org" in ics  # her earlier answers
    # Pressed again: already back, nothing changes.
    assert "already registered for the Spring session; nothing changed." in says(
        await core.press(ADA, button.action)
    )
    # Ben comes back through the form instead: his former registration gives way.
    assert "you are registered" in await register(core, BEN, "spring")
    assert (await statuses(core))["Ben Okafor"] == "confirmed"


async def test_coming_back_to_a_full_session_waits_in_line_and_a_new_cancel_withdraws_the_dm(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring")
    await confirmed(core, JO, "session cancel spring")
    await core.run_text(JO, "s4b-admin", "session restore spring")
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, BEN, "spring")  # takes the one seat
    async with core.db.transaction() as db:
        spring = await db.scalar(select(ProgrammeSession).where(ProgrammeSession.number == 1))
        assert spring is not None
        action = f"s4b:register_again:{spring.id}"

    assert "full now: you are on its waitlist, #1 in line" in says(await core.press(ADA, action))

    await register(core, CY, "spring")
    await confirmed(core, JO, "session cancel spring")
    await core.run_text(JO, "s4b-admin", "session restore spring")
    await confirmed(core, JO, "session cancel spring")  # cancelled again before any DM left
    await dispatcher.drain()
    assert not [s for s in platform.sent if "back on" in s.text]
    refused = says(await core.press(CY, action))
    assert refused == (
        "The Spring session was cancelled, so registration is closed. Nothing changed."
    )
    # Someone who never registered gets the form, as the Register button opens it.
    await core.run_text(JO, "s4b-admin", "session restore spring")
    stranger = Actor("console", "local", "dee", "Dee")
    assert (await core.press(stranger, action)).form is not None


async def test_a_preview_taken_back_never_confirms_a_later_one(core: Core) -> None:
    """Button ids carry the pending change's id: ids are never reused, so Jo's old Confirm
    cannot apply Bo's newer preview."""
    jo = await core.run_text(JO, "s4b-admin", "session cancel spring")
    await core.press(JO, back_button(jo))
    bo = await core.run_text(BO, "s4b-admin", "session reschedule spring 2025-05-06 13:00")
    old, new = confirm_button(jo), confirm_button(bo)
    assert old is not None and new is not None and old != new
    assert "nothing changed" in says(await core.press(JO, old))
    assert (await state(core))[:2] == ("scheduled", 0)
