"""What an outbox row says, decided when it is sent: the session as it is now, the member's
own zone and reminders, and the calendar file. A row that no longer applies (session
cancelled, member unregistered) becomes a reason to withdraw it instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.calendar.ics import (
    Person,
    build_calendar,
    event_from_session,
    file_name,
    method_for,
    organizer_of,
)
from s4b_bot.outbox import community_deliveries, planning
from s4b_bot.output import Attachment, Card, Field, Message, Text
from s4b_bot.ports import ModerationAction, Recipient, SessionEvent
from s4b_bot.programme.cards import session_card, starts, when
from s4b_bot.programme.sessions import reference
from s4b_bot.registration.waitlist import waitlist_position
from s4b_bot.reminders.offsets import effective_offsets
from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_day
from s4b_bot.words import CALL_DETAILS_LATER, with_reason
from storage import outbox, queries
from storage.models import Account, Community, OutboxMessage, ProgrammeSession, Registration

ANNOUNCEMENTS = "announcements"
STARTING_GRACE = timedelta(minutes=15)
"""A "starting now" post later than this after the start is dropped, not sent."""
ICS = "text/calendar"


@dataclass(frozen=True)
class Delivery:
    """One send: a DM (`recipient`), a channel post (`channel`) or a calendar sync (`sync`)."""

    platform: str
    message: Message
    recipient: Recipient | None = None
    community: str | None = None
    channel: str | None = None
    sync: SessionEvent | None = None
    ref: str | None = None
    """The platform's id of what to edit, from an earlier send."""
    ref_key: str | None = None
    """Where to keep the id the platform gives back (with `community_id`)."""
    community_id: int | None = None
    thread_title: str | None = None
    """On a new post: open a discussion thread under it with this title."""
    moderate: ModerationAction | None = None
    """Instead of posting: lock, unlock, archive or pin the post `ref`."""
    link_key: str | None = None
    """Where to keep the link to the new post, if the platform gives one (with `community_id`)."""


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


class Withdraw(Exception):
    """The row no longer applies; the reason is recorded on it."""


async def render(
    db: AsyncSession, row: OutboxMessage, *, settings: Settings, now: datetime
) -> Delivery:
    if row.kind in (*planning.POST_KINDS, planning.SESSION_SYNC):
        return await _render_post(db, row, now=now)
    if row.kind in planning.COMMUNITY_KINDS:
        return await _render_conversation_post(db, row, now=now)
    if row.member_id is None or row.platform is None:
        raise Withdraw("no recipient")
    member = _cache(db).get("members", {}).get(row.member_id) or await db.get(
        Account, row.member_id
    )
    if member is None:
        raise Withdraw("member gone")
    account = await dm_account(db, member)
    community = await cached_community(db, account.community_id)
    assert community is not None
    recipient = Recipient(community.external_id, account.user_id, account.display_name)
    if row.kind not in _MEMBER_RENDERERS:
        try:
            message = await community_deliveries.member_message(db, row)
        except community_deliveries.Gone as reason:
            raise Withdraw(str(reason)) from None
        return Delivery(community.platform, message, recipient=recipient)
    sessions = [
        s
        for sid in row.payload.get("sessions", [row.session_id])
        if sid is not None and (s := await cached_session(db, int(sid))) is not None
    ]
    if not sessions:
        raise Withdraw("session gone")
    renderer = _MEMBER_RENDERERS[row.kind]
    message = await renderer(db, row, member, community, sessions, settings, now)
    return Delivery(community.platform, message, recipient=recipient)


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


async def _render_conversation_post(
    db: AsyncSession, row: OutboxMessage, *, now: datetime
) -> Delivery:
    if row.community_id is None or row.platform is None:
        raise Withdraw("no community")
    community = await cached_community(db, row.community_id)
    if community is None:
        raise Withdraw("community gone")
    try:
        fields = await community_deliveries.community_post(db, row, community, now)
    except community_deliveries.Gone as reason:
        raise Withdraw(str(reason)) from None
    return Delivery(
        row.platform,
        community=community.external_id,
        community_id=community.id,
        **fields,  # type: ignore[arg-type]
    )


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


