"""The knowledge, or the ontology, as a networkx MultiDiGraph: `to_networkx` and its filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.answers.lookup import resolve_one
from kg.model.errors import UsageError
from kg.model.namespaces import shorten
from kg.outputs.viz import around
from kg.outputs.viz.cuts import keep_predicates, neighbourhood, subgraph
from kg.outputs.viz.data_graph import data_graph
from kg.outputs.viz.facts import Fact, in_language, value_text
from kg.outputs.viz.terms import CLAIM_MODES, ClaimMode, Terms
from kg.stores.memory import MemoryStore

if TYPE_CHECKING:
    import networkx as nx

    from kg.knowledge.project import Knowledge


def to_networkx(
    knowledge: Knowledge,
    *,
    graphs: Sequence[str] | None = None,
    entity: str | None = None,
    depth: int = 2,
    classes: Sequence[str] = (),
    predicates: Sequence[str] = (),
    lang: str = "en",
    claims: ClaimMode = "collapse",
    schema: bool = False,
) -> nx.MultiDiGraph:
    """The knowledge (or with `schema`, the ontology) as a MultiDiGraph keyed by IRI.

    `graphs` limits the data to those named graphs (an as-of view); ontology
    and shapes graphs in it are ignored, the ontology is always read.
    `entity` with `depth` keeps a neighbourhood (links followed both ways);
    `classes` keeps nodes of those classes or their subclasses; `predicates`
    keeps edges with those predicates and the nodes they join.
    """
    if claims not in CLAIM_MODES:
        raise UsageError(f"unknown claims mode {claims!r}: use one of {', '.join(CLAIM_MODES)}")
    if depth < 0:
        raise UsageError(f"depth {depth} is negative: give 0 or more hops")
    data_graph_names = drawn_data_graphs(knowledge, graphs)
    schema_graph = knowledge.ontology()
    lookup_graphs = None if schema else [*knowledge.ontology_graphs, *data_graph_names]
    centre = (
        str(resolve_one(knowledge.store, entity, graphs=lookup_graphs))
        if entity is not None
        else None
    )
    if schema:
        data = Graph()
    elif centre is not None and not isinstance(knowledge.store, MemoryStore):
        # In memory the whole graph is at hand already; elsewhere copying it is the cost.
        data = around.data_around(knowledge, data_graph_names, URIRef(centre), depth, claims)
    else:
        data = knowledge.store.union(data_graph_names)
    terms = Terms(schema_graph, data, lang)
    if schema:
        graph = _schema_graph(terms)
    else:
        # Facts are read only for the nodes a neighbourhood keeps (the costly part).
        graph = data_graph(terms, claims, (centre, depth) if centre is not None else None)
    graph.graph.update(
        {"kind": "schema" if schema else "data", "lang": lang, "claims": claims, "centre": ""}
    )
    if centre is not None:
        if centre not in graph:
            what = "classes" if schema else "entities, and claims that are not collapsed"
            raise UsageError(
                f"{entity!r} ({shorten(centre)}) is not drawn as a node here (nodes are {what}); "
                "name one of those with --entity"
            )
        graph = subgraph(graph, neighbourhood(graph, centre, depth))
        graph.graph["centre"] = centre
    if classes:
        wanted = {str(_resolve_term(knowledge, text, "--class")) for text in classes}
        ancestors = graph.graph["_ancestors"]
        keep = [
            node
            for node in graph
            if ancestors.get(node, frozenset()) & wanted or node == graph.graph["centre"]
        ]
        graph = subgraph(graph, keep)
    if predicates:
        wanted_predicates = {
            str(_resolve_term(knowledge, text, "--predicate")) for text in predicates
        }
        keep_predicates(graph, wanted_predicates)
    return graph


def drawn_data_graphs(knowledge: Knowledge, graphs: Sequence[str] | None) -> list[str]:
    """The data graphs drawn: all of them, or those of the view `graphs` (no ontology
    or shapes graph, which are read as the schema)."""
    if graphs is None:
        return list(knowledge.data_graphs)
    schema_graphs = set(knowledge.ontology_graphs) | set(knowledge.shapes_graphs)
    return [name for name in graphs if name not in schema_graphs]


def _resolve_term(knowledge: Knowledge, text: str, option: str) -> URIRef:
    try:
        return resolve_one(knowledge.store, text)
    except UsageError as error:
        raise UsageError(f"{option}: {error.message}") from error


def _schema_graph(terms: Terms) -> nx.MultiDiGraph:
    import networkx as nx

    schema = terms.schema
    classes = {
        c
        for t in (OWL.Class, RDFS.Class)
        for c in schema.subjects(RDF.type, t)
        if isinstance(c, URIRef)
    }
    edges: list[tuple[URIRef, URIRef, URIRef, str]] = []
    for child, parent in schema.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef) and child in classes:
            edges.append((child, parent, RDFS.subClassOf, terms.label(RDFS.subClassOf)))
    for prop in schema.subjects(RDF.type, OWL.ObjectProperty):
        if not isinstance(prop, URIRef):
            continue
        domains = [d for d in schema.objects(prop, RDFS.domain) if isinstance(d, URIRef)]
        ranges = [r for r in schema.objects(prop, RDFS.range) if isinstance(r, URIRef)]
        for domain in domains:
            for range_ in ranges:
                edges.append((domain, range_, prop, terms.label(prop)))
    graph = nx.MultiDiGraph()
    nodes = sorted(classes | {e[0] for e in edges} | {e[1] for e in edges})
    ancestors: dict[str, frozenset[str]] = {}
    for node in nodes:
        short = shorten(str(node))
        prefix = short.split(":", 1)[0] if not short.startswith("<") else "other"
        label = terms.label(node)
        graph.add_node(
            str(node),
            iri=str(node),
            short=short,
            label=label,
            aliases=" | ".join([short, *terms.aliases(node, label)]),
            type="class" if node in classes else "external class",
            type_iri=str(OWL.Class),
            types=str(OWL.Class),
            kind="class",
            group=prefix,
        )
        ancestors[str(node)] = frozenset(str(c) for c in terms.ancestors(node))
    for tail, head, predicate, label in sorted(edges, key=lambda e: tuple(map(str, e))):
        graph.add_edge(
            str(tail),
            str(head),
            key=shorten(str(predicate)),
            predicate=str(predicate),
            label=label,
            claim="",
            sources="",
        )
    facts: dict[str, tuple[Fact, ...]] = {}
    for node in nodes:
        rows = set()
        for p, o in in_language(schema.predicate_objects(node), terms.lang):
            if p == RDF.type:
                continue
            rows.add(Fact(terms.label(p), value_text(terms, o), "", ()))
        facts[str(node)] = tuple(sorted(rows, key=lambda f: (f.property, f.value)))
    graph.graph["_facts"] = facts
    graph.graph["_ancestors"] = ancestors
    return graph
