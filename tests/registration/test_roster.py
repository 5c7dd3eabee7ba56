"""The roster: who registered for a session, and once it is taken, who attended."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from tests.helpers import flat, reply_text

ADA = Actor("console", "local", "ada", "Ada")
BEN = Actor("console", "local", "ben", "Ben")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)


async def roster(core: Core) -> tuple[str, list[dict[str, str]]]:
    """The roster's text and its CSV rows."""
    outcome = await core.run_text(JO, "s4b-admin", "roster spring")
    assert outcome.reply is not None
    [attachment] = outcome.reply.attachments
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode("utf-8"))))
    return flat(reply_text(outcome)), rows


async def test_the_roster_csv_says_who_attended_once_attendance_is_taken(
    core: Core, clock: SettableClock
) -> None:
    for actor, name in ((ADA, "Ada O'Hara, “Ace”"), (BEN, "Ben")):
        values = {"name": name, "about": "x", "sessions": ("1",), "consent": True}
        await core.submit(FormSubmission(actor, "register", values))
    text, rows = await roster(core)
    assert [(r["name"], r["attended"]) for r in rows] == [("Ada O'Hara, “Ace”", ""), ("Ben", "")]
    assert "Attended" not in text
    clock.set(datetime(2025, 4, 29, 19, tzinfo=UTC))
    await core.run_text(JO, "s4b-admin", "attendance spring Ben")
    text, rows = await roster(core)
    assert [(r["name"], r["attended"]) for r in rows] == [
        ("Ada O'Hara, “Ace”", "no"),
        ("Ben", "yes"),
    ]
    assert "Attended: 1." in text
