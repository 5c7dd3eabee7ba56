"""Organizer tools to see how the programme is going: `/s4b-admin stats` counts
registrations, attendance, reminders, ideas and reports, with charts of them
(s4b_bot/figures); `/s4b-admin attendance` marks who
came to a session, so the stats can tell registrations from attendance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import UserError
from s4b_bot.feedback import results as feedback_results
from s4b_bot.figures import attendance_or_none, chart_attachments, read_figures
from s4b_bot.output import Card, Message, Outcome, Text
from s4b_bot.registration import offers
from s4b_bot.reminders.kind import REMINDER
from s4b_bot.routing.route import Args
from s4b_bot.timefmt import format_date
from s4b_bot.words import plural
from storage import queries
from storage.models import Account, Idea, OutboxMessage, ProgrammeSession, Registration, Report

IDEA_STATUS_ORDER = ("open", "review", "carried", "done", "hidden", "merged")
MAX_NAMES = 2_000


async def stats(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin stats`: the programme in numbers."""
    sessions = await queries.all_sessions(ctx.db)
    by_status: Counter[tuple[int, str]] = Counter()
    for session_id, status, count in await ctx.db.execute(
        select(Registration.session_id, Registration.status, func.count()).group_by(
            Registration.session_id, Registration.status
        )
    ):
        by_status[(session_id, status)] = count
    attended: dict[int, int] = {
        session_id: count
        for session_id, count in await ctx.db.execute(
            select(Registration.session_id, func.count())
            .where(Registration.attended.is_(True))
            .group_by(Registration.session_id)
        )
    }
    reminders: Counter[tuple[int | None, str]] = Counter()
    for row_session, status, count in await ctx.db.execute(
        select(OutboxMessage.session_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.kind == REMINDER.name)
        .group_by(OutboxMessage.session_id, OutboxMessage.status)
    ):
        reminders[(row_session, status)] = count
    lines = [_session_line(s, by_status, attended.get(s.id, 0), reminders, ctx) for s in sessions]
    totals = Counter[str]()
    for (_, status), count in reminders.items():
        totals[status] += count
    idea_counts: dict[str, int] = {
        status: count
        for status, count in await ctx.db.execute(
            select(Idea.status, func.count()).group_by(Idea.status)
        )
    }
    open_reports = int(
        await ctx.db.scalar(select(func.count()).where(Report.status == "open")) or 0
    )
    ideas_line = (
        ", ".join(f"{idea_counts[s]} {s}" for s in IDEA_STATUS_ORDER if idea_counts.get(s))
        or "none yet"
    )
    cards = (
        Card(
            title="Sessions",
            body=(Text.of("\n".join(lines) or "No sessions yet."),),
        ),
        Card(
            title="Reminders",
            body=(
                Text.of(
                    f"{totals['sent']} sent, {totals['failed']} failed, "
                    f"{totals['pending']} still to send."
                    + (" `/s4b-admin deliveries` shows the failures." if totals["failed"] else "")
                ),
            ),
        ),
        Card(title="Waitlist offers", body=(Text.of(offers_line(await offers.counts(ctx.db))),)),
        Card(title="Ideas", body=(Text.of(f"Ideas: {ideas_line}."),)),
        await feedback_results.stats_card(ctx.db),
        Card(
            title="Moderation",
            body=(
                Text.of(
                    f"Open reports: {open_reports}."
                    + (" `/s4b-admin queue` lists them." if open_reports else "")
                ),
            ),
        ),
    )
    charts = await chart_attachments(await read_figures(ctx.db, ctx.now))
    return Outcome(
        reply=Message(
            text=(Text.of("The programme in numbers" + (", with charts:" if charts else ":")),),
            cards=cards,
            attachments=charts,
        )
    )


def _session_line(
    session: ProgrammeSession,
    by_status: Counter[tuple[int, str]],
    attended: int,
    reminders: Counter[tuple[int | None, str]],
    ctx: Context,
) -> str:
    date = format_date(session.starts_at, session.timezone)
    label = f"{session.season} · {date}"
    if session.status == "cancelled":
        label += " (cancelled)"
    confirmed = by_status[(session.id, "confirmed")]
    waitlisted = by_status[(session.id, "waitlisted")]
    marked = attendance_or_none(session, attended, ctx.now)
    came = "attendance not marked" if marked is None else f"{marked} attended"
    sent, failed = reminders[(session.id, "sent")], reminders[(session.id, "failed")]
    return (
        f"• {label}: {confirmed} confirmed, {waitlisted} waitlisted, {came} · "
        f"reminders {sent} sent, {failed} failed"
    )


def offers_line(counts: dict[str, int]) -> str:
    """ "3 offers made: 1 accepted, 1 declined, 1 expired." (and any open or withdrawn)."""
    made = sum(counts.values())
    shown = ("accepted", "declined", "expired", "withdrawn", "open")
    parts = [f"{counts.get(s, 0)} {s}" for s in shown[:3]]
    parts += [f"{counts[s]} {s}" for s in shown[3:] if counts.get(s)]
    return f"{plural(made, 'offer')} made from the waitlist: {', '.join(parts)}."


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().casefold())


# A quoted name is a whole piece between separators; quotes inside a name are its own.
_QUOTED = re.compile(r'(?:^|(?<=[;,]))\s*(?:"([^"]*)"|“([^”]*)”)\s*(?=[;,]|$)')
_HELD = re.compile(r"\x00(\d+)\x00")  # a quoted name held aside; typed text has no NUL
_NUMBERS = re.compile(r"\d+(?:\s+\d+)*")


