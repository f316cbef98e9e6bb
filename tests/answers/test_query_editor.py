"""A saved query as the query page of `kg serve` puts it in the editor: its parameters
written into the text (kg.answers.query_editor). Run as it stands, the text answers
exactly as kg's own binding of the defaults does, on the same store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import CORE_DATA

from kg.answers.queries import SavedQuery, bind, read_query_file, registry
from kg.answers.query_editor import editable_text
from kg.knowledge.project import Knowledge, open_knowledge
from kg.stores.query_prefixes import undeclared_prefixes

SAVED = registry()


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    index = tmp_path_factory.mktemp("editor") / "index"
    return open_knowledge(f"oxigraph:{index}", list(CORE_DATA))


def rows(knowledge: Knowledge, text: str, saved: SavedQuery | None = None) -> Counter[object]:
    bindings = bind(saved, []) if saved is not None else None
    result = knowledge.store.query(text, bindings=bindings)
    return Counter(result.rows)


@pytest.mark.parametrize(
    "name", [name for name, saved in SAVED.items() if all(not p.required for p in saved.params)]
)
def test_the_editor_text_answers_as_kg_binds_the_defaults(knowledge: Knowledge, name: str) -> None:
    saved = SAVED[name]
    text = editable_text(saved)
    if saved.params:
        assert "VALUES (" in text and text != saved.text
    else:
        assert text == saved.text
    # The text declares every prefix it uses: it runs on any SPARQL server as it stands.
    assert undeclared_prefixes(text) == ()
    assert rows(knowledge, text) == rows(knowledge, saved.text, saved)


def test_a_parameter_without_a_default_is_left_open_and_said_so(knowledge: Knowledge) -> None:
    saved = SAVED["entity-facts"]
    text = editable_text(saved)
    assert "  VALUES (?entity) { (UNDEF) }\n" in text
    assert "# ?entity (iri): the entity to describe (required by kg query; write a value" in text
    # Written in, the value answers as kg's binding of it.
    filled = text.replace("(UNDEF)", "(msr:bmw)")
    bound = bind(saved, [("entity", "msr:bmw")])
    expected = Counter(knowledge.store.query(saved.text, bindings=bound).rows)
    assert expected and rows(knowledge, filled) == expected


def test_a_literal_parameter_is_written_as_sparql(tmp_path: Path) -> None:
    query = tmp_path / "by-name.rq"
    query.write_text(
        "# title: By name\n"
        '# param: name (string): a name with "quotes" [default: Rene "Rast"]\n'
        "# param: since (date): from [default: 2024-01-27]\n"
        "# param: team (iri): a team [default: https://example.org/a b]\n"
        "SELECT ?s WHERE { ?s ?p ?name }\n",
        encoding="utf-8",
    )
    saved = read_query_file(query)
    text = editable_text(saved)
    assert (
        'VALUES (?name ?since ?team) { ("Rene \\"Rast\\"" '
        '"2024-01-27"^^<http://www.w3.org/2001/XMLSchema#date> UNDEF) }'
    ) in text
