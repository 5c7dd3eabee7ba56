"""The audit log: every organizer command that changes state or hands out personal data
leaves exactly one entry (who, what, target, reason, when), and nothing else does.

The first test walks the catalogue: a "change" or "export" command without an example
below fails it, so a new command is tried as soon as it is declared.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.output import Attachment
from s4b_bot.routing.route import ORGANIZER_ROOT, CommandRoute
from s4b_bot.routing.routes import ROUTES
from s4b_bot.routing.table import RouteTable
from storage.models import AuditEntry
from tests.helpers import confirm_button, confirmed, flat, register, reply_text
from tests.routing.test_permissions import ICS_FILE

ADA = Actor("console", "local", "ada", "Ada Lovelace")
BEN = Actor("console", "local", "ben", "Ben Okafor")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
AFTER_SPRING = datetime(2025, 4, 29, 19, tzinfo=UTC)
CALL_LINK = "https://zoom.us/j/987654321"
ADA_EMAIL = "ada@example.org"
PERSONAL = (CALL_LINK, "zoom.us", ADA_EMAIL, "Ada Lovelace", "Ben Okafor", "passcode")
SUMMARY_FILE = Attachment(
    "summary.md",
    b"# Spring\n\n## Insights\nOne.\n\n## Recommendations\nTwo.\n\n"
    b"## Resources\nThree.\n\n## Collaboration opportunities\nFour.\n",
    "text/markdown",
)
SECTIONS = {
    "insights": "Belonging starts with being asked.",
    "recommendations": "Open with a round of names.",
    "resources": "The belonging toolkit.",
    "collaboration": "Libraries want to co-host.",
}

Setup = Callable[[Core, SettableClock], Awaitable[None]]


async def nothing(core: Core, clock: SettableClock) -> None:
    pass


async def ada_registered(core: Core, clock: SettableClock) -> None:
    await register(core, ADA, "spring", email=ADA_EMAIL)


async def spring_held(core: Core, clock: SettableClock) -> None:
    await ada_registered(core, clock)
    clock.set(AFTER_SPRING)


async def summary_posted(core: Core, clock: SettableClock) -> None:
    await spring_held(core, clock)
    await core.run_text(JO, ORGANIZER_ROOT, "summary spring", files=(SUMMARY_FILE,))


async def spring_cancelled(core: Core, clock: SettableClock) -> None:
    await ada_registered(core, clock)
    await confirmed(core, JO, "session cancel spring")


async def idea_reported(core: Core, clock: SettableClock) -> None:
    await core.run_text(ADA, "s4b", "idea Monthly belonging circles at the library")
    await core.run_text(BEN, "s4b", "report 1 not about belonging")


@dataclass(frozen=True)
class Example:
    line: str
    """What the organizer types after /s4b-admin."""
    target: str
    """A part of the entry's target."""
    action: str | None = None
    """The entry's action when a handler names it more precisely than the command."""
    reason: str | None = None
    setup: Setup = nothing
    files: tuple[Attachment, ...] = ()


SPRING = "(Spring 2025-04-29)"
EXAMPLES: dict[str, Example] = {
    "session call": Example(f"session call spring {CALL_LINK} (passcode 4567)", SPRING),
    "session add": Example("session add 2026-04-28T13:00 Belonging in Practice", "2026-04-28"),
    "session series": Example(
        "session series 2026-01-27T13:00 quarterly S4B 2026", "4 sessions from session:"
    ),
    "session import": Example("session import", "2026-10-27)", files=(ICS_FILE,)),
    "session reschedule": Example(
        "session reschedule spring 2025-05-06 13:00", "(Spring 2025-05-06)"
    ),
    "session cancel": Example(
        "session cancel spring The room is flooded", SPRING, reason="The room is flooded"
    ),
    "session capacity": Example("session capacity spring 12", SPRING),
    "session restore": Example("session restore spring", SPRING, setup=spring_cancelled),
    "reminders": Example("reminders 3d,2h", "community:", "reminders default", "3d,2h"),
    "announce": Example("announce spring", SPRING),
    "roster": Example("roster spring", SPRING, setup=ada_registered),
    "deliveries": Example("deliveries", ""),
    "summary": Example(
        "summary spring", SPRING, action="summary posted", setup=spring_held, files=(SUMMARY_FILE,)
    ),
    "summary export": Example("summary export spring", SPRING, setup=summary_posted),
    "review": Example(
        "review s4b-2025", "series:1 (s4b-2025)", action="review exported", setup=summary_posted
    ),
    "summary page": Example(
        "summary page spring public",
        SPRING,
        action="summary page public",
        setup=summary_posted,
    ),
    "summary pin": Example(
        "summary pin spring", SPRING, action="summary pinned", setup=summary_posted
    ),
    "idea": Example("idea 1 hide off topic", "idea:1", "idea hide", "off topic", idea_reported),
    "resolve": Example(
        "resolve 1 dismiss fine", "report:1 on idea:1", "report dismiss", "fine", idea_reported
    ),
    "thread": Example("thread lock idea 1", "idea:1", "thread lock", setup=idea_reported),
    "attendance": Example(
        "attendance spring all",
        SPRING,
        reason="1 registrant marked attended",  # a count: the log names no member
        setup=spring_held,
    ),
}
AUDITED = [c for c in ROUTES.for_root(ORGANIZER_ROOT) if c.audited]


