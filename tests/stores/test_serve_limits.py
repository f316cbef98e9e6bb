"""`kg serve` against hostile clients (issue 18, items 2, 4 and 9; docs/security.md):
every query is checked before Oxigraph's server sees it, each runs for a bounded
time, and only so many run at once. A real `kg serve` on 127.0.0.1, a free port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import DEEP, LONG_CHAIN, Listener

DATA = Path(__file__).parents[1] / "fixtures" / "stores" / "data"
# A seven-way cross join counted: minutes of work over the fixture's triples.
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
)
SMALL = "ASK { ?s ?p ?o }"


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]


@contextlib.contextmanager
def kg_serve(data: Path, index: Path, *options: str) -> Iterator[str]:
    """A real `kg serve --port 0 OPTIONS` over `data` with its own index; its query URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "--data", str(data), "serve", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "KG_STORE": f"oxigraph:{index}"},
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    assert banner.startswith("SPARQL endpoint: http://127.0.0.1:"), process.stderr
    try:
        yield banner.split(": ", 1)[1].strip()
    finally:
        process.terminate()
        process.communicate(timeout=20)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`kg serve --timeout 2 --max-queries 2` over the fixture data; its query URL.

    One server per test: a query cut off in one test holds its slot until Oxigraph
    has stopped it too, a second later."""
    with kg_serve(DATA, tmp_path / "index", "--timeout", "2", "--max-queries", "2") as url:
        yield url


def ask(url: str, query: str, timeout: float = 20, **form: str) -> Reply:
    body = urllib.parse.urlencode({"query": query, **form}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode(), dict(error.headers))


@pytest.mark.parametrize("query", [DEEP, LONG_CHAIN], ids=["parentheses", "chain"])
def test_a_query_that_crashed_the_server_is_refused_and_the_server_lives(
    served: str, query: str
) -> None:
    refused = ask(served, query)
    assert refused.status == 400
    assert "kg takes at most" in refused.body
    assert ask(served, SMALL).body.strip() == "true"


def test_service_is_refused_and_the_server_connects_nowhere(served: str) -> None:
    listener = Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/q> {{ ?s ?p ?o }} }}"
        refused = ask(served, query)
        time.sleep(0.5)
    finally:
        listener.close()
    assert refused.status == 400
    assert "SERVICE" in refused.body and "kg serve --allow-service" in refused.body
    assert listener.connections == []


def test_a_long_query_is_cut_off_while_a_small_one_answers(served: str) -> None:
    replies: list[Reply] = []
    heavy = threading.Thread(target=lambda: replies.append(ask(served, HEAVY)))
    started = time.monotonic()
    heavy.start()
    time.sleep(0.5)
    assert ask(served, SMALL).body.strip() == "true"
    heavy.join(timeout=20)
    assert replies and replies[0].status == 504, replies
    assert replies[0].body == (
        "the query ran longer than 2 s, the limit of this server, and was stopped; "
        "ask for less (LIMIT, fewer patterns)\n"
    )
    assert time.monotonic() - started < 15


def test_more_queries_than_slots_get_503_not_a_queue(served: str) -> None:
    replies: list[Reply] = []
    heavy = [threading.Thread(target=lambda: replies.append(ask(served, HEAVY))) for _ in range(2)]
    for thread in heavy:
        thread.start()
    time.sleep(0.5)
    busy = ask(served, SMALL, timeout=5)
    for thread in heavy:
        thread.join(timeout=20)
    assert busy.status == 503
    assert (
        busy.body == "2 queries are running, the most this server runs at once; try again shortly\n"
    )
    assert busy.headers.get("Retry-After") == "1"
    assert sorted(reply.status for reply in replies) == [504, 504]


def test_only_queries_are_taken(served: str) -> None:
    base = served.rsplit("/", 1)[0]
    assert ask(base + "/store", SMALL).status == 404
    assert ask(base + "/update", SMALL).status == 404
    update = ask(served, SMALL, update="INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert update.status == 403
    put = urllib.request.Request(served, data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(put, timeout=10)
    assert refused.value.code == 405
    two = urllib.parse.urlencode([("query", SMALL), ("query", SMALL)]).encode()
    with pytest.raises(urllib.error.HTTPError) as doubled:
        urllib.request.urlopen(urllib.request.Request(served, data=two), timeout=10)
    assert doubled.value.code == 400


def test_get_and_sparql_query_bodies_answer(served: str) -> None:
    url = served + "?" + urllib.parse.urlencode({"query": "SELECT (1 AS ?one) {}"})
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Accept": "text/csv"}), timeout=10
    ) as response:
        assert response.read().decode().split() == ["one", "1"]
    posted = urllib.request.Request(
        served,
        data=b"SELECT (2 AS ?two) {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    with urllib.request.urlopen(posted, timeout=10) as response:
        assert response.read().decode().split() == ["two", "2"]
