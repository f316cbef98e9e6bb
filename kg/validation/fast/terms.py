"""Moving terms and triples between rdflib and pyoxigraph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rdflib import BNode, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


def to_oxigraph(node: Node) -> Any:
    import pyoxigraph as ox

    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    assert isinstance(node, RDFLiteral)
    if node.language:
        return ox.Literal(str(node), language=node.language)
    if node.datatype is not None:
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
    return ox.Literal(str(node))


def to_rdflib(term: Any) -> Node | None:
    """A pyoxigraph term as rdflib's; a literal an index holds under kg's own datatype
    comes back as the file wrote it (kg.stores.terms.exact)."""
    from kg.stores.terms import to_rdflib as converted

    return converted(term)


def oxigraph_store(triples: Iterable[Triple]) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.DefaultGraph())
        for s, p, o in triples
    )
    return store


def oxigraph_store_from(chunks: Sequence[bytes]) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    for chunk in chunks:
        store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
    return store


def ntriples(triples: Iterable[Any]) -> bytes:
    import pyoxigraph as ox

    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # no output given: the bytes are returned
    return data


def triples_from_oxigraph(
    quads: Iterable[Any], cache: dict[Any, Any] | None = None
) -> Iterator[Triple]:
    """Pyoxigraph quads or triples as rdflib triples. Each distinct term is converted
    once (`cache`, shared between calls, maps pyoxigraph terms to rdflib ones): making
    an rdflib literal parses its value, and most values recur."""
    import pyoxigraph as ox

    known: dict[Any, Any] = {} if cache is None else cache
    blank = ox.BlankNode

    def term(value: Any) -> Any:
        found = known.get(value)
        if found is None:
            found = known[value] = (
                BNode(value.value) if isinstance(value, blank) else to_rdflib(value)
            )
        return found

    for quad in quads:
        yield term(quad.subject), term(quad.predicate), term(quad.object)
