"""The default graph a query sees is an RDF graph, a set (issue 15, item 1).

A triple that two files state is one triple (SPARQL 1.1 §13, RDF 1.1 merge). The
on-disk index used to answer with Oxigraph's union of named graphs, which counts
such a triple once per graph (2 rows where Jena and the memory store give 1). Every
store, `kg serve` and every as-of view must answer as the memory store does.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from conftest import KgServe, kg_args

SHARED = "<urn:kg-test:s> <urn:kg-test:p> <urn:kg-test:o> .\n"
ROWS = "SELECT ?o WHERE { <urn:kg-test:s> <urn:kg-test:p> ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { <urn:kg-test:s> ?p ?o }"
GRAPHS = "SELECT ?g WHERE { GRAPH ?g { <urn:kg-test:s> <urn:kg-test:p> ?o } } ORDER BY ?g"

ARTICLE = """\
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
msr:doc-{name} a ms:NewsArticle ; ms:published "{day}"^^xsd:date .
<urn:kg-test:s> <urn:kg-test:p> <urn:kg-test:o> .
"""


def _stores(tmp_path: Path) -> list[str]:
    return ["memory", f"oxigraph:{tmp_path / 'index'}"]


def _rows(run_kg, store: str, data: Path, sparql: str, *extra: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    result = run_kg(
        *kg_args("--store", store, "query", "-e", sparql, "--format", "json", *extra, data=[data])
    )
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout)["rows"])


def _values(rows: list[dict[str, object]], name: str) -> list[str]:
    return [str(row[name]["value"]) for row in rows]  # type: ignore[index]


@pytest.fixture
def twice(tmp_path: Path) -> Path:
    data = tmp_path / "d"
    data.mkdir()
    (data / "a.ttl").write_text(SHARED, encoding="utf-8")
    (data / "b.ttl").write_text(SHARED, encoding="utf-8")
    return data


def test_a_triple_two_files_state_is_one_row_on_every_store(
    run_kg, tmp_path: Path, twice: Path
) -> None:  # type: ignore[no-untyped-def]
    for store in _stores(tmp_path):
        assert _values(_rows(run_kg, store, twice, ROWS), "o") == ["urn:kg-test:o"], store
        assert _values(_rows(run_kg, store, twice, COUNT), "n") == ["1"], store
        # Each file's own graph still holds it.
        graphs = _values(_rows(run_kg, store, twice, GRAPHS), "g")
        assert [g.rsplit("/", 1)[-1] for g in graphs] == ["a", "b"], store


def test_the_merge_follows_every_refresh(run_kg, tmp_path: Path, twice: Path) -> None:  # type: ignore[no-untyped-def]
    index = f"oxigraph:{tmp_path / 'index'}"
    assert _values(_rows(run_kg, index, twice, ROWS), "o") == ["urn:kg-test:o"]
    # One file drops the triple: the other still states it.
    (twice / "b.ttl").write_text("<urn:kg-test:x> <urn:kg-test:p> 1 .\n", encoding="utf-8")
    assert _values(_rows(run_kg, index, twice, ROWS), "o") == ["urn:kg-test:o"]
    # The last file that states it drops it too: it is gone.
    (twice / "a.ttl").write_text("<urn:kg-test:x> <urn:kg-test:p> 1 .\n", encoding="utf-8")
    assert _rows(run_kg, index, twice, ROWS) == []
    assert _values(
        _rows(run_kg, index, twice, "SELECT ?v WHERE { ?x <urn:kg-test:p> ?v }"), "v"
    ) == ["1"]
    # A file removed, a file added back.
    (twice / "b.ttl").unlink()
    (twice / "c.ttl").write_text(SHARED, encoding="utf-8")
    assert _values(_rows(run_kg, index, twice, ROWS), "o") == ["urn:kg-test:o"]
    assert _values(_rows(run_kg, index, twice, COUNT), "n") == ["1"]


def test_blank_nodes_of_two_files_stay_two(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    data.mkdir()
    for name in ("a", "b"):
        (data / f"{name}.ttl").write_text(
            '<urn:kg-test:s> <urn:kg-test:q> [ <urn:kg-test:v> "same" ] .\n', encoding="utf-8"
        )
    sparql = "SELECT (COUNT(*) AS ?n) WHERE { <urn:kg-test:s> <urn:kg-test:q> ?b . ?b ?p ?v }"
    for store in _stores(tmp_path):
        # Two files, two blank nodes (an RDF merge keeps them apart).
        assert _values(_rows(run_kg, store, data, sparql), "n") == ["2"], store


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """Three dated articles that each state the same triple; the first also a decimal
    that Oxigraph would write as 203."""
    data = tmp_path / "articles"
    data.mkdir()
    for name, day in (("a", "2023-01-10"), ("b", "2023-02-10"), ("c", "2023-03-10")):
        text = ARTICLE.format(name=name, day=day)
        if name == "a":
            text += f"{LAPS_TRIPLE}\n"
        (data / f"{name}.ttl").write_text(text, encoding="utf-8")
    return data


LAPS_TRIPLE = (
    '<urn:kg-test:x> <urn:kg-test:laps> "203.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .'
)
LAPS = "SELECT ?v WHERE { ?x <urn:kg-test:laps> ?v FILTER(?v > 200) }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s <urn:kg-test:p> ?o ; ?p ?o }"


def _as_of_views_are_sets(run_kg, store: str, data: Path) -> None:  # type: ignore[no-untyped-def]
    for day, graphs in (
        ("2023-01-31", ["a"]),
        ("2023-02-28", ["a", "b"]),
        ("2023-12-31", ["a", "b", "c"]),
    ):
        rows = _rows(run_kg, store, data, ROWS, "--as-of", day)
        assert _values(rows, "o") == ["urn:kg-test:o"], (store, day)
        assert _values(_rows(run_kg, store, data, COUNT, "--as-of", day), "n") == ["1"]
        seen = _values(_rows(run_kg, store, data, GRAPHS, "--as-of", day), "g")
        assert [g.rsplit("/", 1)[-1] for g in seen] == graphs, (store, day)
    assert _rows(run_kg, store, data, ROWS, "--as-of", "2022-12-31") == []
    for day in ("2023-01-31", "2023-12-31"):
        # Literals as the file writes them, compared as values.
        laps = _rows(run_kg, store, data, LAPS, "--as-of", day)
        assert [(row["v"]["value"], row["v"]["datatype"]) for row in laps] == [  # type: ignore[index]
            ("203.0", "http://www.w3.org/2001/XMLSchema#decimal")
        ], (store, day)


def test_as_of_views_are_sets_too(run_kg, tmp_path: Path, articles: Path) -> None:  # type: ignore[no-untyped-def]
    for store in _stores(tmp_path):
        _as_of_views_are_sets(run_kg, store, articles)


def test_as_of_views_of_a_pushed_server_are_sets_too(  # type: ignore[no-untyped-def]
    run_kg, articles: Path, oxigraph_server
) -> None:
    # A server's union of the graphs of a view counted the shared triple once per graph.
    store = oxigraph_server.spec
    pushed = run_kg(*kg_args("push", "--store", store, data=[articles]))
    assert pushed.exit_code == 0, pushed.stderr
    _as_of_views_are_sets(run_kg, store, articles)
    # A CONSTRUCT over a view, and a syntax error in one, as the memory store gives them.
    for sparql in (CONSTRUCT, "SELECT ?x WHERE { ?x ?p }"):
        expected, answer = (
            run_kg(
                *kg_args(
                    "--store", name, "query", "-e", sparql, "--as-of", "2023-02-28", data=[articles]
                )
            )
            for name in ("memory", store)
        )
        assert (answer.exit_code, answer.stdout, answer.stderr) == (
            expected.exit_code, expected.stdout, expected.stderr,
        ), sparql  # fmt: skip


BUNDLED_COUNTS = [
    "SELECT ?team WHERE { ?team a ms:Team }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?p a ms:Person }",
    "SELECT ?s ?p ?o WHERE { ?s a ms:Manufacturer ; ?p ?o }",
]


@pytest.mark.parametrize("sparql", BUNDLED_COUNTS)
def test_bundled_answers_agree_with_the_memory_store(run_kg, tmp_path: Path, sparql: str) -> None:  # type: ignore[no-untyped-def]
    def answer(store: str, *extra: str) -> list[str]:
        result = run_kg(
            "--store", store, "query", "-e", sparql, "--format", "csv", "--iris", *extra
        )
        assert result.exit_code == 0, result.stderr
        return sorted(result.stdout.splitlines())

    index = f"oxigraph:{tmp_path / 'index'}"
    assert answer(index) == answer("memory")
    assert answer(index, "--as-of", "2024-02-15") == answer("memory", "--as-of", "2024-02-15")


def test_kg_serve_answers_with_one_graph(tmp_path: Path, twice: Path) -> None:
    serve = KgServe(twice, tmp_path / "index")
    try:
        assert "the default graph is their merge" in serve.banner[1]
        request = urllib.request.Request(
            serve.url,
            data=COUNT.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.read().decode().split() == ["n", "1"]
    finally:
        serve.stop()


def test_kg_serve_answers_kg_itself_with_one_graph(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, twice: Path
) -> None:
    # kg's own client named each graph as a default graph: a union, two rows.
    (twice / "laps.ttl").write_text(LAPS_TRIPLE + "\n", encoding="utf-8")
    serve = KgServe(twice, tmp_path / "index")
    try:
        store = f"sparql:{serve.url}"
        assert _values(_rows(run_kg, store, twice, ROWS), "o") == ["urn:kg-test:o"]
        assert _values(_rows(run_kg, store, twice, COUNT), "n") == ["1"]
        assert [(row["v"]["value"], row["v"]["datatype"]) for row in  # type: ignore[index]
                _rows(run_kg, store, twice, LAPS)] == [
            ("203.0", "http://www.w3.org/2001/XMLSchema#decimal")
        ]  # fmt: skip
        # kg's own bookkeeping is no graph of the knowledge: not in GRAPH ?g, not exported.
        every = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
        graphs = _values(_rows(run_kg, store, twice, every), "g")
        assert graphs == _values(_rows(run_kg, "memory", twice, every), "g")
        assert {"a", "b", "laps"} <= {g.rsplit("/", 1)[-1] for g in graphs}
        assert not [g for g in graphs if g.startswith("urn:x-motorsport-kg:")]
        exported = run_kg(*kg_args("--store", store, "export", "--format", "nquads",
                                   data=[twice]))  # fmt: skip
        assert exported.exit_code == 0, exported.stderr
        assert "urn:x-motorsport-kg:" not in exported.stdout
        assert (
            exported.stdout
            == run_kg(
                *kg_args("--store", "memory", "export", "--format", "nquads", data=[twice])
            ).stdout
        )
    finally:
        serve.stop()
    assert serve.returncode == 0, serve.errors


def test_as_of_views_of_kg_serve_are_sets_too(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, articles: Path
) -> None:
    serve = KgServe(articles, tmp_path / "index")
    try:
        _as_of_views_are_sets(run_kg, f"sparql:{serve.url}", articles)
    finally:
        serve.stop()


def test_a_pushed_server_answers_with_one_graph(run_kg, twice: Path, oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    pushed = run_kg(*kg_args("push", "--store", oxigraph_server.spec, data=[twice]))
    assert pushed.exit_code == 0, pushed.stderr
    store = oxigraph_server.spec
    assert _values(_rows(run_kg, store, twice, ROWS), "o") == ["urn:kg-test:o"]
    assert _values(_rows(run_kg, store, twice, COUNT), "n") == ["1"]
    # The merge is kg's own bookkeeping: no command lists it as a graph of the knowledge.
    graphs = _values(_rows(run_kg, store, twice, GRAPHS), "g")
    assert [g.rsplit("/", 1)[-1] for g in graphs] == ["a", "b"]
    # A second push after an edit keeps the merge in step.
    (twice / "b.ttl").write_text("<urn:kg-test:s> <urn:kg-test:p> <urn:kg-test:other> .\n")
    assert run_kg(*kg_args("push", "--store", store, data=[twice])).exit_code == 0
    assert sorted(_values(_rows(run_kg, store, twice, ROWS), "o")) == [
        "urn:kg-test:o",
        "urn:kg-test:other",
    ]
