"""How large a drawing of the whole knowledge is at least, counted in the store unread.

Reading the whole knowledge and drawing it takes seconds (12 s on the two bundled
seasons), only for a static picture of it to be refused as too large to read
(kg.outputs.viz.figures). `drawn_at_least` counts, with a few queries, nodes and
edges that `data_graph` surely draws, so that `kg viz` refuses such a picture first.

The count never exceeds the drawing, in either claim mode, of the whole knowledge or
of a view of some files; where a node is in doubt it is not counted:

- a node counted is an IRI that a file drawn names (as a subject, or as an object
  other than of rdf:type and rdf:predicate), in no vocabulary, and in *no* graph a
  value or a source (of a class under skos:Concept, ms:TimeSpec or
  ms:SourceDocument, or something stated in): what more graphs say can only take
  nodes away;
- and it is in no graph a claim (stated in nothing, of no class under ms:Claim),
  so an entity, always drawn; or it is in no graph a reified statement (no
  rdf:subject) and has three links, in one file drawn, to nodes as above: a claim
  is collapsed into an edge only when it has exactly two;
- an edge counted is a link, in a file drawn, between two nodes counted, other
  than a type, a part of a reified statement or provenance: each such link is
  drawn as an edge of its own (a predicate and two ends of their own make a key
  of their own).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.outputs.viz.around import QUERY_PREFIXES
from kg.outputs.viz.convert import drawn_data_graphs
from kg.outputs.viz.figures import MAX_PICTURE_EDGES, MAX_PICTURE_NODES, PictureTooLarge
from kg.outputs.viz.terms import PROVENANCE, STATEMENT_PARTS, is_vocabulary

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge
    from kg.stores.base import Store

_PREFIXES = QUERY_PREFIXES
# Fixed query texts, over every graph (what one graph says is enough to doubt a node).
_VALUES_AND_SOURCES = (
    _PREFIXES
    + """SELECT DISTINCT ?x WHERE {
  { ?stating ms:statedIn ?x }
  UNION {
    ?x a/rdfs:subClassOf* ?class
    VALUES ?class { skos:Concept ms:TimeSpec ms:SourceDocument }
  }
}"""
)
_CLAIMS = (
    _PREFIXES
    + """SELECT DISTINCT ?x WHERE {
  { ?x ms:statedIn ?source } UNION { ?x a/rdfs:subClassOf* ms:Claim }
}"""
)
_STATEMENTS = _PREFIXES + "SELECT DISTINCT ?x WHERE { ?x rdf:subject ?stated }"
# The links of one file drawn (?g is bound to it).
_LINKS = "SELECT ?x ?p ?o WHERE { GRAPH ?g { ?x ?p ?o } FILTER(isIRI(?x) && isIRI(?o)) }"

# Predicates whose objects are no nodes drawn (kg.outputs.viz.data_graph._kinds).
_NOT_NAMING = frozenset({RDF.type, RDF.predicate})
# Links neither counted towards a claim's links nor as edges.
_NOT_LINKS = frozenset({RDF.type}) | STATEMENT_PARTS | PROVENANCE


@dataclass(frozen=True)
class DrawnAtLeast:
    """At least this many nodes and edges are drawn."""

    nodes: int
    edges: int


@dataclass(frozen=True)
class _Doubts:
    """The nodes that some graph makes a value or a source, a claim, a reified statement."""

    values_and_sources: frozenset[URIRef]
    claims: frozenset[URIRef]
    statements: frozenset[URIRef]

    def node(self, term: object) -> TypeGuard[URIRef]:
        """Whether `term`, named by a file drawn, is surely drawable (an entity or a claim)."""
        return (
            isinstance(term, URIRef)
            and term not in self.values_and_sources
            and not is_vocabulary(str(term))
        )

    def entity(self, term: object) -> TypeGuard[URIRef]:
        return self.node(term) and term not in self.claims


def drawn_at_least(knowledge: Knowledge, *, graphs: Sequence[str] | None = None) -> DrawnAtLeast:
    """At least how many nodes and edges `to_networkx` draws of the knowledge (or of the
    view `graphs`) with no entity, class or predicate chosen, in either claim mode.

    Counted in the store, without reading the graph (see the module's docstring)."""
    store = knowledge.store
    doubts = _Doubts(
        values_and_sources=_column(store, _VALUES_AND_SOURCES),
        claims=_column(store, _CLAIMS),
        statements=_column(store, _STATEMENTS),
    )
    drawn: set[URIRef] = set()
    links: set[tuple[URIRef, URIRef, URIRef]] = set()
    for name in drawn_data_graphs(knowledge, graphs):
        _read_file(store, URIRef(name), doubts, drawn, links)
    edges = sum(1 for tail, _, head in links if tail in drawn and head in drawn)
    return DrawnAtLeast(nodes=len(drawn), edges=edges)


def check_whole_picture_size(
    knowledge: Knowledge, image_format: str, *, graphs: Sequence[str] | None = None
) -> None:
    """Raise PictureTooLarge (a UsageError, exit 2) when a static picture of the whole
    knowledge (or of the view `graphs`) surely has too many nodes or edges to draw,
    before the graph is read. A picture it lets through may still be refused once drawn."""
    least = drawn_at_least(knowledge, graphs=graphs)
    if least.nodes > MAX_PICTURE_NODES or least.edges > MAX_PICTURE_EDGES:
        raise PictureTooLarge(least.nodes, least.edges, image_format, at_least=True)


def _read_file(
    store: Store,
    name: URIRef,
    doubts: _Doubts,
    drawn: set[URIRef],
    links: set[tuple[URIRef, URIRef, URIRef]],
) -> None:
    """Add the nodes of the graph `name` surely drawn to `drawn`, its links to `links`."""
    # Links of each node in this graph: each row is another (predicate, object), since
    # a graph is a set; a claim has at least these links in any union of graphs.
    linked: Counter[URIRef] = Counter()
    for tail, predicate, head in store.query(_LINKS, {"g": name}).rows:
        if not (isinstance(tail, URIRef) and isinstance(predicate, URIRef)):
            continue
        named = (tail,) if predicate in _NOT_NAMING else (tail, head)
        drawn.update(node for node in named if doubts.entity(node))
        if predicate not in _NOT_LINKS and doubts.node(tail) and doubts.node(head):
            links.add((tail, predicate, head))
            linked[tail] += 1
    drawn.update(
        node for node, count in linked.items() if count >= 3 and node not in doubts.statements
    )


def _column(store: Store, query: str) -> frozenset[URIRef]:
    return frozenset(row[0] for row in store.query(query).rows if isinstance(row[0], URIRef))
