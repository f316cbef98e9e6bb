"""Drawing the knowledge graph: networkx conversion, interactive HTML, pictures, exports.

The only module that imports networkx and matplotlib, and only inside the
functions that need them, so that importing `kg.viz` stays cheap.

The graph is an `nx.MultiDiGraph` keyed by IRI strings. Claims (n-ary fact
nodes, subclasses of ms:Claim) that link exactly two entities are collapsed
into labelled edges by default, so a picture reads like facts between
entities; the claim IRI and its sources stay on the edge. See
docs/visualisation.md.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.answers.lookup import resolve_one
from kg.model.errors import InputError, UsageError
from kg.model.fileio import write_atomically
from kg.model.namespaces import MS, MSV, PREFIXES, shorten
from kg.stores.memory import MemoryStore

if TYPE_CHECKING:
    import networkx as nx

    from kg.knowledge.project import Knowledge

ClaimMode = Literal["collapse", "show"]
CLAIM_MODES: tuple[str, ...] = ("collapse", "show")
FORMATS: tuple[str, ...] = ("html", "svg", "png", "dot", "graphml", "gexf")
SUFFIXES: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".graphml": "graphml",
    ".gexf": "gexf",
}
DEFAULT_TITLE = "motorsport-kg"

# Colour-blind-friendly, distinct at a glance; groups take them in sorted order.
PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
    "#7b4173",
)

# Links that say where a fact comes from, not what it says.
PROVENANCE = frozenset({MS.statedIn, MS.attributedTo, MS.evidence})
LABEL_PREDICATES = frozenset({SKOS.prefLabel, SKOS.altLabel, RDFS.label, SKOS.hiddenLabel})
STATEMENT_PARTS = frozenset({RDF.subject, RDF.predicate, RDF.object})

# When a claim collapses into an edge, the entity named by the first of these
# predicates it has is the edge's tail ("Roos —role→ BMW", "report —about→ X").
TAIL_PREDICATES: tuple[URIRef, ...] = (
    MS.person,
    MS.speaker,
    MS.driver,
    MS.entry,
    MS.programme,
    MS.decision,
    MS.operator,
    MS.entrant,
    MS.owner,
)

# Namespaces whose terms are vocabulary (classes, properties, concepts), never drawn as entities.
_VOCABULARY = tuple(iri for prefix, iri in PREFIXES.items() if prefix != "msr")


@dataclass(frozen=True)
class Source:
    """A source document as shown beside a fact."""

    iri: str
    title: str
    date: str
    language: str


@dataclass(frozen=True)
class Fact:
    """One line of a node's facts panel: property, value and where it is stated."""

    property: str
    value: str
    claim: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class TimelineSummary:
    """What `decision_timeline` drew."""

    path: Path
    decisions: int
    reports: int
    written: bool


# --------------------------------------------------------------------------- labels


class _Terms:
    """Types, class hierarchy and labels, read once from the ontology and data graphs."""

    def __init__(self, schema: Graph, data: Graph, lang: str) -> None:
        self.schema = schema
        self.data = data
        self.lang = lang
        self._labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._aliases: dict[str, set[str]] = defaultdict(set)
        for graph in (schema, data):
            for predicate in (SKOS.prefLabel, RDFS.label, SKOS.altLabel):
                for subject, label in graph.subject_objects(predicate):
                    if not isinstance(subject, URIRef) or not isinstance(label, RDFLiteral):
                        continue
                    key = str(subject)
                    if predicate == SKOS.altLabel:
                        self._aliases[key].add(str(label))
                    else:
                        slot = "pref" if predicate == SKOS.prefLabel else "rdfs"
                        self._labels[key][f"{slot}@{label.language or ''}"].append(str(label))
        self._parents: dict[URIRef, set[URIRef]] = defaultdict(set)
        for graph in (schema, data):
            for child, parent in graph.subject_objects(RDFS.subClassOf):
                if isinstance(child, URIRef) and isinstance(parent, URIRef):
                    self._parents[child].add(parent)
        self._ancestors: dict[URIRef, frozenset[URIRef]] = {}

    def label(self, iri: Node) -> str:
        """The label in the chosen language, else English, else any, else a readable name."""
        if isinstance(iri, RDFLiteral):
            return str(iri)
        key = str(iri)
        found = self._labels.get(key, {})
        for slot in ("pref", "rdfs"):
            for language in (self.lang, "en", ""):
                values = found.get(f"{slot}@{language}")
                if values:
                    return min(values)
        if found:
            return min(min(values) for values in found.values())
        return _readable(key)

    def class_label(self, cls: URIRef) -> str:
        """A class's label; a class the ontology does not label is named by its local name."""
        label = self.label(cls)
        return label.split(":", 1)[1] if label == shorten(str(cls)) and ":" in label else label

    def aliases(self, iri: URIRef, label: str) -> list[str]:
        names = set(self._aliases.get(str(iri), set()))
        for values in self._labels.get(str(iri), {}).values():
            names.update(values)
        names.discard(label)
        return sorted(names)

    def ancestors(self, cls: URIRef) -> frozenset[URIRef]:
        """The class and all its superclasses."""
        cached = self._ancestors.get(cls)
        if cached is not None:
            return cached
        seen: set[URIRef] = set()
        todo = [cls]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self._parents.get(current, ()))
        result = frozenset(seen)
        self._ancestors[cls] = result
        return result

    def types(self, node: URIRef) -> list[URIRef]:
        found = {t for t in self.data.objects(node, RDF.type) if isinstance(t, URIRef)}
        found.update(t for t in self.schema.objects(node, RDF.type) if isinstance(t, URIRef))
        return sorted(found)

    def most_specific(self, types: Sequence[URIRef]) -> URIRef | None:
        """The type that no other of `types` is a subclass of (ties: the first IRI)."""
        if not types:
            return None
        candidates = [t for t in types if not any(t != o and t in self.ancestors(o) for o in types)]
        return sorted(candidates or types)[0]

    def closure(self, types: Iterable[URIRef]) -> frozenset[URIRef]:
        result: set[URIRef] = set()
        for cls in types:
            result |= self.ancestors(cls)
        return frozenset(result)


