"""The follow-up DM, some time after a session ends (`followup_after_minutes`, default an
hour): who came gets a button that opens the feedback form; who was registered and missed
it gets the summary (or word that it follows: the summary notice tells every registrant
when it is posted) and the next session with its Register button. Its outbox kind, and its
rows, planned with each seat next to the reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.conversation.summaries import summary_message
from s4b_bot.feedback.standing import Standing, answer_of, standing
from s4b_bot.outbox.cache import cached_reference, cached_session
from s4b_bot.outbox.kinds import Change, Draft, Rendering, Withdraw, member_dm, ts
from s4b_bot.output import Button, Card, Message, Text
from s4b_bot.programme.cards import SEAT, Place, session_card
from s4b_bot.programme.sessions import is_open
from s4b_bot.routing.actions import action_id
from s4b_bot.settings import Settings
from storage import queries
from storage.models import Account, ProgrammeSession, Summary

FEEDBACK = "feedback"
"""The verb of the DM's button (`s4b:feedback:<session>`): never rename it."""


async def _render(r: Rendering) -> Draft:
    assert r.member is not None
    session = None if r.row.session_id is None else await cached_session(r.db, r.row.session_id)
    if session is None:
        raise Withdraw("session gone")
    if session.status == "cancelled":
        raise Withdraw("session cancelled")
    if ts(session.ends_at) != r.row.payload.get("ends_at"):
        raise Withdraw("session moved")
    where = await standing(r.db, r.member.id, session)
    if where is None:
        raise Withdraw("not registered")
    if where is Standing.CAME:
        return Draft(await _ask(r.db, r.member, session))
    return Draft(await _missed(r.db, r.member, session, now=r.now, settings=r.settings))


async def _ask(db: AsyncSession, member: Account, session: ProgrammeSession) -> Message:
    answered = await answer_of(db, member.id, session.id) is not None
    reference = await cached_reference(db, session)
    card = Card(
        title="Your feedback",
        body=(
            Text.of(
                "How it went (1 to 5), what worked, what to change, and whether you would "
                "like to be contacted about collaboration. The organizers see your answers; "
                "your name only if you say yes to being contacted."
            ),
            Text.of(
                "You have already answered: the button shows your answers to change."
                if answered
                else f"The button opens the form; `/s4b feedback {reference}` does too."
            ),
        ),
        buttons=(Button("Give feedback", action_id(FEEDBACK, session.id), "primary"),),
    )
    lead = Text.of(
        f"Thank you for coming to the {session.season} session, “{session.title}”! "
        "Four short questions help the organizers shape the next ones."
    )
    return Message(text=(lead,), cards=(card,))


NEXT_SESSION = "The next session, if you would like to join it"


async def _missed(
    db: AsyncSession,
    member: Account,
    session: ProgrammeSession,
    *,
    now: datetime,
    settings: Settings,
) -> Message:
    text = [Text.of(f"We missed you at the {session.season} session, “{session.title}”.")]
    cards: list[Card] = []
    summary = await db.scalar(select(Summary).where(Summary.session_id == session.id))
    if summary is not None:
        text.append(Text.of("Here is its summary, so you can catch up:"))
        posted = summary_message(summary, session, settings)
        text += posted.text
        cards += posted.cards
    else:
        text.append(Text.of("Its summary is not posted yet; I will send you word when it is."))
    upcoming = sorted(
        (s for s in await queries.all_sessions(db) if s.id != session.id and is_open(s, now)),
        key=lambda s: s.starts_at,
    )
    if upcoming:
        following = upcoming[0]
        # A heading card, not a line of text: a message's text comes before its cards, and
        # this line belongs after the summary's sections, just above the session's card.
        cards.append(Card(title=NEXT_SESSION))
        place = await _place(db, member, following)
        cards.append(session_card(following, now=now, viewer_zone=member.timezone, place=place))
    else:
        text.append(Text.of("No next session is scheduled yet; `/s4b sessions` will show it."))
    return Message(text=tuple(text), cards=tuple(cards))


async def _place(db: AsyncSession, member: Account, session: ProgrammeSession) -> Place | None:
    registration = await queries.registration(db, member_id=member.id, session_id=session.id)
    if registration is None or registration.status == queries.FORMER:
        return None
    if registration.status == "confirmed":
        return SEAT
    return Place(waiting_at=await queries.waitlist_position(db, registration))


def _key(*, session: ProgrammeSession, member: Account) -> str:
    return f"followup:{session.id}:{member.id}:{ts(session.ends_at)}"


FOLLOWUP = member_dm(
    "followup",
    "follow-up after a session (feedback form, or what was missed)",
    _key,
    _render,
    [Change.RESCHEDULE, Change.CANCEL, Change.UNREGISTER, Change.FORGET_ME],
)
KINDS = (FOLLOWUP,)


FOLLOWUP_AFTER = timedelta(hours=1)
"""The default wait after a session's end (`Settings.followup_after_minutes`)."""


def followup_after(settings: Settings) -> timedelta:
    """The configured wait after a session's end before its follow-up goes out."""
    return timedelta(minutes=settings.followup_after_minutes)


def followup_rows(
    *, session: ProgrammeSession, member: Account, platform: str, after: timedelta
) -> list[dict[str, Any]]:
    """The follow-up row of one member's seat (for `outbox.plan_many`), due `after` the
    session ends. A reschedule withdraws it and the new seat's row takes its place."""
    return [
        {
            "dedupe_key": FOLLOWUP.key(session=session, member=member),
            "kind": FOLLOWUP.name,
            "due_at": session.ends_at + after,
            "platform": platform,
            "member_id": member.id,
            "session_id": session.id,
            "payload": {"ends_at": ts(session.ends_at)},
        }
    ]
