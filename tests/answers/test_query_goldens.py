"""Every saved query's exact answer on the bundled knowledge, in both label languages.

Goldens live in tests/golden/queries/; regenerate them on purpose with
KG_REGENERATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest

from kg.answers.queries import registry

GOLDEN = Path(__file__).parents[1] / "golden" / "queries"

# Parameters without a default get a value that exercises the query fully.
REQUIRED = {"entity-facts": ["-p", "entity", "msr:bmw-lmdh-customer-programme-decision"]}

CASES = [(name, lang) for name in registry() for lang in ("en", "de")]


def test_every_saved_query_has_a_golden_case() -> None:
    for name, query in registry().items():
        required = [p.name for p in query.params if p.required]
        assert not required or name in REQUIRED, f"{name} needs a value for {required} here"


@pytest.mark.parametrize(("name", "lang"), CASES, ids=[f"{n}-{lang}" for n, lang in CASES])
def test_saved_query_answer(run_kg, name: str, lang: str) -> None:
    result = run_kg("query", name, *REQUIRED.get(name, []), "--format", "csv", "--lang", lang)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) > 1, f"{name} answers nothing on the bundled knowledge"
    golden = GOLDEN / f"{name}.{lang}.csv"
    if os.environ.get("KG_REGENERATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def _seconds(duration: str) -> float:
    match = re.fullmatch(r"PT(?:(\d+)M)?([\d.]+)S", duration)
    assert match, duration
    return int(match.group(1) or 0) * 60 + float(match.group(2))


def test_fastest_laps_read_as_a_ranking_per_class(run_kg) -> None:
    """Regression (issue 16): entry IRIs, an empty driver column, not sorted by time."""
    result = run_kg("query", "fastest-laps", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "entry" not in rows[0] and "fastestLap" not in rows[0]
    for row in rows:
        for column in ("class", "carNumber", "entrant", "driver"):
            assert not row[column].startswith("msr:"), row
    by_class: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_class.setdefault(row["class"], []).append(row)
    assert set(by_class) == {"GTP", "LMP2", "GTD Pro", "GTD"}
    for name, laps in by_class.items():
        timed = [_seconds(row["lapTime"]) for row in laps if row["lapTime"]]
        assert timed == sorted(timed), name
        # The class's fastest lap is the first row, and its scope says so.
        assert laps[0]["scope"] == name, laps[0]
    gtd_pro_drivers = {row["driver"] for row in by_class["GTD Pro"]} - {""}
    assert gtd_pro_drivers == {"Sheldon van der Linde"}
    assert by_class["GTP"][0]["carNumber"] == "31"
    assert by_class["GTP"][0]["entrant"] == "Whelen Engineering Cadillac Racing"
