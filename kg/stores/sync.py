"""Opening a store by its spec, and keeping it in step with the files.

  oxigraph   an on-disk index, refreshed incrementally (kg.stores.index)   [default]
  memory     rdflib in memory, loaded from the files on every run
  sparql     a SPARQL 1.1 server, filled by `kg push`, read by every other command

Light to import: backends load their libraries only when opened.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model.errors import StoreError, UsageError

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.model.files import KnowledgeFile
    from kg.stores.base import Store
    from kg.stores.oxigraph_store import OxigraphStore


@dataclass(frozen=True)
class LoadSummary:
    files: tuple[KnowledgeFile, ...]
    triples: int


def open_store(spec: str | None, sources: Sequence[Path] | None = None) -> Store:
    """Open a store by spec: `oxigraph[:PATH]`, `memory` or `sparql:URL` (see kg.stores).

    None means the configured store (KG_STORE, kg.toml/.kg.toml, else `oxigraph`);
    `sources` (the ontology and data folders) choose the default index location.
    """

    return open_spec(spec, sources)


def open_spec(
    spec: str | None,
    sources: Sequence[Path] | None = None,
    gsp_url: str | None = None,
    update_url: str | None = None,
) -> Store:
    """Open the store a spec names; None means KG_STORE, then kg.toml, then `oxigraph`.

    `sources` are the folders the knowledge comes from; they choose the default index.
    `gsp_url` and `update_url` override those of a `sparql:` spec (and need one).
    """
    from kg.stores.config import configured_spec, default_index_location, parse_spec

    origin = "--store"
    if spec is None or not spec.strip():
        spec, origin = configured_spec()
    parsed = parse_spec(spec, origin)
    if (gsp_url or update_url) and parsed.kind != "sparql":
        raise UsageError(f"--gsp-url and --update-url go with a sparql:URL store, not {spec!r}")
    if parsed.kind == "memory":
        from kg.stores.memory import MemoryStore

        return MemoryStore()
    if parsed.kind == "oxigraph":
        from kg.model import paths
        from kg.stores.oxigraph_store import OxigraphStore

        if parsed.location is not None:
            return OxigraphStore(Path(parsed.location))
        chosen = list(sources) if sources else [paths.ontology_dir(), *paths.default_data()]
        return OxigraphStore(default_index_location(chosen))
    from kg.stores.sparql_store import SparqlStore

    assert parsed.location is not None
    return SparqlStore(
        parsed.location,
        gsp_url=gsp_url or parsed.gsp_url,
        update_url=update_url or parsed.update_url,
    )


def sync(store: Store, files: Sequence[KnowledgeFile]) -> None:
    """Make `store` answer for exactly `files`, in the cheapest way its kind allows."""
    from kg.stores.oxigraph_store import OxigraphStore

    if isinstance(store, OxigraphStore):
        from kg.stores.index import refresh

        _say_repaired(store, refresh(store, files).damage)
        store.repair = functools.partial(_repair, store, tuple(files))
        return
    from kg.stores.sparql_store import SparqlStore

    if isinstance(store, SparqlStore):
        # The server is the store: reading never writes to it; `kg push` fills it.
        wanted = {item.graph for item in files}
        if wanted and not wanted & set(store.graph_names()):
            raise StoreError(
                f"{store.description} holds none of the knowledge's graphs; "
                "publish them first with 'kg push --store sparql:URL --gsp-url URL'"
            )
        return
    load(store, files)


def _say_repaired(store: OxigraphStore, damage: str | None) -> None:
    if damage is not None:
        # The index is a cache of the files: repaired, the command goes on (exit 0).
        from kg.stores.read_marks import CUT_SHORT

        state = "may have been damaged" if damage.startswith(CUT_SHORT) else "was damaged"
        print(
            f"kg: note: the index at {store.root} {state} ({damage}); rebuilt from the files",
            file=sys.stderr,
        )


def _repair(store: OxigraphStore, files: Sequence[KnowledgeFile], damage: str) -> None:
    """A read found the index damaged: build it again from the files, saying so."""
    from kg.stores.index import rebuild

    rebuild(store, files, damage)
    store.reader()  # under the shared lock again, as after a refresh
    _say_repaired(store, damage)


@dataclass(frozen=True)
class PushSummary:
    target: str
    files: int
    triples: int
    removed: tuple[str, ...]


def push(store: Store, files: Sequence[KnowledgeFile], prune: bool = False) -> PushSummary:
    """Load every file into `store` as its own named graph, replacing what was there.

    Everything is parsed before the first graph is sent, so a file with an error
    stops the push with the store untouched. With `prune`, graphs of the project's
    graph namespace that no file provides any more are removed.
    """
    from kg.stores.oxigraph_store import OxigraphStore

    if isinstance(store, OxigraphStore):
        from kg.stores.index import rebuild

        summary = rebuild(store, files)
        return PushSummary(store.description, len(files), summary.triples_loaded, ())
    with _collector_paused():
        return _push_parsed(store, files, prune)


def _push_parsed(store: Store, files: Sequence[KnowledgeFile], prune: bool) -> PushSummary:
    from kg.stores.sparql_store import MERGE_GRAPH, WRITTEN_GRAPH, SparqlStore

    parsed = _parse_all(files)
    if not isinstance(store, SparqlStore):
        loaded = _replace_all(store, parsed)
        removed = _prune(store, files) if prune else []
        return PushSummary(store.description, len(files), loaded.triples, tuple(removed))
    from kg.stores import push_journal

    # A journal on the server while the graphs go in: a push that dies halfway leaves
    # it, and reads then refuse the mixed server instead of answering from it.
    planned = [item.graph for item, _ in parsed]
    push_journal.begin(store, planned)
    planned += [MERGE_GRAPH, WRITTEN_GRAPH]
    store.replaced.clear()
    store.unsure = None
    try:
        triples = 0
        for item, graph in parsed:
            store.replace_graph(item.graph, graph)
            triples += len(graph)
        # The merge beside the graphs: the default graph of a query over all of them.
        from kg.model.namespaces import new_graph

        merge = new_graph()
        for _, graph in parsed:
            for triple in graph:
                merge.add(triple)
        store.replace_graph(MERGE_GRAPH, merge)
        store.replace_graph(WRITTEN_GRAPH, _written(parsed))
        removed = _prune(store, files) if prune else []
        push_journal.end(store)
    except StoreError as error:
        raise push_journal.stopped(error, planned, store.replaced, store.unsure) from error
    return PushSummary(store.description, len(files), triples, tuple(removed))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while kg push parses, merges and sends.

    The push holds every file's graph and their merge at once, millions of objects that
    live until it ends and hold no garbage cycles. A full collection walks every one of
    them, and walks them again each time a quarter more have been made: at 100 thousand
    triples the push spent 1.2 s in full collections, at 300 thousand 7.1 s, a cost that
    grew faster than the data (issue 19, benchmarks/README.md). Memory is still freed
    by reference counting; the collector runs again afterwards.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _prune(store: Store, files: Sequence[KnowledgeFile]) -> list[str]:
    """Remove the graphs of the project's namespace that no file provides any more."""
    from kg.model.namespaces import GRAPH

    wanted = {item.graph for item in files}
    removed = []
    for name in store.graph_names():
        if name.startswith(str(GRAPH)) and name not in wanted:
            store.remove_graph(name)
            removed.append(name)
    return removed


