"""Words shared by several places: counts with their nouns, durations, lists of choices and
the standard apologies, so each wording lives once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta

from s4b_bot.output import Attachment

TRY_AGAIN = "Please try again, or tell an organizer."
SESSION_GONE = "That session no longer exists."
FORM_EXPIRED = "That form is no longer valid; open it again."
BUTTON_EXPIRED = "That button is no longer valid; try the command again."
CALL_DETAILS_LATER = "The organizers will share them before the session."


def went_wrong(consequence: str = "", *, reference: str = "") -> str:
    """The apology for an unexpected failure, on every platform: what did not happen, and
    what to do ("Something went wrong on my side, so nothing was changed. Please try…")."""
    ref = f" (reference {reference})" if reference else ""
    then = f", so {consequence}" if consequence else ""
    return f"Something went wrong on my side{ref}{then}. {TRY_AGAIN}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 reminder`, `2 reminders`; `many` for irregular nouns (`1 person`, `3 people`)."""
    word = noun if count == 1 else (many or noun + "s")
    return f"{count:,} {word}"


# (used below this many minutes, the unit's size in minutes, its noun)
_UNITS = (
    (60, 1, "minute"),
    (24 * 60, 60, "hour"),
    (14 * 24 * 60, 24 * 60, "day"),
    (60 * 24 * 60, 7 * 24 * 60, "week"),
    (365 * 24 * 60, 30 * 24 * 60, "month"),
)


def duration(length: timedelta) -> str:
    """A length of time rounded to the unit a person would use: `45 minutes`, `2 hours`,
    `7 days`, `4 weeks`, `5 months`, `2 years` (never `677 hours`)."""
    minutes = round(abs(length.total_seconds()) / 60)
    for limit, size, noun in _UNITS:
        count = round(minutes / size)
        if minutes < limit and count * size < limit:
            return plural(max(count, 1), noun)
    return plural(max(round(minutes / (365.25 * 24 * 60)), 1), "year")


def relative(length: timedelta) -> str:
    """`in 2 hours` for a time ahead, `3 days ago` for one past, `now` within a minute."""
    if abs(length) < timedelta(seconds=30):
        return "now"
    return f"in {duration(length)}" if length > timedelta(0) else f"{duration(length)} ago"


def one_of(options: Sequence[str], *, conjunction: str = "or") -> str:
    """`a`, `a or b`, `a, b or c`: options as a sentence lists them."""
    if len(options) <= 1:
        return "".join(options)
    return f"{', '.join(options[:-1])} {conjunction} {options[-1]}"


def not_a_choice(typed: str, choices: Sequence[str]) -> str:
    """ "'nonsense' is not an option here; use `reset`." (or "one of `a`, `b` or `c`")."""
    shown = [f"`{c}`" for c in choices]
    use = shown[0] if len(shown) == 1 else f"one of {one_of(shown)}"
    return f"{typed[:40]!r} is not an option here; use {use}."


def sentence(text: str) -> str:
    """`text` ending in one stop: none added after `.`, `!`, `?` or `…` (a typed reason
    that ends with a period must not end the sentence twice)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def clause(text: str) -> str:
    """`text` without its closing period, to sit inside a sentence (in brackets, say)."""
    text = text.rstrip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def with_reason(statement: str, reason: str | None) -> str:
    """ "The session is cancelled: the room is unavailable." as one sentence."""
    reason = (reason or "").strip()
    return sentence(f"{statement}: {reason}" if reason else statement)


FILE_KINDS = {
    "text/calendar": "a calendar file; open it to add it to your calendar",
    "text/csv": "a spreadsheet (CSV)",
    "application/json": "everything I store about you (JSON)",
    "text/markdown": "a session summary (Markdown)",
}


def files_caption(attachments: Sequence[Attachment]) -> str:
    """What a message that carries only files says: each file's name and what it is."""
    return "\n".join(
        f"📎 {a.filename}: {FILE_KINDS.get(a.mime.split(';')[0].strip(), 'a file')}."
        for a in attachments
    )


_TARGET = re.compile(r"\b([a-z]+):(\d+)")


def target_words(target: str, seasons: Mapping[int, str] | None = None) -> str:
    """ "idea:4" as "idea #4", "session:3" as "the Spring session", wherever they stand
    ("report:1 on idea:3" as "report #1 on idea #3")."""

    def named(found: re.Match[str]) -> str:
        kind, number = found.group(1), int(found.group(2))
        if kind == "session":
            return (
                f"the {seasons[number]} session"
                if seasons and number in seasons
                else f"session #{number}"
            )
        return "this community" if kind == "community" else f"{kind} #{number}"

    return _TARGET.sub(named, target)
