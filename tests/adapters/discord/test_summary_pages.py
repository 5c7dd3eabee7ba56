"""Summary pages on Discord: `/s4b-admin summary-export <session> pdf` attaches the one-page
PDF to the reply, and `/s4b-admin summary-page` gives the page's address."""

from __future__ import annotations

from adapters.discord import S4BClient
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.adapters.discord import payloads
from tests.adapters.discord.conftest import feed, followups, visible_text
from tests.adapters.discord.mock_discord import MockDiscord
from tests.pages.helpers import BASE, one_page_with_the_summary, spring_summary_posted


def organizer(path: str, options: dict[str, str]) -> dict[str, object]:
    return payloads.command(
        "s4b-admin", path, options, roles=[payloads.ORGANIZER_ROLE], user=payloads.JO
    )


async def test_the_pdf_export_is_attached_and_the_page_has_an_address(
    bot: S4BClient, mock: MockDiscord, sqlite_core: Core, clock: SettableClock
) -> None:
    await spring_summary_posted(sqlite_core, clock)
    export = organizer("summary-export", {"session": "spring", "format": "pdf"})
    await feed(bot, export)
    [sent] = [r for r in followups(mock, export) if r.files]
    [pdf] = sent.files
    assert pdf.filename == "summary-spring-2025-04-29.pdf" and pdf.data.startswith(b"%PDF")
    one_page_with_the_summary(pdf.data)

    public = organizer("summary-page", {"session": "spring", "visibility": "public"})
    await feed(bot, public)
    assert f"{BASE}/summaries/s4b-2025/1" in visible_text(followups(mock, public))
    assert await sqlite_core.summary_page("s4b-2025", 1, None) is not None
