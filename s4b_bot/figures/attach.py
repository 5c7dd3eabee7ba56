"""The charts as message attachments, each with its alt text: what `/s4b-admin stats` sends."""

from __future__ import annotations

import asyncio
import logging

from s4b_bot.figures.alt import attendance_alt, ideas_alt, ratings_alt
from s4b_bot.figures.charts import attendance_chart, ideas_chart, ratings_chart
from s4b_bot.figures.data import Figures
from s4b_bot.output import Attachment

PNG = "image/png"
_log = logging.getLogger(__name__)


def _render(figures: Figures) -> tuple[Attachment, ...]:
    files = []
    if figures.sessions:
        files.append(
            Attachment(
                "stats-attendance.png",
                attendance_chart(figures.sessions),
                PNG,
                alt=attendance_alt(figures.sessions),
            )
        )
    if figures.days:
        files.append(
            Attachment(
                "stats-ideas.png", ideas_chart(figures.days), PNG, alt=ideas_alt(figures.days)
            )
        )
    if figures.rated:
        files.append(
            Attachment(
                "stats-feedback.png",
                ratings_chart(figures.rated),
                PNG,
                alt=ratings_alt(figures.rated),
            )
        )
    return tuple(files)


async def chart_attachments(figures: Figures) -> tuple[Attachment, ...]:
    """One PNG per chart with something to show (no sessions, no ideas, no feedback: no
    chart of them), drawn off the event loop; none when drawing fails (the numbers still
    go out as text, and the log says why)."""
    try:
        return await asyncio.to_thread(_render, figures)
    except Exception as exc:
        _log.warning("cannot draw the stats charts: %s", type(exc).__name__)
        return ()
