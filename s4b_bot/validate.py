"""Checks on what people type. Each failure is a UserError that says what to fix."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from s4b_bot.errors import UserError

# Bidirectional overrides can make text read differently from what it is (CVE-2021-42574).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


def bad_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in `text`, described for a person, or None."""
    allowed = "\n\t" if multiline else ""
    for char in text:
        if char in allowed:
            continue
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            return f"U+{ord(char):04X}"
    return None


def clean_text(
    label: str,
    value: str,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Strip `value` and check it is present, short enough and free of control characters."""
    text = value.strip()
    if multiline:
        text = text.replace("\r\n", "\n")
    if not text:
        if required:
            raise UserError(f"{label} is required.")
        return ""
    found = bad_character(text, multiline=multiline)
    if found:
        raise UserError(f"{label} contains a control character ({found}); please remove it.")
    if len(text) > max_length:
        raise UserError(f"{label} is {len(text):,} characters long; the limit is {max_length:,}.")
    return text


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def clean_zone(value: str) -> str:
    """An IANA zone name, with its canonical spelling, or a UserError with suggestions."""
    text = value.strip()
    found = bad_character(text)
    if found:
        raise UserError(f"The time zone contains a control character ({found}); please remove it.")
    if len(text) > 64:
        raise UserError(
            f"A time zone name is at most 64 characters (that one has {len(text)}); "
            "use an IANA name such as America/Toronto."
        )
    if not text:
        raise UserError("A time zone is an IANA name such as America/Toronto or Europe/Paris.")
    name = _zone_names().get(text.lower().replace(" ", "_"))
    if name is not None:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            name = None
    if name is None:
        close = difflib.get_close_matches(text.lower(), list(_zone_names()), n=3, cutoff=0.6)
        hint = ", ".join(_zone_names()[c] for c in close)
        raise UserError(
            f"{text!r} is not a time zone I know. Use an IANA name such as America/Toronto"
            + (f"; did you mean {hint}?" if hint else ".")
        )
    return name


def clean_email(value: str) -> str:
    text = clean_text("Email", value, max_length=254, required=False)
    if text and not _EMAIL.match(text):
        raise UserError(f"{text!r} does not look like an email address (name@example.org).")
    return text


_DATE_AND_TIME = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?:(?:T|\s+)(?P<time>.*))?", re.IGNORECASE)
_CLOCK_24 = re.compile(
    r"(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)(?P<offset>Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE
)
_CLOCK_12 = re.compile(
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<half>[ap])\.?\s*m\.?", re.IGNORECASE
)


def is_time_of_day(word: str) -> bool:
    """Whether `word` reads as a time of day (13:00, 1pm, 1:30p.m., 13:00-04:00)."""
    return bool(_CLOCK_24.fullmatch(word) or _CLOCK_12.fullmatch(word))


def clean_local_time(label: str, value: str, zone: str) -> datetime:
    """A date and time typed by an organizer, in `zone` unless it has an offset; as UTC.

    The date is ISO (2026-04-28, never 04/05, which reads two ways); the time of day, after
    a space or a T, is 13:00 or 1pm, with an optional offset (13:00-04:00). A date alone is
    refused rather than taken as midnight.
    """
    text = clean_text(label, value, max_length=40)
    match = _DATE_AND_TIME.fullmatch(text)
    if match is None:
        raise UserError(f"{label} {text!r} is not a date and time; write it like 2026-04-28 13:00.")
    try:
        day = date.fromisoformat(match["date"])
    except ValueError:
        raise UserError(f"{label} {text!r}: {match['date']} is not a real date.") from None
    clock = (match["time"] or "").strip()
    if not clock:
        raise UserError(
            f"{label} {text!r} has a date but no time of day; write it like {day} 13:00."
        )
    parsed = _on_day(day, clock)
    if parsed is None:
        raise UserError(
            f"{label} {text!r}: {clock!r} is not a time of day; write it like {day} 13:00 "
            f"or {day} 1pm ({zone}), or with an offset: {day}T13:00-04:00."
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)


def _on_day(day: date, clock: str) -> datetime | None:
    """`clock` on `day` (naive unless it has an offset), or None if it is not a time of day."""
    twelve = _CLOCK_12.fullmatch(clock)
    if twelve is not None:
        hour, minute = int(twelve["hour"]), int(twelve["minute"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        afternoon = 12 if twelve["half"].lower() == "p" else 0
        return datetime.combine(day, time(hour % 12 + afternoon, minute))
    twenty_four = _CLOCK_24.fullmatch(clock)
    if twenty_four is None:
        return None
    try:
        return datetime.fromisoformat(
            f"{day}T{twenty_four['clock']:0>5}{twenty_four['offset'] or ''}"
        )
    except ValueError:
        return None
