"""Bound values written into the text a SPARQL server gets (issue 20; found by
benchmarks/bench_servers.py at a million triples).

Was: kg bound a query's parameters on a server by a VALUES block at the start of the
WHERE group. A server plans from the text: the sub-selects of a saved query were
evaluated for every value first, so at a million triples entity-facts did not answer
within 60 s on Oxigraph's server, event-results took 8.6 s and race-position-reports
5.5 s, where the index, which writes the values into the text, took 3 ms, 20 ms and
0.46 s. Now a server gets the index's text (kg.stores.bound_text.for_a_server); where a
value cannot be written in (a literal where SPARQL takes none), the VALUES block as
before. Timed in the benchmark, not here: here, what the server is sent, and that the
answers stay the memory store's.
"""

from __future__ import annotations

import urllib.parse

import pytest
from conftest import SparqlServer
from cutting_proxy import cutting_proxy
from rdflib import Literal, URIRef
from test_virtuoso import kg

from kg.stores.values import code_only

ENTITY = "https://w3id.org/motorsport-kg/id/bmw-lmdh-customer-programme-decision"


def _queries_sent(body: bytes, path: str) -> str:
    form = urllib.parse.parse_qs(body.decode("utf-8")) or urllib.parse.parse_qs(
        urllib.parse.urlsplit(path).query
    )
    return form.get("query", [""])[0]


@pytest.mark.parametrize(
    "args",
    [
        ("entity-facts", "-p", "entity", "msr:bmw-lmdh-customer-programme-decision"),
        ("event-results",),  # its event and session kind, the defaults
        ("race-position-reports", "--lang", "de"),
    ],
    ids=lambda args: args[0],
)
def test_a_server_gets_the_values_written_into_the_query(
    oxigraph_server: SparqlServer, args: tuple[str, ...]
) -> None:
    assert kg("memory", "push", "--store", oxigraph_server.spec)[0] == 0
    sent: list[str] = []

    def record(command: str, path: str, body: bytes) -> bool:
        sent.append(_queries_sent(body, path))
        return False

    with cutting_proxy(oxigraph_server.base, record) as url:
        found = kg(f"sparql:{url}/query", "query", *args, "--format", "json")
    expected = kg("memory", "query", *args, "--format", "json")
    assert expected[0] == 0 and expected[1].strip(), expected[2]
    assert found == expected
    saved = [text for text in sent if "# title:" in text]
    assert len(saved) == 1, sent
    assert "VALUES" not in code_only(saved[0]).upper(), saved[0]  # outside its comments


def test_a_value_that_cannot_be_written_in_is_joined_as_before(
    oxigraph_server: SparqlServer,
) -> None:
    # A literal as a predicate: written in, the text would not parse; joined by VALUES,
    # it matches nothing, as on the memory store.
    from kg.stores.bound_text import for_a_server
    from kg.stores.sync import open_store

    text = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    bindings = {"p": Literal("x")}
    assert "VALUES" in for_a_server(text, bindings)
    assert "<urn:x:p>" in for_a_server(text, {"p": URIRef("urn:x:p")})
    assert kg("memory", "push", "--store", oxigraph_server.spec)[0] == 0
    store = open_store(oxigraph_server.spec)
    try:
        assert store.query(text, bindings).rows == ()
    finally:
        store.close()
