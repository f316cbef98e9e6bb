"""The public face of `kg serve`: a small HTTP front before kg's engines.

kg's engines (kg.stores.engine) listen on Unix sockets in a folder only this user
can enter; clients talk to this front, which takes only SPARQL queries (GET or POST
/query, the SPARQL 1.1 protocol's parameters and content types) and, before the
engine sees a query:

- checks its text (kg.stores.query_limits: size, nesting, SERVICE): 400 with the
  reason, because a query over the limits can crash the engine for everyone;
- runs at most `max_queries` at once: one more is answered 503 at once (with
  Retry-After), not queued, so an abandoned heavy query cannot starve the others
  for longer than the timeout;
- gives each query `timeout` seconds: an answer not complete by then is cut off,
  504 when nothing was sent yet; an answer already streaming (over STREAM_AFTER
  bytes) ends without its last chunk, which every HTTP client reports as an
  incomplete response. If the engine is not done with it a second later, the
  engine is ended (`on_overrun`, kg.stores.serve), whatever Oxigraph is doing, and
  the slot is free again; a slot stays taken until then (see _Upstream), so the
  engines never work on more than `max_queries` queries at once. Other queries that
  engine was answering get 503 (try again): another engine answers them.

The request is written anew from the checked values (never passed on as bytes),
so the engine sees exactly the text that was checked, but for one addition: a
query that uses kg's prefixes (ms:, msr:, ...) without declaring them gets their
declarations in front of its first line (kg.stores.query_prefixes), as `kg query -e`
does; its own declarations always win.

`upstream`, the answering engine's socket, changes when kg serve moves to another
engine (memory filled, files refreshed, an engine ended): a request reads it once,
so it is answered wholly by one engine, which holds one version of the knowledge.

GET / (and GET /query from a browser, with no query) is kg's query page
(kg.stores.serve_page), served with its script, style and catalogue by this front
under a Content-Security-Policy of its own origin only. Every other path is 404.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kg.model.errors import UsageError
from kg.model.namespaces import PREFIXES
from kg.stores.query_limits import MAX_QUERY_BYTES, check_query
from kg.stores.query_prefixes import known_prologue, undeclared_prefixes
from kg.stores.serve_page import QueryPage

# A form body may spell each byte of the query as %XX; the rest is other parameters.
MAX_BODY_BYTES = 3 * MAX_QUERY_BYTES + 65_536
# Answers up to this size are held until complete, so a timeout is a clean 504.
STREAM_AFTER = 1_048_576
# Parameters passed on besides `query`; any other is dropped (the protocol allows it).
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri", "union-default-graph")
# Seconds after a query's limit that its engine may still work on it: then the engine
# is ended (kg.stores.serve), since Oxigraph cannot stop every query itself.
OVERRUN_MARGIN = 1.0
# Seconds an engine may take to close a connection once it has been ended.
CLOSING = 5.0
# Seconds a client may take to send its request (a slow client holds a thread).
REQUEST_READ_TIMEOUT = 20.0
# Queries up to this size that passed the checks are remembered (512 of them).
CACHED_QUERY_BYTES = 65_536


@dataclass(frozen=True)
class FrontLimits:
    """Per-query time limit (seconds), queries running at once, and SERVICE allowed."""

    timeout: float = 30.0
    max_queries: int = 4
    allow_service: bool = False

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise UsageError(f"--timeout {self.timeout:g}: give a number of seconds above 0")
        if self.max_queries < 1:
            raise UsageError(f"--max-queries {self.max_queries}: give 1 or more")


class Refusal(Exception):
    """An answer to send instead of running the query: status, reason, extra headers."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}


