"""Static pictures of a drawn graph (SVG, PNG) with matplotlib: labels, class colours, a legend."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.model.errors import UsageError
from kg.outputs.viz.files import DEFAULT_TITLE, write_file
from kg.outputs.viz.plotting import RC, legend_dots, saved, shorten_text
from kg.outputs.viz.positions import colours, layout

if TYPE_CHECKING:
    import networkx as nx

# Node positions by IRI, as `layout` places them.
_Positions = dict[str, tuple[float, float]]

# Beyond these, a picture is refused: its labels pile up into a blot (they do from a few
# hundred nodes on), and matplotlib slows to minutes (an arrow per edge: 34 s for 1,000
# nodes and 1,500 edges as SVG, 65 s as PNG, 83 s and 108 s for 2,000 nodes, on 2 cores).
MAX_PICTURE_NODES = 1000
MAX_PICTURE_EDGES = 3000


class PictureTooLarge(UsageError):
    """A static picture of a graph too large to read: says how large and what to narrow."""

    def __init__(
        self, nodes: int, edges: int, image_format: str, *, at_least: bool = False
    ) -> None:
        # at_least: counted before drawing (kg.outputs.viz.sizing), so a lower bound.
        size = f"{'at least ' if at_least else ''}{nodes:,} nodes and {edges:,} edges"
        super().__init__(
            f"{size} are too many for a readable {image_format.upper()} picture (at most "
            f"{MAX_PICTURE_NODES:,} nodes and {MAX_PICTURE_EDGES:,} edges): narrow it with "
            "--entity ENTITY --depth 1, --class CLASS, --predicate PRED or --as-of DATE, or "
            "write it as .html (the page opens on a neighbourhood), .graphml or .gexf (for "
            "Gephi, yEd or Cytoscape)"
        )
        self.nodes = nodes
        self.edges = edges


def check_picture_size(graph: nx.MultiDiGraph, image_format: str = "svg") -> None:
    """Raise PictureTooLarge (a UsageError, exit 2) for a graph too large to draw."""
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    if nodes > MAX_PICTURE_NODES or edges > MAX_PICTURE_EDGES:
        raise PictureTooLarge(nodes, edges, image_format)


def _figure_bytes(graph: nx.MultiDiGraph, title: str, image_format: str) -> bytes:
    check_picture_size(graph, image_format)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    positions = layout(graph)
    palette = colours(graph)
    count = len(graph)
    side = min(max(8.0, 2.2 * count**0.5), 28.0)
    with plt.rc_context(RC):
        figure, axes = plt.subplots(figsize=(side * 1.25, side))
        try:
            axes.set_axis_off()
            axes.set_title(title, fontsize=14)
            _draw_edges(axes, graph, positions)
            _draw_nodes(axes, graph, positions, palette)
            handles = legend_dots(palette)
            if handles:
                axes.legend(
                    handles=handles,
                    loc="upper left",
                    bbox_to_anchor=(1.0, 1.0),
                    fontsize=8,
                    frameon=False,
                    title="class",
                )
            axes.margins(0.08)
            return saved(figure, image_format)
        finally:
            plt.close(figure)


def _draw_edges(axes: Any, graph: nx.MultiDiGraph, positions: _Positions) -> None:
    """An arrow per edge; in a small graph, the labels of the edges between two nodes."""
    small = graph.number_of_edges() <= 60
    label_at: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u, v, attrs in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["label"])):
        (x1, y1), (x2, y2) = positions[u], positions[v]
        axes.annotate(
            "",
            xy=(x2, y2),
            xytext=(x1, y1),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "#8a8a8a",
                "lw": 0.8,
                "shrinkA": 7,
                "shrinkB": 7,
            },
            zorder=1,
        )
        label_at[(u, v)].append(str(attrs["label"]))
    if small:
        for (u, v), labels in sorted(label_at.items()):
            (x1, y1), (x2, y2) = positions[u], positions[v]
            axes.text(
                (x1 + x2) / 2,
                (y1 + y2) / 2,
                "\n".join(sorted(set(labels))),
                fontsize=6.5,
                color="#555555",
                ha="center",
                va="center",
                zorder=2,
            )


def _draw_nodes(
    axes: Any, graph: nx.MultiDiGraph, positions: _Positions, palette: dict[str, str]
) -> None:
    """A dot per node in its class colour (the centre larger), its label above it."""
    nodes = sorted(graph.nodes(data=True))
    axes.scatter(
        [positions[n][0] for n, _ in nodes],
        [positions[n][1] for n, _ in nodes],
        s=[260 if n == graph.graph.get("centre") else 140 for n, _ in nodes],
        c=[palette[str(a["group"])] for _, a in nodes],
        edgecolors="#333333",
        linewidths=0.6,
        zorder=3,
    )
    for node, attrs in nodes:
        x, y = positions[node]
        axes.text(
            x,
            y + 0.035,
            shorten_text(str(attrs["label"]), 40),
            fontsize=8,
            ha="center",
            va="bottom",
            zorder=4,
        )


def write_svg(graph: nx.MultiDiGraph, path: Path, *, title: str = DEFAULT_TITLE) -> bool:
    """A static picture with labels, class colours and a legend (deterministic bytes).

    Raises PictureTooLarge, and writes nothing, for a graph of more than
    MAX_PICTURE_NODES nodes or MAX_PICTURE_EDGES edges."""
    return write_file(path, _figure_bytes(graph, title, "svg"))


def write_png(graph: nx.MultiDiGraph, path: Path, *, title: str = DEFAULT_TITLE) -> bool:
    """As write_svg, as PNG."""
    return write_file(path, _figure_bytes(graph, title, "png"))
