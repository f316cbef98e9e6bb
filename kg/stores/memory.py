"""The in-memory store: named graphs in an rdflib Dataset, loaded from the files on every run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Identifier

from kg.model.errors import QueryError
from kg.model.namespaces import bind_all, new_graph
from kg.stores.base import Quad, QueryResult, graph_of, syntax_error
from kg.stores.projection import explicit, star_ordered, star_projection

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query


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
        # The terms as the file writes them (kg.model.namespaces keeps rdflib from
        # rewriting literals).
        target = self._dataset.graph(URIRef(name))
        target.remove((None, None, None))
        for triple in graph:
            target.add(triple)
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

    @star_ordered
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        try:
            prepared = _prepared(sparql)
        except RecursionError as error:
            raise QueryError(
                "the query nests too deeply for the in-memory store's SPARQL parser "
                "(rdflib); give it fewer brackets inside one another"
            ) from error
        except Exception as error:  # rdflib raises pyparsing and its own errors
            raise syntax_error(error) from error
        import rdflib.plugins.sparql

        # `FROM <url>` names a graph of the store, as in Oxigraph: rdflib would otherwise
        # fetch the URL while answering (an outbound request nobody asked for).
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        init = {name: value for name, value in (bindings or {}).items()}
        try:
            # rdflib evaluates lazily: reading the rows runs the query.
            return _from_rdflib_result(self._view(graphs).query(prepared, initBindings=init))
        except Exception as error:  # evaluation errors come in many types
            raise QueryError(f"the query failed while running: {error}") from error

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


@lru_cache(maxsize=512)
def _prepared(sparql: str) -> Query:
    """The parsed and translated query, once per text: rdflib's parser (pyparsing) takes
    0.05 to 0.1 s a query, more than most queries take to run, and answers, briefings and
    the walk of `kg viz` send the same text again with other bindings."""
    from rdflib.plugins.sparql import prepareQuery

    star = star_projection(sparql)
    if star is not None and star.scoped and star.variables:
        # rdflib's `SELECT *` has columns no other store gives (variables only a FILTER
        # or MINUS names) and lacks some (a VALUES after the WHERE group): asked for by
        # name, the columns are the in-scope variables (kg.stores.projection).
        try:
            return prepareQuery(explicit(sparql, star.variables))
        except Exception:  # noqa: BLE001  (rdflib raises pyparsing and its own errors)
            pass  # the text as written raises its own error, at its own place
    return prepareQuery(sparql)


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
