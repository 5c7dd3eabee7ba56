"""Editing one's registration through the core: the form filled in, answers and email changed
(the invitation follows the new address), sessions added and dropped in the same form."""

from __future__ import annotations

from typing import Any

import icalendar
from sqlalchemy import func, select

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Form, Outcome
from storage.models import Account, OutboxMessage, ProgrammeSession, Registration
from tests.fakes import RecordingPlatform
from tests.helpers import flat, register, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)


async def ids_of(core: Core) -> dict[str, str]:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        return {season.lower(): str(sid) for season, sid in rows}


async def edit_form(core: Core, actor: Actor = ADA) -> Form:
    outcome = await core.run_text(actor, "s4b", "register")
    assert outcome.form is not None, outcome
    assert outcome.form.id == "register_edit"
    return outcome.form


def filled(form: Form, **changes: Any) -> dict[str, Any]:
    """What the form sends back as it was opened, with `changes`."""
    values = {f.id: f.default if f.default is not None else "" for f in form.fields}
    values.update(changes)
    return values


async def send(core: Core, values: dict[str, Any], actor: Actor = ADA) -> Outcome:
    return await core.submit(FormSubmission(actor, "register_edit", values))


async def rows(core: Core, model: type[Any]) -> int:
    async with core.db.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def mine(core: Core, actor: Actor = ADA) -> list[Registration]:
    async with core.db.transaction() as db:
        found = await db.scalars(
            select(Registration)
            .join(Account, Account.id == Registration.member_id)
            .where(Account.user_id == actor.user_id)
            .order_by(Registration.session_id)
        )
        return list(found)


