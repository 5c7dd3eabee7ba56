"""A member's own data: `/s4b my-data` hands all of it over, `/s4b forget-me` erases it, and
`apply_retention` blanks form answers a while after their series ends, so personal data
is kept no longer than the programme needs it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from s4b_bot.context import Context
from s4b_bot.conversation.message_reports import authored_data, forget_authored, prune_unreported
from s4b_bot.errors import Forbidden
from s4b_bot.feedback import results as feedback_results
from s4b_bot.outbox import registry, unreachable
from s4b_bot.output import Attachment, Button, Card, Message, Outcome, Text
from s4b_bot.people.accounts import accounts_of
from s4b_bot.registration import offers
from s4b_bot.registration.waitlist import lock_session, promote
from s4b_bot.routing.actions import action_id
from s4b_bot.routing.route import Args
from s4b_bot.settings import Settings
from s4b_bot.words import one_of, plural
from storage.models import (
    Account,
    CalendarCopy,
    Community,
    Idea,
    LinkCode,
    OutboxMessage,
    ProgrammeSession,
    Registration,
    Report,
    Vote,
)

DATA_FILE = "my-s4b-data.json"
FORGET = "forget"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _session(session: ProgrammeSession | None) -> dict[str, Any] | None:
    if session is None:
        return None
    return {
        "id": session.id,
        "season": session.season,
        "title": session.title,
        "starts_at": _when(session.starts_at),
    }


async def member_data(db: AsyncSession, person: Account, *, now: datetime) -> dict[str, Any]:
    """Everything stored about one person (all their linked accounts), and nothing else."""
    accounts = await accounts_of(db, person)
    ids = [a.id for a in accounts]
    communities = {
        c.id: c
        for c in (
            await db.scalars(
                select(Community).where(Community.id.in_({a.community_id for a in accounts}))
            )
        ).all()
    }
    registrations = (
        await db.scalars(
            select(Registration)
            .options(selectinload(Registration.session))
            .where(Registration.member_id.in_(ids))
            .order_by(Registration.created_at, Registration.id)
        )
    ).all()
    ideas = (await db.scalars(select(Idea).where(Idea.member_id.in_(ids)).order_by(Idea.id))).all()
    idea_sessions = {
        s.id: s
        for s in (
            await db.scalars(
                select(ProgrammeSession).where(
                    ProgrammeSession.id.in_({i.session_id for i in ideas if i.session_id})
                )
            )
        ).all()
    }
    votes = (await db.scalars(select(Vote).where(Vote.member_id.in_(ids)).order_by(Vote.id))).all()
    reports = (
        await db.scalars(select(Report).where(Report.reporter_id.in_(ids)).order_by(Report.id))
    ).all()
    codes = (
        await db.scalars(
            select(LinkCode).where(LinkCode.member_id.in_(ids), LinkCode.expires_at > now)
        )
    ).all()
    copies = (
        await db.scalars(
            select(CalendarCopy)
            .options(selectinload(CalendarCopy.session))
            .where(CalendarCopy.member_id.in_(ids))
        )
    ).all()
    messages = (
        await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.member_id.in_(ids))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
    ).all()
    return {
        "generated_at": _when(now),
        "note": (
            "Everything the S4B bot stores about you. `/s4b forget-me` erases it; your ideas "
            "and votes then stay, without your name."
        ),
        "accounts": [
            {
                "platform": communities[a.community_id].platform,
                "community": communities[a.community_id].external_id,
                "user_id": a.user_id,
                "display_name": a.display_name,
                "primary": a.id == person.id,
                "time_zone": a.timezone,
                "reminders_enabled": a.reminders_enabled,
                "reminder_offsets": a.reminder_offsets,
                "has_calendar_feed": a.feed_token is not None,
                "messages_come_here": a.prefers_dm_here,
                "first_seen": _when(a.created_at),
            }
            for a in accounts
        ],
        "registrations": [
            {
                "session": _session(r.session),
                "status": r.status,
                "attended": r.attended,
                "name": r.name,
                "about": r.about,
                "organization": r.organization,
                "email": r.email,
                "consent": r.consent,
                "registered_at": _when(r.created_at),
            }
            for r in registrations
        ],
        "ideas": [
            {
                "number": i.id,
                "text": i.text,
                "status": i.status,
                "session": _session(idea_sessions.get(i.session_id or 0)),
                "submitted_at": _when(i.created_at),
            }
            for i in ideas
        ],
        "votes": [
            {"idea": v.idea_id, "value": v.value, "voted_at": _when(v.created_at)} for v in votes
        ],
        "reports": [
            {
                "target": r.target,
                "reason": r.reason,
                "status": r.status,
                "reported_at": _when(r.created_at),
            }
            for r in reports
        ],
        "reported_messages": await authored_data(db, list(accounts)),  # never who or why
        "waitlist_offers": await offers.data_of(db, ids),
        "feedback": await feedback_results.member_answers(db, ids),
        "link_codes": [{"expires_at": _when(c.expires_at)} for c in codes],
        "calendar_files": [
            {
                "session": _session(c.session),
                "sequence": c.sequence,
                "attendee": c.attendee,
                "last_sent_at": _when(c.updated_at),
            }
            for c in copies
        ],
        "messages": [
            {
                "kind": m.kind,
                "status": m.status,
                "due_at": _when(m.due_at),
                "sent_at": _when(m.sent_at),
            }
            for m in messages
        ],
    }


async def my_data(ctx: Context, args: Args) -> Outcome:
    """`/s4b my-data`: everything stored about the member, as a JSON file only they see."""
    data = await member_data(ctx.db, ctx.person, now=ctx.now)
    content = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    counts = one_of(
        [
            plural(len(data[key]), noun)
            for key, noun in (
                ("accounts", "account"),
                ("registrations", "registration"),
                ("ideas", "idea"),
                ("votes", "vote"),
                ("reports", "report"),
            )
        ]
        + ([plural(len(data["feedback"]), "feedback answer")] if data["feedback"] else [])
        + ([plural(len(mine), "reported message")] if (mine := data["reported_messages"]) else []),
        conjunction="and",
    )
    return Outcome(
        reply=Message(
            text=(
                Text.of(f"Here is everything I store about you (only you see this): {counts}."),
                Text.of("`/s4b forget-me` erases it."),
            ),
            attachments=(Attachment(DATA_FILE, content, "application/json"),),
        )
    )


async def forget_me(ctx: Context, args: Args) -> Outcome:
    """`/s4b forget-me [confirm]`: ask first (a button), or erase at once with `confirm`."""
    if args.get("confirm") == "confirm":
        return await _forget(ctx)
    return Outcome(
        reply=Message(
            text=(Text.of("Do you want me to forget you? This cannot be undone."),),
            cards=(
                Card(
                    title="Forget me",
                    body=(
                        Text.of(
                            "I delete your registrations (you lose your seats in upcoming "
                            "sessions and your reminders stop), your feedback, your time zone, "
                            "reminder settings and calendar feed, and unlink your accounts. "
                            "Your ideas and votes stay, without your name, so the counts stay "
                            "right."
                        ),
                        Text.of("You can also type `/s4b forget-me confirm`."),
                    ),
                    buttons=(Button("Yes, forget me", action_id(FORGET, ctx.person.id), "danger"),),
                ),
            ),
        )
    )


async def confirm_forget(ctx: Context, member_id: int) -> Outcome:
    """The "Yes, forget me" button (`s4b:forget:<member id>`): only for its own member."""
    accounts = await accounts_of(ctx.db, ctx.person)
    if member_id not in {a.id for a in accounts}:
        raise Forbidden(
            "That button was for someone else, so nothing changed. "
            "`/s4b forget-me` asks about your own data."
        )
    return await _forget(ctx)


async def forget(
    db: AsyncSession, person: Account, *, now: datetime, settings: Settings
) -> dict[str, int]:
    """Erase a person on every linked account; ideas and votes stay, anonymous. Counts."""
    accounts = await accounts_of(db, person)
    ids = [a.id for a in accounts]
    registrations = (
        await db.scalars(select(Registration).where(Registration.member_id.in_(ids)))
    ).all()
    held = await offers.forget(db, ids, now=now)  # their offers stay nameless, for the counts
    freed = sorted({r.session_id for r in registrations if r.status == "confirmed"} | set(held))
    for session_id in freed:  # in id order: two transactions never wait on each other
        await lock_session(db, session_id)
    for registration in registrations:
        await db.delete(registration)
    await db.flush()
    await unreachable.plan_leaving(db, accounts, now=now)  # out of the session threads
    # Messages planned, sent or failed name the member and the sessions they joined: gone
    # too, so my-data and the delivery log keep no history of them.
    await registry.erase(db, ids)
    ideas = await _anonymise(db, Idea, Idea.member_id, ids)
    votes = await _anonymise(db, Vote, Vote.member_id, ids)
    reports = await _anonymise(db, Report, Report.reporter_id, ids)
    await forget_authored(db, list(accounts))  # their reported thread messages' text
    await db.execute(delete(LinkCode).where(LinkCode.member_id.in_(ids)))
    feedback = await feedback_results.erase(db, ids)
    await db.execute(delete(CalendarCopy).where(CalendarCopy.member_id.in_(ids)))
    # The accounts themselves (display name, platform user id, settings, feed token): a
    # later command starts afresh with a new, empty account.
    for account in accounts:
        account.person_id = None
    await db.flush()
    for account in accounts:
        await db.delete(account)
    await db.flush()
    for session_id in freed:
        session = await lock_session(db, session_id)
        if session is not None:
            await promote(db, session, now=now, settings=settings)
    return {
        "registrations": len(registrations),
        "ideas": ideas,
        "votes": votes,
        "reports": reports,
        "accounts": len(accounts),
        "feedback": feedback,
    }


async def _anonymise(db: AsyncSession, model: Any, column: Any, ids: list[int]) -> int:
    result = await db.execute(
        update(model)
        .where(column.in_(ids))
        .values({column.key: None})
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _stays(done: dict[str, int]) -> str:
    """What forget-me keeps: "your 1 idea and 2 votes, without your name", or nothing."""
    kept = [
        plural(done[key], noun)
        for key, noun in (("ideas", "idea"), ("votes", "vote"), ("reports", "report"))
        if done.get(key)
    ]
    if not kept:
        return "Nothing else is kept."
    listed = ", ".join(kept[:-1]) + " and " + kept[-1] if len(kept) > 1 else kept[0]
    return (
        f"What stays: your {listed}, without your name, so the counts stay right. "
        "Nothing else is kept."
    )


async def _forget(ctx: Context) -> Outcome:
    done = await forget(ctx.db, ctx.person, now=ctx.now, settings=ctx.settings)
    linked = done["accounts"] - 1
    unlinked = f" I also unlinked and erased {plural(linked, 'linked account')}." if linked else ""
    registrations = done["registrations"]
    answers = (
        f"{plural(registrations, 'registration')} with the answers you gave, "
        if registrations
        else ""
    )
    return Outcome(
        reply=Message.plain(
            f"Done: I have forgotten you. I deleted {answers}"
            + ("your feedback on sessions, " if done["feedback"] else "")
            + "the messages I sent you, your name "
            f"and user id, your time zone, reminder settings and calendar feed.{unlinked}",
            f"{_stays(done)} If you added sessions to your calendar, remove them there; "
            "if you use the bot again, it starts afresh.",
        )
    )


async def apply_retention(db: AsyncSession, *, now: datetime, days: int) -> int:
    """Blank the form answers of every series whose last session ended over `days` ago,
    keeping the registrations (for counts); returns how many were cleared."""
    cutoff = now - timedelta(days=days)
    finished = (
        select(ProgrammeSession.series_id)
        .group_by(ProgrammeSession.series_id)
        .having(func.max(ProgrammeSession.ends_at) < cutoff)
    )
    sessions = select(ProgrammeSession.id).where(ProgrammeSession.series_id.in_(finished))
    await offers.anonymise(db, sessions)
    await feedback_results.retain(db, sessions)
    await db.execute(
        update(CalendarCopy)
        .where(CalendarCopy.session_id.in_(sessions), CalendarCopy.attendee.is_not(None))
        .values(attendee=None)
        .execution_options(synchronize_session=False)
    )
    await prune_unreported(db, now=now)  # thread messages pointed at, never reported
    result = await db.execute(
        update(Registration)
        .where(
            Registration.session_id.in_(sessions),
            or_(
                Registration.name != "",
                Registration.about != "",
                Registration.organization.is_not(None),
                Registration.email.is_not(None),
            ),
        )
        .values(name="", about="", organization=None, email=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
