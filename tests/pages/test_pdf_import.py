"""WeasyPrint (and the system's pango under it) is loaded by the first PDF only: a bot whose
machine cannot print still starts, and start-up does not pay for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_weasyprint_is_imported_by_the_first_pdf_only() -> None:
    program = (
        "import sys\n"
        "import bot, adapters.console.repl, adapters.slack.app, adapters.discord.client\n"
        "import s4b_bot.pages.pdf, s4b_bot.conversation.summaries\n"
        "assert 'weasyprint' not in sys.modules, 'imported at start-up'\n"
        "from s4b_bot.pages.pdf import page_pdf\n"
        "pdf, pages = page_pdf('<!doctype html><title>t</title><p>Hello</p>')\n"
        "assert pdf.startswith(b'%PDF') and pages == 1\n"
        "assert 'weasyprint' in sys.modules\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
