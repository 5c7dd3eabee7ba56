"""The feedback table (a session's follow-up form), beside `models.py`, which is full."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Feedback(Base):
    """One member's answer to a session's follow-up form: a rating from 1 to 5, what worked,
    what to change, and whether they want to be contacted about collaboration. Answering
    again edits it; retention keeps only the rating, without the member."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    """None once retention has run: the rating stays for the counts, nobody's."""
    rating: Mapped[int]
    worked: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text)
    contact: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
