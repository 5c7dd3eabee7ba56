"""Rendering the conversation's outbox rows: summary and idea posts (edited in place through
their stored refs), the ideas digest, thread moderation, and the DMs about them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.conversation.ideas import IDEAS, digest_message, idea_message, status_notice
from s4b_bot.conversation.summaries import SUMMARIES, summary_message
from s4b_bot.outbox import planning
from s4b_bot.output import Message
from s4b_bot.ports import ModerationAction
from storage import outbox
from storage.models import Community, Idea, OutboxMessage, ProgrammeSession, Summary

MODERATION_ACTIONS: tuple[ModerationAction, ...] = ("lock", "unlock", "archive", "pin")


async def cached_session(db: AsyncSession, session_id: int) -> ProgrammeSession | None:
    from s4b_bot.outbox.deliveries import cached_session as cached

    return await cached(db, session_id)


class Gone(Exception):
    """What the row is about no longer exists or no longer applies."""


async def community_post(
    db: AsyncSession, row: OutboxMessage, community: Community, now: datetime
) -> dict[str, object]:
    """The Delivery fields of a community-wide row, by kind."""
    assert row.platform is not None
    if row.kind == planning.SUMMARY_POST:
        summary = await db.get(Summary, int(row.payload["summary"]))
        if summary is None:
            raise Gone("summary gone")
        session = await cached_session(db, summary.session_id)
        assert session is not None
        key = f"summary:{summary.id}"
        ref = await outbox.get_ref(db, platform=row.platform, community_id=community.id, key=key)
        return {
            "channel": SUMMARIES,
            "message": summary_message(summary, session),
            "ref": ref,
            "ref_key": key,
            "thread_title": None if ref else f"Discussion: {session.season} session summary",
        }
    if row.kind == planning.IDEA_POST:
        idea = await db.get(Idea, int(row.payload["idea"]))
        if idea is None:
            raise Gone("idea gone")
        key = f"idea:{idea.id}"
        ref = await outbox.get_ref(db, platform=row.platform, community_id=community.id, key=key)
        if ref is None and idea.status in ("hidden", "merged"):
            raise Gone("hidden before it was posted")
        return {
            "channel": IDEAS,
            "message": await idea_message(db, idea),
            "ref": ref,
            "ref_key": key,
            "thread_title": None if ref else f"Idea #{idea.id}: {idea.text[:80]}",
        }
    if row.kind == planning.IDEA_DIGEST:
        session = await cached_session(db, row.session_id or 0)
        if session is None or session.status == "cancelled" or session.starts_at <= now:
            raise Gone("session gone, cancelled or started")
        message = await digest_message(db, session)
        if message is None:
            raise Gone("no open ideas to digest")
        return {"channel": str(row.payload.get("channel", IDEAS)), "message": message}
    if row.kind == planning.MODERATE:
        action = str(row.payload["action"])
        key = str(row.payload["key"])
        ref = await outbox.get_ref(db, platform=row.platform, community_id=community.id, key=key)
        if ref is None:
            raise Gone(f"{key} was never posted on {row.platform}")
        assert action in MODERATION_ACTIONS
        return {
            "channel": str(row.payload["channel"]),
            "message": Message(),
            "ref": ref,
            "moderate": action,
        }
    raise Gone(f"unknown kind {row.kind}")


async def member_message(db: AsyncSession, row: OutboxMessage) -> Message:
    """The DM of a conversation row: a summary notice or an idea's new status."""
    if row.kind == planning.SUMMARY_NOTICE:
        from s4b_bot.outbox.deliveries import cached_reference  # deliveries imports this module

        session = await cached_session(db, int(row.payload["sessions"][0]))
        if session is None:
            raise Gone("session gone")
        return Message.plain(
            f"The summary of the {session.season} session you registered for is posted in the "
            f"summaries channel, with a thread to carry the conversation on. "
            f"`/s4b summary {await cached_reference(db, session)}` shows it here."
        )
    if row.kind == planning.IDEA_STATUS:
        idea = await db.get(Idea, int(row.payload["idea"]))
        if idea is None:
            raise Gone("idea gone")
        reason = row.payload.get("reason")
        return status_notice(idea, str(row.payload["note"]), str(reason) if reason else None)
    raise Gone(f"unknown kind {row.kind}")
