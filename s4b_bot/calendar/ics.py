"""iCalendar (RFC 5545) invitations for sessions, with RFC 5546 methods: the files the bot
writes (an .ics upload is read by `ics_import`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import STATUS, Alarm, Calendar, Event, vCalAddress

from s4b_bot.settings import Settings
from s4b_bot.timefmt import format_date
from s4b_bot.validate import bad_character
from storage.models import ProgrammeSession, Series

PRODID = "-//S4B bot//EN"
log = logging.getLogger(__name__)

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]

# A URL ends at whitespace or a delimiter; trailing punctuation belongs to the sentence.
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}"


@dataclass(frozen=True)
class EventInfo:
    """One session as an invitation needs it: everything build_calendar writes."""

    uid: str
    sequence: int
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    cancelled: bool = False
    call_details: str | None = None
    alarms: tuple[timedelta, ...] = ()

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("an event needs a UID")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative")
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("an event must end after it starts")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if any(offset < timedelta(0) for offset in self.alarms):
            raise ValueError("alarm offsets are before the start, so not negative")


@dataclass(frozen=True)
class Person:
    """An organizer or attendee: an email address and an optional display name."""

    email: str
    name: str | None = None

    def __post_init__(self) -> None:
        # The address is written unescaped (a CAL-ADDRESS), so it must be one clean token.
        if not self.email or any(c.isspace() for c in self.email) or bad_character(self.email):
            raise ValueError(f"not a usable email address: {self.email!r}")


def file_name(session: ProgrammeSession) -> str:
    """A session's own calendar file, named by its season and its date where it is held:
    "s4b-spring-2025-04-29.ics" (the invitation and the "Add to calendar" copy alike)."""
    return f"s4b-{session.season.lower()}-{format_date(session.starts_at, session.timezone)}.ics"


def session_uid(series_key: str, number: int, *, domain: str) -> str:
    """The session's UID, e.g. "s4b-2025-1@<domain>": stable across reschedules."""
    if not series_key or not domain or "@" in domain or any(c.isspace() for c in domain):
        raise ValueError("a UID needs a series key and a bare domain name")
    return f"{series_key}-{number}@{domain}"


def event_from_session(
    session: ProgrammeSession,
    *,
    domain: str,
    include_call: bool,
    alarms: Sequence[timedelta] = (),
    sequence: int | None = None,
    cancelled: bool = False,
) -> EventInfo:
    """The invitation data for a session (its series loaded); call details only on request.

    `sequence` is the one of the member's own copy when it is ahead of the session's;
    `cancelled` cancels the event for this member alone (they unregistered).
    """
    series = session.series
    return EventInfo(
        uid=session_uid(series.key, session.number, domain=domain),
        # An unsaved session has no SEQUENCE yet; the column default is 0.
        sequence=(session.sequence or 0) if sequence is None else sequence,
        summary=f"{series.name} — {session.season} Session: {session.title}",
        description=session.description,
        starts_at=_utc(session.starts_at),
        ends_at=_utc(session.ends_at),
        timezone=session.timezone,
        cancelled=cancelled or session.status == "cancelled",
        call_details=session.call_details if include_call else None,
        alarms=tuple(alarms),
    )


def _utc(when: datetime) -> datetime:
    """An aware time in UTC; a naive one would silently be read as the host's local time."""
    if when.tzinfo is None:
        raise ValueError("session times must be timezone-aware")
    return when.astimezone(UTC)


def first_url(text: str) -> str | None:
    """The first http(s) URL in `text`, without trailing punctuation, or None."""
    match = _URL.search(text)
    if match is None:
        return None
    url = match.group(0).rstrip(_URL_TRAILING)
    return None if url.endswith("://") else url


def method_for(attendee: Person | None, *, cancel: bool = False) -> Method:
    """A member's own file: an invitation (REQUEST, then CANCEL) names them as ATTENDEE, so
    without an email they get what a subscriber imports (PUBLISH), cancelled by a PUBLISH
    of the cancelled event."""
    if attendee is None:
        return "PUBLISH"
    return "CANCEL" if cancel else "REQUEST"


