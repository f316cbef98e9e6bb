"""Serving the knowledge as a read-only SPARQL 1.1 endpoint: `kg serve`.

Clients talk to kg's front (kg.stores.serve_front) on the public address; it checks
every query, bounds how many run at once and how long each may take, and passes it
over a Unix socket (in a folder only this user can enter) to an engine
(kg.stores.engine), a process that answers each query in a thread with pyoxigraph.

Each engine holds one version of the knowledge, in one of two ways:

- in memory (the default): an in-memory Oxigraph store, filled from the files
  through the index's own staging (kg.stores.serve_parts: each triple in its file's
  graph and in the merge, kg.stores.merged), the engine loading one part while kg
  serve stages the next. The heavy saved queries answer several times faster than
  from disk; the price is memory (some 600 MB at a million triples).
- on disk: a snapshot of the index (a RocksDB checkpoint, hard links where it can),
  opened read-only: little memory, ready at once.

kg serve starts on a snapshot, so it answers at once, and moves to memory when the
memory engine is filled; the snapshot's engine stays as a standby. A query that
runs past its limit gets its 504 from the front; a second later the front has kg
serve end the engine running it (Oxigraph cannot stop a query while it plans it):
the standby answers from then on, and a new memory engine is filled from the staged
parts. With --on-disk there is only the snapshot's engine, started afresh after such
a stop. Either way the default graph is the merge of the named graphs, marked for
kg's own client by an empty graph (kg.stores.sparql_store.DEFAULT_IS_MERGE_GRAPH),
and kg serve keeps in step with the files (kg.stores.serve_refresh).
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.model.errors import StoreError, UsageError
from kg.model.files import KnowledgeFile
from kg.stores.oxigraph_store import OxigraphStore
from kg.stores.read_marks import ended
from kg.stores.serve_engine import Engine
from kg.stores.serve_front import FrontLimits, QueryFront
from kg.stores.serve_page import QueryPage
from kg.stores.serve_parts import Parts

# An ended engine left with queries past this many seconds over their limit is killed.
RETIRE_GRACE = 5.0


@dataclass(frozen=True)
class ServeOptions:
    """How `kg serve` holds the knowledge and keeps in step with the files."""

    on_disk: bool = False
    # Seconds between looks at the files; 0: never (serve what there was at the start).
    refresh_every: float = 2.0


def server_binary() -> str:
    """Oxigraph's own server program `oxigraph` (beside this Python, else on PATH), which
    tests and benchmarks run as a plain SPARQL server; kg serve does not need it."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError(
            "Oxigraph's server program 'oxigraph' is missing; install it with "
            "'pip install oxigraph' in this environment"
        )
    return found


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """A running `kg serve`: its front, its engines and what they hold.

    `primary` answers the front; in memory mode `standby` is the engine of the same
    version's snapshot, ready to answer when the primary is stopped. Engines of an
    earlier version end once they have answered their queries (`retiring`).
    """

    def __init__(self, store: OxigraphStore, front: QueryFront, scratch: Path, work: Path,
                 options: ServeOptions, limits: FrontLimits) -> None:  # fmt: skip
        self.store = store
        self.front = front
        self.scratch = scratch
        self.work = work
        self.options = options
        self.limits = limits
        self.query_url = ""
        self.parts = Parts(work / "parts")
        self.primary: Engine | None = None
        self.standby: Engine | None = None
        self.retiring: list[tuple[Engine, float]] = []
        # What the engines serve: each graph's file digest (the manifest's sha256).
        self.held: dict[str, str] = {}
        self.graphs = 0
        # Whether the memory engine holds the current version (never, with --on-disk).
        self.filled = False
        # The main thread's work after a stop: fill the memory again; start an engine
        # over a new snapshot (no standby was left).
        self.refill = False
        self.need_disk = False
        self._lock = threading.RLock()
        self._made = 0
        self._events: list[str] = []
        front.on_overrun = self.overrun

    # -- engines ----------------------------------------------------------------------

    def _engine(self, kind: str) -> tuple[Engine, Path]:
        self._made += 1
        return Engine(self.scratch / "engine.log", kind), self.scratch / f"e{self._made}.sock"

    def start_disk(self, snapshot: Path | None = None) -> Engine:
        """An engine over a snapshot of the index (a new one, marked, unless given),
        answering."""
        snapshot = snapshot or snapshot_of(self.store, self.work)
        engine, path = self._engine("disk")
        try:
            engine.open(snapshot)
            engine.serve(path, self.limits.timeout, self.query_url, None)
        except BaseException:
            engine.kill()
            raise
        return engine

    def start_memory(self, files: Sequence[KnowledgeFile] | None = None) -> Engine:
        """An engine holding the staged parts in memory, answering; with `files`, they
        are staged first, part by part, while the engine loads the part before."""
        from kg.stores.sparql_store import DEFAULT_IS_MERGE_GRAPH

        engine, path = self._engine("memory")
        try:
            if files is None:
                engine.load(self.parts.paths)
            else:
                self.parts.stage_all(files, lambda part: engine.load([part]))
            for _ in self.parts.paths:
                engine.reply(timeout=None)
            engine.serve(path, self.limits.timeout, self.query_url, DEFAULT_IS_MERGE_GRAPH)
        except BaseException:
            engine.kill()
            raise
        return engine

    def switch(self, engine: Engine, standby: Engine | None, retire: list[Engine]) -> None:
        """Send new queries to `engine` (one assignment: a request reads the upstream
        once); the engines in `retire` end once their queries are answered."""
        with self._lock:
            assert engine.socket is not None
            self.front.upstream = str(engine.socket)
            self.primary, self.standby = engine, standby
            for old in retire:
                if old is not None and old not in (engine, standby):
                    old.end()
                    self.retiring.append((old, time.monotonic()))

    def overrun(self, upstream: str) -> None:
        """The front's call (in a request's thread): a query on the engine at `upstream`
        ran a second past its limit. That engine is ended at once, whatever it does;
        another answers (the standby, or a new engine over the same snapshot), and the
        memory is filled again by the main thread (`refill`)."""
        with self._lock:
            engine = self._by_socket(upstream)
            if engine is None or engine.killed:
                return
            self.front.killed.add(upstream)
            if engine is self.primary:
                # Another answers first, so that new queries go there.
                self.refill = engine.kind == "memory"
                if self.standby is not None and self.standby.alive():
                    self.switch(self.standby, None, [])
                elif engine.snapshot is not None:
                    # Touches no index (the snapshot is there): safe in this thread.
                    self.switch(self.start_disk(engine.snapshot), None, [])
                else:
                    self.need_disk = True
            elif engine is self.standby:
                self.standby = None
            engine.kill()
            self.retiring.append((engine, time.monotonic()))  # to be reaped
            self._say(
                f"kg serve: a query ran past the {self.limits.timeout:g} s limit; the engine "
                f"answering it ({engine.kind}, pid {engine.pid}) was stopped"
            )

    def await_retired(self, kind: str) -> None:
        """Until the ending engines of `kind` have ended (each is killed `--timeout` plus
        RETIRE_GRACE seconds after it was told to end, at the latest)."""
        while True:
            with self._lock:
                if not any(old.kind == kind and old.alive() for old, _ in self.retiring):
                    return
            self.tend()
            time.sleep(0.02)

    def _by_socket(self, upstream: str) -> Engine | None:
        engines = [self.primary, self.standby, *(old for old, _ in self.retiring)]
        return next((e for e in engines if e is not None and str(e.socket) == upstream), None)

    def tend(self) -> None:
        """Engines that ended: their snapshots go; one that should answer and ended by
        itself is an error."""
        with self._lock:
            for old, since in list(self.retiring):
                if not old.alive():
                    self.retiring.remove((old, since))
                    _remove_snapshot(old, self.primary, self.standby)
                elif time.monotonic() - since > self.limits.timeout + RETIRE_GRACE:
                    old.kill()
            if self.primary is not None and not self.primary.alive() and not self.primary.killed:
                if self.primary.snapshot is not None:
                    # Its snapshot shares the index's tables: what ended it (damage that
                    # Oxigraph aborts on) is in the index too, so the next run rebuilds it.
                    self.store.suspect(ended(self.primary.pid, " (kg serve's engine)"))
                raise self.primary.died()

    def all_engines(self) -> list[Engine]:
        with self._lock:
            engines = [self.primary, self.standby, *(old for old, _ in self.retiring)]
            return [engine for engine in engines if engine is not None]

    # -- what to say ------------------------------------------------------------------

    def _say(self, line: str) -> None:
        self._events.append(line)

    def take_events(self) -> list[str]:
        with self._lock:
            taken, self._events = self._events, []
        return taken


