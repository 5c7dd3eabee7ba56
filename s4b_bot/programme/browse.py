"""Member commands to look at the programme: sessions, session, timezone."""

from __future__ import annotations

from s4b_bot.context import Context
from s4b_bot.output import Localised, Message, Outcome, Text
from s4b_bot.programme.cards import session_card, when
from s4b_bot.programme.sessions import is_over
from s4b_bot.registration.form import own_answers
from s4b_bot.registration.waitlist import places_of, seats_text
from s4b_bot.routing.route import Args
from s4b_bot.validate import OFF
from s4b_bot.words import plural
from storage import queries
from storage.models import ProgrammeSession

TIMES_ARE_YOURS = "Times are shown in your own time zone."


async def list_sessions(ctx: Context, args: Args) -> Outcome:
    sessions = await queries.all_sessions(ctx.db)
    show_all = args.get("scope") == "all"
    shown = [s for s in sessions if show_all or not is_over(s, ctx.now)]
    if not shown:
        past = "" if show_all else " `/s4b sessions all` shows the past ones."
        return Outcome(reply=Message.plain(f"There are no upcoming sessions.{past}"))
    mine = await places_of(ctx.db, ctx.person.id)
    cards = tuple(
        session_card(s, now=ctx.now, viewer_zone=ctx.viewer_zone, place=mine.get(s.id))
        for s in shown
    )
    series = shown[0].series
    heading = f"{series.name}: {'all' if show_all else 'upcoming'} sessions"
    lead = [Text.of(heading), Text.of(_zone_note(ctx, series.timezone))]
    if not show_all and len(shown) < len(sessions):
        lead.append(Text.of("`/s4b sessions all` also lists the past ones."))
    return Outcome(reply=Message(text=tuple(lead), cards=cards))


def _zone_note(ctx: Context, series_zone: str) -> Localised:
    """Where the platform shows times in each reader's own zone, say so; elsewhere the
    times are written out in Eastern (and the member's zone, when they set one)."""
    if ctx.viewer_zone:
        fixed = f"Times are Eastern ({series_zone}) and your zone, {ctx.viewer_zone}."
    else:
        fixed = (
            f"Times are Eastern ({series_zone}). `/s4b timezone <zone>` adds your own, "
            "e.g. `/s4b timezone America/Vancouver`."
        )
    return Localised(localised=TIMES_ARE_YOURS, fixed=fixed)


async def show_session(ctx: Context, args: Args) -> Outcome:
    return await session_detail(ctx, args.session())


async def session_detail(ctx: Context, session: ProgrammeSession) -> Outcome:
    """The Details button, and `/s4b session <session>`."""
    mine = await places_of(ctx.db, ctx.person.id)
    card = session_card(
        session,
        now=ctx.now,
        viewer_zone=ctx.viewer_zone,
        place=mine.get(session.id),
        detail=True,
        seats=await seats_text(ctx.db, session, settings=ctx.settings, now=ctx.now),
    )
    return Outcome(reply=Message(cards=(card,)))


async def home(ctx: Context, args: Args) -> Outcome:
    """A member's overview (Slack's App Home): their registrations, then what is coming,
    then their answers with Edit registration, as `/s4b mine` shows them."""
    sessions = [s for s in await queries.all_sessions(ctx.db) if not is_over(s, ctx.now)]
    mine = await places_of(ctx.db, ctx.person.id)
    cards = tuple(
        session_card(s, now=ctx.now, viewer_zone=ctx.viewer_zone, place=mine.get(s.id))
        for s in sorted(sessions, key=lambda s: (s.id not in mine, s.starts_at))
    )
    registered = sum(1 for s in sessions if s.id in mine and mine[s.id].confirmed)
    lead: tuple[Text, ...] = (
        Text.of(
            f"Hello{' ' + ctx.actor.display_name if ctx.actor.display_name.strip() else ''}. "
            f"You are registered for {registered} of the "
            f"{plural(len(sessions), 'upcoming session')}."
        ),
        Text.of("`/s4b help` lists everything I can do."),
    )
    if not sessions:
        lead = (
            Text.of(
                "There are no upcoming sessions right now. `/s4b sessions all` shows past ones."
            ),
        )
    return Outcome(reply=Message(text=lead, cards=cards + await own_answers(ctx)))


async def set_timezone(ctx: Context, args: Args) -> Outcome:
    zone = args.get("zone")
    if zone is None:
        current = ctx.person.timezone or "not set (times show in Eastern only)"
        return Outcome(
            reply=Message.plain(
                f"Your time zone: {current}.",
                "Set it with `/s4b timezone <IANA zone>`, e.g. `/s4b timezone Europe/London`; "
                f"`/s4b timezone {OFF}` clears it.",
            )
        )
    if zone == OFF:
        if ctx.person.timezone is None:
            return Outcome(reply=Message.plain("You have no time zone set; nothing changed."))
        ctx.person.timezone = None
        return Outcome(reply=Message.plain("Your time zone is cleared: times show in Eastern."))
    ctx.person.timezone = str(zone)
    sessions = [s for s in await queries.all_sessions(ctx.db) if not is_over(s, ctx.now)]
    lead = Text.of(f"Your time zone is now {zone}.")
    if not sessions:
        return Outcome(reply=Message(text=(lead,)))
    example = Text.of(
        f"For example, the {sessions[0].season} session: ", when(sessions[0], str(zone))
    )
    return Outcome(reply=Message(text=(lead, example)))
