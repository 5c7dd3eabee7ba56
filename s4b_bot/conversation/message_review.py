"""The organizers' side of reported thread messages: their card in the queue (the text, kept
for them alone, and the link), and resolving them: dismiss, remove the message, or slow its
thread down."""

from __future__ import annotations

import re

from sqlalchemy import update

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.conversation.message_actions import (
    MAX_SLOW,
    every,
    message_ref,
    plan_message_action,
)
from s4b_bot.errors import UserError
from s4b_bot.output import Card, Text
from s4b_bot.timefmt import format_day
from s4b_bot.words import plural, target_words
from storage.models import Report
from storage.thread_models import ThreadMessage

DECISIONS = ("dismiss", "remove", "slow")
DEFAULT_SLOW = 60
MIN_SLOW = 30
"""The shortest slow mode offered (README, help): below it, `off` is what is meant."""
_PART = r"(\d{1,5})\s*(hours?|h|minutes?|mins?|m|seconds?|secs?|s)"
_INTERVAL = re.compile(rf"\d{{1,5}}|(?:{_PART}\s*)+")
_UNIT = {"s": 1, "m": 60, "h": 3600}
MSG_TOO_SHORT = (
    "Slow mode must leave at least 30 seconds (30s) between a member's messages; "
    "`--every off` turns it off. Nothing changed."
)
STATUS_WORDS = {
    "visible": "still up",
    "taken_down": "taken down pending your review",
    "removed": "removed",
    "kept": "kept",
    "still_up": "still up: I could not delete it, and told the organizers' channel how",
}


def parse_interval(text: str | None) -> int:
    """`30s`, `10m`, `2h`, `1h30m` (a bare number is seconds) as seconds, from 30 seconds
    to Discord's 6 hours; `off` is 0, the only way to turn slow mode off."""
    word = (text or "").strip().lower()
    if not word:
        return DEFAULT_SLOW
    if word == "off":
        return 0
    if _INTERVAL.fullmatch(word) is None:
        raise UserError(
            f"{word[:20]!r} is not a slow-mode interval: use 30s, 10m, 2h, 1h30m "
            "(at most 6h) or off."
        )
    parts = re.findall(_PART, word) or [(word, "s")]
    seconds = sum(int(number) * _UNIT[unit[0]] for number, unit in parts)
    if seconds < MIN_SLOW:
        raise UserError(MSG_TOO_SHORT)
    if seconds > MAX_SLOW:
        raise UserError("Slow mode can be at most 6 hours (6h) between a member's messages.")
    return seconds


async def message_card(ctx: Context, reports: list[Report]) -> Card:
    """The open reports of one thread message, for the queue: where it is, what it said
    (kept for the organizers alone), its link, and each report's reason."""
    first = reports[0]
    row = await ctx.db.get(ThreadMessage, int(first.target.split(":")[1]))
    numbers = ", ".join(f"#{r.id}" for r in reports)
    named = "a message"
    if row is not None:  # as the audit log names it
        named = target_words(await message_ref(ctx.db, row, beside=first.id))
    title = f"{'Report' if len(reports) == 1 else 'Reports'} {numbers} on {named} · " + (
        format_day(first.created_at, audit.PROGRAMME_ZONE)
    )
    body = [Text.of(f"Reason (#{r.id}): {r.reason}") for r in reports]
    if row is not None:
        said = row.text if row.text is not None else "(forgotten at its author's request)"
        body[:0] = [
            Text.of(
                f"On {row.platform} ({STATUS_WORDS[row.status]}; "
                f"{plural(len(reports), 'member')} reported it):"
            ),
            Text.of(f"“{said[:600]}”"),
            *([Text.of(f"Link: {row.link}")] if row.link else []),
        ]
    return Card(title=title, body=tuple(body))


def card_title(item: Report) -> str:
    return (
        f"Report #{item.id} on {target_words(item.target)} · "
        f"{format_day(item.created_at, audit.PROGRAMME_ZONE)}"
    )


async def resolve_message(
    ctx: Context, item: Report, decision: str, note: str | None, interval: str | None
) -> str:
    """Dismiss, remove or slow; every open report of the same message is resolved with
    it. Returns what the organizer is told."""
    if decision not in DECISIONS:
        raise UserError(
            f"Report {item.id} is about a message in a thread: `dismiss` it, `remove` the "
            "message, or `slow` the thread (`--every 10m`)."
        )
    row = await ctx.db.get(ThreadMessage, int(item.target.split(":")[1]))
    if row is None:
        raise UserError(f"The message of report {item.id} is no longer on record.")
    seconds = parse_interval(interval) if decision == "slow" else 0
    thread = f"the discussion of {target_words(row.thread_key)}"
    was_down = row.status == "taken_down"  # deleted, or asked to be
    if decision == "dismiss":
        row.status = "kept"
        told = "The message stays as it is."
        if was_down and row.text is not None:
            told = (
                "The message had been taken down after its reports (once deleted, no "
                f"platform brings it back); it said: “{row.text[:600]}”, for its author to "
                "post again if they wish."
            )
    elif decision == "remove":
        row.status = "removed"
        await plan_message_action(ctx.db, row, action="delete", now=ctx.now)
        told = (
            f"Removing the message from {thread} on {row.platform}. If I may not (Slack lets "
            "a bot delete only its own messages; on Discord I need Manage Messages), the "
            "organizers' channel and `/s4b-admin deliveries` say how to remove it by hand."
        )
    else:
        await plan_message_action(ctx.db, row, action="slow", now=ctx.now, seconds=seconds)
        pace = f"one message per {every(seconds)} per member" if seconds else "no slow mode"
        told = (
            f"Setting {thread} on {row.platform} to {pace}. Where the platform has no slow "
            "mode (Slack), the organizers' channel says so and what to do instead."
        )
    others = await _resolve_all(ctx, row, decision, note)
    extra = f" With it, {plural(others, 'other report')} of the same message." if others else ""
    audit.record(
        ctx,
        f"report {decision}",
        f"report:{item.id} on {await message_ref(ctx.db, row, beside=item.id)}",
        note if decision != "slow" else f"every {every(seconds)}" + (f"; {note}" if note else ""),
    )
    return f"Report {item.id} resolved ({decision}).{extra} {told}"


async def _resolve_all(ctx: Context, row: ThreadMessage, decision: str, note: str | None) -> int:
    """Resolve every open report of the message; how many besides the one named."""
    result = await ctx.db.execute(
        update(Report)
        .where(Report.target == f"message:{row.id}", Report.status == "open")
        .values(
            status="resolved",
            resolution=decision + (f": {note}" if note else ""),
            resolved_at=ctx.now,
        )
        .execution_options(synchronize_session="fetch")
    )
    return max(int(getattr(result, "rowcount", 0) or 0) - 1, 0)
