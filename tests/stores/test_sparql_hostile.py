"""The SPARQL client against hostile or broken servers: raw sockets on 127.0.0.1 that
trickle bytes, cut answers short, garble HTTP, echo the request (Authorization and all)
or redirect elsewhere. Each ends in one line on stderr and exit 3 (a bad URL: exit 2),
within KG_SPARQL_TIMEOUT for the whole request, and no credential is ever shown or sent
to another origin (docs/security.md)."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "fixtures" / "stores" / "data"
ASK = "ASK { ?s ?p ?o }"
PASSWORD = "pa55-w0rd-never-shown"
TOKEN = base64.b64encode(f"ann:{PASSWORD}".encode()).decode()
EMPTY = b'{"head":{"vars":["g"]},"results":{"bindings":[]}}'

Answer = Callable[[socket.socket, bytes], None]


class RawServer:
    """Accepts connections on 127.0.0.1, reads each request's head and body, keeps them
    (to see what a client sent) and answers as `answer` says."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/query") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        connection.settimeout(10)
        with connection:
            try:
                request = _read_request(connection)
                self.requests.append(request)
                self.answer(connection, request)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.fixture
def serve() -> Iterator[Callable[[Answer], RawServer]]:
    started: list[RawServer] = []

    def start(answer: Answer) -> RawServer:
        server = RawServer(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def answering(status: bytes, headers: bytes = b"", body: bytes = b"") -> Answer:
    def answer(connection: socket.socket, request: bytes) -> None:
        connection.sendall(b"HTTP/1.1 " + status + b"\r\n" + headers + b"\r\n" + body)

    return answer


def results(connection: socket.socket, request: bytes) -> None:
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(EMPTY), EMPTY)
    )


