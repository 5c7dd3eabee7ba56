"""`/s4b-admin stats` in the console: the charts are saved as PNG files, each announced with
its alt text, like any other attachment."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.console.repl import Console
from s4b_bot.clock import SettableClock
from s4b_bot.core import Core
from tests.figures.test_charts import decoded
from tests.helpers import flat


async def test_stats_save_the_charts_and_show_their_alt_text(
    sqlite_core: Core, clock: SettableClock, tmp_path: Path
) -> None:
    out = io.StringIO()
    console = Console(sqlite_core, clock, out=out, name="Jo", organizer=True, files_dir=tmp_path)
    await console.run_script(
        iter(
            [
                "/as Ada",
                "/s4b idea Tea after every session ☕",
                "/as Jo --organizer",
                "/s4b-admin stats",
            ]
        )
    )
    text = flat(out.getvalue())
    assert "The programme in numbers, with charts:" in text
    assert "📎 stats-attendance.png (" in text and "bytes, image/png)" in text
    assert (
        "alt text: Registrations and attendance per session: "
        "Spring 2025-04-29: 0 confirmed, 0 waitlisted, 0 attended;"
    ) in text
    assert "alt text: Ideas and votes over time, 1 idea and 0 votes in all: 2025-04-01" in text
    saved = sorted(p.name for p in console.platform.saved)
    assert saved == ["stats-attendance.png", "stats-ideas.png"]
    for path in console.platform.saved:
        assert path.parent == tmp_path / "jo"
        assert decoded(path.read_bytes()) == (450, 800)
        assert f"saved as {path}" in text
