"""The year in review in the console: the reply shows the page's secret address whole, and
the PDF is saved as a file with every session in it."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from adapters.console.repl import Console
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.pages.helpers import BASE, spring_summary_posted
from tests.pages.test_review import TITLES


async def test_the_link_stays_whole_and_the_pdf_is_saved(
    core: Core, clock: SettableClock, tmp_path: Path
) -> None:
    await spring_summary_posted(core, clock)
    out = io.StringIO()
    console = Console(core, clock, out=out, name="Jo", echo=True, files_dir=tmp_path)
    script = ["/as Jo --organizer", "/s4b-admin review s4b-2025", "/s4b-admin review nope"]
    await console.run_script(iter(script))
    text = out.getvalue()
    [link] = re.findall(rf"^{re.escape(BASE)}/reviews/s4b-2025/\S+$", text, re.MULTILINE)
    assert len(link) == len(f"{BASE}/reviews/s4b-2025/") + 32
    saved = tmp_path / "jo" / "review-s4b-2025.pdf"
    assert f"saved as {saved}" in text
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert all(title in words for title in TITLES)
    assert "There is no series 'nope'. The series: `s4b-2025` (S4B Working Group 2025)." in text
