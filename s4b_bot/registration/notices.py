"""The DMs about a member's seat: invitation, update, promotion, the invitation again to a
new email, cancellation (each with a
calendar file) and the waitlist's notice; their outbox kinds and how they are planned."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.calendar.ics import Person, file_name
from s4b_bot.calendar.invites import (
    attendee_of,
    call_card,
    copy_sequences,
    member_calendar_file,
)
from s4b_bot.feedback.kind import followup_after, followup_rows
from s4b_bot.outbox import planning
from s4b_bot.outbox.cache import confirmed_registration, sessions_of
from s4b_bot.outbox.kinds import (
    Change,
    Draft,
    OutboxKind,
    P,
    Renderer,
    Rendering,
    Withdraw,
    member_dm,
    ts,
)
from s4b_bot.output import Attachment, Message, Moment, Text
from s4b_bot.programme.cards import when
from s4b_bot.registration import offers
from s4b_bot.reminders.kind import reminder_rows
from s4b_bot.reminders.offsets import effective_offsets
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_day
from s4b_bot.words import with_reason
from storage import outbox, queries
from storage.models import Account, Community, ProgrammeSession

SEATS_CUT = "seats"
"""A CANCELLATION's `cause` when fewer seats moved the member to the waitlist."""
CALL_CHANGED = "call"
"""An UPDATE's `change` when the call details changed (else the session moved)."""
SEAT_WITHDRAWN_BY = frozenset({Change.CANCEL, Change.UNREGISTER, Change.FORGET_ME})


async def _invitation(r: Rendering) -> Draft:
    assert r.member is not None
    member, sessions = r.member, await sessions_of(r)
    regs = {s.id: await confirmed_registration(r.db, member, s) for s in sessions}
    current = [s for s in sessions if regs[s.id] is not None and s.status != "cancelled"]
    if not current:
        raise Withdraw("no longer registered")
    sequences = await copy_sequences(r.db, member, current)
    alarms = effective_offsets(member, r.community, r.settings.reminder_offsets)

    def file(group: list[ProgrammeSession], attendee: Person | None, name: str) -> Attachment:
        return member_calendar_file(
            group,
            attendee=attendee,
            sequences=sequences,
            alarms=alarms,
            settings=r.settings,
            now=r.now,
            filename=name,
        )

    files = [file([s], attendee_of(regs[s.id]), file_name(s)) for s in current]
    if len(current) > 1:
        # One file with them all, as PUBLISH: Outlook keeps only the first event of a
        # REQUEST that holds several ([MS-STANOICAL] 2.2.175); the per-session files invite.
        files.append(file(current, None, "s4b-all-my-sessions.ics"))
    if r.row.kind == PROMOTED.name:
        lead = f"A seat opened up: you are now registered for the {current[0].season} session. ✓"
    elif r.row.kind == UPDATE.name and r.row.payload.get("change") == CALL_CHANGED:
        lead = (
            f"The call details of the {current[0].season} session have changed. "
            "Here is the updated invitation."
        )
    elif r.row.kind == UPDATE.name:
        lead = f"The {current[0].season} session has moved. Here is the updated invitation."
    elif r.row.kind == NEW_EMAIL.name:
        lead = (
            "You changed your email: here is your updated invitation, for the new address."
            if any(attendee_of(regs[s.id]) for s in current)
            else "You removed your email: here is your calendar file without one."
        )
    else:
        lead = "You are registered. " + (
            "Here are your calendar invitations: one file per session, and one with them all."
            if len(current) > 1
            else "Here is your calendar invitation."
        )
    return Draft(
        Message(
            text=(
                Text.of(lead),
                Text.of("Open the attached .ics file to add it to your calendar."),
            ),
            cards=tuple(call_card(s, member) for s in current),
            attachments=tuple(files),
        )
    )


