"""The audit log: every moderation and organizer action, who did it, when and why."""

from __future__ import annotations

from sqlalchemy import select

from s4b_bot.catalogue import Args
from s4b_bot.context import Context
from s4b_bot.output import Card, Message, Moment, Outcome, Span, Text
from storage import queries
from storage.models import AuditEntry

MAX_SHOWN = 30
PROGRAMME_ZONE = "America/Toronto"


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


def _target(target: str, seasons: dict[int, str]) -> str:
    """ "idea:4" as "idea #4", "session:3" as "the Spring session"."""
    kind, _, number = target.partition(":")
    if not number.isdigit():
        return target
    if kind == "session" and int(number) in seasons:
        return f"the {seasons[int(number)]} session"
    return "this community" if kind == "community" else f"{kind} #{number}"


async def show_audit(ctx: Context, args: Args) -> Outcome:
    rows = (
        await ctx.db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(MAX_SHOWN))
    ).all()
    if not rows:
        return Outcome(reply=Message.plain("The audit log is empty."))
    sessions = await queries.all_sessions(ctx.db)
    seasons = {s.id: s.season for s in sessions}
    # In the programme's zone (Eastern), localised where the platform can.
    zone = sessions[-1].timezone if sessions else PROGRAMME_ZONE
    spans: list[Span] = []
    for r in rows:
        spans += [
            "\n" if spans else "",
            Moment(start=r.created_at, zone=zone),
            f" · {r.actor_name} ({r.actor_platform}) · {r.action} {_target(r.target, seasons)}"
            + (f" · why: {r.reason}" if r.reason else ""),
        ]
    card = Card(title=f"Audit log (latest {len(rows)})", body=(Text.of(*spans),))
    return Outcome(reply=Message(cards=(card,)))
