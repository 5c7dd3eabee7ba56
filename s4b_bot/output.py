"""The neutral output model: what the core wants shown, never how a platform draws it.

Handlers return an `Outcome`: a `Message` for the person who asked (private unless
`public`), and/or a `Form` to open. Messages are paragraphs of `Text`, `Card`s with
fields and `Button`s, and file `Attachment`s. Times are `Moment`s, so each adapter can
use its platform's localised timestamp and fall back to the session's own zone; words that
depend on whether it can are `Localised`. Text is always plain: adapters escape it for
their markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Moment:
    """A point or span in time, shown in each viewer's local time where the platform can."""

    start: datetime
    end: datetime | None = None
    zone: str = "UTC"
    """The zone the fallback text uses (the session's own, e.g. America/Toronto)."""
    viewer_zone: str | None = None
    """The member's chosen zone, shown beside the fallback where the platform cannot localise."""
    relative_to: datetime | None = None
    """When set, the start said relative to this time (when the message is made): `in 2
    hours`, `tomorrow at 1:00 p.m.`, or the platform's own relative timestamp."""


@dataclass(frozen=True)
class Localised:
    """Words about times that depend on the platform: `localised` where it shows every
    time in each viewer's own zone (Slack, Discord), `fixed` where times are written out
    in a zone (the console, notification text)."""

    localised: str
    fixed: str


Span = str | Moment | Localised


@dataclass(frozen=True)
class Text:
    """One paragraph: plain strings and moments, in order."""

    spans: tuple[Span, ...]

    @classmethod
    def of(cls, *spans: Span) -> Text:
        return cls(tuple(s for s in spans if s != ""))


@dataclass(frozen=True)
class Field:
    label: str
    value: Text


ButtonStyle = Literal["primary", "danger", "default"]


@dataclass(frozen=True)
class Button:
    label: str
    action: str
    """A stable action id (`s4b_bot.routing.actions`), so buttons outlive restarts."""
    style: ButtonStyle = "default"


@dataclass(frozen=True)
class Card:
    """A titled block: a session, a registration, a summary section."""

    title: str
    body: tuple[Text, ...] = ()
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime: str
    alt: str = ""
    """For a picture: what it shows, for screen readers (Slack's alt text, Discord's
    attachment description, at most 1,024 characters)."""


@dataclass(frozen=True)
class Message:
    text: tuple[Text, ...] = ()
    cards: tuple[Card, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    key: str | None = None
    """The same on every retry of one delivery (the outbox row): an adapter that sends a
    message in several steps (text, then files) skips the steps a failed try completed."""

    @classmethod
    def plain(cls, *paragraphs: str) -> Message:
        return cls(text=tuple(Text.of(p) for p in paragraphs))


FieldKind = Literal["short_text", "long_text", "email", "multi_select", "single_choice", "checkbox"]
"""A `single_choice` is one of a few choices (a rating, yes or no): radio buttons."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    aliases: tuple[str, ...] = ()
    """Other words a person may type for it (a season, a date, a number)."""


FieldDefault = str | tuple[str, ...] | bool | None


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    kind: FieldKind
    required: bool = True
    max_length: int | None = None
    hint: str | None = None
    choices: tuple[Choice, ...] = ()
    default: FieldDefault = None


@dataclass(frozen=True)
class Form:
    """A form to open (a modal on Slack and Discord, prompts in the console)."""

    id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    intro: str | None = None

    def field(self, field_id: str) -> FormField:
        return next(f for f in self.fields if f.id == field_id)


@dataclass(frozen=True)
class Outcome:
    """What a command, button or form submission produced."""

    reply: Message | None = None
    form: Form | None = None
    public: bool = False
    field_errors: dict[str, str] = field(default_factory=dict)
    """Set when a form submission was refused: field id -> what is wrong."""
    organizers_only: bool = False
    """Set when the core refused someone a route for organizers: an adapter may say instead
    how its platform names organizers."""
