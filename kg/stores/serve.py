"""Serving the index as a read-only SPARQL 1.1 endpoint with Oxigraph's own server.

The server reads a snapshot (a RocksDB checkpoint, cheap: hard links where it can),
not the live index, so commands can keep refreshing the index while it runs, and
the server never sees a half-refreshed state. Restart it to serve newer files.

The snapshot also gets one empty named graph of kg's own, which tells kg's own client
(`--store sparql:URL`) that the server's default graph is already the merge of the
named graphs (kg.stores.sparql_store.DEFAULT_IS_MERGE_GRAPH).

Clients never reach Oxigraph's server directly: it listens on a private loopback
port behind kg's front (kg.stores.serve_front), which checks every query, bounds
how many run at once and how long each may take.
"""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.model.errors import StoreError, UsageError
from kg.stores.oxigraph_store import OxigraphStore
from kg.stores.serve_front import FrontLimits, QueryFront
from kg.stores.serve_page import QueryPage

READY_TIMEOUT = 20.0


@dataclass(frozen=True)
class Endpoint:
    query_url: str
    graphs: int
    process: subprocess.Popen[bytes]


def server_binary() -> str:
    """The `oxigraph` executable: beside this Python (a venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError(
            "kg serve needs Oxigraph's server program 'oxigraph'; install it with "
            "'pip install oxigraph' in this environment"
        )
    return found


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(
    store: OxigraphStore,
    host: str,
    port: int,
    limits: FrontLimits | None = None,
    page: QueryPage | None = None,
) -> Iterator[Endpoint]:
    """Run the read-only server over a snapshot of `store` until the block ends;
    `page`: the query page the front shows at / (none: the front answers only /query)."""
    if port < 0 or port > 65535:
        raise UsageError(f"--port {port} is not a port number (0 picks a free one)")
    limits = limits or FrontLimits()
    binary = server_binary()
    store.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="serve-", dir=store.root) as folder:
        snapshot = Path(folder) / "snapshot"
        try:
            store.writer().backup(str(snapshot))
            _mark_default_as_merge(snapshot)
        except (OSError, RuntimeError) as error:
            raise StoreError(f"cannot snapshot the index at {store.root}: {error}") from error
        graphs = len(store.graph_names())
        store.close()
        private = ("127.0.0.1", free_port("127.0.0.1"))
        log_path = Path(folder) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    binary,
                    "serve-read-only",
                    "--location",
                    str(snapshot),
                    "--bind",
                    f"{private[0]}:{private[1]}",
                    # Whole seconds, after the front's own limit: the front answers first
                    # (a clear 504), this stops the work left on the server's side.
                    "--timeout-s",
                    str(math.ceil(limits.timeout) + 1),
                    # No --union-default-graph: the index's default graph is the merge of
                    # its named graphs (kg.stores.merged), a set as SPARQL wants it.
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            _wait_until_ready(
                f"http://{private[0]}:{private[1]}/query", process, log_path.read_bytes
            )
            with _front(host, port, private, limits, page) as url:
                yield Endpoint(url, graphs, process)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextmanager
def _front(
    host: str, port: int, private: tuple[str, int], limits: FrontLimits, page: QueryPage | None
) -> Iterator[str]:
    """kg's front on the public address, in a thread; yields its query URL."""
    try:
        front = QueryFront((host, port), private, limits, page)
    except OSError as error:
        raise StoreError(
            f"cannot listen on {host}:{port}: {error.strerror or error}; is the port in use? "
            "choose another with --port"
        ) from error
    thread = threading.Thread(target=front.serve_forever, name="kg-serve-front", daemon=True)
    thread.start()
    try:
        bound_port = front.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{bound_port}/query"
    finally:
        front.shutdown()
        front.server_close()
        thread.join(timeout=10)


def _mark_default_as_merge(snapshot: Path) -> None:
    """Add kg's empty marker graph to the snapshot (a copy: the index stays as it is).

    Empty, it adds no triple: no `GRAPH ?g { ... }` pattern matches it, and the
    knowledge's graphs, their merge and every count stay as they are."""
    import pyoxigraph

    from kg.stores.sparql_store import DEFAULT_IS_MERGE_GRAPH

    handle = pyoxigraph.Store(str(snapshot))
    handle.add_graph(pyoxigraph.NamedNode(DEFAULT_IS_MERGE_GRAPH))
    handle.flush()
    # Dropping the only reference closes the database, so the server can open it.
    del handle


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Callable[[], bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    probe = url + "?query=ASK%7B%7D"
    while True:
        if process.poll() is not None:
            text = " ".join(log().decode("utf-8", errors="replace").split())[-300:]
            raise StoreError(
                f"the oxigraph server stopped at once (exit {process.returncode}): {text}; "
                "is the port in use? choose another with --port"
            )
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise StoreError(
                f"the oxigraph server did not answer at {url} within {READY_TIMEOUT:g} s"
            )
        time.sleep(0.05)
