"""SQLAlchemy models. All times are stored in UTC; the constraints carry the invariants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true
from sqlalchemy.types import TypeDecorator

SESSION_STATUSES = ("scheduled", "rescheduled", "cancelled", "held")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC and hands back aware UTC, the same on SQLite and PostgreSQL."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Named constraints, so Alembic migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Series(Base):
    """A programme: a named run of sessions, with the texts members read about it."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    info: Mapped[dict[str, Any]]
    """Tagline, about, who should join, values, contact: as in the programme file."""
    created_at: Mapped[datetime]

    sessions: Mapped[list[ProgrammeSession]] = relationship(
        back_populates="series", order_by="ProgrammeSession.number"
    )


class ProgrammeSession(Base):
    """One working-group session ("session" alone would clash with the database session)."""

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("series_id", "number"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "status IN ('scheduled', 'rescheduled', 'cancelled', 'held')", name="status"
        ),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    number: Mapped[int]
    season: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    call_details: Mapped[str | None] = mapped_column(Text)
    """The call link and dial-in: private, shown only to registrants."""
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    status_note: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    """iCalendar SEQUENCE: bumped by every change an invitation must follow."""
    updated_at: Mapped[datetime]

    series: Mapped[Series] = relationship(back_populates="sessions")


class Community(Base):
    """A Slack workspace, a Discord guild, or the local console."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    reminder_offsets: Mapped[str | None] = mapped_column(String(100))
    """The community's default reminder offsets; None means the configured default."""
    created_at: Mapped[datetime]


class Account(Base):
    """A platform account in one community, known by the platform's user id. Accounts a
    person links (`/s4b link`) point at the one that holds that person's data."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminders_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    reminder_offsets: Mapped[str | None] = mapped_column(String(100))
    """The member's own offsets ("1d,1h"); None means the community's default."""
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    """Secret in the member's calendar feed URL; None until asked for, replaced on reset."""
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    """Set on an account linked to another (`/s4b link`): the account it acts as."""
    prefers_dm_here: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Of linked accounts, the one reminders go to."""
    created_at: Mapped[datetime]

    community: Mapped[Community] = relationship()


class Registration(Base):
    """A member's place in a session, with the answers they gave on the form."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    about: Mapped[str] = mapped_column(Text)
    organization: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    consent: Mapped[bool]
    status: Mapped[str] = mapped_column(String(16), default="confirmed", server_default="confirmed")
    attended: Mapped[bool | None]
    """Marked by organizers after the session (`/s4b-admin attendance`)."""
    """"confirmed", or "waitlisted" while the session is full (position: by id), or
    "former": ended when its session was cancelled, kept (with its answers) once the session
    is restored, so the member can come back with one press; no seat, no place in line."""
    created_at: Mapped[datetime]

    session: Mapped[ProgrammeSession] = relationship()
    member: Mapped[Account] = relationship()


class CalendarCopy(Base):
    """What a member's calendar holds of a session (its UID): the SEQUENCE and the ATTENDEE
    of the last file sent to them. It outlives the registration, so that the next file
    follows it: a CANCEL above it, a new invitation above that, "Add to calendar" the same.
    """

    __tablename__ = "calendar_copies"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int]
    attendee: Mapped[str | None] = mapped_column(String(254))
    """The email the file named as ATTENDEE (a REQUEST); None for a published copy."""
    updated_at: Mapped[datetime]

    session: Mapped[ProgrammeSession] = relationship()


OUTBOX_STATUSES = ("pending", "sent", "failed", "withdrawn", "unreachable", "in_bot")


class OutboxMessage(Base):
    """Something to send later, planned in the same transaction as the change behind it.

    The dispatcher claims due rows with a lease, sends them through the Platform port and
    marks them sent; `dedupe_key` makes planning the same message twice a no-op.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'withdrawn', 'unreachable', 'in_bot')",
            name="status",
        ),
        Index("ix_outbox_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str | None] = mapped_column(String(16))
    """Which platform's dispatcher sends it; None for a broadcast not yet fanned out."""
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE")
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    """When it was given up for good (status "failed", or "unreachable"), for organizers."""


class PlatformRef(Base):
    """What a platform called something we made there (a post, a scheduled event), per
    community, so later changes edit it instead of making another."""

    __tablename__ = "platform_refs"
    __table_args__ = (UniqueConstraint("platform", "community_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    """What it is, in the core's terms: "session:12", "summary:3"."""
    ref: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class Summary(Base):
    """A session's one-page summary, as the facilitator wrote it."""

    __tablename__ = "summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    insights: Mapped[str] = mapped_column(Text)
    recommendations: Mapped[str] = mapped_column(Text)
    resources: Mapped[str] = mapped_column(Text)
    collaboration: Mapped[str] = mapped_column(Text)
    attendance: Mapped[str | None] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    page_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Its web page answers at the plain address too; unlisted (False) by default."""
    page_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The secret part of the page's unlisted address (secrets.token_urlsafe)."""

    session: Mapped[ProgrammeSession] = relationship()


IDEA_STATUSES = ("open", "review", "carried", "done", "hidden", "merged")


class Idea(Base):
    """A follow-up idea between sessions; members vote on it, organizers move it along."""

    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'review', 'carried', 'done', 'hidden', 'merged')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    """None once the author asked to be forgotten: the idea stays, anonymous."""
    text: Mapped[str] = mapped_column(Text)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    carried_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL")
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    """Bumped when its post must be redrawn (votes, status)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Vote(Base):
    """One member's vote on one idea: +1 or -1, changeable."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("idea_id", "member_id"),
        CheckConstraint("value IN (-1, 1)", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    value: Mapped[int]
    created_at: Mapped[datetime]


class Report(Base):
    """A member's report of an idea or a post, waiting in the moderation queue."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    target: Mapped[str] = mapped_column(String(100))
    """"idea:12", or a platform post reference."""
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what to what, when and why: every moderation and organizer action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_platform: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(index=True)


class PendingChange(Base):
    """An organizer's change shown as a preview and waiting for Confirm or Back: what it
    would do to the session, as the session was when it was previewed (`fingerprint`)."""

    __tablename__ = "pending_changes"
    __table_args__ = ({"sqlite_autoincrement": True},)
    """Ids are never reused (the buttons carry them): an old Confirm cannot reach a new change."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    """"cancel", "reschedule" or "capacity"."""
    params: Mapped[dict[str, Any]]
    """What the organizer asked for: the reason, the new start, the seats."""
    fingerprint: Mapped[str] = mapped_column(String(500))
    """The session's state and who the change touches, as previewed."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LinkCode(Base):
    """A short one-time code that joins a member's accounts on two platforms."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
