"""Matplotlib, imported on first use with the Agg backend and a config folder of its own.

Nothing is imported at start-up: the first chart pays for it (about half a second), the rest
of the bot never does. Figures are built with `matplotlib.figure.Figure`, never pyplot, so
no global state is shared between charts and nothing opens a window.
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Format = Literal["png", "svg"]
SIZE = (8.0, 4.5)
"""Inches: 800 x 450 pixels at DPI."""
DPI = 100
MIME: dict[Format, str] = {"png": "image/png", "svg": "image/svg+xml"}
STYLE = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: no font is fetched
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "s4b",  # the same SVG ids on every run
    "svg.fonttype": "path",  # text as shapes: the page needs no font
}


@cache
def _setup() -> None:
    # Matplotlib writes its font cache under MPLCONFIGDIR (else $HOME): keep it out of $HOME.
    os.environ.setdefault("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / "s4b-matplotlib"))
    import matplotlib

    matplotlib.use("Agg")
    cast(Any, matplotlib.rcParams).update(STYLE)  # typed for literal keys only


def new_figure() -> Figure:
    """An empty figure of the fixed size."""
    _setup()
    from matplotlib.figure import Figure

    return Figure(figsize=SIZE, dpi=DPI, layout="constrained")


def whole_numbers(axes: Axes) -> None:
    """Ticks at whole numbers only on the y axis: people and ideas come whole."""
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def encode(figure: Figure, fmt: Format = "png") -> bytes:
    """The figure as PNG or SVG bytes, without a timestamp: the same figures, the same file."""
    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    with warnings.catch_warnings():
        # A season name with an emoji: DejaVu has no glyph for it, which is no error.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()