def _readable(iri: str) -> str:
    short = shorten(iri)
    if short.startswith("<"):
        return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    return short


# --------------------------------------------------------------------------- conversion


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
    data_graph_names = _data_graphs(knowledge, graphs)
    schema_graph = knowledge.ontology()
    lookup_graphs = None if schema else [*knowledge.ontology_graphs, *data_graph_names]
    centre = (
        str(resolve_one(knowledge.store, entity, graphs=lookup_graphs))
        if entity is not None
        else None
    )
    if schema:
        data_graph = Graph()
    elif centre is not None and not isinstance(knowledge.store, MemoryStore):
        # In memory the whole graph is at hand already; elsewhere copying it is the cost.
        data_graph = _data_around(knowledge, data_graph_names, URIRef(centre), depth, claims)
    else:
        data_graph = knowledge.store.union(data_graph_names)
    terms = _Terms(schema_graph, data_graph, lang)
    if schema:
        graph = _schema_graph(terms)
    else:
        # Facts are read only for the nodes a neighbourhood keeps (the costly part).
        graph = _data_graph(terms, claims, (centre, depth) if centre is not None else None)
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
        graph = _subgraph(graph, _neighbourhood(graph, centre, depth))
        graph.graph["centre"] = centre
    if classes:
        wanted = {str(_resolve_term(knowledge, text, "--class")) for text in classes}
        ancestors = graph.graph["_ancestors"]
        keep = [
            node
            for node in graph
            if ancestors.get(node, frozenset()) & wanted or node == graph.graph["centre"]
        ]
        graph = _subgraph(graph, keep)
    if predicates:
        wanted_predicates = {
            str(_resolve_term(knowledge, text, "--predicate")) for text in predicates
        }
        _keep_predicates(graph, wanted_predicates)
    return graph