async def _registration(
    db: AsyncSession, member: Account, session: ProgrammeSession
) -> Registration | None:
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


def member_calendar_file(
    sessions: Sequence[ProgrammeSession],
    *,
    attendee: Person | None,
    sequences: Mapping[int, int],
    alarms: Sequence[timedelta],
    settings: Settings,
    now: datetime,
    filename: str,
    cancel: bool = False,
) -> Attachment:
    """A member's own calendar file: the call details and their alarms, at the SEQUENCE of
    their copy of each session (`sequences`); an invitation naming them when they gave an
    email, else what a subscriber imports (see `method_for`)."""
    method = method_for(attendee, cancel=cancel)
    events = [
        event_from_session(
            s,
            domain=settings.calendar_domain,
            include_call=not cancel,
            alarms=() if cancel else alarms,
            sequence=sequences.get(s.id),
            cancelled=cancel,
        )
        for s in sessions
    ]
    content = build_calendar(
        events,
        method=method,
        now=now,
        organizer=organizer_of(sessions[0].series, settings),
        attendee=attendee,
        name=sessions[0].series.name,
    )
    return Attachment(filename, content, f"{ICS}; method={method}")


def attendee_of(registration: Registration | None) -> Person | None:
    """The member as an invitation's ATTENDEE, when they gave an email."""
    if registration is None or not registration.email:
        return None
    return Person(registration.email, registration.name or None)


async def copy_sequences(
    db: AsyncSession, member: Account, sessions: Sequence[ProgrammeSession]
) -> dict[int, int]:
    """The SEQUENCE of the member's copy of each session, where one was sent."""
    copies = await queries.calendar_copies(
        db, member_id=member.id, session_ids=[s.id for s in sessions]
    )
    return {session_id: copy.sequence for session_id, copy in copies.items()}


async def _invitation(
    db: AsyncSession,
    row: OutboxMessage,
    member: Account,
    community: Community,
    sessions: list[ProgrammeSession],
    settings: Settings,
    now: datetime,
) -> Message:
    regs = {s.id: await _registration(db, member, s) for s in sessions}
    current = [s for s in sessions if regs[s.id] is not None and s.status != "cancelled"]
    if not current:
        raise Withdraw("no longer registered")
    sequences = await copy_sequences(db, member, current)
    alarms = effective_offsets(member, community, settings.reminder_offsets)

    def file(group: list[ProgrammeSession], attendee: Person | None, name: str) -> Attachment:
        return member_calendar_file(
            group,
            attendee=attendee,
            sequences=sequences,
            alarms=alarms,
            settings=settings,
            now=now,
            filename=name,
        )

    files = [file([s], attendee_of(regs[s.id]), file_name(s)) for s in current]
    if len(current) > 1:
        # One file with them all, as PUBLISH: Outlook keeps only the first event of a
        # REQUEST that holds several ([MS-STANOICAL] 2.2.175); the per-session files invite.
        files.append(file(current, None, "s4b-all-my-sessions.ics"))
    if row.kind == planning.PROMOTED:
        lead = f"A seat opened up: you are now registered for the {current[0].season} session. ✓"
    elif row.kind == planning.UPDATE and row.payload.get("change") == planning.CALL_CHANGED:
        lead = (
            f"The call details of the {current[0].season} session have changed. "
            "Here is the updated invitation."
        )
    elif row.kind == planning.UPDATE:
        lead = f"The {current[0].season} session has moved. Here is the updated invitation."
    else:
        lead = "You are registered. " + (
            "Here are your calendar invitations: one file per session, and one with them all."
            if len(current) > 1
            else "Here is your calendar invitation."
        )
    cards = [_session_summary(s, member, call=True) for s in current]
    return Message(
        text=(Text.of(lead), Text.of("Open the attached .ics file to add it to your calendar.")),
        cards=tuple(cards),
        attachments=tuple(files),
    )


