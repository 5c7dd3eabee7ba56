"""Summary pages in the console: the post shows the page's address whole (a link is never
cut when wrapped), and the PDF export is saved as a one-page file."""

from __future__ import annotations

import io
import re
from pathlib import Path

from adapters.console.repl import Console
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.pages.helpers import BASE, one_page_with_the_summary, spring_summary_posted


async def test_the_link_stays_whole_and_the_pdf_is_saved(
    core: Core, clock: SettableClock, tmp_path: Path
) -> None:
    await spring_summary_posted(core, clock)
    out = io.StringIO()
    console = Console(core, clock, out=out, name="Jo", echo=True, files_dir=tmp_path)
    script = ["/as Jo --organizer", "/s4b summary spring", "/s4b-admin summary export spring pdf"]
    await console.run_script(iter(script))
    text = out.getvalue()
    links = re.findall(rf"^{re.escape(BASE)}/summaries/s4b-2025/1/\S+$", text, re.MULTILINE)
    assert len(links) == 2 and len(set(links)) == 1  # the post and the reply, each whole
    assert len(links[0]) == len(f"{BASE}/summaries/s4b-2025/1/") + 32
    assert "The Spring summary as a one-page PDF." in text
    saved = tmp_path / "jo" / "summary-spring-2025-04-29.pdf"
    assert f"saved as {saved}" in text
    one_page_with_the_summary(saved.read_bytes())
