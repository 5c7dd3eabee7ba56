"""calendar.ics_import.parse_events: what an organizer imports is checked, and read as they meant it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from s4b_bot.calendar.ics_import import parse_events
from s4b_bot.errors import UserError

ZONE = "America/Toronto"


def ics(*lines: str, events: int = 1) -> bytes:
    """A VCALENDAR holding `events` copies of a VEVENT made of `lines`, CRLF-terminated."""
    body = ["BEGIN:VEVENT", *lines, "END:VEVENT"] * events
    return (
        "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *body, "END:VCALENDAR"]) + "\r\n"
    ).encode()


VALID = ("UID:1", "SUMMARY:Planning call", "DTSTART;TZID=Europe/Paris:20260310T180000")


def test_parse_events_end_defaults_to_duration_then_one_hour() -> None:
    [with_duration] = parse_events(ics(*VALID, "DURATION:PT90M"), default_zone=ZONE)
    assert with_duration.starts_at == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert with_duration.ends_at - with_duration.starts_at == timedelta(minutes=90)
    assert with_duration.timezone == "Europe/Paris"
    [bare] = parse_events(ics(*VALID), default_zone=ZONE)
    assert bare.ends_at - bare.starts_at == timedelta(hours=1)


def test_parse_events_takes_floating_times_in_the_default_zone() -> None:
    data = ics("SUMMARY:Floating", "DTSTART:20251118T130000", "DTEND:20251118T140000")
    [event] = parse_events(data, default_zone=ZONE)
    assert event.starts_at == datetime(2025, 11, 18, 18, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2025, 11, 18, 19, 0, tzinfo=UTC)
    assert event.timezone == ZONE


def test_parse_events_utc_times_keep_the_instant_and_use_the_default_zone() -> None:
    [event] = parse_events(ics("SUMMARY:Z", "DTSTART:20250429T170000Z"), default_zone=ZONE)
    assert event.starts_at == datetime(2025, 4, 29, 17, 0, tzinfo=UTC)
    assert event.timezone == ZONE


def test_parse_events_custom_vtimezone_gives_the_instant_and_the_default_zone() -> None:
    vtimezone = (
        "BEGIN:VTIMEZONE\r\nTZID:Eastern (custom)\r\n"
        "BEGIN:STANDARD\r\nDTSTART:16011104T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\n"
        "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:16010311T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\n"
        "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )
    data = ics("SUMMARY:Outlook", 'DTSTART;TZID="Eastern (custom)":20250624T130000')
    data = data.replace(b"BEGIN:VEVENT", vtimezone.encode() + b"BEGIN:VEVENT")
    [event] = parse_events(data, default_zone="America/Vancouver")
    assert event.starts_at == datetime(2025, 6, 24, 17, 0, tzinfo=UTC)
    assert event.timezone == "America/Vancouver"


def test_parse_events_normalises_description_line_ends_and_accepts_a_bom() -> None:
    data = b"\xef\xbb\xbf" + ics(*VALID, "DESCRIPTION:one\\ntwo\\, three")
    [event] = parse_events(data, default_zone=ZONE)
    assert event.description == "one\ntwo, three"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello, this is a text file", "not an iCalendar (.ics) file"),
        (b'{"events": []}', "not an iCalendar (.ics) file"),
        (b"", "not an iCalendar (.ics) file"),
        (b"\xff\xfeB\x00E\x00G\x00", "not UTF-8"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", "incomplete"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events (VEVENT)"),
        (b"BEGIN:VCALENDAR\r\nthis line is not a property\r\nEND:VCALENDAR\r\n", "not an iCal"),
        (ics("UID:1", "SUMMARY:No start"), "has no start time (DTSTART)"),
        (ics("UID:1", "DTSTART:20260310T180000"), "has no title (SUMMARY)"),
        (ics("SUMMARY:  ", "DTSTART:20260310T180000"), "has no title (SUMMARY)"),
        (ics("SUMMARY:All day", "DTSTART;VALUE=DATE:20260310"), "all-day event"),
        (ics(*VALID, "DTEND;TZID=Europe/Paris:20260310T170000"), "before or when it starts"),
        (ics(*VALID, "DTEND;TZID=Europe/Paris:20260310T180000"), "before or when it starts"),
        (ics(*VALID, "DURATION:-PT1H"), "before or when it starts"),
        (ics(*VALID, "DURATION:P999999W"), "lasts 19,165 years; a session lasts at most 24 hours"),
        (ics(*VALID, "DURATION:P1DT1S"), "lasts 1 day; a session lasts at most 24 hours"),
        (ics(*VALID, "DTEND:99991231T235959Z"), "years; a session lasts at most 24 hours"),
        (ics(*VALID, "DTEND;TZID=Europe/Paris:20260312T180000"), "lasts 2 days"),
        (ics("SUMMARY:x", "DTSTART:99991231T233000Z"), "after the last date I can hold"),
        (ics("SUMMARY:x", "DTSTART:99991231T220000", "DURATION:PT3H"), "the last date"),
        (ics("SUMMARY:x", "DTSTART;TZID=America/Toronto:99991231T230000"), "the last date"),
        (ics("SUMMARY:Bell\x07", "DTSTART:20260310T180000"), "control character (U+0007)"),
        (ics("SUMMARY:" + "x" * 201, "DTSTART:20260310T180000"), "the limit is 200"),
        (ics(*VALID, "DESCRIPTION:" + "y" * 4001), "the limit is 4,000"),
        (ics(*VALID, "DESCRIPTION:a\x00b"), "description contains a control character"),
        (ics("SUMMARY:x", "DTSTART;TZID=Nowhere/Land:20260310T180000"), "(Nowhere/Land)"),
        (ics("SUMMARY:x", "DTSTART:tomorrow"), "start time (DTSTART) I cannot read"),
        (ics(*VALID, "RRULE:FREQ=WEEKLY;COUNT=4"), "repeats (RRULE/RDATE)"),
        (ics(*VALID, "STATUS:CANCELLED"), "is cancelled"),
        (ics(*VALID, events=4), "has 4 events; an import takes at most 3"),
        (b"BEGIN:VCALENDAR\r\n" + b"X" * 1_000_001, "at most 1 MB"),
    ],
)
def test_parse_events_explains_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_events(data, default_zone=ZONE, max_events=3)
    assert message in str(caught.value)


def test_parse_events_takes_a_session_of_up_to_24_hours() -> None:
    [event] = parse_events(ics(*VALID, "DURATION:PT24H"), default_zone=ZONE)
    assert event.ends_at - event.starts_at == timedelta(hours=24)


def test_parse_events_names_the_event_at_fault() -> None:
    data = ics(*VALID) + b""
    bad = ics("SUMMARY:Second", "DTSTART;VALUE=DATE:20260311")
    both = data.replace(b"END:VCALENDAR\r\n", b"") + bad.split(b"VERSION:2.0\r\n", 1)[1]
    with pytest.raises(UserError, match=r"Event 2 \('Second'\) is an all-day event"):
        parse_events(both, default_zone=ZONE)


def test_parse_events_accepts_exactly_max_events() -> None:
    assert len(parse_events(ics(*VALID, events=3), default_zone=ZONE, max_events=3)) == 3
