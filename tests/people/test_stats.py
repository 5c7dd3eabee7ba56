"""Organizer tools: `/s4b-admin stats` and `/s4b-admin attendance`, through the core and the
dispatcher, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.errors import PermanentFailure
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.people.stats import split_names
from storage.models import Account, AuditEntry, ProgrammeSession, Registration
from tests.fakes import RecordingPlatform, Sent
from tests.helpers import confirmed, flat, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
CY = Actor("console", "local", "cy", "Cy")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
SPRING_END = datetime(2025, 4, 29, 18, 0, tzinfo=UTC)


async def admin(core: Core, text: str) -> str:
    return flat(reply_text(await confirmed(core, JO, text)))


async def register(core: Core, actor: Actor, name: str, *seasons: str) -> None:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        ids = {season.lower(): sid for season, sid in rows}
    values: dict[str, FormValue] = {
        "name": name,
        "about": "Neighbour",
        "email": "",
        "sessions": tuple(str(ids[s]) for s in seasons),
        "consent": True,
    }
    outcome = await core.submit(FormSubmission(actor, "register", values))
    assert not outcome.field_errors, outcome.field_errors


async def attended(core: Core) -> dict[str, bool | None]:
    async with core.db.transaction() as db:
        rows = await db.execute(
            select(Account.user_id, Registration.attended).join(
                Account, Account.id == Registration.member_id
            )
        )
        return {user: flag for user, flag in rows}


def ben_has_closed_dms(item: Sent) -> None:
    if item.kind == "dm" and item.to == "ben":
        raise PermanentFailure("the member does not accept direct messages")


async def spring_with_three(core: Core) -> None:
    """Spring with two seats: Ada and Ben confirmed, Cy on the waitlist."""
    await admin(core, "session capacity spring 2")
    await register(core, ADA, "Ada Lovelace", "spring")
    await register(core, BEN, "Ben Okafor", "spring")
    await register(core, CY, "Cy Twombly", "spring")


async def test_stats_count_registrations_attendance_reminders_ideas_and_reports(
    core: Core, clock: SettableClock
) -> None:
    await spring_with_three(core)
    await core.run_text(ADA, "s4b", "idea Monthly belonging circles at the library")
    await core.run_text(BEN, "s4b", "idea A shared map of local belonging projects")
    await core.run_text(CY, "s4b", "report 1 not about belonging")
    await admin(core, "idea 2 review")
    platform = RecordingPlatform(fail=ben_has_closed_dms)
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings
    )
    for before in (timedelta(days=7), timedelta(days=1), timedelta(hours=1)):
        clock.set(SPRING_END - timedelta(hours=1) - before)
        await dispatcher.drain()
    clock.set(SPRING_END + timedelta(hours=1))
    await dispatcher.drain()
    await admin(core, "attendance spring Ada Lovelace")

    text = await admin(core, "stats")
    assert (
        "Spring · 2025-04-29: 2 confirmed, 1 waitlisted, 1 attended · "
        "reminders 3 sent, 3 failed" in text
    )
    assert "Summer · 2025-06-24: 0 confirmed, 0 waitlisted, 0 attended" in text
    assert "3 sent, 3 failed, 0 still to send" in text
    assert "Ideas: 1 open, 1 review." in text
    assert "Open reports: 1." in text


async def test_stats_say_when_attendance_was_not_marked(core: Core, clock: SettableClock) -> None:
    await spring_with_three(core)
    clock.set(SPRING_END + timedelta(days=1))
    text = await admin(core, "stats")
    assert "2 confirmed, 1 waitlisted, attendance not marked" in text
    assert "Open reports: 0." in text and "Ideas: none yet." in text


async def test_attendance_by_name_or_display_name_lists_unknown_names(
    core: Core, clock: SettableClock
) -> None:
    await spring_with_three(core)
    clock.set(SPRING_END)
    text = await admin(core, "attendance spring ada lovelace,  BEN , Zed Unknown")
    assert "Marked 2 registrants as attending the Spring session: Ada Lovelace, Ben Okafor" in text
    assert "Not among its registrants, so nothing changed for them: Zed Unknown" in text
    assert "Attended so far: 2." in text
    assert await attended(core) == {"ada": True, "ben": True, "cy": None}

    async with core.db.transaction() as db:
        [entry] = (
            await db.scalars(select(AuditEntry).where(AuditEntry.action == "attendance"))
        ).all()
        spring = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
    assert (entry.actor_name, entry.actor_platform) == ("Jo", "console")
    assert entry.target == f"session:{spring} (Spring 2025-04-29)"
    assert entry.reason == "2 registrants marked attended"  # a count, not the names

    again = await admin(core, "attendance spring Ada Lovelace")
    assert "1 registrant already marked; unchanged" in again
    async with core.db.transaction() as db:
        entries = (await db.scalars(select(AuditEntry.action))).all()
    assert entries.count("attendance") == 1  # nothing new to record


async def test_attendance_all_marks_every_confirmed_registrant(
    core: Core, clock: SettableClock
) -> None:
    await spring_with_three(core)
    clock.set(SPRING_END)
    assert "Marked 2 registrants" in await admin(core, "attendance spring all")
    assert await attended(core) == {"ada": True, "ben": True, "cy": None}


async def test_a_name_two_registrants_share_is_not_guessed(
    core: Core, clock: SettableClock
) -> None:
    await register(core, ADA, "Sam Lee", "spring")
    await register(core, BEN, "Sam Lee", "spring")
    clock.set(SPRING_END)
    text = await admin(core, "attendance spring Sam Lee")
    assert "Matches several registrants, so not marked: Sam Lee" in text
    assert await attended(core) == {"ada": None, "ben": None}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("attendance summer Ada", "has not started yet"),
        ("attendance atlantis Ada", "No session matches 'atlantis'"),
        ("attendance spring", "needs who attended"),
        ("attendance spring , ,", "Name who attended, separated by commas"),
    ],
)
async def test_bad_attendance_input_is_refused_and_changes_nothing(
    core: Core, clock: SettableClock, line: str, expected: str
) -> None:
    await spring_with_three(core)
    clock.set(SPRING_END)
    assert expected in await admin(core, line)
    assert set((await attended(core)).values()) == {None}


async def test_attendance_for_a_cancelled_session_is_refused(core: Core) -> None:
    await admin(core, "session cancel summer speaker unavailable")
    assert "was cancelled; there is no attendance" in await admin(core, "attendance summer all")


async def test_a_waitlisted_name_is_not_marked_as_attending(
    core: Core, clock: SettableClock
) -> None:
    await spring_with_three(core)  # Cy Twombly waits
    clock.set(SPRING_END)
    text = await admin(core, "attendance spring Cy Twombly")
    assert "Not marked: Cy Twombly was on the waitlist, not registered with a seat." in text
    assert "Attended so far: 0." in text
    assert await attended(core) == {"ada": None, "ben": None, "cy": None}
    await admin(core, "attendance spring Ada Lovelace")
    roster = await admin(core, "roster spring")
    assert "Attended: 1." in roster
    stats = await admin(core, "stats")
    assert "1 attended" in stats


async def test_attendance_by_roster_number_tells_two_registrants_of_one_name_apart(
    core: Core, clock: SettableClock
) -> None:
    await register(core, ADA, "Sam", "spring")
    await register(core, BEN, "Sam", "spring")
    await register(core, CY, "Cy Twombly", "spring")
    roster = await admin(core, "roster spring")
    assert "1. Sam 2. Sam 3. Cy Twombly" in roster
    clock.set(SPRING_END)
    text = await admin(core, "attendance spring 2 3")
    assert "Marked 2 registrants as attending the Spring session: Sam, Cy Twombly." in text
    assert await attended(core) == {"ada": None, "ben": True, "cy": True}
    text = await admin(core, "attendance spring 1, 4")
    assert "No registrant has the number 4 in `/s4b-admin roster`" in text
    assert await attended(core) == {"ada": True, "ben": True, "cy": True}


@pytest.mark.parametrize(
    "names",
    [
        "O'Brien, Mary",  # the whole text is one registrant's name
        '"O\'Brien, Mary"; Ben Okafor',  # quoted, and separated by a semicolon
        "O'Brien, Mary; Ben Okafor",
    ],
)
async def test_a_name_with_a_comma_is_read_whole(
    core: Core, clock: SettableClock, names: str
) -> None:
    await register(core, ADA, "O'Brien, Mary", "spring")
    await register(core, BEN, "Ben Okafor", "spring")
    await register(core, Actor("console", "local", "mary", "Mary"), "Mary Smith", "spring")
    clock.set(SPRING_END)
    text = await admin(core, f"attendance spring {names}")
    assert "Marked" in text and "O'Brien, Mary" in text
    assert "Not among its registrants" not in text
    marked = await attended(core)
    assert marked["ada"] is True and marked["mary"] is None
    assert marked["ben"] is (True if "Ben" in names else None)


def test_names_split_by_semicolons_or_commas_quotes_whole_and_numbers() -> None:
    assert split_names('"O\'Brien, Mary", Ben "Benny" Okafor, 2 3, 2') == [
        "O'Brien, Mary",
        'Ben "Benny" Okafor',
        2,
        3,
    ]
    assert split_names("O'Brien, Mary;  ben ; Ben") == ["O'Brien, Mary", "ben"]
    assert split_names("“Lee, Sam”, Ada") == ["Lee, Sam", "Ada"]
