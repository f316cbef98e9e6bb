"""Hostile query text through `kg query` (issue 18, items 2 and 9): bounded before any
engine sees it, and no outbound connection unless asked for (docs/security.md).

The deep queries run in a child process: before the limits, the index's engine
(Oxigraph) crashed the whole process with a segfault."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import DEEP, LONG_CHAIN, Listener

from kg.model import paths
from kg.stores.query_limits import MAX_BRACKET_DEPTH, MAX_NESTING, check_query, shape_of

DATA = Path(__file__).parents[1] / "fixtures" / "stores" / "data"


def kg(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`kg --data DATA ARGS` as a user runs it, on the store KG_STORE names."""
    return subprocess.run(
        [sys.executable, "-m", "kg", "--data", str(DATA), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    try:
        yield opened
    finally:
        opened.close()


def test_10000_nested_parentheses_are_a_usage_error_not_a_crash() -> None:
    result = kg("query", "-e", DEEP)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "kg: error: the query nests brackets 10002 deep (at line 1, column 10024); kg takes "
        f"at most {MAX_BRACKET_DEPTH} levels of (), {{}} and [] inside one another\n"
    )


def test_a_10000_long_operator_chain_is_a_usage_error_not_a_crash() -> None:
    result = kg("query", "-e", LONG_CHAIN)
    assert result.returncode == 2, result.stderr
    assert f"kg takes at most {MAX_NESTING}: split it" in result.stderr


def test_a_deep_saved_query_file_is_refused_too(tmp_path: Path) -> None:
    saved = tmp_path / "deep.rq"
    saved.write_text("# title: Deep\n" + DEEP + "\n", encoding="utf-8")
    result = kg("query", str(saved))
    assert result.returncode == 2, result.stderr
    assert "nests brackets 10002 deep (at line 2, column 10024)" in result.stderr


def test_parameter_values_count_towards_the_size_limit(run_kg, tmp_path: Path) -> None:
    saved = tmp_path / "named.rq"
    saved.write_text(
        "# title: Named\n# param: name (string): a name\nSELECT ?s WHERE { ?s ?p ?name }\n",
        encoding="utf-8",
    )
    result = run_kg("--data", str(DATA), "query", str(saved), "-p", "name", "x" * 1_100_000)
    assert result.exit_code == 2, result.stderr
    assert "with its parameters; kg takes queries of at most 1,048,576 bytes" in result.stderr


@pytest.mark.parametrize("name", sorted(p.stem for p in paths.queries_dir().glob("*.rq")))
def test_every_saved_query_is_well_within_the_limits(name: str) -> None:
    text = (paths.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    check_query(text)
    shape = shape_of(text)
    assert shape.bracket_depth * 4 <= MAX_BRACKET_DEPTH
    assert shape.nesting * 10 <= MAX_NESTING


@pytest.mark.parametrize(
    "service",
    ["SERVICE", "service SILENT", "\\u0053ERVICE"],
    ids=["plain", "silent", "escaped"],
)
def test_service_is_refused_and_nothing_connects(listener: Listener, service: str) -> None:
    query = (
        f"SELECT * WHERE {{ {service} <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    )
    result = kg("query", "-e", query)
    assert result.returncode == 2, result.stderr
    assert "calls another SPARQL endpoint with SERVICE (line 1, column 18)" in result.stderr
    assert "rerun with --allow-service" in result.stderr
    assert listener.connections == []


def test_allow_service_lets_the_query_connect(listener: Listener) -> None:
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    result = kg("query", "--allow-service", "-e", query)
    # The listener answers nothing: a failed query (exit 3), never a traceback.
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("kg: error: the query failed while running"), result.stderr
    assert len(listener.connections) == 1
    assert listener.connections[0].startswith(b"POST /sparql")


def test_from_names_a_graph_and_fetches_nothing(listener: Listener) -> None:
    query = (
        f"SELECT (COUNT(*) AS ?n) FROM <http://127.0.0.1:{listener.port}/data.ttl> "
        "WHERE { ?s ?p ?o }"
    )
    result = kg("query", "-e", query, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "n\n0\n"
    assert listener.connections == []


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service WHERE { ?service a <urn:x:SERVICE> }",
        "SELECT * WHERE { ?s <urn:p> 'SERVICE <http://x/>' } # SERVICE",
        "PREFIX ex: <urn:x:> SELECT * WHERE { ?s ex:SERVICE ?o }",
    ],
)
def test_the_word_service_elsewhere_is_not_refused(text: str) -> None:
    check_query(text)


def test_values_rows_and_in_lists_are_flat() -> None:
    rows = " ".join(f"<urn:x:{number}>" for number in range(5000))
    check_query(f"SELECT * WHERE {{ VALUES ?x {{ {rows} }} ?x ?p ?o }}")
    check_query(f"SELECT * WHERE {{ ?x ?p ?o FILTER(?x IN ({rows.replace(' ', ', ')})) }}")
