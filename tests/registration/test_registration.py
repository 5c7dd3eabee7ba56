"""Registration through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, Invocation
from s4b_bot.routing.actions import action_id
from storage.models import ProgrammeSession, Registration
from tests.helpers import reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
ORGANIZER = Actor("console", "local", "jo", "Jo", is_organizer=True)


async def session_ids(core: Core) -> dict[str, int]:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        return {season.lower(): sid for season, sid in rows}


async def count_registrations(core: Core) -> int:
    async with core.db.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(Registration)) or 0)


def answers(*sessions: int, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Ada Lovelace",
        "about": "Community leader",
        "organization": "",
        "email": "ada@example.org",
        "sessions": tuple(str(s) for s in sessions),
        "consent": True,
    }
    values.update(overrides)
    return values


async def register(core: Core, actor: Actor, *sessions: int, **overrides: object) -> str:
    outcome = await core.submit(FormSubmission(actor, "register", answers(*sessions, **overrides)))
    assert not outcome.field_errors, outcome.field_errors
    return reply_text(outcome)


async def test_register_command_opens_the_form_with_the_session_ticked(core: Core) -> None:
    ids = await session_ids(core)
    outcome = await core.run_text(ADA, "s4b", "register summer")
    assert outcome.form is not None and outcome.reply is None
    assert [f.id for f in outcome.form.fields] == [
        "name",
        "about",
        "organization",
        "email",
        "sessions",
        "consent",
    ]
    assert outcome.form.field("sessions").default == (str(ids["summer"]),)
    assert outcome.form.field("name").default == "Ada"
    assert len(outcome.form.field("sessions").choices) == 4


async def test_register_all_ticks_every_open_session(core: Core) -> None:
    outcome = await core.run_text(ADA, "s4b", "register all")
    assert outcome.form is not None
    assert len(outcome.form.field("sessions").default or ()) == 4


async def test_two_sessions_through_the_form_then_list_and_cancel(core: Core) -> None:
    ids = await session_ids(core)
    text = await register(core, ADA, ids["spring"], ids["fall"])
    assert "you are registered" in text
    assert await count_registrations(core) == 2

    mine = reply_text(await core.run_text(ADA, "s4b", "mine"))
    assert "2 upcoming" in mine and "Spring" in mine and "Fall" in mine and "Summer" not in mine

    gone = reply_text(await core.run_text(ADA, "s4b", "unregister fall"))
    assert "no longer registered for: Fall" in gone
    assert await count_registrations(core) == 1


async def test_registering_again_is_idempotent_and_says_so(core: Core) -> None:
    ids = await session_ids(core)
    await register(core, ADA, ids["spring"])
    again = await register(core, ADA, ids["spring"], ids["summer"])
    assert "already registered for Spring" in again
    assert await count_registrations(core) == 2
    direct = reply_text(await core.run_text(ADA, "s4b", "register spring"))
    assert "already registered for the Spring session; nothing changed" in direct


async def test_the_form_remembers_the_last_answers(core: Core) -> None:
    ids = await session_ids(core)
    await register(core, ADA, ids["spring"])
    outcome = await core.run_text(ADA, "s4b", "register summer")
    assert outcome.form is not None
    assert outcome.form.field("about").default == "Community leader"
    assert outcome.form.field("email").default == "ada@example.org"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "   ", "Your name is required"),
        ("about", "x" * 1001, "limit is 1,000"),
        ("email", "not-an-email", "does not look like an email"),
        ("consent", False, "Tick the box"),
        ("sessions", (), "Choose at least one session"),
        ("sessions", ("999",), "no longer exists"),
        ("name", "Ada\x07", "control character (U+0007)"),
        ("organization", "o" * 151, "limit is 150"),
    ],
)
async def test_bad_form_answers_are_refused_on_their_field_and_change_nothing(
    core: Core, field: str, value: object, expected: str
) -> None:
    ids = await session_ids(core)
    outcome = await core.submit(
        FormSubmission(ADA, "register", answers(ids["spring"], **{field: value}))
    )
    assert field in outcome.field_errors
    assert expected in outcome.field_errors[field]
    assert reply_text(outcome).count("Please") <= 1  # "Please check the form: Tick the box…"
    assert await count_registrations(core) == 0


async def test_past_and_cancelled_sessions_are_refused_with_a_reason(
    core: Core, clock: SettableClock
) -> None:
    ids = await session_ids(core)
    clock.advance(timedelta(days=60))  # Spring (April 29) is over
    text = reply_text(await core.run_text(ADA, "s4b", "register spring"))
    assert "took place on Tuesday, April 29, 2025" in text and "registration is closed" in text
    outcome = await core.submit(FormSubmission(ADA, "register", answers(ids["spring"])))
    assert "registration is closed" in outcome.field_errors["sessions"]

    async with core.db.transaction() as db:
        summer = await db.get(ProgrammeSession, ids["summer"])
        assert summer is not None
        summer.status, summer.status_note = "cancelled", "speaker unavailable"
    text = reply_text(await core.run_text(ADA, "s4b", "register summer"))
    assert "cancelled (speaker unavailable)" in text
    assert await count_registrations(core) == 0


async def test_unregister_answers_clearly_when_there_is_nothing_to_cancel(core: Core) -> None:
    text = reply_text(await core.run_text(ADA, "s4b", "unregister spring"))
    assert "were not registered for the Spring session; nothing changed" in text
    text = reply_text(await core.run_text(ADA, "s4b", "unregister all"))
    assert "no upcoming registrations" in text


async def test_buttons_route_to_the_same_actions(core: Core) -> None:
    ids = await session_ids(core)
    opened = await core.press(ADA, action_id("register", ids["fall"]))
    assert opened.form is not None
    assert opened.form.field("sessions").default == (str(ids["fall"]),)
    await register(core, ADA, ids["fall"])
    text = reply_text(await core.press(ADA, action_id("unregister", ids["fall"])))
    assert "no longer registered for: Fall" in text
    assert await count_registrations(core) == 0
    stale = reply_text(await core.press(ADA, "s4b:explode:1"))
    assert "no longer valid" in stale


async def test_each_member_registers_separately(core: Core) -> None:
    ids = await session_ids(core)
    await register(core, ADA, ids["spring"])
    await register(core, BEN, ids["spring"])
    assert await count_registrations(core) == 2
    assert "not registered for any session" in reply_text(
        await core.run_text(Actor("console", "other", "ada", "Ada"), "s4b", "mine")
    )


async def test_call_details_reach_registrants_only(core: Core) -> None:
    ids = await session_ids(core)
    link = "https://zoom.example/j/987654"
    saved = reply_text(await core.run_text(ORGANIZER, "s4b-admin", f"session call spring {link}"))
    assert "saved" in saved
    assert link not in reply_text(await core.run_text(BEN, "s4b", "session spring"))
    assert link not in reply_text(await core.run_text(BEN, "s4b", "sessions"))
    confirmation = await register(core, ADA, ids["spring"])
    assert link in confirmation
    assert link in reply_text(await core.run_text(ADA, "s4b", "session spring"))


async def test_organizer_commands_are_refused_to_members_and_change_nothing(core: Core) -> None:
    text = reply_text(
        await core.run_text(ADA, "s4b-admin", "session call spring https://x.example")
    )
    assert "Only organizers" in text
    async with core.db.transaction() as db:
        assert (
            await db.scalar(select(func.count()).where(ProgrammeSession.call_details.is_not(None)))
            == 0
        )


async def test_invoke_with_typed_options_matches_text_commands(core: Core) -> None:
    typed = await core.invoke(Invocation(ADA, "session", {"session": "2025-06-24"}))
    assert "Investing in Belonging" in reply_text(typed)
    bad = await core.invoke(Invocation(ADA, "session", {"nope": "x"}))
    assert "has no option" in reply_text(bad)
    unknown = await core.invoke(Invocation(ADA, "teleport"))
    assert "no `/s4b teleport` command" in reply_text(unknown)
