"""The files the index links to: the exports, the pictures and the ontology reference."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.outputs.site.layout import SITE_TITLE, page

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge

EXPORT_STEM = "motorsport-kg"


@dataclass(frozen=True)
class ExportLink:
    format: str
    path: str
    triples: int
    graphs: int
    note: str


def exports(knowledge: Knowledge, inference: str, files: dict[str, bytes]) -> list[ExportLink]:
    from kg.outputs.export import CONTEXT_FILE, FORMATS, serialize
    from kg.outputs.export_selection import Selection, select

    links: list[ExportLink] = []
    data = select(knowledge, inferred=inference != "none")
    for name, chosen in FORMATS.items():
        result = serialize(data, name)
        path = f"export/{EXPORT_STEM}{chosen.suffix}"
        files[path] = result.content
        note = (
            "named graphs kept (one per source file)"
            if chosen.has_graphs
            else "the union of the named graphs"
        )
        links.append(ExportLink(name, path, result.triples, len(result.graphs), note))
    ontology: Selection = Selection(
        tuple((g, knowledge.store.graph(g)) for g in sorted(knowledge.ontology_graphs))
    )
    result = serialize(ontology, "turtle")
    files["export/ontology.ttl"] = result.content
    links.append(
        ExportLink(
            "turtle",
            "export/ontology.ttl",
            result.triples,
            len(ontology.graphs),
            "the ontology and vocabularies",
        )
    )
    files["export/motorsport.context.jsonld"] = CONTEXT_FILE.read_bytes()
    links.append(
        ExportLink(
            "jsonld",
            "export/motorsport.context.jsonld",
            0,
            0,
            "the JSON-LD context (already inline in the JSON-LD export)",
        )
    )
    return links


# --- pictures ------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    path: str  # "" for a picture left out (too large to read); `detail` says why
    title: str
    detail: str


# Why the static picture of the articles is missing from a site, when it is.
LEFT_OUT = (
    "left out, too many to read as one picture; the interactive graph has them all, and "
    "kg viz --entity ENTITY --depth 1 -o FILE.svg draws a neighbourhood"
)


_DERIVED_OR_IMPORTED = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
ASK { { ?file a ms:ResultsFile } UNION { ?check a ms:Reconciliation } }
"""


def curated_graphs(knowledge: Knowledge) -> list[str]:
    """The data graphs written by people: no imported results, no derived checks."""
    return [
        graph
        for graph in knowledge.data_graphs
        if not knowledge.store.query(_DERIVED_OR_IMPORTED, graphs=[graph]).boolean
    ]


def pictures(knowledge: Knowledge, lang: str, files: dict[str, bytes]) -> list[Picture]:
    """Drawn by kg.outputs.viz into a scratch folder, then held in memory with everything else."""
    from kg.outputs import viz

    pictures: list[Picture] = []
    with tempfile.TemporaryDirectory(prefix="kg-build-") as scratch:
        folder = Path(scratch)
        graph = viz.to_networkx(knowledge, lang=lang)
        counts = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
        viz.write_html(graph, folder / "graph.html", title=SITE_TITLE)
        pictures.append(Picture("graph.html", "The interactive graph", counts))
        # Hundreds of imported drivers and results make a static picture unreadable,
        # so it shows what the curated sources say; the interactive page has it all.
        curated = viz.to_networkx(knowledge, graphs=curated_graphs(knowledge), lang=lang)
        curated_counts = f"{curated.number_of_nodes()} nodes, {curated.number_of_edges()} edges"
        title = "What the articles say, as a picture (SVG; official results left out)"
        try:
            viz.write_svg(curated, folder / "graph.svg", title=SITE_TITLE)
            pictures.append(Picture("graph.svg", title, curated_counts))
        except viz.PictureTooLarge:
            # Not a failed build: the site says what is missing and where it is instead.
            pictures.append(Picture("", title, f"{curated_counts}: {LEFT_OUT}"))
        schema = viz.to_networkx(knowledge, lang=lang, schema=True)
        viz.write_svg(schema, folder / "ontology.svg", title=f"{SITE_TITLE} ontology")
        pictures.append(
            Picture("ontology.svg", "The ontology's classes and object properties (SVG)", "")
        )
        # No today line: the site must be the same bytes tomorrow; the index page
        # flags overdue decisions against the reader's today instead.
        viz.decision_timeline(knowledge, folder / "decisions.svg", lang=lang, mark_today=False)
        pictures.append(Picture("decisions.svg", "The decision timeline (SVG)", ""))
        for picture in pictures:
            if picture.path:
                files[picture.path] = (folder / picture.path).read_bytes()
    return pictures


# --- the ontology reference ----------------------------------------------------


def ontology_page(knowledge: Knowledge, files: dict[str, bytes]) -> None:
    from kg.outputs.ontology_doc import render_body

    body = "<h1>Ontology reference</h1>" + render_body(knowledge.ontology())
    files["ontology.html"] = page("Ontology reference", body, depth=0).encode("utf-8")