# Reading only the data a neighbourhood needs (see _data_around).
_BATCH = 500
# Fixed query texts; the nodes of a batch are bound to ?x by kg.stores.values.inject_rows.
_PREFIXES = """PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# The links of ?x both ways (rdf:type and rdf:predicate are never drawn).
_NEIGHBOURS = (
    _PREFIXES
    + """SELECT DISTINCT ?x ?p ?n WHERE {
  { ?x ?p ?n } UNION { ?n ?p ?x }
  FILTER(isIRI(?n) && ?p NOT IN (rdf:type, rdf:predicate))
}"""
)
# Whether ?x is a claim: stated in a source, or of a claim class (one test, used for
# ?x, ?o and ?c below).
_IS_CLAIM = "(EXISTS { ?x ms:statedIn ?source } || EXISTS { ?x a/rdfs:subClassOf* ms:Claim })"
_CLAIMS = _PREFIXES + "SELECT ?x ?claim WHERE { BIND(" + _IS_CLAIM + " AS ?claim) }"
# A claim's links, with their graph; ?other: the target is surely not drawn as an
# entity (a value or a source); ?claim: the target is a claim.
_LINKS = (
    _PREFIXES
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
    _PREFIXES
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


def _data_around(
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
    from kg.stores.values import inject_rows

    store = knowledge.store
    wanted = set(graphs)
    whole = wanted >= set(knowledge.data_graphs)
    # When claims collapse, sources are not drawn: no walk through provenance links.
    skipped = PROVENANCE if claims == "collapse" else frozenset()

    def rows(query: str, nodes: Sequence[URIRef]) -> Iterator[tuple[Node | None, ...]]:
        for start in range(0, len(nodes), _BATCH):
            yield from store.query(inject_rows(query, "x", nodes[start : start + _BATCH])).rows

    # Half hops a link costs from or to each node: 1 for a claim that may be drawn
    # collapsed, else 2 (always 2 when claims are drawn as nodes).
    step: dict[URIRef, int] = {}

    def classify(nodes: Sequence[URIRef]) -> None:
        step.update((node, 2) for node in nodes)
        if claims != "collapse":
            return
        maybe = [
            node
            for node, is_claim in rows(_CLAIMS, nodes)
            if isinstance(node, URIRef) and _true(is_claim)
        ]
        links: dict[URIRef, set[tuple[str, str]]] = {node: set() for node in maybe}
        to_claim: set[URIRef] = set()
        for node, p, o, g, other, is_claim in rows(_LINKS, maybe):
            if not isinstance(node, URIRef) or str(g) not in wanted or p in PROVENANCE:
                continue  # not drawn here, or provenance
            if _true(other) or _is_vocabulary(str(o)):
                continue  # a value, a source, a vocabulary term, or in doubt: not counted
            links[node].add((str(p), str(o)))
            # A claim elsewhere may be none in a view: trusted for the whole graph only.
            if _true(is_claim) and whole:
                to_claim.add(node)
        for node in maybe:
            if node not in to_claim and len(links[node]) < 3:
                step[node] = 1

    budget = 2 * depth
    cost = {centre: 0}
    classify([centre])
    for spent in range(budget):
        frontier = sorted(node for node, c in cost.items() if c == spent)
        pairs = [
            (x, n)
            for x, p, n in rows(_NEIGHBOURS, frontier)
            if isinstance(x, URIRef)
            and isinstance(n, URIRef)
            and p not in skipped
            and not _is_vocabulary(str(n))
        ]
        classify(sorted({n for _, n in pairs} - step.keys()))
        for tail, head in pairs:
            reached = spent + min(step[tail], step[head])
            if reached < cost.get(head, budget + 1):
                cost[head] = reached
    seen = set(cost)
    about = rows(_CLAIMS_ABOUT, sorted(cost))
    seen.update(claim for (claim,) in about if isinstance(claim, URIRef))
    data = Graph()
    described: set[URIRef] = set()
    todo = sorted(seen)
    for _ in range(3):  # the nodes, then what they point at, then what that points at
        described.update(todo)
        pointed: set[URIRef] = set()
        for g, x, p, o, q, v in rows(_DESCRIBE, todo):
            if str(g) not in wanted or x is None or p is None or o is None:
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


def _data_graphs(knowledge: Knowledge, graphs: Sequence[str] | None) -> list[str]:
    if graphs is None:
        return list(knowledge.data_graphs)
    schema_graphs = set(knowledge.ontology_graphs) | set(knowledge.shapes_graphs)
    return [name for name in graphs if name not in schema_graphs]


def _resolve_term(knowledge: Knowledge, text: str, option: str) -> URIRef:
    try:
        return resolve_one(knowledge.store, text)
    except UsageError as error:
        raise UsageError(f"{option}: {error.message}") from error


def _is_vocabulary(iri: str) -> bool:
    return iri.startswith(_VOCABULARY)


def _data_graph(
    terms: _Terms, claims: ClaimMode, around: tuple[str, int] | None = None
) -> nx.MultiDiGraph:
    import networkx as nx

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
        if _is_vocabulary(str(node)):
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

    statements: dict[tuple[Node, Node, Node], list[URIRef]] = defaultdict(list)
    for node, kind in kinds.items():
        if kind != "claim":
            continue
        s, p, o = data.value(node, RDF.subject), data.value(node, RDF.predicate), None
        o = data.value(node, RDF.object)
        if s is not None and p is not None and o is not None:
            statements[(s, p, o)].append(node)

    def is_statement(node: URIRef) -> bool:
        return (node, RDF.subject, None) in data and (node, RDF.predicate, None) in data

    def links(claim: URIRef) -> list[tuple[URIRef, URIRef]]:
        found = []
        for p, o in data.predicate_objects(claim):
            if isinstance(o, URIRef) and isinstance(p, URIRef) and o in kinds:
                if p in PROVENANCE or p == RDF.type or kinds[o] == "source":
                    continue
                found.append((p, o))
        return sorted(found)

    collapsed: dict[URIRef, tuple[URIRef, URIRef]] = {}
    if claims == "collapse":
        for node, kind in kinds.items():
            if kind != "claim":
                continue
            if is_statement(node):
                collapsed[node] = (node, node)  # drawn as the asserted triple's edge
                continue
            claim_links = links(node)
            if len(claim_links) == 2 and all(kinds[o] != "claim" for _, o in claim_links):
                order = {p: i for i, p in enumerate(TAIL_PREDICATES)}
                ranked = sorted(claim_links, key=lambda link: (order.get(link[0], 99), link))
                collapsed[node] = (ranked[0][1], ranked[1][1])

    def drawn(node: URIRef) -> bool:
        if node not in kinds or node in collapsed:
            return False
        return kinds[node] != "source" or claims == "show"

    source_cache: dict[URIRef, Source] = {}

    def source(iri: URIRef) -> Source:
        if iri not in source_cache:
            source_cache[iri] = _source(terms, iri)
        return source_cache[iri]

    def sources_of(claim: URIRef) -> tuple[Source, ...]:
        return tuple(
            source(s)
            for s in sorted(o for o in data.objects(claim, MS.statedIn) if isinstance(o, URIRef))
        )

    graph = nx.MultiDiGraph()
    ancestors: dict[str, frozenset[str]] = {}
    for node in sorted(kinds):
        if not drawn(node):
            continue
        types = types_of[node]
        main = terms.most_specific(types)
        type_label = terms.class_label(main) if main is not None else "(no type)"
        label = terms.label(node)
        if kinds[node] == "claim" and label == _readable(str(node)):
            label = _claim_label(terms, node, type_label, links(node))
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

    def add_edge(
        tail: URIRef, head: URIRef, predicate: URIRef, label: str, claim: URIRef | None
    ) -> None:
        key = shorten(str(predicate)) + (f" {shorten(str(claim))}" if claim is not None else "")
        titles = " | ".join(s.title for s in sources_of(claim)) if claim is not None else ""
        graph.add_edge(
            str(tail),
            str(head),
            key=key,
            predicate=str(predicate),
            label=label,
            claim=str(claim) if claim is not None else "",
            sources=titles,
        )

    edges: list[tuple[str, URIRef, URIRef, URIRef, str, URIRef | None]] = []
    for s, p, o in data:
        if not (isinstance(s, URIRef) and isinstance(p, URIRef) and isinstance(o, URIRef)):
            continue
        if p == RDF.type or p in STATEMENT_PARTS or not (drawn(s) and drawn(o)):
            continue
        if kinds[s] == "claim" and p in PROVENANCE and p != MS.statedIn:
            continue  # attributedTo: shown among the facts, not as a link
        covering = statements.get((s, p, o), [])
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
    for claim, (tail, head) in collapsed.items():
        if tail == claim:
            continue  # a statement: its asserted triple is the edge
        claim_type = terms.most_specific(types_of[claim]) or MS.Claim
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
    if claims == "show":
        for statement in sorted({c for cs in statements.values() for c in cs}):
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
    for _, tail, head, predicate, label, claim in sorted(edges, key=lambda e: e[0]):
        add_edge(tail, head, predicate, label, claim)

    wanted: set[str] | None = None
    if around is not None and around[0] in graph:
        wanted = set(_neighbourhood(graph, around[0], around[1]))
    facts = {
        str(node): _facts_of_node(terms, node, kinds, statements, sources_of)
        for node in sorted(kinds)
        if drawn(node) and (wanted is None or str(node) in wanted)
    }
    graph.graph["_facts"] = facts
    graph.graph["_ancestors"] = ancestors
    return graph


def _key(tail: Node, head: Node, predicate: Node, claim: Node | None) -> str:
    return "\x00".join((str(tail), str(head), str(predicate), str(claim or "")))


def _claim_label(
    terms: _Terms, claim: URIRef, type_label: str, links: Sequence[tuple[URIRef, URIRef]]
) -> str:
    """A claim has no name: "entry: Rolex 24 at Daytona 2024, #24"."""
    parts = [terms.label(o) for _, o in links[:2]]
    number = terms.data.value(claim, MS.carNumber)
    if number is not None:
        parts.append(f"#{number}")
    return f"{type_label}: {', '.join(parts)}" if parts else type_label


def _collapsed_label(terms: _Terms, claim: URIRef, claim_type: URIRef) -> str:
    """The claim's class with its controlled values: "role: motorsport director"."""
    values = sorted(
        terms.label(o)
        for p, o in terms.data.predicate_objects(claim)
        if isinstance(o, URIRef) and str(o).startswith(str(MSV)) and p != RDF.type
    )
    name = terms.class_label(claim_type)
    return f"{name}: {', '.join(values)}" if values else name


