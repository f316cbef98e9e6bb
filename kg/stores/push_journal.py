"""A push that dies halfway must not leave a server whose reads lie (issue 18, item 8).

`kg push` writes a journal graph on the server before its first graph (what it is
about to write, and when it started) and drops it after its last. While the journal
stands, the server holds some graphs new and some old, and maybe a deleted file's
graph: every reading command then stops with exit 3 and says to run `kg push` again,
which rewrites every graph and completes the push.

Each graph changes in one request (kg.stores.sparql_store.SparqlStore._put), so a push
that stops leaves each graph as it was or new, and its error says which (`stopped`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from rdflib import Graph, Literal, URIRef

from kg.model.errors import StoreError
from kg.model.namespaces import new_graph

# The journal's graph on the server (one of the graphs kg hides from the knowledge).
PUSH_GRAPH = "urn:x-motorsport-kg:push-in-progress"


class SparqlStore(Protocol):
    """What the journal needs of kg.stores.sparql_store.SparqlStore."""

    pushing: bool

    @property
    def description(self) -> str: ...

    def replace_graph(self, name: str, graph: Graph) -> None: ...
    def remove_graph(self, name: str) -> None: ...
    def drop_staged(self, names: Sequence[str]) -> None: ...
    def _names(self, sparql: str, dataset: list[tuple[str, str]]) -> set[str]: ...


PUSHING = URIRef("urn:x-motorsport-kg:pushing")
STARTED = URIRef("urn:x-motorsport-kg:push-started")
_JOURNAL_QUERY = "SELECT DISTINCT ?g WHERE { ?push <urn:x-motorsport-kg:pushing> ?g }"


def begin(store: SparqlStore, graphs: Sequence[str]) -> None:
    """Write the journal: the graphs this push writes, and when it started. The graphs
    of a push that stopped before (its journal still stands) that this one does not
    write lose what that push staged for them."""
    stopped_before = store._names(_JOURNAL_QUERY, [("default-graph-uri", PUSH_GRAPH)])
    # Before the new journal replaces the old one: stopped here, the next push tries again.
    store.drop_staged(sorted(stopped_before - set(graphs)))
    journal = new_graph()
    node = URIRef(PUSH_GRAPH)
    journal.add((node, STARTED, Literal(datetime.now(UTC).isoformat(timespec="seconds"))))
    for graph in graphs:
        journal.add((node, PUSHING, URIRef(graph)))
    store.pushing = True
    store.replace_graph(PUSH_GRAPH, journal)


def end(store: SparqlStore) -> None:
    """Drop the journal: every graph of the push is written."""
    store.remove_graph(PUSH_GRAPH)
    store.pushing = False


def refuse_a_half_done_push(store: SparqlStore) -> None:
    """A StoreError when the server holds the journal of a push that did not finish."""
    if store.pushing:
        return
    pending = store._names(_JOURNAL_QUERY, [("default-graph-uri", PUSH_GRAPH)])
    if pending:
        raise StoreError(
            f"{store.description}: a kg push to this server did not finish ({len(pending)} "
            "graphs were to be written): it holds some graphs new and some old, so its "
            "answers would mix them; run kg push again to complete it"
        )


def stopped(
    error: StoreError, planned: Sequence[str], replaced: Sequence[str], unsure: str | None
) -> StoreError:
    """The error of a push that stopped halfway, saying which of the `planned` graphs the
    server now holds new (`replaced`), which as they were before the push, and which one,
    if any, it may hold either way (`unsure`: its request got no answer)."""
    new = [graph for graph in replaced if graph != PUSH_GRAPH]
    old = [graph for graph in planned if graph not in replaced and graph != unsure]
    done = sum(1 for graph in planned if graph in replaced)
    maybe = f"; old or new (its request got no answer): <{unsure}>" if unsure in planned else ""
    return StoreError(
        f"{error.message}; the push stopped after {done} of {len(planned)} graphs: new: "
        f"{_listed(new)}{maybe}; as before the push: {_listed(old)}; every command reading "
        "the server says so until kg push is run again"
    )


def _listed(graphs: Sequence[str], shown: int = 3) -> str:
    if not graphs:
        return "none"
    names = ", ".join(f"<{graph}>" for graph in graphs[:shown])
    more = len(graphs) - shown
    return names + (f" and {more} more" if more > 0 else "")
