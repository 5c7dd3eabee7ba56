"""Announcements that follow the session: when it moves or is cancelled, each announcement
already posted is edited to show it as it now stands, and the channel gets a short notice;
their outbox kinds and planning.

Moved twice before the dispatcher ran, a session gets one edit of each post and one notice,
with the latest time: the channel saw none of the times between (a later change withdraws
the rows of the earlier one), and moved back to the time the channel was told, it gets no
notice at all. A move after the channel was told gets its own notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox.cache import cached_session
from s4b_bot.outbox.kinds import MOVED_OR_CANCELLED, Draft, Rendering, Withdraw, channel_post, ts
from s4b_bot.outbox.planning import plan_broadcast
from s4b_bot.outbox.session_posts import (
    ANNOUNCEMENT,
    ANNOUNCEMENTS,
    STARTING,
    announcement_message,
    post_key,
)
from s4b_bot.output import Message, Moment, Text
from storage import outbox
from storage.models import OutboxMessage, ProgrammeSession


async def _session(r: Rendering) -> ProgrammeSession:
    session = None if r.row.session_id is None else await cached_session(r.db, r.row.session_id)
    if session is None:
        raise Withdraw("gone")
    return session


async def _update(r: Rendering) -> Draft:
    """The announcement drawn again from the session as it is now, edited in place."""
    session = await _session(r)
    key = post_key(int(r.row.payload["post"]))
    ref = await outbox.get_ref(r.db, platform=r.platform, community_id=r.community.id, key=key)
    if ref is None:
        raise Withdraw("the platform gave no id to edit the post by")
    message = await announcement_message(r.db, session, now=r.now)
    return Draft(message, channel=ANNOUNCEMENTS, ref=ref, ref_key=key)


async def _moved(r: Rendering) -> Draft:
    session = await _session(r)
    if session.status == "cancelled":
        raise Withdraw("session cancelled")
    if ts(session.starts_at) != r.row.payload.get("starts_at"):
        raise Withdraw("session moved again")
    when = Moment(start=session.starts_at, end=session.ends_at, zone=session.timezone)
    lead = Text.of(
        f"The {session.season} session, “{session.title}”, moved to ",
        when,
        ". Registrants have been told.",
    )
    return Draft(Message(text=(lead,)), channel=ANNOUNCEMENTS)


def _update_key(*, post: OutboxMessage, session: ProgrammeSession) -> str:
    """One edit of a post per version of the session."""
    return f"announcement_update:{post.id}:{session.sequence}"


def _moved_key(*, session: ProgrammeSession) -> str:
    return f"moved_post:{session.id}:{session.sequence}"


ANNOUNCEMENT_UPDATE = channel_post(
    "announcement_update",
    "announcement brought up to date",
    _update_key,
    _update,
    MOVED_OR_CANCELLED,
)
SESSION_MOVED_POST = channel_post(
    "moved_post", "“session moved” post", _moved_key, _moved, MOVED_OR_CANCELLED
)
KINDS = (ANNOUNCEMENT_UPDATE, SESSION_MOVED_POST)


async def update_announcements(
    db: AsyncSession, session: ProgrammeSession, *, now: datetime
) -> int:
    """Edit every announcement (and "starting now" post) of the session already posted, in
    each community, once the change and its withdrawals are planned. One still to come is
    drawn from the session as it is when it is sent. One a dispatcher had drawn and was
    sending when the change withdrew it goes out as drawn, so it is edited once its lease
    is over (if it never went out, the edit finds nothing to edit and is dropped)."""
    planned = 0
    for kind in (ANNOUNCEMENT, STARTING):
        for post in await outbox.session_posts(db, kind=kind.name, session_id=session.id):
            if post.platform is None or post.community_id is None:
                continue  # the broadcast fanned out to communities
            in_flight = post.status == "withdrawn" and post.leased_by is not None
            if post.status != "sent" and not in_flight:
                continue  # planned, or withdrawn before any dispatcher drew it
            planned += await outbox.plan(
                db,
                dedupe_key=ANNOUNCEMENT_UPDATE.key(post=post, session=session),
                kind=ANNOUNCEMENT_UPDATE.name,
                due_at=now + outbox.LEASE if in_flight else now,
                now=now,
                platform=post.platform,
                community_id=post.community_id,
                session_id=session.id,
                payload={"post": post.id},
            )
    return planned


async def start_told(db: AsyncSession, session: ProgrammeSession) -> int:
    """The start the channel knows, before the session moves: the one a "moved" notice not
    yet sent out moves it from, or else its start now."""
    for row in await outbox.session_posts(db, kind=SESSION_MOVED_POST.name, session_id=session.id):
        if row.status == "pending" and row.platform is None:
            return int(row.payload["from"])
    return ts(session.starts_at)


async def announce_moved(
    db: AsyncSession, session: ProgrammeSession, *, told: int, now: datetime, days_before: int
) -> None:
    """After a move (and its withdrawals): the notice in the channel, unless the session is
    back at the start it was told of (`told`, from `start_told`), and the announcement now if
    the move put its time in the past before it ever went out."""
    await update_announcements(db, session, now=now)
    if ts(session.starts_at) != told:
        await plan_broadcast(
            db,
            SESSION_MOVED_POST,
            dedupe_key=SESSION_MOVED_POST.key(session=session),
            due_at=now,
            now=now,
            session_id=session.id,
            payload={"from": told, "starts_at": ts(session.starts_at)},
        )
    late = days_before > 0 and session.starts_at - timedelta(days=days_before) <= now
    posts = await outbox.session_posts(db, kind=ANNOUNCEMENT.name, session_id=session.id)
    if late and not any(post.status in ("sent", "pending") for post in posts):
        await plan_broadcast(
            db,
            ANNOUNCEMENT,
            dedupe_key=ANNOUNCEMENT.key(session=session),
            due_at=now,
            now=now,
            session_id=session.id,
            payload={"starts_at": ts(session.starts_at)},
        )
