"""Plain-text times: the fallback every adapter shows beside (or instead of) native tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from s4b_bot.output import Moment


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
    same_half = (local_start.hour < 12) == (local_end.hour < 12)
    first = _clock(local_start, meridiem=not same_half)
    return f"{_day(local_start)}, {first}–{_clock(local_end)} {abbrev}"


def format_moment(moment: Moment) -> str:
    """The fallback text: the session's own zone, then the viewer's when it differs."""
    text = format_span(moment.start, moment.end, moment.zone)
    if moment.viewer_zone and moment.viewer_zone != moment.zone:
        text += f" ({format_span(moment.start, moment.end, moment.viewer_zone)} your time)"
    return text


def format_date(when: datetime, zone: str) -> str:
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d}"


def format_span_and_utc(start: datetime, end: datetime, zone: str) -> str:
    """ "Tuesday, October 28, 2025, 1:00–2:00 p.m. EDT (2025-10-28 17:00 UTC)": the zone's
    own time and UTC side by side, so a mistyped time shows at once."""
    return f"{format_span(start, end, zone)} ({start.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
