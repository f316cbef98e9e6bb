"""The output formats: which one a path or --format names, and `write` in any of them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.model.errors import UsageError
from kg.outputs.viz.exports import write_dot, write_gexf, write_graphml
from kg.outputs.viz.figures import write_png, write_svg
from kg.outputs.viz.files import DEFAULT_TITLE
from kg.outputs.viz.page import write_html

if TYPE_CHECKING:
    import networkx as nx

FORMATS: tuple[str, ...] = ("html", "svg", "png", "dot", "graphml", "gexf")
SUFFIXES: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".graphml": "graphml",
    ".gexf": "gexf",
}


def write(
    graph: nx.MultiDiGraph, path: Path, *, format: str | None = None, title: str = DEFAULT_TITLE
) -> bool:
    """Write `graph` in `format` (or the format named by the path's suffix)."""
    chosen = output_format(path, format)
    if chosen == "html":
        return write_html(graph, path, title=title)
    if chosen == "svg":
        return write_svg(graph, path, title=title)
    if chosen == "png":
        return write_png(graph, path, title=title)
    if chosen == "dot":
        return write_dot(graph, path, title=title)
    if chosen == "graphml":
        return write_graphml(graph, path)
    return write_gexf(graph, path)


def output_format(path: Path, format: str | None = None) -> str:
    if format is not None:
        if format not in FORMATS:
            raise UsageError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
        return format
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise UsageError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; name the file "
            f"with one of {', '.join(sorted(SUFFIXES))} or give --format ({', '.join(FORMATS)})"
        )
    return found