def split_names(text: str) -> list[str | int]:
    """Who is named, each once, in the order given: names separated by semicolons when
    there is one (so a name may hold a comma), else by commas; a name in double quotes is
    read whole; numbers (`2 3`) are places in the roster's list of registrants."""
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match[1] if match[1] is not None else match[2])
        return f"\x00{len(held) - 1}\x00"

    bare = _QUOTED.sub(hold, text)
    seen: dict[str, str | int] = {}
    for raw in bare.split(";" if ";" in bare else ","):
        piece = " ".join(_HELD.sub(lambda m: held[int(m[1])], raw).split())
        if _HELD.search(raw) is None and _NUMBERS.fullmatch(piece):
            for number in piece.split():
                seen.setdefault(f"#{int(number)}", int(number))
        elif piece and _norm(piece) not in seen:
            seen[_norm(piece)] = piece
    return list(seen.values())


async def attendance(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin attendance <session> <names|all>`: mark who attended."""
    session = args.session()
    if session.status == "cancelled":
        raise UserError(f"The {session.season} session was cancelled; there is no attendance.")
    if session.starts_at > ctx.now:
        raise UserError(
            f"The {session.season} session has not started yet; mark attendance once it has."
        )
    rows = (
        await ctx.db.execute(
            select(Registration, Account)
            .join(Account, Account.id == Registration.member_id)
            .where(Registration.session_id == session.id)
            .order_by(Registration.id)
        )
    ).all()
    registrations = [(r, m) for r, m in rows]
    text = args["names"].strip()
    seats = [r for r, _ in registrations if r.status == "confirmed"]  # as the roster lists
    unknown: list[str] = []
    ambiguous: list[str] = []
    unseated: list[str] = []
    missing: list[int] = []  # roster numbers past its end
    if text.casefold() == "all":
        targets = list(seats)
    else:
        # The whole text may be one name with a comma in it ("O'Brien, Mary").
        names = [text] if _match(registrations, text) else split_names(text)
        if not names:
            raise UserError(
                "Name who attended, separated by commas (semicolons when a name has a comma), "
                "give their numbers in `/s4b-admin roster`, or say `all`: "
                "`/s4b-admin attendance spring Ada Lovelace, Ben Okafor` or "
                "`/s4b-admin attendance spring 1 3`."
            )
        targets = []
        for name in names:
            if isinstance(name, int):
                if not 1 <= name <= len(seats):
                    missing.append(name)
                elif seats[name - 1] not in targets:
                    targets.append(seats[name - 1])
                continue
            found = _match(registrations, name)
            seated = [r for r in found if r.status == "confirmed"]  # only a seat can attend
            if not found:
                unknown.append(name)
            elif not seated:
                unseated.append(_why_unseated(name, found))
            elif len(seated) > 1:
                ambiguous.append(name)
            elif seated[0] not in targets:
                targets.append(seated[0])
    newly = [r for r in targets if r.attended is not True]
    for registration in newly:
        registration.attended = True
    if newly:  # a count: the log names organizers only
        audit.record(
            ctx,
            "attendance",
            audit.session_target(session),
            f"{plural(len(newly), 'registrant')} marked attended",
        )
    else:
        audit.unchanged(ctx)
    total = sum(1 for r, _ in registrations if r.attended is True)
    reply = _attendance_reply(
        session, newly, targets, unknown, ambiguous, total, unseated, missing, len(seats)
    )
    return Outcome(reply=reply)


def _why_unseated(name: str, found: list[Registration]) -> str:
    """Why a name's registration cannot be marked as attending: it held no seat."""
    if any(r.status == "waitlisted" for r in found):
        return f"{name} was on the waitlist, not registered with a seat"
    return f"{name} had cancelled their registration"


def _match(registrations: Sequence[tuple[Registration, Account]], name: str) -> list[Registration]:
    """The registrations a name means: by the form's name, else by display name."""
    key = _norm(name)
    by_form = [r for r, _ in registrations if r.name and _norm(r.name) == key]
    if by_form:
        return by_form
    return [r for r, m in registrations if _norm(m.display_name) == key]


def _attendance_reply(
    session: ProgrammeSession,
    newly: list[Registration],
    targets: list[Registration],
    unknown: list[str],
    ambiguous: list[str],
    total: int,
    unseated: list[str],
    missing: list[int],
    seated: int,
) -> Message:
    paragraphs = []
    if newly:
        marked = ", ".join(r.name or "(answers erased)" for r in newly)
        paragraphs.append(
            f"Marked {plural(len(newly), 'registrant')} as attending the {session.season} "
            f"session: {marked}."
        )
    already = len(targets) - len(newly)
    if already:
        paragraphs.append(f"{plural(already, 'registrant')} already marked; unchanged.")
    if not targets and not unknown and not ambiguous and not unseated and not missing:
        paragraphs.append(f"The {session.season} session has no confirmed registrants to mark.")
    if unknown:
        paragraphs.append(
            "Not among its registrants, so nothing changed for them: "
            + "; ".join(unknown)
            + ". `/s4b-admin roster` lists the names."
        )
    if missing:
        paragraphs.append(
            f"No registrant has the number {', '.join(map(str, missing))} in "
            f"`/s4b-admin roster` (it lists {plural(seated, 'registrant')}); nothing changed "
            "for it."
        )
    if ambiguous:
        paragraphs.append(
            "Matches several registrants, so not marked: "
            + "; ".join(ambiguous)
            + ". Give their numbers in `/s4b-admin roster` instead, e.g. "
            "`/s4b-admin attendance spring 2 3`."
        )
    if unseated:
        paragraphs.append(f"Not marked: {'; '.join(unseated)}.")
    paragraphs.append(f"Attended so far: {total}.")
    return Message.plain(*paragraphs)
