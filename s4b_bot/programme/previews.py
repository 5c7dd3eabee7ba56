"""Previews of an organizer's change (cancel, reschedule, fewer seats than are taken): what
it will do, with Confirm and Back; Confirm applies it only if the session is still as shown.

The change waits in a short-lived `PendingChange` row whose id the buttons carry
(`s4b:confirm_change:<id>`): a button id holds no more than a number, and the row keeps
what was asked (the new time, the reason) and a fingerprint of what the preview said.
Confirm and Back each use the row up; Confirm on a session that changed since shows the
new preview instead, or refuses when the change no longer applies.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import UserError
from s4b_bot.outbox import planning
from s4b_bot.output import Button, ButtonStyle, Card, Message, Outcome, Text
from s4b_bot.programme import session_admin
from s4b_bot.programme.session_admin import changeable
from s4b_bot.programme.session_create import refuse_same_start
from s4b_bot.routing.actions import action_id
from s4b_bot.routing.route import Args
from s4b_bot.timefmt import format_day, format_span_and_utc
from s4b_bot.words import plural, with_reason
from storage.models import PendingChange, ProgrammeSession

LIFETIME = timedelta(minutes=15)
"""How long a preview can be confirmed (Discord's follow-up token lives as long)."""
CONFIRM, BACK = "confirm_change", "back_change"
"""The buttons' verbs: never rename them."""
MAX_NAMES = 10
USED = (
    "This preview was already confirmed, taken back or replaced; nothing changed. "
    "Run the command again to see what it would do now."
)


# --- the commands: check what was asked, then preview it ------------------------------


async def cancel(ctx: Context, args: Args) -> Outcome:
    session = await changeable(ctx.db, args.session().id, ctx.now)
    return await _preview(ctx, session, "cancel", {"reason": args.get("reason")})


async def reschedule(ctx: Context, args: Args) -> Outcome:
    session = await changeable(ctx.db, args.session().id, ctx.now)
    starts = session_admin.new_start(session, args["when"], ctx.now)
    return await _preview(ctx, session, "reschedule", {"starts_at": starts.isoformat()})


async def set_capacity(ctx: Context, args: Args) -> Outcome:
    """Fewer seats than are taken is previewed; any other capacity is set at once."""
    session = await changeable(ctx.db, args.session().id, ctx.now)
    capacity = session_admin.check_capacity(session, session_admin.seats(args["seats"]))
    _, moving = await session_admin.over_capacity(ctx.db, session, capacity)
    if not moving:
        return await session_admin.apply_capacity(ctx, session, capacity)
    return await _preview(ctx, session, "capacity", {"seats": capacity})


# --- the buttons ---------------------------------------------------------------------


async def confirm(ctx: Context, pending_id: int) -> Outcome:
    pending = await _take(ctx, pending_id)
    session = await changeable(ctx.db, pending.session_id, ctx.now)
    kind, params = pending.kind, pending.params
    lines = await _describe(ctx, session, kind, params)  # refuses what no longer applies
    if _fingerprint(session, lines) != pending.fingerprint:
        return await _preview(ctx, session, kind, params, changed=True)
    if kind == "cancel":
        return await session_admin.apply_cancel(ctx, session, params.get("reason"))
    if kind == "reschedule":
        starts = datetime.fromisoformat(params["starts_at"])
        return await session_admin.apply_reschedule(ctx, session, starts)
    return await session_admin.apply_capacity(ctx, session, params.get("seats"))


async def back(ctx: Context, pending_id: int) -> Outcome:
    pending = await _take(ctx, pending_id)
    session = await ctx.db.get(ProgrammeSession, pending.session_id)
    what = f"the {session.season} session stays as it was" if session else "the session is gone"
    return Outcome(reply=Message.plain(f"Nothing changed: {what}."))


async def _take(ctx: Context, pending_id: int) -> PendingChange:
    """The pending change, used up (deleted in this call's transaction)."""
    pending = await ctx.db.scalar(
        select(PendingChange).where(PendingChange.id == pending_id).with_for_update()
    )
    if pending is None:
        raise UserError(USED)
    if pending.expires_at <= ctx.now:
        raise UserError(
            "This preview has expired; nothing changed. Run the command again to see what it "
            "would do now."
        )
    await ctx.db.delete(pending)
    return pending


# --- previews ------------------------------------------------------------------------


async def _preview(
    ctx: Context,
    session: ProgrammeSession,
    kind: str,
    params: dict[str, Any],
    *,
    changed: bool = False,
) -> Outcome:
    audit.unchanged(ctx)  # nothing changes until Confirm
    lines = await _describe(ctx, session, kind, params)
    await ctx.db.execute(delete(PendingChange).where(PendingChange.expires_at <= ctx.now))
    pending = PendingChange(
        session_id=session.id,
        kind=kind,
        params=params,
        fingerprint=_fingerprint(session, lines),
        created_at=ctx.now,
        expires_at=ctx.now + LIFETIME,
    )
    ctx.db.add(pending)
    await ctx.db.flush()
    style: ButtonStyle = "danger" if kind == "cancel" else "primary"
    card = Card(
        title=f"Preview: {_TITLES[kind].format(season=session.season)}",
        body=tuple(Text.of(line) for line in lines),
        buttons=(
            Button("Confirm", action_id(CONFIRM, pending.id), style),
            Button("Back", action_id(BACK, pending.id)),
        ),
    )
    lead = (
        f"The {session.season} session changed since that preview, so nothing changed yet. "
        "Here is what Confirm does now."
        if changed
        else "Nothing has changed yet. Here is what it will do:"
    )
    expires = f"Confirm within {LIFETIME.seconds // 60} minutes, or Back to leave it as it is."
    return Outcome(reply=Message(text=(Text.of(lead), Text.of(expires)), cards=(card,)))


_TITLES = {
    "cancel": "cancel the {season} session?",
    "reschedule": "move the {season} session?",
    "capacity": "fewer seats for the {season} session?",
}


def _fingerprint(session: ProgrammeSession, lines: list[str]) -> str:
    """The session as the preview saw it, and what the preview said."""
    state = [session.status, session.starts_at.isoformat(), str(session.capacity)]
    text = "\n".join([*state, str(session.sequence), *lines])
    return hashlib.sha256(text.encode()).hexdigest()


async def _describe(
    ctx: Context, session: ProgrammeSession, kind: str, params: dict[str, Any]
) -> list[str]:
    """What the change will do, in sentences; refuses one that no longer applies."""
    registrants = len(await planning.confirmed_registrants(ctx.db, session.id))
    waiting = len(await planning.waitlisted_members(ctx.db, session.id))
    told = f"{plural(waiting, 'member')} on the waitlist will be told." if waiting else ""
    if kind == "cancel":
        day = format_day(session.starts_at, session.timezone)
        lines = [
            with_reason(
                f"The {session.season} session on {day} will be cancelled", params.get("reason")
            ),
            f"{plural(registrants, 'registrant')} will get a cancellation for their "
            "calendars, and their reminders are withdrawn.",
            told,
            "The channel is told.",
        ]
    elif kind == "reschedule":
        starts = session_admin.check_new_start(
            session, datetime.fromisoformat(params["starts_at"]), ctx.now
        )
        await refuse_same_start(ctx, starts, moving=session.id, nothing="changed")
        ends = starts + (session.ends_at - session.starts_at)
        old = format_span_and_utc(session.starts_at, session.ends_at, session.timezone)
        lines = [
            f"The {session.season} session moves from {old} "
            f"to {format_span_and_utc(starts, ends, session.timezone)}.",
            f"{plural(registrants, 'registrant')} will get the updated invitation, and their "
            "reminders move with it.",
            told,
        ]
    else:
        capacity = session_admin.check_capacity(session, params.get("seats"))
        keeping, moving = await session_admin.over_capacity(ctx.db, session, capacity)
        lines = [
            f"The {session.season} session will have {plural(capacity or 0, 'seat')}; "
            f"{registrants} are taken.",
            f"{plural(len(moving), 'registrant')} will move to the waitlist, at its front in "
            "the order they registered, and get a calendar cancellation: "
            f"{_names([r.name for r in moving])}.",
            f"Keeping their seats: {_names([r.name for r in keeping])}.",
        ]
    return [line for line in lines if line]


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    more = len(names) - MAX_NAMES
    return f"{shown} and {more} more" if more > 0 else shown
