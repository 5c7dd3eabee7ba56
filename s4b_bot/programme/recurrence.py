"""Repeating series: a word ("quarterly x4") or an RFC 5545 RRULE, expanded to start times."""

from __future__ import annotations

import re
from datetime import MAXYEAR, UTC, datetime, timedelta, tzinfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from s4b_bot.errors import UserError
from s4b_bot.timefmt import format_stamp
from s4b_bot.validate import HORIZON_YEARS, bad_character

DEFAULT_COUNT = 4
"""Occurrences of a rule that has neither COUNT nor UNTIL: one year of quarterly sessions."""
MAX_RULE_LENGTH = 300
# The Gregorian calendar repeats exactly every 400 years (weekdays and leap years alike).
_CALENDAR_CYCLE_YEARS = 400
_LAST_FIRST_YEAR = MAXYEAR - HORIZON_YEARS - 1
"""The horizon of a later first session would pass the last year a datetime can hold."""

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
# The time of day is the first session's: hour, minute and second parts would only add
# sessions on the same day (one-hour sessions overlapping) and multiply dateutil's candidates.
_TIME_OF_DAY_PARTS = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND"})
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
    # Expand in naive local wall time, so 13:00 stays 13:00 when DST starts or ends.
    local_start = first_start.replace(tzinfo=None, microsecond=0)
    if local_start.year > _LAST_FIRST_YEAR:
        raise UserError(f"A series starts by the year {_LAST_FIRST_YEAR}, not {local_start.year}.")
    horizon_end = local_start + relativedelta(years=HORIZON_YEARS)
    wanted: int | None = None
    if "COUNT" in parts:
        wanted = _count(parts["COUNT"], count_limit)
    elif "UNTIL" in parts:
        parts["UNTIL"] = _local_until(parts["UNTIL"], zone, first_start, horizon_end)
    else:
        wanted = min(DEFAULT_COUNT, count_limit)
        parts["COUNT"] = str(wanted)
    starts = _within_horizon(rule, parts, local_start, horizon_end, count_limit)
    if not starts:
        raise UserError(
            f"{rule.strip()!r} gives no sessions within {HORIZON_YEARS} years of "
            f"{format_stamp(first_start)}."
        )
    if starts[0] != local_start:
        raise UserError(
            f"{rule.strip()!r} does not include the first session ({format_stamp(first_start)}); "
            "make the rule match the first session's day and time."
        )
    if len(starts) > count_limit:
        raise UserError(
            f"{rule.strip()!r} gives more than {count_limit} sessions; a series has at most "
            f"{count_limit}. Add COUNT or an earlier UNTIL."
        )
    if wanted is not None and len(starts) < wanted:
        raise UserError(
            f"{rule.strip()!r} goes on more than {HORIZON_YEARS} years after the first session "
            f"({format_stamp(first_start)}); a series is planned at most {HORIZON_YEARS} years "
            "ahead. Use a smaller COUNT or INTERVAL."
        )
    return [_attach(start, zone) for start in starts]


def _within_horizon(
    rule: str, parts: dict[str, str], local_start: datetime, horizon_end: datetime, count_limit: int
) -> list[datetime]:
    """The rule's starts up to `horizon_end`, at most count_limit + 1 of them.

    dateutil looks for a match period by period up to the year 9999 and checks UNTIL only
    on matches, so a rule that never matches (BYMONTH=2;BYMONTHDAY=30) costs seconds of CPU.
    Expanding whole 400-year cycles later, as close to 9999 as the horizon allows, gives the
    same days and weekdays and leaves dateutil at most one cycle to search."""
    cycles = (_LAST_FIRST_YEAR - local_start.year) // _CALENDAR_CYCLE_YEARS
    shift = cycles * _CALENDAR_CYCLE_YEARS
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts = parts | {"UNTIL": _years_later(until, shift).strftime("%Y%m%dT%H%M%S")}
    body = ";".join(f"{name}={value}" for name, value in parts.items())
    starts: list[datetime] = []
    try:
        for shifted in rrulestr(body, dtstart=_years_later(local_start, shift)):
            start = _years_later(shifted, -shift)
            if start > horizon_end:
                break
            starts.append(start)
            if len(starts) > count_limit:
                break
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as exc:
        raise UserError(
            f"{rule.strip()!r} is not a repeat rule I can use ({exc}). {_HELP}"
        ) from None
    return starts


def _years_later(when: datetime, years: int) -> datetime:
    """`when` a whole number of 400-year cycles later (or earlier): same month, day, weekday."""
    return when.replace(year=when.year + years)


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
        if name in _TIME_OF_DAY_PARTS:
            raise UserError(
                f"{name} is not allowed: a series has at most one session a day, at the "
                "first session's time."
            )
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
    if freq == "DAILY" and "BYSETPOS" in parts:
        # It would pick among a day's sessions, and a day has one; dateutil would still
        # build and sort a set for every day it searches.
        raise UserError("BYSETPOS picks among a period's sessions; with FREQ=DAILY there is one.")
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or int(interval) < 1:
        raise UserError(
            f"INTERVAL={interval} is not allowed: it is how many periods apart the sessions "
            "are, a whole number of 1 or more."
        )
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


def _local_until(value: str, zone: tzinfo, first_start: datetime, horizon_end: datetime) -> str:
    """UNTIL as naive local wall time, as the naive expansion needs; a date covers its day;
    no later than the horizon."""
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
    if until.date() > horizon_end.date():
        raise UserError(
            f"UNTIL={value} is more than {HORIZON_YEARS} years after the first session "
            f"({format_stamp(first_start)}); a series is planned at most {HORIZON_YEARS} years "
            "ahead."
        )
    return until.strftime("%Y%m%dT%H%M%S")


def _attach(local: datetime, zone: tzinfo) -> datetime:
    """Naive wall time in `zone`; a time skipped by a DST jump moves to the real time after it."""
    return local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
