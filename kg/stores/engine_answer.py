"""One SPARQL query answered on one connection, inside a worker of kg serve's engine.

A worker's only client is kg's own front (kg.stores.serve_front), over a Unix socket
in a folder only its user can enter. The front sends the SPARQL protocol's form
(`query`, `default-graph-uri`, `named-graph-uri`, `union-default-graph`) as a POST
with an Accept header; the worker answers in HTTP/1.1, a small answer whole, a big
one in chunks, so that an answer cut off midway is seen as incomplete, never as whole.

Content negotiation, dataset parameters and messages follow Oxigraph's own server
(`oxigraph serve`), which served kg before: clients see the same formats, the same
media types and the same syntax errors ("error at LINE:COLUMN: ...").
"""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

from kg.stores.projection import column_order, explicit, star_projection

# The front sends at most a few MiB (kg.stores.serve_front.MAX_BODY_BYTES).
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_HEAD_LINES = 100
# Answers up to this size go whole (with a Content-Length); beyond, in chunks.
WHOLE_UP_TO = 262_144
F = TypeVar("F")


class Failure(Exception):
    """An answer that is not the query's: an HTTP status and a plain-text reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Request:
    form: list[tuple[str, str]]
    accept: str


def answer(connection: socket.socket, store: Any, base_iri: str | None) -> None:
    """Read one request from `connection`, answer it from `store`, and leave the
    connection for the caller to close."""
    import pyoxigraph

    stream = connection.makefile("rb")
    writer = _Answer(connection)
    try:
        request = read_request(stream)
        results = evaluate(store, request.form, base_iri)
        if isinstance(results, pyoxigraph.QueryTriples):
            rdf = negotiate(request.accept, _rdf_format, pyoxigraph.RdfFormat.N_QUADS,
                            "application/n-quads or text/turtle")  # fmt: skip
            writer.content_type = rdf.media_type
            results.serialize(writer, format=rdf)  # type: ignore[arg-type]
        else:
            found = negotiate(request.accept, _results_format, pyoxigraph.QueryResultsFormat.JSON,
                              "application/sparql-results+json or text/tsv")  # fmt: skip
            writer.content_type = found.media_type
            results.serialize(writer, format=found)
        writer.finish()
    except Failure as failure:
        writer.fail(failure.status, failure.reason)
    except (OSError, RuntimeError, ValueError) as error:
        # An error while the query runs (Oxigraph evaluates as it serialises).
        writer.fail(500, str(error))
    finally:
        stream.close()


def read_request(stream: BinaryIO) -> Request:
    """The form of a POST of the SPARQL protocol, and its Accept header."""
    line = stream.readline(65_536)
    if not line.startswith(b"POST "):
        raise Failure(405, "only POST reaches kg serve's engine")
    headers: dict[str, str] = {}
    for _ in range(MAX_HEAD_LINES):
        line = stream.readline(65_536)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise Failure(400, "too many header lines")
    length = headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise Failure(400, "the request needs a Content-Length of at most 16 MiB")
    body = stream.read(int(length))
    try:
        form = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as error:
        raise Failure(400, f"Invalid UTF-8 body: {error}") from error
    return Request(form, headers.get("accept", ""))


def evaluate(store: Any, form: list[tuple[str, str]], base_iri: str | None) -> Any:
    """Run the form's query with its dataset, as Oxigraph's server does."""
    import pyoxigraph

    queries = [value for name, value in form if name == "query"]
    if len(queries) != 1:
        raise Failure(400, "You should set the 'query' parameter exactly once")
    defaults = [value for name, value in form if name == "default-graph-uri"]
    named = [value for name, value in form if name == "named-graph-uri"]
    union = any(name == "union-default-graph" for name, _ in form)
    if union and (defaults or named):
        raise Failure(
            400,
            "default-graph-uri or named-graph-uri and union-default-graph should not be set "
            "at the same time",
        )
    options: dict[str, Any] = {"use_default_graph_as_union": union}
    try:
        if defaults or named:
            # Naming graphs sets both: a default graph of the named ones (or none) and
            # the graphs GRAPH may see (or none).
            options["default_graph"] = [pyoxigraph.NamedNode(iri) for iri in defaults]
            options["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in named]
        return store.query(star_by_name(queries[0], base_iri), base_iri=base_iri, **options)
    except (SyntaxError, ValueError) as error:
        raise Failure(400, str(error)) from error


def star_by_name(query: str, base_iri: str | None) -> str:
    """`query`, a `SELECT *` asking for its columns by name in kg's order, as every store
    gives them (kg.stores.projection), for every client and format of kg serve.

    The columns are Oxigraph's: those of the query on an empty store (some 40 µs; it
    is run, and Oxigraph runs an ORDER BY when asked, not as the answer is read). A
    query that calls a SERVICE would call it then: its in-scope variables are read
    from the text instead."""
    import pyoxigraph

    star = star_projection(query)
    if star is None:
        return query
    if star.service:
        return explicit(query, star.variables) if star.scoped else query
    try:
        planned = pyoxigraph.Store().query(query, base_iri=base_iri)
    except (SyntaxError, ValueError, OSError, RuntimeError):
        return query  # the query itself reports what is wrong
    found = tuple(variable.value for variable in getattr(planned, "variables", ()))
    order = column_order(query, found)
    return query if order is None or order == found else explicit(query, order)


def negotiate(accept: str, parse: Callable[[str], F | None], default: F, example: str) -> F:
    """The format the Accept header asks for, as Oxigraph's server chooses it: the highest
    `q` wins, `*/*`, `application/*` and `text/*` mean the default."""
    if not accept.strip():
        return default
    chosen: F | None = None
    best = 0.0
    for offered in accept.split(","):
        score = 1.0
        media, _, last = offered.rpartition(";")
        name, equals, value = last.partition("=")
        if media and equals and name.strip().lower() == "q":
            try:
                score = float(value.strip())
            except ValueError as error:
                raise Failure(400, f"Invalid Accept media type score: {value}") from error
            offered = media
        if score <= best:
            continue
        kind, slash, sub = offered.split(";")[0].partition("/")
        if not slash:
            raise Failure(400, f"Invalid media type: '{offered}'")
        kind, sub = kind.strip(), sub.strip()
        if kind == "*" and sub == "*":
            found: F | None = default
        elif sub == "*":
            found = default if kind in ("application", "text") else None
        else:
            found = parse(offered.strip())
        if found is not None:
            chosen, best = found, score
    if chosen is None:
        raise Failure(406, f"The accept header does not provide any accepted format like {example}")
    return chosen


def _results_format(media: str) -> Any:
    import pyoxigraph

    return pyoxigraph.QueryResultsFormat.from_media_type(media)


def _rdf_format(media: str) -> Any:
    import pyoxigraph

    return pyoxigraph.RdfFormat.from_media_type(media)


class _Answer:
    """The writer Oxigraph serialises into: holds a small answer whole, then streams."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._held: list[bytes] = []
        self._size = 0
        self._streaming = False
        self.content_type = "text/plain; charset=utf-8"

    def write(self, data: bytes) -> int:
        self._held.append(bytes(data))
        self._size += len(data)
        if self._size > WHOLE_UP_TO:
            self._send_held()
        return len(data)

    def flush(self) -> None:
        """Oxigraph flushes at the end; the answer goes out in `finish`."""

    def finish(self) -> None:
        if self._streaming:
            self._send_held()
            self._connection.sendall(b"0\r\n\r\n")
        else:
            self._whole(200, self.content_type, b"".join(self._held))

    def fail(self, status: int, reason: str) -> None:
        """A failure before anything was sent is its own answer; after, the answer ends
        without its last chunk, which the front sees as a broken answer."""
        if not self._streaming:
            self._whole(status, "text/plain; charset=utf-8", reason.encode("utf-8"))

    def _send_held(self) -> None:
        if not self._streaming:
            self._streaming = True
            self._connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n"
                b"Connection: close\r\n\r\n" % self.content_type.encode("ascii")
            )
        chunk = b"".join(self._held)
        self._held, self._size = [], 0
        if chunk:
            self._connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    def _whole(self, status: int, content_type: str, body: bytes) -> None:
        self._connection.sendall(
            b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s"
            % (
                status,
                _REASONS.get(status, b"Error"),
                content_type.encode("ascii"),
                len(body),
                body,
            )
        )


_REASONS = {
    200: b"OK",
    400: b"Bad Request",
    405: b"Method Not Allowed",
    406: b"Not Acceptable",
    500: b"Internal Server Error",
}
