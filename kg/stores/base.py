"""The one store interface every command goes through.

A store holds named graphs (one per source file) and answers SPARQL over the
union of all of them, or of a chosen subset (which is how "as known then"
views are made). Backends: an in-memory rdflib dataset here; an on-disk index
and remote SPARQL servers implement the same protocol elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.term import Identifier, Node

from kg.model.errors import QueryError
from kg.model.namespaces import new_graph

Quad = tuple[Node, Node, Node, URIRef]

QueryKind = TypingLiteral["select", "ask", "graph"]


@dataclass(frozen=True)
class QueryResult:
    """The answer to a query, independent of the backend that produced it."""

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Identifier | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)

    def dicts(self) -> list[dict[str, Identifier | None]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


class Store(Protocol):
    """What every backend offers. Graph names are IRIs as strings."""

    @property
    def description(self) -> str:
        """A short human name for messages ("in-memory", "oxigraph index at ...")."""
        ...

    def graph_names(self) -> list[str]: ...

    def replace_graph(self, name: str, graph: Graph) -> None:
        """Load `graph` as the named graph `name`, replacing whatever was there."""
        ...

    def remove_graph(self, name: str) -> None: ...

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run SPARQL over the union of `graphs` (all graphs when None).

        `bindings` bind variables to RDF terms before evaluation; values are never
        pasted into the query text.
        """
        ...

    def quads(self, graphs: Sequence[str] | None = None) -> Iterator[Quad]: ...

    def graph(self, name: str) -> Graph:
        """A copy of one named graph."""
        ...

    def union(self, graphs: Sequence[str] | None = None) -> Graph:
        """A copy of the union of `graphs` (all when None), with the project's prefixes."""
        ...

    def close(self) -> None: ...


def graph_of(quads: Iterator[Quad], identifier: str | None = None) -> Graph:
    """The triples of some quads as one graph with the project's prefixes (graphs merged)."""
    result = new_graph(identifier=identifier)
    for s, p, o, _ in quads:
        result.add((s, p, o))
    return result


def syntax_error(error: Exception, line_offset: int = 0) -> QueryError:
    """A parser error as a QueryError with 'line L, column C' where the parser gives them."""
    line = getattr(error, "lineno", None)
    column = getattr(error, "col", None)
    msg = getattr(error, "msg", None) or str(error)
    if isinstance(line, int) and isinstance(column, int):
        line -= line_offset
        where = f"line {line}, column {column}"
        return QueryError(f"SPARQL syntax error at {where}: {msg}", line, column)
    return QueryError(f"SPARQL syntax error: {msg}")


def described_syntax_error(sparql: str, error: SyntaxError) -> QueryError:
    """The same message the in-memory store gives, so output does not depend on the backend."""
    try:
        check_with_rdflib(sparql)
    except QueryError as described:
        return described
    return QueryError(f"SPARQL syntax error: {error}")


def check_with_rdflib(sparql: str) -> None:
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(sparql)
    except Exception as error:  # rdflib raises pyparsing and its own errors
        raise syntax_error(error) from error
