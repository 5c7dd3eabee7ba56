"""Member commands that show the programme's texts: help (generated from the route table),
about, values, contact."""

from __future__ import annotations

from typing import Any

from s4b_bot.context import Context
from s4b_bot.errors import UserError
from s4b_bot.output import Card, Message, Outcome, Text
from s4b_bot.programme.sessions import current_series_id
from s4b_bot.routing.route import MEMBER_ROOT, ORGANIZER_ROOT, Args
from storage import queries


async def _series_info(ctx: Context) -> tuple[str, dict[str, Any]]:
    sessions = await queries.all_sessions(ctx.db)
    series_id = current_series_id(sessions, ctx.now)
    for s in sessions:
        if s.series_id == series_id:
            return s.series.name, s.series.info
    return "The working group", {}


def _paragraphs(text: str) -> tuple[Text, ...]:
    return tuple(Text.of(p.strip()) for p in text.split("\n\n") if p.strip())


async def show_help(ctx: Context, args: Args) -> Outcome:
    wanted = args.get("command")
    roots = [MEMBER_ROOT] + ([ORGANIZER_ROOT] if ctx.actor.is_organizer else [])
    if wanted:
        text = str(wanted).strip().lstrip("/").lower()
        for root in (ORGANIZER_ROOT, MEMBER_ROOT):
            if text.startswith(f"{root} "):
                roots, text = [root], text.removeprefix(f"{root} ")
                break
        found = [c for c in (ctx.routes.find(root, text) for root in roots) if c]
        if not found:
            raise UserError(ctx.routes.unknown_message(roots[0], text))
        command = found[0]
        lines = [f"`{command.usage}`", command.summary]
        lines += [f"• {o.name}: {o.description}" for o in command.options]
        if command.example:
            lines.append(f"Example: `{command.example}`")
        return Outcome(reply=Message.plain("\n".join(lines)))
    cards = []
    for root in roots:
        commands = ctx.routes.for_root(root)
        listing = "\n".join(f"`{c.usage}` — {c.summary}" for c in commands)
        title = "Member commands" if root == MEMBER_ROOT else "Organizer commands"
        cards.append(Card(title=title, body=(Text.of(listing),)))
    lead = Text.of(
        "I run the Strategy for Belonging Working Group: see the sessions, register, "
        "and keep the conversation going. `/s4b help <command>` explains one command."
    )
    return Outcome(reply=Message(text=(lead,), cards=tuple(cards)))


async def show_about(ctx: Context, args: Args) -> Outcome:
    name, info = await _series_info(ctx)
    cards = []
    for title, key in (
        ("What is a working group?", "what_is_a_working_group"),
        ("What is the Strategy for Belonging Working Group?", "about"),
        ("Who should join?", "who_should_join"),
    ):
        if info.get(key):
            cards.append(Card(title=title, body=_paragraphs(info[key])))
    lead = [Text.of(name)]
    if info.get("tagline"):
        lead.append(Text.of(info["tagline"]))
    lead.append(Text.of("`/s4b sessions` lists the sessions; `/s4b register` signs you up."))
    return Outcome(reply=Message(text=tuple(lead), cards=tuple(cards)))


async def show_values(ctx: Context, args: Args) -> Outcome:
    _, info = await _series_info(ctx)
    values = info.get("values") or []
    if not values:
        return Outcome(reply=Message.plain("This programme has not published its values yet."))
    body = "\n".join(f"• {v}" for v in values)
    intro = info.get("values_intro") or "Our values"
    card = Card(
        title="Our values — the community guidelines",
        body=(Text.of(intro), Text.of(body)),
    )
    return Outcome(reply=Message(cards=(card,)))


async def show_contact(ctx: Context, args: Args) -> Outcome:
    _, info = await _series_info(ctx)
    email = ctx.settings.contact_email or info.get("contact_email")
    name = info.get("contact_name")
    if not email and not name:
        return Outcome(reply=Message.plain("No contact has been configured for this programme."))
    who = f"{name} at {email}" if name and email else (name or email)
    return Outcome(reply=Message.plain(f"Have questions? Reach out to {who}."))
