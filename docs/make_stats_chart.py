"""Draw docs/stats-chart.png, the chart the README shows: plays examples/stats-chart.txt in
the console on a fresh database (the example programme) and keeps the last stats chart;
then times drawing it again.

    .venv/bin/python docs/make_stats_chart.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "stats-chart.png"
ROUNDS = 20


def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        subprocess.run(
            [
                *(sys.executable, "bot.py", "console", "--now", "2025-04-01T12:00"),
                *("--script", "examples/stats-chart.txt"),
            ],
            cwd=ROOT,
            env={**os.environ, "S4B_DATA_DIR": data},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        shutil.copy(Path(data) / "console-files" / "jo" / "stats-attendance.png", TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size:,} bytes)")

    sys.path.insert(0, str(ROOT))
    from s4b_bot.figures import SessionFigures, attendance_chart

    sessions = (
        SessionFigures("Spring 2025-04-29", 2, 1, 2),
        SessionFigures("Summer 2025-06-24", 0, 0, 0),
        SessionFigures("Fall 2025-09-23", 0, 0, 0),
        SessionFigures("Year-End 2025-11-18", 0, 0, 0),
    )
    started = time.perf_counter()
    attendance_chart(sessions)
    first = time.perf_counter() - started
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        attendance_chart(sessions)
        times.append(time.perf_counter() - started)
    print(
        f"attendance chart: first {first * 1000:.0f} ms (imports matplotlib), then median "
        f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
        f"over {ROUNDS} draws"
    )


if __name__ == "__main__":
    main()
