"""What every matplotlib picture shares: the style, legend dots, and bytes that are the
same on every run (no dates or other run-dependent metadata)."""

from __future__ import annotations

import io
from typing import Any

# Every figure: SVG ids from a fixed salt (not random), text kept as text, one font.
RC: Any = {
    "svg.hashsalt": "motorsport-kg",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "path.simplify": True,
}


def _metadata(image_format: str) -> dict[str, Any]:
    if image_format == "svg":
        return {"Date": None, "Creator": "motorsport-kg"}
    return {"Software": "motorsport-kg"}


def shorten_text(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def saved(figure: Any, image_format: str) -> bytes:
    """The figure as SVG or PNG bytes, with no date or other run-dependent metadata."""
    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format=image_format,
        dpi=100,
        bbox_inches="tight",
        metadata=_metadata(image_format),
    )
    return buffer.getvalue()


def legend_dots(colours: dict[str, str]) -> list[Any]:
    """One round legend marker per name, in name order."""
    from matplotlib.lines import Line2D

    return [
        Line2D(
            [0],
            [0],
            marker="o",
            linestyle="",
            markersize=8,
            markerfacecolor=colour,
            markeredgecolor="#333333",
            label=name,
        )
        for name, colour in sorted(colours.items())
    ]
