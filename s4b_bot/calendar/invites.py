"""A member's own copy of a session: its calendar file (their alarms, the SEQUENCE of their
copy, an invitation naming them when they gave an email) and the card with the call details."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.calendar.ics import (
    Person,
    build_calendar,
    event_from_session,
    method_for,
    organizer_of,
)
from s4b_bot.output import Attachment, Card, Field, Text
from s4b_bot.programme.cards import when
from s4b_bot.settings import Settings
from s4b_bot.words import CALL_DETAILS_LATER
from storage import queries
from storage.models import Account, ProgrammeSession, Registration

ICS = "text/calendar"


def member_calendar_file(
    sessions: Sequence[ProgrammeSession],
    *,
    attendee: Person | None,
    sequences: Mapping[int, int],
    alarms: Sequence[timedelta],
    settings: Settings,
    now: datetime,
    filename: str,
    cancel: bool = False,
) -> Attachment:
    """A member's own calendar file: the call details and their alarms, at the SEQUENCE of
    their copy of each session (`sequences`); an invitation naming them when they gave an
    email, else what a subscriber imports (see `method_for`)."""
    method = method_for(attendee, cancel=cancel)
    events = [
        event_from_session(
            s,
            domain=settings.calendar_domain,
            include_call=not cancel,
            alarms=() if cancel else alarms,
            sequence=sequences.get(s.id),
            cancelled=cancel,
        )
        for s in sessions
    ]
    content = build_calendar(
        events,
        method=method,
        now=now,
        organizer=organizer_of(sessions[0].series, settings),
        attendee=attendee,
        name=sessions[0].series.name,
    )
    return Attachment(filename, content, f"{ICS}; method={method}")


def attendee_of(registration: Registration | None) -> Person | None:
    """The member as an invitation's ATTENDEE, when they gave an email."""
    if registration is None or not registration.email:
        return None
    return Person(registration.email, registration.name or None)


async def copy_sequences(
    db: AsyncSession, member: Account, sessions: Sequence[ProgrammeSession]
) -> dict[int, int]:
    """The SEQUENCE of the member's copy of each session, where one was sent."""
    copies = await queries.calendar_copies(
        db, member_id=member.id, session_ids=[s.id for s in sessions]
    )
    return {session_id: copy.sequence for session_id, copy in copies.items()}


def call_card(session: ProgrammeSession, member: Account) -> Card:
    """The session as a registrant sees it: when, in their zone, and the call details."""
    details = session.call_details or CALL_DETAILS_LATER
    return Card(
        title=f"{session.season} Session — {session.title}",
        fields=(Field("When", Text.of(when(session, member.timezone))),),
        body=(Text.of(f"Call details: {details}"),),
    )
