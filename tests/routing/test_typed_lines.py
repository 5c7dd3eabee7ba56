"""textparse: typed command lines parsed against the real catalogue."""

import re

import pytest

from s4b_bot.errors import UserError
from s4b_bot.routing.route import MEMBER_ROOT, ORGANIZER_ROOT
from s4b_bot.routing.routes import ROUTES
from s4b_bot.routing.textparse import MAX_LINE, check_line, parse_command


def parse(text: str, root: str = MEMBER_ROOT) -> tuple[str, dict[str, object]]:
    command, args = parse_command(ROUTES, root, text)
    return command.name, dict(args)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_help(text: str) -> None:
    assert parse(text) == ("help", {"command": None})


def test_help_with_command() -> None:
    assert parse("help register") == ("help", {"command": "register"})


def test_register_spring() -> None:
    assert parse("register spring") == ("register", {"session": "spring"})


def test_register_without_session_is_allowed() -> None:
    assert parse("register") == ("register", {"session": None})


def test_session_takes_the_rest_of_the_line() -> None:
    assert parse("session social infrastructure") == (
        "session",
        {"session": "social infrastructure"},
    )


def test_quoted_words_are_one_argument() -> None:
    assert parse('session "social   infrastructure"') == (
        "session",
        {"session": "social   infrastructure"},
    )


def test_sessions_all() -> None:
    assert parse("sessions all") == ("sessions", {"scope": "all"})


def test_sessions_choice_is_case_insensitive() -> None:
    assert parse("sessions ALL") == ("sessions", {"scope": "all"})


def test_sessions_without_scope() -> None:
    assert parse("sessions") == ("sessions", {"scope": None})


def test_sessions_bogus_scope() -> None:
    with pytest.raises(UserError) as info:
        parse("sessions bogus")
    message = str(info.value)
    assert "'bogus' is not an option here; use one of `upcoming` or `all`." in message
    assert "/s4b sessions [upcoming|all]" in message


def test_command_name_is_case_insensitive_and_args_keep_case() -> None:
    assert parse("REGISTER Spring") == ("register", {"session": "Spring"})


def test_unknown_command_suggests_sessions() -> None:
    with pytest.raises(UserError) as info:
        parse("sesions")
    message = str(info.value)
    assert "There is no `/s4b sesions` command" in message
    assert "`sessions`" in message
    assert "/s4b help" in message


def test_unknown_long_command_name_is_shortened() -> None:
    with pytest.raises(UserError) as info:
        parse("z" * 100)
    message = str(info.value)
    assert "z" * 40 + "…" in message
    assert "z" * 41 not in message


def test_extra_words_are_refused() -> None:
    with pytest.raises(UserError, match=r"`mine` does not take 'now'\. Usage: `/s4b mine`"):
        parse("mine now")


@pytest.mark.parametrize(
    "text",
    ['session call "spring https://x', "session cancel 'spring", "report “12 rude"],
)
def test_unbalanced_quote_around_a_leading_argument(text: str) -> None:
    with pytest.raises(UserError, match="quotation mark is not closed"):
        parse(text, root=ORGANIZER_ROOT if text.startswith("session") else MEMBER_ROOT)


# Free text as members type it: apostrophes, straight and typographic quotes, `--`, emoji.
FREE_TEXTS = [
    "Let's meet at the library",
    'The "library" idea',
    "“Curly” quotes and ‘single’ ones, it’s fine",
    "pros -- cons",
    "--",
    "'",
    '"',
    "Mary O'Brien",
    "🙂 emoji 🎉 and @everyone",
    "spaces   kept   inside",
]


@pytest.mark.parametrize("text", FREE_TEXTS)
@pytest.mark.parametrize(
    ("root", "line", "option"),
    [
        (MEMBER_ROOT, "idea {}", "text"),
        (MEMBER_ROOT, "report 12 {}", "reason"),
        (ORGANIZER_ROOT, "session cancel spring {}", "reason"),
        (ORGANIZER_ROOT, "session call spring {}", "details"),
        (ORGANIZER_ROOT, "attendance spring {}", "names"),
        (ORGANIZER_ROOT, "idea 3 hide {}", "detail"),
        (ORGANIZER_ROOT, "resolve 2 dismiss {}", "note"),
    ],
)
def test_free_text_is_taken_verbatim(root: str, line: str, option: str, text: str) -> None:
    _, args = parse(line.format(text), root=root)
    assert args[option] == text


def test_idea_keeps_its_text_with_session_at_the_end() -> None:
    assert parse("idea Let's weigh pros -- cons “here” --session summer") == (
        "idea",
        {"text": "Let's weigh pros -- cons “here”", "session": "summer"},
    )


def test_idea_session_at_the_end_may_be_several_words() -> None:
    assert parse("idea A map --session social infrastructure")[1] == {
        "text": "A map",
        "session": "social infrastructure",
    }


def test_idea_session_keyword_without_value() -> None:
    with pytest.raises(UserError, match=r"`--session` needs a value"):
        parse("idea It's good --session")


def test_quoted_session_before_free_text() -> None:
    assert parse(
        'session cancel "social infrastructure" The "room" isn\'t free', root=ORGANIZER_ROOT
    ) == (
        "session cancel",
        {"session": "social infrastructure", "reason": 'The "room" isn\'t free'},
    )


