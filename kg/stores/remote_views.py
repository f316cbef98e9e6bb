"""Views of some of a SPARQL server's graphs (as of a day), merged on kg's side.

The default graph of a query over some graphs is their RDF merge, a set (SPARQL 1.1
§13). Naming them as `default-graph-uri`s leaves the union to the server, and
Oxigraph 0.5 counts a triple that two graphs state once per graph (issue 1919). So
a view is made here as the index makes its own (kg.stores.oxigraph_store,
kg.stores.merged): the graphs' quads, read from the server in one request, go into
an in-memory Oxigraph store as named graphs, each literal as the files write it
(kg.stores.terms.exact), with their merge as its default graph; the query runs
there with pyoxigraph and its answer is converted as the index converts its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rdflib import Literal

from kg.stores.base import QueryResult

# Reads the named graphs' quads from the server: (subject, predicate, object, graph).
Fetch = Callable[[Sequence[str]], list[tuple[Any, Any, Any, Any]]]


class MergedViews:
    """The views one store object has made, each once per set of graphs."""

    def __init__(self) -> None:
        self._views: dict[frozenset[str], tuple[Any, dict[Any, Literal]]] = {}
        # The literals each graph read holds under kg's datatype, as N-Triples.
        self._written_in: dict[str, set[str]] = {}

    def clear(self) -> None:
        """Forget every view: the server's graphs have changed."""
        self._views.clear()
        self._written_in.clear()

    def query(self, text: str, graphs: Sequence[str], fetch: Fetch) -> QueryResult:
        """Run `text` (bindings already written in) on the view of `graphs`.

        Raises what pyoxigraph raises (SyntaxError, OSError, RuntimeError)."""
        from kg.stores.oxigraph_store import query_result

        view, exact = self.view(graphs, fetch)
        return query_result(view.query(text), exact)

    def view(self, graphs: Sequence[str], fetch: Fetch) -> tuple[Any, dict[Any, Literal]]:
        """The view of `graphs` and its exact answers (kg.stores.oxigraph_store), made
        from a view made before that holds them all, else from the server."""
        key = frozenset(graphs)
        found = self._views.get(key)
        if found is not None:
            return found
        import pyoxigraph

        from kg.stores.merged import merged_view, with_merge
        from kg.stores.oxigraph_store import exact_answers_of

        names = sorted(key)
        wider = [view for other, (view, _) in self._views.items() if key < other]
        if wider:
            # As of a day, after a view of all the data files (kg.knowledge.asof).
            view = merged_view(wider[0], [pyoxigraph.NamedNode(name) for name in names])
        else:
            view = pyoxigraph.Store()
            view.extend(with_merge(self._held(names, fetch(names) if names else [])))
        written = set().union(*(self._written_in.get(name, set()) for name in names))
        found = self._views[key] = (view, exact_answers_of(view, written))
        return found

    def _held(self, names: Sequence[str], rows: list[tuple[Any, Any, Any, Any]]) -> list[Any]:
        """The quads read, each literal as a named graph of the index holds it."""
        import pyoxigraph

        from kg.stores.terms import exact, is_exact, plain

        for name in names:
            self._written_in[name] = set()
        quads = []
        for s, p, o, g in rows:
            if not isinstance(g, pyoxigraph.NamedNode) or None in (s, p, o):
                continue
            held = exact(o)  # kg push holds it so already; another writer may not
            if is_exact(held):
                self._written_in.setdefault(g.value, set()).add(str(plain(held)))
            quads.append(pyoxigraph.Quad(s, p, held, g))
        return quads
