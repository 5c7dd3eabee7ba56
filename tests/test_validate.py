"""validate: control characters, text, time zones and email addresses."""

from datetime import UTC, datetime

import pytest

from s4b_bot.errors import UserError
from s4b_bot.validate import (
    bad_character,
    clean_email,
    clean_local_time,
    clean_text,
    clean_zone,
    is_time_of_day,
    zone_names,
)

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


# bad_character


def test_bad_character_plain_text_is_none() -> None:
    assert bad_character("Hello, wörld — café ☕ 日本") is None


@pytest.mark.parametrize("char", list(BIDI_CONTROLS))
def test_bad_character_rejects_bidi_controls(char: str) -> None:
    assert bad_character(f"abc{char}def") == f"U+{ord(char):04X}"


def test_bad_character_reports_rlo_as_u202e() -> None:
    assert bad_character("invoice\u202egpj.exe") == "U+202E"


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\x00", "U+0000"),
        ("\x07", "U+0007"),
        ("\x1b", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
    ],
)
def test_bad_character_rejects_c0_c1_controls(char: str, code: str) -> None:
    assert bad_character(f"a{char}b") == code


def test_bad_character_reports_the_first_one() -> None:
    assert bad_character("a\x01b\x02") == "U+0001"


@pytest.mark.parametrize(("char", "code"), [("\n", "U+000A"), ("\t", "U+0009")])
def test_bad_character_newline_and_tab_need_multiline(char: str, code: str) -> None:
    assert bad_character(f"a{char}b") == code
    assert bad_character(f"a{char}b", multiline=True) is None


def test_bad_character_multiline_still_rejects_other_controls() -> None:
    assert bad_character("a\nb\rc", multiline=True) == "U+000D"
    assert bad_character("a\n\u202eb", multiline=True) == "U+202E"


# clean_text


def test_clean_text_strips() -> None:
    assert clean_text("Name", "  Ada Lovelace \n", max_length=50) == "Ada Lovelace"


@pytest.mark.parametrize("value", ["", "   ", "\n\t "])
def test_clean_text_required_missing(value: str) -> None:
    with pytest.raises(UserError, match=r"^Name is required\.$"):
        clean_text("Name", value, max_length=50)


@pytest.mark.parametrize("value", ["", "   "])
def test_clean_text_optional_missing_is_empty(value: str) -> None:
    assert clean_text("Note", value, max_length=50, required=False) == ""


def test_clean_text_too_long_mentions_both_lengths() -> None:
    with pytest.raises(UserError) as info:
        clean_text("Name", "x" * 101, max_length=100)
    message = str(info.value)
    assert message.startswith("Name: ")
    assert "101" in message
    assert "100" in message


def test_clean_text_too_long_uses_thousands_separators() -> None:
    with pytest.raises(UserError, match=r"^Details: 1,001 characters; the limit is 1,000\.$"):
        clean_text("Details", "y" * 1001, max_length=1000)


def test_clean_text_exactly_at_limit_is_fine() -> None:
    assert clean_text("Name", "x" * 100, max_length=100) == "x" * 100


def test_clean_text_length_counted_after_strip() -> None:
    assert clean_text("Name", "  abc  ", max_length=3) == "abc"


@pytest.mark.parametrize("char", ["\x07", "\u202e", "\u2066", "\x00"])
def test_clean_text_rejects_control_characters(char: str) -> None:
    with pytest.raises(
        UserError, match=rf"Name cannot contain a control character \(U\+{ord(char):04X}\)"
    ):
        clean_text("Name", f"Ada{char}Lovelace", max_length=50)


def test_clean_text_newline_rejected_without_multiline() -> None:
    with pytest.raises(UserError, match=r"U\+000A"):
        clean_text("Title", "line one\nline two", max_length=100)


def test_clean_text_newline_allowed_with_multiline() -> None:
    text = clean_text("Notes", "line one\r\nline two\n\tindented", max_length=100, multiline=True)
    assert text == "line one\nline two\n\tindented"


def test_clean_text_multiline_rejects_bare_carriage_return() -> None:
    with pytest.raises(UserError, match=r"U\+000D"):
        clean_text("Notes", "line one\rline two", max_length=100, multiline=True)


def test_clean_text_multiline_still_rejects_bidi() -> None:
    with pytest.raises(UserError, match=r"U\+202E"):
        clean_text("Notes", "line one\n\u202eline two", max_length=100, multiline=True)


