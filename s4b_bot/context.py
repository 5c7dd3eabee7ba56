"""What a handler is given: who asked, the open transaction, and "now"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.invocation import Actor
from s4b_bot.output import Attachment
from storage.models import Member

if TYPE_CHECKING:
    from s4b_bot.catalogue import Catalogue
    from s4b_bot.settings import Settings


@dataclass
class AuditNote:
    """This call's audit entry, written by the core once the call has succeeded. Handlers
    refine it (`audit.record`); for a "change" or "export" command the core fills in the rest."""

    action: str | None = None
    target: str | None = None
    reason: str | None = None
    unchanged: bool = False
    """The call only showed something or found nothing to change: no entry."""


@dataclass
class Context:
    actor: Actor
    db: AsyncSession
    now: datetime
    member: Member
    settings: Settings
    catalogue: Catalogue
    files: tuple[Attachment, ...] = ()
    account: Member | None = None
    """The platform account that typed the command, when linked to `member` (`/s4b link`);
    otherwise None and `member` is that account."""
    audit: AuditNote = field(default_factory=AuditNote)

    @property
    def own_account(self) -> Member:
        return self.account or self.member

    @property
    def viewer_zone(self) -> str | None:
        return self.member.timezone