def _source(terms: _Terms, iri: URIRef) -> Source:
    data = terms.data

    def in_language(predicate: URIRef) -> str:
        values = {
            (o.language or ""): str(o)
            for o in sorted(data.objects(iri, predicate), key=str)
            if isinstance(o, RDFLiteral)
        }
        for language in (terms.lang, "en", ""):
            if language in values:
                return values[language]
        return values[sorted(values)[0]] if values else ""

    title = in_language(DCTERMS.title) or in_language(MS.summary) or terms.label(iri)
    published = data.value(iri, MS.published)
    if published is not None:
        when = str(published)
    else:
        low, high = data.value(iri, MS.publishedNotBefore), data.value(iri, MS.publishedNotAfter)
        when = f"{low or '?'}..{high or '?'}" if low is not None or high is not None else ""
    language = data.value(iri, DCTERMS.language)
    return Source(str(iri), title, when, str(language) if language is not None else "")


def _value_text(terms: _Terms, value: Node) -> str:
    if isinstance(value, RDFLiteral):
        return str(value)
    if isinstance(value, URIRef) and MS.TimeSpec in terms.types(value):
        from kg.model import timeutil

        rows = [
            {"property": p, "value": o}
            for p, o in terms.data.predicate_objects(value)
            if isinstance(p, URIRef)
        ]
        try:
            interval = timeutil.from_spec_rows(rows, shorten(str(value)))
        except timeutil.TimeValueError:
            return terms.label(value)
        return timeutil.format_interval(interval, terms.lang)
    return terms.label(value)


def _in_language(pairs: Iterable[tuple[Node, Node]], lang: str) -> list[tuple[Node, Node]]:
    """Keep, per predicate, the language-tagged texts in the best language present
    (the chosen one, else English, else the first); other values stay."""
    pairs = sorted(pairs)
    languages: dict[Node, set[str]] = defaultdict(set)
    for p, o in pairs:
        if isinstance(o, RDFLiteral) and o.language:
            languages[p].add(o.language)
    best: dict[Node, str] = {}
    for p, present in languages.items():
        best[p] = next((x for x in (lang, "en") if x in present), min(present))
    return [
        (p, o)
        for p, o in pairs
        if not (isinstance(o, RDFLiteral) and o.language) or o.language == best[p]
    ]


def _facts_of_node(
    terms: _Terms,
    node: URIRef,
    kinds: Mapping[URIRef, str],
    statements: Mapping[tuple[Node, Node, Node], list[URIRef]],
    sources_of: Any,
) -> tuple[Fact, ...]:
    data = terms.data
    found: set[Fact] = set()
    own_sources: tuple[Source, ...] = sources_of(node) if kinds[node] == "claim" else ()
    for p, o in _in_language(data.predicate_objects(node), terms.lang):
        if p == RDF.type or p in LABEL_PREDICATES or p == MS.statedIn:
            continue
        if kinds[node] == "claim":
            found.add(Fact(terms.label(p), _value_text(terms, o), str(node), own_sources))
            continue
        covering = statements.get((node, p, o), [])
        if covering:
            for statement in covering:
                found.add(
                    Fact(
                        terms.label(p), _value_text(terms, o), str(statement), sources_of(statement)
                    )
                )
        else:
            found.add(Fact(terms.label(p), _value_text(terms, o), "", ()))
    if kinds[node] != "claim":
        for s, p in data.subject_predicates(node):
            if not isinstance(s, URIRef) or p in STATEMENT_PARTS or p == RDF.type:
                continue
            if kinds.get(s) == "claim" and p != MS.statedIn:
                found.add(_claim_fact(terms, s, p, node, sources_of(s)))
    return tuple(sorted(found, key=lambda f: (f.property, f.value, f.claim)))


def _claim_fact(
    terms: _Terms, claim: URIRef, role: Node, node: URIRef, sources: tuple[Source, ...]
) -> Fact:
    """A claim that names `node`, told from the node's side: "role (person)": its other values."""
    parts = []
    for p, o in _in_language(terms.data.predicate_objects(claim), terms.lang):
        if p == RDF.type or p in PROVENANCE or p in LABEL_PREDICATES or o == node:
            continue
        parts.append(f"{terms.label(p)}: {_value_text(terms, o)}")
    claim_type = terms.most_specific(terms.types(claim))
    name = terms.class_label(claim_type) if claim_type is not None else "claim"
    return Fact(f"{name} ({terms.label(role)})", "; ".join(parts), str(claim), sources)


def _schema_graph(terms: _Terms) -> nx.MultiDiGraph:
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
        for p, o in _in_language(schema.predicate_objects(node), terms.lang):
            if p == RDF.type:
                continue
            rows.add(Fact(terms.label(p), _value_text(terms, o), "", ()))
        facts[str(node)] = tuple(sorted(rows, key=lambda f: (f.property, f.value)))
    graph.graph["_facts"] = facts
    graph.graph["_ancestors"] = ancestors
    return graph


