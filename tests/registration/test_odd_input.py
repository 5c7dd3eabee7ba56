"""Input no platform should send but a hand-made request can: each gets a clear reply and
changes nothing, on SQLite and PostgreSQL, never "something went wrong"."""

from __future__ import annotations

from sqlalchemy import select

from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from storage.models import Account
from tests.helpers import reply_text
from tests.storage.test_storage import first_session


async def test_a_lone_surrogate_in_a_form_field_is_named_and_refused(core: Core) -> None:
    spring = await first_session(core.db)
    values = {"name": "Bad\ud800name", "about": "x", "sessions": (str(spring.id),), "consent": True}
    outcome = await core.submit(
        FormSubmission(Actor("console", "local", "ada", "Ada"), "register", values)
    )
    assert outcome.field_errors and "U+D800" in outcome.field_errors["name"]


async def test_a_long_or_odd_display_name_is_kept_cleaned_and_cut(core: Core) -> None:
    spring = await first_session(core.db)
    odd = "Ada\x00 \ud800Lovelace " + "x" * 300  # as a platform might pass a profile name
    values = {"name": "Ada", "about": "x", "sessions": (str(spring.id),), "consent": True}
    outcome = await core.submit(
        FormSubmission(Actor("console", "local", "ada", odd), "register", values)
    )
    assert "you are registered" in reply_text(outcome)
    async with core.db.reading() as session:
        [name] = await session.scalars(select(Account.display_name))
    assert name.startswith("Ada Lovelace x") and len(name) == 200


async def test_a_user_id_longer_than_any_platforms_is_refused_plainly(core: Core) -> None:
    outcome = await core.run_text(Actor("console", "local", "u" * 65, "Ada"), "s4b", "sessions")
    assert "longer than the 64 characters" in reply_text(outcome)
    async with core.db.reading() as session:
        assert not list(await session.scalars(select(Account)))
