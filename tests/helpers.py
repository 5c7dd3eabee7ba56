"""Helpers shared by tests: run console scripts and read what came out."""

from __future__ import annotations

import io
import textwrap

from sqlalchemy import select

from adapters.console.repl import Console
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.output import Message, Outcome
from storage.models import ProgrammeSession


async def run_console(core: Core, clock: SettableClock, script: str, *, name: str = "Ada") -> str:
    """Feed a script to the console adapter, as `bot.py console` does.

    Returns the transcript flattened to single spaces (see `flat`).
    """
    out = io.StringIO()
    console = Console(core, clock, out=out, name=name, echo=True)
    await console.run_script(iter(textwrap.dedent(script).strip("\n").splitlines()))
    return flat(out.getvalue())


def flat(text: str) -> str:
    """Text with every run of white space made one space: the console wraps long lines.

    A wrapped line inside a card starts with the card's border, which is dropped too.
    """
    return " ".join(text.replace("\n│ ", " ").split())


def reply_text(outcome: Outcome) -> str:
    """All the plain text of an outcome's reply, for assertions."""
    assert outcome.reply is not None, outcome
    return message_text(outcome.reply)


def message_text(message: Message) -> str:
    from adapters.console.render import render_message

    return "\n".join(render_message(message, []))


async def register(core: Core, actor: Actor, *seasons: str, email: str | None = None) -> str:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        ids = {season.lower(): sid for season, sid in rows}
    values = {
        "name": actor.display_name,
        "about": "Neighbour",
        "email": email or "",
        "sessions": tuple(str(ids[s]) for s in seasons),
        "consent": True,
    }
    outcome = await core.submit(FormSubmission(actor, "register", values))
    assert not outcome.field_errors, outcome.field_errors
    return reply_text(outcome)


def confirm_button(outcome: Outcome) -> str | None:
    """The Confirm button of a preview (cancel, reschedule, fewer seats), if the reply is one."""
    if outcome.reply is None:
        return None
    for card in outcome.reply.cards:
        for button in card.buttons:
            if button.action.startswith("s4b:confirm_change:"):
                return button.action
    return None


async def confirmed(core: Core, actor: Actor, text: str) -> Outcome:
    """An organizer command, confirmed as an organizer presses Confirm when it previews."""
    outcome = await core.run_text(actor, "s4b-admin", text)
    action = confirm_button(outcome)
    return outcome if action is None else await core.press(actor, action)


async def accept_offer(core: Core, actor: Actor) -> Outcome:
    """Press Accept on the member's open waitlist offer (as its DM's button does)."""
    from storage.models import Account
    from storage.models_offers import WaitlistOffer

    async with core.db.transaction() as db:
        offer_id = await db.scalar(
            select(WaitlistOffer.id)
            .join(Account, Account.id == WaitlistOffer.member_id)
            .where(Account.user_id == actor.user_id, WaitlistOffer.status == "open")
        )
    assert offer_id is not None, f"{actor.display_name} has no open offer"
    return await core.press(actor, f"s4b:offer_accept:{offer_id}")
