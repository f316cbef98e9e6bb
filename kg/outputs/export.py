"""Export the knowledge, or a part of it, as stable RDF in six formats.

Stable means the same bytes on every run and every PYTHONHASHSEED: blank
nodes get names derived from their content, lines and subjects are sorted,
and only the project's prefixes are used. A change to one fact is then a
small diff in git.

Named graphs (one per source file) survive in TriG and N-Quads; the other
formats get the union of the selected graphs, and `Export.merged` says so.
What an export covers (graphs, an entity's surroundings, entailments) is
chosen in kg.outputs.export_selection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.model.errors import InputError, UsageError
from kg.model.fileio import write_atomically
from kg.model.files import display_path
from kg.model.namespaces import GRAPH, bind_all, new_graph
from kg.outputs.export_selection import INFERRED_GRAPH, Quad, Selection, select

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
    text = writer(quads)
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
            f"{display_path(path)}: cannot be written ({error.strerror or error}); "
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
    for s, p, o in sorted({(s, p, o) for s, p, o, _ in quads}, key=_triple_key):
        graph.add((s, p, o))
    return graph


def _triple_key(triple: Triple) -> tuple[str, str, str]:
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def _turtle_text(graph: Graph) -> str:
    """Turtle with subjects in IRI order (rdflib orders them by how often they are cited,
    so one new reference would move a whole block in the diff)."""
    import io

    from rdflib.plugins.serializers.turtle import TurtleSerializer

    class SortedTurtleSerializer(TurtleSerializer):
        def orderSubjects(self) -> list[Any]:
            return sorted(self._subjects, key=lambda s: (isinstance(s, BNode), str(s)))

    stream = io.BytesIO()
    SortedTurtleSerializer(graph).serialize(stream, encoding="utf-8")
    return _ensure_newline(stream.getvalue().decode("utf-8"))


def _turtle(quads: Sequence[Quad]) -> str:
    return _turtle_text(_union_graph(quads))


def _ntriples(quads: Sequence[Quad]) -> str:
    text = _union_graph(quads).serialize(format="nt")
    return _sorted_lines(text)


def _nquads(quads: Sequence[Quad]) -> str:
    dataset = Dataset()
    for s, p, o, name in quads:
        dataset.graph(URIRef(name)).add((s, p, o))
    return _sorted_lines(dataset.serialize(format="nquads"))


def _trig(quads: Sequence[Quad]) -> str:
    """One Turtle block per graph, wrapped in `<graph> { }`, graphs in name order."""
    prefixes: set[str] = set()
    blocks: list[str] = []
    names = sorted({name for *_, name in quads})
    for name in names:
        graph = new_graph()
        for s, p, o, quad_graph in quads:
            if quad_graph == name:
                graph.add((s, p, o))
        body: list[str] = []
        for line in _turtle_text(graph).splitlines():
            if line.startswith("@prefix "):
                prefixes.add(line)
            elif body or line.strip():
                body.append(f"    {line}" if line.strip() else "")
        while body and not body[-1]:
            body.pop()
        blocks.append(f"<{name}> {{\n" + "\n".join(body) + "\n}\n")
    header = "\n".join(sorted(prefixes))
    return (header + "\n\n" if header else "") + "\n".join(blocks)


def _jsonld(quads: Sequence[Quad]) -> str:
    context = jsonld_context()
    graph = _union_graph(quads)
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    if isinstance(document, dict) and "@graph" not in document and len(document) > 1:
        # A single node comes back without @graph; keep one shape for every export.
        body = {key: value for key, value in document.items() if key != "@context"}
        document = {"@context": document.get("@context", context), "@graph": [body]}
    if isinstance(document, dict) and "@graph" not in document:
        document = {"@context": context, "@graph": []}
    return json.dumps(_sorted_json(document), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _sorted_json(node: Any, in_list: bool = False) -> Any:
    """Arrays are sets in JSON-LD (except @list), so sort them for stable bytes."""
    if isinstance(node, dict):
        return {key: _sorted_json(value, key == "@list") for key, value in node.items()}
    if isinstance(node, list):
        items = [_sorted_json(item) for item in node]
        if in_list:
            return items
        return sorted(items, key=_json_sort_key)
    return node


def _json_sort_key(item: Any) -> tuple[str, str]:
    # Nodes in the order of their IRIs, like the subjects of the Turtle export.
    if isinstance(item, dict):
        node_id = item.get("id", item.get("@id"))
        if isinstance(node_id, str):
            return (node_id, "")
    return ("\uffff", json.dumps(item, sort_keys=True, ensure_ascii=False))


def _rdfxml(quads: Sequence[Quad]) -> str:
    """Flat RDF/XML, one rdf:Description per subject in IRI order.

    rdflib's writer walks subjects in store order, which changes with
    PYTHONHASHSEED; this one sorts.
    """
    from xml.sax.saxutils import escape as xml_escape
    from xml.sax.saxutils import quoteattr

    triples = sorted({(s, p, o) for s, p, o, _ in quads}, key=_subject_first)
    names = new_graph().namespace_manager
    qnames: dict[Node, str] = {}
    namespaces: dict[str, str] = {"rdf": str(RDF)}
    for predicate in sorted({p for _, p, _ in triples}, key=str):
        try:
            prefix, namespace, local = names.compute_qname_strict(str(predicate))
        except ValueError as error:
            raise InputError(
                f"the predicate <{predicate}> cannot be written in RDF/XML (no XML name "
                "can end it); export as Turtle or N-Triples instead"
            ) from error
        qnames[predicate] = f"{prefix}:{local}"
        namespaces[prefix] = str(namespace)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f"   xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(namespaces.items())]
    lines[-1] += ">"
    current: Node | None = None
    for s, p, o in triples:
        if s != current:
            if current is not None:
                lines.append("  </rdf:Description>")
            about = (
                f"rdf:nodeID={quoteattr(str(s))}"
                if isinstance(s, BNode)
                else f"rdf:about={quoteattr(str(s))}"
            )
            lines.append(f"  <rdf:Description {about}>")
            current = s
        tag = qnames[p]
        if isinstance(o, Literal):
            attributes = ""
            if o.language:
                attributes += f" xml:lang={quoteattr(o.language)}"
            if o.datatype is not None:
                attributes += f" rdf:datatype={quoteattr(str(o.datatype))}"
            lines.append(f"    <{tag}{attributes}>{xml_escape(str(o))}</{tag}>")
        elif isinstance(o, BNode):
            lines.append(f"    <{tag} rdf:nodeID={quoteattr(str(o))}/>")
        else:
            lines.append(f"    <{tag} rdf:resource={quoteattr(str(o))}/>")
    if current is not None:
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"


def _subject_first(triple: Triple) -> tuple[bool, str, str, str]:
    s, p, o = triple
    return (isinstance(s, BNode), str(s), str(p), o.n3())


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "".join(line + "\n" for line in lines)


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


_WRITERS = {
    "turtle": _turtle,
    "ntriples": _ntriples,
    "nquads": _nquads,
    "trig": _trig,
    "jsonld": _jsonld,
    "rdfxml": _rdfxml,
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