def _remove_snapshot(engine: Engine, *keeping: Engine | None) -> None:
    """An ended engine's snapshot folder, unless another engine reads the same one."""
    if engine.snapshot is None:
        return
    if any(other is not None and other.snapshot == engine.snapshot for other in keeping):
        return
    shutil.rmtree(engine.snapshot.parent, ignore_errors=True)


@contextmanager
def serving(
    store: OxigraphStore,
    host: str,
    port: int,
    limits: FrontLimits | None = None,
    page: QueryPage | None = None,
    options: ServeOptions | None = None,
) -> Iterator[Served]:
    """Serve the knowledge the index `store` holds until the block ends, answering at
    once from a snapshot of it; `page`: the query page the front shows at / (none: the
    front answers only /query). kg.stores.serve_refresh fills the memory and refreshes."""
    if port < 0 or port > 65535:
        raise UsageError(f"--port {port} is not a port number (0 picks a free one)")
    limits = limits or FrontLimits()
    options = options or ServeOptions()
    store.root.mkdir(parents=True, exist_ok=True)
    # Sockets: a short path (at most 107 bytes) in a private folder (mode 0700). Parts
    # and snapshots: beside the index (snapshots are hard links to its files).
    scratch = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    work = Path(tempfile.mkdtemp(prefix="serve-", dir=store.root))
    served: Served | None = None
    try:
        with _front(host, port, limits, page) as (front, url):
            served = Served(store, front, scratch, work, options, limits)
            served.query_url = url
            served.held = digests(store)
            served.graphs = len(store.graph_names())
            served.switch(served.start_disk(), None, [])
            served.filled = options.on_disk
            store.close()
            threading.Thread(target=front.serve_forever, name="kg-serve-front", daemon=True).start()
            yield served
    finally:
        for engine in served.all_engines() if served else []:
            engine.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


