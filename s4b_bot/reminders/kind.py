"""The reminder outbox kind: when a member's reminders go out, their rows, and what they say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.calendar.invites import call_card
from s4b_bot.outbox.cache import confirmed_registration, sessions_of
from s4b_bot.outbox.kinds import Change, Draft, Rendering, Withdraw, member_dm, ts
from s4b_bot.output import Message, Text
from s4b_bot.programme.cards import starts
from s4b_bot.reminders.offsets import effective_offsets
from storage import outbox
from storage.models import Account, ProgrammeSession


def reminder_times(
    starts_at: datetime, offsets: Sequence[timedelta], now: datetime
) -> list[tuple[timedelta, datetime]]:
    """When each reminder goes out. Those already past are dropped, except the last one
    (it carries the call link), which goes at once if the session has not started."""
    if starts_at <= now or not offsets:
        return []
    times = [(o, starts_at - o) for o in sorted(offsets, reverse=True)]
    future = [(o, due) for o, due in times if due > now]
    if len(future) < len(times) and not any(o == times[-1][0] for o, _ in future):
        future.append((times[-1][0], now))
    return future


async def _render(r: Rendering) -> Draft:
    assert r.member is not None
    member, session = r.member, (await sessions_of(r))[0]
    if session.status == "cancelled":
        raise Withdraw("session cancelled")
    if ts(session.starts_at) != r.row.payload.get("starts_at"):
        raise Withdraw("session moved")
    if session.starts_at <= r.now:
        raise Withdraw("session already started")
    if not member.reminders_enabled:
        raise Withdraw("reminders off")
    if await confirmed_registration(r.db, member, session) is None:
        raise Withdraw("not registered")
    offset = timedelta(seconds=int(r.row.payload.get("offset", 0)))
    offsets = effective_offsets(member, r.community, r.settings.reminder_offsets)
    if any(o < offset and session.starts_at - o <= r.now for o in offsets):
        # Overdue (the dispatcher was down, or the clock jumped) and a later reminder is
        # due too: send only that one, not two "starts in 1 day" messages.
        raise Withdraw("superseded by a later reminder")
    lead = Text.of(
        f"Reminder: the {session.season} session starts ",
        starts(session, r.now, member.timezone),
        ".",
    )
    return Draft(Message(text=(lead,), cards=(call_card(session, member),)))


def _key(*, session: ProgrammeSession, member: Account, offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    return f"reminder:{session.id}:{member.id}:{seconds}:{ts(session.starts_at)}"


REMINDER = member_dm(
    "reminder",
    "reminder",
    _key,
    _render,
    [
        Change.RESCHEDULE,
        Change.CANCEL,
        Change.UNREGISTER,
        Change.FORGET_ME,
        Change.REMINDER_SETTINGS,
    ],
)


def reminder_rows(
    *,
    session: ProgrammeSession,
    member: Account,
    platform: str,
    offsets: Sequence[timedelta],
    now: datetime,
) -> list[dict[str, Any]]:
    """The outbox rows of one member's reminders for one session (for `outbox.plan_many`)."""
    return [
        {
            "dedupe_key": REMINDER.key(session=session, member=member, offset=offset),
            "kind": REMINDER.name,
            "due_at": due,
            "platform": platform,
            "member_id": member.id,
            "session_id": session.id,
            "payload": {"offset": int(offset.total_seconds()), "starts_at": ts(session.starts_at)},
        }
        for offset, due in reminder_times(session.starts_at, offsets, now)
    ]


async def plan_reminders(
    db: AsyncSession,
    *,
    session: ProgrammeSession,
    member: Account,
    platform: str,
    offsets: Sequence[timedelta],
    now: datetime,
) -> int:
    rows = reminder_rows(
        session=session, member=member, platform=platform, offsets=offsets, now=now
    )
    return await outbox.plan_many(db, rows, now=now)
