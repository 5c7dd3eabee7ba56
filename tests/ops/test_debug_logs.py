"""At S4B_LOG_LEVEL=DEBUG the log holds no personal data, call details or tokens: a
member registers, an organizer sets the call link, the member gets a feed link and the
reminders go out, and nothing of it is in the log (the database driver logs each
statement's parameters and rows at DEBUG)."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from s4b_bot.calendar.commands import feed_for_token
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from s4b_bot.outbox.dispatch import Dispatcher
from storage.models import ProgrammeSession
from tests.fakes import RecordingPlatform
from tests.helpers import reply_text
from tests.logcapture import debug_logging

ADA = Actor("console", "local", "ada", "Adaqz Lovelace")
JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
PERSONAL = {
    "name": "Adaqz Lovelace",
    "about": "Keeps bees on the qz roof",
    "organization": "Qz Apiary",
    "email": "ada.qz@example.org",
}
CALL = "https://call.example/j/qz-4567 passcode 9911"


async def test_a_members_data_call_links_and_feed_tokens_stay_out_of_the_debug_log(
    core: Core, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core.settings, "http_port", 8080)
    monkeypatch.setattr(core.settings, "public_url", "https://s4b.example")
    platform = RecordingPlatform()
    dispatcher = Dispatcher(
        core.db, platforms={"console": platform}, clock=clock, settings=core.settings
    )
    with debug_logging() as log:
        async with core.db.transaction() as db:
            spring = await db.scalar(
                select(ProgrammeSession.id).where(ProgrammeSession.season == "Spring")
            )
        await core.run_text(JO, "s4b-admin", f"session call spring {CALL}")
        registered = await core.submit(
            FormSubmission(
                ADA, "register", {**PERSONAL, "sessions": (str(spring),), "consent": True}
            )
        )
        assert not registered.field_errors
        feed = reply_text(await core.run_text(ADA, "s4b", "calendar feed"))
        token = re.search(r"/([A-Za-z0-9_-]{20,})\.ics", feed)
        assert token is not None, feed
        async with core.db.transaction() as db:
            calendar = await feed_for_token(db, token[1], settings=core.settings, now=clock.now())
            assert calendar is not None
        await core.run_text(ADA, "s4b", "my-data")
        await dispatcher.drain()
        assert any("qz-4567" in sent.text for sent in platform.sent)  # the DMs did go out
    written = log.getvalue()
    assert "debug lines are written" in written  # the log was on, at DEBUG
    for secret in [*PERSONAL.values(), "qz-4567", "9911", token[1]]:
        assert secret not in written, secret


def test_a_quieter_level_quiets_the_libraries_too() -> None:
    with debug_logging("WARNING") as log:
        for library in ("alembic.runtime.migration", "discord.gateway", "sqlalchemy.engine"):
            logging.getLogger(library).info("%s says something", library)
        logging.getLogger("s4b_bot.test").warning("a warning is written")
    assert log.getvalue().endswith("s4b_bot.test: a warning is written\n")
