"""One checker for every iCalendar file the bot makes: the RFC 5545 object rules and the
RFC 5546 (iTIP) rules of its METHOD, and the SEQUENCE history of each recipient's copy.

RFC 5546 section 3.2, for a VEVENT: every method has ORGANIZER, DTSTAMP, DTSTART and UID;
PUBLISH has no ATTENDEE; REQUEST and CANCEL have at least one and one UID for all their
events; a CANCEL's SEQUENCE goes above the last one sent for that UID (2.1.4, 3.2.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from icalendar.cal.component import Component

METHODS = ("PUBLISH", "REQUEST", "CANCEL")


def _all(component: Component, name: str) -> list[Any]:
    """A property's values: none, one or several (icalendar gives a list when repeated)."""
    value = component.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _tzid_references(calendar: Calendar) -> set[str]:
    """Every TZID parameter used outside the VTIMEZONEs."""
    found = set()
    for component in calendar.walk():
        if component.name in ("VTIMEZONE", "STANDARD", "DAYLIGHT"):
            continue
        for name in component:
            for value in _all(component, name):
                tzid = getattr(value, "params", {}).get("TZID")
                if tzid:
                    found.add(str(tzid))
    return found


@dataclass
class CalendarFiles:
    """Checks files as a recipient's calendar receives them, one after another.

    `check` asserts the rules on one file, made at `now`, and remembers the SEQUENCE of
    each UID that `recipient` was sent, so later files are checked against it.
    """

    last_sequence: dict[tuple[str, str], int] = field(default_factory=dict)
    checked: int = 0

    def check(
        self,
        data: bytes,
        *,
        now: datetime,
        recipient: str,
        content_type: str | None = None,
    ) -> Calendar:
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), "CRLF lines"
        calendar = Calendar.from_ical(data)
        assert calendar.name == "VCALENDAR"
        assert str(calendar.get("VERSION")) == "2.0"
        assert calendar.get("PRODID"), "PRODID is required"
        method = str(calendar.get("METHOD", ""))
        assert method in METHODS, f"METHOD is {method!r}"
        if content_type is not None and ";" in content_type:
            # RFC 6047 2.4: the MIME method parameter is the file's METHOD.
            assert f"method={method}" in content_type, (content_type, method)
        events = calendar.walk("VEVENT")
        uids = [str(event.get("UID", "")) for event in events]
        if method != "PUBLISH":
            assert events, f"a {method} has at least one VEVENT"
            assert len(set(uids)) == 1, f"a {method} is about one UID, not {uids}"
        else:
            assert len(set(uids)) == len(uids), f"one VEVENT per UID in a PUBLISH: {uids}"
        zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
        missing = _tzid_references(calendar) - zones
        assert not missing, f"TZIDs without a VTIMEZONE: {missing}"
        sequences = {}
        for uid, event in zip(uids, events, strict=True):
            assert uid, "every VEVENT has a UID"
            assert event.get("DTSTART") is not None, f"{uid}: DTSTART is required"
            stamp = event.decoded("DTSTAMP")
            assert isinstance(stamp, datetime) and stamp.tzinfo is not None, "DTSTAMP in UTC"
            made = now.astimezone(UTC).replace(microsecond=0)
            assert abs(stamp - made) < timedelta(seconds=1), f"{uid}: DTSTAMP {stamp} != {made}"
            if event.get("DTEND") is not None:
                assert event.decoded("DTEND") > event.decoded("DTSTART"), f"{uid}: ends late"
            organizers = _all(event, "ORGANIZER")
            assert len(organizers) == 1, f"{method} {uid}: exactly one ORGANIZER"
            assert str(organizers[0]).lower().startswith("mailto:"), organizers[0]
            attendees = _all(event, "ATTENDEE")
            if method == "PUBLISH":
                assert not attendees, f"PUBLISH {uid}: no ATTENDEE"
            else:
                assert attendees, f"{method} {uid}: at least one ATTENDEE"
                assert all(str(a).lower().startswith("mailto:") for a in attendees)
            sequence = int(event.get("SEQUENCE", 0))
            assert sequence >= 0
            last = self.last_sequence.get((recipient, uid))
            if method == "CANCEL":
                assert str(event.get("STATUS")) == "CANCELLED", f"CANCEL {uid}: STATUS"
                assert not event.walk("VALARM"), f"CANCEL {uid}: no alarms"
                assert last is None or sequence > last, (
                    f"CANCEL {uid}: SEQUENCE {sequence} is not above the last one sent, {last}"
                )
            elif last is not None:
                assert sequence >= last, f"{uid}: SEQUENCE went back from {last} to {sequence}"
            sequences[uid] = sequence
        for uid, sequence in sequences.items():
            self.last_sequence[(recipient, uid)] = sequence
        self.checked += 1
        return calendar
