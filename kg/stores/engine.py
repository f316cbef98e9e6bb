"""kg serve's engine: one version of the knowledge in one process, a thread per query.

`python -m kg.stores.engine` is started by `kg serve` (kg.stores.serve_engine) in a
session of its own, and takes commands from it, one JSON object a line on stdin,
answering each with one line on stdout:

  {"load": PATH}        add an N-Quads file (staged by the index's code) to the
                        knowledge held in memory
  {"open": PATH}        read a snapshot of the index (a RocksDB checkpoint) instead
  {"serve": {"socket": PATH, "base": URL, "marker": IRI or null}}
                        listen on the Unix socket PATH and answer every connection
                        in a thread of its own (kg.stores.engine_answer)

An engine never changes what it holds: kg serve starts a new one for a new version
of the files and sends new queries there. When its stdin ends (kg serve has moved
on, or has ended, however it ended) the engine stops listening, answers the queries
it has, and exits; the kernel ends it `--timeout` plus a second after that at the
latest (an alarm signal at its default action), whatever Oxigraph is doing.

Why a process, and threads in it: pyoxigraph lets go of Python's lock while it
evaluates, so queries run side by side on one copy of the knowledge. Forked
workers would each end up with a copy of their own: reading the in-memory store
writes its reference counts, so every page a worker reads is copied (measured: a
worker held 54 of 80 MiB privately after one query). Oxigraph cannot stop a query
while it plans it and misses some while it evaluates them, and a thread cannot be
stopped from outside: kg serve ends the whole process when a query runs past its
limit (kg.stores.serve) and answers from a snapshot of the index meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import sys
import threading
from typing import Any

from kg.stores.engine_answer import answer

# Seconds an ended engine may take for the queries it still has, beyond their limit.
STOP_MARGIN = 1.0
# Connections waiting for their thread.
BACKLOG = 64


class _Engine:
    def __init__(self) -> None:
        self.store: Any = None
        self.listener: socket.socket | None = None
        self.path: str | None = None
        self.base: str | None = None
        self.timeout = 30.0
        self._ending = os.pipe()
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        import pyoxigraph

        if "load" in command:
            if self.store is None:
                self.store = pyoxigraph.Store()
            # Lenient: the file was written by Oxigraph's own serialiser (kg.stores.index).
            self.store.load(
                path=str(command["load"]), format=pyoxigraph.RdfFormat.N_QUADS, lenient=True
            )
            return {"loaded": str(command["load"])}
        if "open" in command:
            self.store = pyoxigraph.Store.read_only(str(command["open"]))
            return {"opened": str(command["open"])}
        if "serve" in command:
            self._serve(command["serve"])
            return {"serving": self.path}
        raise ValueError(f"unknown command {sorted(command)}")

    def _serve(self, settings: dict[str, Any]) -> None:
        import pyoxigraph

        if self.store is None:
            self.store = pyoxigraph.Store()
        if settings.get("marker"):
            # Empty, it adds nothing; it tells kg's own client what the default graph is.
            self.store.add_graph(pyoxigraph.NamedNode(str(settings["marker"])))
        self.base = settings.get("base")
        self.timeout = float(settings["timeout"])
        # A first query pays for loading Oxigraph's serialisers: not a client's.
        warm = self.store.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert isinstance(warm, pyoxigraph.QuerySolutions)
        warm.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
        self.path = str(settings["socket"])
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(BACKLOG)
        self.listener.setblocking(False)
        self._accepting.start()

    def _accept(self) -> None:
        """Answer every connection in a thread of its own; when the engine ends, those
        already waiting too (the path is gone first, so no more can come), not reset."""
        assert self.listener is not None
        waiting = selectors.DefaultSelector()
        waiting.register(self.listener, selectors.EVENT_READ, "query")
        waiting.register(self._ending[0], selectors.EVENT_READ, "end")
        while True:
            ready = {key.data for key, _ in waiting.select()}
            while self._take():
                pass
            if "end" in ready:
                self.listener.close()
                return

    def _take(self) -> bool:
        """Start answering one waiting connection; False when none is waiting."""
        assert self.listener is not None
        try:
            connection, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return False
        connection.setblocking(True)
        threading.Thread(target=self._answer, args=(connection,), daemon=False).start()
        return True

    def _answer(self, connection: socket.socket) -> None:
        try:
            with connection:
                answer(connection, self.store, self.base)
        except OSError:
            pass  # the front went away: nothing to tell it

    def end(self) -> None:
        """Stop listening; the queries in hand are answered (the kernel ends the process
        at their limit), then the process exits."""
        signal.setitimer(signal.ITIMER_REAL, self.timeout + STOP_MARGIN)
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        os.write(self._ending[1], b"x")
        if self._accepting.is_alive():
            self._accepting.join()


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    # Ctrl-C is kg serve's to handle (the engine runs in a session of its own anyway);
    # an alarm ends the process (its default action).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    engine = _Engine()
    try:
        for line in sys.stdin.buffer:
            try:
                reply = engine.handle(json.loads(line))
            except (OSError, RuntimeError, SyntaxError, ValueError, KeyError) as error:
                reply = {"error": f"{type(error).__name__}: {error}"}
            _say(reply)
    finally:
        # The answering threads are not daemons: the process exits after the last.
        engine.end()


if __name__ == "__main__":
    main()
