"""Checks on what people type. Each failure is a UserError that says what to fix."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import parser as dateutil_parser

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
        raise UserError(f"{label} cannot contain a control character ({found}); please remove it.")
    if len(text) > max_length:
        # Worded without a verb on the label, which may be plural ("Call details").
        raise UserError(f"{label}: {len(text):,} characters; the limit is {max_length:,}.")
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


def clean_local_time(label: str, value: str, zone: str) -> datetime:
    """A date and time typed by an organizer, in `zone` unless it has an offset; as UTC."""
    text = clean_text(label, value, max_length=40)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = dateutil_parser.parse(text)
        except (ValueError, OverflowError):
            raise UserError(
                f"{label} {text!r} is not a date and time; write it like 2026-04-28 13:00."
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)
