"""Planning what the bot sends later: every message is an outbox row, planned in the same
transaction as the change that causes it, with a dedupe key so planning twice is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.reminders.offsets import effective_offsets
from storage import outbox, queries
from storage.models import Account, Community, ProgrammeSession, Registration

REMINDER = "reminder"
INVITATION = "invitation"
UPDATE = "update"
CANCELLATION = "cancellation"
PROMOTED = "promoted"
ANNOUNCEMENT = "announcement"
STARTING = "starting"
SESSION_CANCELLED_POST = "cancelled_post"
SESSION_SYNC = "session_sync"
SUMMARY_POST = "summary_post"
SUMMARY_NOTICE = "summary_notice"
IDEA_POST = "idea_post"
IDEA_STATUS = "idea_status"
IDEA_DIGEST = "idea_digest"
MODERATE = "moderate"
WAITLIST_NOTICE = "waitlist_notice"
MEMBER_KINDS = (
    REMINDER,
    INVITATION,
    UPDATE,
    CANCELLATION,
    PROMOTED,
    SUMMARY_NOTICE,
    IDEA_STATUS,
    WAITLIST_NOTICE,
)
CALENDAR_KINDS = (INVITATION, UPDATE, PROMOTED, CANCELLATION)
"""DMs with a calendar file: planning one advances the member's copy of its sessions."""
CALL_CHANGED = "call"
"""An UPDATE's `change` when the call details changed (else the session moved)."""
POST_KINDS = (ANNOUNCEMENT, STARTING, SESSION_CANCELLED_POST)
"""Posts about one session, withdrawn with it."""
COMMUNITY_KINDS = (*POST_KINDS, SESSION_SYNC, SUMMARY_POST, IDEA_POST, IDEA_DIGEST, MODERATE)


def _ts(when: datetime) -> int:
    return int(when.timestamp())


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


