"""`SELECT *` gives the same columns in the same order on every store (issue 19).

SPARQL gives `SELECT *` the in-scope variables (SPARQL 1.1 §18.2.1) and no order:
rdflib ordered them by a set (another order with each PYTHONHASHSEED), Oxigraph
alphabetically, and rdflib's set also held variables only a FILTER or MINUS names and
lacked those of a VALUES clause after the WHERE group. kg orders them by where each
first appears in the query text in scope (kg.stores.projection), on the memory store
(whatever the hash seed), the index, a real `oxigraph serve`, and `kg serve` (for any
HTTP client too), in every output format. Virtuoso is in tests/stores/test_virtuoso.py.

The tests name their stores themselves: they run in the KG_STORE=memory pass only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import KgServe, SparqlServer

from kg.stores.projection import column_order, explicit, star_projection

pytestmark = pytest.mark.skipif(
    os.environ.get("KG_STORE", "memory") != "memory",
    reason="names its own stores (memory, index, servers) whatever KG_STORE says",
)

DATA = Path(__file__).parents[1] / "fixtures" / "stores" / "data"
# Columns neither alphabetical nor in any hash order: the text's. A FILTER, a MINUS and
# the body of a sub-select that does not project ?label add none; nor do the comment,
# the string and the IRI that hold a "?" or a "$".
STAR = """\
# ?comment only in a comment; "?strings" and <urn:x?iri> are not variables either
SELECT * WHERE {
  FILTER(!BOUND(?filtered) || ?filtered != "?quoted $too")
  $team a ms:Team ; skos:prefLabel ?name .
  OPTIONAL { ?team ms:founded ?year }
  OPTIONAL { ?member ms:memberOf ?team . ?member <urn:x?not=?variable> ?never }
  { SELECT ?team (COUNT(?label) AS ?labels) WHERE { ?team skos:prefLabel ?label } GROUP BY ?team }
  BIND(STRLEN(STR(?name)) AS ?length)
  VALUES ?kind { "team" }
  MINUS { ?team ms:dissolved ?gone }
}
ORDER BY ?team (STR(?name)) (LANG(?name)) ?member
VALUES ?edition { 2024 }
"""
COLUMNS = ("team", "name", "year", "member", "never", "labels", "length", "kind", "edition")
FORMATS = ("csv", "tsv", "json", "table", "markdown")
PREFIXES = (
    "PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)


def query_args(output_format: str) -> list[str]:
    return ["query", "-e", STAR, "--format", output_format, "--iris", "--width", "none"]


def header(output: str, output_format: str) -> tuple[str, ...]:
    """The column names an output shows, in order."""
    if output_format == "json":
        return tuple(json.loads(output)["variables"])
    first = output.splitlines()[0]
    if output_format == "csv":
        return tuple(first.split(","))
    if output_format == "tsv":
        return tuple(first.split("\t"))
    if output_format == "markdown":
        return tuple(cell.strip() for cell in first.strip("|").split("|"))
    return tuple(first.split())


def kg_child(seed: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`kg --store memory --data DATA ARGS...` as its own process, with PYTHONHASHSEED."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "KG_STORE": "memory"}
    return subprocess.run(
        [sys.executable, "-m", "kg", "--store", "memory", "--data", str(DATA), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("output_format", FORMATS)
def test_star_columns_are_the_same_whatever_the_hash_seed(output_format: str) -> None:
    # Was: rdflib's set order, another with each seed (and "filtered", "gone" as columns,
    # "edition" missing).
    first, second = (kg_child(seed, *query_args(output_format)) for seed in ("1", "2"))
    assert first.returncode == 0, first.stderr
    assert header(first.stdout, output_format) == COLUMNS
    assert second.stdout == first.stdout


def test_star_columns_of_a_query_file_with_a_parameter(tmp_path: Path, run_kg) -> None:
    saved = tmp_path / "teams.rq"
    saved.write_text(
        "# title: Teams\n# param: team (iri): the team [default: msr:team-a]\n" + PREFIXES + STAR,
        encoding="utf-8",
    )
    args = ("query", str(saved), "--format", "csv", "--iris")
    first, second = (kg_child(seed, *args) for seed in ("3", "4"))
    assert first.returncode == 0, first.stderr
    assert header(first.stdout, "csv") == COLUMNS
    assert second.stdout == first.stdout
    assert {line.split(",")[0] for line in first.stdout.splitlines()[1:]} == {"msr:team-a"}
    index = run_kg("--store", f"oxigraph:{tmp_path / 'index'}", "--data", str(DATA), *args)
    assert (index.exit_code, index.stdout) == (0, first.stdout), index.stderr


def test_star_columns_alike_on_the_index_a_server_and_kg_serve(
    run_kg, oxigraph_server: SparqlServer, tmp_path: Path
) -> None:
    pushed = run_kg("--data", str(DATA), "push", "--store", oxigraph_server.spec)
    assert pushed.exit_code == 0, pushed.stderr
    serve = KgServe(DATA, tmp_path / "serve-index")
    try:
        stores = {
            "index": f"oxigraph:{tmp_path / 'index'}",
            "server": oxigraph_server.spec,
            "kg-serve": f"sparql:{serve.url}",
        }
        for output_format in FORMATS:
            expected = run_kg("--store", "memory", "--data", str(DATA), *query_args(output_format))
            assert expected.exit_code == 0, expected.stderr
            assert header(expected.stdout, output_format) == COLUMNS
            for name, spec in stores.items():
                found = run_kg("--store", spec, "--data", str(DATA), *query_args(output_format))
                assert (found.exit_code, found.stdout) == (0, expected.stdout), (name, found)
        # Any client of kg serve, in any format, gets the same columns.
        for accept in ("application/sparql-results+json", "text/csv", "text/tab-separated-values"):
            body = _ask(serve.url, PREFIXES + STAR, accept)
            if accept.endswith("json"):
                assert tuple(json.loads(body)["head"]["vars"]) == COLUMNS
            else:
                first = body.splitlines()[0].replace("?", "")
                assert tuple(first.split("," if "csv" in accept else "\t")) == COLUMNS, accept
    finally:
        serve.stop()
    assert serve.returncode == 0, serve.errors


def _ask(url: str, query: str, accept: str) -> str:
    request = urllib.request.Request(
        url,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.read().decode("utf-8"))


# -- the order and the in-scope variables, read from the text -------------------------------

SHAPES = {
    "sub-select hides its body": (
        "SELECT * WHERE { ?z <urn:p> ?y . { SELECT ?a WHERE { ?a <urn:p> ?hidden } } }",
        ("z", "y", "a"),
    ),
    "sub-select projects an expression": (
        "SELECT * { { SELECT ?a (STR(?hidden) AS ?h) WHERE { ?a <urn:p> ?hidden } } ?b ?c ?a }",
        ("a", "h", "b", "c"),
    ),
    "sub-select projects a variable it does not bind": (
        "SELECT * WHERE { { SELECT ?a ?nowhere WHERE { ?a <urn:p> ?b } } }",
        ("a", "nowhere"),
    ),
    "SELECT * inside SELECT *": (
        "SELECT * WHERE { { SELECT * WHERE { ?m <urn:p> ?n } VALUES ?v { 1 } } ?k <urn:q> ?m }",
        ("m", "n", "v", "k"),
    ),
    "a variable first seen in a sub-select's body": (
        "SELECT * WHERE { { SELECT ?a WHERE { ?a ?p ?late } } ?late <urn:q> ?a }",
        ("a", "late"),
    ),
    "BIND names its target only": (
        "SELECT * WHERE { ?z <urn:p> ?y BIND(CONCAT(?w, 'AS ?fake') AS ?x) }",
        ("z", "y", "x"),
    ),
    "FILTER, EXISTS and MINUS bind nothing": (
        "SELECT * WHERE { FILTER(?y > 1) ?z <urn:p> ?y FILTER NOT EXISTS { ?z <urn:q> ?e } "
        "FILTER regex(?r, 'x') MINUS { ?z <urn:r> ?m } BIND(EXISTS { ?z ?p2 ?o2 } AS ?has) }",
        ("z", "y", "has"),
    ),
    "VALUES inside and after": (
        "SELECT * WHERE { VALUES (?v1 ?v2) { (1 UNDEF) } ?z <urn:p> ?y } VALUES $after { 1 }",
        ("v1", "v2", "z", "y", "after"),
    ),
    "GRAPH, OPTIONAL and UNION": (
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o OPTIONAL { ?s <urn:x> ?c } } "
        "{ ?u1 <urn:p> ?s } UNION { ?u2 <urn:p> ?s } }",
        ("g", "s", "p", "o", "c", "u1", "u2"),
    ),
    "paths, lists and blank nodes": (
        "SELECT * WHERE { ?q <urn:p>/^<urn:r>* ?r ; <urn:l> ( ?l1 ?l2 ) . [ <urn:b> ?b ] }",
        ("q", "r", "l1", "l2", "b"),
    ),
    "$x is ?x; comments, strings and IRIs hold no variable": (
        "PREFIX ex: <urn:ex#?prefix>\nSELECT DISTINCT * FROM <urn:g?x=1>\n"
        "WHERE { # ?comment\n $q ex:p \"?s\" , '''$t\n?u''' . ?b ex:p ?q . ?b <urn:q?c> $c }",
        ("q", "b", "c"),
    ),
    "less-than beside an IRI": (
        "SELECT * WHERE { ?a <urn:p> ?b FILTER(?a<?b&&?c>?d) ?e <urn:p> ?f }",
        ("a", "b", "e", "f"),
    ),
}


@pytest.mark.parametrize("name", SHAPES)
def test_the_text_gives_the_order_of_the_in_scope_variables(name: str) -> None:
    text, expected = SHAPES[name]
    star = star_projection(text)
    assert star is not None and star.scoped
    assert star.variables == expected


@pytest.mark.parametrize("name", SHAPES)
def test_the_in_scope_variables_are_those_oxigraph_gives(name: str) -> None:
    # Oxigraph follows SPARQL 1.1 §18.2.1 here (rdflib does not: FILTER and MINUS).
    import pyoxigraph

    text, expected = SHAPES[name]
    answer = pyoxigraph.Store().query(text)
    assert isinstance(answer, pyoxigraph.QuerySolutions)
    given = [variable.value for variable in answer.variables]
    assert sorted(given) == sorted(expected)
    assert column_order(text, given) == expected


def test_the_memory_store_gives_the_in_scope_columns(run_kg) -> None:
    # Was: rdflib added "y" (only in a FILTER), "m" (only in MINUS) and dropped "after".
    text = "SELECT * { ?z ?p ?o FILTER(!BOUND(?y)) MINUS { ?z <urn:x> ?m } } VALUES ?after { 1 }"
    args = ("query", "-e", text, "--format", "json")
    found = run_kg("--store", "memory", "--data", str(DATA), *args)
    assert found.exit_code == 0, found.stderr
    assert json.loads(found.stdout)["variables"] == ["z", "p", "o", "after"]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?b ?a WHERE { ?a ?p ?b }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b }",
        "SELECT ?a WHERE { { SELECT * WHERE { ?a ?p ?b } } }",
        "ASK { ?a ?p ?b }",
        "CONSTRUCT { ?a ?p ?b } WHERE { ?a ?p ?b }",
        "DESCRIBE *  WHERE { ?a ?p ?b }",
        "PREFIX select: <urn:select#>\nASK { ?a select:p ?b }",
        "not a query *",
    ],
)
def test_only_select_star_is_reordered(text: str) -> None:
    assert star_projection(text) is None
    assert column_order(text, ["b", "a"]) is None
    assert explicit(text, ["b", "a"]) == text


def test_a_column_only_the_store_knows_comes_last() -> None:
    text = "SELECT * WHERE { ?b ?p ?a }"
    assert column_order(text, ["zz", "a", "b", "extra", "p"]) == ("b", "p", "a", "extra", "zz")
    assert explicit(text, ("b", "p", "a")) == "SELECT ?b ?p ?a WHERE { ?b ?p ?a }"


def test_text_nested_too_deeply_to_read_scopes_still_gets_an_order() -> None:
    text = "SELECT * WHERE " + "{ ?b ?a ?c " * 3000 + "}" * 3000
    star = star_projection(text)
    assert star is not None and not star.scoped
    assert star.variables == ("b", "a", "c")
