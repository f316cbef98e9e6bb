"""Export the knowledge, or a part of it, as stable RDF in six formats.

Stable means the same bytes on every run and every PYTHONHASHSEED: blank
nodes get names derived from their content, lines and subjects are sorted,
and only the project's prefixes are used. A change to one fact is then a
small diff in git.

Named graphs (one per source file) survive in TriG and N-Quads; the other
formats get the union of the selected graphs, and `Export.merged` says so.
What an export covers (graphs, an entity's surroundings, entailments) is
chosen in kg.outputs.export_selection.

Every literal is written as the store holds it and reads back as the same
term: how N-Triples, N-Quads, Turtle and TriG spell terms is in
kg.outputs.export_terms, the JSON-LD writer in kg.outputs.export_jsonld, the
RDF/XML writer (and what XML cannot carry) in kg.outputs.export_rdfxml.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from kg.model.errors import InputError, UsageError
from kg.model.fileio import shown, write_atomically
from kg.model.namespaces import GRAPH, bind_all, new_graph
from kg.outputs.export_jsonld import document as jsonld_document
from kg.outputs.export_rdfxml import NotInXml, rdfxml
from kg.outputs.export_selection import INFERRED_GRAPH, Quad, Selection, select
from kg.outputs.export_terms import nt_line, split_prefixes, stable_turtle

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge

CONTEXT_FILE = Path(__file__).resolve().parent / "contexts" / "motorsport.jsonld"

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ExportFormat:
    """One output format: its name on the command line, file suffix and rdflib parser."""

    name: str
    suffix: str
    parser: str
    media_type: str
    has_graphs: bool


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", ".ttl", "turtle", "text/turtle", False),
        ExportFormat("ntriples", ".nt", "nt", "application/n-triples", False),
        ExportFormat("nquads", ".nq", "nquads", "application/n-quads", True),
        ExportFormat("trig", ".trig", "trig", "application/trig", True),
        ExportFormat("jsonld", ".jsonld", "json-ld", "application/ld+json", False),
        ExportFormat("rdfxml", ".rdf", "xml", "application/rdf+xml", False),
    )
}
FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)


@dataclass(frozen=True)
class Export:
    """A serialised export, whole and in memory, ready to be written in one go."""

    format: ExportFormat
    content: bytes
    graphs: tuple[str, ...]
    triples: int

    @property
    def merged(self) -> bool:
        """True when several named graphs were merged into one because the format has none."""
        return not self.format.has_graphs and len(self.graphs) > 1


def export_format(name: str) -> ExportFormat:
    found = FORMATS.get(name.lower())
    if found is None:
        raise UsageError(f"unknown export format {name!r}: use one of {', '.join(FORMAT_NAMES)}")
    return found


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped with the package (what `@context` maps to), offline."""
    try:
        document = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(
            f"{CONTEXT_FILE}: the shipped JSON-LD context cannot be read ({error}); "
            "reinstall the package"
        ) from error
    context = document["@context"]
    assert isinstance(context, dict)
    return context


# --- writing -------------------------------------------------------------------


def export(
    knowledge: Knowledge,
    format_name: str,
    sources: Sequence[str] = (),
    entity: str | None = None,
    depth: int = 1,
    with_ontology: bool = False,
    inferred: bool = False,
    as_of: date | None = None,
) -> Export:
    """Select and serialise in one call (what `kg export` does)."""
    selection = select(knowledge, sources, entity, depth, with_ontology, inferred, as_of)
    return serialize(selection, format_name)


def serialize(selection: Selection, format_name: str) -> Export:
    """The selection as bytes in one format. Nothing is written anywhere."""
    chosen = export_format(format_name)
    quads = canonical_quads(selection.quads())
    writer = _WRITERS[chosen.name]
    try:
        text = writer(quads)
    except NotInXml as error:
        raise InputError(error.explain(selection.source_of(error.graph))) from None
    triples = len({(s, p, o) for s, p, o, _ in quads})
    return Export(
        format=chosen,
        content=text.encode("utf-8"),
        graphs=selection.graph_names,
        triples=triples,
    )


def write_export(result: Export, path: Path) -> bool:
    """Write an export atomically; False when the file already held these bytes."""
    try:
        return write_atomically(path, result.content)
    except OSError as error:
        raise InputError(
            f"{shown(path)}: cannot be written ({error.strerror or error}); "
            "check that the folder exists and is writable"
        ) from error


_QUAD_PREDICATE = "urn:x-kg-quad:"


