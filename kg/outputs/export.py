"""Export the knowledge, or a part of it, as stable RDF in six formats.

Stable means the same bytes on every run and every PYTHONHASHSEED: blank
nodes get names derived from their content, lines and subjects are sorted,
and only the project's prefixes are used. A change to one fact is then a
small diff in git.

Named graphs (one per source file) survive in TriG and N-Quads; the other
formats get the union of the selected graphs, and `Export.merged` says so.
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
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.model.errors import InputError, UsageError
from kg.model.fileio import write_atomically
from kg.model.files import display_path
from kg.model.namespaces import GRAPH, bind_all, expand, new_graph, shorten

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge

INFERRED_GRAPH = str(GRAPH["inferred"])
CONTEXT_FILE = Path(__file__).resolve().parent / "contexts" / "motorsport.jsonld"

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, str]


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
class Selection:
    """The part of the knowledge to export: named graphs with their triples, sorted by name."""

    graphs: tuple[tuple[str, Graph], ...]

    @property
    def graph_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.graphs)

    def quads(self) -> list[Quad]:
        return [(s, p, o, name) for name, graph in self.graphs for s, p, o in graph]

    def union(self) -> Graph:
        result = new_graph()
        for _, graph in self.graphs:
            for triple in graph:
                result.add(triple)
        return result


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


# --- choosing what to export ---------------------------------------------------


def select_graphs(
    knowledge: Knowledge,
    sources: Sequence[str] = (),
    with_ontology: bool = False,
    as_of: date | None = None,
) -> list[str]:
    """The named graphs an export covers, in order: the ontology's (with
    `with_ontology`), then the data's, narrowed to `sources` and to the sources
    published by `as_of`."""
    names = list(knowledge.data_graphs)
    if as_of is not None:
        from kg.knowledge.asof import visible_graphs

        visible = set(visible_graphs(knowledge, as_of))
        names = [name for name in names if name in visible]
    if sources:
        chosen = {resolve_source(knowledge, source) for source in sources}
        names = [name for name in names if name in chosen]
        if not names:
            raise UsageError(
                f"no source among {', '.join(sources)} was published by {as_of.isoformat()}"
                if as_of is not None
                else "the sources given select no data"
            )
    if with_ontology:
        names = [*knowledge.ontology_graphs, *names]
    return names


def select(
    knowledge: Knowledge,
    sources: Sequence[str] = (),
    entity: str | None = None,
    depth: int = 1,
    with_ontology: bool = False,
    inferred: bool = False,
    as_of: date | None = None,
) -> Selection:
    """The named graphs (or the part of them around `entity`) that an export writes.

    `sources`, `as_of` and `with_ontology` choose the graphs (see select_graphs);
    `entity` and `depth` narrow them to the triples within `depth` hops of the
    entity (in either direction); `inferred` adds the RDFS entailments that are
    new, in their own graph.
    """
    if depth < 1:
        raise UsageError(f"--depth must be 1 or more, not {depth}")
    names = select_graphs(knowledge, sources, with_ontology, as_of)
    graphs = {name: knowledge.store.graph(name) for name in names}
    if entity is not None:
        from kg.answers.lookup import resolve_one

        # Labels live in the registry, which a --source selection may leave out.
        focus = resolve_one(knowledge.store, entity)
        graphs = _around(graphs, focus, depth)
        if not any(len(graph) for graph in graphs.values()):
            raise UsageError(
                f"{shorten(str(focus))} has no triples in the selected graphs; "
                "drop --source or --as-of, or choose another entity"
            )
    if inferred:
        graphs[INFERRED_GRAPH] = _inferred(knowledge, graphs)
    return Selection(tuple((name, graphs[name]) for name in sorted(graphs) if len(graphs[name])))


def resolve_source(knowledge: Knowledge, text: str) -> str:
    """The data graph of a source given as a file path, a file stem, or the document's IRI."""
    stripped = text.strip()
    for item in knowledge.files:
        if item.kind != "data":
            continue
        candidates = {item.display, item.path.stem, item.path.name, str(item.path)}
        if stripped in candidates or _same_file(stripped, item.path):
            return item.graph
    iri = _as_iri(stripped)
    if iri is not None:
        graphs = _graphs_describing(knowledge, URIRef(iri))
        if len(graphs) == 1:
            return graphs[0]
        if len(graphs) > 1:
            raise UsageError(
                f"{text!r} is described in several files "
                f"({', '.join(_file_name(knowledge, g) for g in graphs)}); "
                "give the file path instead"
            )
    import difflib

    stems = sorted(item.path.stem for item in knowledge.files if item.kind == "data")
    close = difflib.get_close_matches(stripped, stems, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UsageError(
        f"no source is named {text!r}: give a source document's IRI (msr:article-...), "
        f"or a data file's path or stem.{hint}"
    )


_DESCRIBING_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?g ?cited ?doc WHERE {
  GRAPH ?g { ?doc a ?type . }
  OPTIONAL { GRAPH ?g { ?claim ms:statedIn ?doc . } BIND(true AS ?cited) }
}
"""


def _graphs_describing(knowledge: Knowledge, document: URIRef) -> list[str]:
    result = knowledge.store.query(
        _DESCRIBING_QUERY, bindings={"doc": document}, graphs=knowledge.data_graphs
    )
    typed = sorted({str(row[0]) for row in result.rows if row[0] is not None})
    cited = sorted({str(row[0]) for row in result.rows if row[0] is not None and row[1]})
    # The registry (entities.ttl) may type a document too; its own file is the one citing it.
    return cited if len(cited) == 1 else typed


def _file_name(knowledge: Knowledge, graph: str) -> str:
    item = knowledge.file_of(graph)
    return item.display if item is not None else graph


def _same_file(text: str, path: Path) -> bool:
    candidate = Path(text)
    return candidate.exists() and candidate.resolve() == path.resolve()


def _as_iri(text: str) -> str | None:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if "://" in text:
        return text
    return expand(text)


def _around(graphs: dict[str, Graph], focus: URIRef, depth: int) -> dict[str, Graph]:
    """The triples within `depth` hops of `focus`; blank-node structures are kept whole.

    Classes reached through rdf:type are not walked on: every instance of a
    class is not "near" an entity.
    """
    quads = [(s, p, o, name) for name, graph in graphs.items() for s, p, o in graph]
    touching: dict[Node, list[int]] = {}
    for index, (s, p, o, _) in enumerate(quads):
        touching.setdefault(s, []).append(index)
        if p != RDF.type:
            touching.setdefault(o, []).append(index)
    kept: set[int] = set()
    seen: set[Node] = {focus}
    frontier: list[Node] = [focus]
    hops = 0
    while frontier:
        next_frontier: list[Node] = []
        for node in frontier:
            for index in touching.get(node, []):
                if index in kept:
                    continue
                kept.add(index)
                s, _, o, _ = quads[index]
                for other in (s, o):
                    if other in seen or isinstance(other, Literal):
                        continue
                    seen.add(other)
                    next_frontier.append(other)
        hops += 1
        if hops >= depth:
            # Past the last hop only blank nodes are followed, so that no
            # structure is cut in half.
            frontier = [n for n in next_frontier if isinstance(n, BNode)]
        else:
            frontier = next_frontier
    result = {name: new_graph(identifier=name) for name in graphs}
    for index in kept:
        s, p, o, name = quads[index]
        result[name].add((s, p, o))
    return result


def _inferred(knowledge: Knowledge, graphs: dict[str, Graph]) -> Graph:
    """RDFS entailments of the selection plus the ontology that are not already stated."""
    import owlrl

    asserted = new_graph()
    for graph in graphs.values():
        for triple in graph:
            asserted.add(triple)
    subjects = set(asserted.subjects())
    closure = new_graph()
    for triple in asserted:
        closure.add(triple)
    for triple in knowledge.ontology():
        closure.add(triple)
    stated = set(closure)
    owlrl.DeductiveClosure(
        owlrl.RDFS_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    result = new_graph(identifier=INFERRED_GRAPH)
    for s, p, o in closure:
        if (s, p, o) in stated or s not in subjects or _trivial(p, o):
            continue
        result.add((s, p, o))
    return result


def _trivial(predicate: Node, value: Node) -> bool:
    """Entailments true of everything (x a rdfs:Resource), which only add noise."""
    return predicate == RDF.type and value in (RDFS.Resource, RDFS.Class, RDF.Property)


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
    "resolve_source",
    "select",
    "serialize",
    "write_export",
]