async def _cancellation(r: Rendering) -> Draft:
    assert r.member is not None
    member, session = r.member, (await sessions_of(r))[0]
    cause = r.row.payload.get("cause")
    if cause in ("member", SEATS_CUT) and await confirmed_registration(r.db, member, session):
        raise Withdraw("registered again")
    if cause == SEATS_CUT:
        lead = await _seat_lost(r, member, session)
    elif cause == "member":
        lead = (
            f"You are no longer registered for the {session.season} session; "
            "the attached file removes it from your calendar."
        )
    else:
        lead = _cancelled(session, r.row.payload.get("reason"))
    copies = await queries.calendar_copies(r.db, member_id=member.id, session_ids=[session.id])
    copy = copies.get(session.id)
    attachment = member_calendar_file(
        [session],
        attendee=Person(copy.attendee) if copy is not None and copy.attendee else None,
        sequences={session.id: copy.sequence} if copy is not None else {},
        alarms=(),
        settings=r.settings,
        now=r.now,
        filename=file_name(session),
        cancel=True,
    )
    return Draft(Message(text=(Text.of(lead),), attachments=(attachment,)))


async def _seat_lost(r: Rendering, member: Account, session: ProgrammeSession) -> str:
    registration = await queries.registration(r.db, member_id=member.id, session_id=session.id)
    line = (
        f": you are #{await queries.waitlist_position(r.db, registration)} in line"
        if registration is not None and registration.status == "waitlisted"
        else ""
    )
    return (
        f"The {session.season} session now has fewer seats, and yours moved to its "
        f"waitlist{line}. The attached file takes it off your calendar; if a seat opens, "
        "it is offered to you first."
    )


def _cancelled(session: ProgrammeSession, reason: object) -> str:
    """ "The Spring session on Tuesday, April 29, 2025 is cancelled: <reason>." """
    return with_reason(
        f"The {session.season} session on "
        f"{format_day(session.starts_at, session.timezone)} is cancelled",
        str(reason) if reason else None,
    )


async def _waitlist_notice(r: Rendering) -> Draft:
    """A waitlisted member has no invitation to update, but hears that the session moved or
    is cancelled."""
    assert r.member is not None
    member, session = r.member, (await sessions_of(r))[0]
    registration = await queries.registration(r.db, member_id=member.id, session_id=session.id)
    if registration is None or registration.status != "waitlisted":
        raise Withdraw("no longer on the waitlist")
    if r.row.payload.get("change") == "cancelled":
        return Draft(
            Message.plain(
                _cancelled(session, r.row.payload.get("reason")),
                "You were on its waitlist; there is nothing more to do.",
            )
        )
    if session.status == "cancelled":
        raise Withdraw("session cancelled")
    position = await queries.waitlist_position(r.db, registration)
    offer = await offers.open_offer(r.db, session_id=session.id, member_id=member.id)
    held = (
        Text.of(
            "The seat offered to you is still held for you, now until ",
            Moment(start=offer.expires_at, zone=session.timezone, viewer_zone=member.timezone),
            ": accept it there (or in `/s4b mine`) before then.",
        )
        if offer is not None
        else Text.of(f"You are still on its waitlist, #{position} in line.")
    )
    return Draft(
        Message(
            text=(
                Text.of(
                    f"The {session.season} session you are waiting for has moved: ",
                    when(session, member.timezone),
                    ".",
                ),
                held,
            )
        )
    )


def _seat_dm(name: str, label: str, key: Callable[P, str], render: Renderer) -> OutboxKind[P]:
    """A DM about the member's seat, with a calendar file, withdrawn when the seat goes."""
    return member_dm(name, label, key, render, SEAT_WITHDRAWN_BY, calendar=True)


def _versions_key(*, member: Account, sessions: list[ProgrammeSession], now: datetime) -> str:
    versions = ",".join(f"{s.id}.{s.sequence}" for s in sessions)
    return f"invitation:{member.id}:{versions}:{ts(now)}"


def _update_key(*, member: Account, session: ProgrammeSession) -> str:
    return f"update:{member.id}:{session.id}:{session.sequence}"


def _new_email_key(*, member: Account, copies: Mapping[int, int]) -> str:
    """One per new SEQUENCE of the member's copies (each change of email moves them on)."""
    versions = ",".join(f"{sid}.{seq}" for sid, seq in sorted(copies.items()))
    return f"new_email:{member.id}:{versions}"


