"""The commands that turn reminders off and on or set their times, and plan them again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.outbox import registry
from s4b_bot.outbox.kinds import Change
from s4b_bot.output import Message, Outcome
from s4b_bot.reminders.kind import plan_reminders
from s4b_bot.reminders.offsets import (
    effective_offsets,
    format_offsets,
    parse_offsets,
    store_offsets,
)
from s4b_bot.routing.route import Args
from s4b_bot.words import plural
from storage.models import Account, Community, ProgrammeSession, Registration


async def set_reminders(ctx: Context, args: Args) -> Outcome:
    """`/s4b reminders [off|on|<offsets>]`."""
    choice = str(args.get("setting") or "").strip().lower()
    member = ctx.person
    community = await member.awaitable_attrs.community
    default = ctx.settings.reminder_offsets
    if not choice:
        current = effective_offsets(member, community, default)
        state = format_offsets(current) + " before each session" if current else "off"
        return Outcome(
            reply=Message.plain(
                f"Your reminders: {state}.",
                "Change them with `/s4b reminders off`, `/s4b reminders on` or "
                "`/s4b reminders 1d,1h`.",
            )
        )
    if choice == "off":
        member.reminders_enabled = False
    elif choice == "on":
        member.reminders_enabled = True
    else:
        offsets = parse_offsets(choice)
        member.reminders_enabled = True
        member.reminder_offsets = store_offsets(offsets)
    planned = await replan_member_reminders(ctx.db, member, community, ctx.now, default)
    if not member.reminders_enabled:
        return Outcome(
            reply=Message.plain("Reminders are off. `/s4b reminders on` brings them back.")
        )
    offsets = effective_offsets(member, community, default)
    return Outcome(
        reply=Message.plain(
            f"You will be reminded {format_offsets(offsets)} before each of your sessions "
            f"({plural(planned, 'reminder')} planned)."
        )
    )


async def set_community_reminders(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin reminders [<offsets>|default]`: this community's reminder times."""
    community = await ctx.account.awaitable_attrs.community
    choice = str(args.get("setting") or "").strip().lower()
    if not choice:
        current = community.reminder_offsets or ctx.settings.reminder_offsets
        shown = format_offsets(parse_offsets(current))
        audit.unchanged(ctx)
        return Outcome(
            reply=Message.plain(f"This community's reminders: {shown} before each session.")
        )
    community.reminder_offsets = (
        None if choice == "default" else store_offsets(parse_offsets(choice))
    )
    members = (
        await ctx.db.scalars(
            select(Account).where(
                Account.community_id == community.id, Account.reminder_offsets.is_(None)
            )
        )
    ).all()
    planned = 0
    for member in members:
        planned += await replan_member_reminders(
            ctx.db, member, community, ctx.now, ctx.settings.reminder_offsets
        )
    audit.record(ctx, "reminders default", f"community:{community.id}", choice)
    offsets = format_offsets(
        parse_offsets(community.reminder_offsets or ctx.settings.reminder_offsets)
    )
    return Outcome(
        reply=Message.plain(
            f"Reminders in this community now come {offsets} before each session "
            f"({plural(planned, 'reminder')} planned again; members who chose their own keep "
            "them)."
        )
    )


async def replan_member_reminders(
    db: AsyncSession, member: Account, community: Community, now: datetime, default: str
) -> int:
    """After a member changes their reminder settings: withdraw and plan again."""
    await registry.withdraw(db, Change.REMINDER_SETTINGS, member_id=member.id)
    offsets = effective_offsets(member, community, default)
    sessions = await db.scalars(
        select(ProgrammeSession)
        .join(Registration, Registration.session_id == ProgrammeSession.id)
        .where(
            Registration.member_id == member.id,
            Registration.status == "confirmed",
            ProgrammeSession.status != "cancelled",
            ProgrammeSession.starts_at > now,
        )
    )
    planned = 0
    for session in sessions:
        planned += await plan_reminders(
            db,
            session=session,
            member=member,
            platform=community.platform,
            offsets=offsets,
            now=now,
        )
    return planned
