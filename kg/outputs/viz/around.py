"""The scoped walk: only the data a neighbourhood around an entity needs, read from the store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from kg.outputs.viz.terms import PROVENANCE, ClaimMode, is_vocabulary

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge
    from kg.stores.base import Store

# Reading only the data a neighbourhood needs (see data_around).
_BATCH = 500
# Fixed query texts; the nodes of a batch are bound to ?x by kg.stores.values.inject_rows.
QUERY_PREFIXES = """PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# The links of ?x both ways (rdf:type and rdf:predicate are never drawn).
_NEIGHBOURS = (
    QUERY_PREFIXES
    + """SELECT DISTINCT ?x ?p ?n WHERE {
  { ?x ?p ?n } UNION { ?n ?p ?x }
  FILTER(isIRI(?n) && ?p NOT IN (rdf:type, rdf:predicate))
}"""
)
# Whether ?x is a claim: stated in a source, or of a claim class (one test, used for
# ?x, ?o and ?c below).
_IS_CLAIM = "(EXISTS { ?x ms:statedIn ?source } || EXISTS { ?x a/rdfs:subClassOf* ms:Claim })"
_CLAIMS = QUERY_PREFIXES + "SELECT ?x ?claim WHERE { BIND(" + _IS_CLAIM + " AS ?claim) }"
# A claim's links, with their graph; ?other: the target is surely not drawn as an
# entity (a value or a source); ?claim: the target is a claim.
_LINKS = (
    QUERY_PREFIXES
    + """SELECT ?x ?p ?o ?g ?other ?claim WHERE {
  GRAPH ?g { ?x ?p ?o }
  FILTER(isIRI(?o) && ?p NOT IN (rdf:type, rdf:predicate))
  BIND(EXISTS { ?o a/rdfs:subClassOf* skos:Concept } || EXISTS { ?o a/rdfs:subClassOf* ms:TimeSpec }
       || EXISTS { ?o a/rdfs:subClassOf* ms:SourceDocument } || EXISTS { ?stating ms:statedIn ?o }
       AS ?other)
  BIND("""
    + _IS_CLAIM.replace("?x", "?o")
    + """ AS ?claim)
}"""
)
# The claims that name ?x (other than as their source).
_CLAIMS_ABOUT = (
    QUERY_PREFIXES
    + """SELECT DISTINCT ?c WHERE {
  ?c ?p ?x .
  FILTER(isIRI(?c) && ?p NOT IN (rdf:type, rdf:predicate, ms:statedIn))
  FILTER"""
    + _IS_CLAIM.replace("?x", "?c")
    + """
}"""
)
_DESCRIBE = """SELECT ?g ?x ?p ?o ?q ?v WHERE {
  GRAPH ?g { ?x ?p ?o OPTIONAL { ?o ?q ?v FILTER(isBlank(?o)) } }
}"""


@dataclass(frozen=True)
class _Walk:
    """What the steps of one walk share: the store, the graphs drawn, and the claim mode."""

    store: Store
    wanted: frozenset[str]
    # Whether the graphs drawn are the whole knowledge (not a view of some files).
    whole: bool
    claims: ClaimMode

    def rows(self, query: str, nodes: Sequence[URIRef]) -> Iterator[tuple[Node | None, ...]]:
        """The rows of `query` with ?x bound to each of `nodes`, a batch at a time."""
        from kg.stores.values import inject_rows

        for start in range(0, len(nodes), _BATCH):
            yield from self.store.query(inject_rows(query, "x", nodes[start : start + _BATCH])).rows


