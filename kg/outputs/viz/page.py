"""The interactive page: one self-contained HTML file with style, script and data inline."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.model.namespaces import shorten
from kg.outputs.viz.facts import facts_of
from kg.outputs.viz.files import DEFAULT_TITLE, write_file
from kg.outputs.viz.positions import colours, layout

if TYPE_CHECKING:
    import networkx as nx


# The page opens on this many nodes around its focus; a graph this small opens whole.
OPENING_NODES = 40


def focus_of(graph: nx.MultiDiGraph) -> str:
    """The node the page opens on: the one asked for (`--entity`), else the entity linked
    to the most kinds of things, then to the most things (ties: label, then IRI).

    Kinds first: a race session linked to sixty entries is a star of look-alikes; a
    manufacturer linked to programmes, cars, teams, people and decisions is a story.
    """
    centre = str(graph.graph.get("centre", ""))
    if centre and centre in graph:
        return centre

    def rank(node: str) -> tuple[int, int, str, str]:
        linked = set(graph.successors(node)) | set(graph.predecessors(node))
        kinds = {graph.nodes[other].get("group") for other in linked if other != node}
        return (-len(kinds), -graph.degree(node), str(graph.nodes[node].get("label", "")), node)

    entities = [node for node, kind in graph.nodes(data="kind") if kind == "entity"]
    candidates = sorted(rank(str(node)) for node in (entities or list(graph)))
    return candidates[0][3] if candidates else ""


def _page_data(graph: nx.MultiDiGraph, title: str) -> dict[str, Any]:
    positions = layout(graph)
    palette = colours(graph)
    facts = facts_of(graph)
    nodes = []
    for node, attrs in sorted(graph.nodes(data=True)):
        x, y = positions[node]
        nodes.append(
            {
                "id": node,
                "short": attrs["short"],
                "label": attrs["label"],
                "aliases": [a for a in str(attrs["aliases"]).split(" | ") if a],
                "type": attrs["type"],
                "group": attrs["group"],
                "kind": attrs["kind"],
                "degree": graph.degree(node),
                "x": x,
                "y": y,
                "facts": [
                    {
                        "property": f.property,
                        "value": f.value,
                        "claim": shorten(f.claim) if f.claim else "",
                        "sources": [
                            {"title": s.title, "date": s.date, "language": s.language}
                            for s in f.sources
                        ],
                    }
                    for f in facts.get(node, ())
                ],
            }
        )
    edges = [
        {"source": u, "target": v, "label": attrs["label"], "claim": attrs["claim"]}
        for u, v, _, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3])
    ]
    return {
        "title": title,
        "lang": graph.graph.get("lang", "en"),
        "centre": graph.graph.get("centre", ""),
        "focus": focus_of(graph),
        "opening": OPENING_NODES,
        "groups": [{"name": g, "colour": c} for g, c in sorted(palette.items())],
        "nodes": nodes,
        "edges": edges,
    }


def _template(name: str) -> str:
    from importlib.resources import files

    return (files("kg.outputs") / "templates" / name).read_text(encoding="utf-8")


def render_html(graph: nx.MultiDiGraph, *, title: str = DEFAULT_TITLE) -> str:
    """The interactive page as text: template, style, script and data all inline."""
    payload = json.dumps(_page_data(graph, title), ensure_ascii=False, sort_keys=True)
    # Inside <script> only "</" could end the element early; escaping <, > and &
    # as JSON unicode escapes keeps the JSON identical once parsed.
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    parts = {
        "TITLE": html.escape(title),
        "LANG": html.escape(str(graph.graph.get("lang", "en"))),
        "CSS": _template("viz.css"),
        "JS": _template("viz.js"),
        "DATA": payload,
    }
    # One pass, so that a title or label that looks like a placeholder stays as it is.
    return re.sub(
        r"/\*\{\{(CSS|JS)\}\}\*/|\{\{(TITLE|LANG|DATA)\}\}",
        lambda match: parts[match.group(1) or match.group(2)],
        _template("viz.html"),
    )


def write_html(graph: nx.MultiDiGraph, path: Path, *, title: str = DEFAULT_TITLE) -> bool:
    """A self-contained interactive page (works offline from a file:// URL)."""
    return write_file(path, render_html(graph, title=title))
