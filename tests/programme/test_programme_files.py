"""programme: the bundled 2025 file, and every kind of bad input named for the organizer."""

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from s4b_bot.errors import UserError
from s4b_bot.programme.loading import DEFAULT_PROGRAMME, INFO_KEYS, parse_programme, read_programme
from s4b_bot.validate import clean_email

BUNDLED = Path(__file__).resolve().parents[2] / "s4b_bot" / "programmes" / "s4b-2025.toml"


@pytest.fixture(scope="module")
def bundled():
    return read_programme(BUNDLED)


def test_default_programme_is_the_bundled_file() -> None:
    assert DEFAULT_PROGRAMME.resolve() == BUNDLED


def test_bundled_series(bundled) -> None:
    assert bundled.key == "s4b-2025"
    assert bundled.name == "S4B Working Group 2025"
    assert bundled.timezone == "America/Toronto"


def test_bundled_sessions_in_utc(bundled) -> None:
    assert [s.season for s in bundled.sessions] == ["Spring", "Summer", "Fall", "Year-End"]
    assert [s.starts_at for s in bundled.sessions] == [
        datetime(2025, 4, 29, 17, tzinfo=UTC),
        datetime(2025, 6, 24, 17, tzinfo=UTC),
        datetime(2025, 9, 23, 17, tzinfo=UTC),
        datetime(2025, 11, 18, 18, tzinfo=UTC),  # EST, UTC-5
    ]
    for session in bundled.sessions:
        assert session.starts_at.utcoffset() == timedelta(0)
        assert session.ends_at - session.starts_at == timedelta(hours=1)
        assert session.capacity is None
        assert session.title and session.description
        assert session.description == session.description.strip()


def test_bundled_info(bundled) -> None:
    assert set(bundled.info) == set(INFO_KEYS)
    assert len(bundled.info["values"]) == 4
    assert all(v and v == v.strip() for v in bundled.info["values"])
    assert bundled.info["contact_name"] == "Jorge Garza"
    assert clean_email(bundled.info["contact_email"]) == "jorge@tamarackcommunity.ca"
    assert bundled.info["about"].startswith("The Strategy For Belonging")


def valid() -> dict[str, Any]:
    return copy.deepcopy(
        {
            "series": {
                "key": "test-2026",
                "name": "Test series",
                "timezone": "America/Toronto",
                "values": ["  one  ", "two"],
                "contact_email": "a@example.org",
            },
            "sessions": [
                {
                    "season": "Spring",
                    "title": "First",
                    "description": "About the first.",
                    "start": "2026-04-28T13:00",
                    "end": "2026-04-28T14:00",
                },
                {
                    "season": "Summer",
                    "title": "Second",
                    "description": "About the second.",
                    "start": "2026-06-23T13:00",
                    "end": "2026-06-23T14:30",
                    "capacity": 25,
                },
            ],
        }
    )


def test_valid_dict() -> None:
    spec = parse_programme(valid())
    assert spec.key == "test-2026"
    assert spec.info["values"] == ["one", "two"]
    assert spec.info["about"] == ""
    assert [s.capacity for s in spec.sessions] == [None, 25]
    assert spec.sessions[1].ends_at == datetime(2026, 6, 23, 18, 30, tzinfo=UTC)


def test_times_with_offsets_and_datetime_values() -> None:
    data = valid()
    data["sessions"][0]["start"] = "2026-04-28T13:00+00:00"
    data["sessions"][0]["end"] = datetime(2026, 4, 28, 10, 0)  # naive: the series' zone
    spec = parse_programme(data)
    assert spec.sessions[0].starts_at == datetime(2026, 4, 28, 13, tzinfo=UTC)
    assert spec.sessions[0].ends_at == datetime(2026, 4, 28, 14, tzinfo=UTC)


def bad(data: dict[str, Any], pattern: str, source: str = "prog.toml") -> str:
    with pytest.raises(UserError, match=pattern) as info:
        parse_programme(data, source=source)
    assert str(info.value).startswith(source)
    return str(info.value)


@pytest.mark.parametrize("series", [None, "text", ["a"]])
def test_missing_series(series: object) -> None:
    data = valid()
    if series is None:
        del data["series"]
    else:
        data["series"] = series
    bad(data, r"a \[series\] table is required")


