"""Saved queries sort their rows as a reader expects (issue 16).

Regression tests: results came in the order of class IRIs and car numbers as text
("023" before "12", the 8th-placed car before the 7th), incidents without a
component first, a driver-only position report first, policies by the IRI of the
policy, sources by IRI instead of date.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def rows(run_kg, *args: str) -> list[dict[str, str]]:
    result = run_kg(*args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 10**6


def test_event_results_by_class_then_place(run_kg) -> None:
    found = rows(run_kg, "query", "event-results")
    classes = [row["racingClass"] for row in found]
    # Each class's rows together, the classes in the order of their names.
    assert list(dict.fromkeys(classes)) == sorted(set(classes))
    for name in set(classes):
        places = [
            _number(row["classPosition"] or row["position"])
            for row in found
            if row["racingClass"] == name
        ]
        assert places == sorted(places), (name, places)
    gtp = [row["carNumber"] for row in found if row["racingClass"] == "GTP"]
    assert gtp.index("25") < gtp.index("24")  # 7th before 8th


def test_driver_lineups_by_class_then_car_number_as_a_number_then_driver(run_kg) -> None:
    found = rows(run_kg, "query", "driver-lineups")
    classes = [row["racingClass"] for row in found]
    assert list(dict.fromkeys(classes)) == sorted(set(classes))
    for name in set(classes):
        numbers = [_number(row["carNumber"]) for row in found if row["racingClass"] == name]
        assert numbers == sorted(numbers), name
    gtd = list(dict.fromkeys(row["carNumber"] for row in found if row["racingClass"] == "GTD"))
    assert gtd.index("12") < gtd.index("023")  # 12 before 23
    for entry in {row["entry"] for row in found}:
        drivers = [row["driver"] for row in found if row["entry"] == entry]
        assert drivers == sorted(drivers), entry


def test_incidents_with_a_component_first_in_time_order(run_kg) -> None:
    found = rows(run_kg, "query", "incidents-by-component")
    has_component = [bool(row["component"]) for row in found]
    assert has_component == sorted(has_component, reverse=True)
    components = [row["component"] for row in found if row["component"]]
    assert components == sorted(components)


def test_race_position_reports_by_car_with_driver_only_reports_last(run_kg) -> None:
    found = rows(run_kg, "query", "race-position-reports")
    has_entry = [bool(row["entry"]) for row in found]
    assert has_entry == sorted(has_entry, reverse=True)
    assert found[-1]["driver"] == "Philipp Eng"
    for entry in {row["entry"] for row in found if row["entry"]}:
        timed = [bool(row["raceTimeExpression"]) for row in found if row["entry"] == entry]
        assert timed == sorted(timed, reverse=True), entry


def test_customer_policies_by_manufacturer(run_kg) -> None:
    found = rows(run_kg, "query", "customer-lmdh-policy")
    manufacturers = [row["manufacturer"] for row in found]
    assert manufacturers == sorted(manufacturers)
    assert manufacturers[0] == "BMW"


_SOURCES = """
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
msr:a-newest a ms:NewsArticle ; ms:summary "Newest."@en ; ms:textFile "sources/a.txt" ;
    ms:published "2024-05-01"^^xsd:date .
msr:b-bounded a ms:NewsArticle ; ms:summary "Bounded."@en ; ms:textFile "sources/b.txt" ;
    ms:publishedNotBefore "2023-02-01"^^xsd:date ; ms:publishedNotAfter "2023-03-01"^^xsd:date .
msr:c-oldest a ms:NewsArticle ; ms:summary "Oldest."@en ; ms:textFile "sources/c.txt" ;
    ms:published "2021-07"^^xsd:gYearMonth .
msr:d-undated a ms:NewsArticle ; ms:summary "Undated."@en ; ms:textFile "sources/d.txt" .
"""


def test_source_catalogue_oldest_first_undated_last(run_kg, tmp_path: Path) -> None:
    (tmp_path / "sources.ttl").write_text(_SOURCES, encoding="utf-8")
    found = rows(run_kg, "--data", str(tmp_path), "query", "source-catalogue", "--iris")
    assert [row["source"] for row in found] == [
        "msr:c-oldest",
        "msr:b-bounded",
        "msr:a-newest",
        "msr:d-undated",
    ]