def _promoted_key(*, member: Account, session: ProgrammeSession, now: datetime) -> str:
    return f"promoted:{member.id}:{session.id}:{ts(now)}"


def _cancellation_key(
    *, member: Account, session: ProgrammeSession, by_member: bool, now: datetime
) -> str:
    """One per version of a cancelled session; one per time a member leaves."""
    version = ts(now) if by_member else session.sequence
    return f"cancellation:{member.id}:{session.id}:{version}"


def _waitlist_key(*, member: Account, session: ProgrammeSession) -> str:
    return f"waitlist_notice:{member.id}:{session.id}:{session.sequence}"


INVITATION = _seat_dm("invitation", "calendar invitation", _versions_key, _invitation)
UPDATE = _seat_dm("update", "updated invitation", _update_key, _invitation)
PROMOTED = _seat_dm("promoted", "invitation from the waitlist", _promoted_key, _invitation)
NEW_EMAIL = _seat_dm("new_email", "invitation to a new email", _new_email_key, _invitation)
CANCELLATION = _seat_dm("cancellation", "calendar cancellation", _cancellation_key, _cancellation)


async def plan_cancellation(
    db: AsyncSession,
    *,
    member: Account,
    community: Community,
    session: ProgrammeSession,
    by_member: bool,
    now: datetime,
    extra: dict[str, object],
) -> None:
    """A calendar cancellation for one member's place in `session`; `extra["cause"]` says
    why (the member left, the organizers cancelled, or the seats were cut)."""
    await planning.plan_member_message(
        db,
        kind=CANCELLATION,
        dedupe_key=CANCELLATION.key(member=member, session=session, by_member=by_member, now=now),
        member=member,
        platform=community.platform,
        sessions=[session],
        now=now,
        extra=extra,
    )


WAITLIST_NOTICE = member_dm(
    "waitlist_notice",
    "waitlist notice",
    _waitlist_key,
    _waitlist_notice,
    # Superseded by the notice a new move plans; moot once the member holds a seat.
    SEAT_WITHDRAWN_BY | {Change.RESCHEDULE, Change.WAITLIST_MOVE},
)
KINDS = (INVITATION, UPDATE, PROMOTED, NEW_EMAIL, CANCELLATION, WAITLIST_NOTICE)


async def plan_seat_messages(
    db: AsyncSession,
    *,
    kind: OutboxKind[...],
    dedupe_key: str,
    member: Account,
    community: Community,
    session: ProgrammeSession,
    now: datetime,
    settings: Settings,
) -> int:
    """A member who holds a seat at a new time or a new seat: the invitation DM of `kind`
    (an update, a promotion), their reminders and the follow-up after it, in one insert."""
    offsets = effective_offsets(member, community, settings.reminder_offsets)
    versions = await planning.advance_copies(
        db, kind=kind, member=member, sessions=[session], now=now
    )
    rows = [
        planning.member_message_row(
            kind=kind,
            dedupe_key=dedupe_key + versions,
            member=member,
            platform=community.platform,
            sessions=[session],
            now=now,
        ),
        *reminder_rows(
            session=session, member=member, platform=community.platform, offsets=offsets, now=now
        ),
        *followup_rows(
            session=session,
            member=member,
            platform=community.platform,
            after=followup_after(settings),
        ),
    ]
    return await outbox.plan_many(db, rows, now=now)


async def plan_waitlist_notices(
    db: AsyncSession, session: ProgrammeSession, *, change: str, now: datetime
) -> int:
    """Tell the session's waitlist that it moved or is cancelled (`change`); they have no
    invitation to update. Returns how many are told."""
    waiting = await planning.waitlisted_members(db, session.id)
    rows = [
        planning.member_message_row(
            kind=WAITLIST_NOTICE,
            dedupe_key=WAITLIST_NOTICE.key(member=member, session=session),
            member=member,
            platform=community.platform,
            sessions=[session],
            now=now,
            extra={"change": change, "reason": session.status_note},
        )
        for member, community in waiting
    ]
    await outbox.plan_many(db, rows, now=now)
    return len(waiting)
