"""words: durations, relative times, choices, sentences and file captions, worded once."""

from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.render import render_text
from s4b_bot.output import Attachment, Localised, Moment, Text
from s4b_bot.timefmt import format_day, format_relative
from s4b_bot.words import (
    duration,
    files_caption,
    not_a_choice,
    one_of,
    plural,
    relative,
    sentence,
    with_reason,
)

TORONTO = "America/Toronto"
SPRING = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)  # 1:00 p.m. EDT


@pytest.mark.parametrize(
    ("length", "said"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(hours=167), "7 days"),
        (timedelta(days=7), "7 days"),
        (timedelta(hours=677), "4 weeks"),
        (timedelta(days=90), "3 months"),
        (timedelta(hours=15798), "2 years"),
    ],
)
def test_durations_use_the_unit_a_person_would(length: timedelta, said: str) -> None:
    assert duration(length) == said


def test_relative_says_ahead_or_ago() -> None:
    assert relative(timedelta(hours=2)) == "in 2 hours"
    assert relative(-timedelta(days=3)) == "3 days ago"
    assert relative(timedelta(seconds=10)) == "now"


@pytest.mark.parametrize(
    ("now", "said"),
    [
        (SPRING - timedelta(hours=2), "in 2 hours"),
        (SPRING - timedelta(days=1), "tomorrow at 1:00 p.m. EDT"),
        (SPRING - timedelta(hours=13), "today at 1:00 p.m. EDT"),  # 00:00 the same day
        (SPRING - timedelta(days=7), "in 7 days"),
        (SPRING - timedelta(hours=677), "in 4 weeks"),
        (SPRING + timedelta(days=1), "yesterday at 1:00 p.m. EDT"),
    ],
)
def test_a_relative_time_in_words(now: datetime, said: str) -> None:
    assert format_relative(SPRING, now, TORONTO) == said


def test_a_relative_moment_on_the_console_is_in_the_viewers_zone() -> None:
    moment = Moment(
        SPRING, zone=TORONTO, viewer_zone="America/Vancouver", relative_to=SPRING - timedelta(1)
    )
    assert render_text(Text.of("Starts ", moment, ".")) == "Starts tomorrow at 10:00 a.m. PDT."


def test_the_console_shows_the_fixed_words_about_times() -> None:
    note = Localised(localised="Times are in your zone.", fixed="Times are Eastern.")
    assert render_text(Text.of(note)) == "Times are Eastern."


def test_a_day_as_a_sentence_says_it() -> None:
    assert format_day(SPRING, TORONTO) == "Tuesday, April 29, 2025"


def test_choices_are_listed_as_a_sentence() -> None:
    assert not_a_choice("nonsense", ("reset",)) == "'nonsense' is not an option here; use `reset`."
    assert not_a_choice("x", ("top", "new", "mine")) == (
        "'x' is not an option here; use one of `top`, `new` or `mine`."
    )
    assert one_of(["a", "b"], conjunction="and") == "a and b"


@pytest.mark.parametrize(
    "reason", ["The room is unavailable.", "The room is unavailable", "The room is unavailable. "]
)
def test_a_reason_ends_the_sentence_once(reason: str) -> None:
    said = with_reason("The Spring session is cancelled", reason)
    assert said == "The Spring session is cancelled: The room is unavailable."
    assert sentence("Really?") == "Really?"
    assert with_reason("It is cancelled", None) == "It is cancelled."


def test_plural() -> None:
    assert (plural(1, "reminder"), plural(2, "reminder")) == ("1 reminder", "2 reminders")
    assert plural(3, "try", "tries") == "3 tries"


def test_a_file_caption_says_what_each_file_is() -> None:
    caption = files_caption(
        [
            Attachment("s4b-spring.ics", b"", "text/calendar; method=REQUEST"),
            Attachment("roster.csv", b"", "text/csv"),
        ]
    )
    assert caption.splitlines() == [
        "📎 s4b-spring.ics: a calendar file; open it to add it to your calendar.",
        "📎 roster.csv: a spreadsheet (CSV).",
    ]