# clean_zone


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("america/vancouver", "America/Vancouver"),
        ("AMERICA/TORONTO", "America/Toronto"),
        ("  Europe/Paris  ", "Europe/Paris"),
        ("america/new york", "America/New_York"),
        ("utc", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_clean_zone_canonical_spelling(typed: str, canonical: str) -> None:
    assert clean_zone(typed) == canonical


def test_clean_zone_suggests_close_names() -> None:
    with pytest.raises(UserError) as info:
        clean_zone("America/Vancover")
    message = str(info.value)
    assert "'America/Vancover' is not a time zone I know" in message
    assert "did you mean" in message
    assert "America/Vancouver" in message


def test_clean_zone_garbage_without_suggestions() -> None:
    with pytest.raises(UserError) as info:
        clean_zone("@@@@")
    message = str(info.value)
    assert "not a time zone I know" in message
    assert "did you mean" not in message
    assert "America/Toronto" in message


@pytest.mark.parametrize("value", ["", "   "])
def test_clean_zone_rejects_empty(value: str) -> None:
    with pytest.raises(UserError, match=r"IANA name such as America/Toronto"):
        clean_zone(value)


def test_clean_zone_rejects_overlong() -> None:
    with pytest.raises(UserError) as info:
        clean_zone("America/" + "x" * 57)  # 65 characters
    assert "64" in str(info.value)
    assert "IANA" in str(info.value)


def test_clean_zone_rejects_control_characters() -> None:
    with pytest.raises(UserError, match=r"control character \(U\+202E\)"):
        clean_zone("America/\u202eToronto")


def test_clean_zone_64_chars_is_checked_by_name() -> None:
    with pytest.raises(UserError, match="not a time zone I know"):
        clean_zone("A" * 64)


# clean_email


@pytest.mark.parametrize(
    "value", ["jorge@tamarackcommunity.ca", "first.last+tag@example.org", "x@sub.domain.co"]
)
def test_clean_email_accepts_addresses(value: str) -> None:
    assert clean_email(value) == value


def test_clean_email_strips() -> None:
    assert clean_email("  ada@example.org \n") == "ada@example.org"


def test_clean_email_empty_is_optional() -> None:
    assert clean_email("   ") == ""


@pytest.mark.parametrize(
    "value",
    [
        "ada",
        "ada@example",
        "@example.org",
        "ada@",
        "ada lovelace@example.org",
        "ada@@example.org",
        "ada@example.c",
        "<ada@example.org>",
        "ada@example.org, bob@example.org",
    ],
)
def test_clean_email_rejects_non_addresses(value: str) -> None:
    with pytest.raises(UserError, match="does not look like an email address"):
        clean_email(value)


def test_clean_email_too_long() -> None:
    value = "a" * 250 + "@b.org"
    with pytest.raises(UserError, match=r"^Email: 256 characters; the limit is 254\.$"):
        clean_email(value)


def test_clean_email_control_character() -> None:
    with pytest.raises(UserError, match=r"Email cannot contain a control character \(U\+202E\)"):
        clean_email("ada\u202e@example.org")


# Invisible format characters (issue 12.11): they make a name look blank or like another's.


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200e", "\u200f", "\u061c", "\u2060", "\ufeff", "\u00ad", "\u2062"],
    ids=["ZWSP", "LRM", "RLM", "ALM", "WJ", "BOM", "SHY", "invisible-times"],
)
def test_bad_character_rejects_invisible_format_characters(char: str) -> None:
    assert bad_character(f"Ada{char} Lovelace") == f"U+{ord(char):04X}"
    with pytest.raises(UserError, match=rf"invisible character \(U\+{ord(char):04X}\)"):
        clean_text("The name", f"Ada{char}", max_length=50)


@pytest.mark.parametrize(
    "text",
    [
        "Family 👩\u200d👩\u200d👧 picnic",  # ZWJ inside an emoji sequence
        "میخواهم",  # Persian, no joiners
        "می\u200cخواهم",  # Persian with ZWNJ between letters (a real spelling)
        "क्\u200dष",  # Devanagari with ZWJ between letters
        "Scotland 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # flag tags
    ],
)
def test_bad_character_keeps_joiners_that_real_writing_needs(text: str) -> None:
    assert bad_character(text) is None


