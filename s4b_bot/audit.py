"""The audit log: every moderation and organizer action, who did it, when and why."""

from __future__ import annotations

from sqlalchemy import select

from s4b_bot.catalogue import Args
from s4b_bot.context import Context
from s4b_bot.output import Card, Message, Outcome, Text
from storage.models import AuditEntry

MAX_SHOWN = 30


def record(ctx: Context, action: str, target: str, reason: str | None = None) -> None:
    """Add an entry in the current transaction: it is kept only if the action is."""
    ctx.db.add(
        AuditEntry(
            actor_name=ctx.actor.display_name[:200],
            actor_platform=ctx.actor.platform,
            action=action,
            target=target,
            reason=(reason or None) and reason[:500],
            created_at=ctx.now,
        )
    )


async def show_audit(ctx: Context, args: Args) -> Outcome:
    rows = (
        await ctx.db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(MAX_SHOWN))
    ).all()
    if not rows:
        return Outcome(reply=Message.plain("The audit log is empty."))
    lines = [
        f"{r.created_at:%Y-%m-%d %H:%M} UTC · {r.actor_name} ({r.actor_platform}) · {r.action} "
        f"{r.target}" + (f" · why: {r.reason}" if r.reason else "")
        for r in rows
    ]
    card = Card(title=f"Audit log (latest {len(rows)})", body=(Text.of("\n".join(lines)),))
    return Outcome(reply=Message(cards=(card,)))
