"""A session's channel posts and platform calendar events: "next session", "starting now",
"cancelled", the scheduled event kept in step; their outbox kinds and their planning."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.conversation.ideas import IDEA_DIGEST
from s4b_bot.outbox.cache import cached_reference, cached_session
from s4b_bot.outbox.kinds import (
    MOVED_OR_CANCELLED,
    Change,
    Draft,
    OutboxKind,
    Rendering,
    Withdraw,
    channel_post,
    ts,
)
from s4b_bot.outbox.planning import plan_broadcast
from s4b_bot.output import Card, Message, Text
from s4b_bot.ports import SessionEvent
from s4b_bot.programme.cards import session_card, starts
from s4b_bot.timefmt import format_day
from s4b_bot.words import with_reason
from storage import outbox, queries
from storage.models import Community, ProgrammeSession

ANNOUNCEMENTS = "announcements"
STARTING_GRACE = timedelta(minutes=15)
"""A "starting now" post later than this after the start is dropped, not sent."""
ONLINE = "Online — the call details are sent to registrants"


def session_event(session: ProgrammeSession, now: datetime) -> SessionEvent:
    """The session as a platform calendar shows it: never the call link."""
    status: Literal["scheduled", "cancelled", "held"] = "scheduled"
    if session.status == "cancelled":
        status = "cancelled"
    elif session.status == "held" or session.ends_at <= now:
        status = "held"
    return SessionEvent(
        session_id=session.id,
        title=f"{session.season} Session — {session.title}",
        description=session.description,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        status=status,
        location=ONLINE,
    )


async def _session(r: Rendering) -> ProgrammeSession:
    if r.row.session_id is None:
        raise Withdraw("no community")
    session = await cached_session(r.db, r.row.session_id)
    if session is None:
        raise Withdraw("gone")
    return session


async def _sync(r: Rendering) -> Draft:
    session = await _session(r)
    key = f"session:{session.id}"
    ref = await outbox.get_ref(r.db, platform=r.platform, community_id=r.community.id, key=key)
    return Draft(Message(), sync=session_event(session, r.now), ref=ref, ref_key=key)


async def _cancelled_post(r: Rendering) -> Draft:
    session = await _session(r)
    cancelled = with_reason(
        f"The {session.season} session on {format_day(session.starts_at, session.timezone)}, "
        f"“{session.title}”, is cancelled",
        session.status_note,
    )
    return Draft(Message.plain(f"{cancelled} Registrants have been told."), channel=ANNOUNCEMENTS)


async def _announcement(r: Rendering) -> Draft:
    """ "Next session" some days before, or "starting now" at the start."""
    session, row, now = await _session(r), r.row, r.now
    if session.status == "cancelled":
        raise Withdraw("session cancelled")
    if "starts_at" in row.payload and ts(session.starts_at) != row.payload["starts_at"]:
        raise Withdraw("session moved")
    if row.kind == STARTING.name and now > session.starts_at + STARTING_GRACE:
        raise Withdraw("too late to say it is starting")
    if row.kind == ANNOUNCEMENT.name and now >= session.starts_at:
        raise Withdraw("session already started")
    return Draft(
        await announcement_message(r.db, session, now=now, starting=row.kind == STARTING.name),
        channel=ANNOUNCEMENTS,
        # `/s4b-admin announce` shows an organizer the announcement just posted.
        link_key=outbox.link_key(row.id) if row.kind == ANNOUNCEMENT.name else None,
        # A reschedule or a cancellation edits the post (`session_followups`).
        keep_ref_as=post_key(row.id),
    )


def post_key(row_id: int) -> str:
    """Where the platform's ref of the post outbox row `row_id` made is kept."""
    return f"post:{row_id}"


async def announcement_message(
    db: AsyncSession, session: ProgrammeSession, *, now: datetime, starting: bool = False
) -> Message:
    """The session's announcement as it stands: coming up (with Register), starting now,
    or cancelled (no Register button)."""
    card = session_card(session, now=now, viewer_zone=None, place=None)
    if session.status == "cancelled":
        cancelled = with_reason(f"The {session.season} session is cancelled", session.status_note)
        lead = Text.of(f"{cancelled} Registration is closed.")
    elif starting:
        lead = Text.of("Starting now! Registrants: the call details are in your direct messages.")
        card = Card(title=card.title, body=card.body, fields=card.fields)
    else:
        earlier = [
            other
            for other in await queries.all_sessions(db)
            if other.id != session.id
            and other.status != "cancelled"
            and now < other.starts_at < session.starts_at
        ]
        # An organizer may announce a later session: only the next one is called so.
        lead = Text.of(
            "Coming up: " if earlier else "Next session: ",
            starts(session, now, None),
            " (new time)" if session.status == "rescheduled" else "",
            ". Everyone is welcome: register with the button "
            f"or `/s4b register {await cached_reference(db, session)}`.",
        )
    return Message(text=(lead,), cards=(card,))