@pytest.mark.parametrize("text", ["\u200dAda", "Ada\u200d", "\u200c\u200c", "a \u200d b"])
def test_bad_character_refuses_joiners_that_join_nothing(text: str) -> None:
    assert bad_character(text) is not None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "EST",
            "'EST' is a fixed offset (UTC−05:00), wrong half the year where clocks change; "
            "try America/New_York or America/Toronto.",
        ),
        ("mst", "'mst' is a fixed offset (UTC−07:00)"),
        (
            "EST5EDT",
            "'EST5EDT' is an abbreviation or an old alias, not a place; try America/New_York",
        ),
        ("US/Eastern", "not a place; try America/New_York or America/Toronto."),
        ("Canada/Pacific", "not a place; try America/Los_Angeles or America/Vancouver."),
        ("PST", "try America/Los_Angeles or America/Vancouver."),
        ("CET", "try Europe/Paris or Europe/Berlin."),
        ("GMT", "try UTC or Europe/London."),
        ("Japan", "try Asia/Tokyo."),
        ("localtime", "'localtime' is not a time zone I know."),
        ("Etc/GMT+5", "'Etc/GMT+5' is not a time zone I know."),
        ("Factory", "'Factory' is not a time zone I know."),
        ("Toronto", "did you mean America/Toronto?"),
        ("new york", "did you mean America/New_York?"),
    ],
)
def test_clean_zone_refuses_what_is_not_a_place_and_suggests_real_zones(
    typed: str, message: str
) -> None:
    with pytest.raises(UserError) as info:
        clean_zone(typed)
    assert message in str(info.value)


def test_every_zone_offered_is_a_place_or_utc() -> None:
    names = set(zone_names().values())
    assert {"America/Toronto", "Europe/Paris", "Pacific/Honolulu", "UTC"} <= names
    assert not names & {"EST", "EST5EDT", "localtime", "US/Eastern", "Etc/GMT+5", "Japan"}
    assert all("/" in name for name in names - {"UTC"})


# clean_local_time: an organizer's date and time, Eastern unless it has an offset


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-10-28 13:00", datetime(2025, 10, 28, 17, 0, tzinfo=UTC)),  # EDT
        ("2025-10-28T13:00", datetime(2025, 10, 28, 17, 0, tzinfo=UTC)),
        ("2025-10-28t9:05", datetime(2025, 10, 28, 13, 5, tzinfo=UTC)),
        ("2025-11-18 13:00", datetime(2025, 11, 18, 18, 0, tzinfo=UTC)),  # EST
        ("2025-10-28   1pm", datetime(2025, 10, 28, 17, 0, tzinfo=UTC)),
        ("2025-10-28 1:30 P.M.", datetime(2025, 10, 28, 17, 30, tzinfo=UTC)),
        ("2025-10-28 12am", datetime(2025, 10, 28, 4, 0, tzinfo=UTC)),
        ("2025-10-28 12 pm", datetime(2025, 10, 28, 16, 0, tzinfo=UTC)),
        ("2025-10-28T13:00-05:00", datetime(2025, 10, 28, 18, 0, tzinfo=UTC)),
        ("2025-10-28 13:00Z", datetime(2025, 10, 28, 13, 0, tzinfo=UTC)),
    ],
)
def test_clean_local_time_reads_a_date_and_a_time_of_day(text: str, utc: datetime) -> None:
    assert clean_local_time("The time", text, "America/Toronto") == utc


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2025-10-28",
            "'2025-10-28' has a date but no time of day; write it like 2025-10-28 13:00",
        ),
        ("13:00", "'13:00' is not a date and time; write it like 2026-04-28 13:00"),
        ("tomorrow 1pm", "is not a date and time"),
        ("10/28/2025 13:00", "is not a date and time"),  # month or day first? never guessed
        ("2025-02-30 13:00", "2025-02-30 is not a real date"),
        ("2025-10-28 25:00", "'25:00' is not a time of day; write it like 2025-10-28 13:00"),
        ("2025-10-28 13pm", "'13pm' is not a time of day"),
        ("2025-10-28 13:00 EDT", "with an offset: 2025-10-28T13:00-04:00"),
        ("2025-10-28 Community circle", "'Community circle' is not a time of day"),
        ("", "The time is required"),
    ],
)
def test_clean_local_time_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(UserError) as info:
        clean_local_time("The time", text, "America/Toronto")
    assert message in str(info.value)


@pytest.mark.parametrize("word", ["13:00", "1pm", "1:30p.m.", "13:00-04:00", "9:05"])
def test_is_time_of_day(word: str) -> None:
    assert is_time_of_day(word)


@pytest.mark.parametrize("word", ["Community", "1", "2026", "quarterly", "13"])
def test_is_not_time_of_day(word: str) -> None:
    assert not is_time_of_day(word)
