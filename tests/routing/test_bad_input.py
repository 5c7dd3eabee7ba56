"""Every command with missing, unknown, over-long or malformed input: a clear reply, no change."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from storage.models import Account, ProgrammeSession, Registration
from tests.helpers import reply_text

ADA = Actor("console", "local", "ada", "Ada")
ORGANIZER = Actor("console", "local", "jo", "Jo", is_organizer=True)

CASES = [
    ("s4b", "sesions", "Did you mean `sessions`"),
    ("s4b", "fly me to the moon", "There is no `/s4b fly` command"),
    ("s4b", "sessions everything", "'everything' is not an option here; use one of"),
    ("s4b", "session", "needs a session"),
    ("s4b", "session atlantis", "No session matches 'atlantis'"),
    ("s4b", "session belonging", "matches 3 sessions"),
    ("s4b", "session 9", "No session matches '9'"),
    ("s4b", "session 2031-02-30", "No session matches"),
    ("s4b", "register narnia", "No session matches 'narnia'"),
    ("s4b", "unregister", "needs a session"),
    ("s4b", "timezone Mars/Olympus", "not a time zone I know"),
    ("s4b", "timezone America/Vancover", "did you mean America/Vancouver"),
    ("s4b", "timezone EST", "'EST' is a fixed offset (UTC−05:00), wrong half the year"),
    ("s4b", "timezone localtime", "'localtime' is not a time zone I know"),
    ("s4b", "timezone " + "x" * 65, "at most 64 characters (that one has 65)"),
    ("s4b", "session " + "s" * 200, "the limit is 100"),
    ("s4b", "session spring\x1b[31m", "control character (U+001B)"),
    ("s4b-admin", "session cancel 'spring The room is taken", "quotation mark is not closed"),
    ("s4b", "mine please", "`mine` does not take 'please'"),
    ("s4b", "help teleport", "There is no `/s4b teleport` command"),
    ("s4b", "x" * 5000, "limit is 4,000"),
    ("s4b-admin", "session call spring", "needs the call link"),
    ("s4b-admin", "session call spring " + "u" * 1001, "the limit is 1,000"),
    ("s4b-admin", "sesion call", "There is no `/s4b-admin sesion` command"),
    ("s4b", "idea \u200b\u200b", "invisible character (U+200B)"),
    ("s4b", "idea Vote for \u200fme", "invisible character (U+200F)"),
]


async def snapshot(core: Core) -> tuple[int, int, int]:
    async with core.db.transaction() as db:
        regs = await db.scalar(select(func.count()).select_from(Registration))
        zones = await db.scalar(select(func.count()).where(Account.timezone.is_not(None)))
        calls = await db.scalar(
            select(func.count()).where(ProgrammeSession.call_details.is_not(None))
        )
        return int(regs or 0), int(zones or 0), int(calls or 0)


@pytest.mark.parametrize(("root", "text", "expected"), CASES)
async def test_bad_input_gets_a_specific_reply_and_changes_nothing(
    core: Core, root: str, text: str, expected: str
) -> None:
    before = await snapshot(core)
    actor = ORGANIZER if root == "s4b-admin" else ADA
    reply = reply_text(await core.run_text(actor, root, text))
    assert expected in reply
    assert "Traceback" not in reply
    assert await snapshot(core) == before


async def test_an_unexpected_failure_becomes_a_reply_with_a_reference(
    core: Core, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from s4b_bot.programme import browse

    async def broken(*_: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(browse.queries, "all_sessions", broken)
    reply = reply_text(await core.run_text(ADA, "s4b", "sessions"))
    assert "Something went wrong on my side (reference " in reply
    assert "ZeroDivisionError" not in reply and "boom" not in reply
    assert "ZeroDivisionError" in caplog.text


@pytest.mark.parametrize("forged", ["s4b:register:2147483648", "s4b:session:99999999999"])
async def test_a_forged_button_id_beyond_the_database_range_is_refused_as_invalid(
    core: Core, forged: str, caplog: pytest.LogCaptureFixture
) -> None:
    reply = reply_text(await core.press(ADA, forged))
    assert "That button is no longer valid" in reply
    assert "unexpected error" not in caplog.text


async def test_a_name_of_invisible_characters_is_refused_in_the_form(core: Core) -> None:
    before = await snapshot(core)
    async with core.db.transaction() as db:
        spring = await db.scalar(select(ProgrammeSession.id).order_by(ProgrammeSession.starts_at))
    outcome = await core.submit(
        FormSubmission(
            ADA,
            "register",
            {
                "name": "\u200b\u2060",
                "about": "Neighbour",
                "organization": "",
                "email": "",
                "sessions": (str(spring),),
                "consent": True,
            },
        )
    )
    assert "invisible character (U+200B)" in outcome.field_errors.get("name", "")
    assert await snapshot(core) == before


async def test_an_over_long_idea_is_called_an_idea(core: Core) -> None:
    text = reply_text(await core.run_text(ADA, "s4b", "idea " + "word " * 300))
    assert text == "Your idea: 1,499 characters; the limit is 500."
