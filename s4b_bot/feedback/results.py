"""Feedback as organizers and members see it: the numbers in `/s4b-admin stats`, the texts
(without names) and those who asked to be contacted in the summary export, a member's own
answers in `/s4b my-data`; and its erasure on forget-me and at retention.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.output import Card, Text
from s4b_bot.timefmt import format_date
from s4b_bot.words import plural
from storage.feedback import Feedback
from storage.models import Account, ProgrammeSession, Registration


def _numbers(answers: Sequence[Feedback]) -> str:
    """ "3 answers, average 4.3 of 5 (5★ 2 · 4★ 0 · 3★ 1 · 2★ 0 · 1★ 0), 1 wants contact"."""
    ratings = Counter(a.rating for a in answers)
    average = sum(a.rating for a in answers) / len(answers)
    spread = " · ".join(f"{n}★ {ratings[n]}" for n in range(5, 0, -1))
    contact = sum(1 for a in answers if a.contact)
    wants = "wants" if contact == 1 else "want"
    return (
        f"{plural(len(answers), 'answer')}, average {average:.1f} of 5 ({spread}), "
        f"{contact} {wants} to be contacted"
    )


async def stats_card(db: AsyncSession) -> Card:
    """The "Feedback" card of `/s4b-admin stats`: per session with answers."""
    rows = await db.execute(
        select(Feedback, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == Feedback.session_id)
        .order_by(ProgrammeSession.starts_at, Feedback.id)
    )
    by_session: dict[int, tuple[ProgrammeSession, list[Feedback]]] = {}
    for answer, session in rows:
        by_session.setdefault(session.id, (session, []))[1].append(answer)
    lines = [
        f"• {s.season} · {format_date(s.starts_at, s.timezone)}: {_numbers(answers)}"
        for s, answers in by_session.values()
    ]
    return Card(
        title="Feedback",
        body=(Text.of("\n".join(lines) or "No feedback yet."),),
    )


async def export_markdown(db: AsyncSession, session: ProgrammeSession) -> str | None:
    """The feedback section of a session's summary export, None with no answers: the
    numbers, every text without a name, then (organizers only: the export is theirs) the
    names and emails of those who asked to be contacted about collaboration."""
    answers = (
        await db.scalars(
            select(Feedback).where(Feedback.session_id == session.id).order_by(Feedback.id)
        )
    ).all()
    if not answers:
        return None
    parts = ["## Feedback", _numbers(answers) + "."]
    for key, label in (("worked", "What worked"), ("change", "What to change")):
        # In alphabetical order, not the order given: no text lines up with a name below.
        texts = sorted((getattr(a, key) for a in answers if getattr(a, key)), key=str.casefold)
        listed = "\n".join("- " + " ".join(t.split()) for t in texts) or "(nothing written)"
        parts.append(f"### {label} (anonymous)\n\n{listed}")
    contacts = await db.execute(
        select(Registration.name, Registration.email, Account.display_name)
        .join(Feedback, Feedback.member_id == Registration.member_id)
        .join(Account, Account.id == Registration.member_id)
        .where(
            Feedback.session_id == session.id,
            Registration.session_id == session.id,
            Feedback.contact.is_(True),
        )
        .order_by(Feedback.id)
    )
    people = [
        f"- {name or shown}" + (f" <{email}>" if email else "") for name, email, shown in contacts
    ]
    parts.append(
        "### Asked to be contacted about collaboration (for organizers only)\n\n"
        + ("\n".join(people) or "(nobody yet)")
    )
    return "\n\n".join(parts) + "\n"


def _when(value: datetime) -> str:
    return value.isoformat()


async def member_answers(db: AsyncSession, ids: Collection[int]) -> list[dict[str, Any]]:
    """A person's answers, for `/s4b my-data`."""
    rows = await db.execute(
        select(Feedback, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == Feedback.session_id)
        .where(Feedback.member_id.in_(list(ids)))
        .order_by(ProgrammeSession.starts_at)
    )
    return [
        {
            "session": {"id": s.id, "season": s.season, "title": s.title},
            "rating": a.rating,
            "what_worked": a.worked,
            "what_to_change": a.change,
            "wants_to_be_contacted": a.contact,
            "answered_at": _when(a.created_at),
            "changed_at": _when(a.updated_at),
        }
        for a, s in rows
    ]


async def erase(db: AsyncSession, ids: Collection[int]) -> int:
    """Forget-me: the person's answers are deleted, ratings and all."""
    result = await db.execute(delete(Feedback).where(Feedback.member_id.in_(list(ids))))
    return int(getattr(result, "rowcount", 0) or 0)


async def retain(db: AsyncSession, sessions: Select[Any]) -> int:
    """Retention: the answers about these sessions keep their rating only, nobody's (the
    texts and the wish to be contacted are blanked, the member unlinked)."""
    result = await db.execute(
        update(Feedback)
        .where(Feedback.session_id.in_(sessions), Feedback.member_id.is_not(None))
        .values(member_id=None, worked="", change="", contact=False)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def move(db: AsyncSession, from_id: int, to_id: int) -> None:
    """Linking accounts: `from_id`'s answers become `to_id`'s, one per session (where both
    answered, the later answer stays)."""
    theirs = {
        a.session_id: a
        for a in (await db.scalars(select(Feedback).where(Feedback.member_id == to_id))).all()
    }
    for answer in (await db.scalars(select(Feedback).where(Feedback.member_id == from_id))).all():
        other = theirs.get(answer.session_id)
        if other is not None and other.updated_at >= answer.updated_at:
            await db.delete(answer)
            continue
        if other is not None:
            await db.delete(other)
            await db.flush()
        answer.member_id = to_id
    await db.flush()