def data_around(
    knowledge: Knowledge, graphs: Sequence[str], centre: URIRef, depth: int, claims: ClaimMode
) -> Graph:
    """Only the data a neighbourhood of `depth` around `centre` can read, from the store.

    Converting a whole big graph to rdflib to keep a dozen nodes takes minutes.
    The walk counts links in half hops, so that it never underestimates how many
    drawn hops away a node is: a link costs one hop, or half a hop where one end
    is a claim that may be drawn collapsed (a claim between two entities is one
    hop for two links). A claim is certainly drawn as a node of its own (not
    collapsed) when it links to another claim or to three or more entities; only
    links it surely has are counted, so a claim in doubt counts as collapsible.
    No walk passes through rdf:type, rdf:predicate or a vocabulary term, which are
    never drawn, nor, when claims collapse, through the provenance links to
    sources, which are then not drawn either. Every node within `depth` drawn hops
    is among the nodes the walk reaches within `depth` hops; to those come the
    claims that name them (their facts, and the collapsed claims between them).
    Their triples are read, and those of what they point at, two steps on (labels,
    sources, time specs). The drawing is the same as from the whole graph; tests
    compare the two on entities of the bundled and of synthetic data.
    """
    wanted = frozenset(graphs)
    walk = _Walk(knowledge.store, wanted, wanted >= set(knowledge.data_graphs), claims)
    cost = _hops(walk, centre, depth)
    seen = set(cost)
    about = walk.rows(_CLAIMS_ABOUT, sorted(cost))
    seen.update(claim for (claim,) in about if isinstance(claim, URIRef))
    return _described(walk, sorted(seen))


def _hops(walk: _Walk, centre: URIRef, depth: int) -> dict[URIRef, int]:
    """The half hops from `centre` to each node the walk reaches within `depth` hops."""
    # When claims collapse, sources are not drawn: no walk through provenance links.
    skipped = PROVENANCE if walk.claims == "collapse" else frozenset()
    # Half hops a link costs from or to each node (see _classify).
    step: dict[URIRef, int] = {}
    budget = 2 * depth
    cost = {centre: 0}
    _classify(walk, [centre], step)
    for spent in range(budget):
        frontier = sorted(node for node, c in cost.items() if c == spent)
        pairs = [
            (x, n)
            for x, p, n in walk.rows(_NEIGHBOURS, frontier)
            if isinstance(x, URIRef)
            and isinstance(n, URIRef)
            and p not in skipped
            and not is_vocabulary(str(n))
        ]
        _classify(walk, sorted({n for _, n in pairs} - step.keys()), step)
        for tail, head in pairs:
            reached = spent + min(step[tail], step[head])
            if reached < cost.get(head, budget + 1):
                cost[head] = reached
    return cost


def _classify(walk: _Walk, nodes: Sequence[URIRef], step: dict[URIRef, int]) -> None:
    """Record in `step` the half hops a link costs from or to each of `nodes`: 1 for a
    claim that may be drawn collapsed, else 2 (always 2 when claims are drawn as nodes)."""
    step.update((node, 2) for node in nodes)
    if walk.claims != "collapse":
        return
    maybe = [
        node
        for node, is_claim in walk.rows(_CLAIMS, nodes)
        if isinstance(node, URIRef) and _true(is_claim)
    ]
    links: dict[URIRef, set[tuple[str, str]]] = {node: set() for node in maybe}
    to_claim: set[URIRef] = set()
    for node, p, o, g, other, is_claim in walk.rows(_LINKS, maybe):
        if not isinstance(node, URIRef) or str(g) not in walk.wanted or p in PROVENANCE:
            continue  # not drawn here, or provenance
        if _true(other) or is_vocabulary(str(o)):
            continue  # a value, a source, a vocabulary term, or in doubt: not counted
        links[node].add((str(p), str(o)))
        # A claim elsewhere may be none in a view: trusted for the whole graph only.
        if _true(is_claim) and walk.whole:
            to_claim.add(node)
    for node in maybe:
        if node not in to_claim and len(links[node]) < 3:
            step[node] = 1


def _described(walk: _Walk, todo: list[URIRef]) -> Graph:
    """The triples of `todo` in the graphs drawn, with those of what they point at,
    two steps on (labels, sources, time specs)."""
    data = Graph()
    described: set[URIRef] = set()
    for _ in range(3):  # the nodes, then what they point at, then what that points at
        described.update(todo)
        pointed: set[URIRef] = set()
        for g, x, p, o, q, v in walk.rows(_DESCRIBE, todo):
            if str(g) not in walk.wanted or x is None or p is None or o is None:
                continue
            data.add((x, p, o))
            if q is not None and v is not None:
                data.add((o, q, v))
            if isinstance(o, URIRef):
                pointed.add(o)
        todo = sorted(pointed - described)
    return data


def _true(value: object) -> bool:
    return isinstance(value, RDFLiteral) and value.toPython() is True
