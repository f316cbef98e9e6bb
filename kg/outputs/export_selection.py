"""What an export covers: the named graphs chosen by source, date and ontology, the
triples around an entity, and the RDFS entailments that `--inferred` adds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.model.errors import UsageError
from kg.model.namespaces import GRAPH, expand, new_graph, shorten

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge

INFERRED_GRAPH = str(GRAPH["inferred"])

Quad = tuple[Node, Node, Node, str]


@dataclass(frozen=True)
class Selection:
    """The part of the knowledge to export: named graphs with their triples, sorted by name."""

    graphs: tuple[tuple[str, Graph], ...]
    # graph -> the file it was read from, as shown to the user
    files: tuple[tuple[str, str], ...] = ()

    @property
    def graph_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.graphs)

    def source_of(self, graph: str) -> str:
        """The file a graph was read from, for messages; else the graph's IRI."""
        return dict(self.files).get(graph, f"graph <{graph}>")

    def quads(self) -> list[Quad]:
        return [(s, p, o, name) for name, graph in self.graphs for s, p, o in graph]

    def union(self) -> Graph:
        result = new_graph()
        for _, graph in self.graphs:
            for triple in graph:
                result.add(triple)
        return result


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
    kept = [name for name in sorted(graphs) if len(graphs[name])]
    shown = {item.graph: item.display for item in knowledge.files}
    files = tuple((name, shown[name]) for name in kept if name in shown)
    return Selection(tuple((name, graphs[name]) for name in kept), files)


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