def _written(parsed: Sequence[tuple[KnowledgeFile, Graph]]) -> Graph:
    """The literals a server keeps as values in another form (kg.stores.terms.exact),
    where the files write that value in no other way: a query over the merge shows
    them as written (kg.stores.sparql_store)."""
    from rdflib import Literal, URIRef

    from kg.model.namespaces import new_graph
    from kg.stores.sparql_store import WRITTEN, WRITTEN_GRAPH
    from kg.stores.terms import canonical, rewritten_by_oxigraph

    ways: dict[Literal, set[Literal]] = {}
    plain: set[Literal] = set()
    for _, graph in parsed:
        for term in graph.objects():
            if not isinstance(term, Literal) or term.datatype is None:
                continue
            if rewritten_by_oxigraph(str(term), str(term.datatype)):
                value = canonical(term)
                assert isinstance(value, Literal)
                ways.setdefault(value, set()).add(term)
            else:
                plain.add(term)
    written = new_graph()
    for value, terms in ways.items():
        if len(terms) == 1 and value not in plain:
            written.add((URIRef(WRITTEN_GRAPH), WRITTEN, next(iter(terms))))
    return written


def load(store: Store, files: Sequence[KnowledgeFile]) -> LoadSummary:
    """Parse every file first, then load: a parse error leaves the store untouched."""
    return _replace_all(store, _parse_all(files))


def _parse_all(files: Sequence[KnowledgeFile]) -> list[tuple[KnowledgeFile, Graph]]:
    """Every file's graph (shared with other loads in this process: read them only)."""
    from kg.model.files import parse_unchanged

    return [(item, parse_unchanged(item.path)) for item in files]


def _replace_all(store: Store, parsed: Sequence[tuple[KnowledgeFile, Graph]]) -> LoadSummary:
    triples = 0
    for item, graph in parsed:
        store.replace_graph(item.graph, graph)
        triples += len(graph)
    return LoadSummary(files=tuple(item for item, _ in parsed), triples=triples)