def test_bad_timezone() -> None:
    data = valid()
    data["series"]["timezone"] = "Mars/Olympus_Mons"
    bad(data, r"\[series\]: unknown time zone 'Mars/Olympus_Mons'")


@pytest.mark.parametrize("zone", [None, "", "  ", 5])
def test_missing_timezone(zone: object) -> None:
    data = valid()
    data["series"]["timezone"] = zone
    bad(data, r"\[series\]: `timezone` must be a non-empty text")


@pytest.mark.parametrize("key", ["key", "name"])
def test_missing_series_key_or_name(key: str) -> None:
    data = valid()
    del data["series"][key]
    bad(data, rf"\[series\]: `{key}` must be a non-empty text")


@pytest.mark.parametrize("values", ["one", ["one", 2], {"a": "b"}])
def test_bad_values(values: object) -> None:
    data = valid()
    data["series"]["values"] = values
    bad(data, r"`values` must be a list of texts")


def test_bad_info_text() -> None:
    data = valid()
    data["series"]["about"] = 42
    bad(data, r"\[series\]: `about` must be a non-empty text")


@pytest.mark.parametrize("end", ["2026-06-23T13:00", "2026-06-23T12:00", "2026-06-22T14:00"])
def test_end_not_after_start(end: str) -> None:
    data = valid()
    data["sessions"][1]["end"] = end
    bad(data, r"session 2: `end` must be after `start`")


@pytest.mark.parametrize("capacity", [0, -3, "10", 2.5])
def test_bad_capacity(capacity: object) -> None:
    data = valid()
    data["sessions"][0]["capacity"] = capacity
    bad(data, r"session 1: `capacity` must be a positive whole number")


def test_boolean_capacity_is_refused() -> None:
    data = valid()
    data["sessions"][0]["capacity"] = True
    bad(data, r"`capacity` must be a positive whole number")


@pytest.mark.parametrize("sessions", [None, [], "Spring", {"season": "Spring"}])
def test_missing_sessions(sessions: object) -> None:
    data = valid()
    if sessions is None:
        del data["sessions"]
    else:
        data["sessions"] = sessions
    bad(data, r"at least one \[\[sessions\]\] entry is required")


def test_session_entry_that_is_not_a_table() -> None:
    data = valid()
    data["sessions"] = ["Spring"]
    bad(data, r"session 1")


@pytest.mark.parametrize("key", ["start", "end"])
def test_missing_time(key: str) -> None:
    data = valid()
    del data["sessions"][0][key]
    bad(data, rf"session 1: `{key}` is required, like 2025-04-29T13:00")


def test_unreadable_time() -> None:
    data = valid()
    data["sessions"][1]["start"] = "next tuesday"
    bad(data, r"session 2: `start` 'next tuesday' is not a date and time")


@pytest.mark.parametrize("key", ["season", "title", "description"])
def test_missing_session_text(key: str) -> None:
    data = valid()
    data["sessions"][1][key] = "   "
    bad(data, rf"session 2: `{key}` must be a non-empty text")


def test_default_source_name() -> None:
    with pytest.raises(UserError, match=r"^programme: a \[series\] table is required"):
        parse_programme({})


# read_programme


def test_read_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(UserError, match="Cannot read the programme file") as info:
        read_programme(path)
    assert str(path) in str(info.value)


def test_read_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Cannot read the programme file"):
        read_programme(tmp_path)


def test_read_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[series\nkey = "x"\n', encoding="utf-8")
    with pytest.raises(UserError, match="is not valid TOML") as info:
        read_programme(path)
    assert str(path) in str(info.value)


def test_read_names_the_file_in_content_errors(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(UserError, match=r"a \[series\] table is required") as info:
        read_programme(path)
    assert str(info.value).startswith(str(path))


def test_read_toml_datetimes(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text(
        """
[series]
key = "k"
name = "N"
timezone = "Europe/Paris"

[[sessions]]
season = "Spring"
title = "T"
description = "D"
start = 2026-03-10T09:00:00
end = 2026-03-10T10:00:00
capacity = 12
""",
        encoding="utf-8",
    )
    spec = read_programme(path)
    assert spec.sessions[0].starts_at == datetime(2026, 3, 10, 8, tzinfo=UTC)  # CET, UTC+1
    assert spec.sessions[0].capacity == 12


def test_read_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[series]\nname = "Café"\n'.encode("latin-1"))
    with pytest.raises(UserError):
        read_programme(path)
