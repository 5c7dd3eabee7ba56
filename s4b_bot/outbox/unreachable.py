"""DMs that cannot reach their member: kept for the member to see in the bot, and, where
the platform has private threads (Discord), posted for a seat holder in their session's
private thread instead (the `thread_note` kind), with nothing personal in it; one who asks
to be forgotten is taken out of those threads (the `thread_leave` kind).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.errors import PermanentFailure
from s4b_bot.outbox.cache import (
    cached_community,
    cached_member,
    cached_session,
    confirmed_registration,
    dm_account,
)
from s4b_bot.outbox.kinds import Change, Draft, Rendering, Withdraw, channel_post, member_dm, ts
from s4b_bot.output import Card, Field, Message, Text
from s4b_bot.ports import Clock, Platform, Recipient, SessionThread, SessionThreads
from s4b_bot.programme.cards import starts, when
from s4b_bot.words import CALL_DETAILS_LATER
from storage import outbox, waiting
from storage.db import Database
from storage.models import Account, OutboxMessage, ProgrammeSession

SEAT_KINDS = frozenset({"invitation", "update", "promoted", "new_email"})
"""DMs that give a seat holder their invitation: in the thread, the session and its call."""
REMINDER_KINDS = frozenset({"reminder"})
THREAD_KINDS = SEAT_KINDS | REMINDER_KINDS
"""What a seat holder whose DMs are closed gets in the session's thread; the rest (a
cancellation, a waitlist notice) waits for them in the bot only."""


def thread_key(session_id: int) -> str:
    """Where the ref of a session's private thread is kept, per community."""
    return f"session_thread:{session_id}"


def thread_name(session: ProgrammeSession) -> str:
    return f"{session.season} session: messages for registrants"


async def record(
    db: AsyncSession,
    row_id: int,
    failure: PermanentFailure,
    *,
    worker: str,
    now: datetime,
    threads: bool,
) -> None:
    """The DM `row_id` cannot reach its member: keep it for them (or record that it was
    shown to them once); with `threads`, plan its note in each session thread they hold a
    seat in."""
    row = await waiting.mark_unreachable(
        db, row_id, worker=worker, error=f"permanent: {failure}", now=now, shown=failure.shown
    )
    if row is None or failure.shown or not threads or row.kind not in THREAD_KINDS:
        return
    ids = [row.session_id] if row.session_id is not None else row.payload.get("sessions", [])
    for session_id in ids:
        await outbox.plan(
            db,
            dedupe_key=THREAD_NOTE.key(row=row, session_id=int(session_id)),
            kind=THREAD_NOTE.name,
            due_at=now,
            now=now,
            platform=row.platform,
            member_id=row.member_id,
            session_id=int(session_id),
            payload={"of": row.id, "about": row.kind},
        )


async def _render_note(r: Rendering) -> Draft:
    """The note in the session's thread: a mention, the session, and for a seat holder its
    call details (every member of the thread holds a seat: nobody else is ever added)."""
    assert r.member is not None and r.row.session_id is not None
    original = await r.db.get(OutboxMessage, int(r.row.payload.get("of", 0)))
    if original is None or original.status != waiting.UNREACHABLE:
        raise Withdraw("the message it stands for was seen, withdrawn or erased")
    session = await cached_session(r.db, r.row.session_id)
    if session is None or session.status == "cancelled":
        raise Withdraw("session cancelled or gone")
    if session.ends_at <= r.now:
        raise Withdraw("session over")
    if await confirmed_registration(r.db, r.member, session) is None:
        raise Withdraw("no seat: a waitlisted member is never added to the thread")
    if r.row.payload.get("about") in REMINDER_KINDS:
        lead = Text.of(
            f"Reminder: the {session.season} session starts ", starts(session, r.now, None), "."
        )
    else:
        lead = Text.of(f"You have a seat in the {session.season} session.")
    why = Text.of(
        "I could not send you a direct message, so I post it here, in a thread only "
        "registrants I cannot reach see. Your calendar file waits for you: use any /s4b "
        "command and it comes with the reply, privately."
    )
    ref = await outbox.get_ref(
        r.db, platform=r.platform, community_id=r.community.id, key=thread_key(session.id)
    )
    leave = await _without_seats(r, session) if ref is not None else ()
    return Draft(
        Message(text=(lead, why), cards=(_call(session),)),
        in_thread=SessionThread(session.id, thread_name(session), ref, leave),
    )


