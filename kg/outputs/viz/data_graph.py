"""The knowledge as drawn: entities and claims as nodes, links and collapsed claims as edges."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from kg.model.namespaces import MS, MSV, shorten
from kg.outputs.viz.cuts import neighbourhood
from kg.outputs.viz.facts import ClaimWords, Source, facts_of_node, source
from kg.outputs.viz.naming import made_label
from kg.outputs.viz.terms import (
    PROVENANCE,
    STATEMENT_PARTS,
    TAIL_PREDICATES,
    ClaimMode,
    Terms,
    is_vocabulary,
    readable,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    import networkx as nx

# An edge before it is drawn: sort key, tail, head, predicate, label, the claim stating it.
_Edge = tuple[str, URIRef, URIRef, URIRef, str, URIRef | None]


def data_graph(
    terms: Terms, claims: ClaimMode, around: tuple[str, int] | None = None
) -> nx.MultiDiGraph:
    """The data graph drawn: each node's kind decides whether it is drawn, a claim
    between two entities collapses into an edge (with `claims` "collapse"), and
    facts are read for the nodes within `around` (centre, depth), else for all."""
    import networkx as nx

    kinds, types_of = _kinds(terms)
    statements = _statements(terms.data, kinds)
    collapsed = _collapsed(terms.data, kinds, claims)
    drawing = _Drawing(terms, claims, kinds, types_of, statements, collapsed)

    graph = nx.MultiDiGraph()
    ancestors = _add_nodes(graph, drawing)
    edges = [*_link_edges(drawing), *_collapsed_edges(drawing), *_statement_edges(drawing)]
    for _, tail, head, predicate, label, claim in sorted(edges, key=lambda e: e[0]):
        _add_edge(graph, drawing, tail, head, predicate, label, claim)

    wanted: set[str] | None = None
    if around is not None and around[0] in graph:
        wanted = set(neighbourhood(graph, around[0], around[1]))
    facts = {
        str(node): facts_of_node(
            terms, node, kinds, statements, drawing.sources_of, drawing.claims_told
        )
        for node in sorted(kinds)
        if drawing.drawn(node) and (wanted is None or str(node) in wanted)
    }
    graph.graph["_facts"] = facts
    graph.graph["_ancestors"] = ancestors
    return graph


@dataclass(frozen=True)
class _Drawing:
    """What the steps of one data graph share: each node's kind ("entity", "claim",
    "source") and types, the reified statements by the triple they state, the claims
    drawn as edges (claim -> tail, head), and the sources read so far."""

    terms: Terms
    claims: ClaimMode
    kinds: dict[URIRef, str]
    types_of: dict[URIRef, list[URIRef]]
    statements: dict[tuple[Node, Node, Node], list[URIRef]]
    collapsed: dict[URIRef, tuple[URIRef, URIRef]]
    source_cache: dict[URIRef, Source] = field(default_factory=dict)
    # Each claim's sources, and each claim as the nodes it names tell it, once per
    # drawing (a result names some ten nodes, and each of its edges shows its sources).
    sources_cache: dict[URIRef, tuple[Source, ...]] = field(default_factory=dict)
    claims_told: dict[URIRef, ClaimWords] = field(default_factory=dict)

    def drawn(self, node: URIRef) -> bool:
        if node not in self.kinds or node in self.collapsed:
            return False
        return self.kinds[node] != "source" or self.claims == "show"

    def source(self, iri: URIRef) -> Source:
        if iri not in self.source_cache:
            self.source_cache[iri] = source(self.terms, iri)
        return self.source_cache[iri]

    def sources_of(self, claim: URIRef) -> tuple[Source, ...]:
        if claim not in self.sources_cache:
            self.sources_cache[claim] = tuple(
                self.source(s)
                for s in sorted(
                    o for o in self.terms.data.objects(claim, MS.statedIn) if isinstance(o, URIRef)
                )
            )
        return self.sources_cache[claim]


def _kinds(terms: Terms) -> tuple[dict[URIRef, str], dict[URIRef, list[URIRef]]]:
    """The kind of every node that may be drawn (values and vocabulary are not), and its types."""
    data = terms.data
    claim_class = MS.Claim
    source_class = MS.SourceDocument
    value_classes = {SKOS.Concept, MS.TimeSpec}

    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    objects = {
        o
        for p, o in data.predicate_objects()
        if isinstance(o, URIRef) and p not in (RDF.type, RDF.predicate)
    }
    sources = {o for o in data.objects(None, MS.statedIn) if isinstance(o, URIRef)}
    kinds: dict[URIRef, str] = {}
    types_of: dict[URIRef, list[URIRef]] = {}
    for node in sorted(subjects | objects):
        if is_vocabulary(str(node)):
            continue
        types = terms.types(node)
        closure = terms.closure(types)
        if closure & value_classes:
            continue
        types_of[node] = types
        if source_class in closure or node in sources:
            kinds[node] = "source"
        elif claim_class in closure or (node, MS.statedIn, None) in data:
            kinds[node] = "claim"
        else:
            kinds[node] = "entity"
    return kinds, types_of


def _statements(
    data: Graph, kinds: Mapping[URIRef, str]
) -> dict[tuple[Node, Node, Node], list[URIRef]]:
    """The reified statements among the claims, by the triple each states."""
    statements: dict[tuple[Node, Node, Node], list[URIRef]] = defaultdict(list)
    for node, kind in kinds.items():
        if kind != "claim":
            continue
        s, p, o = data.value(node, RDF.subject), data.value(node, RDF.predicate), None
        o = data.value(node, RDF.object)
        if s is not None and p is not None and o is not None:
            statements[(s, p, o)].append(node)
    return statements


def _is_statement(data: Graph, node: URIRef) -> bool:
    return (node, RDF.subject, None) in data and (node, RDF.predicate, None) in data


def _links(data: Graph, kinds: Mapping[URIRef, str], claim: URIRef) -> list[tuple[URIRef, URIRef]]:
    """A claim's links to the nodes that may be drawn, other than provenance and sources."""
    found = []
    for p, o in data.predicate_objects(claim):
        if isinstance(o, URIRef) and isinstance(p, URIRef) and o in kinds:
            if p in PROVENANCE or p == RDF.type or kinds[o] == "source":
                continue
            found.append((p, o))
    return sorted(found)


