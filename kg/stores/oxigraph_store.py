"""The on-disk index: named graphs in an Oxigraph (RocksDB) store, queried natively.

Layout of an index folder:
  store/                  the Oxigraph database
  manifest.json           which source file is in which graph, with size, mtime and sha256
  refresh-in-progress     present only while the index is being changed (see kg.stores.index)
  lock                    locked by every command that reads or writes (kg.stores.index_lock)
  reading-PID             a mark per process while it reads (kg.stores.read_marks)

Reading opens the database read-only under the shared lock, so any number of commands
read at once; writing takes the exclusive lock, so one process at a time writes and
nobody reads meanwhile; others wait (KG_INDEX_LOCK_WAIT seconds, default 30).
"""

from __future__ import annotations

import contextlib
import shutil
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from kg.model.errors import QueryError, StoreError, UsageError
from kg.model.namespaces import new_graph
from kg.stores.base import Quad, QueryResult, described_syntax_error, graph_of
from kg.stores.bound_text import inlined as inlined_text
from kg.stores.bound_text import with_projected, without_last_columns
from kg.stores.index_lock import EXCLUSIVE, SHARED, UNLOCKED, IndexLock, busy, lock_wait
from kg.stores.interruptible import interruptible
from kg.stores.manifest import Manifest
from kg.stores.projection import star_ordered
from kg.stores.read_marks import reading
from kg.stores.terms import to_oxigraph, triple_to_rdflib

STORE_FOLDER = "store"
MANIFEST_FILE = "manifest.json"
MARKER_FILE = "refresh-in-progress"
T = TypeVar("T")
# How the marker starts when a read found the database damaged (the cause follows).
DAMAGE_MARK = "found damaged: "

# RocksDB keeps this many of its old info logs (LOG.old.*); a writable open adds one.
KEPT_OLD_LOGS = 2


@dataclass
class _Opened:
    """One index as this process holds it: the lock, and one handle shared by every
    OxigraphStore of that folder (RocksDB allows one writer, and a read-only handle
    cannot be opened in the process that holds the writer)."""

    lock: IndexLock
    handle: Any = None
    writable: bool = False
    users: set[int] = field(default_factory=set)

    def drop_handle(self) -> None:
        # Dropping the last reference closes the database (and frees RocksDB's own lock).
        self.handle = None
        self.writable = False


_OPENED: dict[str, _Opened] = {}


