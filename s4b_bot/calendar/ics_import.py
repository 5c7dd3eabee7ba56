"""Reading an uploaded .ics file (RFC 5545) as sessions to add: every event checked, its
times in UTC, and a UserError that names the event and what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar.cal.component import Component

from s4b_bot.errors import UserError
from s4b_bot.programme.sessions import MAX_TITLE
from s4b_bot.timefmt import format_stamp
from s4b_bot.validate import bad_character
from s4b_bot.words import duration, plural

MAX_DESCRIPTION = 4000
MAX_IMPORT_BYTES = 1_000_000
"""An upload larger than this is refused before parsing: 50 events never need so much."""
DEFAULT_DURATION = timedelta(hours=1)
MAX_DURATION = timedelta(hours=24)
"""An imported event lasts at most this long: a session is an hour or two, never days."""
# Z-suffixed times carry no zone of their own: the import falls back to the default zone.
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal"})
_NOT_ICS = (
    "That file is not an iCalendar (.ics) file. Export the events from your calendar "
    "as .ics and upload that file."
)


@dataclass(frozen=True)
class ImportedEvent:
    """One event read from an uploaded .ics file, checked and in UTC."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str


def parse_events(data: bytes, *, default_zone: str, max_events: int = 50) -> list[ImportedEvent]:
    """The events of an uploaded .ics file, checked; a UserError says what to fix if not."""
    fallback = ZoneInfo(default_zone)
    if len(data) > MAX_IMPORT_BYTES:
        raise UserError(
            f"That file is {len(data) / 1_000_000:.1f} MB; an .ics import is at most "
            f"{MAX_IMPORT_BYTES // 1_000_000} MB."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(_NOT_ICS + " (It is not UTF-8 text.)") from None
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise UserError(_NOT_ICS)
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except ValueError:
        raise UserError(_NOT_ICS + " (It could not be read as iCalendar.)") from None
    if not calendars or any(not isinstance(c, Calendar) for c in calendars):
        raise UserError(_NOT_ICS + " (It is incomplete: BEGIN:VCALENDAR has no END.)")
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    if not events:
        raise UserError("That calendar file has no events (VEVENT) in it.")
    if len(events) > max_events:
        raise UserError(
            f"That file has {len(events)} events; an import takes at most {max_events}. "
            "Export only the sessions you want to add."
        )
    return [_imported(number, event, fallback) for number, event in enumerate(events, 1)]


def _imported(number: int, event: Component, fallback: ZoneInfo) -> ImportedEvent:
    """One VEVENT as an ImportedEvent, or a UserError naming the event and the problem."""
    title = _text(event, "SUMMARY").strip()
    label = f"Event {number}" + (f" ({title[:60]!r})" if title else "")
    if not title:
        raise UserError(f"{label} has no title (SUMMARY); every event needs one.")
    found = bad_character(title)
    if found:
        raise UserError(f"{label}: the title contains a control character ({found}).")
    if len(title) > MAX_TITLE:
        raise UserError(
            f"{label}: the title is {len(title):,} characters long; the limit is {MAX_TITLE}."
        )
    description = _text(event, "DESCRIPTION").replace("\r\n", "\n").strip()
    found = bad_character(description, multiline=True)
    if found:
        raise UserError(f"{label}: the description contains a control character ({found}).")
    if len(description) > MAX_DESCRIPTION:
        raise UserError(
            f"{label}: the description is {len(description):,} characters long; "
            f"the limit is {MAX_DESCRIPTION:,}."
        )
    if "RRULE" in event or "RDATE" in event:
        raise UserError(
            f"{label} repeats (RRULE/RDATE); import takes single events. Export the "
            "occurrences one by one, or add the series with a repeat rule instead."
        )
    if _text(event, "STATUS").strip().upper() == "CANCELLED":
        raise UserError(f"{label} is cancelled (STATUS:CANCELLED); remove it from the file.")
    if "DTSTART" not in event:
        raise UserError(f"{label} has no start time (DTSTART).")
    start = _moment(label, event, "DTSTART", fallback)
    try:
        if "DTEND" in event:
            end = _moment(label, event, "DTEND", fallback)
        elif "DURATION" in event:
            end = _add_duration(label, start, event)
        else:
            end = start + DEFAULT_DURATION
        starts_at, ends_at = start.astimezone(UTC), end.astimezone(UTC)
    except OverflowError:
        raise UserError(f"{label} ends after the last date I can hold (the year 9999).") from None
    if end <= start:
        raise UserError(
            f"{label} ends ({_show(end, start)}) before or when it starts ({_show(start, start)})."
        )
    _check_length(label, ends_at - starts_at)
    key = getattr(start.tzinfo, "key", None)
    zone = key if isinstance(key, str) and key not in _UTC_KEYS else fallback.key
    return ImportedEvent(
        title=title, description=description, starts_at=starts_at, ends_at=ends_at, timezone=zone
    )


def _check_length(label: str, length: timedelta) -> None:
    if length > MAX_DURATION:
        raise UserError(
            f"{label} lasts {duration(length)}; a session lasts at most "
            f"{plural(MAX_DURATION // timedelta(hours=1), 'hour')}. Check its end (DTEND or "
            "DURATION)."
        )


def _text(event: Component, name: str) -> str:
    """A text property's value, unescaped; the first if it is repeated; "" when absent."""
    value = event.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value)


def _moment(label: str, event: Component, name: str, fallback: ZoneInfo) -> datetime:
    """DTSTART or DTEND as an aware datetime; floating times are taken in `fallback`."""
    prop = event.get(name)
    what = "start" if name == "DTSTART" else "end"
    try:
        value = prop.dt
    except (AttributeError, ValueError):
        raise UserError(f"{label} has a {what} time ({name}) I cannot read.") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        raise UserError(
            f"{label} is an all-day event; import takes events with start and end times."
        )
    if not isinstance(value, datetime):
        raise UserError(f"{label} has a {what} time ({name}) I cannot read.")
    if value.tzinfo is None:
        tzid = prop.params.get("TZID")
        if tzid:
            # icalendar leaves the time floating when it cannot resolve the TZID.
            raise UserError(
                f"{label}: its {what} time is in a time zone I do not know ({tzid}). "
                "Export the calendar with standard (IANA) time zones."
            )
        value = value.replace(tzinfo=fallback)
    return value


def _add_duration(label: str, start: datetime, event: Component) -> datetime:
    """start + DURATION: whole days in wall-clock time, the rest exact (RFC 5545 3.3.6)."""
    try:
        length = event.get("DURATION").dt
    except (AttributeError, ValueError):
        raise UserError(f"{label} has a DURATION I cannot read.") from None
    if not isinstance(length, timedelta):
        raise UserError(f"{label} has a DURATION I cannot read.")
    _check_length(label, length)  # before adding it: P999999W would pass the year 9999
    wall = start + timedelta(days=length.days)
    exact = timedelta(seconds=length.seconds, microseconds=length.microseconds)
    return (wall.astimezone(UTC) + exact).astimezone(start.tzinfo)


def _show(when: datetime, reference: datetime) -> str:
    """A time for an error message, in the zone of the event's start (in UTC where that
    zone's time would fall outside the years 1 to 9999)."""
    try:
        local = when.astimezone(reference.tzinfo)
    except OverflowError:
        local = when.astimezone(UTC)
    return format_stamp(local)
