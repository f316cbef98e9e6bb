"""Which of kg's prefixes `kg serve` declares for a query (kg.stores.query_prefixes):
only those a query uses and does not declare, read past strings, IRIs and comments."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.model.namespaces import PREFIXES
from kg.stores.query_prefixes import known_prologue, undeclared_prefixes


def labels(text: str) -> list[str]:
    return [prefix.label for prefix in undeclared_prefixes(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { ?s a ms:Team ; ms:name ?n }", ["ms"]),
        ("SELECT * { ?s ms:season msr:imsa-wtscc-2024 }", ["ms", "msr"]),
        ("PREFIX ms: <http://x/>\nSELECT * { ?s a ms:Team }", []),
        ("prefix  ms:<http://x/> select * { ?s a ms:Team }", []),
        ("PREFIX : <http://x/>\nSELECT * { ?s a :Team }", []),
        # Not uses: strings, IRIs, comments, blank nodes, the colons of a local name.
        ('SELECT * { ?s ?p "ms:Team" , \'msr:x\' , """a\nxsd:b""" }', []),
        ("SELECT * { ?s ?p <http://example.org/a:b> }", []),
        ("# ms:Team\nSELECT * { ?s ?p ?o } # msr:x", []),
        ("SELECT * { _:b0 ?p ?o }", []),
        ("PREFIX ms: <http://x/>\nSELECT * { ?s ms:a:b:c ?o }", []),
        # Datatypes and functions are uses.
        ('SELECT * { ?s ?p "1"^^xsd:integer FILTER(xsd:date(?o)) }', ["xsd"]),
        ("SELECT * { ?s dbo:team ?o ; ms:x ?y }", ["dbo", "ms"]),
    ],
)
def test_undeclared_prefixes(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


def test_the_first_use_is_placed_by_line_and_column() -> None:
    text = "SELECT *\nWHERE {\n  ?s a ms:Team ;\n     dbo:x ?o . ?o dbo:y ms:z }"
    found = {prefix.label: (prefix.line, prefix.column) for prefix in undeclared_prefixes(text)}
    assert found == {"ms": (3, 8), "dbo": (4, 6)}
    assert [prefix.known for prefix in undeclared_prefixes(text)] == [True, False]


def test_the_prologue_declares_kg_prefixes_on_one_line_that_oxigraph_reads() -> None:
    text = "SELECT ?team WHERE { ?team a ms:Team ; ms:x msr:y } # dbo:ignored"
    prologue = known_prologue(undeclared_prefixes(text))
    assert "\n" not in prologue
    assert prologue == (
        f"PREFIX ms: <{PREFIXES['ms']}> PREFIX msr: <{PREFIXES['msr']}> "
    )  # fmt: skip
    store = pyoxigraph.Store()
    store.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(PREFIXES["msr"] + "t"),
            pyoxigraph.NamedNode(PREFIXES["rdf"] + "type"),
            pyoxigraph.NamedNode(PREFIXES["ms"] + "Team"),
        )
    )
    rows = list(store.query(prologue + "SELECT ?team WHERE { ?team a ms:Team }"))
    assert [row["team"].value for row in rows] == [PREFIXES["msr"] + "t"]


def test_many_prefixes_are_read_in_one_pass() -> None:
    """A query of sixty thousand different prefixes (a hostile client, under 1 MiB) is read in
    well under a second: positions are counted on, not from the start for each."""
    import time

    text = "SELECT * {\n" + "\n".join(f"?s p{i}:x ?o ." for i in range(60_000)) + "\n}"
    started = time.monotonic()
    found = undeclared_prefixes(text)
    assert len(found) == 60_000 and (found[-1].line, found[-1].column) == (60_001, 4)
    assert time.monotonic() - started < 5
