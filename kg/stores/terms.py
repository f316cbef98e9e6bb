"""RDF terms across libraries: rdflib for callers, pyoxigraph inside, N-Triples on the wire.

Callers always see rdflib terms, whatever the backend, so results compare equal.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.model.errors import UsageError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Characters that N-Triples forbids inside <...>; a term holding one cannot be sent safely.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_BNODE_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def to_rdflib(term: Any) -> Identifier | None:
    """A pyoxigraph term as the equal rdflib term (None stays None)."""
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise UsageError(f"RDF-star triple terms are not supported (found {term})")


def triple_to_rdflib(triple: Any) -> tuple[Node, Node, Node]:
    """A pyoxigraph triple or quad's subject, predicate and object as rdflib terms."""
    s, p, o = (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
    assert s is not None and p is not None and o is not None
    return s, p, o


def to_oxigraph(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term; an IRI that is not one becomes a UsageError."""
    import pyoxigraph

    try:
        if isinstance(term, URIRef):
            return pyoxigraph.NamedNode(str(term))
        if isinstance(term, BNode):
            return pyoxigraph.BlankNode(_bnode_label(term))
        if isinstance(term, Literal):
            if term.language:
                return pyoxigraph.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(term.datatype))
            return pyoxigraph.Literal(str(term))
    except ValueError as error:
        raise UsageError(f"{term!r} is not a valid RDF term: {error}") from error
    raise UsageError(f"unsupported RDF term {term!r}")


def _bnode_label(node: BNode) -> str:
    label = str(node)
    if _BNODE_LABEL.match(label):
        return label
    # rdflib accepts any string as a blank node id; oxigraph wants a plain label.
    import hashlib

    return "h" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:24]


def ntriples(term: Identifier) -> str:
    """A term written as N-Triples (the only way a value enters query text sent to a server).

    Everything is escaped or checked here, so no user text can change the query.
    """
    if isinstance(term, URIRef):
        iri = str(term)
        if not iri or _BAD_IRI.search(iri):
            raise UsageError(f"{iri!r} is not an IRI that can be sent in a query")
        return f"<{iri}>"
    if isinstance(term, Literal):
        text = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if term.language:
            if not _LANGUAGE.match(term.language):
                raise UsageError(f"{term.language!r} is not a language tag")
            return f'"{text}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f'"{text}"^^{ntriples(URIRef(term.datatype))}'
        return f'"{text}"'
    raise UsageError(
        f"{term!r} cannot be bound for a remote server: bind an IRI or a literal, not a blank node"
    )


_CANONICAL: dict[tuple[str, str], Literal] = {}
_SCRATCH: list[Any] = []


def canonical(term: Node) -> Node:
    """A typed literal in the form Oxigraph stores it ("203.0"^^xsd:decimal -> "203").

    Oxigraph keeps numbers, dates and durations as values and writes them back in
    canonical form. Other stores pass their literals through here so that every
    backend shows the same text for the same data.
    """
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    key = (str(term), str(term.datatype))
    found = _CANONICAL.get(key)
    if found is None:
        import pyoxigraph

        if not _SCRATCH:
            _SCRATCH.append(pyoxigraph.Store())
        scratch = _SCRATCH[0]
        node = pyoxigraph.NamedNode("urn:x-motorsport-kg:canonical")
        try:
            value = pyoxigraph.Literal(key[0], datatype=pyoxigraph.NamedNode(key[1]))
        except ValueError:
            return term
        scratch.add(pyoxigraph.Quad(node, node, value, node))
        stored = next(iter(scratch.quads_for_pattern(node, node, None, node))).object
        scratch.remove(pyoxigraph.Quad(node, node, stored, node))
        converted = to_rdflib(stored)
        assert isinstance(converted, Literal)
        found = converted
        if len(_CANONICAL) < 100_000:
            _CANONICAL[key] = found
    return found
