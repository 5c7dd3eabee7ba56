"""What a handler is given: who asked, the open transaction, "now", and the route table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.invocation import Actor
from s4b_bot.output import Attachment
from storage.models import Account

if TYPE_CHECKING:
    from s4b_bot.routing.table import RouteTable
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
    person: Account
    """Whose data this call reads and changes: the account that typed the command, or the
    account it is linked to (`/s4b link`), which holds the person's registrations."""
    settings: Settings
    routes: RouteTable
    files: tuple[Attachment, ...] = ()
    typed_by: Account | None = None
    """The platform account that typed the command, when it is not `person` itself."""
    audit: AuditNote = field(default_factory=AuditNote)

    @property
    def account(self) -> Account:
        """The platform account that typed the command."""
        return self.typed_by or self.person

    @property
    def viewer_zone(self) -> str | None:
        return self.person.timezone
