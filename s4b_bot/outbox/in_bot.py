"""What could not reach a member, shown to them the next time they use the bot: a private
note folded into their own private reply (or App Home), each message once, only those that
still apply, drawn as they would be sent now.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from s4b_bot.context import Context
from s4b_bot.outbox.kinds import Withdraw
from s4b_bot.outbox.registry import BY_NAME, MEMBER_KINDS
from s4b_bot.outbox.rendering import render
from s4b_bot.output import Attachment, Button, Card, Message, Outcome, Text
from s4b_bot.words import plural
from storage import outbox, waiting
from storage.models import OutboxMessage

_log = logging.getLogger(__name__)

SHOWN_AT_ONCE = 5
"""At most this many in one reply; the rest come with the next."""
LOOKED_AT = 50
"""Waiting messages read at once, to find those a later one supersedes."""
NOTE_TITLE = "A message could not reach you: {what}"
MSG_MORE = "More messages could not reach you: they come with your next command."


async def with_waiting(ctx: Context, outcome: Outcome) -> Outcome:
    """The outcome with the member's waiting messages added, if its reply is theirs alone
    (private, not a form: a modal cannot carry them). Shown ones are marked delivered."""
    reply = outcome.reply
    if reply is None or outcome.public or outcome.form is not None:
        return outcome
    rows = await waiting.waiting_for(ctx.db, ctx.person.id, _KINDS, limit=LOOKED_AT)
    if not rows:
        return outcome
    old = _superseded(rows)
    for row in old:
        await outbox.mark_withdrawn(ctx.db, row.id, reason=SUPERSEDED)
    rows = [r for r in rows if r not in old]
    cards: list[Card] = []
    files: list[Attachment] = []
    shown: list[int] = []
    for row in rows[:SHOWN_AT_ONCE]:
        message = await _drawn(ctx, row)
        if message is not None:
            cards.append(_note(row, message))
            files += message.attachments
            shown.append(row.id)
    await waiting.mark_in_bot(ctx.db, shown, now=ctx.now)
    if not cards:
        return outcome
    more = [Text.of(MSG_MORE)] if len(rows) > SHOWN_AT_ONCE else []
    note = Message(
        text=(*reply.text, *more),
        cards=(*reply.cards, *cards),
        attachments=(*reply.attachments, *_newest(files)),
        key=reply.key,
    )
    _log.info("showed %s that could not be sent", plural(len(cards), "waiting message"))
    return replace(outcome, reply=note)


_KINDS = tuple(kind for kind in MEMBER_KINDS if kind != "thread_note")
SUPERSEDED = "superseded by a newer message about the same session"


def _superseded(rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Calendar DMs (an invitation, its updates, a cancellation) each bring their sessions
    as they are now: one whose every session a later one covers says nothing more."""
    covered: set[int] = set()
    old: list[OutboxMessage] = []
    for row in reversed(rows):
        kind = BY_NAME.get(row.kind)
        if kind is None or not kind.calendar:
            continue
        sessions = {int(s) for s in row.payload.get("sessions") or ()}
        if sessions and sessions <= covered:
            old.append(row)
        covered |= sessions
    return old


async def _drawn(ctx: Context, row: OutboxMessage) -> Message | None:
    """The message as it would be sent now; None (and withdrawn) if it no longer applies."""
    try:
        delivery = await render(ctx.db, row, settings=ctx.settings, now=ctx.now)
    except Withdraw as reason:
        await outbox.mark_withdrawn(ctx.db, row.id, reason=str(reason))
        return None
    except Exception as exc:  # one message that cannot be drawn must not cost the reply
        _log.error("cannot draw waiting outbox row %s", row.id, exc_info=exc)
        return None
    return delivery.draft.message


def _newest(files: list[Attachment]) -> list[Attachment]:
    """One file per name, the newest (an invitation's update supersedes its first file)."""
    return list({f.filename: f for f in files}.values())


def _note(row: OutboxMessage, message: Message) -> Card:
    """One waiting message as a card: its words, then its cards' (titles, fields, bodies)."""
    body: list[Text] = list(message.text)
    buttons: list[Button] = []
    for card in message.cards:
        body.append(Text.of(card.title))
        body += [Text.of(f"{f.label}: ", *f.value.spans) for f in card.fields]
        body += card.body
        buttons += card.buttons
    kind = BY_NAME.get(row.kind)
    what = kind.label if kind is not None else "a message"
    return Card(title=NOTE_TITLE.format(what=what), body=tuple(body), buttons=tuple(buttons))
