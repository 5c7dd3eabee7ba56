"""The charts, one function each: plain figures in, PNG (or SVG) bytes out, titled, with
labelled axes and a legend. The same bytes go to a chat or into a web page."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from itertools import accumulate
from typing import Any, cast

from s4b_bot.figures.backend import MIME, Format, encode, new_figure, whole_numbers
from s4b_bot.figures.data import DayFigures, SessionFigures

ATTENDANCE_TITLE = "Registrations and attendance per session"
IDEAS_TITLE = "Ideas and votes over time"
RATINGS_TITLE = "Average feedback rating per session"
NOT_MARKED = "attendance\nnot marked"
BARS = (("confirmed", "#1f77b4"), ("waitlisted", "#ff7f0e"), ("attended", "#2ca02c"))
WIDTH = 0.27


def attendance_chart(sessions: Sequence[SessionFigures], fmt: Format = "png") -> bytes:
    """Grouped bars per session: confirmed, waitlisted, attended; "attendance not marked"
    written where a session that is over has none marked."""
    figure = new_figure()
    axes = figure.add_subplot()
    places = range(len(sessions))
    for offset, (name, colour) in zip((-WIDTH, 0.0, WIDTH), BARS, strict=True):
        values: list[int | None] = [getattr(s, name) for s in sessions]
        bars = axes.bar(
            [p + offset for p in places], [v or 0 for v in values], WIDTH, label=name, color=colour
        )
        axes.bar_label(bars, ["" if v is None else str(v) for v in values], fontsize=8)
    top = max((max(s.confirmed, s.waitlisted, s.attended or 0) for s in sessions), default=0)
    for place, session in zip(places, sessions, strict=True):
        if session.attended is None:
            axes.annotate(
                NOT_MARKED,
                (place + WIDTH, 0),
                xytext=(0, 14),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="#555555",
            )
    axes.set_ylim(0, max(top * 1.3, 5))  # room for the legend above the bars
    whole_numbers(axes)
    axes.set_xticks(list(places), [s.label for s in sessions], rotation=20, ha="right")
    axes.set_title(ATTENDANCE_TITLE)
    axes.set_xlabel("Session")
    axes.set_ylabel("People")
    axes.legend(loc="upper center", ncols=3)
    return encode(figure, fmt)


def ideas_chart(days: Sequence[DayFigures], fmt: Format = "png") -> bytes:
    """Two cumulative lines by date: ideas posted, votes cast."""
    figure = new_figure()
    axes = figure.add_subplot()
    dates = cast(Any, [d.day for d in days])  # matplotlib plots dates; typed as numbers
    ideas = list(accumulate(d.ideas for d in days))
    votes = list(accumulate(d.votes for d in days))
    axes.plot(dates, ideas, marker="o", label="ideas (total)", color="#9467bd")
    axes.plot(dates, votes, marker="s", label="votes (total)", color="#8c564b")
    axes.set_ylim(0, max([*ideas, *votes, 4]) * 1.3)
    whole_numbers(axes)
    figure.autofmt_xdate()
    axes.set_title(IDEAS_TITLE)
    axes.set_xlabel("Date")
    axes.set_ylabel("Count so far")
    axes.legend(loc="upper center", ncols=2)
    return encode(figure, fmt)


def ratings_chart(sessions: Sequence[SessionFigures], fmt: Format = "png") -> bytes:
    """One bar per session with feedback: its average rating on the 1-5 scale, labelled
    with the number of answers."""
    figure = new_figure()
    axes = figure.add_subplot()
    places = range(len(sessions))
    bars = axes.bar(
        list(places),
        [s.rating or 0 for s in sessions],
        0.5,
        label="average rating",
        color="#17becf",
    )
    axes.bar_label(bars, [f"{s.rating or 0:.1f} ({s.ratings})" for s in sessions], fontsize=8)
    axes.set_ylim(0, 6)
    axes.set_xticks(list(places), [s.label for s in sessions], rotation=20, ha="right")
    axes.set_title(RATINGS_TITLE)
    axes.set_xlabel("Session (answers in brackets)")
    axes.set_ylabel("Rating, 1 to 5")
    axes.set_yticks(range(6))
    axes.legend(loc="upper center")
    return encode(figure, fmt)


def data_uri(content: bytes, fmt: Format = "png") -> str:
    """`data:image/png;base64,...`: a chart an HTML page embeds without a second file."""
    return f"data:{MIME[fmt]};base64,{base64.b64encode(content).decode('ascii')}"