def _session_summary(session: ProgrammeSession, member: Account, *, call: bool) -> Card:
    body = []
    if call:
        details = session.call_details or CALL_DETAILS_LATER
        body.append(Text.of(f"Call details: {details}"))
    return Card(
        title=f"{session.season} Session — {session.title}",
        fields=(Field("When", Text.of(when(session, member.timezone))),),
        body=tuple(body),
    )


async def _cancellation(
    db: AsyncSession,
    row: OutboxMessage,
    member: Account,
    community: Community,
    sessions: list[ProgrammeSession],
    settings: Settings,
    now: datetime,
) -> Message:
    session = sessions[0]
    if row.payload.get("cause") == "member":
        if await _registration(db, member, session) is not None:
            raise Withdraw("registered again")
        lead = (
            f"You are no longer registered for the {session.season} session; "
            "the attached file removes it from your calendar."
        )
    else:
        lead = _cancelled(session, row.payload.get("reason"))
    copy = (await queries.calendar_copies(db, member_id=member.id, session_ids=[session.id])).get(
        session.id
    )
    attachment = member_calendar_file(
        [session],
        attendee=Person(copy.attendee) if copy is not None and copy.attendee else None,
        sequences={session.id: copy.sequence} if copy is not None else {},
        alarms=(),
        settings=settings,
        now=now,
        filename=file_name(session),
        cancel=True,
    )
    return Message(text=(Text.of(lead),), attachments=(attachment,))


def _cancelled(session: ProgrammeSession, reason: object) -> str:
    """ "The Spring session on Tuesday, April 29, 2025 is cancelled: <reason>." """
    return with_reason(
        f"The {session.season} session on "
        f"{format_day(session.starts_at, session.timezone)} is cancelled",
        str(reason) if reason else None,
    )


async def _waitlist_notice(
    db: AsyncSession,
    row: OutboxMessage,
    member: Account,
    community: Community,
    sessions: list[ProgrammeSession],
    settings: Settings,
    now: datetime,
) -> Message:
    """A waitlisted member has no invitation to update, but hears that the session moved or
    is cancelled."""
    session = sessions[0]
    registration = await queries.registration(db, member_id=member.id, session_id=session.id)
    if registration is None or registration.status != "waitlisted":
        raise Withdraw("no longer on the waitlist")
    if row.payload.get("change") == "cancelled":
        return Message.plain(
            _cancelled(session, row.payload.get("reason")),
            "You were on its waitlist; there is nothing more to do.",
        )
    if session.status == "cancelled":
        raise Withdraw("session cancelled")
    position = await waitlist_position(db, registration)
    return Message(
        text=(
            Text.of(
                f"The {session.season} session you are waiting for has moved: ",
                when(session, member.timezone),
                ".",
            ),
            Text.of(f"You are still on its waitlist, #{position} in line."),
        )
    )


async def _reminder(
    db: AsyncSession,
    row: OutboxMessage,
    member: Account,
    community: Community,
    sessions: list[ProgrammeSession],
    settings: Settings,
    now: datetime,
) -> Message:
    session = sessions[0]
    if session.status == "cancelled":
        raise Withdraw("session cancelled")
    if int(session.starts_at.timestamp()) != row.payload.get("starts_at"):
        raise Withdraw("session moved")
    if session.starts_at <= now:
        raise Withdraw("session already started")
    if not member.reminders_enabled:
        raise Withdraw("reminders off")
    if await _registration(db, member, session) is None:
        raise Withdraw("not registered")
    offset = timedelta(seconds=int(row.payload.get("offset", 0)))
    offsets = effective_offsets(member, community, settings.reminder_offsets)
    if any(o < offset and session.starts_at - o <= now for o in offsets):
        # Overdue (the dispatcher was down, or the clock jumped) and a later reminder is
        # due too: send only that one, not two "starts in 1 day" messages.
        raise Withdraw("superseded by a later reminder")
    lead = Text.of(
        f"Reminder: the {session.season} session starts ",
        starts(session, now, member.timezone),
        ".",
    )
    return Message(
        text=(lead,),
        cards=(_session_summary(session, member, call=True),),
    )


