"""`kg validate` catches impossible results in data written by hand or by an older
importer, on both engines: two cars of one source in one class position of a session,
and a position of 0 (issue 18, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

INVALID = Path(__file__).parents[1] / "fixtures" / "shapes" / "invalid"


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "SessionSharedClassPositionShape-two-cars-first.ttl",
            "Result https://w3id.org/motorsport-kg/id/imsa-2024-daytona-race-result-31 gives "
            "class position 1 (ms:classPosition) in class "
            "https://w3id.org/motorsport-kg/id/imsa-gtp, but so do 2 results of this session",
        ),
        (
            "ResultShape-class-position-zero.ttl",
            "a whole number of at least 1, e.g. 3",
        ),
        (
            "ResultShape-position-zero.ttl",
            "a whole number of at least 1, e.g. 7",
        ),
    ],
)
def test_validate_reports_an_impossible_result(
    run_kg, engine: str, fixture: str, expected: str
) -> None:
    result = run_kg("validate", str(INVALID / fixture), "--engine", engine)
    assert result.exit_code == 1, result.output
    assert expected in result.stdout, result.stdout
