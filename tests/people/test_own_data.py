"""A member's own data: `/s4b my-data`, `/s4b forget-me`, and retention of form answers,
through the core on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.output import Outcome
from s4b_bot.people import privacy
from s4b_bot.routing.actions import action_id
from storage.models import (
    Account,
    CalendarCopy,
    Idea,
    LinkCode,
    OutboxMessage,
    ProgrammeSession,
    Registration,
    Report,
    Vote,
)
from tests.helpers import accept_offer, confirmed, flat, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
ADA_SLACK = Actor("slack", "T1", "U-ADA", "Ada")
ADA_DISCORD = Actor("discord", "G1", "D-ADA", "Ada L")
ADA_EMAIL = "ada.private@example.org"
ADA_ABOUT = "Runs the Riverside community garden"
BEN_EMAIL = "ben.private@example.org"
BEN_ABOUT = "Librarian at the east branch"
SUMMER_END = datetime(2025, 6, 24, 18, 0, tzinfo=UTC)


async def session_ids(core: Core) -> dict[str, int]:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        return {season.lower(): sid for season, sid in rows}


async def register(
    core: Core, actor: Actor, *seasons: str, email: str, about: str, organization: str = ""
) -> None:
    ids = await session_ids(core)
    values: dict[str, FormValue] = {
        "name": f"{actor.display_name} Full",
        "about": about,
        "organization": organization,
        "email": email,
        "sessions": tuple(str(ids[s]) for s in seasons),
        "consent": True,
    }
    outcome = await core.submit(FormSubmission(actor, "register", values))
    assert not outcome.field_errors, outcome.field_errors


async def member_of(core: Core, actor: Actor) -> Account:
    async with core.db.transaction() as db:
        member = await db.scalar(
            select(Account).where(Account.user_id == actor.user_id).order_by(Account.id)
        )
        assert member is not None
        return member


async def count(core: Core, model: Any, *where: Any) -> int:
    async with core.db.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def press_forget(core: Core, actor: Actor, member_id: int) -> Outcome:
    """The "Yes, forget me" button; straight to the handler until the core routes the verb."""
    outcome = await core.press(actor, action_id("forget", member_id))
    if outcome.reply is not None and "no longer valid" in reply_text(outcome):
        outcome = await core._run(actor, lambda ctx: privacy.confirm_forget(ctx, member_id))
    return outcome


async def my_data(core: Core, actor: Actor) -> dict[str, Any]:
    outcome = await core.run_text(actor, "s4b", "my-data")
    assert outcome.reply is not None
    [attachment] = outcome.reply.attachments
    data: dict[str, Any] = json.loads(attachment.content)
    return data


def link_code(reply: str) -> str:
    found = re.search(r"Your link code: ([A-Z0-9]{6})", reply)
    assert found is not None, reply
    return found.group(1)


async def submit_idea(core: Core, actor: Actor, text: str) -> int:
    reply = reply_text(await core.run_text(actor, "s4b", f"idea {text}"))
    assert "your idea is #" in reply, reply
    async with core.db.transaction() as db:
        idea_id = await db.scalar(select(Idea.id).where(Idea.text == text))
        assert idea_id is not None
        return idea_id


async def ada_and_ben_with_history(core: Core) -> dict[str, int]:
    """Ada and Ben each register, write an idea, vote on the other's, and Ada reports Ben's."""
    await register(core, ADA, "spring", "summer", email=ADA_EMAIL, about=ADA_ABOUT)
    await register(core, BEN, "spring", email=BEN_EMAIL, about=BEN_ABOUT)
    ada_idea = await submit_idea(core, ADA, "A shared map of local belonging projects")
    ben_idea = await submit_idea(core, BEN, "Monthly belonging circles at the library")
    await core.press(ADA, action_id("vote_up", ben_idea))
    await core.press(BEN, action_id("vote_up", ada_idea))
    assert "Thank you" in reply_text(
        await core.run_text(ADA, "s4b", f"report {ben_idea} off topic for the group")
    )
    await core.run_text(ADA, "s4b", "timezone America/Vancouver")
    async with core.db.transaction() as db:
        ada = await db.scalar(select(Account).where(Account.user_id == "ada"))
        assert ada is not None
        ada.feed_token = "secret-feed-token-value"
    return {"ada_idea": ada_idea, "ben_idea": ben_idea}


async def test_my_data_sends_everything_about_the_member_and_nothing_else(core: Core) -> None:
    ids = await ada_and_ben_with_history(core)
    outcome = await core.run_text(ADA, "s4b", "my-data")
    assert outcome.reply is not None and not outcome.public
    [attachment] = outcome.reply.attachments
    assert (attachment.filename, attachment.mime) == ("my-s4b-data.json", "application/json")
    assert "1 account, 2 registrations, 1 idea, 1 vote and 1 report." in flat(reply_text(outcome))
    raw = attachment.content.decode("utf-8")
    data = json.loads(raw)

    [account] = data["accounts"]
    assert account["platform"] == "console" and account["user_id"] == "ada"
    assert account["time_zone"] == "America/Vancouver"
    assert account["has_calendar_feed"] is True
    assert "secret-feed-token-value" not in raw
    assert [r["session"]["season"] for r in data["registrations"]] == ["Spring", "Summer"]
    assert {r["email"] for r in data["registrations"]} == {ADA_EMAIL}
    assert data["registrations"][0]["about"] == ADA_ABOUT
    assert [i["number"] for i in data["ideas"]] == [ids["ada_idea"]]
    assert [(v["idea"], v["value"]) for v in data["votes"]] == [(ids["ben_idea"], 1)]
    assert [r["target"] for r in data["reports"]] == [f"idea:{ids['ben_idea']}"]
    # What her calendar was sent: the invitation's SEQUENCE and the address it named.
    assert [(f["session"]["season"], f["attendee"]) for f in data["calendar_files"]] == [
        ("Spring", ADA_EMAIL),
        ("Summer", ADA_EMAIL),
    ]
    for other in (BEN_EMAIL, BEN_ABOUT, "ben", "Monthly belonging circles"):
        assert other not in raw


async def test_my_data_of_a_newcomer_is_just_their_account(core: Core) -> None:
    data = await my_data(core, BEN)
    assert [a["user_id"] for a in data["accounts"]] == ["ben"]
    assert data["registrations"] == data["ideas"] == data["votes"] == []
    assert data["accounts"][0]["has_calendar_feed"] is False


async def test_forget_me_asks_first_with_a_danger_button_and_changes_nothing(core: Core) -> None:
    await ada_and_ben_with_history(core)
    ada = await member_of(core, ADA)
    outcome = await core.run_text(ADA, "s4b", "forget-me")
    assert outcome.reply is not None
    [button] = [b for card in outcome.reply.cards for b in card.buttons]
    assert button.action == f"s4b:forget:{ada.id}" and button.style == "danger"
    assert "cannot be undone" in reply_text(outcome)
    assert await count(core, Registration, Registration.member_id == ada.id) == 2


async def test_confirming_forgets_registrations_and_settings_but_keeps_counts(
    core: Core,
) -> None:
    ids = await ada_and_ben_with_history(core)
    ada = await member_of(core, ADA)
    await core.run_text(ADA, "s4b", "reminders 1d")
    await core.run_text(ADA, "s4b", "link")
    assert await count(core, OutboxMessage, OutboxMessage.member_id == ada.id) > 0
    votes_before, ideas_before = await count(core, Vote), await count(core, Idea)

    text = flat(reply_text(await press_forget(core, ADA, ada.id)))
    assert "I have forgotten you. I deleted 2 registrations with the answers" in text

    assert await count(core, Registration, Registration.member_id == ada.id) == 0
    assert await count(core, Registration) == 1  # Ben's stays
    assert (await count(core, Vote), await count(core, Idea)) == (votes_before, ideas_before)
    assert await count(core, Idea, Idea.member_id == ada.id) == 0
    assert await count(core, Vote, Vote.member_id == ada.id) == 0
    assert await count(core, Report, Report.reporter_id == ada.id) == 0
    assert await count(core, LinkCode) == 0
    assert await count(core, CalendarCopy, CalendarCopy.member_id == ada.id) == 0
    pending = (OutboxMessage.member_id == ada.id, OutboxMessage.status == "pending")
    assert await count(core, OutboxMessage, *pending) == 0
    async with core.db.transaction() as db:
        assert await db.get(Account, ada.id) is None  # settings and feed token went with it
        idea = await db.get(Idea, ids["ada_idea"])
        assert idea is not None and idea.member_id is None  # the idea itself stays
    data = await my_data(core, ADA)
    assert data["registrations"] == data["ideas"] == data["votes"] == data["reports"] == []


async def test_forget_me_confirm_typed_works_like_the_button(core: Core) -> None:
    await register(core, ADA, "spring", email=ADA_EMAIL, about=ADA_ABOUT)
    text = flat(reply_text(await core.run_text(ADA, "s4b", "forget-me confirm")))
    assert "I have forgotten you" in text
    assert await count(core, Registration) == 0


async def test_a_confirmation_for_another_member_is_refused(core: Core) -> None:
    await register(core, ADA, "spring", email=ADA_EMAIL, about=ADA_ABOUT)
    ada = await member_of(core, ADA)
    text = flat(reply_text(await press_forget(core, BEN, ada.id)))
    assert "That button was for someone else, so nothing changed" in text
    assert await count(core, Registration, Registration.member_id == ada.id) == 1


async def test_forgetting_a_confirmed_seat_offers_it_to_the_waitlist(core: Core) -> None:
    await confirmed(core, JO, "session capacity spring 1")
    await register(core, ADA, "spring", email=ADA_EMAIL, about=ADA_ABOUT)
    await register(core, BEN, "spring", email=BEN_EMAIL, about=BEN_ABOUT)
    ben = await member_of(core, BEN)
    assert await count(core, Registration, Registration.status == "waitlisted") == 1

    await core.run_text(ADA, "s4b", "forget-me confirm")
    async with core.db.transaction() as db:
        offered = await db.scalar(
            select(func.count()).where(
                OutboxMessage.member_id == ben.id, OutboxMessage.kind == "waitlist_offer"
            )
        )
    assert offered == 1
    await accept_offer(core, BEN)
    async with core.db.transaction() as db:
        status = await db.scalar(
            select(Registration.status).where(Registration.member_id == ben.id)
        )
    assert status == "confirmed"


async def test_forget_me_erases_every_linked_account(core: Core) -> None:
    await register(core, ADA_SLACK, "spring", email=ADA_EMAIL, about=ADA_ABOUT)
    code = link_code(reply_text(await core.run_text(ADA_SLACK, "s4b", "link")))
    await core.run_text(ADA_DISCORD, "s4b", "timezone Europe/Paris")
    await register(core, ADA_DISCORD, "summer", email=ADA_EMAIL, about=ADA_ABOUT)
    assert "Linked" in reply_text(await core.run_text(ADA_DISCORD, "s4b", f"link {code}"))
    await core.run_text(ADA_DISCORD, "s4b", "link here")

    text = flat(reply_text(await core.run_text(ADA_DISCORD, "s4b", "forget-me confirm")))
    assert "I also unlinked and erased 1 linked account." in text
    assert await count(core, Registration) == 0
    assert await count(core, Account) == 0  # both accounts, with their settings


async def test_retention_blanks_answers_of_finished_series_and_keeps_the_rows(
    core: Core, clock: SettableClock
) -> None:
    await register(
        core, ADA, "spring", email=ADA_EMAIL, about=ADA_ABOUT, organization="Garden Club"
    )
    await register(core, BEN, "spring", email=BEN_EMAIL, about=BEN_ABOUT)
    await core.run_text(JO, "s4b-admin", "session add 2026-04-28T13:00 Belonging in Practice")
    ben = await member_of(core, BEN)
    async with core.db.transaction() as db:
        next_year = await db.scalar(
            select(ProgrammeSession).where(ProgrammeSession.title == "Belonging in Practice")
        )
        assert next_year is not None
        ended = await db.scalar(
            select(func.max(ProgrammeSession.ends_at)).where(
                ProgrammeSession.series_id != next_year.series_id
            )
        )
        assert ended is not None
        db.add(
            Registration(
                session_id=next_year.id,
                member_id=ben.id,
                name="Ben Full",
                about=BEN_ABOUT,
                email=BEN_EMAIL,
                consent=True,
                status="confirmed",
                created_at=clock.now(),
            )
        )

    async with core.db.transaction() as db:
        early = await privacy.apply_retention(db, now=ended + timedelta(days=89), days=90)
    assert early == 0
    async with core.db.transaction() as db:
        cleared = await privacy.apply_retention(db, now=ended + timedelta(days=91), days=90)
    assert cleared == 2
    async with core.db.transaction() as db:
        again = await privacy.apply_retention(db, now=ended + timedelta(days=92), days=90)
        rows = (await db.scalars(select(Registration).order_by(Registration.id))).all()
    assert again == 0
    assert len(rows) == 3
    old, kept = rows[:2], rows[2]
    for row in old:
        assert (row.name, row.about, row.organization, row.email) == ("", "", None, None)
    assert (kept.about, kept.email) == (BEN_ABOUT, BEN_EMAIL)  # its series is still to come
    async with core.db.transaction() as db:
        attendees = (await db.scalars(select(CalendarCopy.attendee))).all()
    assert attendees == [None, None]  # the 2025 invitations named Ada and Ben


async def test_forget_me_leaves_no_trace_of_the_member_but_anonymous_ideas_and_votes(
    core: Core,
) -> None:
    """After forget-me nothing names or points to the member: no account row (name, user id),
    no sent or failed message rows (they carry member and session ids), nothing in my-data
    but the fresh account of whoever asks next."""
    ids = await ada_and_ben_with_history(core)
    ada = await member_of(core, ADA)
    async with core.db.transaction() as db:
        sent = await db.scalars(select(OutboxMessage).where(OutboxMessage.member_id == ada.id))
        for row in sent:
            row.status = "sent"  # as if the dispatcher had delivered the invitation
    assert await count(core, OutboxMessage, OutboxMessage.member_id == ada.id) > 0

    reply = flat(reply_text(await core.run_text(ADA, "s4b", "forget-me confirm")))

    assert await count(core, Account, Account.id == ada.id) == 0
    assert await count(core, Account, Account.user_id == ADA.user_id) == 0
    assert await count(core, Account, Account.display_name == ADA.display_name) == 0
    assert await count(core, OutboxMessage, OutboxMessage.member_id == ada.id) == 0
    async with core.db.transaction() as db:
        idea = await db.get(Idea, ids["ada_idea"])
        assert idea is not None and idea.member_id is None
    assert "What stays: your 1 idea, 1 vote and 1 report, without your name" in reply
    assert "nothing else" in reply.lower()
    data = await my_data(core, ADA)  # a new, empty account: the bot starts afresh
    assert [a["first_seen"] for a in data["accounts"]] != [None]
    assert data["messages"] == data["registrations"] == data["ideas"] == data["votes"] == []


async def test_after_forget_me_reports_are_said_to_stay_and_no_author_is_said_told(
    core: Core,
) -> None:
    await core.run_text(ADA, "s4b", "idea Libraries as belonging hubs")
    await core.run_text(ADA, "s4b", "report 1 A report Ada made")
    reply = flat(reply_text(await core.run_text(ADA, "s4b", "forget-me confirm")))
    assert "What stays: your 1 idea and 1 report, without your name" in reply
    moved = flat(reply_text(await core.run_text(JO, "s4b-admin", "idea 1 done")))
    assert moved == "Idea #1 is now done. Its author asked to be forgotten, so nobody is told."


async def test_forgetting_a_newcomer_names_no_empty_counts(core: Core) -> None:
    text = flat(reply_text(await core.run_text(BEN, "s4b", "forget-me confirm")))
    assert "I have forgotten you. I deleted the messages I sent you" in text
    assert "Nothing else is kept." in text
    assert not re.search(r"\b0 \w", text), text  # no "0 registrations", "0 ideas"
