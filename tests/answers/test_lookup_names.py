"""Lookup by the names people type: car numbers, surnames, short forms, full names.

Each form runs through `kg show` as a user types it and through
`kg.answers.lookup` as a program calls it, on the store the suite runs on
(KG_STORE: memory and the on-disk index in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.answers.lookup import Match, describe, lookup, resolve_one
from kg.knowledge.project import Knowledge, open_knowledge
from kg.model.errors import EXIT_USAGE, UsageError
from tests.conftest import kg_args

OFFICIAL_25 = "msr:imsa-2024-02-daytona-international-speedway-race-entry-25"
OFFICIAL_25_IRI = (
    "https://w3id.org/motorsport-kg/id/imsa-2024-02-daytona-international-speedway-race-entry-25"
)

# Two events with a car #25 each; #25 at Daytona told by the official results and
# by an article; #7 at Sebring told by two articles and no official results.
TWO_EVENTS = """\
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

msr:t-daytona a ms:Event ; skos:prefLabel "Rolex 24 at Daytona 2024"@en ;
    ms:startDate "2024-01-27"^^xsd:date .
msr:t-sebring a ms:Event ; skos:prefLabel "12 Hours of Sebring 2024"@en ;
    skos:altLabel "Sebring"@en ; ms:startDate "2024-03-16"^^xsd:date .
msr:t-rll a ms:Team ; skos:prefLabel "Rahal Letterman Lanigan Racing"@en .
msr:t-wrt a ms:Team ; skos:prefLabel "Team WRT"@en .
msr:t-results a ms:ResultsFile .
msr:t-article-a a ms:NewsArticle .
msr:t-article-b a ms:NewsArticle .

msr:t-daytona-25-official a ms:Entry ; ms:carNumber "25" ; ms:event msr:t-daytona ;
    ms:entrant msr:t-rll ; ms:statedIn msr:t-results .
msr:t-daytona-25-article a ms:Entry ; ms:carNumber "25" ; ms:event msr:t-daytona ;
    ms:entrant msr:t-rll ; ms:statedIn msr:t-article-a .
msr:t-sebring-25 a ms:Entry ; ms:carNumber "25" ; ms:event msr:t-sebring ;
    ms:entrant msr:t-rll ; ms:statedIn msr:t-article-a .
msr:t-sebring-7-a a ms:Entry ; ms:carNumber "7" ; ms:event msr:t-sebring ;
    ms:entrant msr:t-wrt ; ms:statedIn msr:t-article-a .
msr:t-sebring-7-b a ms:Entry ; ms:carNumber "7" ; ms:event msr:t-sebring ;
    ms:entrant msr:t-wrt ; ms:statedIn msr:t-article-b .