def calendar(attachment: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(attachment)


async def test_a_registered_member_gets_the_form_filled_in(core: Core) -> None:
    ids = await ids_of(core)
    await register(core, ADA, "spring", "fall", email="ada@example.org")
    form = await edit_form(core)
    assert form.title == "Edit your registration" and form.submit_label == "Save changes"
    assert form.field("name").default == "Ada"
    assert form.field("about").default == "Neighbour"
    assert form.field("email").default == "ada@example.org"
    assert form.field("consent").default is True
    assert form.field("sessions").default == (ids["spring"], ids["fall"])
    # Naming a session keeps the register form; a new member gets it too.
    assert (await core.run_text(ADA, "s4b", "register summer")).form.id == "register"  # type: ignore[union-attr]
    assert (await core.run_text(BEN, "s4b", "register")).form.id == "register"  # type: ignore[union-attr]
    again = reply_text(await core.run_text(ADA, "s4b", "register spring"))
    assert "already registered" in again and "`/s4b register` (with no session)" in again


async def test_an_unchanged_form_says_so_and_plans_nothing(core: Core) -> None:
    await register(core, ADA, "spring", email="ada@example.org")
    before = await rows(core, OutboxMessage)
    form = await edit_form(core)
    text = reply_text(await send(core, filled(form)))
    assert text == "Nothing changed: your registration is as it was."
    assert await rows(core, OutboxMessage) == before


async def test_new_answers_replace_the_old_on_every_upcoming_place(core: Core) -> None:
    await register(core, ADA, "spring", "summer")
    form = await edit_form(core)
    text = reply_text(
        await send(core, filled(form, name="Ada L. «🌱»", organization="Garden co-op"))
    )
    assert "Your registration is updated, Ada L. «🌱»." in text
    assert {(r.name, r.organization) for r in await mine(core)} == {("Ada L. «🌱»", "Garden co-op")}
    assert (await edit_form(core)).field("organization").default == "Garden co-op"


async def test_a_new_email_sends_an_updated_invitation_to_the_new_address(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring", email="ada@old.example")
    await dispatcher.drain()
    [first] = platform.dms_to("ada")
    [old] = calendar(first.message.attachments[0].content).walk("VEVENT")
    form = await edit_form(core)
    text = reply_text(await send(core, filled(form, email="ada@new.example")))
    assert "now goes to your new email" in text
    await dispatcher.drain()
    [_, update] = platform.dms_to("ada")
    assert "You changed your email" in update.text
    assert "ada@" not in update.text  # the address is in the file, not in the chat
    cal = calendar(update.message.attachments[0].content)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:ada@new.example"
    assert event["UID"] == old["UID"] and event["SEQUENCE"] > old["SEQUENCE"]
    # Later files follow the new address: a cancellation names it too.
    await core.run_text(ADA, "s4b", "unregister spring")
    await dispatcher.drain()
    cancel = calendar(platform.dms_to("ada")[-1].message.attachments[0].content)
    assert cal is not cancel and cancel["METHOD"] == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["ATTENDEE"]) == "mailto:ada@new.example"


async def test_removing_the_email_sends_a_file_without_one(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    await register(core, ADA, "spring", email="ada@example.org")
    await dispatcher.drain()
    await send(core, filled(await edit_form(core), email=""))
    await dispatcher.drain()
    update = platform.dms_to("ada")[-1]
    assert "You removed your email" in update.text
    assert calendar(update.message.attachments[0].content)["METHOD"] == "PUBLISH"


async def test_dropping_a_session_cancels_it_and_moves_the_waitlist_up(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    ids = await ids_of(core)
    await core.run_text(JO, "s4b-admin", "session capacity spring 1")
    await register(core, ADA, "spring", "summer", email="ada@example.org")
    await register(core, BEN, "spring")
    await dispatcher.drain()
    form = await edit_form(core)
    text = reply_text(await send(core, filled(form, sessions=(ids["summer"],))))
    assert "You are no longer registered for: Spring." in text
    assert "updated" not in text  # the answers did not change
    await dispatcher.drain()
    cancel = platform.dms_to("ada")[-1]
    assert "no longer registered for the Spring session" in cancel.text
    assert calendar(cancel.message.attachments[0].content)["METHOD"] == "CANCEL"
    assert "A seat opened up" in platform.dms_to("ben")[-1].text
    assert [r.session_id for r in await mine(core)] == [int(ids["summer"])]


async def test_adding_sessions_registers_or_waitlists_in_the_same_form(
    core: Core, dispatcher: Dispatcher, platform: RecordingPlatform
) -> None:
    ids = await ids_of(core)
    await core.run_text(JO, "s4b-admin", "session capacity fall 1")
    await register(core, BEN, "fall")
    await register(core, ADA, "spring")
    await dispatcher.drain()
    form = await edit_form(core)
    chosen = (ids["spring"], ids["summer"], ids["fall"])
    outcome = await send(core, filled(form, sessions=chosen, name="Ada Lovelace"))
    text = reply_text(outcome)
    assert "Your registration is updated, Ada Lovelace." in text
    assert "Thank you, Ada Lovelace: you are registered." in text
    assert "The Fall session is full, so you are on its waitlist (number 1)" in text
    assert [c.title for c in outcome.reply.cards if "Summer" in c.title]  # type: ignore[union-attr]
    await dispatcher.drain()
    invitation = platform.dms_to("ada")[-1]
    assert [a.filename for a in invitation.message.attachments] == ["s4b-summer-2025-06-24.ics"]
    statuses = {r.session_id: (r.status, r.name) for r in await mine(core)}
    assert statuses == {
        int(ids["spring"]): ("confirmed", "Ada Lovelace"),
        int(ids["summer"]): ("confirmed", "Ada Lovelace"),
        int(ids["fall"]): ("waitlisted", "Ada Lovelace"),
    }
    # The waitlist place is ticked next time; unticking it leaves the waitlist.
    form = await edit_form(core)
    assert form.field("sessions").default == chosen
    text = reply_text(await send(core, filled(form, sessions=chosen[:2])))
    assert text == "You are off the waitlist of: Fall."


async def test_bad_answers_are_refused_on_their_field_and_change_nothing(core: Core) -> None:
    await register(core, ADA, "spring", email="ada@example.org")
    form = await edit_form(core)
    before = await rows(core, OutboxMessage)
    cases = {
        "sessions": ({"sessions": ()}, "`/s4b unregister all`"),
        "consent": ({"consent": False}, "Tick the box"),
        "email": ({"email": "not an email"}, ""),
        "name": ({"name": "  "}, ""),
    }
    for field_id, (change, words) in cases.items():
        outcome = await send(core, filled(form, **change))
        assert field_id in outcome.field_errors, (field_id, outcome)
        assert words in outcome.field_errors[field_id]
    assert await rows(core, OutboxMessage) == before
    [kept] = await mine(core)
    assert (kept.email, kept.name) == ("ada@example.org", "Ada")


async def test_a_form_opened_before_a_session_started_keeps_that_place(core: Core) -> None:
    await register(core, ADA, "spring", "summer")
    form = await edit_form(core)
    await core.run_text(JO, "s4b-admin", "session cancel summer Rain")
    text = reply_text(await send(core, filled(form, about="Gardener")))
    assert "Your registration is updated" in text
    assert len(await mine(core)) == 2  # the cancelled session's place is left as it was


async def test_mine_shows_the_answers_with_an_edit_button(core: Core) -> None:
    await register(core, ADA, "spring", email="ada@example.org")
    outcome = await core.run_text(ADA, "s4b", "mine")
    assert outcome.reply is not None
    card = outcome.reply.cards[-1]
    assert card.title == "Your registration answers"
    shown = flat(reply_text(outcome))
    assert "Email: given" in shown and "ada@example.org" not in shown  # never echoed back
    [button] = card.buttons
    assert button.label == "Edit registration"
    opened = await core.press(ADA, button.action)
    assert opened.form is not None and opened.form.id == "register_edit"
    # Pressed by someone with no upcoming place (a forwarded button): a clear no.
    refused = reply_text(await core.press(BEN, button.action))
    assert "no upcoming registration to edit" in refused
    stale = reply_text(await send(core, filled(opened.form), actor=BEN))
    assert "nothing changed" in stale
    await core.run_text(ADA, "s4b", "unregister all")
    assert "Your registration answers" not in reply_text(await core.run_text(ADA, "s4b", "mine"))


async def test_my_data_shows_the_edited_answers_not_the_old_ones(core: Core) -> None:
    await register(core, ADA, "spring", email="ada@old.example")
    await send(core, filled(await edit_form(core), email="ada@new.example"))
    data = await core.run_text(ADA, "s4b", "my-data")
    assert data.reply is not None
    export = b"".join(a.content for a in data.reply.attachments).decode()
    assert "ada@new.example" in export
    assert "ada@old.example" not in export  # nor in the calendar copy: it follows
