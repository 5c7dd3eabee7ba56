"""Planning what the bot sends later: every message is an outbox row, planned in the same
transaction as the change that causes it, with a dedupe key so planning twice is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox.kinds import OutboxKind
from storage import outbox, queries
from storage.models import Account, Community, ProgrammeSession, Registration


def member_message_row(
    *,
    kind: OutboxKind[...],
    dedupe_key: str,
    member: Account,
    platform: str,
    sessions: Sequence[ProgrammeSession],
    now: datetime,
    extra: dict[str, object] | None = None,
) -> dict[str, Any]:
    """A DM to one member about one or more sessions, due now (for `outbox.plan_many`)."""
    return {
        "dedupe_key": dedupe_key,
        "kind": kind.name,
        "due_at": now,
        "platform": platform,
        "member_id": member.id,
        "session_id": sessions[0].id if len(sessions) == 1 else None,
        "payload": {"sessions": [s.id for s in sessions], **(extra or {})},
    }


async def advance_copies(
    db: AsyncSession,
    *,
    kind: OutboxKind[...],
    member: Account,
    sessions: Sequence[ProgrammeSession],
    now: datetime,
) -> str:
    """Before planning a DM of `kind`: if it carries calendar files, the member's copy of
    each session moves on (the SEQUENCE the files will carry). Returns those versions as a
    suffix for its dedupe key: each new version is planned once however soon it follows
    the last (leaving and registering again within a second; the console's still clock),
    where a key of the time alone would take the second DM for the first and drop it."""
    if not kind.calendar:
        return ""
    versions = []
    for session in sessions:
        sequence = await queries.advance_calendar_copy(
            db, member_id=member.id, programme_session=session, now=now
        )
        versions.append(f"{session.id}.{sequence}")
    return ":v" + ",".join(versions)


async def plan_member_message(
    db: AsyncSession,
    *,
    kind: OutboxKind[...],
    dedupe_key: str,
    member: Account,
    platform: str,
    sessions: Sequence[ProgrammeSession],
    now: datetime,
    extra: dict[str, object] | None = None,
) -> bool:
    """A DM to one member about one or more sessions, due now."""
    versions = await advance_copies(db, kind=kind, member=member, sessions=sessions, now=now)
    row = member_message_row(
        kind=kind,
        dedupe_key=dedupe_key + versions,
        member=member,
        platform=platform,
        sessions=sessions,
        now=now,
        extra=extra,
    )
    return await outbox.plan_many(db, [row], now=now) == 1


async def plan_broadcast(
    db: AsyncSession,
    kind: OutboxKind[...],
    *,
    dedupe_key: str,
    due_at: datetime,
    now: datetime,
    session_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """A post to every community's channel (fanned out when due)."""
    return await outbox.plan(
        db,
        dedupe_key=dedupe_key,
        kind=kind.name,
        due_at=due_at,
        now=now,
        platform=None,
        session_id=session_id,
        payload=payload or {},
    )


async def confirmed_registrants(
    db: AsyncSession, session_id: int
) -> Sequence[tuple[Account, Community]]:
    return await _registrants(db, session_id, "confirmed")


async def waitlisted_members(
    db: AsyncSession, session_id: int
) -> Sequence[tuple[Account, Community]]:
    return await _registrants(db, session_id, "waitlisted")


async def _registrants(
    db: AsyncSession, session_id: int, status: str
) -> Sequence[tuple[Account, Community]]:
    rows = await db.execute(
        select(Account, Community)
        .join(Registration, Registration.member_id == Account.id)
        .join(Community, Community.id == Account.community_id)
        .where(Registration.session_id == session_id, Registration.status == status)
        .order_by(Account.id)
    )
    return [(m, c) for m, c in rows]
