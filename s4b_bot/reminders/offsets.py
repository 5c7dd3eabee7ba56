"""Reminder offsets: "7d,1d,1h" parsed, described, and chosen for a member."""

from __future__ import annotations

import re
from datetime import timedelta

from s4b_bot.errors import UserError
from s4b_bot.words import plural
from storage.models import Account, Community

DEFAULT_OFFSETS = "7d,1d,1h"
MAX_OFFSETS = 5
MAX_OFFSET = timedelta(days=30)
_OFFSET = re.compile(r"(\d{1,4})\s*(w|d|h|m)")
_UNIT = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
}
_NAMES = {"w": "week", "d": "day", "h": "hour", "m": "minute"}


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """ "7d,1d,1h" -> offsets, longest first; a UserError says what is wrong."""
    parts = [p.strip().lower() for p in text.split(",") if p.strip()]
    if not parts:
        raise UserError("Give reminder times like `7d,1d,1h` (days, hours, minutes before).")
    offsets = []
    for part in parts:
        match = _OFFSET.fullmatch(part)
        if match is None:
            raise UserError(
                f"{part[:20]!r} is not a reminder time; use a number and w, d, h or m, "
                "like `1d` or `30m`."
            )
        offset = int(match[1]) * _UNIT[match[2]]
        if not timedelta(minutes=5) <= offset <= MAX_OFFSET:
            raise UserError(
                "Each reminder must be between 5 minutes and 30 days before the session."
            )
        offsets.append(offset)
    if len(set(offsets)) > MAX_OFFSETS:
        raise UserError(f"At most {MAX_OFFSETS} reminders per session.")
    return tuple(sorted(set(offsets), reverse=True))


def store_offsets(offsets: tuple[timedelta, ...]) -> str:
    """Offsets as they are kept, each in its largest whole unit ("7d", not "10080m"), so
    every stored value reads back through `parse_offsets` (at most four digits)."""
    parts = []
    for offset in offsets:
        minutes = int(offset.total_seconds() // 60)
        unit, size = next(
            (u, s) for u, s in (("d", 1_440), ("h", 60), ("m", 1)) if minutes % s == 0
        )
        parts.append(f"{minutes // size}{unit}")
    return ",".join(parts)


def format_offsets(offsets: tuple[timedelta, ...]) -> str:
    return ", ".join(describe(o) for o in offsets)


def describe(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    for unit, size in (("d", 1_440), ("h", 60), ("m", 1)):
        if minutes % size == 0:
            return plural(minutes // size, _NAMES[unit])
    return plural(minutes, "minute")


def effective_offsets(member: Account, community: Community, default: str) -> tuple[timedelta, ...]:
    """The member's own offsets, else the community's, else the configured default."""
    if not member.reminders_enabled:
        return ()
    return parse_offsets(member.reminder_offsets or community.reminder_offsets or default)
