"""Organizer commands that add sessions: one at a time, a recurring series, or from an .ics."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from s4b_bot.calendar.ics_import import parse_events
from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import UserError
from s4b_bot.outbox import session_posts
from s4b_bot.output import Message, Outcome
from s4b_bot.programme.recurrence import expand
from s4b_bot.programme.sessions import MAX_TITLE, current_series_id, overview
from s4b_bot.routing.route import Args
from s4b_bot.validate import check_horizon, clean_local_time, clean_text
from s4b_bot.words import plural
from storage import queries
from storage.models import ProgrammeSession, Series

DEFAULT_LENGTH = timedelta(hours=1)


def season_of(local: datetime) -> str:
    """The programme's season names by month: Spring, Summer, Fall, Year-End (and Winter)."""
    return {
        1: "Winter",
        2: "Winter",
        3: "Spring",
        4: "Spring",
        5: "Spring",
        6: "Summer",
        7: "Summer",
        8: "Summer",
        9: "Fall",
        10: "Fall",
        11: "Year-End",
        12: "Year-End",
    }[local.month]


async def _series_for(ctx: Context, starts_at: datetime) -> Series:
    """The series of that year: the current one if its sessions are in that year, else a
    new "<name> <year>" series that copies the current one's texts."""
    sessions = await queries.all_sessions(ctx.db)
    current_id = current_series_id(sessions, ctx.now)
    current = await ctx.db.get(Series, current_id) if current_id is not None else None
    zone = current.timezone if current else "America/Toronto"
    year = starts_at.astimezone(ZoneInfo(zone)).year
    for session in sessions:
        if session.starts_at.astimezone(ZoneInfo(zone)).year == year:
            return session.series
    base = current.key.rsplit("-", 1)[0] if current else "s4b"
    existing = await queries.series_by_key(ctx.db, f"{base}-{year}")
    if existing is not None:
        return existing
    name = (current.name.rsplit(" ", 1)[0] if current else "S4B Working Group") + f" {year}"
    series = Series(key=f"{base}-{year}", name=name, timezone=zone, created_at=ctx.now)
    series.info = dict(current.info) if current else {}
    ctx.db.add(series)
    await ctx.db.flush()
    return series


async def _add(
    ctx: Context, *, title: str, description: str, starts_at: datetime, ends_at: datetime
) -> ProgrammeSession:
    if starts_at <= ctx.now:
        raise UserError("Sessions can only be added in the future.")
    check_horizon(starts_at, ctx.now)
    await refuse_same_start(ctx, starts_at)
    series = await _series_for(ctx, starts_at)
    number = await queries.next_session_number(ctx.db)
    local = starts_at.astimezone(ZoneInfo(series.timezone))
    session = ProgrammeSession(
        series_id=series.id,
        number=number,
        season=season_of(local),
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=series.timezone,
        status="scheduled",
        sequence=0,
        updated_at=ctx.now,
    )
    ctx.db.add(session)
    await ctx.db.flush()
    await session_posts.plan_announcements(
        ctx.db, session, now=ctx.now, days_before=ctx.settings.announce_days_before
    )
    await session_posts.plan_session_sync(ctx.db, session, now=ctx.now)
    return session


def _title(value: object) -> str:
    return clean_text("The title", str(value), max_length=MAX_TITLE)


async def add_session(ctx: Context, args: Args) -> Outcome:
    zone = await _zone(ctx)
    starts = clean_local_time("The time", args["when"], zone)
    session = await _add(
        ctx,
        title=_title(args["title"]),
        description="",
        starts_at=starts,
        ends_at=starts + DEFAULT_LENGTH,
    )
    ctx.audit.target = audit.session_target(session)
    return await _added(ctx, "Added", [session])


async def add_series(ctx: Context, args: Args) -> Outcome:
    zone = await _zone(ctx)
    first = clean_local_time("The first time", args["first"], zone)
    check_horizon(first, ctx.now)
    starts = expand(first.astimezone(ZoneInfo(zone)), args["rule"])
    title = _title(args["title"])
    added = [
        await _add(
            ctx,
            title=title,
            description="",
            starts_at=s.astimezone(first.tzinfo),
            ends_at=s.astimezone(first.tzinfo) + DEFAULT_LENGTH,  # an hour, DST or not
        )
        for s in starts
    ]
    ctx.audit.target = _added_target(added)
    return await _added(ctx, "Added", added)


async def import_sessions(ctx: Context, args: Args) -> Outcome:
    if not ctx.files:
        raise UserError(
            "Attach the .ics file to import, e.g. `/s4b-admin session import` with a file."
        )
    upload = ctx.files[0]
    if len(upload.content) > 1_000_000:
        raise UserError("That file is over 1 MB; an .ics of a few sessions is a few kilobytes.")
    events = parse_events(upload.content, default_zone=await _zone(ctx))
    added = [
        await _add(
            ctx, title=e.title, description=e.description, starts_at=e.starts_at, ends_at=e.ends_at
        )
        for e in events
    ]
    ctx.audit.target = _added_target(added)
    return await _added(ctx, "Imported", added)


async def _added(ctx: Context, verb: str, added: list[ProgrammeSession]) -> Outcome:
    """The answer: each new session with its reference, its start in its zone and in UTC."""
    listing = overview(added, await queries.all_sessions(ctx.db), times=True)
    return Outcome(reply=Message.plain(f"{verb} {plural(len(added), 'session')}:\n{listing}"))


def _added_target(added: list[ProgrammeSession]) -> str:
    """The audit entry's target for several new sessions: how many, from which."""
    if not added:
        return "no sessions"
    return f"{plural(len(added), 'session')} from {audit.session_target(added[0])}"


async def _zone(ctx: Context) -> str:
    sessions = await queries.all_sessions(ctx.db)
    return sessions[-1].timezone if sessions else "America/Toronto"


async def refuse_same_start(
    ctx: Context, starts_at: datetime, *, moving: int | None = None, nothing: str = "added"
) -> None:
    """The programme holds one session at a time: a second one at the same start is the
    same session added twice (a cancelled one may be replaced). `moving` is the session
    being rescheduled, which is not in its own way."""
    query = select(ProgrammeSession).where(
        ProgrammeSession.starts_at == starts_at, ProgrammeSession.status != "cancelled"
    )
    if moving is not None:
        query = query.where(ProgrammeSession.id != moving)
    same = await ctx.db.scalar(query.limit(1))
    if same is not None:  # only now is every session needed, to name this one apart
        raise UserError(
            f"There is already a session at that time, so nothing was {nothing}:\n"
            + overview([same], await queries.all_sessions(ctx.db), times=True)
        )