async def plan_reminders(
    db: AsyncSession,
    *,
    session: ProgrammeSession,
    member: Account,
    platform: str,
    offsets: Sequence[timedelta],
    now: datetime,
) -> int:
    return await outbox.plan_many(
        db,
        reminder_rows(session=session, member=member, platform=platform, offsets=offsets, now=now),
        now=now,
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
    rows = []
    for offset, due in reminder_times(session.starts_at, offsets, now):
        seconds = int(offset.total_seconds())
        key = f"reminder:{session.id}:{member.id}:{seconds}:{_ts(session.starts_at)}"
        rows.append(
            {
                "dedupe_key": key,
                "kind": REMINDER,
                "due_at": due,
                "platform": platform,
                "member_id": member.id,
                "session_id": session.id,
                "payload": {"offset": seconds, "starts_at": _ts(session.starts_at)},
            }
        )
    return rows


def member_message_row(
    *,
    kind: str,
    member: Account,
    platform: str,
    sessions: Sequence[ProgrammeSession],
    now: datetime,
    key: str,
    extra: dict[str, object] | None = None,
) -> dict[str, Any]:
    """A DM to one member about one or more sessions, due now (for `outbox.plan_many`)."""
    return {
        "dedupe_key": f"{kind}:{member.id}:{key}",
        "kind": kind,
        "due_at": now,
        "platform": platform,
        "member_id": member.id,
        "session_id": sessions[0].id if len(sessions) == 1 else None,
        "payload": {"sessions": [s.id for s in sessions], **(extra or {})},
    }


async def plan_seat_messages(
    db: AsyncSession,
    *,
    kind: str,
    member: Account,
    community: Community,
    session: ProgrammeSession,
    now: datetime,
    key: str,
    default_offsets: str,
) -> int:
    """A member who holds a seat at a new time or a new seat: the invitation DM of `kind`
    (an update, a promotion) and their reminders, in one insert."""
    offsets = effective_offsets(member, community, default_offsets)
    await advance_copies(db, kind=kind, member=member, sessions=[session], now=now)
    rows = [
        member_message_row(
            kind=kind,
            member=member,
            platform=community.platform,
            sessions=[session],
            now=now,
            key=key,
        ),
        *reminder_rows(
            session=session,
            member=member,
            platform=community.platform,
            offsets=offsets,
            now=now,
        ),
    ]
    return await outbox.plan_many(db, rows, now=now)


async def advance_copies(
    db: AsyncSession,
    *,
    kind: str,
    member: Account,
    sessions: Sequence[ProgrammeSession],
    now: datetime,
) -> None:
    """Before planning a DM of `kind`: if it carries calendar files, the member's copy of
    each session moves on (the SEQUENCE the files will carry)."""
    if kind in CALENDAR_KINDS:
        for session in sessions:
            await queries.advance_calendar_copy(
                db, member_id=member.id, programme_session=session, now=now
            )


async def plan_member_message(
    db: AsyncSession,
    *,
    kind: str,
    member: Account,
    platform: str,
    sessions: Sequence[ProgrammeSession],
    now: datetime,
    key: str,
    extra: dict[str, object] | None = None,
) -> bool:
    """A DM to one member about one or more sessions, due now."""
    await advance_copies(db, kind=kind, member=member, sessions=sessions, now=now)
    row = member_message_row(
        kind=kind,
        member=member,
        platform=platform,
        sessions=sessions,
        now=now,
        key=key,
        extra=extra,
    )
    return await outbox.plan_many(db, [row], now=now) == 1


async def plan_announcements(
    db: AsyncSession,
    session: ProgrammeSession,
    *,
    now: datetime,
    days_before: int,
    digest_days_before: int = 7,
) -> None:
    """The channel posts for a session: "next session" N days before, "starting now", and
    the digest of top ideas for the organizers and the ideas channel before it."""
    if session.status == "cancelled":
        return
    starts = _ts(session.starts_at)
    plans: list[tuple[str, datetime, str, str | None]] = [
        (STARTING, session.starts_at, f"starting:{session.id}:{starts}", None)
    ]
    if days_before > 0:
        due = session.starts_at - timedelta(days=days_before)
        plans.append((ANNOUNCEMENT, due, f"announce:{session.id}:{starts}", None))
    if digest_days_before > 0:
        due = session.starts_at - timedelta(days=digest_days_before)
        for target in ("ideas", "organizers"):
            plans.append((IDEA_DIGEST, due, f"digest:{session.id}:{starts}:{target}", target))
    for kind, due, key, channel in plans:
        if due > now:
            payload: dict[str, Any] = {"starts_at": starts}
            if channel:
                payload["channel"] = channel
            await outbox.plan(
                db,
                dedupe_key=key,
                kind=kind,
                due_at=due,
                now=now,
                platform=None,
                session_id=session.id,
                payload=payload,
            )


async def plan_moderation(
    db: AsyncSession, *, key: str, channel: str, action: str, now: datetime
) -> None:
    """Lock, unlock, archive or pin the post known as `key` on every platform."""
    await outbox.plan(
        db,
        dedupe_key=f"{MODERATE}:{key}:{action}:{_ts(now)}",
        kind=MODERATE,
        due_at=now,
        now=now,
        platform=None,
        payload={"key": key, "channel": channel, "action": action},
    )


async def plan_broadcast(
    db: AsyncSession, session: ProgrammeSession, *, kind: str, now: datetime, key: str
) -> bool:
    """A channel post to every community, due now."""
    return await outbox.plan(
        db,
        dedupe_key=f"{kind}:{session.id}:{key}",
        kind=kind,
        due_at=now,
        now=now,
        platform=None,
        session_id=session.id,
        payload={},
    )


async def plan_session_sync(db: AsyncSession, session: ProgrammeSession, *, now: datetime) -> None:
    """Bring every community's platform calendar (Discord scheduled events) in step."""
    if session.ends_at <= now and session.status != "cancelled":
        return
    await outbox.plan(
        db,
        dedupe_key=f"{SESSION_SYNC}:{session.id}:{session.sequence}:{session.status}",
        kind=SESSION_SYNC,
        due_at=now,
        now=now,
        platform=None,
        session_id=session.id,
        payload={},
    )


async def plan_syncs_for_community(
    db: AsyncSession, community: Community, sessions: Sequence[ProgrammeSession], *, now: datetime
) -> int:
    """A community that joined late (a new Discord guild) gets every upcoming session."""
    planned = 0
    for session in sessions:
        if session.ends_at > now and session.status != "cancelled":
            planned += await outbox.plan(
                db,
                dedupe_key=f"{SESSION_SYNC}:{session.id}:{session.sequence}:{session.status}@{community.id}",
                kind=SESSION_SYNC,
                due_at=now,
                now=now,
                platform=community.platform,
                community_id=community.id,
                session_id=session.id,
                payload={},
            )
    return planned


async def confirmed_registrants(
    db: AsyncSession, session_id: int
) -> Sequence[tuple[Account, Community]]:
    return await _registrants(db, session_id, "confirmed")


async def waitlisted_members(
    db: AsyncSession, session_id: int
) -> Sequence[tuple[Account, Community]]:
    return await _registrants(db, session_id, "waitlisted")


async def _registrants(
    db: AsyncSession, session_id: int, status: str
) -> Sequence[tuple[Account, Community]]:
    rows = await db.execute(
        select(Account, Community)
        .join(Registration, Registration.member_id == Account.id)
        .join(Community, Community.id == Account.community_id)
        .where(Registration.session_id == session_id, Registration.status == status)
        .order_by(Account.id)
    )
    return [(m, c) for m, c in rows]


async def plan_waitlist_notices(
    db: AsyncSession, session: ProgrammeSession, *, change: str, now: datetime
) -> int:
    """Tell the session's waitlist that it moved or is cancelled (`change`); they have no
    invitation to update. Returns how many are told."""
    waiting = await waitlisted_members(db, session.id)
    rows = [
        member_message_row(
            kind=WAITLIST_NOTICE,
            member=member,
            platform=community.platform,
            sessions=[session],
            now=now,
            key=f"{session.id}:{session.sequence}",
            extra={"change": change, "reason": session.status_note},
        )
        for member, community in waiting
    ]
    await outbox.plan_many(db, rows, now=now)
    return len(waiting)


async def replan_member_reminders(
    db: AsyncSession, member: Account, community: Community, now: datetime, default: str
) -> int:
    """After a member changes their reminder settings: withdraw and plan again."""
    await outbox.withdraw(db, kinds=[REMINDER], member_id=member.id)
    offsets = effective_offsets(member, community, default)
    sessions = await db.scalars(
        select(ProgrammeSession)
        .join(Registration, Registration.session_id == ProgrammeSession.id)
        .where(
            Registration.member_id == member.id,
            Registration.status == "confirmed",
            ProgrammeSession.status != "cancelled",
            ProgrammeSession.starts_at > now,
        )
    )
    planned = 0
    for session in sessions:
        planned += await plan_reminders(
            db,
            session=session,
            member=member,
            platform=community.platform,
            offsets=offsets,
            now=now,
        )
    return planned
