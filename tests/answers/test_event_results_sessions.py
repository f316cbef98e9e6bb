"""event-results answers for one kind of session, and says which session each row is
from (issue 17).

The regression: with a practice file imported beside the race, `kg query event-results`
mixed practice and race rows with no session column: car #25 at Daytona showed class
positions 2 and 7. The expected places are read from the official CSV files here, not
through kg.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import copy_core_data

ROOT = Path(__file__).resolve().parents[2]
DAYTONA = ROOT / "sources" / "imsa" / "2024" / "02-daytona-international-speedway"
PRACTICE = DAYTONA / "202401251005-practice-1-results.csv"
RACE = DAYTONA / "202401271340-race-results.csv"
BMW_CARS = ("1", "24", "25", "96")


def class_places(path: Path) -> dict[str, int]:
    """Each car's place within its class, from the order of the official file."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    position = "POSITION" if "POSITION" in rows[0] else "POS"
    places: dict[str, int] = {}
    seen: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: int(r[position])):
        seen[row["CLASS"]] = seen.get(row["CLASS"], 0) + 1
        places[row["NUMBER"]] = seen[row["CLASS"]]  # "01" and "1" are two cars
    return places


@pytest.fixture(scope="module")
def data_with_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from kg.cli import cli

    data = copy_core_data(tmp_path_factory.mktemp("with-practice") / "data")
    args = ["--store", "memory", "--data", str(data), "import", "imsa", str(PRACTICE)]
    result = CliRunner().invoke(cli, [*args, "--out", str(data / "imsa")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return data


def official_rows(run_kg, data: Path, *params: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    result = run_kg("--data", str(data), "query", "event-results", *params, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    return [r for r in rows if r["carNumber"] in BMW_CARS and r["classPosition"]]


def places_by_car(rows: list[dict[str, str]]) -> dict[str, set[int]]:
    """Every class position each car gets in the answer (one each, when sessions are
    kept apart)."""
    found: dict[str, set[int]] = {}
    for row in rows:
        found.setdefault(row["carNumber"], set()).add(int(row["classPosition"]))
    return found


def test_the_race_by_default_with_its_session_named(run_kg, data_with_practice: Path) -> None:  # type: ignore[no-untyped-def]
    rows = official_rows(run_kg, data_with_practice)
    expected = class_places(RACE)
    assert places_by_car(rows) == {number: {expected[number]} for number in BMW_CARS}
    assert {r["session"] for r in rows} == {"Rolex 24 at Daytona 2024, race"}


def test_practice_on_request_without_the_races_incidents(  # type: ignore[no-untyped-def]
    run_kg, data_with_practice: Path
) -> None:
    result = run_kg(
        "--data", str(data_with_practice), "query", "event-results",
        "-p", "sessionKind", "msv:Practice", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    expected = class_places(PRACTICE)
    assert places_by_car(rows) == {number: {expected[number]} for number in BMW_CARS}
    assert all("practice 1" in r["session"] for r in rows)
    # The article's incidents happened in the race.
    assert not [r for r in rows if r["incident"]]


def test_the_bundled_knowledge_answers_as_before_plus_the_session(run_kg) -> None:  # type: ignore[no-untyped-def]
    result = run_kg("query", "event-results", "--format", "csv")
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert rows and all(r["session"] == "Rolex 24 at Daytona 2024, race" for r in rows)
