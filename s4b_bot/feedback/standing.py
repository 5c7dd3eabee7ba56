"""Where a member stands after a session, for its follow-up: came (asked for feedback),
missed it (attendance was taken and they were not marked), or neither (not registered).

Attendance is only ever marked (`/s4b-admin attendance`), so a session with nobody marked
has not had its attendance taken: then every confirmed registrant counts as having come.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import queries
from storage.feedback import Feedback
from storage.models import ProgrammeSession, Registration


class Standing(StrEnum):
    CAME = "came"
    MISSED = "missed"


async def attendance_taken(db: AsyncSession, session_id: int) -> bool:
    marked = await db.scalar(
        select(func.count()).where(
            Registration.session_id == session_id, Registration.attended.is_(True)
        )
    )
    return bool(marked)


async def standing(db: AsyncSession, member_id: int, session: ProgrammeSession) -> Standing | None:
    """None unless the member holds a confirmed seat in the session."""
    registration = await queries.registration(db, member_id=member_id, session_id=session.id)
    if registration is None or registration.status != "confirmed":
        return None
    if registration.attended or not await attendance_taken(db, session.id):
        return Standing.CAME
    return Standing.MISSED


async def answer_of(db: AsyncSession, member_id: int, session_id: int) -> Feedback | None:
    """The member's feedback on the session, if they gave it."""
    return await db.scalar(
        select(Feedback).where(Feedback.member_id == member_id, Feedback.session_id == session_id)
    )
