"""A drawn graph for other graph programs: Graphviz DOT, GraphML and GEXF."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from kg.outputs.viz.files import DEFAULT_TITLE, write_file
from kg.outputs.viz.positions import colours

if TYPE_CHECKING:
    import networkx as nx


def _dot_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_dot(graph: nx.MultiDiGraph, *, title: str = DEFAULT_TITLE) -> str:
    palette = colours(graph)
    lines = [
        f"digraph {_dot_quote(title)} {{",
        f'  graph [label={_dot_quote(title)}, labelloc=t, overlap=false, fontname="DejaVu Sans"];',
        '  node [shape=ellipse, style=filled, fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=8, color="#8a8a8a"];',
    ]
    for node, attrs in sorted(graph.nodes(data=True)):
        lines.append(
            f"  {_dot_quote(node)} [label={_dot_quote(str(attrs['label']))}, "
            f"tooltip={_dot_quote(str(attrs['type']))}, "
            f"fillcolor={_dot_quote(palette[str(attrs['group'])])}];"
        )
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        lines.append(
            f"  {_dot_quote(u)} -> {_dot_quote(v)} [label={_dot_quote(str(attrs['label']))}, "
            f"tooltip={_dot_quote(str(key))}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(graph: nx.MultiDiGraph, path: Path, *, title: str = DEFAULT_TITLE) -> bool:
    """Graphviz DOT, written here (no pydot): sorted, every identifier quoted."""
    return write_file(path, render_dot(graph, title=title))


def exportable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings (networkx's GraphML/GEXF writers fail on
    None and lists); private graph attributes (facts) are left out."""
    import networkx as nx

    palette = colours(graph)
    copy = nx.MultiDiGraph()
    copy.graph.update(
        {str(k): _text(v) for k, v in sorted(graph.graph.items()) if not str(k).startswith("_")}
    )
    for node, attrs in sorted(graph.nodes(data=True)):
        values = {str(k): _text(v) for k, v in sorted(attrs.items())}
        values["colour"] = palette[str(attrs["group"])]
        copy.add_node(str(node), **values)
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        copy.add_edge(
            str(u), str(v), key=str(key), **{str(k): _text(x) for k, x in sorted(attrs.items())}
        )
    return copy


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return " | ".join(sorted(str(item) for item in value))
    return str(value)


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> bool:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(exportable(graph), buffer, encoding="utf-8", prettyprint=True)
    return write_file(path, buffer.getvalue())


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> bool:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(exportable(graph), buffer, encoding="utf-8", prettyprint=True)
    # The writer stamps today's date; without it the file is the same every day.
    content = re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue())
    return write_file(path, content)