def _announce_key(*, session: ProgrammeSession, after: int | None = None) -> str:
    """The planned announcement, or one an organizer asked for `after` the latest row."""
    if after is None:
        return f"announce:{session.id}:{ts(session.starts_at)}"
    return f"announcement:{session.id}:manual:{after}"


def _starting_key(*, session: ProgrammeSession) -> str:
    return f"starting:{session.id}:{ts(session.starts_at)}"


def _cancelled_key(*, session: ProgrammeSession) -> str:
    return f"cancelled_post:{session.id}:{session.sequence}"


def _sync_key(*, session: ProgrammeSession, community: Community | None = None) -> str:
    """Once per version of the session; a late community gets its own row."""
    key = f"session_sync:{session.id}:{session.sequence}:{session.status}"
    return key if community is None else f"{key}@{community.id}"


ANNOUNCEMENT = channel_post(
    "announcement", "announcement", _announce_key, _announcement, MOVED_OR_CANCELLED
)
STARTING = channel_post(
    "starting", "“starting now” post", _starting_key, _announcement, MOVED_OR_CANCELLED
)
SESSION_CANCELLED_POST = channel_post(
    "cancelled_post", "cancellation post", _cancelled_key, _cancelled_post, [Change.CANCEL]
)
SESSION_SYNC = channel_post(
    "session_sync", "platform calendar event", _sync_key, _sync, MOVED_OR_CANCELLED
)
KINDS = (ANNOUNCEMENT, STARTING, SESSION_CANCELLED_POST, SESSION_SYNC)


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
    plans: list[tuple[OutboxKind[...], datetime, str, str | None]] = [
        (STARTING, session.starts_at, STARTING.key(session=session), None)
    ]
    if days_before > 0:
        due = session.starts_at - timedelta(days=days_before)
        plans.append((ANNOUNCEMENT, due, ANNOUNCEMENT.key(session=session), None))
    if digest_days_before > 0:
        due = session.starts_at - timedelta(days=digest_days_before)
        for target in ("ideas", "organizers"):
            key = IDEA_DIGEST.key(session=session, channel=target)
            plans.append((IDEA_DIGEST, due, key, target))
    for kind, due, key, channel in plans:
        if due > now:
            payload: dict[str, Any] = {"starts_at": ts(session.starts_at)}
            if channel:
                payload["channel"] = channel
            await plan_broadcast(
                db,
                kind,
                dedupe_key=key,
                due_at=due,
                now=now,
                session_id=session.id,
                payload=payload,
            )


async def plan_session_sync(db: AsyncSession, session: ProgrammeSession, *, now: datetime) -> None:
    """Bring every community's platform calendar (Discord scheduled events) in step."""
    if session.ends_at <= now and session.status != "cancelled":
        return
    await plan_broadcast(
        db,
        SESSION_SYNC,
        dedupe_key=SESSION_SYNC.key(session=session),
        due_at=now,
        now=now,
        session_id=session.id,
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
                dedupe_key=SESSION_SYNC.key(session=session, community=community),
                kind=SESSION_SYNC.name,
                due_at=now,
                now=now,
                platform=community.platform,
                community_id=community.id,
                session_id=session.id,
                payload={},
            )
    return planned


async def announce_now(
    db: AsyncSession, session: ProgrammeSession, *, after: int, now: datetime
) -> bool:
    """An announcement an organizer asked for, due now; `after` is the latest one's row id,
    so two organizers asking at once plan one."""
    key = ANNOUNCEMENT.key(session=session, after=after)
    return await plan_broadcast(
        db, ANNOUNCEMENT, dedupe_key=key, due_at=now, now=now, session_id=session.id
    )


async def announce_cancelled(db: AsyncSession, session: ProgrammeSession, *, now: datetime) -> bool:
    """Tell every community's channel the session is cancelled."""
    key = SESSION_CANCELLED_POST.key(session=session)
    return await plan_broadcast(
        db, SESSION_CANCELLED_POST, dedupe_key=key, due_at=now, now=now, session_id=session.id
    )
