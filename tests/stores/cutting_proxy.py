"""A real HTTP proxy on 127.0.0.1 that drops chosen requests, as a server that dies does
(the connection closed, no answer), and forwards every other one, its answer changed
where asked (a server that answers wrongly).

Used by the tests of a push cut halfway (test_push_interrupted, test_virtuoso_update)
and of a server that repeats rows (test_distinct_rows).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Whether to drop a request, given its method, path and body (called once per request).
Dropping = Callable[[str, str, bytes], bool]
# The body of the answer sent back, given the request's path and body and the answer's body.
Rewriting = Callable[[str, bytes, bytes], bytes]


@contextmanager
def cutting_proxy(
    target: str, drop: Dropping, timeout: float = 60, rewrite: Rewriting | None = None
) -> Iterator[str]:
    """A proxy to `target` (http://host:port) that drops each request `drop` picks and
    passes each answer through `rewrite`; yields its own base URL."""
    upstream = urlsplit(target)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if drop(self.command, self.path, body):
                self.close_connection = True
                self.connection.close()  # the server "dies": no answer at all
                return
            connection = http.client.HTTPConnection(
                upstream.hostname, upstream.port, timeout=timeout
            )
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            if rewrite is not None:
                data = rewrite(self.path, body, data)
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        do_GET = do_POST = do_PUT = do_DELETE = _forward

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()
