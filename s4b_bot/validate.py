"""Checks on what people type. Each failure is a UserError that says what to fix."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.relativedelta import relativedelta

from s4b_bot.errors import UserError

HORIZON_YEARS = 5
"""Sessions are planned at most this many years ahead: of now, and a series of its first."""

# Bidirectional overrides can make text read differently from what it is (CVE-2021-42574).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


_JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ: real spellings and emoji sequences
_BLACK_FLAG = "\U0001f3f4"  # subdivision flags (Scotland, Wales) follow it with tag characters
_TAGS = range(0xE0020, 0xE0080)


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMNS"


def _needed_format_character(text: str, at: int) -> bool:
    """Whether the invisible character at `at` is one that real writing needs: a joiner
    between two visible characters, or a tag inside a subdivision flag."""
    char = text[at]
    if char in _JOINERS:
        return 0 < at < len(text) - 1 and _visible(text[at - 1]) and _visible(text[at + 1])
    if ord(char) in _TAGS:
        start = at
        while start > 0 and ord(text[start - 1]) in _TAGS:
            start -= 1
        return start > 0 and text[start - 1] == _BLACK_FLAG
    return False


def bad_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control or invisible character in `text` as `U+XXXX`, or None.

    Invisible format characters (zero-width spaces, direction marks, ...) make a name look
    blank or like someone else's, so they are refused unless the script or emoji needs them.
    """
    allowed = "\n\t" if multiline else ""
    for at, char in enumerate(text):
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in _BIDI_CONTROLS:  # Cs: a lone surrogate half
            return f"U+{ord(char):04X}"
        if category == "Cf" and not _needed_format_character(text, at):
            return f"U+{ord(char):04X}"
    return None


def bad_character_problem(text: str, *, multiline: bool = False) -> str | None:
    """What is wrong, for a reply: "a control character (U+0007)", or None."""
    code = bad_character(text, multiline=multiline)
    if code is None:
        return None
    char = chr(int(code[2:], 16))
    invisible = unicodedata.category(char) == "Cf" and char not in _BIDI_CONTROLS
    kind = "an invisible" if invisible else "a control"
    return f"{kind} character ({code})"


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
    problem = bad_character_problem(text, multiline=multiline)
    if problem:
        raise UserError(f"{label} cannot contain {problem}; please remove it.")
    if len(text) > max_length:
        # Worded without a verb on the label, which may be plural ("Call details").
        raise UserError(f"{label}: {len(text):,} characters; the limit is {max_length:,}.")
    return text


# Zones named after a place ("Region/City"), whose clocks follow that place all year, and
# UTC. Not offered: abbreviations and fixed offsets (EST is UTC-5 even in summer), old
# aliases (US/Eastern, Japan), Etc/GMT+5 (its sign is reversed) and `localtime` (the
# server's own zone).
_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia"}
    | {"Europe", "Indian", "Pacific"}
)
_PLACES_FOR = {
    "America/New_York or America/Toronto": "est edt est5edt et eastern",
    "America/Chicago or America/Winnipeg": "cst cdt cst6cdt ct central",
    "America/Denver, America/Edmonton or America/Phoenix": "mst mdt mst7mdt mt mountain",
    "America/Los_Angeles or America/Vancouver": "pst pdt pst8pdt pt pacific",
    "America/Halifax": "ast adt atlantic",
    "America/St_Johns": "nst ndt newfoundland",
    "America/Anchorage": "akst akdt alaska",
    "Pacific/Honolulu": "hst hawaii",
    "UTC or Europe/London": "gmt bst gb greenwich utc0 gmt0 uct universal zulu",
    "Europe/Paris or Europe/Berlin": "cet cest met",
    "Europe/Athens or Europe/Helsinki": "eet eest",
    "Europe/Lisbon": "wet west",
    "Asia/Kolkata": "ist",
    "Asia/Tokyo": "jst japan",
    "Australia/Sydney": "aest aedt",
}
_ABBREVIATIONS = {word: places for places, words in _PLACES_FOR.items() for word in words.split()}
OFF = "off"
"""Typed instead of a zone, it clears the member's own zone."""


