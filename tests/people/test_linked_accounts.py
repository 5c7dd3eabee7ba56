"""One member across Slack and Discord: `/s4b link`, `link here` and `unlink`, through the
core and the dispatcher, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.routing.actions import action_id
from storage.models import (
    Account,
    CalendarCopy,
    Idea,
    LinkCode,
    OutboxMessage,
    ProgrammeSession,
    Registration,
    Vote,
)
from storage.models_offers import WaitlistOffer
from tests.fakes import RecordingPlatform
from tests.helpers import accept_offer, confirmed, flat, reply_text

SLACK = Actor("slack", "T1", "U-ADA", "Ada")
DISCORD = Actor("discord", "G1", "D-ADA", "ada_l")
CONSOLE = Actor("console", "local", "ada", "Ada at home")
OTHER_SLACK = Actor("slack", "T2", "U-ADA2", "Ada (work)")
BEN = Actor("discord", "G1", "D-BEN", "Ben")
JO = Actor("slack", "T1", "U-JO", "Jo", is_organizer=True)
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)


async def say(core: Core, actor: Actor, text: str) -> str:
    return flat(reply_text(await core.run_text(actor, "s4b", text)))


async def new_code(core: Core, actor: Actor) -> str:
    reply = await say(core, actor, "link")
    found = re.search(r"Your link code: (\S+)", reply)
    assert found is not None, reply
    code = found.group(1)
    assert f"type `/s4b link {code}` within 15 minutes" in reply
    return code


async def link(core: Core, primary: Actor, joining: Actor) -> str:
    code = await new_code(core, primary)
    reply = await say(core, joining, f"link {code}")
    assert reply.startswith("Linked"), reply
    return reply


async def register(core: Core, actor: Actor, *seasons: str) -> None:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        ids = {season.lower(): sid for season, sid in rows}
    values: dict[str, FormValue] = {
        "name": actor.display_name,
        "about": "Neighbour",
        "email": "",
        "sessions": tuple(str(ids[s]) for s in seasons),
        "consent": True,
    }
    outcome = await core.submit(FormSubmission(actor, "register", values))
    assert not outcome.field_errors, outcome.field_errors


async def account(core: Core, actor: Actor) -> Account:
    async with core.db.transaction() as db:
        member = await db.scalar(select(Account).where(Account.user_id == actor.user_id))
        assert member is not None
        return member


async def count(core: Core, model: Any, *where: Any) -> int:
    async with core.db.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_link_gives_a_short_unambiguous_code_that_lasts_15_minutes(
    core: Core, clock: SettableClock
) -> None:
    await new_code(core, SLACK)
    code = await new_code(core, SLACK)
    assert len(code) == 6 and not set(code) & set("0O1IL") and code.isupper()
    async with core.db.transaction() as db:
        rows = (await db.scalars(select(LinkCode))).all()
    [row] = rows  # asking again replaced the first code: one live code per member
    assert row.code == code and row.expires_at == clock.now() + timedelta(minutes=15)


async def test_typing_the_code_on_the_other_platform_joins_the_accounts(core: Core) -> None:
    await register(core, SLACK, "spring")
    await register(core, DISCORD, "summer")
    code = await new_code(core, SLACK)
    reply = await say(core, DISCORD, f"link {code.lower()}")
    assert "Linked: this account on Discord now acts as Ada on Slack" in reply
    assert "Moved 1 registration, 0 ideas and 0 votes." in reply

    slack, discord = await account(core, SLACK), await account(core, DISCORD)
    assert discord.person_id == slack.id and slack.person_id is None
    assert await count(core, LinkCode) == 0
    assert await count(core, Registration, Registration.member_id == slack.id) == 2
    mine = await say(core, DISCORD, "mine")  # from now on Discord acts as the primary
    assert "2 upcoming" in mine and "Spring" in mine and "Summer" in mine
    assert "2 upcoming" in await say(core, SLACK, "mine")


async def test_linking_counts_nobody_twice(core: Core) -> None:
    await register(core, SLACK, "spring")
    await register(core, DISCORD, "spring", "summer")
    await register(core, BEN, "spring")
    shared = await idea(core, BEN, "Monthly belonging circles at the library")
    only_discord = await idea(core, BEN, "A shared map of local belonging projects")
    await core.press(SLACK, action_id("vote_up", shared))
    await core.press(DISCORD, action_id("vote_up", shared))
    await core.press(DISCORD, action_id("vote_down", only_discord))
    slack, discord = await account(core, SLACK), await account(core, DISCORD)
    spring = await spring_id(core)

    reply = await link(core, SLACK, DISCORD)
    assert "Moved 1 registration, 0 ideas and 1 vote (2 you had on both accounts" in reply

    assert await count(core, Registration, Registration.session_id == spring) == 2  # Ada, Ben
    assert await count(core, Registration, Registration.member_id == slack.id) == 2
    assert await count(core, Registration, Registration.member_id == discord.id) == 0
    assert await count(core, Vote, Vote.idea_id == shared) == 1
    assert await count(core, Vote, Vote.member_id == slack.id) == 2
    pending = (OutboxMessage.status == "pending", OutboxMessage.kind == "reminder")
    assert await count(core, OutboxMessage, *pending, OutboxMessage.member_id == discord.id) == 0
    mine = (OutboxMessage.member_id == slack.id, OutboxMessage.session_id == spring)
    spring_reminders = await count(core, OutboxMessage, *pending, *mine)
    assert spring_reminders == 3  # 7 days, 1 day, 1 hour: once, not twice


async def test_the_latest_calendar_file_either_account_got_is_kept(core: Core) -> None:
    await register(core, DISCORD, "spring")
    await say(core, DISCORD, "unregister spring")  # its CANCEL went above the invitation
    await register(core, SLACK, "spring")
    slack, spring = await account(core, SLACK), await spring_id(core)
    await link(core, SLACK, DISCORD)
    async with core.db.transaction() as db:
        copies = (await db.execute(select(CalendarCopy.member_id, CalendarCopy.sequence))).all()
    assert copies == [(slack.id, 1)]
    await say(core, SLACK, "unregister spring")
    async with core.db.transaction() as db:
        copy = await db.get(CalendarCopy, (slack.id, spring))
        assert copy is not None and copy.sequence == 2  # above what the Discord account got


async def test_a_doubled_seat_frees_the_waitlist(core: Core) -> None:
    await confirmed(core, JO, "session capacity spring 2")
    await register(core, SLACK, "spring")
    await register(core, DISCORD, "spring")
    await register(core, BEN, "spring")
    assert await count(core, Registration, Registration.status == "waitlisted") == 1
    await link(core, SLACK, DISCORD)
    ben = await account(core, BEN)
    await accept_offer(core, BEN)
    async with core.db.transaction() as db:
        status = await db.scalar(
            select(Registration.status).where(Registration.member_id == ben.id)
        )
    assert status == "confirmed"


async def test_ideas_and_settings_move_to_the_primary(core: Core) -> None:
    await idea(core, DISCORD, "Belonging walks around the neighbourhood")
    await say(core, DISCORD, "timezone Europe/Paris")
    await link(core, SLACK, DISCORD)
    slack = await account(core, SLACK)
    assert await count(core, Idea, Idea.member_id == slack.id) == 1
    assert slack.timezone == "Europe/Paris"  # the primary had none
    assert "Belonging walks" in await say(core, SLACK, "ideas mine")


async def test_a_code_made_on_a_linked_account_joins_its_primary(core: Core) -> None:
    await link(core, SLACK, DISCORD)
    await link(core, DISCORD, CONSOLE)
    slack, console = await account(core, SLACK), await account(core, CONSOLE)
    assert console.person_id == slack.id


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown", "I do not know the code"),
        ("malformed", "is not a link code"),
        ("expired", "has expired"),
        ("used", "I do not know the code"),
        ("same account", "made on this account"),
        ("same platform", "Both accounts are on Slack"),
    ],
)
async def test_bad_codes_are_refused_clearly_and_change_nothing(
    core: Core, clock: SettableClock, case: str, expected: str
) -> None:
    await register(core, OTHER_SLACK, "summer")
    code = await new_code(core, SLACK)
    typist = {"same account": SLACK, "same platform": OTHER_SLACK}.get(case, DISCORD)
    if case == "unknown":
        code = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    elif case == "malformed":
        code = "0O1I"
    elif case == "expired":
        clock.advance(timedelta(minutes=16))
    elif case == "used":
        await say(core, CONSOLE, f"link {code}")
    reply = await say(core, typist, f"link {code}")
    assert expected in reply
    assert "Traceback" not in reply and "went wrong" not in reply
    joined = (Account.person_id.is_not(None), Account.user_id == typist.user_id)
    assert await count(core, Account, *joined) == 0
    other = await account(core, OTHER_SLACK)
    assert await count(core, Registration, Registration.member_id == other.id) == 1


async def test_an_account_already_linked_elsewhere_must_unlink_first(core: Core) -> None:
    await link(core, SLACK, DISCORD)
    code = await new_code(core, OTHER_SLACK)
    assert "Type `/s4b unlink` here first" in await say(core, DISCORD, f"link {code}")
    again = await new_code(core, SLACK)
    assert "already linked; nothing changed" in await say(core, DISCORD, f"link {again}")


async def test_link_here_moves_reminders_and_dms_to_that_platform(
    core: Core, clock: SettableClock
) -> None:
    await register(core, SLACK, "spring")
    await link(core, SLACK, DISCORD)
    slack_bot, discord_bot = RecordingPlatform(name="slack"), RecordingPlatform(name="discord")
    dispatcher = Dispatcher(
        core.db,
        platforms={"slack": slack_bot, "discord": discord_bot},
        clock=clock,
        settings=core.settings,
    )
    await dispatcher.drain()
    assert slack_bot.dms_to("U-ADA") and not discord_bot.dms_to("D-ADA")  # the invitation

    assert "now come here, on Discord" in await say(core, DISCORD, "link here")
    slack, discord = await account(core, SLACK), await account(core, DISCORD)
    assert (discord.prefers_dm_here, slack.prefers_dm_here) == (True, False)
    pending = (OutboxMessage.status == "pending", OutboxMessage.member_id == slack.id)
    assert await count(core, OutboxMessage, *pending, OutboxMessage.platform == "slack") == 0
    # Three reminders and the follow-up after the session.
    assert await count(core, OutboxMessage, *pending, OutboxMessage.platform == "discord") == 4

    clock.set(SPRING_START - timedelta(days=7))
    await dispatcher.drain()
    [reminder] = discord_bot.dms_to("D-ADA")
    assert reminder.text.startswith("Reminder: the Spring session starts in 7 days")
    assert len(slack_bot.dms_to("U-ADA")) == 1  # still only the invitation

    await say(core, SLACK, "link here")  # two reminders left, and the follow-up
    assert await count(core, OutboxMessage, *pending, OutboxMessage.platform == "slack") == 3


async def test_link_here_needs_a_link(core: Core) -> None:
    assert "not linked to another one" in await say(core, SLACK, "link here")


async def test_unlink_undoes_the_link_and_leaves_registrations_with_the_primary(
    core: Core,
) -> None:
    await register(core, DISCORD, "spring")
    await link(core, SLACK, DISCORD)
    await say(core, DISCORD, "link here")
    reply = await say(core, DISCORD, "unlink")
    assert "no longer linked to Ada on Slack" in reply
    slack, discord = await account(core, SLACK), await account(core, DISCORD)
    assert discord.person_id is None and not discord.prefers_dm_here
    assert await count(core, Registration, Registration.member_id == slack.id) == 1
    assert "not registered for any session" in await say(core, DISCORD, "mine")
    pending = (OutboxMessage.status == "pending", OutboxMessage.member_id == slack.id)
    assert await count(core, OutboxMessage, *pending, OutboxMessage.platform == "discord") == 0
    assert "not linked to any other; nothing changed" in await say(core, DISCORD, "unlink")


async def test_unlink_on_the_primary_releases_its_linked_accounts(core: Core) -> None:
    await link(core, SLACK, DISCORD)
    assert "ada_l on Discord no longer acts as you" in await say(core, SLACK, "unlink")
    assert (await account(core, DISCORD)).person_id is None


async def idea(core: Core, actor: Actor, text: str) -> int:
    assert "your idea is #" in await say(core, actor, f"idea {text}")
    async with core.db.transaction() as db:
        idea_id = await db.scalar(select(Idea.id).where(Idea.text == text))
        assert idea_id is not None
        return idea_id


async def spring_id(core: Core) -> int:
    async with core.db.transaction() as db:
        sid = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
        assert sid is not None
        return sid


async def test_a_place_in_line_wins_over_a_former_registration(core: Core) -> None:
    await register(core, SLACK, "spring")
    await confirmed(core, JO, "session cancel spring The room is flooded")
    await core.run_text(JO, "s4b-admin", "session restore spring")  # Slack's: "former"
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, BEN, "spring")
    await register(core, DISCORD, "spring")  # full: in line
    await link(core, SLACK, DISCORD)
    slack = await account(core, SLACK)
    async with core.db.transaction() as db:
        kept = (
            await db.scalars(select(Registration.status).where(Registration.member_id == slack.id))
        ).all()
    assert kept == ["waitlisted"]


async def test_an_offer_ended_by_linking_says_so_when_pressed(core: Core) -> None:
    await confirmed(core, JO, "session capacity spring 2")
    await register(core, SLACK, "spring")
    await register(core, BEN, "spring")
    await register(core, DISCORD, "spring")  # in line
    await say(core, BEN, "unregister spring")  # the seat is offered to Ada on Discord
    async with core.db.transaction() as db:
        offer_id = await db.scalar(select(WaitlistOffer.id).where(WaitlistOffer.status == "open"))
    linked = await link(core, SLACK, DISCORD)  # she holds a seat on Slack: the offer ends
    assert "The seat offered to you in 1 session ended: you already had a place" in linked
    for verb in ("offer_accept", "offer_decline"):
        pressed = flat(reply_text(await core.press(DISCORD, f"s4b:{verb}:{offer_id}")))
        assert "fewer seats" not in pressed and "waitlist" not in pressed
        assert "linked your accounts" in pressed and "seat in the Spring session" in pressed
        assert "nothing changed" in pressed
    slack = await account(core, SLACK)
    async with core.db.transaction() as db:
        kept = (await db.execute(select(Registration.member_id, Registration.status))).all()
    assert kept == [(slack.id, "confirmed")]
    audit = flat(reply_text(await core.run_text(JO, "s4b-admin", "audit")))
    assert "accounts linked" in audit
