"""The data as an index of triples: built from rdflib graphs or read from Oxigraph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.validation.fast.terms import Triple, ntriples, to_oxigraph, triples_from_oxigraph

if TYPE_CHECKING:
    from kg.model.files import KnowledgeFile

# Looked up once: an rdflib namespace attribute costs a Python call each time, and the
# index is asked a few hundred thousand times at 100 thousand triples.
_TYPE = RDF.type
_SUBCLASS_OF = RDFS.subClassOf


class TripleIndex:
    """Subject -> predicate -> objects and object -> predicate -> subjects, as sets."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.out: dict[Node, dict[Node, set[Node]]] = {}
        self.inc: dict[Node, dict[Node, set[Node]]] = {}
        self._types: dict[Node, frozenset[Node]] = {}
        # Every triple of the index as N-Triples, when it was read from Oxigraph (see
        # index_from_oxigraph): SPARQL-based checks load it without converting terms.
        self.ntriples: list[bytes] | None = None
        self.add_all(triples)

    def add_all(self, triples: Iterable[Triple]) -> None:
        out, inc = self.out, self.inc
        for s, p, o in triples:
            po = out.get(s)
            if po is None:
                po = out[s] = {}
            objects = po.get(p)
            if objects is None:
                objects = po[p] = set()
            objects.add(o)
            ps = inc.get(o)
            if ps is None:
                ps = inc[o] = {}
            subjects = ps.get(p)
            if subjects is None:
                subjects = ps[p] = set()
            subjects.add(s)
        self._types.clear()
        self.ntriples = None

    def __len__(self) -> int:
        return sum(len(objs) for po in self.out.values() for objs in po.values())

    def objects(self, subject: Node, predicate: Node) -> set[Node]:
        po = self.out.get(subject)
        if po is None:
            return set()
        return po.get(predicate, set())

    def subjects(self, predicate: Node, obj: Node) -> set[Node]:
        ps = self.inc.get(obj)
        if ps is None:
            return set()
        return ps.get(predicate, set())

    def triples(self) -> Iterator[Triple]:
        for s, po in self.out.items():
            for p, objects in po.items():
                for o in objects:
                    yield s, p, o

    def superclasses(self, cls: Node) -> frozenset[Node]:
        """`cls` and everything it is an rdfs:subClassOf*, cycles tolerated."""
        cached = self._types.get(cls)
        if cached is not None:
            return cached
        seen = {cls}
        stack = [cls]
        while stack:
            for parent in self.objects(stack.pop(), _SUBCLASS_OF):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        result = frozenset(seen)
        self._types[cls] = result
        return result

    def subclasses(self, cls: Node) -> set[Node]:
        seen = {cls}
        stack = [cls]
        while stack:
            for child in self.subjects(_SUBCLASS_OF, stack.pop()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def instances(self, cls: Node) -> set[Node]:
        found: set[Node] = set()
        for sub in self.subclasses(cls):
            found |= self.subjects(_TYPE, sub)
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return any(cls in self.superclasses(t) for t in self.objects(node, _TYPE))


def build_index(data: Graph | Dataset | Iterable[Triple], ontology: Graph | None) -> TripleIndex:
    """The data and the ontology as one index (pyshacl mixes the ontology in the same way)."""
    index = TripleIndex()
    if isinstance(data, Dataset):
        index.add_all((s, p, o) for s, p, o, _ in data.quads((None, None, None, None)))
    else:
        index.add_all(data)
    if ontology is not None:
        index.add_all(ontology)
    return index


def count_data_entities(data: Graph | Dataset | TripleIndex) -> int:
    """The typed IRIs of the data: the entities a report says it checked."""
    if isinstance(data, TripleIndex):
        return len({s for s, po in data.out.items() if isinstance(s, URIRef) and RDF.type in po})
    return len({s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)})


def _as_values(quads: Sequence[Any]) -> Iterator[Any]:
    """The quads' triples with each literal as a value: the SPARQL-based checks compare
    numbers and dates (an index holds some under kg's own datatype: kg.stores.terms)."""
    import pyoxigraph as ox

    from kg.stores.terms import is_exact, plain

    for quad in quads:
        if is_exact(quad.object):
            yield ox.Triple(quad.subject, quad.predicate, plain(quad.object))
        else:
            yield quad.triple


def index_from_oxigraph(
    handle: Any, files: Sequence[KnowledgeFile], ontology: Graph
) -> tuple[TripleIndex, int, dict[Node, str]]:
    """The graphs of the data `files` in an Oxigraph store and the ontology as one
    index, read straight from the store (no rdflib graph in between); the number of
    typed entities in the data (the ontology's classes are not counted); and each
    typed IRI's first file in the order given (what Knowledge.defining_files answers
    with a query, read here on the way).

    Read from the store, not parsed again from the files: the store's graphs hold each
    literal as the file writes it (kg.stores.terms.exact).
    """
    import pyoxigraph as ox

    index = TripleIndex()
    chunks: list[bytes] = []
    cache: dict[Any, Any] = {}
    typed_in: dict[Node, str] = {}
    rdf_type = ox.NamedNode(str(_TYPE))
    for item in files:
        quads = list(handle.quads_for_pattern(None, None, None, ox.NamedNode(item.graph)))
        index.add_all(triples_from_oxigraph(quads, cache))
        shown = item.display
        for quad in quads:
            if quad.predicate == rdf_type and isinstance(quad.subject, ox.NamedNode):
                typed_in.setdefault(cache[quad.subject], shown)
        # Kept as N-Triples for the SPARQL-based checks: reading the store again costs
        # as much as this read, converting the terms back from rdflib twice that.
        chunks.append(ntriples(_as_values(quads)))
    entities = count_data_entities(index)
    index.add_all(ontology)
    chunks.append(
        ntriples(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in ontology)
    )
    index.ntriples = chunks
    return index, entities, typed_in
