"""Thread moderation as outbox rows: lock, unlock, archive or pin a post on every platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox.kinds import Draft, Rendering, Withdraw, channel_post, ts
from s4b_bot.outbox.planning import plan_broadcast
from s4b_bot.output import Message
from s4b_bot.ports import ModerationAction
from storage import outbox

MODERATION_ACTIONS: tuple[ModerationAction, ...] = ("lock", "unlock", "archive", "pin")


async def _render(r: Rendering) -> Draft:
    action = str(r.row.payload["action"])
    key = str(r.row.payload["key"])
    ref = await outbox.get_ref(r.db, platform=r.platform, community_id=r.community.id, key=key)
    if ref is None:
        raise Withdraw(f"{key} was never posted on {r.platform}")
    assert action in MODERATION_ACTIONS
    moderate = next(a for a in MODERATION_ACTIONS if a == action)
    return Draft(Message(), channel=str(r.row.payload["channel"]), ref=ref, moderate=moderate)


def _key(*, post: str, action: str, now: datetime) -> str:
    return f"moderate:{post}:{action}:{ts(now)}"


# About a post, not a session: nothing withdraws it.
MODERATE = channel_post("moderate", "thread moderation", _key, _render, ())
KINDS = (MODERATE,)


async def plan_moderation(
    db: AsyncSession, *, key: str, channel: str, action: str, now: datetime
) -> None:
    """Lock, unlock, archive or pin the post known as `key` on every platform."""
    await plan_broadcast(
        db,
        MODERATE,
        dedupe_key=MODERATE.key(post=key, action=action, now=now),
        due_at=now,
        now=now,
        payload={"key": key, "channel": channel, "action": action},
    )