def _collapsed(
    data: Graph, kinds: Mapping[URIRef, str], claims: ClaimMode
) -> dict[URIRef, tuple[URIRef, URIRef]]:
    """The claims drawn as an edge (claim -> tail, head): with `claims` "collapse", each
    statement (drawn as its triple's edge) and each claim between two entities."""
    collapsed: dict[URIRef, tuple[URIRef, URIRef]] = {}
    if claims == "collapse":
        for node, kind in kinds.items():
            if kind != "claim":
                continue
            if _is_statement(data, node):
                collapsed[node] = (node, node)  # drawn as the asserted triple's edge
                continue
            claim_links = _links(data, kinds, node)
            if len(claim_links) == 2 and all(kinds[o] != "claim" for _, o in claim_links):
                order = {p: i for i, p in enumerate(TAIL_PREDICATES)}
                ranked = sorted(claim_links, key=lambda link: (order.get(link[0], 99), link))
                collapsed[node] = (ranked[0][1], ranked[1][1])
    return collapsed


def _add_nodes(graph: nx.MultiDiGraph, drawing: _Drawing) -> dict[str, frozenset[str]]:
    """Add the drawn nodes with their labels and types; returns each one's class closure."""
    terms, kinds = drawing.terms, drawing.kinds
    ancestors: dict[str, frozenset[str]] = {}
    for node in sorted(kinds):
        if not drawing.drawn(node):
            continue
        types = drawing.types_of[node]
        main = terms.most_specific(types)
        type_label = terms.class_label(main) if main is not None else "(no type)"
        label = terms.label(node)
        if label == readable(str(node)) and main is not None:
            # No label of its own: named from its type and key values, never by its IRI.
            label = made_label(terms, node, type_label, _links(terms.data, kinds, node))
            terms.name(node, label)
        graph.add_node(
            str(node),
            iri=str(node),
            short=shorten(str(node)),
            label=label,
            aliases=" | ".join(terms.aliases(node, label)),
            type=type_label,
            type_iri=str(main) if main is not None else "",
            types=" ".join(str(t) for t in types),
            kind=kinds[node],
            group=type_label,
        )
        ancestors[str(node)] = frozenset(str(c) for c in terms.closure(types))
    return ancestors