def digests(store: OxigraphStore) -> dict[str, str]:
    """Each graph's file digest, as the index's manifest has it."""
    from kg.stores.manifest import read_manifest

    manifest = read_manifest(store.manifest_path)
    if manifest is None:
        return {}
    return {entry.graph: entry.sha256 for entry in manifest.entries.values()}


def snapshot_of(store: OxigraphStore, work: Path) -> Path:
    """A RocksDB checkpoint of the index in a folder of its own under `work`, marked as
    kg serve's (removed when the engines reading it have ended)."""
    folder = Path(tempfile.mkdtemp(prefix="snapshot-", dir=work))
    snapshot = folder / "snapshot"
    try:
        store.writer().backup(str(snapshot))
        _mark_default_as_merge(snapshot)
    except (OSError, RuntimeError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise StoreError(f"cannot snapshot the index at {store.root}: {error}") from error
    finally:
        store.close()
    return snapshot


@contextmanager
def _front(
    host: str, port: int, limits: FrontLimits, page: QueryPage | None
) -> Iterator[tuple[QueryFront, str]]:
    """kg's front on the public address (serving once its upstream is set); its URL."""
    try:
        front = QueryFront((host, port), "", limits, page)
    except OSError as error:
        raise StoreError(
            f"cannot listen on {host}:{port}: {error.strerror or error}; is the port in use? "
            "choose another with --port"
        ) from error
    try:
        bound_port = front.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        yield front, f"http://{shown}:{bound_port}/query"
    finally:
        front.shutdown_if_serving()
        front.server_close()


def _mark_default_as_merge(snapshot: Path) -> None:
    """Add kg's empty marker graph to the snapshot (a copy: the index stays as it is).

    Empty, it adds no triple: no `GRAPH ?g { ... }` pattern matches it, and the
    knowledge's graphs, their merge and every count stay as they are."""
    import pyoxigraph

    from kg.stores.sparql_store import DEFAULT_IS_MERGE_GRAPH

    handle = pyoxigraph.Store(str(snapshot))
    handle.add_graph(pyoxigraph.NamedNode(DEFAULT_IS_MERGE_GRAPH))
    handle.flush()
    # Dropping the only reference closes the database, so the engines can open it.
    del handle