class DamagedIndex(StoreError):
    """The database cannot be opened; `cause` is what RocksDB said. A command that knows
    the files rebuilds the index from them (kg.stores.index.refresh)."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


def _let_go(key: str, user: int) -> None:
    opened = _OPENED.get(key)
    if opened is None:
        return
    opened.users.discard(user)
    if not opened.users:
        opened.drop_handle()
        opened.lock.close()
        del _OPENED[key]


class OxigraphStore:
    """Named graphs in an Oxigraph database on disk. Implements kg.stores.base.Store."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store_dir = root / STORE_FOLDER
        self.manifest_path = root / MANIFEST_FILE
        self.marker_path = root / MARKER_FILE
        self._key = str(self.store_dir.resolve())
        self._release: weakref.finalize[Any, Any] | None = None
        # Views of some graphs (as of a day), merged in memory (kg.stores.merged).
        self._views: dict[frozenset[str], Any] = {}
        self._exact: Mapping[Any, Literal] | None = None
        self._manifest: Manifest | None = None
        # Set by a command that knows the files (kg.stores.sync): rebuilds the index from
        # them when a read finds it damaged, so that the read can be answered after all.
        self.repair: Callable[[str], None] | None = None

    @property
    def description(self) -> str:
        return f"oxigraph index at {self.root}"

    # -- handles -------------------------------------------------------------------

    def reader(self) -> Any:
        """A handle for reading: the process's writer if it has one, else read-only under
        the shared lock (waiting while another process refreshes the index)."""
        opened = self._opened()
        if opened.handle is not None:
            return opened.handle
        if not self.store_dir.is_dir():
            return self.writer()
        import pyoxigraph

        if opened.lock.mode == UNLOCKED:
            opened.lock.acquire(SHARED, lock_wait())
        try:
            opened.handle = pyoxigraph.Store.read_only(str(self.store_dir))
        except (OSError, RuntimeError) as error:
            raise self._broken(error) from error
        return opened.handle

    def writer(self) -> Any:
        """The writable handle under the exclusive lock, opened once per process and kept
        until `close` or `unlock` (waits while other commands read or write)."""
        opened = self._opened()
        if opened.writable:
            return opened.handle
        self.lock_exclusive()
        return self.open_writable()

    def lock_exclusive(self) -> None:
        """Hold the exclusive lock (closing this process's read-only handle first)."""
        opened = self._opened()
        if opened.lock.mode == EXCLUSIVE:
            return
        opened.drop_handle()
        opened.lock.acquire(EXCLUSIVE, lock_wait())

    def try_lock_exclusive(self) -> bool:
        """Hold the exclusive lock if no other process holds the lock; never waits."""
        opened = self._opened()
        if opened.lock.mode == EXCLUSIVE:
            return True
        opened.drop_handle()
        return opened.lock.try_acquire(EXCLUSIVE)

    def try_lock_shared(self) -> bool:
        """Hold the shared lock if no process is writing; never waits."""
        opened = self._opened()
        if opened.lock.mode != UNLOCKED:
            return True
        return opened.lock.try_acquire(SHARED)

    def open_writable(self) -> Any:
        """Open the database for writing; the caller holds the exclusive lock."""
        import pyoxigraph

        opened = self._opened()
        assert opened.lock.mode == EXCLUSIVE
        if opened.writable:
            return opened.handle
        opened.drop_handle()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        wait = lock_wait()
        deadline = time.monotonic() + wait
        while True:
            try:
                handle = pyoxigraph.Store(str(self.store_dir))
                break
            except OSError as error:
                # Only a program that ignores kg's lock can hold RocksDB's.
                if "lock" not in str(error).lower():
                    raise self._broken(error) from error
                if time.monotonic() >= deadline:
                    raise busy(self.root, wait) from error
                time.sleep(0.5)
        opened.handle, opened.writable = handle, True
        _prune_old_logs(self.store_dir)
        return handle

    def discard_database(self) -> None:
        """Delete the database folder (a rebuild starts afresh); under the exclusive lock."""
        opened = self._opened()
        assert opened.lock.mode == EXCLUSIVE
        opened.drop_handle()
        shutil.rmtree(self.store_dir, ignore_errors=True)

    def unlock(self) -> None:
        """Close this process's handle and let other commands in (reading reopens)."""
        opened = self._opened()
        opened.drop_handle()
        opened.lock.release()
        self._manifest = None  # others may change it now

    def _opened(self) -> _Opened:
        opened = _OPENED.get(self._key)
        if opened is None:
            opened = _OPENED[self._key] = _Opened(IndexLock(self.root))
        if id(self) not in opened.users:
            opened.users.add(id(self))
            self._release = weakref.finalize(self, _let_go, self._key, id(self))
        return opened

    def forget_views(self) -> None:
        """Drop the in-memory views: the graphs behind them have changed."""
        self._views.clear()
        self._exact = None
        self._manifest = None

    def use_manifest(self, manifest: Manifest) -> None:
        """The manifest a refresh read under the shared lock, which it still holds: no
        process can change it meanwhile, so it need not be read again (at a thousand
        files a read is some 6 ms, at ten thousand some 60)."""
        self._manifest = manifest

    def exact_answers(self) -> Mapping[Any, Literal]:
        """Each value the merge holds for a literal Oxigraph rewrote (kg.stores.terms.exact),
        mapped to the literal the files write, where that is the only way they write it.

        A query over the merge answers with Oxigraph's form ("203"^^xsd:decimal); the
        file wrote 203.0. Where the files write one value in two ways, or also in
        Oxigraph's form, the answer stays as Oxigraph gives it (it cannot tell which)."""
        if self._exact is None:
            from kg.stores.terms import ExactAnswers

            # Worked out only for the values an answer holds (the manifest read then too).
            self._exact = ExactAnswers(self.reader(), self._exact_literals)
        return self._exact

    def _exact_literals(self) -> set[str]:
        from kg.stores.manifest import read_manifest

        manifest = self._manifest
        if manifest is None:
            manifest = read_manifest(self.manifest_path)
        if manifest is not None:
            return {term for entry in manifest.entries.values() for term in entry.exact}
        # Graphs loaded by hand (no manifest): look for them.
        from kg.stores.terms import EXACT_DATATYPE, plain

        found = self.reader().query(
            "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(isLiteral(?o) && STRSTARTS(STR(DATATYPE(?o)), "{EXACT_DATATYPE}")) }}'
        )
        return {str(plain(solution[0])) for solution in found}

    def _view(self, graphs: Sequence[str]) -> Any:
        from kg.stores.merged import merged_view

        key = frozenset(graphs)
        view = self._views.get(key)
        if view is None:
            names = [_graph_node(name) for name in sorted(key)]
            view = self._views[key] = merged_view(self.reader(), names)
        return view

    def _broken(self, error: Exception) -> DamagedIndex:
        return DamagedIndex(
            f"the index at {self.root} cannot be opened ({error}); delete that folder "
            "and run again to rebuild it from the files",
            str(error),
        )

    # -- Store protocol ------------------------------------------------------------

    def graph_names(self) -> list[str]:
        return self._repaired(self._graph_names)

    def _graph_names(self) -> list[str]:
        import pyoxigraph

        handle = self.reader()
        names = []
        try:
            for name in handle.named_graphs():
                # Oxigraph keeps emptied graphs by name; other backends forget them.
                if isinstance(name, pyoxigraph.NamedNode) and _has_quads(handle, name):
                    names.append(name.value)
        except (OSError, RuntimeError) as error:
            if is_corruption(error):
                raise self.damaged(error) from error
            raise self._failed(error) from error
        return sorted(names)

    def replace_graph(self, name: str, graph: Graph) -> None:
        import pyoxigraph

        from kg.stores.merged import drop_graph, with_merge

        self.invalidate_manifest()
        self.forget_views()
        target = _graph_node(name)
        handle = self.writer()
        quads = [
            pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o, held=True), target)
            for s, p, o in graph
        ]
        try:
            drop_graph(handle, target)
            handle.extend(with_merge(quads))
        except (OSError, RuntimeError) as error:
            raise self._failed(error) from error

    def remove_graph(self, name: str) -> None:
        from kg.stores.merged import drop_graph

        self.invalidate_manifest()
        self.forget_views()
        handle = self.writer()
        try:
            drop_graph(handle, _graph_node(name))
        except (OSError, RuntimeError) as error:
            raise self._failed(error) from error

    def invalidate_manifest(self) -> None:
        """Changing graphs by hand breaks the link to the files: the next refresh rebuilds."""
        self.manifest_path.unlink(missing_ok=True)
        self._manifest = None

    def damaged(self, error: Exception) -> DamagedIndex:
        """Damage a read found (RocksDB: "Corruption: block checksum mismatch ..."): left
        marked, so that the next run rebuilds the index even if this one cannot."""
        cause = str(error).splitlines()[0] if str(error) else type(error).__name__
        self.suspect(cause)  # a read-only folder: the error still says it
        return DamagedIndex(
            f"the index at {self.root} is damaged ({cause}); run again: the next run "
            "rebuilds it from the files",
            cause,
        )

    def suspect(self, reason: str) -> None:
        """Leaves the index marked, so that the next run rebuilds it and says `reason`
        (a read of it ended in a way that damage can cause)."""
        with contextlib.suppress(OSError):
            self.marker_path.write_text(f"{DAMAGE_MARK}{reason}\n", encoding="utf-8")

    def _failed(self, error: Exception) -> StoreError:
        return StoreError(
            f"the index at {self.root} failed: {error}; run again (the next run repairs it)"
        )

    @star_ordered
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[str] | None = None,
        *,
        write_values: bool = True,
    ) -> QueryResult:
        """`write_values=False`: never write bound values into the query text.

        A query that finds the index damaged has it rebuilt (when `repair` is set) and
        runs once more."""
        return self._repaired(
            lambda: self._query(sparql, bindings, graphs, write_values=write_values)
        )

    def _repaired(self, read: Callable[[], T]) -> T:
        """`read()`; when it finds the index damaged and `repair` is set, once more after
        the repair (a read that streams its answer, `quads`, cannot be run again)."""
        try:
            return read()
        except DamagedIndex as damage:
            repair, self.repair = self.repair, None  # once: a second failure is reported
            if repair is None:
                raise
            repair(damage.cause)
            return read()

    def _query(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None,
        graphs: Sequence[str] | None,
        *,
        write_values: bool,
    ) -> QueryResult:
        options: dict[str, Any] = {}
        # Every graph: the default graph is their merge, kept by the index. Some graphs:
        # their merge, made in memory (a union of Oxigraph graphs is not a set).
        handle = self.reader() if graphs is None else self._view(graphs)
        text = sparql
        hidden = 0
        inlined = inlined_text(sparql, bindings) if bindings and write_values else None
        projected = with_projected(sparql, bindings) if bindings and inlined is None else None
        if inlined is not None:
            # The values written into the query: Oxigraph's planner sees them and starts
            # from them (1.7 ms for driver-lineups at a million triples, where the same
            # value as a substitution took 180 ms: substitutions are not planned with).
            text = inlined
        elif bindings and projected is not None:
            # Oxigraph substitutes only selected variables: selecting the bound ones too
            # (and dropping them from the answer) lets it start every branch from the
            # value. A VALUES block is joined after UNION branches are evaluated, which
            # made entity-facts read the whole graph (10 s at a million triples).
            import pyoxigraph

            text, hidden = projected, len(bindings)
            options["substitutions"] = {
                pyoxigraph.Variable(name): to_oxigraph(value) for name, value in bindings.items()
            }
        elif bindings:
            # A query with GROUP BY, a subquery or an expression in SELECT: a VALUES
            # block at the start of the WHERE group (see kg.stores.values).
            from kg.stores.values import inject_values

            try:
                text = inject_values(sparql, bindings)
            except QueryError:
                _check_syntax(sparql)
                raise
        try:
            # In a worker thread, so that Ctrl-C stops a long query (kg.stores.interruptible);
            # marked, so that a process the engine ends leaves a trace (kg.stores.read_marks).
            with reading(self.root):
                answer = interruptible(
                    lambda: query_result(handle.query(text, **options), self.exact_answers())
                )
            return without_last_columns(answer, hidden)
        except SyntaxError as error:
            if inlined is not None:
                # A value where SPARQL allows none (a literal as a predicate): bound
                # the other way it simply matches nothing, as on the other backends.
                return self._query(sparql, bindings, graphs, write_values=False)
            raise described_syntax_error(sparql, error) from error
        except (OSError, RuntimeError) as error:
            if is_corruption(error):
                raise self.damaged(error) from error
            raise QueryError(
                f"the query failed while running on {self.description}: {error}"
            ) from error

    def quads(self, graphs: Sequence[str] | None = None) -> Iterator[Quad]:
        handle = self.reader()
        names = self.graph_names() if graphs is None else sorted(set(graphs))
        with reading(self.root):
            for name in names:
                iri = URIRef(name)
                try:
                    for quad in handle.quads_for_pattern(None, None, None, _graph_node(name)):
                        yield (*triple_to_rdflib(quad), iri)
                except (OSError, RuntimeError) as error:
                    if is_corruption(error):
                        raise self.damaged(error) from error
                    raise self._failed(error) from error

    def graph(self, name: str) -> Graph:
        return self._repaired(lambda: graph_of(self.quads([name]), identifier=name))

    def union(self, graphs: Sequence[str] | None = None) -> Graph:
        return self._repaired(lambda: graph_of(self.quads(graphs)))

    def close(self) -> None:
        if self._release is not None:
            self._release()
            self._release = None