def _add_edge(
    graph: nx.MultiDiGraph,
    drawing: _Drawing,
    tail: URIRef,
    head: URIRef,
    predicate: URIRef,
    label: str,
    claim: URIRef | None,
) -> None:
    key = shorten(str(predicate)) + (f" {shorten(str(claim))}" if claim is not None else "")
    titles = " | ".join(s.title for s in drawing.sources_of(claim)) if claim is not None else ""
    graph.add_edge(
        str(tail),
        str(head),
        key=key,
        predicate=str(predicate),
        label=label,
        claim=str(claim) if claim is not None else "",
        sources=titles,
    )


def _link_edges(drawing: _Drawing) -> list[_Edge]:
    """The links between drawn nodes, each with the claim (if one) that states it."""
    terms, kinds, claims, drawn = drawing.terms, drawing.kinds, drawing.claims, drawing.drawn
    edges: list[_Edge] = []
    for s, p, o in terms.data:
        if not (isinstance(s, URIRef) and isinstance(p, URIRef) and isinstance(o, URIRef)):
            continue
        if p == RDF.type or p in STATEMENT_PARTS or not (drawn(s) and drawn(o)):
            continue
        if kinds[s] == "claim" and p in PROVENANCE and p != MS.statedIn:
            continue  # attributedTo: shown among the facts, not as a link
        covering = drawing.statements.get((s, p, o), [])
        label = terms.label(p)
        if kinds[s] == "claim":
            # A link of a claim node: the claim itself is what states it.
            edges.append((_key(s, o, p, s), s, o, p, label, s))
        elif claims == "collapse" and covering:
            for statement in covering:
                edges.append((_key(s, o, p, statement), s, o, p, label, statement))
        else:
            claim = covering[0] if len(covering) == 1 else None
            edges.append((_key(s, o, p, claim), s, o, p, label, claim))
    return edges


def _collapsed_edges(drawing: _Drawing) -> list[_Edge]:
    """One edge for each claim collapsed between two entities, labelled by its class."""
    terms = drawing.terms
    edges: list[_Edge] = []
    for claim, (tail, head) in drawing.collapsed.items():
        if tail == claim:
            continue  # a statement: its asserted triple is the edge
        claim_type = terms.most_specific(drawing.types_of[claim]) or MS.Claim
        edges.append(
            (
                _key(tail, head, claim_type, claim),
                tail,
                head,
                claim_type,
                _collapsed_label(terms, claim, claim_type),
                claim,
            )
        )
    return edges


def _statement_edges(drawing: _Drawing) -> list[_Edge]:
    """With claims shown, the links of each statement to its subject and object."""
    terms, drawn, data = drawing.terms, drawing.drawn, drawing.terms.data
    edges: list[_Edge] = []
    if drawing.claims == "show":
        for statement in sorted({c for cs in drawing.statements.values() for c in cs}):
            for part in (RDF.subject, RDF.object):
                target = data.value(statement, part)
                if isinstance(target, URIRef) and drawn(target) and drawn(statement):
                    edges.append(
                        (
                            _key(statement, target, part, None),
                            statement,
                            target,
                            part,
                            terms.label(part),
                            None,
                        )
                    )
    return edges


def _key(tail: Node, head: Node, predicate: Node, claim: Node | None) -> str:
    return "\x00".join((str(tail), str(head), str(predicate), str(claim or "")))


def _collapsed_label(terms: Terms, claim: URIRef, claim_type: URIRef) -> str:
    """The claim's class with its controlled values: "role: motorsport director"."""
    values = sorted(
        terms.label(o)
        for p, o in terms.data.predicate_objects(claim)
        if isinstance(o, URIRef) and str(o).startswith(str(MSV)) and p != RDF.type
    )
    name = terms.class_label(claim_type)
    return f"{name}: {', '.join(values)}" if values else name