def organizer_of(series: Series | None, settings: Settings) -> Person:
    """Who organizes a series' sessions (every method needs an ORGANIZER, RFC 5546 3.2):
    the configured organizer, else the programme's contact, else the bot's own address."""
    info = (series.info if series is not None else None) or {}
    email = settings.organizer_email or info.get("contact_email")
    name = settings.organizer_name or info.get("contact_name")
    return Person(email or f"noreply@{settings.calendar_domain}", name)


def build_calendar(
    events: Sequence[EventInfo],
    *,
    method: Method,
    now: datetime,
    organizer: Person,
    attendee: Person | None = None,
    name: str | None = None,
) -> bytes:
    """One VCALENDAR with a VEVENT per event and the VTIMEZONEs they use, as bytes.

    RFC 5546 3.2: every method has an ORGANIZER; a REQUEST or CANCEL has an ATTENDEE, a
    PUBLISH none. DTSTAMP is `now`, when the file is made.
    """
    if not events and method != "PUBLISH":
        # A subscribed feed may be empty (a member with no sessions yet); an invitation not.
        raise ValueError("an invitation needs at least one event")
    if (attendee is None) != (method == "PUBLISH"):
        raise ValueError(f"a {method} has {'no' if method == 'PUBLISH' else 'an'} ATTENDEE")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("METHOD", method)
    if name is not None:
        # icalendar writes both RFC 7986 NAME and the widely read X-WR-CALNAME.
        calendar.calendar_name = name
    stamp = now.astimezone(UTC)
    events = [info for info in events if _writable(info)]
    for info in events:
        calendar.add_component(
            _vevent(info, method=method, stamp=stamp, organizer=organizer, attendee=attendee)
        )
    # Observances only for the years the events touch: short, and still complete for them.
    years = [
        when.astimezone(ZoneInfo(info.timezone)).year
        for info in events
        for when in (info.starts_at, info.ends_at)
    ]
    if years:
        calendar.add_missing_timezones(
            first_date=date(min(years), 1, 1), last_date=date(max(years) + 1, 1, 1)
        )
    missing = calendar.get_missing_tzids()
    if missing:
        raise ValueError(f"no VTIMEZONE could be made for {sorted(missing)}")
    ical: bytes = calendar.to_ical()  # icalendar folds at 75 octets and ends lines in CRLF
    return ical


def _writable(info: EventInfo) -> bool:
    """Whether the event can be written: its times and its zone's rules for the year after
    them fit before the year 9999 ends. One that does not (saved before sessions were
    bounded to a few years ahead) is left out, so it cannot break a whole feed."""
    zone = ZoneInfo(info.timezone)
    try:
        if max(info.starts_at.astimezone(zone).year, info.ends_at.astimezone(zone).year) < MAXYEAR:
            return True
    except OverflowError:
        pass
    log.warning("left out of a calendar: event %s, its time is in the year 9999", info.uid)
    return False


def _vevent(
    info: EventInfo,
    *,
    method: Method,
    stamp: datetime,
    organizer: Person,
    attendee: Person | None,
) -> Event:
    """The VEVENT for one event; call details go in only when the event carries them."""
    zone = ZoneInfo(info.timezone)
    cancelled = info.cancelled or method == "CANCEL"
    call = (info.call_details or "").strip() or None
    description = info.description
    if call is not None:
        description = "\n\n".join(part for part in (description, f"Call details: {call}") if part)
    event = Event.new(
        uid=info.uid,
        stamp=stamp,
        sequence=info.sequence,
        summary=info.summary,
        description=description,
        # Local wall time in the session's zone: written with TZID and a matching VTIMEZONE.
        start=info.starts_at.astimezone(zone),
        end=info.ends_at.astimezone(zone),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        location=call,
        url=first_url(call) if call is not None else None,
        organizer=_address(organizer),
        attendees=[_attendee(attendee)] if attendee is not None else None,
    )
    # No reminders for a session that will not happen.
    if not cancelled:
        for offset in dict.fromkeys(info.alarms):
            event.add_component(
                Alarm.new_display(description=f"Reminder: {info.summary}", trigger=-offset)
            )
    return event


def _address(person: Person) -> vCalAddress:
    return vCalAddress.new(person.email, cn=person.name)


def _attendee(person: Person) -> vCalAddress:
    return vCalAddress.new(
        person.email,
        cn=person.name,
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=False,
    )
