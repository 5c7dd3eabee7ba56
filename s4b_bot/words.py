"""Words shared by several places: counts with their nouns (and, as they come, durations,
dates and the standard apologies), so each wording lives once."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 reminder`, `2 reminders`; `many` for irregular nouns (`1 person`, `3 people`)."""
    word = noun if count == 1 else (many or noun + "s")
    return f"{count:,} {word}"
