"""Remote SPARQL servers through the CLI: kg push / kg load to a real Oxigraph server, queries
against it, kg serve, and clear errors (exit 3, endpoint named, no password) when the server
misbehaves."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import KgServe

FIXTURES = Path(__file__).parents[1] / "fixtures" / "stores"
DATA = FIXTURES / "data"
TEAMS = "PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>\nSELECT ?t WHERE { ?t a ms:Team }"
PASSWORD = "pa55-w0rd-never-shown"


def test_push_then_query_the_server(run_kg, oxigraph_server) -> None:
    pushed = run_kg(
        "--data", str(DATA), "push", "--store", f"sparql:{oxigraph_server.query_url}",
        "--gsp-url", oxigraph_server.gsp_url,
    )  # fmt: skip
    assert pushed.exit_code == 0, pushed.stderr
    assert pushed.stdout.startswith("pushed 6 files (")
    assert pushed.stdout.endswith(
        f"triples) as named graphs to SPARQL endpoint {oxigraph_server.query_url}\n"
    )
    remote = run_kg(
        "--store", oxigraph_server.spec, "--data", str(DATA),
        "query", "-e", TEAMS + " ORDER BY ?t", "--format", "csv", "--iris",
    )  # fmt: skip
    local = run_kg(
        "--store", "memory", "--data", str(DATA),
        "query", "-e", TEAMS + " ORDER BY ?t", "--format", "csv", "--iris",
    )  # fmt: skip
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout == "t\nmsr:team-a\nmsr:team-b\nmsr:team-c\n"


def test_load_is_push_through_sparql_update(run_kg, oxigraph_server) -> None:
    spec = f"sparql:{oxigraph_server.query_url}?update={oxigraph_server.update_url}"
    loaded = run_kg("--data", str(DATA), "load", "--store", spec)
    assert loaded.exit_code == 0, loaded.stderr
    data_triples = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(CONTAINS(STR(?g), '/data/')) }"
    )
    counted = run_kg(
        "--store", spec, "--data", str(DATA), "query", "-e", data_triples, "--format", "csv"
    )  # fmt: skip
    assert counted.stdout == "n\n19\n"


def test_prune_removes_graphs_no_file_provides(run_kg, oxigraph_server, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("teams.ttl", "people.ttl"):
        (data / name).write_bytes((DATA / name).read_bytes())
    assert run_kg("--data", str(data), "push", "--store", oxigraph_server.spec).exit_code == 0
    (data / "people.ttl").unlink()
    pruned = run_kg("--data", str(data), "push", "--store", oxigraph_server.spec, "--prune")
    assert pruned.exit_code == 0, pruned.stderr
    assert pruned.stdout.splitlines()[1:] == [
        "removed <https://w3id.org/motorsport-kg/graph/data/people> (no file provides it any more)"
    ]


def test_push_needs_a_way_to_write(run_kg, oxigraph_server) -> None:
    result = run_kg("--data", str(DATA), "push", "--store", f"sparql:{oxigraph_server.query_url}")
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: SPARQL endpoint {oxigraph_server.query_url} takes queries only: give its "
        "Graph Store Protocol URL with --gsp-url (or ?gsp=URL in the store spec) or its update "
        "URL with --update-url\n"
    )


def test_gsp_url_needs_a_sparql_store(run_kg, tmp_path: Path) -> None:
    result = run_kg("push", "--store", "memory", "--gsp-url", "http://127.0.0.1:9/store")
    assert result.exit_code == 2
    assert "--gsp-url and --update-url go with a sparql:URL store" in result.stderr


def test_a_file_with_an_error_stops_the_push_before_anything_is_sent(
    run_kg, oxigraph_server, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "good.ttl").write_bytes((DATA / "teams.ttl").read_bytes())
    (data / "zbad.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    result = run_kg("--data", str(data), "push", "--store", oxigraph_server.spec)
    assert result.exit_code == 3
    assert "zbad.ttl: line 1" in result.stderr
    with urllib.request.urlopen(
        oxigraph_server.query_url + "?query=" + urllib.parse.quote("ASK { GRAPH ?g { ?s ?p ?o } }")
    ) as response:
        assert b"false" in response.read()


def test_reading_an_empty_server_says_push_first(run_kg, oxigraph_server) -> None:
    result = run_kg("--store", oxigraph_server.spec, "--data", str(DATA), "query", "-e", TEAMS)
    assert result.exit_code == 3
    assert result.stderr == (
        f"kg: error: SPARQL endpoint {oxigraph_server.query_url} holds none of the knowledge's "
        "graphs; publish them first with 'kg push --store sparql:URL --gsp-url URL'\n"
    )


# -- a misbehaving server --------------------------------------------------------------------


class Misbehaving(http.server.BaseHTTPRequestHandler):
    """Answers every request the way the test asks: a status, a body, or silence."""

    mode = "500"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    do_PUT = do_POST
    do_GET = do_POST

    def _answer(self) -> None:
        mode = type(self).mode
        if mode == "slow":
            time.sleep(3)
            return
        if mode == "garbage":
            body = b"<html>this is not JSON</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
        elif mode == "401":
            body = b"who are you?"
            self.send_response(401)
        else:
            body = b"internal trouble"
            self.send_response(int(mode))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def bad_server() -> Iterator[tuple[str, type[Misbehaving]]]:
    handler = type("Handler", (Misbehaving,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("500", "answered HTTP 500 Internal Server Error: internal trouble"),
        ("404", "answered HTTP 404 Not Found: internal trouble"),
        ("garbage", "answered with something that is not SPARQL JSON results"),
        ("slow", "did not answer within 0.5 s; check the server or raise KG_SPARQL_TIMEOUT"),
    ],
)
def test_server_errors_name_the_endpoint_and_exit_3(
    run_kg, bad_server, monkeypatch: pytest.MonkeyPatch, mode: str, message: str
) -> None:
    url, handler = bad_server
    handler.mode = mode
    # Only the silent server is meant to run into the time limit; the others answer at
    # once, and a short limit for them made the test fail when a garbage collection of
    # the test process happened to last longer than the limit.
    monkeypatch.setenv("KG_SPARQL_TIMEOUT", "0.5" if mode == "slow" else "30")
    result = run_kg("--store", f"sparql:{url}", "--data", str(DATA), "query", "-e", TEAMS)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"kg: error: the SPARQL endpoint {url} ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_connection(run_kg) -> None:
    from kg.stores.serve import free_port

    url = f"http://127.0.0.1:{free_port('127.0.0.1')}/query"
    result = run_kg("--store", f"sparql:{url}", "--data", str(DATA), "query", "-e", TEAMS)
    assert result.exit_code == 3
    assert result.stderr == (
        f"kg: error: cannot reach the SPARQL endpoint {url}: Connection refused; "
        "check that the server runs and the URL given with --store\n"
    )


def test_refused_credentials_never_show_the_password(
    run_kg, bad_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = bad_server
    handler.mode = "401"
    monkeypatch.setenv("KG_SPARQL_USER", "ann")
    monkeypatch.setenv("KG_SPARQL_PASSWORD", PASSWORD)
    result = run_kg("--store", f"sparql:{url}", "--data", str(DATA), "push", "--gsp-url", url)
    assert result.exit_code == 3
    assert result.stderr == (
        f"kg: error: the SPARQL endpoint {url} refused access (HTTP 401) to user 'ann' "
        "with Basic; check the user and password (KG_SPARQL_USER and KG_SPARQL_PASSWORD, "
        "or the host's line in ~/.netrc) and what that user may do on the server\n"
    )
    assert PASSWORD not in result.stdout + result.stderr
    # A password written into the URL is not shown either.
    monkeypatch.delenv("KG_SPARQL_USER")
    with_userinfo = url.replace("http://", f"http://ann:{PASSWORD}@")
    result = run_kg("--store", f"sparql:{with_userinfo}", "--data", str(DATA), "query", "-e", TEAMS)
    assert result.exit_code == 3
    assert PASSWORD not in result.stdout + result.stderr
    assert url in result.stderr


def test_credentials_reach_the_server(oxigraph_server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Authorization header is sent (Oxigraph ignores it; the request must still work)."""
    from kg.stores.sparql_store import SparqlStore

    monkeypatch.setenv("KG_SPARQL_USER", "ann")
    monkeypatch.setenv("KG_SPARQL_PASSWORD", PASSWORD)
    store = SparqlStore(oxigraph_server.query_url, gsp_url=oxigraph_server.gsp_url)
    assert store.query("ASK { }").boolean is True
    assert PASSWORD not in repr(vars(store)).replace(repr(PASSWORD), "")


