"""What one dispatcher round has already read, so rendering a batch costs a few queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.outbox.kinds import Rendering, Withdraw
from s4b_bot.programme.sessions import reference
from storage import queries
from storage.models import Account, Community, OutboxMessage, ProgrammeSession, Registration


def _cache(db: AsyncSession) -> dict[str, Any]:
    """What one dispatcher round has already read (kept on its database session)."""
    return db.info.setdefault("s4b_render_cache", {})  # type: ignore[no-any-return]


async def cached_session(db: AsyncSession, session_id: int) -> ProgrammeSession | None:
    sessions = _cache(db).setdefault("sessions", {})
    if session_id not in sessions:
        sessions[session_id] = await queries.session_by_id(db, session_id)
    found: ProgrammeSession | None = sessions[session_id]
    return found


async def cached_reference(db: AsyncSession, session: ProgrammeSession) -> str:
    """What members type to name `session` (sessions read once a round)."""
    cache = _cache(db)
    if "all_sessions" not in cache:
        cache["all_sessions"] = await queries.all_sessions(db)
    return reference(session, cache["all_sessions"])


async def cached_community(db: AsyncSession, community_id: int) -> Community | None:
    communities = _cache(db).setdefault("communities", {})
    if community_id not in communities:
        communities[community_id] = await db.get(Community, community_id)
    found: Community | None = communities[community_id]
    return found


async def cached_member(db: AsyncSession, member_id: int) -> Account | None:
    found: Account | None = _cache(db).get("members", {}).get(member_id)
    return found or await db.get(Account, member_id)


async def sessions_of(r: Rendering) -> list[ProgrammeSession]:
    """The sessions a DM is about (its payload's, else its row's); withdrawn if all are gone."""
    sessions = [
        s
        for sid in r.row.payload.get("sessions", [r.row.session_id])
        if sid is not None and (s := await cached_session(r.db, int(sid))) is not None
    ]
    if not sessions:
        raise Withdraw("session gone")
    return sessions


async def dm_account(db: AsyncSession, member: Account) -> Account:
    """Of a person's linked accounts, the one they chose for DMs (`/s4b link here`)."""
    cache = _cache(db)
    if "chose_dm" not in cache:  # one query a round, not one a message
        cache["chose_dm"] = set(
            (
                await db.scalars(
                    select(Account.person_id).where(
                        Account.person_id.is_not(None), Account.prefers_dm_here.is_(True)
                    )
                )
            ).all()
        )
    if member.id not in cache["chose_dm"]:
        return member
    chosen = await db.scalar(
        select(Account).where(Account.person_id == member.id, Account.prefers_dm_here.is_(True))
    )
    return chosen or member


async def prefetch(db: AsyncSession, rows: Sequence[OutboxMessage]) -> None:
    """Load a batch's members and their confirmed registrations in two queries, instead of
    two for every message (a fan-out of thousands of reminders draws far faster)."""
    member_ids = {r.member_id for r in rows if r.member_id is not None}
    if not member_ids:
        return
    members = (await db.scalars(select(Account).where(Account.id.in_(member_ids)))).all()
    registrations = await db.scalars(
        select(Registration).where(
            Registration.member_id.in_(member_ids), Registration.status == "confirmed"
        )
    )
    cache = _cache(db)
    cache["members"] = {m.id: m for m in members}  # held here: the identity map is weak
    cache["registrations"] = {(r.member_id, r.session_id): r for r in registrations}
    cache["registrations_of"] = member_ids


async def confirmed_registration(
    db: AsyncSession, member: Account, session: ProgrammeSession
) -> Registration | None:
    """The member's seat in the session, if they hold one."""
    cache = _cache(db)
    if member.id in cache.get("registrations_of", ()):
        found: Registration | None = cache["registrations"].get((member.id, session.id))
        return found
    return await db.scalar(
        select(Registration).where(
            Registration.member_id == member.id,
            Registration.session_id == session.id,
            Registration.status == "confirmed",
        )
    )
