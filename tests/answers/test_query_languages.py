"""A saved query answers once per fact, in the reader's language.

Issue 16's audit gave the Daytona report's repairs, race times and positions their
German wording beside the English: `incidents-by-component` then listed the #24's
electronics failure twice ("nur das Lenkrad musste getauscht werden" and "only the
steering wheel had to be replaced"), and `race-position-reports` four rows for one
report (every pairing of two languages in two columns).
"""

from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef

from kg.answers.queries import in_language, registry
from kg.stores.base import QueryResult

ENTRY = URIRef("https://w3id.org/motorsport-kg/resource/entry-24")


def _result(*rows: tuple[object, ...]) -> QueryResult:
    return QueryResult("select", ("entry", "where", "often"), tuple(rows))  # type: ignore[arg-type]


def test_language_variants_of_one_fact_become_one_row() -> None:
    rows = [
        (ENTRY, Literal("an der Spitze", lang="de"), Literal("immer", lang="de")),
        (ENTRY, Literal("an der Spitze", lang="de"), Literal("always", lang="en")),
        (ENTRY, Literal("at the front", lang="en"), Literal("immer", lang="de")),
        (ENTRY, Literal("at the front", lang="en"), Literal("always", lang="en")),
    ]
    assert in_language(_result(*rows), "en").rows == (rows[3],)
    assert in_language(_result(*rows), "de").rows == (rows[0],)
    # A language the texts are not in: English, the fallback of every label.
    assert in_language(_result(*rows), "fr").rows == (rows[3],)


def test_what_tells_rows_apart_is_kept() -> None:
    other = URIRef("https://w3id.org/motorsport-kg/resource/entry-25")
    rows = (
        # Only German: nothing else to choose, so it stays.
        (ENTRY, Literal("Leck", lang="de"), None),
        # Two English texts of one fact are two answers, not variants.
        (other, Literal("in the lead", lang="en"), Literal("at times", lang="en")),
        (other, Literal("in front", lang="en"), Literal("at times", lang="en")),
        # Untagged values and numbers are never language variants.
        (other, Literal("7"), Literal(7)),
        (other, Literal("8"), Literal(7)),
    )
    assert in_language(_result(*rows), "de").rows == rows
    assert in_language(_result(*rows), "en").rows == rows


def test_a_language_column_keeps_every_language() -> None:
    # A query that selects LANG(?text) asks for each language: that column differs.
    result = QueryResult(
        "select",
        ("text", "language"),
        (
            (Literal("Leck", lang="de"), Literal("de")),
            (Literal("leak", lang="en"), Literal("en")),
        ),
    )
    assert in_language(result, "en") == result


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("name", sorted(registry()))
def test_no_saved_query_repeats_a_fact_in_another_language(run_kg, name: str, lang: str) -> None:
    required = {"entity-facts": ["-p", "entity", "msr:bmw-lmdh-customer-programme-decision"]}
    result = run_kg("query", name, *required.get(name, []), "--format", "json", "--lang", lang)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    seen: dict[tuple[object, ...], list[str]] = {}
    for row in payload["rows"]:
        cells = [row.get(v) for v in payload["variables"]]
        key = tuple(
            "tagged" if isinstance(c, dict) and c.get("lang") else json.dumps(c) for c in cells
        )
        tags = [c["lang"] for c in cells if isinstance(c, dict) and c.get("lang")]
        seen.setdefault(key, []).append(",".join(tags))
    repeated = {k: v for k, v in seen.items() if len(set(v)) > 1}
    assert not repeated, f"{name} --lang {lang}: rows differ only in language: {repeated}"
