"""Waitlist places agree: the roster card, its CSV and what the member is told."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from storage.models import ProgrammeSession
from tests.helpers import flat, reply_text

JO = Actor("console", "local", "jo", "Jo", is_organizer=True)


async def register(core: Core, user: str, name: str) -> None:
    async with core.db.transaction() as db:
        spring = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
    values: dict[str, FormValue] = {
        "name": name,
        "about": "x",
        "organization": "",
        "email": "",
        "sessions": (str(spring),),
        "consent": True,
    }
    outcome = await core.submit(
        FormSubmission(Actor("console", "local", user, user.capitalize()), "register", values)
    )
    assert not outcome.field_errors, outcome.field_errors


async def test_waitlist_positions_in_the_csv_agree_with_the_card_and_the_member(
    core: Core,
) -> None:
    await core.run_text(JO, "s4b-admin", "session capacity spring 1")
    for user, name in [("ada", "Ada"), ("ben", "Ben"), ("cy", "Cy")]:
        await register(core, user, name)
    outcome = await core.run_text(JO, "s4b-admin", "roster spring")
    assert outcome.reply is not None
    card = flat(reply_text(outcome))
    assert "1. Ben" in card and "2. Cy" in card
    [attachment] = outcome.reply.attachments
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode("utf-8"))))
    assert {r["name"]: r["position"] for r in rows} == {"Ada": "", "Ben": "1", "Cy": "2"}
    mine = flat(
        reply_text(await core.run_text(Actor("console", "local", "cy", "Cy"), "s4b", "mine"))
    )
    assert "#2 in line" in mine