def _neighbourhood(graph: nx.MultiDiGraph, centre: str, depth: int) -> list[str]:
    """The nodes within `depth` hops of `centre`, links followed both ways."""
    import networkx as nx

    distances = nx.single_source_shortest_path_length(
        graph.to_undirected(as_view=True), centre, cutoff=depth
    )
    return list(distances)


def _subgraph(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> nx.MultiDiGraph:
    keep = set(nodes)
    result = graph.subgraph(sorted(keep)).copy()
    result.graph = dict(graph.graph)
    result.graph["_facts"] = {n: f for n, f in graph.graph["_facts"].items() if n in keep}
    return cast("nx.MultiDiGraph", result)


def _keep_predicates(graph: nx.MultiDiGraph, predicates: set[str]) -> None:
    drop = [
        (u, v, k) for u, v, k, p in graph.edges(keys=True, data="predicate") if p not in predicates
    ]
    graph.remove_edges_from(drop)
    centre = graph.graph.get("centre", "")
    isolated = [n for n in graph if graph.degree(n) == 0 and n != centre]
    graph.remove_nodes_from(isolated)
    graph.graph["_facts"] = {n: f for n, f in graph.graph["_facts"].items() if n in graph}


def facts_of(graph: nx.MultiDiGraph) -> Mapping[str, tuple[Fact, ...]]:
    """The facts panel of every node: node IRI -> facts with their sources."""
    return cast("Mapping[str, tuple[Fact, ...]]", graph.graph.get("_facts", {}))


# --------------------------------------------------------------------------- layout, colours


def colours(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Group (class) -> colour, assigned in sorted group order so the same classes keep theirs."""
    groups = sorted({str(group) for _, group in graph.nodes(data="group")})
    return {group: PALETTE[index % len(PALETTE)] for index, group in enumerate(groups)}


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Deterministic positions in [-1, 1]: a seeded spring layout per connected component,
    the components packed in rows, largest first.

    One spring layout over everything would fling small components and lone
    nodes to the rim and squeeze the main component into a corner.
    """
    import networkx as nx

    if len(graph) == 0:
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph))
    simple.add_edges_from(sorted((u, v) for u, v in graph.edges() if u != v))
    components = sorted(
        (sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0])
    )
    placed: dict[str, tuple[float, float]] = {}
    sizes = [len(c) ** 0.5 for c in components]
    row_width = max(sizes[0] * 2.2, sum(s * s * 4 for s in sizes) ** 0.5 * 1.15)
    x = y = 0.0
    row_height = 0.0
    for component, size in zip(components, sizes, strict=True):
        if len(component) == 1:
            local = {component[0]: (0.0, 0.0)}
        else:
            index = {node: i for i, node in enumerate(component)}
            pairs = [(index[u], index[v]) for u, v in simple.subgraph(component).edges()]
            found = _spring(len(component), pairs, seed=20240128)
            local = {node: (float(found[i][0]), float(found[i][1])) for node, i in index.items()}
        width = 2.2 * size
        if x > 0 and x + width > row_width:
            x, y = 0.0, y - row_height
            row_height = 0.0
        for node, (px, py) in local.items():
            placed[node] = (x + width / 2 + px * size, y - width / 2 + py * size)
        x += width
        row_height = max(row_height, width)
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    middle_x, middle_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
    return {
        node: (round((px - middle_x) / half, 4), round((py - middle_y) / half, 4))
        for node, (px, py) in sorted(placed.items())
    }


def _spring(count: int, pairs: Sequence[tuple[int, int]], seed: int, iterations: int = 120) -> Any:
    """Fruchterman-Reingold force layout (as networkx's spring_layout), vectorised with
    numpy over all node pairs and seeded: the same graph always gets the same picture.

    networkx switches to a slow per-node loop (and needs scipy) from 500 nodes on;
    this stays a few matrix operations per step. Returns an array in [-1, 1].
    """
    import numpy as np

    random = np.random.default_rng(seed)
    positions = random.random((count, 2))
    adjacency = np.zeros((count, count))
    for u, v in pairs:
        adjacency[u, v] = adjacency[v, u] = 1.0
    k = (1.0 / count) ** 0.5
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = positions[:, np.newaxis, :] - positions[np.newaxis, :, :]
        distance = np.clip(np.linalg.norm(delta, axis=-1), 0.01, None)
        force = k * k / distance**2 - adjacency * distance / k
        displacement = np.einsum("ijk,ij->ik", delta, force)
        length = np.linalg.norm(displacement, axis=-1)
        length = np.where(length < 0.01, 0.1, length)
        positions += displacement * (temperature / length)[:, np.newaxis]
        temperature -= cooling
    positions -= positions.mean(axis=0)
    scale = np.abs(positions).max() or 1.0
    return positions / scale


# --------------------------------------------------------------------------- writers


def write(
    graph: nx.MultiDiGraph, path: Path, *, format: str | None = None, title: str = DEFAULT_TITLE
) -> bool:
    """Write `graph` in `format` (or the format named by the path's suffix)."""
    chosen = output_format(path, format)
    if chosen == "html":
        return write_html(graph, path, title=title)
    if chosen == "svg":
        return write_svg(graph, path, title=title)
    if chosen == "png":
        return write_png(graph, path, title=title)
    if chosen == "dot":
        return write_dot(graph, path, title=title)
    if chosen == "graphml":
        return write_graphml(graph, path)
    return write_gexf(graph, path)


def output_format(path: Path, format: str | None = None) -> str:
    if format is not None:
        if format not in FORMATS:
            raise UsageError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
        return format
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise UsageError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; name the file "
            f"with one of {', '.join(sorted(SUFFIXES))} or give --format ({', '.join(FORMATS)})"
        )
    return found


def _write(path: Path, content: bytes | str) -> bool:
    try:
        return write_atomically(path, content)
    except OSError as error:
        raise InputError(
            f"{path}: cannot be written: {error.strerror or error}; choose another output path"
        ) from error


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
    return _write(path, render_html(graph, title=title))


