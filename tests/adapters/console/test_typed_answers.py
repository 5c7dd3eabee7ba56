"""Console adapter: typed form answers and /clock arguments."""

from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.forms import AnswerError, parse_answer
from adapters.console.repl import console_actor, parse_clock, split_file
from s4b_bot.clock import RunningClock
from s4b_bot.output import Choice, FormField
from s4b_bot.routing.routes import ROUTES

SEASONS = (
    ("11", "Spring", "2025-04-29", "Cultivating Belonging"),
    ("12", "Summer", "2025-06-24", "Investing in Belonging"),
    ("13", "Fall", "2025-09-23", "Enabling Policies for Belonging"),
    ("14", "Year-End", "2025-11-18", "Building on Our Momentum"),
)
CHOICES = tuple(
    Choice(value, f"{season} · {date} · {title}", (season.lower(), date, str(number)))
    for number, (value, season, date, title) in enumerate(SEASONS, start=1)
)
SESSIONS = FormField("sessions", "Sessions", "multi_select", choices=CHOICES)
AGREE = FormField("agree", "I agree", "checkbox")
NAME = FormField("name", "Name", "short_text")


@pytest.mark.parametrize("text", ["y", "YES", " true ", "1", "x", "agree", "I agree"])
def test_checkbox_yes(text: str) -> None:
    assert parse_answer(AGREE, text) is True


@pytest.mark.parametrize("text", ["n", "No", "false", "0", "", "   "])
def test_checkbox_no(text: str) -> None:
    assert parse_answer(AGREE, text) is False


def test_checkbox_other_answer() -> None:
    with pytest.raises(AnswerError, match=r"^agree: answer yes or no\.$"):
        parse_answer(AGREE, "maybe")
    assert issubclass(AnswerError, ValueError)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("spring, summer", ("11", "12")),
        ("Summer;Spring", ("12", "11")),
        ("year-end", ("14",)),
        ("2025-06-24, 3", ("12", "13")),
        ("momentum", ("14",)),
        ("13", ("13",)),
        ("spring,, ,fall", ("11", "13")),
        ("", ()),
    ],
)
def test_multi_select(text: str, values: tuple[str, ...]) -> None:
    assert parse_answer(SESSIONS, text) == values


@pytest.mark.parametrize("text", ["all", " ALL "])
def test_multi_select_all(text: str) -> None:
    assert parse_answer(SESSIONS, text) == ("11", "12", "13", "14")


def test_multi_select_unknown_word_lists_choices() -> None:
    with pytest.raises(AnswerError) as info:
        parse_answer(SESSIONS, "spring, winterval")
    message = str(info.value)
    assert message.startswith("sessions: 'winterval' is not an option here")
    assert "use one of `spring`, `summer`, `fall` or `year-end`." in message


def test_multi_select_ambiguous_fragment() -> None:
    with pytest.raises(AnswerError, match="'belonging' is not an option here"):
        parse_answer(SESSIONS, "belonging")


def test_text_answer_is_stripped() -> None:
    assert parse_answer(NAME, "  Ada Lovelace  ") == "Ada Lovelace"


# parse_clock

NOW = datetime(2025, 4, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+7d", NOW + timedelta(days=7)),
        ("+1d12h", NOW + timedelta(days=1, hours=12)),
        ("-2h", NOW - timedelta(hours=2)),
        ("+30m", NOW + timedelta(minutes=30)),
        ("+1w2d3h4m", NOW + timedelta(weeks=1, days=2, hours=3, minutes=4)),
        (" +7d ", NOW + timedelta(days=7)),
    ],
)
def test_parse_clock_relative(text: str, expected: datetime) -> None:
    assert parse_clock(text, NOW) == expected


def test_parse_clock_naive_iso_is_utc() -> None:
    result = parse_clock("2025-04-29T13:00", NOW)
    assert result == datetime(2025, 4, 29, 13, 0, tzinfo=UTC)
    assert result.utcoffset() == timedelta(0)


def test_parse_clock_iso_with_offset_is_converted() -> None:
    result = parse_clock("2025-04-29T13:00-04:00", NOW)
    assert result == datetime(2025, 4, 29, 17, 0, tzinfo=UTC)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "text", ["", "+", "-", "+7", "+7x", "+7d3", "+d", "+7d 2h", "soon", "7d", "2025-13-01"]
)
def test_parse_clock_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text, NOW)


@pytest.mark.parametrize("text", ["+99999999999d", "-999999d"])
def test_parse_clock_huge_step_is_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text, NOW)


def test_console_actor() -> None:
    actor = console_actor("  Ada Lovelace! ", organizer=True)
    assert (actor.platform, actor.community, actor.user_id) == ("console", "local", "ada-lovelace")
    assert actor.display_name == "Ada Lovelace!"
    assert actor.is_organizer
    assert console_actor("!!!", organizer=False).user_id == "member"


@pytest.mark.parametrize("text", ["yesterday", "soon", "2025-13-01"])
def test_parse_clock_says_how_to_write_a_time(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_clock(text, NOW)
    assert str(info.value) == (
        f"{text!r} is not a time; use +7d, +1d12h, -2h or a time like 2025-04-22T12:00"
    )


# split_file: `@path` is a file only as the last word of a command that takes one


@pytest.mark.parametrize(
    ("root", "text", "expected"),
    [
        ("s4b-admin", "session import @sessions.ics", ("session import", "sessions.ics")),
        ("s4b-admin", "summary spring @notes.md", ("summary spring", "notes.md")),
        ("s4b", "idea Tell @everyone about it", ("idea Tell @everyone about it", None)),
        ("s4b", "idea Ask @everyone", ("idea Ask @everyone", None)),
        ("s4b", "summary spring @notes.md", ("summary spring @notes.md", None)),
        ("s4b-admin", "session call spring @zoom", ("session call spring @zoom", None)),
        ("s4b-admin", "@x", ("@x", None)),
        ("s4b-admin", "nonsense @x", ("nonsense @x", None)),
        ("s4b-admin", "summary spring @", ("summary spring @", None)),
    ],
)
def test_split_file(root: str, text: str, expected: tuple[str, str | None]) -> None:
    line, path = split_file(ROUTES, root, text)
    assert (line, None if path is None else str(path)) == expected


def test_a_running_clock_starts_where_it_is_told_and_runs_on() -> None:
    ticks = iter([100.0, 100.0, 190.5])
    clock = RunningClock(NOW, elapsed=lambda: next(ticks))
    assert clock.now() == NOW
    assert clock.now() == NOW + timedelta(seconds=90.5)
