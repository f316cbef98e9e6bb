"""kg show: finding an entity by any of its names, and its card of sourced facts."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "rene rast",
        "René Rast",
        "RENÉ  RAST",
        "msr:rene-rast",
        "https://w3id.org/motorsport-kg/id/rene-rast",
        "<https://w3id.org/motorsport-kg/id/rene-rast>",
    ],
)
def test_person_found_by_every_kind_of_name(run_kg, name: str) -> None:
    result = run_kg("show", name)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("René Rast  (msr:rene-rast)\n")


@pytest.mark.parametrize(
    "name", ["RLL", "BMW M Team RLL", "bmw rll", "Rahal Letterman Lanigan Racing"]
)
def test_team_found_by_alias_and_entrant_name(run_kg, name: str) -> None:
    result = run_kg("show", name)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Rahal Letterman Lanigan Racing  (msr:rll)\n")


def test_german_label_finds_the_entity(run_kg) -> None:
    result = run_kg("show", "Finnland")
    assert result.exit_code == 0, result.output
    assert "(msr:finland)" in result.stdout.splitlines()[0]


def test_several_matches_are_listed(run_kg) -> None:
    result = run_kg("show", "lmp2")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'lmp2' names several entities: msr:imsa-class-lmp2 (LMP2); msv:LMP2 (LMP2)" in (
        result.stderr
    )


def test_unknown_name_gets_the_closest_suggestion(run_kg) -> None:
    result = run_kg("show", "Rene Rasst")
    assert result.exit_code == 2
    assert "no entity is named 'Rene Rasst'. Did you mean: René Rast (msr:rene-rast)" in (
        result.stderr
    )


def test_unknown_iri(run_kg) -> None:
    result = run_kg("show", "msr:no-such-thing")
    assert result.exit_code == 2
    assert "no entity is named 'msr:no-such-thing'" in result.stderr


def test_card_shows_quotes_with_source_date_and_language(run_kg) -> None:
    result = run_kg("show", "Andreas Roos")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "type: person" in text
    # A German quote, kept verbatim, with its source's month and language.
    assert (
        'says: "Es gibt die eine oder andere Anfrage an uns bezüglich LMDh-Kundenfahrzeugen' in text
    )
    assert "(2023-07, de)" in text
    # The English report's date is unknown and shown as its bounds.
    assert "(between 2024-01-28 and 2024-03-20 (exact date unknown), en)" in text


def test_card_in_german_prefers_german_texts(run_kg) -> None:
    english = run_kg("show", "Andreas Roos").stdout
    german = run_kg("show", "Andreas Roos", "--lang", "de").stdout
    assert "Zitat (msr:daytona-2024-report-quote-roos)" in german
    assert "quote (msr:daytona-2024-report-quote-roos)" in english
    assert "Interesse potenzieller Kunden ist grundsätzlich vorhanden" in german
    assert "Interesse potenzieller Kunden ist grundsätzlich vorhanden" not in english


def test_card_shows_facts_pointing_at_the_entity_with_official_results(run_kg) -> None:
    text = run_kg("show", "Dries Vanthoor").stdout
    assert "Dries Vanthoor  (msr:dries-vanthoor)" in text
    # The article's incident and the official entry both point at him.
    assert "electronics" in text.lower()
    assert "IMSA official race results" in text


def test_json_card(run_kg) -> None:
    result = run_kg("show", "msr:finland", "--format", "json")
    card = json.loads(result.stdout)
    assert card["iri"] == "https://w3id.org/motorsport-kg/id/finland"
    assert ["de", "Finnland"] in card["labels"]
    assert any(fact["direction"] == "in" for fact in card["facts"])
    assert all(fact["sources"] for fact in card["facts"] if fact["claim"])
