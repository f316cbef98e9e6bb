"""The one store interface every command goes through.

A store holds named graphs (one per source file) and answers SPARQL over the
union of all of them, or of a chosen subset (which is how "as known then"
views are made). Backends: an in-memory rdflib dataset here; an on-disk index
and remote SPARQL servers implement the same protocol elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Identifier, Node

from kg.model.errors import QueryError
from kg.model.namespaces import bind_all, new_graph

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


class MemoryStore:
    """Named graphs in an rdflib Dataset, all in memory. For tests and small graphs."""

    def __init__(self) -> None:
        self._dataset = Dataset(default_union=True)
        bind_all(self._dataset)
        self._views: dict[frozenset[str], Dataset] = {}

    @property
    def description(self) -> str:
        return "in-memory store"

    def graph_names(self) -> list[str]:
        return sorted(
            str(g.identifier)
            for g in self._dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g) > 0
        )

    def replace_graph(self, name: str, graph: Graph) -> None:
        # Literals as the on-disk index keeps them, so every backend answers alike.
        from kg.stores.terms import canonical

        target = self._dataset.graph(URIRef(name))
        target.remove((None, None, None))
        for s, p, o in graph:
            target.add((s, p, canonical(o)))
        self._views.clear()

    def remove_graph(self, name: str) -> None:
        self._dataset.remove_graph(URIRef(name))
        self._views.clear()

    def _view(self, graphs: Sequence[str] | None) -> Dataset:
        if graphs is None:
            return self._dataset
        key = frozenset(graphs)
        view = self._views.get(key)
        if view is None:
            # A dataset holding only the chosen graphs, so that both the default
            # graph and GRAPH ?g patterns see exactly that subset.
            view = Dataset(default_union=True)
            bind_all(view)
            for name in sorted(key):
                source = self._dataset.graph(URIRef(name))
                target = view.graph(URIRef(name))
                for triple in source:
                    target.add(triple)
            self._views[key] = view
        return view

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(sparql)
        except Exception as error:  # rdflib raises pyparsing and its own errors
            raise syntax_error(error) from error
        init = {name: value for name, value in (bindings or {}).items()}
        try:
            result = self._view(graphs).query(prepared, initBindings=init)
        except Exception as error:  # evaluation errors come in many types
            raise QueryError(f"the query failed while running: {error}") from error
        return _from_rdflib_result(result)

    def quads(self, graphs: Sequence[str] | None = None) -> Iterator[Quad]:
        names = self.graph_names() if graphs is None else sorted(graphs)
        for name in names:
            iri = URIRef(name)
            for s, p, o in self._dataset.graph(iri):
                yield s, p, o, iri

    def graph(self, name: str) -> Graph:
        return graph_of(self.quads([name]), identifier=name)

    def union(self, graphs: Sequence[str] | None = None) -> Graph:
        return graph_of(self.quads(graphs))

    def close(self) -> None:
        self._views.clear()


def _from_rdflib_result(result: object) -> QueryResult:
    from rdflib.query import Result

    assert isinstance(result, Result)
    if result.type == "ASK":
        return QueryResult(kind="ask", boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = new_graph()
        for triple in result:
            graph.add(triple)  # type: ignore[arg-type]
        return QueryResult(kind="graph", graph=graph)
    variables = tuple(str(v) for v in (result.vars or []))
    rows = tuple(tuple(row) for row in result)  # type: ignore[arg-type]
    return QueryResult(kind="select", variables=variables, rows=rows)  # type: ignore[arg-type]


STORE_KINDS = ("oxigraph", "memory", "sparql")


def open_store(spec: str | None, sources: Sequence[Path] | None = None) -> Store:
    """Open a store by spec: `oxigraph[:PATH]`, `memory` or `sparql:URL` (see kg.stores).

    None means the configured store (KG_STORE, kg.toml/.kg.toml, else `oxigraph`);
    `sources` (the ontology and data folders) choose the default index location.
    """
    from kg.stores.sync import open_spec

    return open_spec(spec, sources)
