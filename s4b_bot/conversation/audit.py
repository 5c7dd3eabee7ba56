"""The audit log: every moderation and organizer action, who did it, when and why.

One entry per call at most, written by the core (`write`) in the call's transaction once it
has succeeded, so a refused or failed action leaves none. Every organizer route (command,
button or form) declares whether it leaves one (its `audit`); its handler may refine the
entry (`record`) or say it changed nothing (`unchanged`). It names organizers only: never a
member, a call link or an answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.output import Card, Message, Moment, Outcome, Span, Text
from s4b_bot.routing.route import Args
from s4b_bot.timefmt import format_date
from s4b_bot.words import target_words
from storage import queries
from storage.models import AuditEntry, ProgrammeSession

MAX_SHOWN = 30
PROGRAMME_ZONE = "America/Toronto"
REASON_OPTIONS = ("reason", "note")
"""The options that say why; no other option's text goes into the log (call details!)."""


def record(ctx: Context, action: str, target: str, reason: str | None = None) -> None:
    """This call's entry: what was done to what, and why."""
    ctx.audit.action, ctx.audit.target, ctx.audit.reason = action, target, reason


def unchanged(ctx: Context) -> None:
    """This call changed nothing (it only showed something): it leaves no entry."""
    ctx.audit.unchanged = True


def session_target(session: ProgrammeSession) -> str:
    date = format_date(session.starts_at, session.timezone)
    return f"session:{session.id} ({session.season} {date})"


def complete(ctx: Context, name: str, args: Args | None) -> None:
    """Fill in what the handler of a successful "change" or "export" route left out: the
    route's name, the session its options named, the reason it was given."""
    note = ctx.audit
    note.action = note.action or name
    session = next(iter(args.sessions.values()), None) if args else None
    if note.target is None and session is not None:
        note.target = session_target(session)
    if note.reason is None and args is not None:
        note.reason = next((args[o] for o in REASON_OPTIONS if args.get(o)), None)


def write(ctx: Context) -> None:
    """Add this call's entry, if it has one, to the call's transaction."""
    note = ctx.audit
    if note.action is None or note.unchanged:
        return
    ctx.db.add(
        AuditEntry(
            actor_name=ctx.actor.display_name[:200],
            actor_platform=ctx.actor.platform,
            action=note.action[:40],
            target=(note.target or "")[:100],
            reason=(note.reason or None) and note.reason[:500],
            created_at=ctx.now,
        )
    )


def automatic(
    db: AsyncSession,
    *,
    actor: str,
    platform: str,
    action: str,
    target: str,
    reason: str | None,
    now: datetime,
) -> None:
    """An entry for a step no organizer took: a member's report (never naming the member)
    or what the bot did by itself (a message taken down after enough reports)."""
    db.add(
        AuditEntry(
            actor_name=actor[:200],
            actor_platform=platform[:16],
            action=action[:40],
            target=target[:100],
            reason=reason and reason[:500],
            created_at=now,
        )
    )


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
            f" · {r.actor_name} ({r.actor_platform}) · {r.action} {target_words(r.target, seasons)}"
            + (f" · why: {r.reason}" if r.reason else ""),
        ]
    card = Card(title=f"Audit log (latest {len(rows)})", body=(Text.of(*spans),))
    return Outcome(reply=Message(cards=(card,)))
