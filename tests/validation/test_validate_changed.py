"""`kg validate --changed`: the report equals a full validation after every kind of change
(edit, fix, add, remove a data file; change the shapes), while only what a change can
affect is checked again. See docs/validation-performance.md."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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


def _generated(folder: Path, triples: int) -> Path:
    """Synthetic data as the benchmarks make it (benchmarks/generate.py, seeded)."""
    script = Path(__file__).parents[2] / "benchmarks" / "generate.py"
    done = subprocess.run(
        [sys.executable, str(script), "--size", str(triples), "--out", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return folder


def _rechecked(notes: str) -> int:
    return int(notes.split("re-checked ")[1].split()[0])


def _edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text


def test_a_one_value_edit_rechecks_a_handful_of_nodes_and_finds_what_it_breaks(
    run_kg, tmp_path: Path
) -> None:
    # Issue 20: one changed value at a million triples re-checked 142,926 focus nodes,
    # more than all entities, and took longer than a full validation. The seeds were
    # every node the changed file mentions, its classes and vocabulary included, and
    # every SPARQL-checked claim; two hops from a class reach all its instances.
    data = _generated(tmp_path / "data", 20_000)
    first, notes, code = reports(run_kg, data)
    assert "full validation (no earlier validation to start from)" in notes
    entities = first["entities_checked"]
    assert isinstance(entities, int) and entities > 1_000

    # The edited node's own shape: a car number written as a number.
    race = sorted((data / "articles").glob("*-race-*.ttl"))[0]
    race_text = _edit(race, 'ms:carNumber "1" ;', "ms:carNumber 1 ;")
    own, notes, code = reports(run_kg, data)
    assert code == 1 and "1 of " in notes
    assert _rechecked(notes) == 1
    assert any(
        r["focus"].endswith("-entry-0") and "car number" in r["message"] for r in own["results"]
    )

    # A neighbour's shape: the decision's source published a year later puts the
    # expected time of the status report (another node, reached through the decision
    # and the reports on it by a SPARQL-based constraint) before its first report.
    decision = sorted((data / "articles").glob("*-decision-*.ttl"))[0]
    number = decision.stem.split("-")[-1]
    year = decision.stem[:4]
    decision_text = _edit(decision, f'ms:published "{year}-', f'ms:published "{int(year) + 2}-')
    neighbour, notes, code = reports(run_kg, data)
    assert code == 1 and "1 of " in notes
    assert 0 < _rechecked(notes) <= 20
    assert any(
        r["focus"] == f"msr:decision-{number}-status"
        and "before the first report on the decision was published" in r["message"]
        for r in neighbour["results"]
    )

    race.write_text(race_text, encoding="utf-8")
    decision.write_text(decision_text, encoding="utf-8")
    again, notes, code = reports(run_kg, data)
    assert again == first and "2 of " in notes
    assert _rechecked(notes) <= 20
