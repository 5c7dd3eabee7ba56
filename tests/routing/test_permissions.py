"""Permissions and privacy across the whole catalogue, on SQLite and PostgreSQL.

Every organizer command, typed or invoked by a member, is refused with the database left
exactly as it was; and nothing a member sees (replies, forms, files, DMs to them, channel
posts) ever carries another member's email or form answers.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.conversation import summaries
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, ArgValue, FormSubmission, FormValue, Invocation
from s4b_bot.outbox.dispatch import Dispatcher
from s4b_bot.output import Attachment, Form, Message, Outcome
from s4b_bot.routing.route import ORGANIZER_ROOT, CommandRoute, Option
from s4b_bot.routing.routes import ROUTES
from storage.models import Base, ProgrammeSession
from tests.fakes import RecordingPlatform
from tests.helpers import confirmed, message_text, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
ADA_EMAIL = "ada.qx7@example.org"
ADA_ABOUT = "Keeps bees on the library roof qx7"
ADA_ORGANIZATION = "Qx7 Apiary"
ADA_SECRETS = (ADA_EMAIL, ADA_ABOUT, ADA_ORGANIZATION)
SPRING_START = datetime(2025, 4, 29, 17, 0, tzinfo=UTC)
ICS_FILE = Attachment(
    "sessions.ics",
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:x@test\r\nDTSTART:20261027T170000Z\r\nDTEND:20261027T180000Z\r\n"
    b"SUMMARY:Imported\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    "text/calendar",
)

PLAUSIBLE: dict[str, str] = {
    "session": "spring",
    "when": "2026-04-28T13:00",
    "first": "2026-01-27T13:00",
    "rule": "quarterly",
    "title": "Belonging in Practice",
    "details": "https://call.example/s4b (passcode 4567)",
    "reason": "speaker unavailable",
    "seats": "1",
    "idea": "1",
    "report": "1",
    "detail": "summer",
    "note": "a duplicate",
    "target": "idea 1",
    "names": "all",
    "command": "roster",
    "text": "A shared map of local belonging projects",
    "setting": "1d,1h",
    "code": "K7M2QX",
}
"""An argument that makes sense for each option name (the command is refused before use)."""


FULL = ROUTES


def plausible(option: Option, values: dict[str, str]) -> str:
    if option.kind == "choice":
        return option.choices[0]
    if option.kind == "zone":
        return "America/Vancouver"
    return values.get(option.name, "something")


def variants(
    command: CommandRoute, overrides: dict[str, str] | None = None
) -> Iterator[dict[str, ArgValue]]:
    """Plausible arguments: the required ones, all of them, and each choice in turn."""
    values = {**PLAUSIBLE, **(overrides or {})}
    options = [o for o in command.options if o.kind != "file"]
    required: dict[str, ArgValue] = {o.name: plausible(o, values) for o in options if o.required}
    full: dict[str, ArgValue] = {o.name: plausible(o, values) for o in options}
    yield required
    if full != required:
        yield full
    for option in options:
        for choice in option.choices[1:] if option.kind == "choice" else option.choices:
            yield {**full, option.name: choice}


def typed(command: CommandRoute, args: dict[str, ArgValue]) -> str:
    """The command line a person would type for these arguments."""
    words = [command.name]
    for option in command.options:
        value = args.get(option.name)
        if value is None or option.kind == "file":
            continue
        if option.keyword_only:
            words += [f"--{option.name}", shlex.quote(str(value))]
        else:
            words.append(shlex.quote(str(value)))
    return " ".join(words)


async def snapshot(core: Core) -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows, in primary-key order."""
    found = {}
    async with core.db.transaction() as db:
        for table in Base.metadata.sorted_tables:
            rows = (await db.execute(select(table).order_by(*table.primary_key.columns))).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            found[table.name] = (len(rows), digest)
    return found


async def register(core: Core, actor: Actor, *seasons: str, **answers: str) -> None:
    async with core.db.transaction() as db:
        rows = await db.execute(select(ProgrammeSession.season, ProgrammeSession.id))
        ids = {season.lower(): sid for season, sid in rows}
    values: dict[str, FormValue] = {
        "name": f"{actor.display_name} Full",
        "about": answers.get("about", "Neighbour"),
        "organization": answers.get("organization", ""),
        "email": answers.get("email", ""),
        "sessions": tuple(str(ids[s]) for s in seasons),
        "consent": True,
    }
    outcome = await core.submit(FormSubmission(actor, "register", values))
    assert not outcome.field_errors, outcome.field_errors


async def ada_registers_with_private_answers(core: Core) -> None:
    await register(
        core,
        ADA,
        "spring",
        "summer",
        email=ADA_EMAIL,
        about=ADA_ABOUT,
        organization=ADA_ORGANIZATION,
    )
    await register(core, BEN, "spring", email="ben@example.org", about="Librarian")


def shown(message: Message) -> str:
    """Everything a message shows or hands over: its text, cards, and files' contents."""
    parts = [message_text(message)]
    for attachment in message.attachments:
        content = attachment.content.decode("utf-8", errors="replace")
        parts.append(re.sub(r"\r?\n[ \t]", "", content))  # unfold iCalendar lines
    return "\n".join(parts)