def _figure_bytes(graph: nx.MultiDiGraph, title: str, image_format: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    positions = layout(graph)
    palette = colours(graph)
    count = len(graph)
    side = min(max(8.0, 2.2 * count**0.5), 28.0)
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(side * 1.25, side))
        try:
            axes.set_axis_off()
            axes.set_title(title, fontsize=14)
            small = graph.number_of_edges() <= 60
            label_at: dict[tuple[str, str], list[str]] = defaultdict(list)
            for u, v, attrs in sorted(
                graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["label"])
            ):
                (x1, y1), (x2, y2) = positions[u], positions[v]
                axes.annotate(
                    "",
                    xy=(x2, y2),
                    xytext=(x1, y1),
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": "#8a8a8a",
                        "lw": 0.8,
                        "shrinkA": 7,
                        "shrinkB": 7,
                    },
                    zorder=1,
                )
                label_at[(u, v)].append(str(attrs["label"]))
            if small:
                for (u, v), labels in sorted(label_at.items()):
                    (x1, y1), (x2, y2) = positions[u], positions[v]
                    axes.text(
                        (x1 + x2) / 2,
                        (y1 + y2) / 2,
                        "\n".join(sorted(set(labels))),
                        fontsize=6.5,
                        color="#555555",
                        ha="center",
                        va="center",
                        zorder=2,
                    )
            nodes = sorted(graph.nodes(data=True))
            axes.scatter(
                [positions[n][0] for n, _ in nodes],
                [positions[n][1] for n, _ in nodes],
                s=[260 if n == graph.graph.get("centre") else 140 for n, _ in nodes],
                c=[palette[str(a["group"])] for _, a in nodes],
                edgecolors="#333333",
                linewidths=0.6,
                zorder=3,
            )
            for node, attrs in nodes:
                x, y = positions[node]
                axes.text(
                    x,
                    y + 0.035,
                    _shorten_text(str(attrs["label"]), 40),
                    fontsize=8,
                    ha="center",
                    va="bottom",
                    zorder=4,
                )
            handles = _legend_dots(palette)
            if handles:
                axes.legend(
                    handles=handles,
                    loc="upper left",
                    bbox_to_anchor=(1.0, 1.0),
                    fontsize=8,
                    frameon=False,
                    title="class",
                )
            axes.margins(0.08)
            return _saved(figure, image_format)
        finally:
            plt.close(figure)


_RC: Any = {
    "svg.hashsalt": "motorsport-kg",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "path.simplify": True,
}


def _metadata(image_format: str) -> dict[str, Any]:
    if image_format == "svg":
        return {"Date": None, "Creator": "motorsport-kg"}
    return {"Software": "motorsport-kg"}


def _shorten_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_svg(graph: nx.MultiDiGraph, path: Path, *, title: str = DEFAULT_TITLE) -> bool:
    """A static picture with labels, class colours and a legend (deterministic bytes)."""
    return _write(path, _figure_bytes(graph, title, "svg"))


def write_png(graph: nx.MultiDiGraph, path: Path, *, title: str = DEFAULT_TITLE) -> bool:
    return _write(path, _figure_bytes(graph, title, "png"))


