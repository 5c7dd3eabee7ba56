"""Organizer views: who registered for a session, and what could not be delivered.

Both contain personal data, so they only ever go to the organizer who asked, privately.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from s4b_bot.context import Context
from s4b_bot.outbox import registry
from s4b_bot.outbox.unreachable import THREAD_NOTE
from s4b_bot.output import Attachment, Card, Message, Moment, Outcome, Span, Text
from s4b_bot.registration import offers
from s4b_bot.registration.offer_notices import until
from s4b_bot.routing.route import Args
from s4b_bot.timefmt import format_date
from s4b_bot.words import plural
from storage import outbox, queries, waiting
from storage.models import Account, OutboxMessage, ProgrammeSession, Registration

CSV_FIELDS = (
    "status",
    "position",
    "name",
    "organization",
    "email",
    "about",
    "registered_at",
    "attended",
)


def _attended_cell(registration: Registration, *, taken: bool) -> str:
    """`yes` when marked; `no` once the session's attendance is taken; blank before."""
    if registration.attended:
        return "yes"
    return "no" if taken else ""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


async def roster(ctx: Context, args: Args) -> Outcome:
    session = args.session()
    regs = (
        await ctx.db.scalars(
            select(Registration)
            .where(Registration.session_id == session.id, Registration.status != queries.FORMER)
            .order_by(Registration.status, Registration.id)
        )
    ).all()
    confirmed = [r for r in regs if r.status == "confirmed"]
    waiting = [r for r in regs if r.status == "waitlisted"]
    seats = f" of {session.capacity}" if session.capacity else ""
    # Numbered, so `/s4b-admin attendance spring 2 3` tells two of one name apart.
    lines = [
        f"{i}. {r.name}" + (f" ({r.organization})" if r.organization else "")
        for i, r in enumerate(confirmed, start=1)
    ]
    attended = sum(1 for r in regs if r.attended)
    taken = attended > 0  # attendance is only ever marked, so none marked is none taken
    body = [Text.of("\n".join(lines) or "Nobody yet.")]
    if taken:
        body.append(Text.of(f"Attended: {attended}."))
    cards = [Card(title=f"Registered: {len(confirmed)}{seats}", body=tuple(body))]
    if waiting:
        cards.append(await _waitlist_card(ctx, session, waiting))
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(spreadsheet_safe(*CSV_FIELDS))
    # A waitlist place counts the waitlist alone, as the card and the member's "#2 in line".
    positions = [""] * len(confirmed) + list(range(1, len(waiting) + 1))
    for position, r in zip(positions, confirmed + waiting, strict=True):
        writer.writerow(
            spreadsheet_safe(
                r.status,
                position,
                r.name,
                r.organization or "",
                r.email or "",
                r.about,
                r.created_at.isoformat(),
                _attended_cell(r, taken=taken),
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


async def _waitlist_card(
    ctx: Context, session: ProgrammeSession, waiting: list[Registration]
) -> Card:
    """The line, in order; an open offer says until when the seat is held."""
    held = {o.member_id: o for o in await offers.open_offers(ctx.db, session.id)}
    spans: list[Span] = []
    for i, r in enumerate(waiting, start=1):
        spans.append(f"{chr(10) if i > 1 else ''}{i}. {r.name}")
        offer = held.get(r.member_id)
        if offer is not None:
            spans += [" · offered a seat, until ", until(offer, session, ctx.viewer_zone)]
    title = f"Waitlist: {len(waiting)}" + (f" ({len(held)} offered a seat)" if held else "")
    if session.status == "cancelled":
        title += " · the session is cancelled: nobody on it will get a seat"
    return Card(title=title, body=(Text.of(*spans),))


def spreadsheet_safe(*cells: object) -> list[str]:
    """Cells a spreadsheet shows as text, never runs: one starting like a formula gets a
    leading single quote, as OWASP's CSV-injection guidance says (the writer quotes every
    cell and doubles the double quotes)."""
    texts = [str(cell) for cell in cells]
    return ["'" + text if text.startswith(FORMULA_STARTS) else text for text in texts]


async def deliveries(ctx: Context, args: Args) -> Outcome:
    """Counts by status, and every message given up for good: who, what, when, why."""
    counts = await outbox.counts_by_status(ctx.db)
    summary = ", ".join(
        f"{counts.get(s, 0)} {s}" for s in ("pending", "sent", "failed", "withdrawn")
    )
    waited = counts.get(waiting.UNREACHABLE, 0) + counts.get(waiting.IN_BOT, 0)
    if waited:
        summary += (
            f"; {counts.get(waiting.UNREACHABLE, 0)} waiting for members whom DMs do not reach, "
            f"{counts.get(waiting.IN_BOT, 0)} shown to them in the bot instead"
        )
    lead = Text.of(f"Deliveries: {summary}.")
    unreachable = await _unreachable_card(ctx)
    failures = await outbox.failures(ctx.db)
    if not failures:
        return Outcome(reply=Message(text=(lead,), cards=unreachable))
    members = await ctx.db.scalars(
        select(Account).where(Account.id.in_({f.member_id for f in failures if f.member_id}))
    )
    names = {m.id: m.display_name for m in members}
    sessions = {s.id: s for s in await queries.all_sessions(ctx.db)}
    shown = [_failure_line(f, names, sessions, ctx.viewer_zone) for f in failures[:FAILURES_SHOWN]]
    if len(failures) > FAILURES_SHOWN:
        older = len(failures) - FAILURES_SHOWN
        shown.append(Text.of(f"…and {plural(older, 'older one')}: all are in the attached file."))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FAILURE_FIELDS)
    for f in failures:
        writer.writerow(
            (
                _who(f, names),
                KIND_NAMES.get(f.kind, f.kind),
                _named(_sessions_of(f, sessions)),
                f.platform or "",
                f.failed_at.isoformat() if f.failed_at else "",
                _why(f),
            )
        )
    return Outcome(
        reply=Message(
            text=(lead,),
            cards=(*unreachable, Card(title="Could not be delivered", body=tuple(shown))),
            attachments=(
                Attachment("failed-deliveries.csv", buffer.getvalue().encode("utf-8"), "text/csv"),
            ),
        )
    )


async def _unreachable_card(ctx: Context) -> tuple[Card, ...]:
    """Members whom DMs do not reach: how many messages wait for them, since when, where,
    and whether the bot reaches them in a session's private thread."""
    found = await waiting.unreachable_members(ctx.db)
    if not found:
        return ()
    ids = {u.member_id for u in found}
    names = {
        m.id: m.display_name
        for m in await ctx.db.scalars(select(Account).where(Account.id.in_(ids)))
    }
    threads = await waiting.still_in_threads(ctx.db, THREAD_NOTE.name, ids)
    sessions = {s.id: s for s in await queries.all_sessions(ctx.db)}
    lines = []
    for u in found[:FAILURES_SHOWN]:
        seats = [sessions[i] for i in sorted(threads.get(u.member_id, ())) if i in sessions]
        where = f"in the thread of {_named(seats)}" if seats else "in no session thread"
        lines.append(
            Text.of(
                f"• {names.get(u.member_id, 'a member no longer here')} on {u.platform}: "
                f"{plural(u.waiting, 'message')} waiting since ",
                Moment(u.since, zone="UTC", viewer_zone=ctx.viewer_zone),
                f"; {where}. They see them when they next use the bot.",
            )
        )
    title = f"Unreachable by DM: {plural(len(found), 'member')}"
    return (Card(title=title, body=tuple(lines)),)


FAILURES_SHOWN = 20
FAILURE_FIELDS = ("who", "what", "sessions", "platform", "failed_at_utc", "why")
KIND_NAMES = dict(registry.labels())
"""What each kind of outbox row is, in an organizer's words."""


def _failure_line(
    row: OutboxMessage,
    names: dict[int, str],
    sessions: dict[int, ProgrammeSession],
    viewer_zone: str | None,
) -> Text:
    about = _sessions_of(row, sessions)
    what = KIND_NAMES.get(row.kind, row.kind) + (f" ({_named(about)})" if about else "")
    spans: list[Span] = [f"• {_who(row, names)}: {what}"]
    if row.platform:
        spans.append(f" on {row.platform}")
    if row.failed_at is not None:
        zone = about[0].timezone if about else "UTC"
        spans += [", ", Moment(row.failed_at, zone=zone, viewer_zone=viewer_zone)]
    spans.append(f". Why: {_why(row)}")
    return Text.of(*spans)


def _who(row: OutboxMessage, names: dict[int, str]) -> str:
    if row.member_id is None:
        return "the channel"
    return names.get(row.member_id, "a member no longer here")


def _sessions_of(
    row: OutboxMessage, sessions: dict[int, ProgrammeSession]
) -> list[ProgrammeSession]:
    ids = [row.session_id] if row.session_id is not None else row.payload.get("sessions", [])
    return [sessions[int(i)] for i in ids if int(i) in sessions]


def _named(about: list[ProgrammeSession]) -> str:
    return ", ".join(f"{s.season} {format_date(s.starts_at, s.timezone)}" for s in about)


def _why(row: OutboxMessage) -> str:
    """The platform's reason, as the dispatcher recorded it."""
    return (row.last_error or "no reason recorded").removeprefix("permanent: ")