def form_shown(form: Form) -> str:
    parts = [form.title, form.intro or ""]
    for field in form.fields:
        parts += [field.label, field.hint or "", str(field.default or "")]
        parts += [c.label for c in field.choices]
    return "\n".join(parts)


def outcome_shown(outcome: Outcome) -> str:
    parts = []
    if outcome.reply is not None:
        parts.append(shown(outcome.reply))
    if outcome.form is not None:
        parts.append(form_shown(outcome.form))
    return "\n".join(parts)


def assert_private(text: str, where: str) -> None:
    for secret in ADA_SECRETS:
        assert secret not in text, f"{where} shows Ada's {secret!r}:\n{text}"


async def test_every_organizer_command_is_refused_to_a_member_and_changes_nothing(
    core: Core,
) -> None:
    await ada_registers_with_private_answers(core)
    await core.run_text(ADA, "s4b", "idea A shared map of local belonging projects")
    await core.run_text(BEN, "s4b", "report 1 not about belonging")
    await core.run_text(BEN, "s4b", "help")  # Ben's member row exists before the snapshot
    before = await snapshot(core)
    organizer_commands = FULL.for_root(ORGANIZER_ROOT)
    names = {c.name for c in organizer_commands}
    assert {"stats", "attendance", "roster", "session call", "deliveries"} <= names

    tried = 0
    for command in organizer_commands:
        refusal = f"Only organizers can use `/s4b-admin {command.name}`"
        for args in variants(command):
            invoked = await core.invoke(
                Invocation(BEN, command.name, args, root=ORGANIZER_ROOT, files=(ICS_FILE,))
            )
            assert refusal in reply_text(invoked), (command.name, args)
            assert_private(outcome_shown(invoked), f"/s4b-admin {command.name}")
            line = typed(command, args)
            text = await core.run_text(BEN, ORGANIZER_ROOT, line, files=(ICS_FILE,))
            assert refusal in reply_text(text), line
            assert invoked.form is None and text.form is None
            tried += 2
    async with core.db.transaction() as db:
        spring = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
    form = await core.submit(
        FormSubmission(BEN, f"{summaries.FORM_KEY}:{spring}", {"insights": "Taken over"})
    )
    assert "Only organizers can" in reply_text(form)
    assert tried >= 2 * len(organizer_commands)
    assert await snapshot(core) == before


async def test_member_commands_never_show_another_members_answers(core: Core) -> None:
    await ada_registers_with_private_answers(core)
    await core.run_text(ADA, "s4b", "idea Libraries could host monthly belonging circles")
    ada_code = re.search(r"link code: (\S+)", reply_text(await core.run_text(ADA, "s4b", "link")))
    assert ada_code is not None
    overrides = {"code": ada_code.group(1)}  # Ada's live code, typed by Ben: refused

    # The check sees emails and answers where they are: Ada's own data file holds them all.
    own = await core.run_text(ADA, "s4b", "my-data")
    assert all(secret in outcome_shown(own) for secret in ADA_SECRETS)

    commands = sorted(FULL.for_root("s4b"), key=lambda c: c.name == "forget-me")
    buttons: list[str] = []
    checked = 0
    for command in commands:
        for args in variants(command, overrides):
            for outcome in (
                await core.invoke(Invocation(BEN, command.name, args)),
                await core.run_text(BEN, "s4b", typed(command, args)),
            ):
                assert_private(outcome_shown(outcome), f"/s4b {typed(command, args)}")
                if outcome.reply is not None:
                    buttons += [b.action for card in outcome.reply.cards for b in card.buttons]
                checked += 1
    for action in dict.fromkeys(buttons):
        assert_private(outcome_shown(await core.press(BEN, action)), f"button {action}")
        checked += 1
    assert checked > 2 * len(commands)
    assert any(a.startswith("s4b:register:") for a in buttons)


async def test_deliveries_never_show_another_members_answers(
    core: Core, clock: SettableClock
) -> None:
    await core.run_text(JO, "s4b-admin", "session call spring https://call.example/s4b")
    await ada_registers_with_private_answers(core)
    await core.run_text(ADA, "s4b", "idea Libraries could host monthly belonging circles")
    await core.run_text(BEN, "s4b", "report 1 not about belonging")
    platform = RecordingPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings
    )
    await dispatcher.drain()
    for moment in (
        SPRING_START - timedelta(days=7),
        SPRING_START - timedelta(days=1),
        SPRING_START - timedelta(hours=1),
        SPRING_START,
        SPRING_START + timedelta(hours=2),
    ):
        clock.set(moment)
        await dispatcher.drain()
    await core.run_text(JO, "s4b-admin", "attendance spring all")
    await confirmed(core, JO, "session cancel summer speaker unavailable")
    await dispatcher.drain()

    to_ada = [s for s in platform.sent if s.kind == "dm" and s.to == "ada"]
    others = [s for s in platform.sent if not (s.kind == "dm" and s.to == "ada")]
    assert ADA_EMAIL in "".join(shown(s.message) for s in to_ada)  # her own invitation has it
    assert platform.dms_to("ben") and platform.posts()
    for sent in others:
        assert_private(shown(sent.message), f"{sent.kind} to {sent.to}")
