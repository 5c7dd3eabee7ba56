"""The charts themselves: valid PNGs (and SVGs) of a fixed size, titled and the same on
every run, with alt texts that carry the numbers; matplotlib loaded only when drawing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import matplotlib.image
import pytest

from s4b_bot.figures import (
    DayFigures,
    SessionFigures,
    attendance_alt,
    attendance_chart,
    data_uri,
    ideas_alt,
    ideas_chart,
    ratings_alt,
    ratings_chart,
)
from s4b_bot.figures.alt import ALT_MAX

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SESSIONS = (
    SessionFigures("Spring 2025-04-29", 12, 2, 9, rating=4.25, ratings=4),
    SessionFigures("Summer 2025-06-24", 8, 0, None),
    SessionFigures("Autumn 🍂 2025-10-14", 3, 0, 0),
)
DAYS = (
    DayFigures(date(2025, 4, 29), 2, 5),
    DayFigures(date(2025, 5, 2), 1, 3),
    DayFigures(date(2025, 5, 9), 0, 4),
)


def decoded(png: bytes) -> tuple[int, int]:
    """(height, width) of a PNG, as matplotlib reads it back."""
    assert png.startswith(PNG_SIGNATURE)
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.std() > 0.05  # not a blank canvas
    return pixels.shape[0], pixels.shape[1]


@pytest.mark.parametrize(
    "draw",
    [
        lambda: attendance_chart(SESSIONS),
        lambda: ideas_chart(DAYS),
        lambda: ratings_chart(SESSIONS[:1]),
        lambda: attendance_chart(SESSIONS[:1]),
        lambda: ideas_chart(DAYS[:1]),
    ],
)
def test_each_chart_is_a_png_of_the_fixed_size(draw: object) -> None:
    assert callable(draw)
    png = draw()
    assert decoded(png) == (450, 800)
    assert 5_000 < len(png) < 200_000


def test_the_same_figures_make_the_same_bytes() -> None:
    assert attendance_chart(SESSIONS) == attendance_chart(SESSIONS)
    assert ideas_chart(DAYS, "svg") == ideas_chart(DAYS, "svg")
    assert attendance_chart(SESSIONS) != attendance_chart(SESSIONS[:2])


def test_the_svg_carries_its_title_axes_and_legend_for_a_page() -> None:
    svg = attendance_chart(SESSIONS, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    # Text is drawn as shapes (no font needed); matplotlib keeps each text as a comment.
    for words in (
        "Registrations and attendance per session",
        "Session",
        "People",
        "confirmed",
        "waitlisted",
        "attended",
        "attendance",
        "not marked",
        "Spring 2025-04-29",
    ):
        assert f"<!-- {words}" in svg, words
    assert data_uri(b"\x89PNG").startswith("data:image/png;base64,iVBORw")
    assert data_uri(b"<svg/>", "svg") == "data:image/svg+xml;base64,PHN2Zy8+"


def test_the_alt_texts_carry_the_numbers() -> None:
    assert attendance_alt(SESSIONS) == (
        "Registrations and attendance per session: "
        "Spring 2025-04-29: 12 confirmed, 2 waitlisted, 9 attended; "
        "Summer 2025-06-24: 8 confirmed, 0 waitlisted, attendance not marked; "
        "Autumn 🍂 2025-10-14: 3 confirmed, 0 waitlisted, 0 attended."
    )
    assert ideas_alt(DAYS) == (
        "Ideas and votes over time, 3 ideas and 12 votes in all: 2025-04-29: 2 ideas, 5 votes; "
        "2025-05-02: 3 ideas, 8 votes; 2025-05-09: 3 ideas, 12 votes."
    )
    assert ratings_alt(SESSIONS[:1]) == (
        "Average feedback rating per session: Spring 2025-04-29: 4.2 of 5 from 4 answers."
    )


def test_a_long_alt_text_names_how_many_sessions_it_leaves_out() -> None:
    many = [SessionFigures(f"Session {n} 2025-01-01", n, 0, n) for n in range(60)]
    alt = attendance_alt(many)
    assert len(alt) <= ALT_MAX <= 1024  # Discord's limit for a description
    assert alt.startswith("Registrations and attendance per session: Session 0 2025-01-01: 0")
    left = 60 - alt.count(" confirmed,")
    assert alt.endswith(f"; and {left} more sessions.") and left > 0


def test_a_chart_draws_well_under_a_second() -> None:
    attendance_chart(SESSIONS)  # the first pays for importing matplotlib
    started = time.perf_counter()
    attendance_chart(SESSIONS)
    ideas_chart(DAYS)
    assert (time.perf_counter() - started) / 2 < 0.5


def test_matplotlib_is_imported_on_the_first_chart_only_and_writes_nothing_to_home(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    env |= {"HOME": str(home), "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    program = (
        "import sys\n"
        "import bot, adapters.console.repl, adapters.slack.app, adapters.discord.client\n"
        "import s4b_bot.figures, s4b_bot.people.stats\n"
        "assert 'matplotlib' not in sys.modules, 'imported at start-up'\n"
        "from s4b_bot.figures import SessionFigures, attendance_chart\n"
        "attendance_chart((SessionFigures('Spring 2025-04-29', 1, 0, 1),))\n"
        "import matplotlib\n"
        "assert matplotlib.get_backend().lower() == 'agg', matplotlib.get_backend()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert list(home.iterdir()) == []
    assert (tmp_path / "s4b-matplotlib").is_dir()
