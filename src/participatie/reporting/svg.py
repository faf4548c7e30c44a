"""Charts as accessible inline SVG: matplotlib draws, this module makes the drawing readable.

Text is written as text (``svg.fonttype = "none"``), not as glyph paths, so that it can be found,
selected, enlarged and translated; the numbers on an axis are written the way the page's language
writes them. :func:`accessible` gives the drawing ``role="img"``, a ``<title>`` and a ``<desc>``
that name it, and makes its ids unique within the page, which holds several charts.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

from participatie.errors import ConfigurationError
from participatie.i18n import Language

__all__ = ["accessible", "draw_svg", "pyplot"]

#: Text and bars: #1f5f8b and #9e4430 stand out from white by more than 4.5:1 (WCAG's contrast for
#: text, and so also the 3:1 asked of the parts of a chart).
BAR = "#1f5f8b"
FALL = "#9e4430"
TEXT = "#222222"
NOTE = "#555555"


def pyplot() -> Any:
    """matplotlib's pyplot, set up for charts in a page (the ``report`` extra)."""
    try:
        import matplotlib as mpl  # noqa: PLC0415
    except ImportError:
        raise ConfigurationError("charts need matplotlib: install participatie[report]") from None
    mpl.use("Agg")
    mpl.rcParams["svg.hashsalt"] = "participatie"  # the same report gives the same file
    mpl.rcParams["svg.fonttype"] = "none"  # text as text, not as glyph paths
    mpl.rcParams["font.sans-serif"] = ["DejaVu Sans", "Arial", "Helvetica"]
    mpl.rcParams["text.color"] = TEXT
    mpl.rcParams["axes.labelcolor"] = TEXT
    mpl.rcParams["xtick.color"] = TEXT
    mpl.rcParams["ytick.color"] = TEXT
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


def draw_svg(plt: Any, lang: Language, draw: Callable[[Any], None]) -> str:
    """The SVG element of one chart that ``draw`` draws on its axes."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(7, 3.2))
    try:
        draw(axes)
        for axis in (axes.xaxis, axes.yaxis):
            # A numeric axis (not one of months or reasons) in the language's numbers.
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(FuncFormatter(lambda value, _: _tick(lang, value)))
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _tick(lang: Language, value: float) -> str:
    if value == int(value):
        return lang.integer(int(value))
    return lang.decimal(value, places=1)


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def accessible(svg: str, *, prefix: str, title: str, desc: str) -> str:
    """The chart as an image with a name (``title``) and a description (``desc``) in words, its
    ids (and what refers to them) starting with ``prefix``."""
    svg = _METADATA.sub("", svg)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m[1]}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m[1]}{prefix}-{m[2]}", svg)
    opening = svg.index(">") + 1
    named = (
        f' role="img" aria-labelledby="{prefix}-title {prefix}-desc">\n'
        f' <title id="{prefix}-title">{html.escape(title)}</title>\n'
        f' <desc id="{prefix}-desc">{html.escape(desc)}</desc>'
    )
    return svg[: opening - 1] + named + svg[opening:]
