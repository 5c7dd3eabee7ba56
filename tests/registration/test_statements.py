"""How many SQL statements one registration costs: each is a round trip to the database
(on SQLite, several hops to its thread), and at a burst's scale they are the time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from tests.helpers import register, reply_text
from tests.storage.test_storage import first_session

NEW_MEMBER_BUDGET = 9
"""BEGIN; the member (looked up, its community, created); the sessions chosen; the
registration; the calendar copy (its registration's email, then the copy); the outbox
rows. Nothing is looked for that a member first seen now cannot have: a former
registration, messages waiting for them."""


def statements(core: Core) -> list[str]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split()[0])

    event.listen(core.db.engine.sync_engine, "before_cursor_execute", before)
    return seen


async def test_a_new_members_registration_stays_within_its_statements(core: Core) -> None:
    await register(core, Actor("console", "local", "first", "First"), "spring")
    spring = await first_session(core.db)
    values = {"name": "Ada", "about": "Neighbour", "sessions": (str(spring.id),), "consent": True}
    seen = statements(core)
    ada = Actor("console", "local", "ada", "Ada Lovelace")
    outcome = await core.submit(FormSubmission(ada, "register", values))
    assert "you are registered" in reply_text(outcome)
    assert len(seen) <= NEW_MEMBER_BUDGET, seen