def test_typographic_quotes_group_a_leading_argument() -> None:
    assert parse("report “12” It’s rude")[1] == {"idea": "12", "reason": "It’s rude"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("register spr\x07ing", "U+0007"),
        ("register spring\u202e", "U+202E"),
        ("register\nspring", "U+000A"),
        ("register\tspring", "U+0009"),
    ],
)
def test_control_characters(text: str, code: str) -> None:
    with pytest.raises(UserError, match=re.escape(f"control character ({code})")):
        parse(text)


def test_over_long_line() -> None:
    with pytest.raises(UserError) as info:
        parse("session " + "x" * MAX_LINE)
    message = str(info.value)
    assert f"{MAX_LINE + 8:,} characters long" in message
    assert f"the limit is {MAX_LINE:,}" in message


def test_line_at_the_limit_is_accepted() -> None:
    check_line("x" * MAX_LINE)


def test_over_long_argument_is_refused_by_option_length() -> None:
    with pytest.raises(UserError, match=r"The session: 101 characters; the limit is 100"):
        parse("session " + "x" * 101)


def test_timezone_canonical_spelling() -> None:
    assert parse("timezone america/toronto") == ("timezone", {"zone": "America/Toronto"})


def test_timezone_unknown_suggests() -> None:
    with pytest.raises(UserError, match="America/Vancouver"):
        parse("timezone America/Vancover")


def test_unregister_without_argument_mentions_usage() -> None:
    with pytest.raises(UserError) as info:
        parse("unregister")
    message = str(info.value)
    assert "`unregister` needs" in message
    assert "Usage: `/s4b unregister <session|all>`" in message


def test_organizer_session_call() -> None:
    assert parse("session call spring https://x", root=ORGANIZER_ROOT) == (
        "session call",
        {"session": "spring", "details": "https://x"},
    )


def test_organizer_session_call_details_take_the_rest() -> None:
    name, args = parse(
        'session call "social infrastructure" https://zoom.us/j/1 (passcode 4567)',
        root=ORGANIZER_ROOT,
    )
    assert name == "session call"
    assert args == {
        "session": "social infrastructure",
        "details": "https://zoom.us/j/1 (passcode 4567)",
    }


def test_organizer_session_call_without_details() -> None:
    with pytest.raises(UserError) as info:
        parse("session call spring", root=ORGANIZER_ROOT)
    assert "/s4b-admin session call <session> <details>" in str(info.value)


def test_organizer_commands_are_not_member_commands() -> None:
    # Under the member root, "session call spring" is the `session` command.
    assert parse("session call spring") == ("session", {"session": "call spring"})


def test_member_commands_are_not_organizer_commands() -> None:
    with pytest.raises(UserError, match=r"There is no `/s4b-admin register` command"):
        parse("register spring", root=ORGANIZER_ROOT)


def test_empty_organizer_text_is_organizer_help() -> None:
    command, args = parse_command(ROUTES, ORGANIZER_ROOT, "")
    assert (command.name, command.root, dict(args)) == ("help", ORGANIZER_ROOT, {"command": None})


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "session add 2025-10-28 13:00 Community circle",
            {"when": "2025-10-28 13:00", "title": "Community circle"},
        ),
        (
            "session add 2025-10-28T13:00 Community circle",
            {"when": "2025-10-28T13:00", "title": "Community circle"},
        ),
        (
            "session add 2025-10-28 1pm 13:00 club",
            {"when": "2025-10-28 1pm", "title": "13:00 club"},
        ),
        # An hour and "pm" as two words are one time of day, as the README's `1pm`.
        (
            "session add 2025-10-28 1 pm Coffee",
            {"when": "2025-10-28 1 pm", "title": "Coffee"},
        ),
        # A time the bot cannot read stays with the date, so the refusal names it.
        ("session add 2025-10-28 13h Coffee", {"when": "2025-10-28 13h", "title": "Coffee"}),
        # No time of day after the date: the date alone, which the handler refuses.
        ("session add 2025-10-28 Community", {"when": "2025-10-28", "title": "Community"}),
        (
            "session series 2026-04-28 13:00 quarterly S4B 2026",
            {"first": "2026-04-28 13:00", "rule": "quarterly", "title": "S4B 2026"},
        ),
        (
            "session reschedule spring 2025-05-06 1:30 pm",
            {"session": "spring", "when": "2025-05-06 1:30 pm"},
        ),
    ],
)
def test_a_time_takes_its_date_and_the_time_of_day_after_it(
    text: str, args: dict[str, str]
) -> None:
    assert parse(text, ORGANIZER_ROOT)[1] == args


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            'session add 2026-04-28 13:00 "Belonging in practice',
            {"when": "2026-04-28 13:00", "title": '"Belonging in practice'},
        ),
        ('session add 2026-04-28 "Belonging', {"when": "2026-04-28", "title": '"Belonging'}),
        ('session add 1 "unclosed', {"when": "1", "title": '"unclosed'}),
    ],
)
def test_looking_for_a_time_of_day_does_not_trip_on_a_quote_in_the_title(
    text: str, args: dict[str, str]
) -> None:
    assert parse(text, ORGANIZER_ROOT)[1] == args
