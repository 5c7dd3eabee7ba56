"""Repeating series: a word ("quarterly x4") or an RFC 5545 RRULE, expanded to start times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import islice

from dateutil.rrule import rrulestr

from s4b_bot.errors import UserError
from s4b_bot.validate import bad_character

DEFAULT_COUNT = 4
"""Occurrences of a rule that has neither COUNT nor UNTIL: one year of quarterly sessions."""
MAX_RULE_LENGTH = 300

# The words keep the first session's weekday: a month-based word repeats "the same weekday
# of the month" ({weekday}, e.g. 4TU, the fourth Tuesday, or -1TU, the last), as the 2025
# sessions are all on Tuesdays. A bare FREQ=MONTHLY would keep the day of the month instead.
_WORDS = {
    "quarterly": "FREQ=MONTHLY;INTERVAL=3;BYDAY={weekday}",
    "monthly": "FREQ=MONTHLY;BYDAY={weekday}",
    "weekly": "FREQ=WEEKLY",
    "yearly": "FREQ=YEARLY;BYMONTH={month};BYDAY={weekday}",
}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WORD_RULE = re.compile(r"(?P<word>[a-z]+)(?:\s*[x×]\s*(?P<count>\d+))?", re.IGNORECASE)
# Sessions happen at most daily; finer frequencies would only make dateutil search longer.
_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_PARTS = frozenset(
    {
        "FREQ",
        "INTERVAL",
        "COUNT",
        "UNTIL",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "BYHOUR",
        "BYMINUTE",
        "BYSECOND",
        "WKST",
    }
)
_UNTIL = re.compile(r"(?P<date>\d{8})(?:T(?P<time>\d{6})(?P<utc>Z?))?")
_HELP = (
    'Use "quarterly", "monthly", "weekly" or "yearly", optionally with a count such as '
    '"quarterly x4", or an RRULE such as FREQ=MONTHLY;INTERVAL=3;COUNT=4.'
)


def expand(first_start: datetime, rule: str, *, count_limit: int = 12) -> list[datetime]:
    """The start times `rule` gives from `first_start`, in its zone, wall clock kept across DST."""
    zone = first_start.tzinfo
    if zone is None:
        raise ValueError("first_start must be timezone-aware")
    if count_limit < 1:
        raise ValueError("count_limit must be positive")
    parts = _parts(rule, first_start)
    if "COUNT" in parts and "UNTIL" in parts:
        raise UserError("A repeat rule has COUNT or UNTIL, not both (RFC 5545).")
    wanted: int | None = None
    if "COUNT" in parts:
        wanted = _count(parts["COUNT"], count_limit)
    elif "UNTIL" in parts:
        parts["UNTIL"] = _local_until(parts["UNTIL"], zone)
    else:
        wanted = min(DEFAULT_COUNT, count_limit)
        parts["COUNT"] = str(wanted)
    # Expand in naive local wall time, so 13:00 stays 13:00 when DST starts or ends.
    local_start = first_start.replace(tzinfo=None, microsecond=0)
    body = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        recurrence = rrulestr(body, dtstart=local_start)
        starts: list[datetime] = list(islice(recurrence, count_limit + 1))
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as exc:
        raise UserError(
            f"{rule.strip()!r} is not a repeat rule I can use ({exc}). {_HELP}"
        ) from None
    if not starts:
        raise UserError(f"{rule.strip()!r} gives no sessions at all from {_day(first_start)}.")
    if len(starts) > count_limit:
        raise UserError(
            f"{rule.strip()!r} gives more than {count_limit} sessions; a series has at most "
            f"{count_limit}. Add COUNT or an earlier UNTIL."
        )
    if starts[0] != local_start:
        raise UserError(
            f"{rule.strip()!r} does not include the first session ({_day(first_start)}); "
            "make the rule match the first session's day and time."
        )
    return [_attach(start, zone) for start in starts]


def _parts(rule: str, first_start: datetime) -> dict[str, str]:
    """The rule's parts, NAME -> VALUE in order; words are turned into their RRULE."""
    text = rule.strip()
    if not text:
        raise UserError(f"A repeat rule is needed. {_HELP}")
    found = bad_character(text)
    if found:
        raise UserError(f"The repeat rule contains a control character ({found}); remove it.")
    if len(text) > MAX_RULE_LENGTH:
        raise UserError(f"A repeat rule is at most {MAX_RULE_LENGTH} characters. {_HELP}")
    word = _WORD_RULE.fullmatch(text)
    if word is not None:
        pattern = _WORDS.get(word["word"].lower())
        if pattern is None:
            raise UserError(f"{text!r} is not a repeat rule I know. {_HELP}")
        body = pattern.format(weekday=_weekday_of_month(first_start), month=first_start.month)
        if word["count"] is not None:
            body += f";COUNT={word['count']}"
    else:
        body = re.sub(r"\s+", "", text).upper().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for pair in filter(None, body.split(";")):
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise UserError(f"{pair!r} in the repeat rule is not NAME=VALUE. {_HELP}")
        if name not in _PARTS:
            raise UserError(f"{name} is not a repeat rule part I know. {_HELP}")
        if name in parts:
            raise UserError(f"{name} appears twice in the repeat rule.")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise UserError(f"A repeat rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY). {_HELP}")
    if freq not in _FREQUENCIES:
        raise UserError(f"FREQ={freq} is not allowed; use DAILY, WEEKLY, MONTHLY or YEARLY.")
    return parts


def _weekday_of_month(day: datetime) -> str:
    """BYDAY for `day`'s place in its month: 1TU to 4TU, or -1TU for a fifth (last) Tuesday,
    since most months have no fifth."""
    nth = (day.day - 1) // 7 + 1
    return f"{-1 if nth == 5 else nth}{_WEEKDAYS[day.weekday()]}"


def _count(value: str, count_limit: int) -> int:
    if not value.isdigit():
        raise UserError(f"COUNT={value} is not a whole number.")
    count = int(value)
    if count < 1:
        raise UserError("A series needs at least one session (COUNT of 1 or more).")
    if count > count_limit:
        raise UserError(f"{count} sessions is too many; a series has at most {count_limit}.")
    return count


def _local_until(value: str, zone: tzinfo) -> str:
    """UNTIL as naive local wall time, as the naive expansion needs; a date covers its day."""
    match = _UNTIL.fullmatch(value)
    if match is None:
        raise UserError(f"UNTIL={value} is not a date (20261231) or UTC time (20261231T235959Z).")
    try:
        day = datetime.strptime(match["date"], "%Y%m%d")
        if match["time"] is None:
            until = day + timedelta(days=1, seconds=-1)
        else:
            until = datetime.strptime(match["date"] + match["time"], "%Y%m%d%H%M%S")
            if match["utc"]:
                until = until.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise UserError(f"UNTIL={value} is not a real date.") from None
    return until.strftime("%Y%m%dT%H%M%S")


def _attach(local: datetime, zone: tzinfo) -> datetime:
    """Naive wall time in `zone`; a time skipped by a DST jump moves to the real time after it."""
    return local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _day(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")