def is_corruption(error: BaseException) -> bool:
    """RocksDB found bytes of the database wrong while reading them."""
    return "Corruption:" in str(error)


def _term(term: Any) -> Identifier | None:
    from kg.stores.terms import to_rdflib

    return to_rdflib(term)


def _has_quads(handle: Any, name: Any) -> bool:
    return next(iter(handle.quads_for_pattern(None, None, None, name)), None) is not None


def _graph_node(name: str) -> Any:
    import pyoxigraph

    try:
        return pyoxigraph.NamedNode(name)
    except ValueError as error:
        raise UsageError(f"{name!r} is not an IRI, so it cannot name a graph") from error


def _prune_old_logs(folder: Path) -> None:
    """Delete all but the newest RocksDB info logs (under the exclusive lock, so no other
    process rotates or deletes them meanwhile)."""
    old = sorted(folder.glob("LOG.old.*"), key=lambda path: path.name)
    for path in old[:-KEPT_OLD_LOGS] if KEPT_OLD_LOGS else old:
        path.unlink(missing_ok=True)


def exact_answers_of(handle: Any, literals: set[str]) -> dict[Any, Literal]:
    """`OxigraphStore.exact_answers` for any store laid out as the index is (its named
    graphs holding `literals`, N-Triples of literals as written, under kg's datatype)."""
    from kg.stores.terms import ExactAnswers

    return ExactAnswers(handle, lambda: literals).every()


def query_result(answer: Any, exact: Mapping[Any, Literal]) -> QueryResult:
    """A pyoxigraph answer as rdflib terms, each value in `exact` as the files write it."""
    import pyoxigraph

    if isinstance(answer, pyoxigraph.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QueryTriples):
        graph = new_graph()
        for triple in answer:
            s, p, o = triple_to_rdflib(triple)
            graph.add((s, p, exact.get(triple.object, o)))
        return QueryResult(kind="graph", graph=graph)
    variables = tuple(variable.value for variable in answer.variables)
    # Each distinct term converted once: most cells repeat (sources, drivers, classes),
    # and an rdflib literal parses its value when it is made.
    converted: dict[Any, Identifier | None] = {}

    def term(value: Any) -> Identifier | None:
        if value not in converted:
            converted[value] = exact.get(value) or _term(value)
        return converted[value]

    columns = range(len(variables))
    rows = tuple(tuple(term(solution[index]) for index in columns) for solution in answer)
    return QueryResult(kind="select", variables=variables, rows=rows)


def _check_syntax(sparql: str) -> None:
    import pyoxigraph

    try:
        pyoxigraph.Store().query(sparql)
    except SyntaxError as error:
        raise described_syntax_error(sparql, error) from error