class QueryFront(ThreadingHTTPServer):
    """The front server; `upstream` is the path of the engine's Unix socket."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        upstream: str,
        limits: FrontLimits,
        page: QueryPage | None = None,
    ):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.upstream = upstream
        # Called with an engine's socket when a query on it ran OVERRUN_MARGIN past its
        # limit (kg.stores.serve ends that engine); the sockets of engines so ended.
        self.on_overrun: Callable[[str], None] = lambda upstream: None
        self.killed: set[str] = set()
        self._serving = threading.Event()
        self.limits = limits
        self.page = page
        self.slots = threading.BoundedSemaphore(limits.max_queries)
        # Connections still sending their request or waiting for a slot, bounded too.
        self.connections = threading.BoundedSemaphore(4 * limits.max_queries + 16)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving.set()
        super().serve_forever(poll_interval)

    def shutdown_if_serving(self) -> None:
        """Stop `serve_forever` if it was started (`shutdown` would wait for it forever)."""
        if self._serving.is_set():
            self.shutdown()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.connections.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(_plain(503, "too many connections; try again shortly"))
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.connections.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    timeout = REQUEST_READ_TIMEOUT
    server: QueryFront

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: kg serve prints its endpoint and nothing per request."""

    def do_GET(self) -> None:
        page = self.server.page
        found = page.file_for(self.path, self.headers.get("Accept")) if page else None
        if page is None or found is None:
            self._answer(body=None)
            return
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._send_whole(200, found.content_type, found.body, page.headers)

    def do_POST(self) -> None:
        self._answer(body=self._body())

    def _not_allowed(self) -> None:
        self.close_connection = True
        reason = f"{self.command} is not allowed: this server answers SPARQL queries (GET, POST)"
        with contextlib.suppress(OSError):
            self._send_plain(405, reason, {"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _not_allowed

    def _body(self) -> bytes | Refusal:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            return Refusal(411, "send the request body with a Content-Length")
        if int(length) > MAX_BODY_BYTES:
            return Refusal(413, f"the request body is over {MAX_BODY_BYTES:,} bytes")
        return self.rfile.read(int(length))

    def _answer(self, body: bytes | Refusal | None) -> None:
        self.close_connection = True
        try:
            if isinstance(body, Refusal):
                raise body
            form = _checked_form(self.path, self.headers.get("Content-Type"), body)
            query = form[0][1]
            limits = self.server.limits
            prologue = _checked(query, limits.allow_service)
            form[0] = ("query", prologue + query)
            upstream = _Upstream(self.server, form, self.headers.get("Accept"))
            if not self.server.slots.acquire(blocking=False):
                raise Refusal(
                    503,
                    f"{_queries(limits.max_queries)} running, the most this server runs at "
                    "once; try again shortly",
                    {"Retry-After": "1"},
                )
            # The slot is the engine's: given back when the engine is done with the
            # query, which may be after the client got its 504 (see _Upstream).
            try:
                self._forward(upstream, time.monotonic() + limits.timeout, len(prologue))
            finally:
                upstream.finish()
        except Refusal as refusal:
            self._send_plain(refusal.status, refusal.reason, refusal.headers)
        except OSError:
            pass  # the client went away

    def _forward(self, upstream: _Upstream, deadline: float, added_columns: int) -> None:
        """Relay the engine's answer (a refusal is sent before the engine is done);
        `added_columns`: the length of the declarations put in front of the query's
        first line, taken back out of a syntax error's position there."""
        try:
            status, content_type = upstream.head(deadline)
            self._relay(status, content_type, upstream, deadline, added_columns)
        except TimeoutError:
            refusal = Refusal(
                504,
                f"the query ran longer than {self.server.limits.timeout:g} s, the limit of "
                "this server, and was stopped; ask for less (LIMIT, fewer patterns)",
            )
        except _EngineFailed as error:
            if upstream.path in self.server.killed:
                refusal = Refusal(
                    503,
                    "kg serve stopped its engine because a query ran past the time limit; "
                    "another one answers: try again",
                    {"Retry-After": "1"},
                )
            else:
                refusal = Refusal(502, f"the SPARQL engine behind kg serve failed: {error}")
        else:
            return
        self._send_plain(refusal.status, refusal.reason, refusal.headers)

    def _relay(
        self, status: int, content_type: str, upstream: _Upstream, deadline: float,
        added_columns: int,
    ) -> None:  # fmt: skip
        """Pass the answer on: whole when it is small, else streamed in chunks."""
        held: list[bytes] = []
        size = 0
        while size <= STREAM_AFTER:
            chunk = upstream.chunk(deadline)
            if not chunk:
                # The engine is done: its slot is free before the client has the answer,
                # so a client that asks again at once finds it free.
                upstream.finish()
                body = b"".join(held)
                if status == 400 and added_columns:
                    body = _position_as_sent(body, added_columns)
                self._send_whole(status, content_type, body)
                return
            held.append(chunk)
            size += len(chunk)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        chunk = b"".join(held)
        try:
            while chunk:
                self.connection.settimeout(max(deadline - time.monotonic(), 0.01))
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                chunk = upstream.chunk(deadline)
        except (OSError, _EngineFailed):
            return  # cut off (a timeout too): no last chunk, the client sees it is incomplete
        self.wfile.write(b"0\r\n\r\n")

    def _send_whole(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            if name != "X-Content-Type-Options":
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_plain(self, status: int, reason: str, headers: dict[str, str]) -> None:
        body = (reason + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _EngineFailed(Exception):
    """The engine's answer broke off, or it could not be reached."""


class _Upstream:
    """One query sent to an engine, its answer read in the request's own thread.

    Oxigraph cannot stop a query while planning it (hundreds of patterns can keep
    a core busy for minutes), and misses some while evaluating them (a seven-way
    cross join counted runs on). So a client given up on at the deadline does not
    end the engine's work by itself: `finish` reads on, discarding, until the engine
    is done, and only then is the slot given back. If it is not done OVERRUN_MARGIN
    after the deadline, the front has the engine ended (`on_overrun`). The queries at
    work in the engines are never more than the slots.
    """

    def __init__(self, front: QueryFront, form: list[tuple[str, str]], accept: str | None):
        self._front = front
        self._body = urllib.parse.urlencode(form)
        self._headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if accept:
            self._headers["Accept"] = accept
        self._connection: _EngineConnection | None = None
        self._response: http.client.HTTPResponse | None = None
        self._finished = False
        self._deadline = 0.0
        # The engine's socket, read once: the engine that answers, whatever comes next.
        self.path = front.upstream

    def head(self, deadline: float) -> tuple[int, str]:
        """Send the query; the answer's status and content type, once they come."""
        self._deadline = deadline
        try:
            try:
                self._connection = _EngineConnection(self.path, deadline)
            except (FileNotFoundError, ConnectionRefusedError):
                if self._front.upstream == self.path:
                    raise
                # A refresh ended that engine between the read and the connect: the
                # next one answers.
                self.path = self._front.upstream
                self._connection = _EngineConnection(self.path, deadline)
            self._connection.request("POST", "/query", self._body, self._headers)
            self._response = self._connection.getresponse()
        except TimeoutError:
            raise
        except (OSError, http.client.HTTPException) as error:
            raise _EngineFailed(str(error) or type(error).__name__) from error
        return self._response.status, self._response.getheader("Content-Type", "text/plain")

    def chunk(self, deadline: float) -> bytes:
        """The next piece of the answer (b"" at its end), by the deadline."""
        assert self._connection is not None and self._response is not None
        try:
            self._connection.raw.settimeout(max(deadline - time.monotonic(), 0.001))
            return self._response.read1(65_536)
        except TimeoutError:
            raise
        except (OSError, http.client.HTTPException) as error:
            raise _EngineFailed(str(error) or type(error).__name__) from error

    def finish(self) -> None:
        """Wait until the engine is done with the query (its answer read to the end,
        discarded; the engine ended if it overruns), close, give the slot back (once)."""
        if self._finished:
            return
        self._finished = True
        try:
            self._drain()
        finally:
            self._front.slots.release()

    def _drain(self) -> None:
        if self._connection is None:
            return
        raw = self._connection.raw
        try:
            raw.settimeout(max(self._deadline + OVERRUN_MARGIN - time.monotonic(), 0.001))
            try:
                while raw.recv(65_536):
                    pass
            except TimeoutError:
                self._front.on_overrun(self.path)
                raw.settimeout(CLOSING)
                while raw.recv(65_536):
                    pass
        except OSError:
            pass  # done as well: the engine was ended
        finally:
            if self._response is not None:
                self._response.close()
            self._connection.close()
            raw.close()


class _EngineConnection(http.client.HTTPConnection):
    """HTTP over the engine's Unix socket, connected at once; `raw` stays open after
    http.client lets go of it (it does once the answer's head says Connection: close)."""

    def __init__(self, path: str, deadline: float) -> None:
        super().__init__("kg-engine")
        self.raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.raw.settimeout(max(deadline - time.monotonic(), 0.001))
            self.raw.connect(path)
        except OSError:
            self.raw.close()
            raise
        self.sock = self.raw


def _checked_form(path: str, content_type: str | None, body: bytes | None) -> list[tuple[str, str]]:
    """The query first, then the dataset parameters, from a GET or POST request."""
    url = urllib.parse.urlsplit(path)
    if url.path != "/query":
        raise Refusal(
            404,
            f"no such endpoint {url.path!r}: this server answers SPARQL at /query "
            "(and shows its query page at /)",
        )
    pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
    if body is not None:
        kind = (content_type or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            pairs += urllib.parse.parse_qsl(_text(body), keep_blank_values=True)
        elif kind == "application/sparql-query":
            pairs.append(("query", _text(body)))
        else:
            raise Refusal(
                415,
                "send the query as application/sparql-query or as a form "
                "(application/x-www-form-urlencoded) with a query parameter",
            )
    if any(name == "update" for name, _ in pairs):
        raise Refusal(403, "this server is read-only: it answers queries, never updates")
    queries = [value for name, value in pairs if name == "query"]
    if len(queries) != 1:
        raise Refusal(400, "give exactly one query parameter (the SPARQL query text)")
    return [("query", queries[0])] + [pair for pair in pairs if pair[0] in DATASET_PARAMETERS]


def _checked(query: str, allow_service: bool) -> str:
    """Check the query (a refusal with the reason) and return the declarations of kg's
    prefixes to put in front of it. The same text asked again (a saved query, a page
    run twice) is not checked again: at several kilobytes the check and the prefix scan
    took about 2 ms, more than the engine needs for many queries."""
    if len(query) <= CACHED_QUERY_BYTES:
        return _checked_cached(query, allow_service)
    return _checked_now(query, allow_service)


def _checked_now(query: str, allow_service: bool) -> str:
    try:
        check_query(
            query,
            allow_service=allow_service,
            service_hint="this server runs no SERVICE (kg serve --allow-service does)",
        )
    except UsageError as error:
        raise Refusal(400, error.message) from error
    # After the check: its positions are the client's, and the declarations (kg's own
    # text, under a kilobyte, no brackets) change no limit that matters.
    return _prologue_for(query)


# Only what passed is kept (a refusal is raised again each time, never cached).
_checked_cached = functools.lru_cache(maxsize=512)(_checked_now)


def _prologue_for(query: str) -> str:
    """Declarations of kg's prefixes the query uses and does not declare, to go in
    front of it; a refusal naming a prefix that is neither declared nor kg's."""
    undeclared = undeclared_prefixes(query)
    unknown = next((prefix for prefix in undeclared if not prefix.known), None)
    if unknown is not None:
        raise Refusal(
            400,
            f"the query uses the prefix {unknown.label}: (line {unknown.line}, column "
            f"{unknown.column}) without declaring it; add 'PREFIX {unknown.label}: "
            "<namespace IRI>' at the top, or use a prefix this server knows: "
            + ", ".join(label + ":" for label in PREFIXES),
        )
    return known_prologue(undeclared)


# Oxigraph's syntax errors: "error at LINE:COLUMN: expected ...".
_ERROR_AT_LINE_1 = re.compile(rb"^error at 1:(\d+):")


def _position_as_sent(body: bytes, added_columns: int) -> bytes:
    """An error at line 1 of the query as the server got it, at line 1 of the query as
    the client sent it (the declarations kg put in front of that line taken out)."""
    match = _ERROR_AT_LINE_1.match(body)
    if match is None or int(match.group(1)) <= added_columns:
        return body
    column = int(match.group(1)) - added_columns
    return b"error at 1:%d:" % column + body[match.end() :]


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refusal(400, f"the request body is not UTF-8 text: {error}") from error


def _queries(count: int) -> str:
    return "1 query is" if count == 1 else f"{count} queries are"


def _plain(status: int, reason: str) -> bytes:
    body = (reason + "\n").encode("utf-8")
    return (
        f"HTTP/1.1 {status} {http.client.responses.get(status, '')}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii") + body
