"""The public face of `kg serve`: a small HTTP front before Oxigraph's server.

Oxigraph's server listens on a private loopback port; clients talk to this front,
which takes only SPARQL queries (GET or POST /query, the SPARQL 1.1 protocol's
parameters and content types) and, before the server sees a query:

- checks its text (kg.stores.query_limits: size, nesting, SERVICE): 400 with the
  reason, because a query over the limits can crash the server for everyone;
- runs at most `max_queries` at once: one more is answered 503 at once (with
  Retry-After), not queued, so an abandoned heavy query cannot starve the others
  for longer than the timeout;
- gives each query `timeout` seconds: an answer not complete by then is cut off,
  504 when nothing was sent yet; an answer already streaming (over STREAM_AFTER
  bytes) ends without its last chunk, which every HTTP client reports as an
  incomplete response. Oxigraph's own `--timeout-s`, set a second later, stops
  the work on the server's side for most queries; a slot stays taken until the
  server is done (see _Pump), so the server never works on more than
  `max_queries` at once.

The request is written anew from the checked values (never passed on as bytes),
so the server sees exactly the text that was checked, but for one addition: a
query that uses kg's prefixes (ms:, msr:, ...) without declaring them gets their
declarations in front of its first line (kg.stores.query_prefixes), as `kg query -e`
does; its own declarations always win.

GET / (and GET /query from a browser, with no query) is kg's query page
(kg.stores.serve_page), served with its script, style and catalogue by this front
under a Content-Security-Policy of its own origin only. Every other path is 404.
"""

from __future__ import annotations

import contextlib
import http.client
import queue
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
# Seconds the server may stay silent before the pump gives up on it (and frees its slot).
UPSTREAM_SILENCE = 3600.0
# Seconds a client may take to send its request (a slow client holds a thread).
REQUEST_READ_TIMEOUT = 20.0


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
    """The front server; `upstream` is the private (host, port) of Oxigraph's server."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        upstream: tuple[str, int],
        limits: FrontLimits,
        page: QueryPage | None = None,
    ):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.upstream = upstream
        self.limits = limits
        self.page = page
        self.slots = threading.BoundedSemaphore(limits.max_queries)
        # Connections still sending their request or waiting for a slot, bounded too.
        self.connections = threading.BoundedSemaphore(4 * limits.max_queries + 16)

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
            try:
                check_query(
                    query,
                    allow_service=limits.allow_service,
                    service_hint="this server runs no SERVICE (kg serve --allow-service does)",
                )
            except UsageError as error:
                raise Refusal(400, error.message) from error
            # After the check: its positions are the client's, and the declarations
            # (kg's own text, under a kilobyte, no brackets) change no limit that matters.
            prologue = _prologue_for(query)
            form[0] = ("query", prologue + query)
            if not self.server.slots.acquire(blocking=False):
                raise Refusal(
                    503,
                    f"{_queries(limits.max_queries)} running, the most this server runs at "
                    "once; try again shortly",
                    {"Retry-After": "1"},
                )
            # The slot is the server's: the pump gives it back when the server is done
            # with the query, which may be after the client got its 504.
            pump = _Pump(self.server.upstream, form, self.headers.get("Accept"))
            pump.start(self.server.slots.release)
            self._forward(pump, time.monotonic() + limits.timeout, len(prologue))
        except Refusal as refusal:
            self._send_plain(refusal.status, refusal.reason, refusal.headers)
        except OSError:
            pass  # the client went away

    def _forward(self, pump: _Pump, deadline: float, added_columns: int) -> None:
        """Relay the server's answer; `added_columns`: the length of the declarations
        put in front of the query's first line, taken back out of a syntax error's
        position there."""
        try:
            status, content_type = pump.head(deadline)
            self._relay(status, content_type, pump, deadline, added_columns)
        except TimeoutError as error:
            raise Refusal(
                504,
                f"the query ran longer than {self.server.limits.timeout:g} s, the limit of "
                "this server, and was stopped; ask for less (LIMIT, fewer patterns)",
            ) from error
        except (http.client.HTTPException, ConnectionError) as error:
            raise Refusal(502, f"the SPARQL server behind kg serve failed: {error}") from error
        finally:
            pump.abandon()

    def _relay(
        self, status: int, content_type: str, pump: _Pump, deadline: float, added_columns: int
    ) -> None:
        """Pass the answer on: whole when it is small, else streamed in chunks."""
        held: list[bytes] = []
        size = 0
        while size <= STREAM_AFTER:
            chunk = pump.chunk(deadline)
            if not chunk:
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
                chunk = pump.chunk(deadline)
        except (OSError, http.client.HTTPException):
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


class _Pump:
    """Talks to the server in a thread of its own and hands the answer over in pieces.

    Oxigraph cannot stop a query while planning it (hundreds of patterns can keep
    a core busy for minutes), and its `--timeout-s` misses some evaluations (a
    seven-way cross join counted runs on). So a client
    given up on at the deadline does not end the server's work: the pump reads on,
    discarding, until the server closes, and only then gives the slot back. The
    queries at work in the server are therefore never more than the slots.
    """

    def __init__(self, upstream: tuple[str, int], form: list[tuple[str, str]], accept: str | None):
        self._upstream = upstream
        self._body = urllib.parse.urlencode(form)
        self._headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if accept:
            self._headers["Accept"] = accept
        self._pieces: queue.Queue[Any] = queue.Queue(maxsize=16)
        self._abandoned = threading.Event()

    def start(self, done: Callable[[], None]) -> None:
        try:
            threading.Thread(target=self._run, args=(done,), daemon=True).start()
        except BaseException:
            done()
            raise

    def abandon(self) -> None:
        self._abandoned.set()

    def head(self, deadline: float) -> tuple[int, str]:
        status, content_type = self._next(deadline)
        return int(status), str(content_type)

    def chunk(self, deadline: float) -> bytes:
        piece = self._next(deadline)
        assert isinstance(piece, bytes)
        return piece

    def _next(self, deadline: float) -> Any:
        try:
            piece = self._pieces.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise TimeoutError("deadline") from None
        if isinstance(piece, Exception):
            raise piece
        return piece

    def _put(self, piece: Any) -> None:
        while not self._abandoned.is_set():
            with contextlib.suppress(queue.Full):
                self._pieces.put(piece, timeout=0.2)
                return

    def _run(self, done: Callable[[], None]) -> None:
        host, port = self._upstream
        connection = http.client.HTTPConnection(host, port, timeout=UPSTREAM_SILENCE)
        try:
            connection.request("POST", "/query", self._body, self._headers)
            response = connection.getresponse()
            self._put((response.status, response.getheader("Content-Type", "text/plain")))
            while True:
                piece = response.read1(65_536)
                self._put(piece)
                if not piece:
                    break
        except (OSError, http.client.HTTPException) as error:
            self._put(error)
        finally:
            connection.close()
            done()


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