@cache
def zone_names() -> dict[str, str]:
    """The zones a member can choose, by their lower-case name."""
    names = [z for z in available_timezones() if z.split("/")[0] in _REGIONS and "/" in z]
    return {name.lower(): name for name in [*names, "UTC"]}


@cache
def _zones_by_city() -> dict[str, list[str]]:
    """`toronto` → [America/Toronto]: for suggestions when only the city is typed."""
    found: dict[str, list[str]] = {}
    for name in zone_names().values():
        found.setdefault(name.rpartition("/")[2].replace("_", " ").lower(), []).append(name)
    return found


@cache
def _every_zone() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _offsets(name: str) -> set[str]:
    """A zone's UTC offsets in winter and in summer, like {"-0500", "-0400"}."""
    zone = ZoneInfo(name)
    return {datetime(2025, month, 1, tzinfo=zone).strftime("%z") for month in (1, 7)}


def clean_zone(value: str) -> str:
    """An IANA zone named after a place, with its canonical spelling, or UTC; or a
    UserError that suggests real zones."""
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
    key = text.lower().replace(" ", "_")
    name = zone_names().get(key)
    if name is not None:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            name = None
    if name is not None:
        return name
    places = _ABBREVIATIONS.get(key.rpartition("/")[2])
    if places is not None:
        typed = _every_zone().get(key)
        offsets = _offsets(typed) if typed else set()
        if len(offsets) == 1 and len(_offsets(places.split()[0].rstrip(","))) == 2:
            offset = offsets.pop().replace("-", "−")
            raise UserError(
                f"{text!r} is a fixed offset (UTC{offset[:3]}:{offset[3:]}), wrong half the "
                f"year where clocks change; try {places}."
            )
        raise UserError(f"{text!r} is an abbreviation or an old alias, not a place; try {places}.")
    city = key.rpartition("/")[2].replace("_", " ")
    close = _zones_by_city().get(city, []) + [
        zone_names()[c] for c in difflib.get_close_matches(key, list(zone_names()), n=3, cutoff=0.6)
    ]
    hint = ", ".join(dict.fromkeys(close))
    raise UserError(
        f"{text!r} is not a time zone I know. Use an IANA name such as America/Toronto"
        + (f"; did you mean {hint}?" if hint else ".")
    )


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
        parsed = _wall_time(label, text, parsed, zone)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31 23:59 in Toronto is in the year 10000 in UTC
        raise UserError(f"{label} {text!r} is too far ahead; {_WITHIN_HORIZON}.") from None


def _wall_time(label: str, text: str, naive: datetime, zone: str) -> datetime:
    """`naive` as a time in `zone`. A time the clocks skip (2:30 a.m. as daylight saving
    time starts) is refused; one they pass twice (1:30 a.m. as it ends) is the first."""
    tz = ZoneInfo(zone)
    first = naive.replace(tzinfo=tz, fold=0)
    try:
        real = first.astimezone(UTC).astimezone(tz)
    except OverflowError:
        return first  # too far ahead: refused below
    if real.replace(tzinfo=None) != naive:
        hours = (real.replace(tzinfo=None) - naive).total_seconds() / 3600  # the jump
        raise UserError(
            f"{label} {text!r} does not exist in {zone}: the clocks go forward "
            f"{hours:g} hour{'s' if hours != 1 else ''} that night and skip it. Give a time "
            f"before or after the gap, e.g. {real:%Y-%m-%d %H:%M}."
        )
    return first


_WITHIN_HORIZON = f"a session must start within {HORIZON_YEARS} years from now"


def check_horizon(starts: datetime, now: datetime) -> None:
    """Refuse a session start more than HORIZON_YEARS after `now`: one bound for every way
    a session is added or moved (and nothing near the year 9999, where times overflow)."""
    latest = now + relativedelta(years=HORIZON_YEARS)
    if starts > latest:
        raise UserError(
            f"{starts.astimezone(UTC):%Y-%m-%d %H:%M} UTC is too far ahead; {_WITHIN_HORIZON} "
            f"(by {latest.astimezone(UTC):%Y-%m-%d}). Nothing was changed."
        )


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
