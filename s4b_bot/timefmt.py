"""Dates and times in words, the one place they are worded: spans and days as people say
them, relative times, ISO dates for file names, and minute stamps for messages and logs;
the plain-text fallback every adapter shows beside (or instead of) native tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from s4b_bot.output import Localised, Moment, Span
from s4b_bot.words import relative

NAMED_DAYS = {-1: "yesterday", 0: "today", 1: "tomorrow"}
NAME_THE_DAY = timedelta(hours=12)
"""From this far away, a time on a neighbouring day is said by its day and clock time."""


def _clock(dt: datetime, *, meridiem: bool = True) -> str:
    hour = dt.hour % 12 or 12
    text = f"{hour}:{dt.minute:02d}"
    return f"{text} {'a.m.' if dt.hour < 12 else 'p.m.'}" if meridiem else text


def _day(dt: datetime) -> str:
    return f"{dt:%A}, {dt:%B} {dt.day}, {dt.year}"


def format_span(start: datetime, end: datetime | None, zone: str) -> str:
    """ "Tuesday, April 29, 2025, 1:00–2:00 p.m. EDT" in `zone`."""
    tz = ZoneInfo(zone)
    local_start = start.astimezone(tz)
    abbrev = local_start.tzname() or zone
    if end is None:
        return f"{_day(local_start)}, {_clock(local_start)} {abbrev}"
    local_end = end.astimezone(tz)
    if local_end.date() != local_start.date():
        return (
            f"{_day(local_start)}, {_clock(local_start)} – "
            f"{_day(local_end)}, {_clock(local_end)} {local_end.tzname()}"
        )
    if local_end.tzname() != abbrev:  # the clocks change during it: name both zones
        ends = f"{_clock(local_end)} {local_end.tzname()}"
        return f"{_day(local_start)}, {_clock(local_start)} {abbrev} – {ends}"
    same_half = (local_start.hour < 12) == (local_end.hour < 12)
    first = _clock(local_start, meridiem=not same_half)
    return f"{_day(local_start)}, {first}–{_clock(local_end)} {abbrev}"


def format_relative(when: datetime, now: datetime, zone: str) -> str:
    """ "in 2 hours", "tomorrow at 1:00 p.m. EDT", "in 7 days", "in 4 weeks", "2 days ago"."""
    tz = ZoneInfo(zone)
    local = when.astimezone(tz)
    days = (local.date() - now.astimezone(tz).date()).days
    if abs(when - now) >= NAME_THE_DAY and days in NAMED_DAYS:
        return f"{NAMED_DAYS[days]} at {_clock(local)} {local.tzname() or zone}"
    return relative(when - now)


def format_moment(moment: Moment) -> str:
    """The fallback text: the session's own zone, then the viewer's when it differs; a
    relative moment in the viewer's zone where known."""
    if moment.relative_to is not None:
        return format_relative(moment.start, moment.relative_to, moment.viewer_zone or moment.zone)
    text = format_span(moment.start, moment.end, moment.zone)
    if moment.viewer_zone and moment.viewer_zone != moment.zone:
        text += f" ({format_span(moment.start, moment.end, moment.viewer_zone)} your time)"
    return text


def plain_span(span: Span) -> str:
    """A span as plain text, for where times are written out rather than localised."""
    if isinstance(span, Moment):
        return format_moment(span)
    return span.fixed if isinstance(span, Localised) else span


def format_day(when: datetime, zone: str) -> str:
    """ "Tuesday, April 29, 2025": a date as a sentence says it."""
    return _day(when.astimezone(ZoneInfo(zone)))


def format_date(when: datetime, zone: str) -> str:
    """ "2025-04-29": the date in `zone`, for file names and where a date is typed back."""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d}"


def format_stamp(when: datetime) -> str:
    """ "2025-04-29 13:00 EDT": a time to the minute in the zone it carries, for error
    messages and the console's clock."""
    return when.strftime("%Y-%m-%d %H:%M %Z").strip()


def format_span_and_utc(start: datetime, end: datetime, zone: str) -> str:
    """ "Tuesday, October 28, 2025, 1:00–2:00 p.m. EDT (2025-10-28 17:00 UTC)": the zone's
    own time and UTC side by side, so a mistyped time shows at once."""
    return f"{format_span(start, end, zone)} ({format_stamp(start.astimezone(UTC))})"
