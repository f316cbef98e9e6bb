"""A server that repeats rows under `SELECT DISTINCT` (issue 19).

Was: Virtuoso 7.2 gave race-position-reports' rows for a driver with two entries at the
event twice (46 rows, 42 distinct, on every server tried), and kg showed what came:
8 rows where the memory store gives 7, on some servers a report twice.

Now kg keeps DISTINCT itself (kg.stores.distinct), and refuses an answer the server
sliced (LIMIT, OFFSET) after counting repeated rows. The server here is a real
`oxigraph serve` behind a real proxy on 127.0.0.1 that sends every row of every answer
twice, as Virtuoso did for some; the saved query's own fix is checked on a real
Virtuoso in test_virtuoso.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import SparqlServer
from cutting_proxy import cutting_proxy
from test_virtuoso import kg

TEAM = "<https://w3id.org/motorsport-kg/ontology/Team>"


def _every_row_twice(path: str, body: bytes, data: bytes) -> bytes:
    try:
        answer = json.loads(data)
    except ValueError:
        return data  # not a JSON answer (N-Triples, an update's reply)
    if not isinstance(answer, dict) or "results" not in answer:
        return data
    answer["results"]["bindings"] = [row for row in answer["results"]["bindings"] for _ in "ab"]
    return json.dumps(answer).encode("utf-8")


@pytest.fixture
def repeating(oxigraph_server: SparqlServer) -> Iterator[str]:
    """The store spec of the core view on a server whose every answer repeats each row."""
    assert kg("memory", "push", "--store", oxigraph_server.spec)[0] == 0
    with cutting_proxy(oxigraph_server.base, lambda *_: False, rewrite=_every_row_twice) as url:
        yield f"sparql:{url}/query"


def test_a_select_distinct_answers_each_row_once(repeating: str) -> None:
    for args in [
        ("query", "-e", "SELECT DISTINCT ?class WHERE { ?s a ?class } ORDER BY ?class"),
        ("query", "race-position-reports", "--format", "json"),
        ("query", "race-position-reports", "--format", "json", "--lang", "de"),
        # A slice inside (a sub-select's LIMIT) is the server's to take: no refusal.
        (
            "query",
            "-e",
            "SELECT DISTINCT ?c WHERE { { SELECT ?c WHERE { ?s a ?c } "
            "ORDER BY ?c LIMIT 900 } } ORDER BY ?c",
        ),
    ]:
        expected, found = kg("memory", *args), kg(repeating, *args)
        assert expected[0] == 0 and expected[1].strip(), expected[2]
        assert found == expected, args


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?c WHERE { VALUES ?c { " + TEAM + " } }",  # a bag: as the server gives it
        "SELECT REDUCED ?c WHERE { VALUES ?c { " + TEAM + " } }",  # may keep repeats
        "SELECT ?c WHERE { { SELECT DISTINCT ?c WHERE { VALUES ?c { " + TEAM + " } } } }",
    ],
)
def test_a_query_that_is_not_distinct_keeps_the_rows_the_server_gave(
    repeating: str, text: str
) -> None:
    code, out, errors = kg(repeating, "query", "-e", text, "--format", "csv")
    assert (code, errors) == (0, "")
    assert out.splitlines() == ["c", "team", "team"], out  # its label, twice


@pytest.mark.parametrize(
    "text",
    [
        "SELECT DISTINCT ?c WHERE { ?s a ?c } ORDER BY ?c LIMIT 5",
        "SELECT DISTINCT ?c WHERE { ?s a ?c } OFFSET 2",
        # VALUES after the slice: the slice is found after the WHERE group, not the text.
        "SELECT DISTINCT ?c WHERE { ?s a ?c } LIMIT 3 VALUES ?c { " + TEAM + " }",
    ],
)
def test_a_sliced_distinct_answer_with_repeated_rows_is_refused(repeating: str, text: str) -> None:
    code, out, errors = kg(repeating, "query", "-e", text)
    assert (code, out) == (3, ""), errors
    assert "gave the same row more than once for a SELECT DISTINCT query with LIMIT" in errors
    assert "127.0.0.1" in errors and errors.count("\n") == 1
