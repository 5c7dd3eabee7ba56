"""A series' year-in-review page: public or unlisted behind its secret token (kept apart
from `storage.models` by size; registered on the same metadata)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from storage.models import Base


class ReviewPage(Base):
    """Who may open a series' year in review: made on the first `/s4b-admin review`,
    unlisted (only its secret token opens it) until an organizer makes it public."""

    __tablename__ = "review_pages"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), primary_key=True
    )
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    token: Mapped[str] = mapped_column(String(64), unique=True)