def _dot_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_dot(graph: nx.MultiDiGraph, *, title: str = DEFAULT_TITLE) -> str:
    palette = colours(graph)
    lines = [
        f"digraph {_dot_quote(title)} {{",
        f'  graph [label={_dot_quote(title)}, labelloc=t, overlap=false, fontname="DejaVu Sans"];',
        '  node [shape=ellipse, style=filled, fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=8, color="#8a8a8a"];',
    ]
    for node, attrs in sorted(graph.nodes(data=True)):
        lines.append(
            f"  {_dot_quote(node)} [label={_dot_quote(str(attrs['label']))}, "
            f"tooltip={_dot_quote(str(attrs['type']))}, "
            f"fillcolor={_dot_quote(palette[str(attrs['group'])])}];"
        )
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        lines.append(
            f"  {_dot_quote(u)} -> {_dot_quote(v)} [label={_dot_quote(str(attrs['label']))}, "
            f"tooltip={_dot_quote(str(key))}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(graph: nx.MultiDiGraph, path: Path, *, title: str = DEFAULT_TITLE) -> bool:
    """Graphviz DOT, written here (no pydot): sorted, every identifier quoted."""
    return _write(path, render_dot(graph, title=title))


def exportable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings (networkx's GraphML/GEXF writers fail on
    None and lists); private graph attributes (facts) are left out."""
    import networkx as nx

    palette = colours(graph)
    copy = nx.MultiDiGraph()
    copy.graph.update(
        {str(k): _text(v) for k, v in sorted(graph.graph.items()) if not str(k).startswith("_")}
    )
    for node, attrs in sorted(graph.nodes(data=True)):
        values = {str(k): _text(v) for k, v in sorted(attrs.items())}
        values["colour"] = palette[str(attrs["group"])]
        copy.add_node(str(node), **values)
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        copy.add_edge(
            str(u), str(v), key=str(key), **{str(k): _text(x) for k, x in sorted(attrs.items())}
        )
    return copy


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return " | ".join(sorted(str(item) for item in value))
    return str(value)


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> bool:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(exportable(graph), buffer, encoding="utf-8", prettyprint=True)
    return _write(path, buffer.getvalue())


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> bool:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(exportable(graph), buffer, encoding="utf-8", prettyprint=True)
    # The writer stamps today's date; without it the file is the same every day.
    content = re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue())
    return _write(path, content)


# --------------------------------------------------------------------------- decision timeline

_REPORTS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?decision ?report ?status ?validAt ?expected ?source ?published WHERE {
  ?report a ms:StatusReport ; ms:decision ?decision .
  OPTIONAL { ?report ms:decisionStatus ?status }
  OPTIONAL { ?report ms:validAt ?validAt }
  OPTIONAL { ?report ms:expectedTime ?expected }
  OPTIONAL { ?report ms:statedIn ?source . OPTIONAL { ?source ms:published ?published } }
}
"""

_DECISIONS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?decision WHERE {
  { ?decision a ms:Decision } UNION { ?claim ms:decision ?decision }
}
"""

_OUTCOMES_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?decision ?outcome ?decidedAt ?chosen WHERE {
  ?outcome a ms:Outcome ; ms:decision ?decision .
  OPTIONAL { ?outcome ms:decidedAt ?decidedAt }
  OPTIONAL { ?outcome ms:chosenOption ?chosen }
}
"""

STATUS_COLOURS: dict[str, str] = {
    str(MSV.Open): "#4e79a7",
    str(MSV.UnderEvaluation): "#f28e2b",
    str(MSV.Decided): "#59a14f",
    str(MSV.Dropped): "#e15759",
    str(MSV.Deferred): "#b07aa1",
}


@dataclass(frozen=True)
class _Report:
    decision: str
    report: str
    status: str
    valid: tuple[date, date] | None
    expected: tuple[date, date] | None
    expected_text: str


def decision_timeline(
    knowledge: Knowledge,
    path: Path,
    *,
    as_of: date | None = None,
    lang: str = "en",
    graphs: Sequence[str] | None = None,
    title: str | None = None,
    format: str | None = None,
) -> TimelineSummary:
    """Each decision's reported statuses and expected windows over time, with the as-of line.

    With `as_of` (and no `graphs`), only the sources published by that day are read.
    """
    chosen = output_format(path, format)
    if chosen not in ("svg", "png"):
        raise UsageError(f"{path}: the decision timeline is a picture; name the file .svg or .png")
    if as_of is not None and graphs is None:
        from kg.knowledge.asof import visible_graphs

        graphs = visible_graphs(knowledge, as_of)
    store = knowledge.store
    from kg.answers.labels import fetch_labels
    from kg.knowledge import timespec
    from kg.model import timeutil

    def interval(node: Node | None, where: str) -> tuple[tuple[date, date] | None, str]:
        if node is None:
            return None, ""
        found = timespec.from_node(store, cast("Any", node), graphs, where)
        low = found.earliest or found.latest
        high = found.latest or found.earliest
        if low is None or high is None:
            return None, timeutil.format_interval(found, lang)
        return (low, high), timeutil.format_interval(found, lang)

    reports: dict[str, _Report] = {}
    for row in store.query(_REPORTS_QUERY, graphs=graphs).dicts():
        decision, report = row["decision"], row["report"]
        if decision is None or report is None or str(report) in reports:
            continue
        where = f"status report {shorten(str(report))}"
        valid, _ = interval(row.get("validAt"), f"{where}: ms:validAt")
        if valid is None:
            valid, _ = interval(row.get("published"), f"{where}: its source's ms:published")
        expected, expected_text = interval(row.get("expected"), f"{where}: ms:expectedTime")
        reports[str(report)] = _Report(
            str(decision),
            str(report),
            str(row.get("status") or ""),
            valid,
            expected,
            expected_text,
        )
    decisions = sorted(
        {
            str(r["decision"])
            for r in store.query(_DECISIONS_QUERY, graphs=graphs).dicts()
            if r["decision"]
        }
        | {r.decision for r in reports.values()}
    )
    outcomes: list[tuple[str, tuple[date, date] | None, str]] = []
    for row in store.query(_OUTCOMES_QUERY, graphs=graphs).dicts():
        if row["decision"] is None:
            continue
        when, _ = interval(row.get("decidedAt"), f"outcome {shorten(str(row['outcome']))}")
        outcomes.append((str(row["decision"]), when, str(row.get("chosen") or "")))
    label_terms: list[Any] = [URIRef(d) for d in decisions]
    label_terms += [URIRef(r.status) for r in reports.values() if r.status]
    label_terms += [URIRef(c) for _, _, c in outcomes if c]
    labels = fetch_labels(store, label_terms, lang)
    questions = _questions(knowledge, decisions, lang, graphs)
    content = _timeline_bytes(
        decisions,
        sorted(
            reports.values(), key=lambda r: (r.decision, r.valid or (date.min, date.min), r.report)
        ),
        sorted(outcomes, key=lambda o: (o[0], o[1] or (date.min, date.min), o[2])),
        lambda iri: labels.of(URIRef(iri)) if iri else "",
        questions,
        as_of,
        title or ("Decisions" if lang == "en" else "Entscheidungen"),
        chosen,
        lang,
    )
    written = _write(path, content)
    return TimelineSummary(path, len(decisions), len(reports), written)


def _day_number(day: date) -> float:
    from matplotlib import dates as mdates

    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _questions(
    knowledge: Knowledge, decisions: Sequence[str], lang: str, graphs: Sequence[str] | None
) -> dict[str, str]:
    query = """
    PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
    SELECT ?question WHERE { ?decision ms:question ?question }
    """
    found: dict[str, str] = {}
    for decision in decisions:
        texts = {
            (q.language or ""): str(q)
            for (q,) in knowledge.store.query(
                query, bindings={"decision": URIRef(decision)}, graphs=graphs
            ).rows
            if isinstance(q, RDFLiteral)
        }
        for language in (lang, "en", ""):
            if language in texts:
                found[decision] = texts[language]
                break
    return found


def _timeline_bytes(
    decisions: Sequence[str],
    reports: Sequence[_Report],
    outcomes: Sequence[tuple[str, tuple[date, date] | None, str]],
    label: Any,
    questions: Mapping[str, str],
    as_of: date | None,
    title: str,
    image_format: str,
    lang: str,
) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    words = {
        "en": ("expected decision window", "as of", "outcome", "no decisions known"),
        "de": (
            "erwarteter Entscheidungszeitraum",
            "Stand",
            "Ergebnis",
            "keine Entscheidungen bekannt",
        ),
    }.get(lang, ("expected decision window", "as of", "outcome", "no decisions known"))
    rows = {decision: index for index, decision in enumerate(decisions)}
    height = max(3.0, 1.6 + 1.4 * len(decisions))
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(12, height))
        try:
            axes.set_title(title, fontsize=13)
            days: list[date] = []
            status_seen: dict[str, str] = {}
            per_row_count: dict[str, int] = defaultdict(int)
            for report in reports:
                y = rows[report.decision]
                lane = per_row_count[report.decision]
                per_row_count[report.decision] += 1
                if report.expected is not None:
                    low, high = report.expected
                    start = _day_number(low)
                    width = max(_day_number(high) - start, 1.0)
                    axes.barh(
                        y - 0.28 + 0.08 * (lane % 3),
                        width,
                        left=start,
                        height=0.14,
                        color="#9ecae1",
                        alpha=0.6,
                        edgecolor="#3182bd",
                        zorder=1,
                    )
                    axes.text(
                        start + width / 2,
                        y - 0.36 + 0.08 * (lane % 3),
                        report.expected_text,
                        fontsize=7,
                        ha="center",
                        va="top",
                        color="#08519c",
                    )
                    days.extend([low, high])
                if report.valid is None:
                    continue
                low, high = report.valid
                colour = STATUS_COLOURS.get(report.status, "#7f7f7f")
                status_label = label(report.status) or "?"
                status_seen[status_label] = colour
                start, end = _day_number(low), _day_number(high)
                if end > start:
                    axes.plot(
                        [start, end], [y, y], color=colour, lw=6, solid_capstyle="butt", zorder=2
                    )
                axes.plot(
                    [(start + end) / 2],
                    [y],
                    marker="o",
                    markersize=9,
                    color=colour,
                    markeredgecolor="#333333",
                    zorder=3,
                )
                axes.text(
                    (start + end) / 2,
                    y + 0.12 + 0.1 * (lane % 2),
                    status_label,
                    fontsize=8,
                    ha="center",
                    va="bottom",
                    zorder=4,
                )
                days.extend([low, high])
            for decision, when, chosen in outcomes:
                if when is None or decision not in rows:
                    continue
                middle = _day_number(when[0]) + (_day_number(when[1]) - _day_number(when[0])) / 2
                axes.plot(
                    [middle],
                    [rows[decision]],
                    marker="*",
                    markersize=15,
                    color="#2ca02c",
                    markeredgecolor="#333333",
                    zorder=5,
                )
                if chosen:
                    axes.text(
                        middle,
                        rows[decision] - 0.15,
                        label(chosen),
                        fontsize=8,
                        ha="center",
                        va="top",
                    )
                days.extend(when)
            if as_of is not None:
                axes.axvline(_day_number(as_of), color="#d62728", linestyle="--", lw=1.2, zorder=6)
                axes.text(
                    _day_number(as_of),
                    len(decisions) - 0.45 if decisions else 0.4,
                    f" {words[1]} {as_of.isoformat()}",
                    color="#d62728",
                    fontsize=8,
                    va="top",
                )
                days.append(as_of)
            if not decisions:
                axes.text(
                    0.5,
                    0.5,
                    words[3] + (f" ({words[1]} {as_of})" if as_of else ""),
                    transform=axes.transAxes,
                    ha="center",
                    va="center",
                    fontsize=12,
                )
            # A decision without a label is named by its question.
            names = [
                _shorten_text(
                    questions.get(d, label(d)) if label(d) == shorten(d) else label(d), 60
                )
                for d in decisions
            ]
            axes.set_yticks(range(len(decisions)), names)
            axes.set_ylim(-0.8, max(len(decisions) - 0.2, 0.8))
            axes.invert_yaxis()
            if days:
                low_day, high_day = min(days), max(days)
                pad = max((_day_number(high_day) - _day_number(low_day)) * 0.06, 20)
                axes.set_xlim(_day_number(low_day) - pad, _day_number(high_day) + pad)
                locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
                axes.xaxis.set_major_locator(locator)
                formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
                axes.xaxis.set_major_formatter(formatter)
            axes.grid(axis="x", color="#dddddd", zorder=0)
            handles: list[Any] = _legend_dots(status_seen)
            handles.append(Patch(facecolor="#9ecae1", edgecolor="#3182bd", label=words[0]))
            if outcomes:
                handles.append(
                    Line2D(
                        [0],
                        [0],
                        marker="*",
                        linestyle="",
                        markersize=12,
                        markerfacecolor="#2ca02c",
                        label=words[2],
                    )
                )
            axes.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                fontsize=8,
                frameon=False,
            )
            return _saved(figure, image_format)
        finally:
            plt.close(figure)


def _saved(figure: Any, image_format: str) -> bytes:
    """The figure as SVG or PNG bytes, with no date or other run-dependent metadata."""
    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format=image_format,
        dpi=100,
        bbox_inches="tight",
        metadata=_metadata(image_format),
    )
    return buffer.getvalue()


__all__ = [
    "CLAIM_MODES",
    "FORMATS",
    "Fact",
    "Source",
    "TimelineSummary",
    "colours",
    "decision_timeline",
    "exportable",
    "facts_of",
    "layout",
    "output_format",
    "render_dot",
    "render_html",
    "to_networkx",
    "write",
    "write_dot",
    "write_gexf",
    "write_graphml",
    "write_html",
    "write_png",
    "write_svg",
]


def _legend_dots(colours: dict[str, str]) -> list[Any]:
    """One round legend marker per name, in name order."""
    from matplotlib.lines import Line2D

    return [
        Line2D(
            [0],
            [0],
            marker="o",
            linestyle="",
            markersize=8,
            markerfacecolor=colour,
            markeredgecolor="#333333",
            label=name,
        )
        for name, colour in sorted(colours.items())
    ]
