"""The index's default graph: the RDF merge of its named graphs, kept in step with them.

The default graph a query sees is an RDF graph, a set (SPARQL 1.1 §13): a triple
that two files state is one triple. Oxigraph 0.5 counts it once per graph when the
default graph is the union of named graphs (its union option, or several FROM
graphs: Oxigraph issue 1919, fixed only after 0.5), so `?team a ms:Team` gave 51
rows on the bundled data where every other engine gives 49. The index therefore
keeps the merge itself, in Oxigraph's default graph:

- every staged file states each triple twice, once in the file's own graph and
  once in the default graph, and both are loaded in one go, so a blank node is the
  same term in both (kg.stores.index);
- dropping a file's graph drops from the merge the triples no other graph states;
- a query over every graph reads the default graph and sees each named graph for
  `GRAPH ?g`; a view of some graphs (as of a day) is a merged copy in memory,
  made once per process and view.

A named graph holds each literal as its file writes it, where Oxigraph would
rewrite one under kg's own datatype (kg.stores.terms.exact); the merge holds the
plain literal, which Oxigraph keeps as a value, so that queries compare numbers
and dates as the memory store does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from kg.stores.terms import is_exact, may_be_rewritten, plain, stored_form


def drop_graph(handle: Any, name: Any) -> None:
    """Remove the named graph `name`, and from the merge each of its triples that no
    other named graph states."""
    import pyoxigraph

    old = list(handle.quads_for_pattern(None, None, None, name))
    with contextlib.suppress(ValueError):  # the graph was not there
        handle.remove_graph(name)
    default = pyoxigraph.DefaultGraph()
    for quad in old:
        value = plain(quad.object)
        if not _stated_elsewhere(handle, quad.subject, quad.predicate, value):
            handle.remove(pyoxigraph.Quad(quad.subject, quad.predicate, value, default))


def _stated_elsewhere(handle: Any, subject: Any, predicate: Any, value: Any) -> bool:
    """Whether a named graph still states the merge's triple (subject, predicate, value)."""
    import pyoxigraph

    def named(quads: Iterable[Any]) -> Iterator[Any]:
        return (q for q in quads if not isinstance(q.graph_name, pyoxigraph.DefaultGraph))

    # A plain term: Oxigraph finds every graph that holds it, or an equal value.
    if any(True for _ in named(handle.quads_for_pattern(subject, predicate, value, None))):
        return True
    if not isinstance(value, pyoxigraph.Literal) or not may_be_rewritten(value):
        return False
    # A literal some graph may hold under kg's own datatype (another lexical form).
    wanted = stored_form(value)
    return any(
        is_exact(other.object) and stored_form(plain(other.object)) == wanted
        for other in named(handle.quads_for_pattern(subject, predicate, None, None))
    )


def with_merge(quads: Iterable[Any]) -> list[Any]:
    """The quads, each followed by its triple in the default graph (the merge)."""
    import pyoxigraph

    default = pyoxigraph.DefaultGraph()
    both: list[Any] = []
    for quad in quads:
        both.append(quad)
        both.append(pyoxigraph.Quad(quad.subject, quad.predicate, plain(quad.object), default))
    return both


def merged_view(handle: Any, graphs: Sequence[Any]) -> Any:
    """An in-memory store holding `graphs` as named graphs and their merge as its default."""
    import pyoxigraph

    view = pyoxigraph.Store()
    for name in graphs:
        view.extend(with_merge(handle.quads_for_pattern(None, None, None, name)))
    return view
