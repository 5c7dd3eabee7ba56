"""Organizer views: who registered for a session, and what could not be delivered.

Both contain personal data, so they only ever go to the organizer who asked, privately.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from s4b_bot.catalogue import Args
from s4b_bot.context import Context
from s4b_bot.output import Attachment, Card, Message, Outcome, Text
from s4b_bot.sessions import resolve
from s4b_bot.timefmt import format_date
from s4b_bot.words import plural
from storage import outbox, queries
from storage.models import Member, OutboxMessage, Registration

CSV_FIELDS = ("status", "position", "name", "organization", "email", "about", "registered_at")


async def roster(ctx: Context, args: Args) -> Outcome:
    session = resolve(await queries.all_sessions(ctx.db), str(args["session"]), now=ctx.now)
    regs = (
        await ctx.db.scalars(
            select(Registration)
            .where(Registration.session_id == session.id)
            .order_by(Registration.status, Registration.id)
        )
    ).all()
    confirmed = [r for r in regs if r.status == "confirmed"]
    waiting = [r for r in regs if r.status == "waitlisted"]
    seats = f" of {session.capacity}" if session.capacity else ""
    lines = [f"• {r.name}" + (f" ({r.organization})" if r.organization else "") for r in confirmed]
    cards = [
        Card(
            title=f"Registered: {len(confirmed)}{seats}",
            body=(Text.of("\n".join(lines) or "Nobody yet."),),
        )
    ]
    if waiting:
        listing = "\n".join(f"{i}. {r.name}" for i, r in enumerate(waiting, start=1))
        cards.append(Card(title=f"Waitlist: {len(waiting)}", body=(Text.of(listing),)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for position, r in enumerate(confirmed + waiting, start=1):
        writer.writerow(
            (
                r.status,
                position if r.status == "waitlisted" else "",
                r.name,
                r.organization or "",
                r.email or "",
                r.about,
                r.created_at.isoformat(),
            )
        )
    filename = (
        f"roster-{session.season.lower()}-{format_date(session.starts_at, session.timezone)}.csv"
    )
    return Outcome(
        reply=Message(
            text=(Text.of(f"Roster of the {session.season} session (private to you)."),),
            cards=tuple(cards),
            attachments=(Attachment(filename, buffer.getvalue().encode("utf-8"), "text/csv"),),
        )
    )


async def deliveries(ctx: Context, args: Args) -> Outcome:
    counts = await outbox.counts_by_status(ctx.db)
    summary = ", ".join(
        f"{counts.get(s, 0)} {s}" for s in ("pending", "sent", "failed", "withdrawn")
    )
    failures = await outbox.recent_failures(ctx.db)
    names = {
        m.id: m.display_name
        for m in (
            await ctx.db.scalars(
                select(Member).where(Member.id.in_([f.member_id for f in failures if f.member_id]))
            )
        ).all()
    }
    lines = [_failure_line(f, names) for f in failures]
    cards = (Card(title="Recent failures", body=(Text.of("\n".join(lines)),)),) if lines else ()
    return Outcome(reply=Message(text=(Text.of(f"Deliveries: {summary}."),), cards=cards))


def _failure_line(row: OutboxMessage, names: dict[int, str]) -> str:
    who = names.get(row.member_id or 0, "a channel")
    tries = plural(row.attempts, "try", "tries")
    return f"• {row.kind} to {who} ({row.platform}), {tries}: {row.last_error}"