def kg(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """`kg ARGS` in a real process, killed if it outlives `timeout` (a hang)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KG_SPARQL") and not key.lower().endswith("_proxy")
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kg", "--data", str(DATA), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def shown(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


# -- broken answers ---------------------------------------------------------------------------

JSON_HEAD = b"Content-Type: application/sparql-results+json\r\n"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (
            answering(b"200 OK", JSON_HEAD + b"Content-Length: 500\r\n", EMPTY),
            "the answer ended early or its chunked encoding is broken",
        ),
        (
            answering(b"200 OK", JSON_HEAD + b"Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n"),
            "the answer ended early or its chunked encoding is broken",
        ),
        (answering(b"", b"", b"HTTQ/9 what"), "not an HTTP status line: "),
        (
            answering(b"200 OK", b"X-Big: " + b"a" * 70000 + b"\r\n"),
            "a header or status line longer than 64 KB",
        ),
        (
            answering(b"200 OK", b"".join(b"X-%d: 1\r\n" % n for n in range(150))),
            "got more than 101 headers",  # 100, and one for the graph the query names
        ),
        (lambda connection, request: None, "the server closed the connection without answering"),
    ],
    ids=[
        "truncated",
        "bad-chunks",
        "bad-status-line",
        "64kb-header",
        "150-headers",
        "silent-close",
    ],
)
def test_a_broken_answer_is_exit_3_naming_the_server(serve, answer: Answer, problem: str) -> None:
    server = serve(answer)
    result = kg("--store", f"sparql:{server.url()}", "query", "-e", ASK)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith(
        f"kg: error: the SPARQL endpoint {server.url()} sent a broken HTTP answer ("
    ), result.stderr
    assert problem in result.stderr
    assert result.stderr.endswith("; check the server, or a proxy between it and kg\n")


def test_a_trickling_server_is_cut_off_at_the_deadline_for_the_whole_request(serve) -> None:
    """One byte every 0.2 s never lets a read wait long, but the request as a whole must
    end at KG_SPARQL_TIMEOUT (before, kg waited as long as the server kept sending)."""

    def trickle(connection: socket.socket, request: bytes) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
            connection.sendall(bytes([byte]))
            time.sleep(0.2)

    server = serve(trickle)
    result = kg(
        "--store", f"sparql:{server.url()}", "query", "-e", ASK,
        env={"KG_SPARQL_TIMEOUT": "1"}, timeout=20,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert result.stderr == (
        f"kg: error: the SPARQL endpoint {server.url()} did not answer within 1 s; check the "
        "server or raise KG_SPARQL_TIMEOUT (seconds for the whole request)\n"
    )


# -- credentials ------------------------------------------------------------------------------


def test_an_error_body_echoing_the_request_shows_no_credential(serve) -> None:
    def echo(connection: socket.socket, request: bytes) -> None:
        body = b"you sent: " + request + b" (Basic " + TOKEN.encode() + b")"
        connection.sendall(b"HTTP/1.1 500 Oops\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    server = serve(echo)
    env = {"KG_SPARQL_USER": "ann", "KG_SPARQL_PASSWORD": PASSWORD}
    result = kg("--store", f"sparql:{server.url()}", "query", "-e", ASK, env=env)
    assert result.returncode == 3
    assert f"Authorization: Basic {TOKEN}".encode() in server.requests[0]
    assert result.stderr.startswith(f"kg: error: the SPARQL endpoint {server.url()} answered ")
    assert TOKEN not in shown(result) and PASSWORD not in shown(result)
    assert len(result.stderr) < 400  # shortened
    # Also when the body is short enough to be shown whole.
    server.answer = answering(b"500 Oops", b"", b"authorization=Basic " + TOKEN.encode())
    result = kg("--store", f"sparql:{server.url()}", "query", "-e", ASK, env=env)
    assert result.stderr.endswith("answered HTTP 500 Oops: authorization: ***\n"), result.stderr


@pytest.mark.parametrize("password", ["12345/topsecret", "pa#topsecret", "pa?topsecret"])
def test_a_password_with_url_delimiters_is_refused_and_never_shown(password: str) -> None:
    url = f"http://alice:{password}@127.0.0.1:9/query"
    result = kg("--store", f"sparql:{url}", "query", "-e", ASK)
    assert result.returncode == 2, result.stderr
    assert "topsecret" not in shown(result)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("kg: error: store sparql:http://127.0.0.1:9/query ")
    assert "KG_SPARQL_PASSWORD" in result.stderr


def test_a_password_never_shows_in_help_or_in_an_unknown_store_message() -> None:
    env = {"KG_STORE": f"sparkl:http://ann:{PASSWORD}@127.0.0.1:9/query"}
    result = kg("query", "-e", ASK, env=env)
    assert result.returncode == 2
    assert PASSWORD not in shown(result)
    assert "'sparkl:http://127.0.0.1:9/query'" in result.stderr
    env = {"KG_STORE": f"sparql:http://ann:{PASSWORD}@127.0.0.1:9/query"}
    for args in (["--help"], ["query", "--help"], ["push", "--help"]):
        result = kg(*args, env=env)
        assert result.returncode == 0
        assert PASSWORD not in shown(result)


def test_a_port_out_of_range_is_a_usage_error() -> None:
    result = kg("--store", f"sparql:http://ann:{PASSWORD}@127.0.0.1:99999/q", "query", "-e", ASK)
    assert result.returncode == 2
    assert result.stderr == (
        "kg: error: store sparql:http://127.0.0.1:99999/q (from --store): "
        "the port must be a number from 1 to 65535\n"
    )


def test_credentials_never_follow_a_redirect_to_another_origin(serve) -> None:
    elsewhere = serve(results)
    # Another port of the same host is another origin.
    server = serve(answering(b"302 Found", f"Location: {elsewhere.url()}\r\n".encode()))
    url = server.url().replace("http://", f"http://ann:{PASSWORD}@")
    result = kg("--store", f"sparql:{url}", "query", "-e", ASK)
    assert result.returncode == 3, result.stderr
    assert elsewhere.requests == []
    assert f"Basic {TOKEN}".encode() in server.requests[0]
    assert result.stderr == (
        f"kg: error: the SPARQL endpoint {server.url()} redirected the request (HTTP 302) to "
        f"another server, {elsewhere.url()}; kg sends requests and credentials only where you "
        "point it: if that server is the right one, name it in --store\n"
    )


def test_a_redirect_within_the_origin_is_followed_with_the_credentials(serve) -> None:
    def moved(connection: socket.socket, request: bytes) -> None:
        if request.startswith(b"POST /old"):
            answering(b"307 Temporary Redirect", b"Location: /query\r\n")(connection, request)
        else:
            results(connection, request)

    server = serve(moved)
    # A form: the request line is the path alone (by GET it carries the query).
    env = {"KG_SPARQL_USER": "ann", "KG_SPARQL_PASSWORD": PASSWORD, "KG_SPARQL_METHOD": "form"}
    result = kg("--store", f"sparql:{server.url('/old')}", "query", "-e", ASK, env=env)
    assert result.returncode == 3  # the server holds no graphs: it was asked
    assert "holds none of the knowledge's graphs" in result.stderr
    # Each query (the manifest, then whether it is `kg serve`'s) is sent and redirected.
    paths = [request.split(b" ", 2)[1] for request in server.requests]
    assert paths[:2] == [b"/old", b"/query"] and set(paths) == {b"/old", b"/query"}, paths
    assert all(f"Basic {TOKEN}".encode() in request for request in server.requests)


def test_url_credentials_stay_with_their_origin(serve) -> None:
    """A user:password@ in the query URL is not sent to a Graph Store on another origin."""
    store = serve(answering(b"204 No Content", b"Content-Length: 0\r\n"))
    query = serve(results)
    url = query.url().replace("http://", f"http://ann:{PASSWORD}@")
    result = kg("--store", f"sparql:{url}", "push", "--gsp-url", store.url("/store"))
    assert result.returncode == 0, result.stderr
    assert store.requests and not any(b"Authorization" in r for r in store.requests)
    assert PASSWORD not in shown(result)


def _netrc(tmp_path: Path, text: str, mode: int = 0o600) -> dict[str, str]:
    path = tmp_path / "netrc"
    path.write_text(text)
    path.chmod(mode)
    return {"KG_NETRC": str(path)}


def test_credentials_from_a_netrc_file(serve, tmp_path: Path) -> None:
    server = serve(results)
    env = _netrc(tmp_path, f"machine 127.0.0.1 login ann password {PASSWORD}\n")
    result = kg("--store", f"sparql:{server.url()}", "query", "-e", ASK, env=env)
    assert result.returncode == 3  # holds no graphs
    assert f"Authorization: Basic {TOKEN}".encode() in server.requests[0]
    assert PASSWORD not in shown(result)


@pytest.mark.parametrize(
    ("text", "mode", "message"),
    [
        (f"machine 127.0.0.1 login ann password {PASSWORD}\n", 0o644, "other users can read"),
        (f"machine 127.0.0.1 login ann password {PASSWORD} bogus\n", 0o600, "is not valid netrc"),
    ],
    ids=["readable-by-others", "bad-syntax"],
)
def test_an_unsafe_or_broken_netrc_is_refused_without_showing_it(
    serve, tmp_path: Path, text: str, mode: int, message: str
) -> None:
    server = serve(results)
    env = _netrc(tmp_path, text, mode)
    result = kg("--store", f"sparql:{server.url()}", "query", "-e", ASK, env=env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert PASSWORD not in shown(result)
    assert server.requests == []


def test_http_proxy_from_the_environment_is_used(serve) -> None:
    """http_proxy is honoured as urllib honoured it, so leaving urllib lost no one's proxy."""
    proxy = serve(results)
    env = {
        "http_proxy": proxy.url(""),
        "no_proxy": "",
        "NO_PROXY": "",
        "KG_SPARQL_METHOD": "form",
    }
    result = kg("--store", "sparql:http://sparql.invalid:7878/query", "query", "-e", ASK, env=env)
    assert result.returncode == 3  # the proxy's server holds no graphs
    assert "holds none of the knowledge's graphs" in result.stderr
    assert proxy.requests[0].startswith(b"POST http://sparql.invalid:7878/query HTTP/1.1\r\n")


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "soon"])
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(value: str) -> None:
    url = "http://127.0.0.1:9/query"
    result = kg("--store", f"sparql:{url}", "query", "-e", ASK, env={"KG_SPARQL_TIMEOUT": value})
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"kg: error: KG_SPARQL_TIMEOUT={value!r} is not a positive number of seconds\n"
    )
