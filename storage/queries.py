"""Data functions. Each takes a session and never commits: the caller owns the transaction."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from storage.models import (
    Account,
    CalendarCopy,
    Community,
    ProgrammeSession,
    Registration,
    Series,
)


def insert_for(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, for ON CONFLICT DO NOTHING."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


async def ensure_community(
    session: AsyncSession, *, platform: str, external_id: str, now: datetime
) -> Community:
    """The community row, created on first sight (safe against a race)."""
    where = (Community.platform == platform, Community.external_id == external_id)
    community = await session.scalar(select(Community).where(*where))
    if community is None:
        await session.execute(
            insert_for(session, Community)
            .values(platform=platform, external_id=external_id, created_at=now)
            .on_conflict_do_nothing(index_elements=["platform", "external_id"])
        )
        community = await session.scalar(select(Community).where(*where))
    assert community is not None
    return community


USER_ID_LENGTH = 64
"""The length of `members.user_id`: a longer id is refused before any work (Slack's and
Discord's are about 20 characters; only a hand-made one could be longer)."""
NAME_LENGTH = 200
"""The length of `members.display_name`."""


def storable_name(name: str) -> str:
    """A display name as the platform gave it, made storable: without control characters
    or lone surrogate halves (which no database takes), cut to NAME_LENGTH."""
    kept = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cs"))
    return kept[:NAME_LENGTH]


async def ensure_member(
    session: AsyncSession,
    *,
    platform: str,
    community: str,
    user_id: str,
    display_name: str,
    now: datetime,
) -> tuple[Account, bool]:
    """The member for this platform user, created on first sight (safe against a race),
    and whether this call created it.

    One query when the member is known; three on first sight.
    """
    display_name = storable_name(display_name)
    created = False
    member = await session.scalar(
        select(Account)
        .join(Community, Community.id == Account.community_id)
        .options(contains_eager(Account.community))
        .where(
            Community.platform == platform,
            Community.external_id == community,
            Account.user_id == user_id,
        )
    )
    if member is None:
        home = await ensure_community(session, platform=platform, external_id=community, now=now)
        member = await session.scalar(
            insert_for(session, Account)
            .values(
                community_id=home.id, user_id=user_id, display_name=display_name, created_at=now
            )
            .on_conflict_do_nothing(index_elements=["community_id", "user_id"])
            .returning(Account)
        )
        created = member is not None
        if member is None:  # created by a concurrent request a moment ago
            member = await session.scalar(
                select(Account).where(Account.community_id == home.id, Account.user_id == user_id)
            )
        assert member is not None
        member.community = home  # known already: no lazy load later
    assert member is not None
    if display_name and member.display_name != display_name:
        member.display_name = display_name
    return member, created


async def series_by_key(session: AsyncSession, key: str) -> Series | None:
    return await session.scalar(select(Series).where(Series.key == key))


async def all_sessions(session: AsyncSession) -> Sequence[ProgrammeSession]:
    """Every session of every series, in time order, with its series loaded."""
    result = await session.scalars(
        select(ProgrammeSession)
        .options(selectinload(ProgrammeSession.series))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    )
    return result.all()


async def next_session_number(session: AsyncSession) -> int:
    """The number a new session gets: one more than any session's, in any series, so a
    number names one session whatever the series or year."""
    highest = await session.scalar(select(func.max(ProgrammeSession.number)))
    return int(highest or 0) + 1


async def session_by_id(session: AsyncSession, session_id: int) -> ProgrammeSession | None:
    return await session.scalar(
        select(ProgrammeSession)
        .options(selectinload(ProgrammeSession.series))
        .where(ProgrammeSession.id == session_id)
    )


FORMER = "former"
"""A registration's status once its cancelled session is restored (see the model)."""


async def registrations_of(session: AsyncSession, member_id: int) -> Sequence[Registration]:
    result = await session.scalars(
        select(Registration)
        .options(selectinload(Registration.session).selectinload(ProgrammeSession.series))
        .where(Registration.member_id == member_id, Registration.status != FORMER)
    )
    return sorted(result.all(), key=lambda r: r.session.starts_at)


async def registration(
    session: AsyncSession, *, member_id: int, session_id: int
) -> Registration | None:
    return await session.scalar(
        select(Registration).where(
            Registration.member_id == member_id, Registration.session_id == session_id
        )
    )


async def waitlist_position(session: AsyncSession, registration: Registration) -> int:
    """A waitlisted registration's place in line, from 1."""
    ahead = await session.scalar(
        select(func.count()).where(
            Registration.session_id == registration.session_id,
            Registration.status == "waitlisted",
            Registration.id < registration.id,
        )
    )
    return int(ahead or 0) + 1


async def latest_registration(session: AsyncSession, member_id: int) -> Registration | None:
    """The member's most recent answers, to fill in the form for them next time."""
    return await session.scalar(
        select(Registration)
        .where(Registration.member_id == member_id)
        .order_by(Registration.created_at.desc(), Registration.id.desc())
        .limit(1)
    )


async def add_registration(session: AsyncSession, **values: Any) -> bool:
    """Insert a registration; False if the member already had one for that session (a
    former one, of a cancelled and restored session, gives way to the new answers).

    One statement when there was none (the usual case): the former one is looked for only
    when the insert met one."""
    insert = (
        insert_for(session, Registration)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["session_id", "member_id"])
        .returning(Registration.id)
    )
    if (await session.execute(insert)).scalar() is not None:
        return True
    former = await session.execute(
        delete(Registration).where(
            Registration.session_id == values["session_id"],
            Registration.member_id == values["member_id"],
            Registration.status == FORMER,
        )
    )
    if not getattr(former, "rowcount", 0):
        return False
    return (await session.execute(insert)).scalar() is not None


