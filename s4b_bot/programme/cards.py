"""Neutral cards for sessions and registrations, shared by every command that shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from s4b_bot.limits import clip
from s4b_bot.output import Button, Card, Field, Moment, Text
from s4b_bot.programme.sessions import is_open, is_over
from s4b_bot.routing.actions import action_id
from s4b_bot.words import CALL_DETAILS_LATER
from storage.models import ProgrammeSession

STATUS_LABELS = {
    "scheduled": "Scheduled",
    "rescheduled": "Rescheduled",
    "cancelled": "Cancelled",
    "held": "Held",
}


def when(session: ProgrammeSession, viewer_zone: str | None) -> Moment:
    return Moment(
        start=session.starts_at,
        end=session.ends_at,
        zone=session.timezone,
        viewer_zone=viewer_zone,
    )


def starts(session: ProgrammeSession, now: datetime, viewer_zone: str | None) -> Moment:
    """When the session starts, said relative to now: "in 7 days", "tomorrow at 1:00 p.m."."""
    return Moment(
        start=session.starts_at, zone=session.timezone, viewer_zone=viewer_zone, relative_to=now
    )


def first_sentence(text: str, limit: int = 220) -> str:
    end = text.find(". ")
    sentence = text if end < 0 else text[: end + 1]
    return clip(sentence, limit)


def session_status(session: ProgrammeSession, now: datetime) -> str:
    if session.status == "cancelled":
        return "Cancelled" + (f": {session.status_note}" if session.status_note else "")
    if is_over(session, now):
        return "Took place"
    return STATUS_LABELS[session.status]


@dataclass(frozen=True)
class Place:
    """Where a member stands in a session: a confirmed seat, or waiting in line."""

    waiting_at: int | None = None
    """The position on the waitlist (1 is next); None for a confirmed seat."""
    offer: tuple[int, datetime] | None = None
    """A seat offered to them and held: the offer's id and when it ends."""

    @property
    def confirmed(self) -> bool:
        return self.waiting_at is None

    def label(self) -> str:
        return "Registered ✓" if self.confirmed else f"Waitlisted, #{self.waiting_at} in line"


SEAT = Place()
"""A confirmed registration."""


def _place_text(place: Place, session: ProgrammeSession, viewer_zone: str | None) -> Text:
    if place.offer is None:
        return Text.of(place.label())
    until = Moment(start=place.offer[1], zone=session.timezone, viewer_zone=viewer_zone)
    return Text.of(place.label(), " · a seat is held for you until ", until)


def session_card(
    session: ProgrammeSession,
    *,
    now: datetime,
    viewer_zone: str | None,
    place: Place | None,
    detail: bool = False,
    seats: str | None = None,
) -> Card:
    """One session: title, when, status, and the buttons that fit the member's `place` in it
    (None: not registered).

    Call details appear only with `detail` and only for a confirmed seat; `seats` says how
    many are taken (and held), shown with `detail`.
    """
    fields = [Field("When", Text.of(when(session, viewer_zone)))]
    status = session_status(session, now)
    if session.status != "scheduled" or is_over(session, now):
        fields.append(Field("Status", Text.of(status)))
    if place is not None:
        fields.append(Field("You", _place_text(place, session, viewer_zone)))
    if detail and seats is not None:
        fields.append(Field("Seats", Text.of(seats)))
    body = [Text.of(session.description if detail else first_sentence(session.description))]
    upcoming = not is_over(session, now) and session.status != "cancelled"
    if detail and place is not None and place.confirmed and upcoming:
        call = session.call_details or CALL_DETAILS_LATER
        body.append(Text.of(f"Call details (only for you): {call}"))
    buttons = []
    if place is not None and upcoming:
        if place.offer is not None:
            buttons.append(Button("Accept the seat", action_id("offer_accept", place.offer[0])))
        leave = "Unregister" if place.confirmed else "Leave the waitlist"
        buttons.append(Button(leave, action_id("unregister", session.id), "danger"))
        if place.confirmed:
            buttons.append(Button("Add to calendar", action_id("calendar", session.id)))
    elif place is None and is_open(session, now):
        buttons.append(Button("Register", action_id("register", session.id), "primary"))
    if not detail:
        buttons.append(Button("Details", action_id("session", session.id)))
    return Card(
        title=f"{session.number} · {session.season} Session — {session.title}",
        body=tuple(body),
        fields=tuple(fields),
        buttons=tuple(buttons),
    )
