"""calendar_ics: invitations that round-trip through two parsers (imports: test_ics_import.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import vobject
from icalendar import Calendar

from s4b_bot.calendar.ics import (
    PRODID,
    EventInfo,
    Method,
    Person,
    build_calendar,
    event_from_session,
    first_url,
    method_for,
    organizer_of,
    session_uid,
)
from s4b_bot.calendar.ics_import import parse_events
from s4b_bot.settings import Settings
from storage.models import ProgrammeSession, Series
from tests.calendar.rfc import CalendarFiles

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DOMAIN = "s4b.example.org"
ZONE = "America/Toronto"
SECRET_URL = "https://zoom.us/j/98765?pwd=s3cret"
CALL = f"Zoom: {SECRET_URL}. Or dial +1 555 0100, meeting ID 98765; passcode 4242"
ALARMS = (timedelta(days=1), timedelta(hours=1))
ORGANIZER = Person("jorge@example.org", "Jorge Garza")
ATTENDEE = Person("ada@example.org", "Ada Lovelace")
# (number, season, title, start in UTC): 13:00 Toronto, EDT in spring and summer, EST in November.
SESSIONS = [
    (1, "Spring", "Cultivating Belonging", datetime(2025, 4, 29, 17, 0, tzinfo=UTC)),
    (2, "Summer", "Investing in Belonging", datetime(2025, 6, 24, 17, 0, tzinfo=UTC)),
    (3, "Fall", "Enabling Policies for Belonging", datetime(2025, 9, 23, 17, 0, tzinfo=UTC)),
    (4, "Year-End", "Building on Our Momentum", datetime(2025, 11, 18, 18, 0, tzinfo=UTC)),
]


def make_session(
    index: int = 0,
    *,
    status: str = "scheduled",
    call: str | None = CALL,
    sequence: int = 0,
    series: Series | None = None,
) -> ProgrammeSession:
    number, season, title, starts = SESSIONS[index]
    series = series or Series(key="s4b-2025", name="S4B Working Group 2025", timezone=ZONE)
    return ProgrammeSession(
        number=number,
        season=season,
        title=title,
        description=f"What the {season} session is about.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone=ZONE,
        call_details=call,
        status=status,
        sequence=sequence,
        series=series,
    )


def info(index: int = 0, **changes: Any) -> EventInfo:
    """The EventInfo for a session, with the call details and the usual two alarms."""
    fields: dict[str, Any] = {
        "include_call": True,
        "alarms": ALARMS,
    }
    session_fields = {k: changes.pop(k) for k in ("status", "call", "sequence") if k in changes}
    fields.update(changes)
    return event_from_session(make_session(index, **session_fields), domain=DOMAIN, **fields)


def build(events: list[EventInfo], method: Method = "REQUEST", **kwargs: Any) -> bytes:
    kwargs.setdefault("organizer", ORGANIZER)
    if method != "PUBLISH":  # an invitation names its attendee; a published event none
        kwargs.setdefault("attendee", ATTENDEE)
    return build_calendar(events, method=method, now=NOW, **kwargs)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


# --- EventInfo from a session ---------------------------------------------------------------


def test_session_uid_is_stable_and_rejects_a_bad_domain() -> None:
    assert session_uid("s4b-2025", 1, domain=DOMAIN) == "s4b-2025-1@s4b.example.org"
    with pytest.raises(ValueError):
        session_uid("s4b-2025", 1, domain="bad domain")


def test_event_from_session_carries_the_session() -> None:
    event = event_from_session(
        make_session(0, sequence=2), domain=DOMAIN, include_call=True, alarms=ALARMS
    )
    assert event.uid == "s4b-2025-1@s4b.example.org"
    assert event.sequence == 2
    assert event.summary == "S4B Working Group 2025 — Spring Session: Cultivating Belonging"
    assert event.description == "What the Spring session is about."
    assert event.starts_at == datetime(2025, 4, 29, 17, 0, tzinfo=UTC)
    assert event.ends_at - event.starts_at == timedelta(hours=1)
    assert event.timezone == ZONE
    assert event.call_details == CALL
    assert event.alarms == ALARMS
    assert event.cancelled is False


def test_event_from_session_leaves_call_details_out_unless_asked() -> None:
    assert (
        event_from_session(make_session(), domain=DOMAIN, include_call=False).call_details is None
    )


def test_event_from_session_refuses_naive_times() -> None:
    session = make_session()
    session.starts_at = session.starts_at.replace(tzinfo=None)
    with pytest.raises(ValueError):
        event_from_session(session, domain=DOMAIN, include_call=False)


def test_event_from_session_marks_a_cancelled_session() -> None:
    assert info(status="cancelled").cancelled is True


def test_uid_survives_a_reschedule() -> None:
    session = make_session(0)
    before = event_from_session(session, domain=DOMAIN, include_call=False)
    session.starts_at += timedelta(days=7)
    session.ends_at += timedelta(days=7)
    session.sequence = 1
    after = event_from_session(session, domain=DOMAIN, include_call=False)
    assert after.uid == before.uid
    assert (after.sequence, after.starts_at - before.starts_at) == (1, timedelta(days=7))


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": datetime(2025, 4, 29, 17, 0)},
        {"ends_at": datetime(2025, 4, 29, 16, 0, tzinfo=UTC)},
        {"timezone": "Mars/Olympus_Mons"},
        {"alarms": (timedelta(hours=-1),)},
        {"sequence": -1},
    ],
)
def test_event_info_refuses_what_cannot_be_written(changes: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "uid": "u@x",
        "sequence": 0,
        "summary": "s",
        "description": "d",
        "starts_at": datetime(2025, 4, 29, 17, 0, tzinfo=UTC),
        "ends_at": datetime(2025, 4, 29, 18, 0, tzinfo=UTC),
        "timezone": ZONE,
    }
    with pytest.raises(ValueError):
        EventInfo(**(fields | changes))


def test_person_refuses_an_address_that_would_break_the_line() -> None:
    with pytest.raises(ValueError):
        Person("ada@example.org\r\nATTENDEE:mailto:eve@example.org")
    with pytest.raises(ValueError):
        Person("ada lovelace@example.org")


# --- build_calendar: round trip through icalendar -------------------------------------------


def test_request_round_trips_every_property() -> None:
    raw = build([info(0, sequence=3)], name="S4B Working Group 2025")
    calendar = parse(raw)
    assert str(calendar["PRODID"]) == PRODID == "-//S4B bot//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["X-WR-CALNAME"]) == "S4B Working Group 2025"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "s4b-2025-1@s4b.example.org"
    assert event.decoded("DTSTAMP") == NOW
    assert b"DTSTAMP:20250301T120000Z\r\n" in raw
    assert event.decoded("SEQUENCE") == 3
    assert str(event["SUMMARY"]) == "S4B Working Group 2025 — Spring Session: Cultivating Belonging"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]).startswith("What the Spring session is about.")
    organizer = event["ORGANIZER"]
    assert (str(organizer), organizer.params["CN"]) == ("mailto:jorge@example.org", "Jorge Garza")
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ada@example.org"
    assert dict(attendee.params) == {
        "CN": "Ada Lovelace",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE",
    }
    alarms = event.walk("VALARM")
    assert [str(a["ACTION"]) for a in alarms] == ["DISPLAY", "DISPLAY"]
    assert [a.decoded("TRIGGER") for a in alarms] == [-timedelta(days=1), -timedelta(hours=1)]
    assert all(str(a["DESCRIPTION"]).startswith("Reminder: S4B Working Group") for a in alarms)
    assert b"TRIGGER:-P1D\r\n" in raw and b"TRIGGER:-PT1H\r\n" in raw


@pytest.mark.parametrize(
    ("index", "offset", "tzname"),
    [(0, timedelta(hours=-4), "EDT"), (3, timedelta(hours=-5), "EST")],
)
def test_start_and_end_are_local_13_00_with_tzid(
    index: int, offset: timedelta, tzname: str
) -> None:
    raw = build([info(index)])
    day = SESSIONS[index][3].strftime("%Y%m%d")
    assert f"DTSTART;TZID={ZONE}:{day}T130000\r\n".encode() in raw
    assert f"DTEND;TZID={ZONE}:{day}T140000\r\n".encode() in raw
    [event] = parse(raw).walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == ZONE
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.hour, start.minute, end.hour) == (13, 0, 14)
    assert start.utcoffset() == offset
    assert start.tzname() == tzname
    assert start == SESSIONS[index][3]


def test_vtimezone_has_both_observances_with_the_right_offsets() -> None:
    calendar = parse(build([info(0), info(3)]))
    [zone] = calendar.timezones
    assert zone.tz_name == ZONE
    observances = {
        (str(o["TZNAME"]), o.decoded("TZOFFSETTO")) for o in zone.standard + zone.daylight
    }
    assert ("EST", timedelta(hours=-5)) in observances
    assert ("EDT", timedelta(hours=-4)) in observances
    # The VTIMEZONE alone (not the system's tz database) gives each date its offset.
    tz = zone.to_tz()
    assert datetime(2025, 4, 29, 13, 0, tzinfo=tz).utcoffset() == timedelta(hours=-4)
    assert datetime(2025, 11, 18, 13, 0, tzinfo=tz).utcoffset() == timedelta(hours=-5)


def test_vtimezone_comes_before_the_events() -> None:
    names = [c.name for c in parse(build([info(0)])).subcomponents]
    assert names == ["VTIMEZONE", "VEVENT"]


def test_output_is_crlf_folded_at_75_octets_and_deterministic() -> None:
    long = info(0, alarms=()).description + " é" * 200
    event = EventInfo(**{**info(0).__dict__, "description": long})
    raw = build([event])
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""  # ends with CRLF
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    assert build([event]) == raw  # no random UID, no clock read


# --- independent parser ---------------------------------------------------------------------


def test_vobject_reads_the_same_invitation() -> None:
    raw = build([info(0, sequence=2), info(3, sequence=5)])
    calendar = vobject.readOne(raw.decode("utf-8"))
    assert calendar.method.value == "REQUEST"
    events = calendar.vevent_list
    assert [e.uid.value for e in events] == [
        "s4b-2025-1@s4b.example.org",
        "s4b-2025-4@s4b.example.org",
    ]
    assert [e.summary.value for e in events] == [info(0).summary, info(3).summary]
    # vobject builds the zone from our VTIMEZONE, so this checks the VTIMEZONE too.
    assert [e.dtstart.value.astimezone(UTC) for e in events] == [
        SESSIONS[0][3],
        SESSIONS[3][3],
    ]
    assert [e.dtend.value.astimezone(UTC) for e in events] == [
        SESSIONS[0][3] + timedelta(hours=1),
        SESSIONS[3][3] + timedelta(hours=1),
    ]
    assert [int(e.sequence.value) for e in events] == [2, 5]
    assert [len(e.valarm_list) for e in events] == [2, 2]
    assert events[0].attendee.value == "mailto:ada@example.org"


# --- call details ---------------------------------------------------------------------------


def test_call_details_go_in_location_url_and_description_when_included() -> None:
    [event] = parse(build([info(0)])).walk("VEVENT")
    assert str(event["LOCATION"]) == CALL
    assert str(event["URL"]) == SECRET_URL
    assert str(event["DESCRIPTION"]) == (
        f"What the Spring session is about.\n\nCall details: {CALL}"
    )


@pytest.mark.parametrize("method", ["REQUEST", "PUBLISH", "CANCEL"])
def test_no_call_details_anywhere_when_not_included(method: Method) -> None:
    excluded = event_from_session(make_session(0), domain=DOMAIN, include_call=False)
    given_none = info(1, call=None)
    raw = build([excluded, given_none], method)
    for secret in (SECRET_URL, "zoom.us", "s3cret", "555 0100", "4242", "Call details"):
        assert secret.encode() not in raw
    for event in parse(raw).walk("VEVENT"):
        assert "LOCATION" not in event
        assert "URL" not in event


def test_call_details_without_a_link_give_no_url() -> None:
    [event] = parse(build([info(0, call="Dial +1 555 0100, PIN 4242")])).walk("VEVENT")
    assert str(event["LOCATION"]) == "Dial +1 555 0100, PIN 4242"
    assert "URL" not in event


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Join at https://meet.example.org/abc.", "https://meet.example.org/abc"),
        ("(http://x.example/a?b=1), then", "http://x.example/a?b=1"),
        ("first HTTPS://A.example/1 then https://b.example/2", "HTTPS://A.example/1"),
        ("no link here, dial 555", None),
        ("ftp://files.example/x", None),
    ],
)
def test_first_url(text: str, url: str | None) -> None:
    assert first_url(text) == url


# --- CANCEL and cancelled sessions ----------------------------------------------------------


def test_cancel_keeps_the_uid_and_drops_the_alarms() -> None:
    request = parse(build([info(0)])).walk("VEVENT")[0]
    raw = build([info(0, sequence=1)], "CANCEL")
    calendar = parse(raw)
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == str(request["UID"])
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1
    assert event.walk("VALARM") == []
    assert b"BEGIN:VALARM" not in raw


def test_a_cancelled_session_in_a_request_is_cancelled_without_reminders() -> None:
    [event] = parse(build([info(0, status="cancelled")])).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []


def test_publish_has_its_organizer_and_no_attendee_or_name() -> None:
    raw = build([info(0)], "PUBLISH")
    assert b"METHOD:PUBLISH\r\n" in raw
    [event] = parse(raw).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:jorge@example.org"
    for absent in (b"ATTENDEE", b"X-WR-CALNAME"):
        assert absent not in raw


@pytest.mark.parametrize(
    ("method", "attendee"), [("REQUEST", None), ("CANCEL", None), ("PUBLISH", ATTENDEE)]
)
def test_build_calendar_refuses_an_attendee_where_rfc_5546_says_otherwise(
    method: Method, attendee: Person | None
) -> None:
    with pytest.raises(ValueError, match="ATTENDEE"):
        build_calendar([info(0)], method=method, now=NOW, organizer=ORGANIZER, attendee=attendee)


def test_method_for_a_member_with_or_without_an_email() -> None:
    assert method_for(ATTENDEE) == "REQUEST"
    assert method_for(ATTENDEE, cancel=True) == "CANCEL"
    assert method_for(None) == method_for(None, cancel=True) == "PUBLISH"


def test_the_organizer_is_configured_else_the_contact_else_the_bot() -> None:
    series = Series(key="k", name="S4B", timezone=ZONE, info={"contact_email": "c@example.org"})
    settings = Settings(_env_file=None, calendar_domain=DOMAIN)
    assert organizer_of(series, settings) == Person("c@example.org", None)
    configured = settings.model_copy(
        update={"organizer_email": "o@example.org", "organizer_name": "Olu"}
    )
    assert organizer_of(series, configured) == Person("o@example.org", "Olu")
    assert organizer_of(None, settings) == Person(f"noreply@{DOMAIN}", None)


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL", "PUBLISH"])
def test_each_method_passes_the_rfc_checker(method: Method) -> None:
    events = [info(0, sequence=1)] if method != "PUBLISH" else [info(0), info(1)]
    CalendarFiles().check(build(events, method), now=NOW, recipient="ada")


def _without(raw: bytes, prefix: bytes) -> bytes:
    return b"".join(line for line in raw.splitlines(keepends=True) if not line.startswith(prefix))


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        (lambda raw: _without(raw, b"ORGANIZER"), "ORGANIZER"),
        (lambda raw: _without(raw, b"ATTENDEE"), "ATTENDEE"),
        (lambda raw: _without(raw, b"METHOD"), "METHOD"),
        (lambda raw: re.sub(rb"BEGIN:VTIMEZONE.*END:VTIMEZONE\r\n", b"", raw, flags=re.S), "TZID"),
        (
            lambda raw: raw.replace(b"DTSTAMP:20250301T120000Z", b"DTSTAMP:20240101T000000Z"),
            "DTSTAMP",
        ),
    ],
)
def test_the_rfc_checker_catches_what_breaks_the_rules(broken: Any, says: str) -> None:
    with pytest.raises(AssertionError, match=says):
        CalendarFiles().check(broken(build([info(0)])), now=NOW, recipient="ada")


def test_the_rfc_checker_wants_a_cancel_above_the_last_sequence_sent() -> None:
    files = CalendarFiles()
    files.check(build([info(0, sequence=2)]), now=NOW, recipient="ada")
    with pytest.raises(AssertionError, match="SEQUENCE 2 is not above"):
        files.check(build([info(0, sequence=2)], "CANCEL"), now=NOW, recipient="ada")
    files.check(build([info(0, sequence=3)], "CANCEL"), now=NOW, recipient="ada")
    with pytest.raises(AssertionError, match="SEQUENCE went back"):
        files.check(build([info(0, sequence=1)]), now=NOW, recipient="ada")


# --- several events -------------------------------------------------------------------------


def test_several_sessions_share_one_vtimezone() -> None:
    series = Series(key="s4b-2025", name="S4B Working Group 2025", timezone=ZONE)
    events = [
        event_from_session(make_session(i, series=series), domain=DOMAIN, include_call=True)
        for i in range(4)
    ]
    calendar = parse(build(events))
    assert len(calendar.timezones) == 1
    vevents = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in vevents] == [f"s4b-2025-{n}@{DOMAIN}" for n in (1, 2, 3, 4)]
    assert [e.decoded("DTSTART").hour for e in vevents] == [13, 13, 13, 13]
    assert [e.decoded("DTSTART") for e in vevents] == [s[3] for s in SESSIONS]


def test_sessions_in_two_zones_get_two_vtimezones() -> None:
    paris = EventInfo(**{**info(1).__dict__, "uid": "p@x", "timezone": "Europe/Paris"})
    calendar = parse(build([info(0), paris]))
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["America/Toronto", "Europe/Paris"]
    assert calendar.get_missing_tzids() == set()


def test_an_empty_published_feed_is_allowed() -> None:
    calendar = Calendar.from_ical(
        build_calendar([], method="PUBLISH", now=NOW, organizer=ORGANIZER)
    )
    assert calendar["METHOD"] == "PUBLISH" and calendar.walk("VEVENT") == []


@pytest.mark.parametrize("now", [datetime(2025, 3, 1, 12, 0), None])
def test_build_calendar_refuses_naive_now_or_no_events(now: datetime | None) -> None:
    with pytest.raises(ValueError):
        if now is None:
            build_calendar([], method="REQUEST", now=NOW, organizer=ORGANIZER, attendee=ATTENDEE)
        else:
            build_calendar([info(0)], method="PUBLISH", now=now, organizer=ORGANIZER)


# --- text escaping --------------------------------------------------------------------------


def test_commas_semicolons_newlines_and_non_ascii_survive() -> None:
    summary = "Belonging, together; à Montréal — 日本語 🌱"
    description = 'Line one, with commas; and semicolons.\nLine two: "quotes" \\ backslash.'
    event = EventInfo(**{**info(0).__dict__, "summary": summary, "description": description})
    organizer = Person("jorge@example.org", 'Garza, Jorge; "Coordinator"')
    raw = build([event], organizer=organizer)
    assert "SUMMARY:Belonging\\, together\\; à Montréal".encode() in raw  # escaped by icalendar
    [parsed] = parse(raw).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == summary
    assert str(parsed["DESCRIPTION"]) == f"{description}\n\nCall details: {CALL}"
    assert str(parsed["LOCATION"]) == CALL
    assert parsed["ORGANIZER"].params["CN"] == 'Garza, Jorge; "Coordinator"'
    assert vobject.readOne(raw.decode()).vevent.summary.value == summary


# --- parse_events reads back what build_calendar writes ---------------------------------------


def test_parse_events_reads_back_what_build_calendar_wrote() -> None:
    series = Series(key="s4b-2025", name="S4B Working Group 2025", timezone=ZONE)
    events = [
        event_from_session(make_session(i, series=series), domain=DOMAIN, include_call=False)
        for i in range(4)
    ]
    imported = parse_events(build(events, "PUBLISH"), default_zone="UTC")
    assert [e.title for e in imported] == [e.summary for e in events]
    assert [e.description for e in imported] == [e.description for e in events]
    assert [e.starts_at for e in imported] == [e.starts_at for e in events]
    assert [e.ends_at for e in imported] == [e.ends_at for e in events]
    assert {e.timezone for e in imported} == {ZONE}
    assert all(e.starts_at.tzinfo is UTC for e in imported)
