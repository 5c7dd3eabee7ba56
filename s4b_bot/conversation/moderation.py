"""Moderation: members report ideas; organizers work through the queue, and lock, unlock or
archive discussion threads. Every organizer action lands in the audit log."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.conversation.ideas import IDEAS, find_idea, idea_number, redraw, tell_author
from s4b_bot.conversation.message_review import card_title, message_card, resolve_message
from s4b_bot.conversation.summaries import SUMMARIES
from s4b_bot.conversation.threads import plan_moderation
from s4b_bot.errors import FormInvalid, NotFound, UserError
from s4b_bot.invocation import FormValue
from s4b_bot.output import Card, Form, FormField, Message, Outcome, Text
from s4b_bot.programme.sessions import resolve
from s4b_bot.routing.route import Args
from s4b_bot.validate import clean_text
from s4b_bot.words import target_words
from storage import queries
from storage.models import Idea, Report, Summary

FORM_KEY = "report"
MAX_REASON = 500


async def report(ctx: Context, args: Args) -> Outcome:
    """`/s4b report <idea number> <reason>`."""
    idea = await find_idea(ctx.db, idea_number(args["idea"]))
    reason = clean_text("The reason", str(args["reason"]), max_length=MAX_REASON)
    return await _file_report(ctx, idea, reason)


def report_form(idea: Idea) -> Form:
    return Form(
        id=f"{FORM_KEY}:{idea.id}",
        title=f"Report idea #{idea.id}",
        intro="Tell the organizers what is wrong. Only they see reports.",
        submit_label="Report",
        fields=(FormField("reason", "What is wrong?", "long_text", max_length=MAX_REASON),),
    )


async def open_report_form(ctx: Context, idea_id: int) -> Outcome:
    """The Report button on an idea."""
    return Outcome(form=report_form(await find_idea(ctx.db, idea_id)))


async def submit_report(ctx: Context, idea_id: int, values: Mapping[str, FormValue]) -> Outcome:
    """The report form (`report:<idea>`), sent."""
    raw = values.get("reason")
    try:
        reason = clean_text(
            "The reason", raw if isinstance(raw, str) else "", max_length=MAX_REASON, multiline=True
        )
    except UserError as exc:
        raise FormInvalid({"reason": str(exc)}) from None
    return await _file_report(ctx, await find_idea(ctx.db, idea_id), reason)


async def _file_report(ctx: Context, idea: Idea, reason: str) -> Outcome:
    existing = await ctx.db.scalar(
        select(Report).where(
            Report.reporter_id == ctx.person.id,
            Report.target == f"idea:{idea.id}",
            Report.status == "open",
        )
    )
    if existing is not None:
        return Outcome(
            reply=Message.plain(f"You already reported idea #{idea.id}; the organizers have it.")
        )
    ctx.db.add(
        Report(
            reporter_id=ctx.person.id,
            target=f"idea:{idea.id}",
            reason=reason,
            status="open",
            created_at=ctx.now,
        )
    )
    return Outcome(
        reply=Message.plain(f"Thank you. Your report of idea #{idea.id} is with the organizers.")
    )


async def queue(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin queue`: open reports, oldest first."""
    reports = (
        await ctx.db.scalars(select(Report).where(Report.status == "open").order_by(Report.id))
    ).all()
    if not reports:
        return Outcome(reply=Message.plain("The moderation queue is empty."))
    cards = []
    by_message: dict[str, list[Report]] = {}
    for item in reports:
        if item.target.startswith("message:"):
            by_message.setdefault(item.target, []).append(item)
    for item in reports:
        if item.target.startswith("message:"):
            if by_message[item.target][0] is item:  # one card for all of a message's reports
                cards.append(await message_card(ctx, by_message[item.target]))
            continue
        body = [Text.of(f"Reason: {item.reason}")]
        if item.target.startswith("idea:"):
            idea = await ctx.db.get(Idea, int(item.target.split(":")[1]))
            if idea is not None:
                body.insert(0, Text.of(f"Idea #{idea.id} ({idea.status}): {idea.text[:300]}"))
        cards.append(Card(title=card_title(item), body=tuple(body)))
    hint = Text.of(
        "Resolve with `/s4b-admin resolve <report> dismiss|hide [note]`; a message in a "
        "thread: `dismiss`, `remove` it, or `slow` its thread (`--every 10m`)."
    )
    return Outcome(reply=Message(text=(hint,), cards=tuple(cards)))


async def resolve_report(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin resolve <report> dismiss|hide|remove|slow [note] [--every 10m]`."""
    number = str(args["report"]).strip().lstrip("#")
    item = (
        await ctx.db.get(Report, int(number))
        if number.isascii() and number.isdigit() and len(number) < 10
        else None
    )
    if item is None:
        raise NotFound(f"There is no report {number[:20]!r}. `/s4b-admin queue` lists them.")
    if item.status != "open":
        raise UserError(f"Report {item.id} is already resolved ({item.resolution}).")
    decision = str(args["decision"])
    note = str(args.get("note") or "").strip() or None
    if item.target.startswith("message:"):
        told = await resolve_message(ctx, item, decision, note, args.get("every"))
        return Outcome(reply=Message.plain(told))
    if decision not in ("dismiss", "hide"):
        raise UserError(
            f"Report {item.id} is about {target_words(item.target)}: `dismiss` or `hide`."
        )
    if decision == "hide" and item.target.startswith("idea:"):
        idea = await find_idea(ctx.db, int(item.target.split(":")[1]))
        if idea.status != "hidden":
            idea.status = "hidden"
            await redraw(ctx.db, idea, ctx.now)
            await tell_author(ctx, idea, "hidden by the organizers", note)
    item.status, item.resolution, item.resolved_at = (
        "resolved",
        decision + (f": {note}" if note else ""),
        ctx.now,
    )
    audit.record(ctx, f"report {decision}", f"report:{item.id} on {item.target}", note)
    return Outcome(reply=Message.plain(f"Report {item.id} resolved ({decision})."))


async def thread_action(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin thread lock|unlock|archive idea <n> | summary <session>`."""
    action = str(args["action"])
    target = str(args["target"]).strip()
    kind, _, rest = target.partition(" ")
    if kind.lower() == "idea":
        idea = await find_idea(ctx.db, idea_number(rest))
        key, channel, label = f"idea:{idea.id}", IDEAS, f"idea #{idea.id}"
    elif kind.lower() == "summary":
        session = resolve(await queries.all_sessions(ctx.db), rest, now=ctx.now)
        summary = await ctx.db.scalar(select(Summary).where(Summary.session_id == session.id))
        if summary is None:
            raise NotFound(f"The {session.season} session has no summary, so no thread.")
        key, channel, label = f"summary:{summary.id}", SUMMARIES, f"the {session.season} summary"
    else:
        raise UserError("Name the thread: `idea 12` or `summary spring`.")
    await plan_moderation(ctx.db, key=key, channel=channel, action=action, now=ctx.now)
    audit.record(ctx, f"thread {action}", key, None)
    return Outcome(
        reply=Message.plain(
            f"The discussion of {label}: {action} requested on every platform. Where a platform "
            "cannot (Slack has no thread lock), `/s4b-admin deliveries` says so."
        )
    )
