"""What an outbox row says, decided when it is sent: the kind's renderer (from the registry)
sees the session as it is now and the member's own zone and reminders. A row that no longer
applies (session cancelled, member unregistered) becomes a reason to withdraw it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox.cache import cached_community, cached_member, dm_account
from s4b_bot.outbox.kinds import Draft, Recipients, Rendering, Withdraw
from s4b_bot.outbox.registry import BY_NAME
from s4b_bot.ports import Recipient
from s4b_bot.settings import Settings
from storage.models import OutboxMessage


@dataclass(frozen=True)
class Delivery:
    """One send: a rendered draft and where it goes, a DM (`recipient`) or a community's
    channel post or calendar sync (`community`)."""

    platform: str
    draft: Draft
    recipient: Recipient | None = None
    community: str | None = None
    community_id: int | None = None
    """Where stored refs and links are kept, with `platform`."""


async def render(
    db: AsyncSession, row: OutboxMessage, *, settings: Settings, now: datetime
) -> Delivery:
    kind = BY_NAME.get(row.kind)
    if kind is None:
        raise Withdraw(f"unknown kind {row.kind}")
    if kind.recipients is Recipients.COMMUNITY:
        if row.community_id is None or row.platform is None:
            raise Withdraw("no community")
        community = await cached_community(db, row.community_id)
        if community is None:
            raise Withdraw("community gone")
        draft = await kind.render(Rendering(db, row, community, None, settings, now))
        return Delivery(
            row.platform, draft, community=community.external_id, community_id=community.id
        )
    if row.member_id is None or row.platform is None:
        raise Withdraw("no recipient")
    member = await cached_member(db, row.member_id)
    if member is None:
        raise Withdraw("member gone")
    account = await dm_account(db, member)
    dm_community = await cached_community(db, account.community_id)
    assert dm_community is not None
    recipient = Recipient(dm_community.external_id, account.user_id, account.display_name)
    draft = await kind.render(Rendering(db, row, dm_community, member, settings, now))
    return Delivery(dm_community.platform, draft, recipient=recipient, community_id=dm_community.id)
