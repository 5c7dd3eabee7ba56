"""Reporting a message in the bot's discussion threads: the platform's own gesture opens a
form asking why; the report joins the organizers' queue, and enough reports from different
members take the message down pending review (as Discourse does).

The reporter is never named to anyone else; the message's text and author stay in its
record for the organizers' queue alone, and never reach a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.conversation.message_actions import message_ref, plan_message_action
from s4b_bot.errors import FormInvalid, NotFound, UserError
from s4b_bot.invocation import ChatMessage, FormValue
from s4b_bot.output import Form, FormField, Message, Outcome
from s4b_bot.validate import clean_text
from s4b_bot.words import plural, target_words
from storage.models import Account, PlatformRef, Report
from storage.thread_models import ThreadMessage

FORM_KEY = "report_message"
GESTURE = "Report to organizers"
"""The gesture's name in the message's menu (Discord's context menu, Slack's shortcut)."""
CALLBACK_ID = "report_message"
MAX_REASON = 500
MAX_KEPT = 4000
"""Characters of the message's text kept for the organizers (Discord allows 4000)."""
THREAD_KINDS = ("summary", "idea")
"""The posts whose threads are the bot's discussions."""
UNREPORTED_KEPT = timedelta(days=1)
"""A message pointed at but never reported (the form was closed) is forgotten after this."""

MSG_NOT_A_THREAD = (
    "Only messages in my discussion threads (under a session summary or an idea) can be "
    "reported this way, so nothing was stored. For anything else, write to the organizers."
)
MSG_OWN_POST = "That is a bot's post, not a member's message, so nothing was stored. {then}"
OWN_IDEA = "To report an idea, use the Report button on it (or `/s4b report <idea> <reason>`)."
OWN_OTHER = (
    f"To report a message in its discussion, use {GESTURE} on that message; about the post "
    "itself, write to the organizers."
)
MSG_ALREADY = "You already reported this message; the organizers have it. Nothing more was stored."
MSG_GONE = "I no longer know that message (the form may be old). Report it again from the message."
MSG_THANKS = "Thank you. Your report is with the organizers; no one else sees it or your name."


async def thread_of(
    db: AsyncSession, community_id: int, platform: str, under: tuple[str, ...]
) -> str | None:
    """The key of the bot's post ("idea:12") whose discussion thread hangs under one of
    `under`, or None: a ref matches when it is that post, alone or with later pieces."""
    if not under:
        return None
    matches = [PlatformRef.ref == ref for ref in under] + [
        PlatformRef.ref.startswith(ref + ",", autoescape=True) for ref in under
    ]
    kinds = [PlatformRef.key.startswith(f"{kind}:") for kind in THREAD_KINDS]
    return await db.scalar(
        select(PlatformRef.key)
        .where(
            PlatformRef.platform == platform,
            PlatformRef.community_id == community_id,
            or_(*kinds),
            or_(*matches),
        )
        .order_by(PlatformRef.id)
        .limit(1)
    )


def report_form(row: ThreadMessage) -> Form:
    return Form(
        id=f"{FORM_KEY}:{row.id}",
        title=GESTURE,
        intro=(
            "Tell the organizers what is wrong with this message. Only they see reports, "
            "and your name is shown to no one else."
        ),
        submit_label="Report",
        fields=(FormField("reason", "What is wrong?", "long_text", max_length=MAX_REASON),),
    )


async def _reported_by(db: AsyncSession, row: ThreadMessage, person: Account) -> bool:
    found = await db.scalar(
        select(Report.id)
        .where(Report.target == f"message:{row.id}", Report.reporter_id == person.id)
        .limit(1)
    )
    return found is not None


async def open_report(ctx: Context, message: ChatMessage) -> Outcome:
    """The gesture: the form asking why, for a message in one of the bot's threads."""
    community_id, platform = ctx.account.community_id, ctx.actor.platform
    if message.by_bot:  # the post itself: an idea has its own Report button
        refs = (message.message_id, f"{message.channel}:{message.message_id}", *message.under)
        post = await thread_of(ctx.db, community_id, platform, refs) or ""
        then = OWN_IDEA if post.startswith("idea:") else OWN_OTHER
        return Outcome(reply=Message.plain(MSG_OWN_POST.format(then=then)))
    key = await thread_of(ctx.db, community_id, platform, message.under)
    if key is None:
        return Outcome(reply=Message.plain(MSG_NOT_A_THREAD))
    row = await ctx.db.scalar(
        select(ThreadMessage).where(
            ThreadMessage.platform == platform,
            ThreadMessage.community_id == community_id,
            ThreadMessage.channel == message.channel[:64],
            ThreadMessage.message_id == message.message_id[:64],
        )
    )
    if row is not None and await _reported_by(ctx.db, row, ctx.person):
        return Outcome(reply=Message.plain(MSG_ALREADY))
    if row is None:
        row = ThreadMessage(
            platform=platform,
            community_id=community_id,
            channel=message.channel[:64],
            message_id=message.message_id[:64],
            thread_key=key,
            author_id=message.author_id[:64],
            text=message.text[:MAX_KEPT],
            link=(message.link or None) and message.link[:500],
            status="visible",
            created_at=ctx.now,
        )
        ctx.db.add(row)
        await ctx.db.flush()
    return Outcome(form=report_form(row))


