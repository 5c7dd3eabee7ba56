"""A command's file option says which files it takes; the core refuses others, on every
platform alike (typed with `run_text`, invoked with `invoke`), before anything changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, Invocation
from s4b_bot.output import Attachment
from s4b_bot.routing.routes import ROUTES
from storage.models import AuditEntry, ProgrammeSession, Summary
from tests.helpers import flat, reply_text

JO = Actor("console", "local", "jo", "Jo", is_organizer=True)
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:kinds@test\r\nDTSTART:20261027T170000Z\r\nDTEND:20261027T180000Z\r\n"
    b"SUMMARY:Imported\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
MARKDOWN = "".join(
    f"## {h}\nText.\n"
    for h in ("Insights", "Recommendations", "Resources", "Collaboration opportunities")
).encode()


async def counts(core: Core) -> tuple[int | None, ...]:
    async with core.db.transaction() as db:
        return tuple(
            [
                await db.scalar(select(func.count()).select_from(t))
                for t in (ProgrammeSession, Summary, AuditEntry)
            ]
        )


def test_every_file_option_says_what_it_takes() -> None:
    options = [o for c in ROUTES.commands for o in c.options if o.kind == "file"]
    assert options and all(o.accept and all(e.startswith(".") for e in o.accept) for o in options)


@pytest.mark.parametrize(
    ("text", "upload", "wanted"),
    [
        ("session import", Attachment("programme.pdf", b"%PDF", "application/pdf"), ".ics"),
        ("session import", Attachment("sessions.ics.txt", ICS, "text/plain"), ".ics"),
        ("summary spring", Attachment("summary.docx", MARKDOWN, "application/msword"), ".md"),
    ],
)
async def test_a_file_of_the_wrong_kind_is_refused_and_changes_nothing(
    core: Core, clock: SettableClock, text: str, upload: Attachment, wanted: str
) -> None:
    clock.set(datetime(2025, 4, 29, 19, tzinfo=UTC))
    before = await counts(core)
    typed = flat(reply_text(await core.run_text(JO, "s4b-admin", text, files=(upload,))))
    assert f"“{upload.filename}” is not " in typed and f"must end in {wanted}" in typed
    assert "Nothing was changed." in typed
    invoked = await core.invoke(
        Invocation(
            JO,
            text.split(" spring")[0],
            {"session": "spring"} if "summary" in text else {},
            root="s4b-admin",
            files=(upload,),
        )
    )
    assert flat(reply_text(invoked)) == typed
    assert await counts(core) == before


async def test_the_right_kind_is_taken_whatever_the_case_of_its_ending(
    core: Core, clock: SettableClock
) -> None:
    clock.set(datetime(2025, 4, 29, 19, tzinfo=UTC))
    upload = Attachment("NEXT-YEAR.ICS", ICS, "text/calendar")
    assert "Imported 1 session" in reply_text(
        await core.run_text(JO, "s4b-admin", "session import", files=(upload,))
    )
    notes = Attachment("spring notes.markdown", MARKDOWN, "text/markdown")
    assert "posted" in reply_text(
        await core.run_text(JO, "s4b-admin", "summary spring", files=(notes,))
    )