def canonical_quads(quads: Iterable[Quad]) -> list[Quad]:
    """Quads whose blank nodes are named after their content, sorted.

    Each quad is folded into one triple whose predicate carries the graph name,
    so that one canonicalisation names the blank nodes of every graph consistently.
    """
    listed = list(quads)
    if any(isinstance(term, BNode) for quad in listed for term in quad[:3]):
        from rdflib.compare import to_canonical_graph

        folded = Graph(bind_namespaces="none")
        for s, p, o, name in listed:
            folded.add(
                (
                    s,
                    URIRef(_QUAD_PREDICATE + quote(name, safe="") + ":" + quote(str(p), safe="")),
                    o,
                )
            )
        listed = []
        for s, p, o in to_canonical_graph(folded):
            encoded = str(p)[len(_QUAD_PREDICATE) :]
            name, _, predicate = encoded.partition(":")
            listed.append((s, URIRef(unquote(predicate)), o, unquote(name)))
    return sorted(set(listed), key=_quad_key)


def _quad_key(quad: Quad) -> tuple[str, str, str, str]:
    s, p, o, name = quad
    return (name, s.n3(), p.n3(), o.n3())


def _union_graph(quads: Sequence[Quad]) -> Graph:
    graph = new_graph()
    # Sorted insertion: serialisers that walk the store follow this order.
    for s, p, o in _union_triples(quads):
        graph.add((s, p, o))
    return graph


def _union_triples(quads: Sequence[Quad]) -> list[Triple]:
    return sorted({(s, p, o) for s, p, o, _ in quads}, key=_triple_key)


def _triple_key(triple: Triple) -> tuple[str, str, str]:
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def _turtle(quads: Sequence[Quad]) -> str:
    return _ensure_newline(stable_turtle(_union_graph(quads)))


def _ntriples(quads: Sequence[Quad]) -> str:
    return "".join(sorted({nt_line(s, p, o) for s, p, o, _ in quads}))


def _nquads(quads: Sequence[Quad]) -> str:
    return "".join(sorted({nt_line(s, p, o, name) for s, p, o, name in quads}))


def _trig(quads: Sequence[Quad]) -> str:
    """One Turtle block per graph, wrapped in `<graph> { }`, graphs in name order.

    The blocks are indented where rdflib's serializer starts a line, so the lines
    of a multi-line literal stay as they are."""
    prefixes: set[str] = set()
    blocks: list[str] = []
    for name in sorted({name for *_, name in quads}):
        graph = new_graph()
        for s, p, o, quad_graph in quads:
            if quad_graph == name:
                graph.add((s, p, o))
        used, body = split_prefixes(stable_turtle(graph, margin="    "))
        prefixes.update(used)
        blocks.append(f"<{name}> {{\n{body}\n}}\n")
    header = "\n".join(sorted(prefixes))
    return (header + "\n\n" if header else "") + "\n".join(blocks)


def _jsonld(quads: Sequence[Quad]) -> str:
    return jsonld_document(_union_triples(quads), jsonld_context())


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


_WRITERS = {
    "turtle": _turtle,
    "ntriples": _ntriples,
    "nquads": _nquads,
    "trig": _trig,
    "jsonld": _jsonld,
    "rdfxml": rdfxml,
}


# --- reading back --------------------------------------------------------------


def parse_export(content: bytes, format_name: str) -> Dataset:
    """Parse an export back (offline: JSON-LD gets the shipped context), for checking."""
    chosen = export_format(format_name)
    dataset = Dataset()
    bind_all(dataset)
    text = content.decode("utf-8")
    if chosen.has_graphs:
        dataset.parse(data=text, format=chosen.parser)
    else:
        target = dataset.graph(URIRef(str(GRAPH["union"])))
        if chosen.parser == "json-ld":
            target.parse(data=text, format="json-ld", context=jsonld_context())
        else:
            target.parse(data=text, format=chosen.parser)
    return dataset


def describe(result: Export) -> str:
    """One line for stderr about what was written."""
    graphs = len(result.graphs)
    where = f"{graphs} graph{'s' if graphs != 1 else ''}"
    return f"{result.triples} triples from {where} as {result.format.name}"


__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "INFERRED_GRAPH",
    "Export",
    "ExportFormat",
    "Selection",
    "canonical_quads",
    "describe",
    "export",
    "export_format",
    "jsonld_context",
    "parse_export",
    "select",
    "serialize",
    "write_export",
]
