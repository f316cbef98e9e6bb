"""`kg validate --changed`: the report equals a full validation after every kind of change
(edit, fix, add, remove a data file; change the shapes), while only what a change can
affect is checked again. See docs/validation-performance.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import copy_core_data

from kg.model import paths

ARTICLE = Path("articles") / "2024-01-daytona-bmw-rolex24-report.ttl"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_core_data(tmp_path / "data")


def reports(run_kg, data: Path, *extra: str) -> tuple[dict[str, object], str, int]:  # type: ignore[no-untyped-def]
    """The --changed report (and its notes) after checking it equals a full validation."""
    changed = run_kg("--data", str(data), "validate", "--changed", "--format", "json", *extra)
    full = run_kg("--data", str(data), "validate", "--format", "json", *extra)
    assert changed.exit_code in (0, 1), changed.stderr
    assert changed.stdout == full.stdout
    assert changed.exit_code == full.exit_code
    return json.loads(changed.stdout), changed.stderr, changed.exit_code


def test_every_kind_of_change_gives_the_full_report(run_kg, data: Path) -> None:
    first, notes, code = reports(run_kg, data)
    assert code == 0 and first["conforms"]
    assert "full validation (no earlier validation to start from)" in notes

    _, notes, _ = reports(run_kg, data)
    assert "0 of " in notes and " data files changed" in notes

    # Edit: a second car number is a violation.
    article = data / ARTICLE
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace('ms:carNumber "24" ;', 'ms:carNumber "24", "99" ;'), "utf-8")
    broken, notes, code = reports(run_kg, data)
    assert code == 1 and not broken["conforms"]
    assert "1 of " in notes
    # On this small, tightly linked graph three hops reach most nodes; on big ones
    # the share is small (see docs/validation-performance.md).
    assert int(notes.split("re-checked ")[1].split()[0]) > 0

    # Fix it again.
    article.write_text(good, encoding="utf-8")
    fixed, _, code = reports(run_kg, data)
    assert code == 0 and fixed == first

    # Add a file with a violation, then remove it.
    extra = data / "articles" / "extra.ttl"
    extra.write_text(
        "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
        "@prefix msr: <https://w3id.org/motorsport-kg/id/> .\n"
        'msr:extra-entry a ms:Entry ; ms:carNumber "1", "2" .\n',
        encoding="utf-8",
    )
    added, _, code = reports(run_kg, data)
    assert code == 1 and any(r["focus"] == "msr:extra-entry" for r in added["results"])
    extra.unlink()
    removed, _, code = reports(run_kg, data)
    assert code == 0 and removed == first


def test_changed_shapes_mean_a_full_validation(run_kg, data: Path, tmp_path: Path) -> None:
    reports(run_kg, data)
    shapes = tmp_path / "shapes.ttl"
    shutil.copy(paths.ontology_dir() / "shapes.ttl", shapes)
    _, notes, _ = reports(run_kg, data, "--shapes", str(shapes))
    assert "full validation (the ontology, the shapes or the engine changed)" in notes
    _, notes, _ = reports(run_kg, data, "--shapes", str(shapes))
    assert "0 of " in notes


def test_a_corrupt_cache_falls_back_to_a_full_validation(run_kg, data: Path) -> None:
    from kg.knowledge.project import open_knowledge
    from kg.validation.cache import cache_location

    reports(run_kg, data)
    location = cache_location(open_knowledge("memory", [data]))
    assert location.is_file()
    location.write_text("{not json", encoding="utf-8")
    _, notes, code = reports(run_kg, data)
    assert code == 0
    assert "full validation (no earlier validation to start from)" in notes
    assert json.loads(location.read_text(encoding="utf-8"))["version"] >= 1


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (("--engine", "pyshacl"), "--engine pyshacl"),
        (("--inference", "rdfs"), "--inference rdfs"),
        (("--format", "turtle"), "--format turtle"),
    ],
)
def test_what_changed_cannot_do_is_a_usage_error(
    run_kg, data: Path, args: tuple[str, ...], refused: str
) -> None:
    result = run_kg("--data", str(data), "validate", "--changed", *args)
    assert result.exit_code == 2
    assert f"--changed cannot be used with {refused}" in result.stderr


def test_changed_with_files_is_a_usage_error(run_kg, data: Path) -> None:
    result = run_kg("validate", "--changed", str(data / ARTICLE))
    assert result.exit_code == 2
    assert "--changed cannot be used with FILES" in result.stderr


def test_validating_on_the_index_reads_it_directly_and_agrees_with_memory(
    run_kg, data: Path, tmp_path: Path
) -> None:
    article = data / ARTICLE
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace('ms:carNumber "24" ;', 'ms:carNumber "24", "99" ;'), "utf-8")
    outputs = []
    for spec in ("memory", f"oxigraph:{tmp_path / 'index'}"):
        result = run_kg("--store", spec, "--data", str(data), "validate", "--format", "json")
        assert result.exit_code == 1, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert '"focus": "msr:rolex-24-at-daytona-2024-entry-24"' in outputs[0]


def test_sparql_based_checks_on_the_index_agree_with_memory(
    run_kg, data: Path, tmp_path: Path
) -> None:
    # A decision expected before its first report: a SPARQL-based constraint, run on
    # the triples read from the index (kept as N-Triples), must find it as pyshacl does.
    fixture = Path(__file__).parents[1] / "fixtures" / "shapes" / "invalid"
    shutil.copy(fixture / "ExpectedTimeShape-month-before-first-report.ttl", data / "extra.ttl")
    outputs = []
    for spec in ("memory", f"oxigraph:{tmp_path / 'index'}"):
        result = run_kg("--store", spec, "--data", str(data), "validate", "--format", "json")
        assert result.exit_code == 1, result.stderr
        outputs.append(result.stdout)
    reference = run_kg("--store", "memory", "--data", str(data), "validate", "--engine",
                       "pyshacl", "--format", "json")  # fmt: skip
    assert outputs[0] == outputs[1] == reference.stdout
    assert "before the first report on the decision was published" in outputs[0]
