"""One date grammar for every option, and no traceback for a bad date (issue 15, item 9).

Every date option (--as-of, --from, --to) takes YYYY-MM-DD, YYYY-MM or YYYY, each
with its precision; an impossible date is a usage error (exit 2) that says how to
write one. An ill-formed date in a data file is a validation result naming the
file, the entity and the value, never an rdflib traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import kg_args

FORMS = "is not a date; write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2023-08-01)"
AS_OF_COMMANDS = [
    ["query", "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    ["show", "BMW"],
    ["export"],
    ["decisions"],
    ["timeline"],
    ["viz", "--decisions", "-o", "timeline.svg"],
]


@pytest.mark.parametrize("bad", ["2024-02-30", "2023-13-40", "2023-8", "yesterday", "0000"])
@pytest.mark.parametrize("option", ["--as-of", "--from", "--to"])
def test_every_date_option_refuses_a_bad_date_alike(run_kg, option: str, bad: str) -> None:  # type: ignore[no-untyped-def]
    result = run_kg("timeline", option, bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Invalid value for '{option}': '{bad}' {FORMS}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", AS_OF_COMMANDS, ids=lambda c: c[0])
def test_as_of_refuses_an_impossible_day_on_every_command(run_kg, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = run_kg(*command, "--as-of", "2024-02-30")
    assert result.exit_code == 2
    assert f"Invalid value for '--as-of': '2024-02-30' {FORMS}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("short", "day"), [("2023-07", "2023-07-31"), ("2023", "2023-12-31"), ("2024-02", "2024-02-29")]
)
def test_as_of_a_month_or_a_year_means_its_last_day(run_kg, short: str, day: str) -> None:  # type: ignore[no-untyped-def]
    by_period = run_kg("decisions", "--as-of", short)
    by_day = run_kg("decisions", "--as-of", day)
    assert by_period.exit_code == by_day.exit_code == 0, by_period.stderr
    assert by_period.stdout == by_day.stdout


def test_the_bounds_of_the_as_of_month_matter(run_kg) -> None:  # type: ignore[no-untyped-def]
    # The German article of July 2023 is dated by its month: known by the end of July.
    assert "under evaluation" not in run_kg("decisions", "--as-of", "2023-06").stdout
    assert "under evaluation" in run_kg("decisions", "--as-of", "2023-07").stdout


BAD_DATE_DATA = """\
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
msr:x a ms:Event ; skos:prefLabel "X race"@en ; ms:startDate "2024-13-45"^^xsd:date .
"""


def test_an_ill_formed_date_in_data_is_a_validation_result(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    data.mkdir()
    (data / "a.ttl").write_text(BAD_DATE_DATA, encoding="utf-8")
    result = run_kg(*kg_args("validate", data=[data]))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "a.ttl" in result.stdout and "msr:x" in result.stdout
    assert '"2024-13-45" (xsd:date)' in result.stdout

    timeline = run_kg(*kg_args("timeline", data=[data]))
    assert "Traceback" not in timeline.stderr + timeline.stdout
