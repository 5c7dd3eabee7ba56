"""Acting on a reported message as an outbox row: delete it, or slow its thread down, on the
one platform where it is; the organizers' channel hears what could not be done, and how to
do it by hand. Each outcome lands in the audit log."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.conversation import audit
from s4b_bot.errors import PermanentFailure
from s4b_bot.outbox.kinds import Draft, MessageAct, Rendering, Withdraw, channel_post, ts
from s4b_bot.output import Message
from s4b_bot.ports import Platform, ThreadModeration
from s4b_bot.words import plural, target_words
from storage import outbox
from storage.db import Database
from storage.models import Report
from storage.thread_models import ThreadMessage

_log = logging.getLogger(__name__)

ORGANIZERS = "organizers"
MAX_SLOW = 21600
"""Discord's longest slow mode: six hours."""
MSG_CANNOT = "this platform cannot act on members' messages; do it by hand in the thread."


async def message_ref(db: AsyncSession, row: ThreadMessage, *, beside: int | None = None) -> str:
    """How a reported message is named everywhere (the queue, the audit log, replies and
    alerts): by its first report's number and the post whose discussion it is in, as
    "the message of report:3 in the discussion of idea:1" (`target_words` adds the #);
    "a message in …" `beside` that first report itself."""
    first = await db.scalar(select(func.min(Report.id)).where(Report.target == f"message:{row.id}"))
    of = f"the message of report:{first}" if first not in (None, beside) else "a message"
    return f"{of} in the discussion of {row.thread_key}"


def every(seconds: int) -> str:
    """A slow-mode interval in words: `30 seconds`, `10 minutes`, `6 hours`."""
    if seconds % 60:
        return plural(seconds, "second")
    if seconds % 3600:
        return plural(seconds // 60, "minute")
    return plural(seconds // 3600, "hour")


async def _render(r: Rendering) -> Draft:
    row = await r.db.get(ThreadMessage, int(r.row.payload["message"]))
    if row is None:
        raise Withdraw("the reported message is forgotten")
    action: Literal["delete", "slow"] = "slow" if r.row.payload["action"] == "slow" else "delete"
    seconds = int(r.row.payload.get("seconds") or 0)
    thread = f"the discussion of {target_words(row.thread_key)}"
    ref = await message_ref(r.db, row)
    named = target_words(ref)
    link = f" ({row.link})" if row.link else ""
    done = None
    if action == "delete" and r.row.payload.get("takedown"):
        done = Message.plain(
            f"{named[0].upper()}{named[1:]} was taken down (deleted): "
            f"{r.row.payload.get('reason') or 'reported'}. It waits for your review in "
            "`/s4b-admin queue`, where its text is kept for you."
        )
    if done is not None:
        failed = (
            f"{named[0].upper()}{named[1:]}{link} was "
            f"{r.row.payload.get('reason') or 'reported'}, so it is to be taken down pending "
            "your review, but I could not delete it; it is still up."
        )
    elif action == "delete":
        failed = f"I could not delete {named}{link}:"
    elif seconds:
        failed = f"I could not slow down {thread} to one message per {every(seconds)}:"
    else:
        failed = f"I could not turn slow mode off in {thread}:"
    act = MessageAct(
        action,
        row.channel,
        row.message_id,
        message=row.id,
        seconds=seconds,
        done=done,
        failed=failed,
        audit_target=f"the discussion of {row.thread_key}" if action == "slow" else ref,
    )
    return Draft(Message(), channel=ORGANIZERS, act=act)


def _key(*, message: int, action: str, now: datetime) -> str:
    return f"message_action:{message}:{action}:{ts(now)}"


# About one message on one platform, not a session: nothing withdraws it.
MESSAGE_ACTION = channel_post("message_action", "action on a reported message", _key, _render, ())
KINDS = (MESSAGE_ACTION,)


async def plan_message_action(
    db: AsyncSession,
    row: ThreadMessage,
    *,
    action: str,
    now: datetime,
    seconds: int = 0,
    reason: str = "",
    takedown: bool = False,
) -> None:
    """Delete the message, or slow its thread, on its own platform and community."""
    await outbox.plan(
        db,
        dedupe_key=MESSAGE_ACTION.key(
            message=row.id, action="takedown" if takedown else action, now=now
        ),
        kind=MESSAGE_ACTION.name,
        due_at=now,
        now=now,
        platform=row.platform,
        community_id=row.community_id,
        payload={
            "message": row.id,
            "action": action,
            "seconds": seconds,
            "reason": reason,
            "takedown": takedown,
        },
    )


async def carry_out(
    platform: Platform, community: str, act: MessageAct, db: Database, now: datetime
) -> None:
    """Do it; tell the organizers what could not be done (the platform says how to do it
    by hand) and raise PermanentFailure so `/s4b-admin deliveries` shows it too."""
    what = "message deleted" if act.action == "delete" else "thread slowed"
    try:
        if not isinstance(platform, ThreadModeration):
            raise PermanentFailure(MSG_CANNOT)
        if act.action == "delete":
            if not await platform.delete_message(community, act.channel, act.message_id):
                what = "message already gone"  # taken down before, or deleted by hand
        else:
            await platform.slow_thread(community, act.channel, act.seconds)
    except PermanentFailure as exc:
        still_up = act.message if act.action == "delete" else None
        await _record(
            db, platform.name, f"{what}: failed", act.audit_target, str(exc), now, still_up
        )
        await _tell(platform, community, Message.plain(f"{act.failed} {exc}"))
        raise
    await _record(db, platform.name, what, act.audit_target, None, now)
    if act.done is not None:
        await _tell(platform, community, act.done)


async def _tell(platform: Platform, community: str, message: Message) -> None:
    try:
        await platform.post(community, ORGANIZERS, message)
    except Exception as exc:  # the failure is recorded on the row all the same
        _log.warning("cannot tell the organizers' channel: %s", type(exc).__name__)


async def _record(
    db: Database,
    platform: str,
    action: str,
    target: str,
    why: str | None,
    now: datetime,
    still_up: int | None = None,
) -> None:
    """The audit entry; with `still_up`, that message's record says it is still up."""
    async with db.transaction() as session:
        if still_up is not None:
            await session.execute(
                update(ThreadMessage)
                .where(ThreadMessage.id == still_up)
                .values(status="still_up")
                .execution_options(synchronize_session=False)
            )
        audit.automatic(
            session,
            actor="S4B (automatic)",
            platform=platform,
            action=action,
            target=target,
            reason=why,
            now=now,
        )