async def submit_report(ctx: Context, row_id: int, values: Mapping[str, FormValue]) -> Outcome:
    """The form (`report_message:<id>`), sent: the report joins the queue; the threshold's
    report takes the message down pending review."""
    raw = values.get("reason")
    try:
        reason = clean_text(
            "The reason", raw if isinstance(raw, str) else "", max_length=MAX_REASON, multiline=True
        )
    except UserError as exc:
        raise FormInvalid({"reason": str(exc)}) from None
    row = await ctx.db.get(ThreadMessage, row_id)
    if row is None or row.platform != ctx.actor.platform:
        raise NotFound(MSG_GONE)
    if await _reported_by(ctx.db, row, ctx.person):
        return Outcome(reply=Message.plain(MSG_ALREADY))
    target = f"message:{row.id}"
    ctx.db.add(
        Report(
            reporter_id=ctx.person.id,
            target=target,
            reason=reason,
            status="open",
            created_at=ctx.now,
        )
    )
    await ctx.db.flush()
    reporters = await open_reporters(ctx.db, row)
    threshold = ctx.settings.takedown_reports
    where = await message_ref(ctx.db, row)
    audit.automatic(
        ctx.db,
        actor="a member (not named)",
        platform=row.platform,
        action="message reported",
        target=where,
        reason=f"{plural(reporters, 'open report')}; {threshold} take it down",
        now=ctx.now,
    )
    if reporters >= threshold and row.status == "visible":
        await take_down(ctx.db, row, reporters=reporters, now=ctx.now)
    return Outcome(reply=Message.plain(MSG_THANKS))


async def open_reporters(db: AsyncSession, row: ThreadMessage) -> int:
    """How many different members have an open report of this message."""
    count = await db.scalar(
        select(func.count(func.distinct(Report.reporter_id))).where(
            Report.target == f"message:{row.id}", Report.status == "open"
        )
    )
    return int(count or 0)


async def take_down(db: AsyncSession, row: ThreadMessage, *, reporters: int, now: datetime) -> None:
    """Enough members reported it: take it down pending the organizers' review. Discord
    deletes it (its text stays in the record); where the bot cannot (Slack lets a bot
    delete only its own messages, or the permission is missing) the organizers are told at
    once, with how to do it by hand."""
    row.status = "taken_down"
    why = f"reported by {reporters} members"
    await plan_message_action(db, row, action="delete", reason=why, now=now, takedown=True)
    audit.automatic(
        db,
        actor="S4B (automatic)",
        platform=row.platform,
        action="message taken down",
        target=await message_ref(db, row),
        reason=f"{why}; pending review",
        now=now,
    )


async def forget_authored(db: AsyncSession, accounts: list[Account]) -> None:
    """Forget-me: the person's own messages, as reported, lose their text and author."""
    for account in accounts:
        await db.execute(
            update(ThreadMessage)
            .where(
                ThreadMessage.community_id == account.community_id,
                ThreadMessage.author_id == account.user_id,
            )
            .values(text=None, author_id=None)
            .execution_options(synchronize_session=False)
        )


async def authored_data(db: AsyncSession, accounts: list[Account]) -> list[dict[str, Any]]:
    """My-data: the person's own messages as kept for a report (what they said, where);
    never who reported them or why."""
    rows = (
        await db.scalars(
            select(ThreadMessage)
            .where(
                or_(
                    *(
                        (ThreadMessage.community_id == a.community_id)
                        & (ThreadMessage.author_id == a.user_id)
                        for a in accounts
                    )
                )
            )
            .order_by(ThreadMessage.id)
        )
    ).all()
    return [
        {
            "text": row.text,
            "where": f"the discussion of {target_words(row.thread_key)}",
            "platform": row.platform,
            "link": row.link,
            "kept_since": row.created_at.isoformat(),
        }
        for row in rows
    ]


async def prune_unreported(db: AsyncSession, *, now: datetime) -> None:
    """Retention: messages pointed at but never reported (the form was closed) go."""
    reported = select(Report.id).where(
        Report.target == literal("message:") + cast(ThreadMessage.id, String)
    )
    await db.execute(
        delete(ThreadMessage)
        .where(ThreadMessage.created_at < now - UNREPORTED_KEPT, ~reported.exists())
        .execution_options(synchronize_session=False)
    )
