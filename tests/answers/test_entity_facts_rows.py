"""`entity-facts` (the query behind `kg show`) gives the same rows on every store.

A quote whose words are both its `ms:quoteText` and its `ms:evidence` (the generated
benchmark data writes them so) matched `ms:quoteText|ms:evidence` twice: rdflib and
Virtuoso keep both matches of an alternative path, as SPARQL's bag semantics says,
Oxigraph keeps one. The memory store then showed the quote twice, the index once.
Found by benchmarks/bench_servers.py (Virtuoso 5 rows, the index 4).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FULL_DATA

QUOTE = """\
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .

msr:test-quote-same-words a ms:Quote ;
    ms:speaker msr:andreas-roos ;
    ms:quoteText "Wir schauen uns das an."@de ;
    ms:evidence "Wir schauen uns das an."@de ;
    ms:statedIn msr:article-2023-07-motorsport-total-bmw-lmdh-customers .
"""


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_quote_whose_words_are_also_its_evidence_is_one_row(
    run_kg, tmp_path: Path, store: str
) -> None:
    extra = tmp_path / "quote.ttl"
    extra.write_text(QUOTE, encoding="utf-8")
    spec = "memory" if store == "memory" else f"oxigraph:{tmp_path / 'index'}"
    result = run_kg(
        "--store", spec, "--data", str(FULL_DATA / "entities.ttl"),
        "--data", str(FULL_DATA / "articles"), "--data", str(extra),
        "query", "entity-facts", "-p", "entity", "msr:andreas-roos", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    said = [row for row in rows if "Wir schauen uns das an." in row]
    assert len(said) == 1, said
    assert len(rows) == len(set(rows)), "a row repeated"
