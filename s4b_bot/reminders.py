"""The member command that turns reminders off and on or sets their times."""

from __future__ import annotations

from s4b_bot.catalogue import Args
from s4b_bot.context import Context
from s4b_bot.offsets import effective_offsets, format_offsets, parse_offsets
from s4b_bot.output import Message, Outcome
from s4b_bot.planning import replan_member_reminders


async def set_reminders(ctx: Context, args: Args) -> Outcome:
    """`/s4b reminders [off|on|<offsets>]`."""
    choice = str(args.get("setting") or "").strip().lower()
    member = ctx.member
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
        member.reminder_offsets = ",".join(f"{int(o.total_seconds() // 60)}m" for o in offsets)
    planned = await replan_member_reminders(ctx.db, member, community, ctx.now, default)
    if not member.reminders_enabled:
        return Outcome(
            reply=Message.plain("Reminders are off. `/s4b reminders on` brings them back.")
        )
    offsets = effective_offsets(member, community, default)
    return Outcome(
        reply=Message.plain(
            f"You will be reminded {format_offsets(offsets)} before each of your sessions "
            f"({planned} reminders planned)."
        )
    )