async def _without_seats(r: Rendering, session: ProgrammeSession) -> tuple[str, ...]:
    """Members of this community added to the thread earlier who hold no seat now: out
    before the call details are posted again."""
    leaving = []
    for member_id in sorted(await waiting.members_sent(r.db, THREAD_NOTE.name, session.id)):
        member = await cached_member(r.db, member_id)
        if member is None or await confirmed_registration(r.db, member, session) is not None:
            continue
        account = await dm_account(r.db, member)
        if account.community_id == r.community.id:
            leaving.append(account.user_id)
    return tuple(leaving)


def _call(session: ProgrammeSession) -> Card:
    """The session and its call, as every seat holder may read it (no one's own zone)."""
    return Card(
        title=f"{session.season} Session — {session.title}",
        fields=(Field("When", Text.of(when(session, None))),),
        body=(Text.of(f"Call details: {session.call_details or CALL_DETAILS_LATER}"),),
    )


def _note_key(*, row: OutboxMessage, session_id: int) -> str:
    return f"thread_note:{row.id}:{session_id}"


THREAD_NOTE = member_dm(
    "thread_note",
    "note in the session's private thread",
    _note_key,
    _render_note,
    [Change.CANCEL, Change.UNREGISTER, Change.FORGET_ME],
)


async def plan_leaving(db: AsyncSession, accounts: Collection[Account], *, now: datetime) -> None:
    """Forget-me, before the notes that brought these accounts into session threads are
    erased: plan taking each account out of every such thread in its community. The
    platform's user id waits in the row only until it is carried out (`BLANKED_WHEN_DONE`)."""
    noted = await waiting.sessions_noted(db, THREAD_NOTE.name, [a.id for a in accounts])
    for platform, session_id in sorted(noted):
        for account in accounts:
            community = await cached_community(db, account.community_id)
            if community is None or community.platform != platform:
                continue
            await outbox.plan(
                db,
                dedupe_key=THREAD_LEAVE.key(session_id=session_id, account=account, now=now),
                kind=THREAD_LEAVE.name,
                due_at=now,
                now=now,
                platform=platform,
                community_id=account.community_id,
                session_id=session_id,
                payload={"user": account.user_id},
            )


async def _render_leave(r: Rendering) -> Draft:
    """Take the forgotten account out of the session's thread, if this community has one."""
    user = r.row.payload.get("user")
    if r.row.session_id is None or not user:
        raise Withdraw("nobody to take out")
    key = thread_key(r.row.session_id)
    ref = await outbox.get_ref(r.db, platform=r.platform, community_id=r.community.id, key=key)
    if ref is None:
        raise Withdraw("no thread of this session here")
    return Draft(Message(), in_thread=SessionThread(r.row.session_id, "", ref, (str(user),)))


def _leave_key(*, session_id: int, account: Account, now: datetime) -> str:
    return f"thread_leave:{session_id}:{account.id}:{ts(now)}"


THREAD_LEAVE = channel_post(
    "thread_leave",
    "taking a member who asked to be forgotten out of a session's private thread",
    _leave_key,
    _render_leave,
    [],
)
KINDS = (THREAD_NOTE, THREAD_LEAVE)


class ThreadNotes:
    """Posts thread notes one at a time, each into the thread the one before it made, so
    two notes for one session in a batch make one thread, not two."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._one_at_a_time = asyncio.Lock()

    async def post(
        self,
        platform: Platform,
        recipient: Recipient,
        thread: SessionThread,
        message: Message,
        *,
        community_id: int,
    ) -> str:
        """Through the platform's private threads (a platform without them cannot); the
        thread's ref is kept for the next note."""
        if not isinstance(platform, SessionThreads) or not platform.private_threads:
            raise PermanentFailure(f"{platform.name} has no private threads")
        key = thread_key(thread.session_id)
        async with self._one_at_a_time:
            async with self.db.reading() as db:
                ref = await outbox.get_ref(
                    db, platform=platform.name, community_id=community_id, key=key
                )
            made = await platform.post_in_session_thread(
                recipient, replace(thread, ref=ref or thread.ref), message
            )
            if made != ref:
                async with self.db.transaction() as db:
                    await outbox.save_ref(
                        db,
                        platform=platform.name,
                        community_id=community_id,
                        key=key,
                        ref=made,
                        now=self.clock.now(),
                    )
            return made

    async def leave(self, platform: Platform, community: str | None, thread: SessionThread) -> None:
        """Take `thread.leave` out of the thread, posting nothing."""
        if not isinstance(platform, SessionThreads) or not platform.private_threads:
            raise PermanentFailure(f"{platform.name} has no private threads")
        assert community is not None
        await platform.leave_session_thread(community, thread)
