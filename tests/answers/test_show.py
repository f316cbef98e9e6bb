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
    result = run_kg("show", name, "--iris")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("René Rast  (msr:rene-rast)\n")


@pytest.mark.parametrize(
    "name", ["RLL", "BMW M Team RLL", "bmw rll", "Rahal Letterman Lanigan Racing"]
)
def test_team_found_by_alias_and_entrant_name(run_kg, name: str) -> None:
    result = run_kg("show", name, "--iris")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Rahal Letterman Lanigan Racing  (msr:rll)\n")


def test_german_label_finds_the_entity(run_kg) -> None:
    result = run_kg("show", "Finnland", "--iris")
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
    assert text.splitlines()[:2] == ["Andreas Roos", "person"]
    # A German quote, kept verbatim once, with the English translation for an English reader.
    quote = '"Es gibt die eine oder andere Anfrage an uns bezüglich LMDh-Kundenfahrzeugen'
    assert text.count(quote) == 1
    assert '(translation: "We have had the odd enquiry about LMDh customer cars' in text
    # The references give each source's date with its precision and its language.
    references = text.split("\nReferences\n", 1)[1]
    assert "Published July 2023. German." in references
    # The English report has no date: its bounds, in words.
    assert "Published between 28 Jan 2024 and 20 Mar 2024. English." in references


def test_card_in_german_prefers_german_texts(run_kg) -> None:
    english = run_kg("show", "Andreas Roos").stdout
    german = run_kg("show", "Andreas Roos", "--lang", "de").stdout
    assert "\nZitate\n" in german and "\nQuotes\n" in english
    assert "Interesse potenzieller Kunden ist grundsätzlich vorhanden" in german
    assert "Interesse potenzieller Kunden ist grundsätzlich vorhanden" not in english
    # A German quote needs no translation for a German reader.
    assert "Übersetzung" not in german.split("Es gibt die eine oder andere", 1)[1].split("\n")[0]


def test_card_shows_what_happened_to_the_car_of_a_driver(run_kg) -> None:
    text = run_kg("show", "Dries Vanthoor").stdout
    assert text.splitlines()[0] == "Dries Vanthoor"
    # The article's incident sits on the entry, the official result on the official entry:
    # both reach the driver's card, under the one race.
    races = text.split("\nRaces\n", 1)[1]
    assert "Rolex 24 at Daytona 2024: #24 BMW M Team RLL" in races
    assert "8th in GTP, 8th overall" in races
    assert "Around 2.30 a.m. on 28 Jan 2024: technical failure, electronics" in races
    assert "IMSA" in text.split("\nReferences\n", 1)[1]


def test_json_briefing(run_kg) -> None:
    result = run_kg("show", "msr:finland", "--format", "json")
    briefing = json.loads(result.stdout)
    assert briefing["iri"] == "https://w3id.org/motorsport-kg/id/finland"
    assert briefing["schema_version"] == 1
    assert briefing["label"] == "Finland"
    german = json.loads(run_kg("show", "msr:finland", "--format", "json", "--lang", "de").stdout)
    assert german["label"] == "Finnland"
    cited = {n for s in briefing["sections"] for line in s["lines"] for n in line["cites"]}
    assert cited == {r["number"] for r in briefing["references"]}


def test_facts_format_keeps_every_stored_fact(run_kg) -> None:
    result = run_kg("show", "msr:finland", "--format", "facts")
    card = json.loads(result.stdout)
    assert ["de", "Finnland"] in card["labels"]
    assert any(fact["direction"] == "in" for fact in card["facts"])
    assert all(fact["sources"] for fact in card["facts"] if fact["claim"])


@pytest.mark.parametrize("name", ["msr:a>b", "msr:a b", "<urn:a{b}>", "msr:a\x01b", "msr:a\x00b"])
def test_a_name_no_iri_can_be_is_no_entity_on_every_store(run_kg, name: str) -> None:
    # Issue 18 item 11: the index answered "not an IRI that can be sent in a query",
    # the memory store "no entity is named": one input, one answer.
    result = run_kg("show", name)
    assert result.exit_code == 2
    assert result.stderr == f"kg: error: no entity is named {name!r}.\n"