"""


@pytest.fixture(scope="module")
def bundled() -> Knowledge:
    return open_knowledge()


@pytest.fixture
def two_events(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "two-events.ttl").write_text(TWO_EVENTS, encoding="utf-8")
    return folder


def _all_names(knowledge: Knowledge) -> list[Match]:
    from kg.answers.lookup import _names

    return _names(knowledge.store, None)


def _short(iri: str) -> str:
    return iri.replace("https://w3id.org/motorsport-kg/id/", "msr:")


# -- car numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["#25", "25", "car 25", "Car #25", "#25 Daytona", "25 Daytona 2024"]
)
def test_car_number_finds_the_race_entry(run_kg, bundled: Knowledge, name: str) -> None:
    result = run_kg("show", name, "--iris")
    assert result.exit_code == 0, result.output
    # The official entry has no label: the briefing names it by number, entrant and event.
    assert result.stdout.startswith(
        f"#25 BMW M Team RLL (Rolex 24 at Daytona 2024)  ({OFFICIAL_25})\n"
    )
    assert str(resolve_one(bundled.store, name)) == OFFICIAL_25_IRI


def test_car_number_prefers_the_official_account_of_one_car(bundled: Knowledge) -> None:
    # The article's entry #25 and the official one are one car in one event.
    found = lookup(bundled.store, "#25")
    assert [m.iri for m in found.matches] == [OFFICIAL_25_IRI]
    assert found.matches[0].kind == "car number"


def test_car_number_of_another_event_is_not_found(run_kg) -> None:
    result = run_kg("show", "#25 Sebring")
    assert result.exit_code == EXIT_USAGE
    # The cars with that number are offered, with their event.
    assert result.stderr == (
        "kg: error: no entity is named '#25 Sebring'. Did you mean: #25 in Rolex 24 at Daytona"
        f" 2024 ({OFFICIAL_25})?\n"
    )


def test_car_number_in_two_events_is_ambiguous(run_kg, two_events: Path) -> None:
    result = run_kg(*kg_args("show", "#25", data=[two_events]))
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("kg: error: '#25' names several entities: ")
    assert lines[0].endswith("Use the IRI to choose:")
    # Each candidate with its kind, number, event, entrant and source.
    assert lines[1:] == [
        "  msr:t-daytona-25-official entry, car #25, Rolex 24 at Daytona 2024,"
        " Rahal Letterman Lanigan Racing, stated in msr:t-results",
        "  msr:t-sebring-25 entry, car #25, 12 Hours of Sebring 2024,"
        " Rahal Letterman Lanigan Racing, stated in msr:t-article-a",
    ]


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("#25 Daytona", "msr:t-daytona-25-official"),
        ("25 Daytona 2024", "msr:t-daytona-25-official"),
        ("#25 at Sebring", "msr:t-sebring-25"),
        ("car 25 2024-03-16", "msr:t-sebring-25"),
        ("Sebring #25", "msr:t-sebring-25"),
    ],
)
def test_event_words_narrow_a_car_number(run_kg, two_events: Path, name: str, entry: str) -> None:
    result = run_kg(*kg_args("show", name, "--iris", data=[two_events]))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(f"  ({entry})")
    knowledge = open_knowledge(data_dirs=[two_events])
    assert _short(str(resolve_one(knowledge.store, name))) == entry


def test_one_car_told_by_two_articles_lists_both_sources(run_kg, two_events: Path) -> None:
    result = run_kg(*kg_args("show", "#7", data=[two_events]))
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines()[1:] == [
        "  msr:t-sebring-7-a entry, car #7, 12 Hours of Sebring 2024, Team WRT,"
        " stated in msr:t-article-a",
        "  msr:t-sebring-7-b entry, car #7, 12 Hours of Sebring 2024, Team WRT,"
        " stated in msr:t-article-b",
    ]
    knowledge = open_knowledge(data_dirs=[two_events])
    with pytest.raises(UsageError, match="'#7' names several entities"):
        resolve_one(knowledge.store, "#7")


# -- surnames, short forms, languages ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "card"),
    [
        ("Roos", "Andreas Roos  (msr:andreas-roos)"),
        ("roos", "Andreas Roos  (msr:andreas-roos)"),
        ("Rast", "René Rast  (msr:rene-rast)"),
        ("Eng", "Philipp Eng  (msr:philipp-eng)"),
        ("Calado", "James Calado  (msr:calado)"),
        ("Daytona 2024", "Rolex 24 at Daytona 2024  (msr:rolex-24-at-daytona-2024)"),
        ("24 Stunden von Daytona", "Rolex 24 at Daytona  (msr:rolex-24-at-daytona)"),
        ("ROLEX 24", "Rolex 24 at Daytona  (msr:rolex-24-at-daytona)"),
        ("rene rast", "René Rast  (msr:rene-rast)"),
    ],
)
def test_surnames_short_forms_and_languages(
    run_kg, bundled: Knowledge, name: str, card: str
) -> None:
    result = run_kg("show", name, "--iris")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == card
    iri = card.split("(")[-1].rstrip(")")
    assert _short(str(resolve_one(bundled.store, name))) == iri


def test_a_word_of_several_names_is_ambiguous(run_kg, bundled: Knowledge) -> None:
    result = run_kg("show", "Daytona")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines()[1:] == [
        "  msr:rolex-24-at-daytona Rolex 24 at Daytona: event series",
        "  msr:rolex-24-at-daytona-2024 Rolex 24 at Daytona 2024: event",
        "  msr:rolex-24-at-daytona-2024-race Rolex 24 at Daytona 2024, race: session,"
        " Rolex 24 at Daytona 2024",
    ]
    found = lookup(bundled.store, "Daytona")
    assert {m.kind for m in found.matches} == {"word of a name"}
    assert len(describe(bundled.store, found.matches)) == 3


def test_instances_rank_before_ontology_terms(run_kg, bundled: Knowledge) -> None:
    # "Nennung" is the German label of the class ms:Entry: terms are found when named...
    entry_class = "https://w3id.org/motorsport-kg/ontology/Entry"
    assert str(resolve_one(bundled.store, "Nennung")) == entry_class
    # ...but a word shared by an entity of the data and ontology terms (ms:EvaluationProcess,
    # msv:UnderEvaluation) names the entity of the data.
    found = lookup(bundled.store, "evaluation")
    assert [m.short for m in found.matches] == ["msr:bmw-lmdh-customer-programme-evaluation"]
    assert any(m.term and "evaluation" in m.name.casefold() for m in _all_names(bundled))
    # An exact name held by both lists the entity of the data first, the concept after.
    result = run_kg("show", "lmp2")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines()[1:] == [
        "  msr:imsa-class-lmp2 LMP2: racing class",
        "  msv:LMP2 LMP2: concept of the ontology",
    ]
    # Suggestions: entities of the data before ontology terms.
    suggested = lookup(bundled.store, "Rene Rasst").suggestions
    assert suggested[0].short == "msr:rene-rast"
    assert [m.term for m in suggested] == sorted(m.term for m in suggested)


# -- official full names -------------------------------------------------------------------


def test_full_name_of_a_driver_the_graph_names_by_surname(run_kg, bundled: Knowledge) -> None:
    # The article says "Calado" (linked by a surname rule); the IMSA file says "James
    # Calado", which the import records as his alias (issue 16), so the full name finds him.
    result = run_kg("show", "James Calado", "--iris")
    assert result.exit_code == 0, result.output
    # The briefing names him in full: a reader should know who "Calado" is.
    assert result.stdout.splitlines()[0] == "James Calado  (msr:calado)"
    assert "Also known as: Calado" in result.stdout.splitlines()
    assert _short(str(resolve_one(bundled.store, "James Calado"))) == "msr:calado"


@pytest.mark.parametrize(
    ("name", "iri"),
    [("Connor De Phillippi", "msr:imsa-driver-"), ("Nick Yelloly", "msr:"), ("René Rast", "msr:")],
)
def test_official_full_names_find_the_driver(run_kg, name: str, iri: str) -> None:
    result = run_kg("show", name, "--iris")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{name}  ({iri}")