_MEMBER_RENDERERS = {
    planning.INVITATION: _invitation,
    planning.PROMOTED: _invitation,
    planning.UPDATE: _invitation,
    planning.CANCELLATION: _cancellation,
    planning.REMINDER: _reminder,
    planning.WAITLIST_NOTICE: _waitlist_notice,
}


ONLINE = "Online — the call details are sent to registrants"


def session_event(session: ProgrammeSession, now: datetime) -> SessionEvent:
    """The session as a platform calendar shows it: never the call link."""
    status: Literal["scheduled", "cancelled", "held"] = "scheduled"
    if session.status == "cancelled":
        status = "cancelled"
    elif session.status == "held" or session.ends_at <= now:
        status = "held"
    return SessionEvent(
        session_id=session.id,
        title=f"{session.season} Session — {session.title}",
        description=session.description,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        status=status,
        location=ONLINE,
    )


async def _render_post(db: AsyncSession, row: OutboxMessage, *, now: datetime) -> Delivery:
    if row.community_id is None or row.platform is None or row.session_id is None:
        raise Withdraw("no community")
    community = await cached_community(db, row.community_id)
    session = await cached_session(db, row.session_id)
    if community is None or session is None:
        raise Withdraw("gone")
    if row.kind == planning.SESSION_SYNC:
        key = f"session:{session.id}"
        return Delivery(
            row.platform,
            Message(),
            community=community.external_id,
            sync=session_event(session, now),
            ref=await outbox.get_ref(db, platform=row.platform, community_id=community.id, key=key),
            ref_key=key,
            community_id=community.id,
        )
    if row.kind == planning.SESSION_CANCELLED_POST:
        cancelled = with_reason(
            f"The {session.season} session on {format_day(session.starts_at, session.timezone)}, "
            f"“{session.title}”, is cancelled",
            session.status_note,
        )
        message = Message.plain(f"{cancelled} Registrants have been told.")
    else:
        if session.status == "cancelled":
            raise Withdraw("session cancelled")
        if (
            "starts_at" in row.payload
            and int(session.starts_at.timestamp()) != row.payload["starts_at"]
        ):
            raise Withdraw("session moved")
        if row.kind == planning.STARTING and now > session.starts_at + STARTING_GRACE:
            raise Withdraw("too late to say it is starting")
        if row.kind == planning.ANNOUNCEMENT and now >= session.starts_at:
            raise Withdraw("session already started")
        card = session_card(session, now=now, viewer_zone=None, place=None)
        if row.kind == planning.STARTING:
            lead = Text.of(
                "Starting now! Registrants: the call details are in your direct messages."
            )
            card = Card(title=card.title, body=card.body, fields=card.fields)
        else:
            earlier = [
                other
                for other in await queries.all_sessions(db)
                if other.id != session.id
                and other.status != "cancelled"
                and now < other.starts_at < session.starts_at
            ]
            # An organizer may announce a later session: only the next one is called so.
            lead = Text.of(
                "Coming up: " if earlier else "Next session: ",
                starts(session, now, None),
                ". Everyone is welcome: register with the button "
                f"or `/s4b register {await cached_reference(db, session)}`.",
            )
        message = Message(text=(lead,), cards=(card,))
    return Delivery(
        row.platform,
        message,
        community=community.external_id,
        channel=ANNOUNCEMENTS,
        community_id=community.id,
        # `/s4b-admin announce` shows an organizer the announcement just posted.
        link_key=outbox.link_key(row.id) if row.kind == planning.ANNOUNCEMENT else None,
    )
