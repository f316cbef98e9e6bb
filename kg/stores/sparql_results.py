"""A server's answers read into rdflib terms, each value as the files write it.

SPARQL JSON results and N-Triples become rdflib terms; kg's own datatype
(kg.stores.terms.EXACT_DATATYPE) is undone. Virtuoso 7.2 answers some values in
forms of its own, which are turned back here: a boolean as 1 or 0, a duration as
its number of seconds. A duration that the server keeps only approximately goes
through `restore` (kg.stores.durations) when one is given.

May import: kg.model, kg.stores.config, kg.stores.http_client, kg.stores.terms, rdflib,
pyoxigraph and the standard library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from kg.model.errors import StoreError
from kg.model.namespaces import new_graph
from kg.stores.base import QueryResult
from kg.stores.config import redact
from kg.stores.http_client import Reply
from kg.stores.terms import EXACT_DATATYPE, XSD_STRING

_XSD = "http://www.w3.org/2001/XMLSchema#"
_BOOLEAN = _XSD + "boolean"
_DURATION = _XSD + "duration"
_SECONDS = re.compile(r"-?\d+(\.\d+)?")

# Turns a duration as the server answered it into the one the files write.
Restore = Callable[[Literal], Literal]


def is_virtuoso(reply: Reply) -> bool:
    """Whether Virtuoso answered: only its own forms are turned back, another server
    keeps "1"^^xsd:boolean as the files write it (kg.stores.terms.exact)."""
    return (reply.header("Server") or "").startswith("Virtuoso")


def parse_json_results(
    reply: Reply, url: str, excerpt: Callable[[bytes], str], restore: Restore | None = None
) -> QueryResult:
    try:
        document = json.loads(reply.body.decode("utf-8"))
        if "boolean" in document:
            return QueryResult(kind="ask", boolean=bool(document["boolean"]))
        variables = tuple(str(v) for v in document["head"]["vars"])
        virtuoso = is_virtuoso(reply)
        rows = tuple(
            tuple(json_term(binding.get(variable), virtuoso, restore) for variable in variables)
            for binding in document["results"]["bindings"]
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise not_results(reply, url, excerpt) from error
    return QueryResult(kind="select", variables=variables, rows=rows)


def not_results(reply: Reply, url: str, excerpt: Callable[[bytes], str]) -> StoreError:
    content_type = excerpt(reply.content_type.encode()) or "none"
    return StoreError(
        f"the SPARQL endpoint {redact(url)} answered with something that is not SPARQL JSON "
        f"results (Content-Type {content_type!r}: {excerpt(reply.body)!r}); "
        "check that --store names the query endpoint"
    )


def json_term(
    value: Any, virtuoso: bool = False, restore: Restore | None = None
) -> Identifier | None:
    if value is None:
        return None
    kind = value["type"]
    text = value["value"]
    if not isinstance(text, str):
        raise TypeError("term value is not a string")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        if language:
            return Literal(text, lang=language)
        datatype = value.get("datatype")
        if datatype and datatype.startswith(EXACT_DATATYPE):
            # Held as written: nothing of the server's own forms to undo.
            datatype = datatype[len(EXACT_DATATYPE) :]
            return (
                Literal(text, datatype=URIRef(datatype))
                if datatype != XSD_STRING
                else Literal(text)
            )
        if datatype and datatype != XSD_STRING:
            return as_written(text, datatype, virtuoso, restore)
        return Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


def as_written(text: str, datatype: str, virtuoso: bool, restore: Restore | None) -> Literal:
    """A typed literal as the server answered it, turned into the files' form."""
    literal = Literal(lexical(text, datatype) if virtuoso else text, datatype=URIRef(datatype))
    if restore is not None and datatype == _DURATION:
        return restore(literal)
    return literal


def lexical(text: str, datatype: str) -> str:
    """The canonical form of a value that Virtuoso 7.2 answers in its own: a boolean as
    1 or 0, a duration as its number of seconds."""
    if datatype == _BOOLEAN and text in ("1", "0"):
        return "true" if text == "1" else "false"
    if datatype == _DURATION and _SECONDS.fullmatch(text):
        from kg.stores.terms import canonical

        seconds = abs(Decimal(text))
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, rest = divmod(rest, 60)
        sign = "-" if text.startswith("-") else ""
        written = f"{sign}P{days}DT{hours}H{minutes}M{rest.normalize():f}S"
        return str(canonical(Literal(written, datatype=URIRef(datatype))))
    return text


def parse_ntriples(
    reply: Reply, url: str, scrub: Callable[[str], str], restore: Restore | None = None
) -> Graph:
    import pyoxigraph

    from kg.stores.terms import triple_to_rdflib

    graph = new_graph()
    virtuoso = is_virtuoso(reply)
    try:
        for triple in pyoxigraph.parse(input=reply.body, format=pyoxigraph.RdfFormat.N_TRIPLES):
            s, p, o = triple_to_rdflib(triple)
            literal = triple.object
            if isinstance(literal, pyoxigraph.Literal) and not literal.language:
                datatype = literal.datatype.value
                if datatype in (_BOOLEAN, _DURATION):
                    o = as_written(literal.value, datatype, virtuoso, restore)
            graph.add((s, p, o))
    except (SyntaxError, ValueError) as error:
        raise StoreError(
            f"the SPARQL endpoint {redact(url)} answered with something that is not N-Triples "
            f"(Content-Type {scrub(reply.content_type)[:80]!r}): {scrub(str(error))[:200]}"
        ) from error
    return graph


def fixed_quad_object(term: Any, restore: Restore | None) -> Any:
    """A pyoxigraph object read from a server that is not Virtuoso, as the files write
    it: a duration restored where the server needs it. kg's own datatype is kept (it
    says how a named graph holds the literal), except on a duration: Oxigraph keeps
    those as written, so a view holds them as the index does."""
    import pyoxigraph

    if not isinstance(term, pyoxigraph.Literal) or term.language:
        return term
    datatype = term.datatype.value
    if datatype == EXACT_DATATYPE + _DURATION:
        return pyoxigraph.Literal(term.value, datatype=pyoxigraph.NamedNode(_DURATION))
    if datatype != _DURATION or restore is None:
        return term
    from kg.stores.terms import to_oxigraph

    return to_oxigraph(restore(Literal(term.value, datatype=URIRef(datatype))))
