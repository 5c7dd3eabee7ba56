"""The moderation records of members' messages in the bot's discussion threads (kept apart
from `storage.models` by size; registered on the same metadata)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ThreadMessage(Base):
    """A member's message in one of the bot's discussion threads, known to the bot because
    someone pointed at it to report it. Its text and author are for the organizers alone
    (the moderation queue); forget-me and retention clear them."""

    __tablename__ = "thread_messages"
    __table_args__ = (
        UniqueConstraint("platform", "community_id", "channel", "message_id"),
        CheckConstraint(
            "status IN ('visible', 'taken_down', 'removed', 'kept', 'still_up')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(64))
    """Where the message is: a Discord thread's id, a Slack channel, a console channel."""
    message_id: Mapped[str] = mapped_column(String(64))
    """A Discord message id, a Slack ts, a console message number."""
    thread_key: Mapped[str] = mapped_column(String(100))
    """The post whose discussion it is in: "summary:3", "idea:12"."""
    author_id: Mapped[str | None] = mapped_column(String(64))
    """The author's platform user id; None once forgotten."""
    text: Mapped[str | None] = mapped_column(Text)
    """What it said when it was reported; None once forgotten."""
    link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="visible")
    """visible; taken_down (enough reports: pending review); removed (an organizer
    removed it); kept (an organizer dismissed the reports); still_up (the platform did
    not let the bot delete it: the organizers were told how to by hand)."""
    created_at: Mapped[datetime]