# -- kg serve ---------------------------------------------------------------------------------


def test_serve_answers_sparql_until_interrupted(tmp_path: Path) -> None:
    serve = KgServe(DATA, tmp_path / "index")
    try:
        first, second = serve.banner
        assert first.startswith("SPARQL endpoint: http://127.0.0.1:"), first
        url = serve.url
        assert second.startswith("read-only, 6 named graphs")
        request = urllib.request.Request(
            url,
            data=(TEAMS + " ORDER BY ?t").encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
        assert body.split() == [
            "t",
            "https://w3id.org/motorsport-kg/id/team-a",
            "https://w3id.org/motorsport-kg/id/team-b",
            "https://w3id.org/motorsport-kg/id/team-c",
        ]
        update = urllib.request.Request(
            url.replace("/query", "/update"),
            data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Content-Type": "application/sparql-update"},
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(update, timeout=10)
    finally:
        serve.stop()
    assert serve.returncode == 0, serve.errors
    assert serve.errors == "stopped\n"
    assert not list((tmp_path / "index").glob("serve-*"))


def test_serve_refuses_a_remote_store(run_kg) -> None:
    result = run_kg("--store", "sparql:http://127.0.0.1:9/query", "serve")
    assert result.exit_code == 2
    assert "kg serve serves the local index" in result.stderr


def test_stores_doc_covers_every_command_and_spec() -> None:
    text = (Path(__file__).parents[2] / "docs" / "stores.md").read_text(encoding="utf-8")
    for needle in (
        "kg push",
        "kg load",
        "kg serve",
        "oxigraph:PATH",
        "sparql:",
        "memory",
        "KG_STORE",
        "kg.toml",
        "KG_SPARQL_USER",
        "KG_SPARQL_PASSWORD",
        "KG_SPARQL_TIMEOUT",
        "KG_STORE=oxigraph .venv/bin/pytest\n",
        "--store-trace=",
        "--store-rerun=",
    ):
        assert needle in text, needle


def test_streamed_export_reads_the_servers_graphs(run_kg, oxigraph_server, tmp_path: Path) -> None:
    from rdflib import Dataset, URIRef
    from rdflib.compare import isomorphic

    assert run_kg("--data", str(DATA), "push", "--store", oxigraph_server.spec).exit_code == 0
    exported = {}
    for spec in (oxigraph_server.spec, "memory"):
        target = tmp_path / f"{spec.split(':')[0]}.nq"
        result = run_kg("--store", spec, "--data", str(DATA),
                        "export", "--stream", "--format", "nquads", "-o", str(target))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        exported[spec] = Dataset().parse(target, format="nquads")
    remote, local = exported.values()
    names = sorted(str(g.identifier) for g in local.graphs() if len(g))
    assert names == sorted(str(g.identifier) for g in remote.graphs() if len(g))
    for name in names:
        graph = URIRef(name)
        assert isomorphic(remote.graph(graph), local.graph(graph)), name
