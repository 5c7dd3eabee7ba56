"""Shared steps of the summary-page tests on every platform: the Spring summary posted
with a published web server, and what a PDF attachment says."""

from __future__ import annotations

import io

from pypdf import PdfReader

from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from s4b_bot.invocation import Actor, FormSubmission
from tests.pages.fixture import REAL_SUMMARY
from tests.pages.test_summary_pages import AFTER_SPRING

ORGANIZER = Actor("console", "local", "jo", "Jo", is_organizer=True)
BASE = "https://s4b.example.org"


async def spring_summary_posted(core: Core, clock: SettableClock) -> None:
    core.settings.http_port = 8080
    core.settings.public_url = BASE
    clock.set(AFTER_SPRING)
    opened = await core.run_text(ORGANIZER, "s4b-admin", "summary spring")
    assert opened.form is not None
    outcome = await core.submit(FormSubmission(ORGANIZER, opened.form.id, REAL_SUMMARY))
    assert not outcome.field_errors


def one_page_with_the_summary(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Cultivating Belonging" in text and "Translation help" in text
