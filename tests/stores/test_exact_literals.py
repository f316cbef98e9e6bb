"""What a file says is what every store holds and every output writes (issue 15, items 3, 4).

`"007"^^xsd:positiveInteger` and `"7"^^xsd:integer` are different RDF terms (RDF 1.1
Concepts §3.3), and so are `"1"^^xsd:boolean` and `true`, `203.0` and `203`,
`"2024-01-27Z"^^xsd:date` and `"2024-01-27"^^xsd:date`. rdflib (with its literal
normalisation on) and Oxigraph (which keeps numbers, dates and durations as values)
each rewrote some of them; the index then hid the `sh:datatype` violation of a
`"778"^^xsd:nonNegativeInteger` that the file states. Every store must hold the terms
as written, every export must write them back (read by an independent parser), a
query must show them, and validation must judge them as written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import kg_args

EX = "http://example.org/exact/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MS = "https://w3id.org/motorsport-kg/ontology/"

# Each lexical form next to the one Oxigraph or rdflib made of it.
EXACT = [
    ("007", "positiveInteger"),
    ("7", "integer"),
    ("01", "integer"),
    ("+5", "integer"),
    ("778", "nonNegativeInteger"),
    ("5", "byte"),
    ("203.0", "decimal"),
    ("203", "decimal"),
    ("1.50", "decimal"),
    ("1", "boolean"),
    ("true", "boolean"),
    ("0", "boolean"),
    ("1e0", "double"),
    ("1.0", "float"),
    ("2024-01-27Z", "date"),
    ("2024-01-27", "date"),
    ("2024-01-27+00:00", "date"),
    ("2024-01-27T10:00:00.000Z", "dateTime"),
    ("PT60S", "duration"),
    ("PT1M", "duration"),
]
TERMS = {(value, XSD + datatype) for value, datatype in EXACT}

TURTLE = "\n".join(
    f'<{EX}s> <{EX}p> "{value}"^^<{XSD}{datatype}> .' for value, datatype in EXACT
) + (
    # The same value written two ways in a second file: still two terms.
    f'\n<{EX}t> <{EX}q> "1"^^<{XSD}boolean> , "true"^^<{XSD}boolean> .\n'
)

RESULT = f"""\
@prefix ms: <{MS}> .
@prefix xsd: <{XSD}> .
<{EX}result-1> a ms:Result ; ms:lapsCompleted "778"^^xsd:nonNegativeInteger .
"""

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


@pytest.fixture
def exact(tmp_path: Path) -> Path:
    data = tmp_path / "d"
    data.mkdir()
    (data / "literals.ttl").write_text(TURTLE, encoding="utf-8")
    return data


def _stores(tmp_path: Path) -> list[str]:
    return ["memory", f"oxigraph:{tmp_path / 'index'}"]


def _terms(quads: object) -> set[tuple[str, str, str]]:
    found = set()
    for quad in quads:  # type: ignore[attr-defined]
        obj = quad.object
        assert isinstance(obj, ox.Literal), quad
        found.add((quad.subject.value, obj.value, obj.datatype.value))
    return found


def _source(data: Path) -> set[tuple[str, str, str]]:
    return _terms(ox.parse(path=str(data / "literals.ttl"), format=ox.RdfFormat.TURTLE))


def test_the_fixture_holds_every_term_once(exact: Path) -> None:
    # pyoxigraph's parser keeps the lexical forms: it is the independent reader here.
    assert {(value, datatype) for s, value, datatype in _source(exact) if s == f"{EX}s"} == TERMS
    assert len(_source(exact)) == len(EXACT) + 2


EXPORTS = [(name, ()) for name in sorted(FORMATS)] + [
    (name, ("--stream",)) for name in ("nquads", "ntriples", "trig", "turtle")
]


@pytest.mark.parametrize(
    ("format_name", "extra"),
    EXPORTS,
    ids=lambda v: v if isinstance(v, str) else "-".join(v) or "stable",
)
def test_every_store_exports_the_terms_as_written(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, exact: Path, format_name: str, extra: tuple[str, ...]
) -> None:
    for store in _stores(tmp_path):
        target = tmp_path / f"{store.split(':')[0]}.{format_name}"
        result = run_kg(*kg_args("--store", store, "export", *extra, "--format", format_name,
                                 "-o", str(target), data=[exact]))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        back = _terms(ox.parse(path=str(target), format=FORMATS[format_name]))
        assert back == _source(exact), (store, sorted(back ^ _source(exact)))


# One way of writing each value: a query answers with the term as written everywhere
# (no boolean: the ontology writes `true` and `false`).
# (Where the knowledge writes one value in two ways, "007"^^xsd:positiveInteger here
# and "7"^^xsd:integer there, an Oxigraph store answers a query over all graphs with
# Oxigraph's form, and counts the two as one value on one subject: docs/stores.md.)
ONE_WAY = [
    ("007", "positiveInteger"),
    ("778", "nonNegativeInteger"),
    ("203.0", "decimal"),
    ("1e0", "double"),
    ("2024-01-27+00:00", "date"),
    ("2024-01-27T10:00:00.000Z", "dateTime"),
    ("PT60S", "duration"),
]


def _one_way(tmp_path: Path) -> Path:
    data = tmp_path / "one-way"
    data.mkdir()
    lines = [
        f'<{EX}s{number}> <{EX}p> "{value}"^^<{XSD}{datatype}> .'
        for number, (value, datatype) in enumerate(ONE_WAY)
    ]
    (data / "literals.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def _query(run_kg, store: str, data: Path, sparql: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    result = run_kg(
        *kg_args("--store", store, "query", "-e", sparql, "--format", "json", data=[data])
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    return sorted((row["o"]["value"], row["o"]["datatype"]) for row in rows)


ALL = f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}"
WRITTEN = sorted((value, XSD + datatype) for value, datatype in ONE_WAY)


def test_a_query_shows_the_terms_as_written(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _one_way(tmp_path)
    for store in _stores(tmp_path):
        assert _query(run_kg, store, data, ALL) == WRITTEN, store
        # Through GRAPH ?g too (the files' graphs, not the merge).
        graph = f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"
        assert _query(run_kg, store, data, graph) == WRITTEN, store


def test_a_query_still_compares_values(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Exact terms, and numbers are still numbers: 007 > 6, 203.0 > 200, PT60S = PT1M.
    data = _one_way(tmp_path)
    sparql = (
        f"SELECT ?o WHERE {{ ?s <{EX}p> ?o FILTER((isNumeric(?o) && ?o > 6 && ?o < 1000) "
        f'|| ?o = "PT1M"^^<{XSD}duration>) }}'
    )
    expected = sorted(
        [("007", XSD + "positiveInteger"), ("778", XSD + "nonNegativeInteger"),
         ("203.0", XSD + "decimal"), ("PT60S", XSD + "duration")]
    )  # fmt: skip
    for store in _stores(tmp_path):
        assert _query(run_kg, store, data, sparql) == expected, store


def test_a_pushed_server_keeps_the_terms_as_written(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, exact: Path, oxigraph_server
) -> None:
    store = oxigraph_server.spec
    pushed = run_kg(*kg_args("push", "--store", store, data=[exact]))
    assert pushed.exit_code == 0, pushed.stderr
    target = tmp_path / "server.nq"
    result = run_kg(*kg_args("--store", store, "export", "--format", "nquads", "-o", str(target),
                             data=[exact]))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _terms(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS)) == _source(exact)


def _datatype_violations(run_kg, store: str, *args: str, data: list[Path]) -> list[object]:  # type: ignore[no-untyped-def]
    result = run_kg(*kg_args("--store", store, "validate", *args, "--format", "json", data=data))
    report = json.loads(result.stdout)
    found = [
        (item["focus"], item["path"], item["value"])
        for item in report["results"]
        if item["shape"] == "mss:Result-lapsCompleted"
    ]
    assert result.exit_code != 0 or not found, result.stderr
    return found


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_validation_judges_the_terms_as_written(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, engine: str
) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "result.ttl").write_text(RESULT, encoding="utf-8")
    expected = [(f"<{EX}result-1>", "ms:lapsCompleted", '"778" (xsd:nonNegativeInteger)')]
    for store in _stores(tmp_path):
        found = _datatype_violations(run_kg, store, "--engine", engine, data=[data])
        assert [tuple(map(str, item)) for item in found] == expected, store  # type: ignore[arg-type]
        alone = _datatype_violations(
            run_kg, store, "--engine", engine, str(data / "result.ttl"), data=[data]
        )
        assert alone == found, store


def test_a_pushed_server_answers_with_the_terms_as_written(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, oxigraph_server
) -> None:
    data = _one_way(tmp_path)
    store = oxigraph_server.spec
    pushed = run_kg(*kg_args("push", "--store", store, data=[data]))
    assert pushed.exit_code == 0, pushed.stderr
    assert _query(run_kg, store, data, ALL) == WRITTEN
    # kg's own bookkeeping graphs are no graphs of the knowledge.
    graphs = run_kg(*kg_args("--store", store, "query", "-e",
                             "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                             "--format", "json", data=[data]))  # fmt: skip
    names = [row["g"]["value"] for row in json.loads(graphs.stdout)["rows"]]
    assert not [name for name in names if name.startswith("urn:x-motorsport-kg:")], names