async def entries(core: Core) -> list[AuditEntry]:
    async with core.db.transaction() as db:
        return list((await db.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def admin(core: Core, actor: Actor, line: str, *files: Attachment) -> str:
    """The reply to an organizer's line; a preview is confirmed, as its Confirm is pressed."""
    outcome = await core.run_text(actor, ORGANIZER_ROOT, line, files=files)
    action = confirm_button(outcome)
    return flat(reply_text(outcome if action is None else await core.press(actor, action)))


def test_every_organizer_command_declares_its_audit_policy() -> None:
    organizer = ROUTES.for_root(ORGANIZER_ROOT)
    assert all(c.audit in ("change", "export", "none") for c in organizer)
    assert {"session call", "session cancel", "roster", "attendance"} <= {c.name for c in AUDITED}
    handler = ROUTES.commands[0].handler
    with pytest.raises(ValueError, match=r"without an audit policy: \['purge'\]"):
        RouteTable([CommandRoute("purge", "Forgets to declare.", handler, audience="organizer")])


@pytest.mark.parametrize("command", AUDITED, ids=lambda c: c.name)
async def test_each_change_or_export_leaves_one_entry_shown_in_the_audit_log(
    core: Core, clock: SettableClock, command: CommandRoute
) -> None:
    example = EXAMPLES.get(command.name)
    assert example is not None, f"add an example of `/s4b-admin {command.name}` to EXAMPLES"
    await example.setup(core, clock)
    before = len(await entries(core))

    reply = await admin(core, JO, example.line, *example.files)

    new = (await entries(core))[before:]
    assert len(new) == 1, (reply, [(e.action, e.target) for e in new])
    [entry] = new
    assert (entry.actor_name, entry.actor_platform) == ("Jo", "console")
    assert entry.action == (example.action or command.name)
    assert example.target in entry.target
    assert entry.reason == example.reason
    assert entry.created_at.replace(tzinfo=UTC) == clock.now()
    columns = (entry.actor_name, entry.action, entry.target, entry.reason or "")
    for secret in PERSONAL:
        assert not any(secret in column for column in columns), (secret, columns)
    shown = await admin(core, JO, "audit")
    assert f"Jo (console) · {entry.action} " in shown
    for detail in re.findall(r"\(([^)]*)\)", entry.target):
        assert detail in shown  # the session named, as it was when the entry was made


@pytest.mark.parametrize(
    ("actor", "line"),
    [
        (BEN, "session cancel spring Not an organizer"),
        (BEN, f"session call spring {CALL_LINK}"),
        (BEN, "roster spring"),
        (JO, "session capacity spring lots"),
        (JO, "session cancel nowhere"),
        (JO, "session reschedule spring yesterday at noon"),
        (JO, "session add 2020-01-01T13:00 In the past"),
        (JO, "attendance spring Nobody Known"),
        (JO, "reminders"),  # only shows the current times
        (JO, "summary spring"),  # only opens the form
        (JO, "summary page spring everyone"),
        (JO, "review s4b-2024"),
        (JO, "review s4b-2025 everyone"),
        (JO, "audit"),
        (JO, "stats"),
    ],
)
async def test_a_refused_or_read_only_command_leaves_no_entry(
    core: Core, clock: SettableClock, actor: Actor, line: str
) -> None:
    if line.startswith(("attendance", "summary")):
        await spring_held(core, clock)
    await core.run_text(actor, ORGANIZER_ROOT, line)
    assert await entries(core) == []
    assert "The audit log is empty." in await admin(core, JO, "audit")


async def test_a_summary_sent_through_its_form_leaves_one_entry(
    core: Core, clock: SettableClock
) -> None:
    await spring_held(core, clock)
    opened = await core.run_text(JO, ORGANIZER_ROOT, "summary spring")
    assert opened.form is not None
    await core.submit(FormSubmission(JO, opened.form.id, SECTIONS))
    [entry] = await entries(core)
    assert entry.action == "summary posted" and entry.target.endswith(SPRING)


async def test_an_announce_that_posts_nothing_again_leaves_no_entry(core: Core) -> None:
    """Asked again while queued, the announcement is posted once: one entry, not two."""
    first = await admin(core, JO, "announce spring")
    assert "is being announced" in first
    again = await admin(core, JO, "announce spring")
    assert "queued" in again
    assert [e.action for e in await entries(core)] == ["announce"]