async def remove_registration(
    session: AsyncSession, *, member_id: int, session_id: int
) -> str | None:
    """Delete a registration; its status ("confirmed", "waitlisted"), or None if none (a
    former one is deleted too, and counts as none)."""
    result = await session.execute(
        delete(Registration)
        .where(Registration.member_id == member_id, Registration.session_id == session_id)
        .returning(Registration.status)
    )
    status: str | None = result.scalar()
    return None if status == FORMER else status


async def confirmed_counts(session: AsyncSession) -> dict[int, int]:
    """Seats taken (confirmed registrations, not the waitlist) per session id."""
    rows = await session.execute(
        select(Registration.session_id, func.count())
        .where(Registration.status == "confirmed")
        .group_by(Registration.session_id)
    )
    return {session_id: count for session_id, count in rows}


async def advance_calendar_copy(
    session: AsyncSession, *, member_id: int, programme_session: ProgrammeSession, now: datetime
) -> int:
    """A new calendar file for the member's copy of a session is planned: its SEQUENCE is the
    session's, or one above the last one sent to them when that is not lower (their own
    unregistration, a new invitation after it). The ATTENDEE is their registration's email;
    with no registration left (a cancel after unregistering) it stays the one invited.
    Returns the new SEQUENCE."""
    registration_row = await registration(
        session, member_id=member_id, session_id=programme_session.id
    )
    insert = insert_for(session, CalendarCopy).values(
        member_id=member_id,
        session_id=programme_session.id,
        sequence=programme_session.sequence,
        attendee=registration_row.email if registration_row else None,
        updated_at=now,
    )
    new = insert.excluded
    result = await session.execute(
        insert.on_conflict_do_update(
            index_elements=["member_id", "session_id"],
            set_={
                "sequence": case(
                    (new.sequence > CalendarCopy.sequence, new.sequence),
                    else_=CalendarCopy.sequence + 1,
                ),
                "attendee": new.attendee if registration_row else CalendarCopy.attendee,
                "updated_at": now,
            },
        ).returning(CalendarCopy.sequence)
    )
    sequence: int = result.scalar_one()
    return sequence


async def calendar_copies(
    session: AsyncSession, *, member_id: int, session_ids: Sequence[int]
) -> dict[int, CalendarCopy]:
    """The member's copies of these sessions, by session id (none for a session never sent)."""
    rows = await session.scalars(
        select(CalendarCopy)
        .where(CalendarCopy.member_id == member_id, CalendarCopy.session_id.in_(list(session_ids)))
        .execution_options(populate_existing=True)
    )
    return {copy.session_id: copy for copy in rows}
