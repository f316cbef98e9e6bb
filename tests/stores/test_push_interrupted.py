"""A push that dies halfway (issue 18, item 8): measured from outside, the server kept
12 new and 27 old graphs and a deleted file's graph, kg said only "Connection
refused", and later reads silently mixed them. Now the push says how far it got,
reads refuse the half-pushed server (exit 3), and the next push completes it.

The server is a real `oxigraph serve`; between kg and it stands a real HTTP proxy on
127.0.0.1 that forwards every request until it has passed a given number of graph
writes (PUT), then drops the connection, as a server that dies does.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cutting_proxy import cutting_proxy

from tests.conftest import copy_core_data

TEAMS = "SELECT ?t WHERE { ?t a <https://w3id.org/motorsport-kg/ontology/Team> } ORDER BY ?t"


@contextmanager
def _dying_proxy(target: str, puts_allowed: int) -> Iterator[str]:
    """A proxy to `target` (http://host:port) that drops every PUT after the first
    `puts_allowed`; yields its own base URL."""
    passed = {"puts": 0}

    def drop(command: str, path: str, body: bytes) -> bool:
        if command != "PUT":
            return False
        passed["puts"] += 1
        return passed["puts"] > puts_allowed

    with cutting_proxy(target, drop, timeout=20) as url:
        yield url


def _spec(base: str) -> str:
    return f"sparql:{base}/query?gsp={base}/store"


def test_a_push_that_dies_halfway_is_named_refused_by_reads_and_completed_by_the_next(  # type: ignore[no-untyped-def]
    run_kg, oxigraph_server, tmp_path: Path
) -> None:
    data = copy_core_data(tmp_path / "copy")
    first = run_kg("--data", str(data), "push", "--store", oxigraph_server.spec)
    assert first.exit_code == 0, first.stderr
    # The files change: one is deleted, so its graph must go with --prune.
    articles = sorted((data / "articles").glob("*.ttl"))
    articles[0].unlink()
    with _dying_proxy(oxigraph_server.base, puts_allowed=3) as proxy:
        died = run_kg("--data", str(data), "push", "--prune", "--store", _spec(proxy))
    assert died.exit_code == 3, died.stderr
    # The journal and two graphs went through: the push says so, and what it means.
    assert "the push stopped after 2 of " in died.stderr
    assert "run again" in died.stderr or "kg push is run again" in died.stderr
    read = run_kg("--store", oxigraph_server.spec, "--data", str(data), "query", "-e", TEAMS)
    assert read.exit_code == 3
    assert "a kg push to this server did not finish" in read.stderr
    assert "run kg push again to complete it" in read.stderr
    again = run_kg("--data", str(data), "push", "--prune", "--store", oxigraph_server.spec)
    assert again.exit_code == 0, again.stderr
    remote = run_kg(
        "--store", oxigraph_server.spec, "--data", str(data), "query", "-e", TEAMS,
        "--format", "csv", "--iris",
    )  # fmt: skip
    local = run_kg(
        "--store", "memory", "--data", str(data), "query", "-e", TEAMS,
        "--format", "csv", "--iris",
    )  # fmt: skip
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout
    graphs = run_kg(
        "--store", oxigraph_server.spec, "--data", str(data), "query", "-e",
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv", "--iris",
    )  # fmt: skip
    assert articles[0].stem not in graphs.stdout  # the deleted file's graph is gone
    shutil.rmtree(data)


def test_a_push_that_completes_leaves_no_journal(run_kg, oxigraph_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = copy_core_data(tmp_path / "copy")
    pushed = run_kg("--data", str(data), "push", "--store", oxigraph_server.spec)
    assert pushed.exit_code == 0, pushed.stderr
    with _dying_proxy(oxigraph_server.base, puts_allowed=0) as proxy:
        # Reading through a proxy that would drop a write: reads write nothing.
        read = run_kg("--store", _spec(proxy), "--data", str(data), "query", "-e", TEAMS)
    assert read.exit_code == 0, read.stderr
