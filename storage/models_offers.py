"""The waitlist's offers, a model apart from `storage.models` (which it extends, on the
same metadata): a freed seat held for the first in line until they answer or it expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

OFFER_STATUSES = ("open", "accepted", "declined", "expired", "withdrawn")


class WaitlistOffer(Base):
    """A freed seat offered to the first in line, held for them until they accept, decline
    or it expires; then it ends (kept, without the member once forgotten, for the stats)."""

    __tablename__ = "waitlist_offers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')", name="status"
        ),
        Index("ix_waitlist_offers_due", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    """None once the member asked to be forgotten, or the series' retention ran out."""
    status: Mapped[str] = mapped_column(String(16), default="open")
    """"open" (the seat is held), or how it ended: "withdrawn" when the seat went away
    (fewer seats, session cancelled), the member keeping their place in line."""
    offered_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
