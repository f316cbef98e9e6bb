"""`kg reconcile`: article claims against the imported official results."""

from __future__ import annotations

from pathlib import Path

from kg.answers.reconcile import CORROBORATED, as_turtle, reconcile, reconciliation_for
from kg.knowledge.project import open_knowledge
from kg.model.namespaces import MSR

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
WRONG = ROOT / "tests" / "fixtures" / "imsa" / "made-up-wrong-article.ttl"
GOLDEN = ROOT / "tests" / "golden" / "imsa" / "reconcile-rolex-24-2024.txt"
RESULTS_DOC = "msr:imsa-2024-02-daytona-international-speedway-202401271340-race-results"


def test_the_articles_positions_are_corroborated(run_kg) -> None:
    result = run_kg("reconcile", "Rolex 24 at Daytona 2024")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    expected = [
        "CORROBORATED  #24 BMW M Team RLL (GTP): ms:position reported 8, official overall 8, "
        "class 8 (matches the position overall and in class)",
        "CORROBORATED  #25 BMW M Team RLL (GTP): ms:position reported 7, official overall 7, "
        "class 7 (matches the position overall and in class)",
        "CORROBORATED  #1 Paul Miller Racing (GTD Pro): ms:classPosition reported 3, official 3 "
        "(same value)",
        "CORROBORATED  #1 Paul Miller Racing (GTD Pro): ms:lapsBehindClassWinner reported 3, "
        "official 3 (same value)",
        "CORROBORATED  #62 Risi Competizione (GTD Pro): ms:classPosition reported 1, official 1 "
        "(same value)",
    ]
    for line in expected:
        assert line in lines
    assert lines[-1] == "17 checks: 17 corroborated, 0 contradicted, 0 cannot say"


def test_the_text_output_matches_the_golden(run_kg) -> None:
    result = run_kg("reconcile", "msr:rolex-24-at-daytona-2024")
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_a_wrong_position_is_contradicted_with_both_values_and_sources(run_kg) -> None:
    result = run_kg("--data", str(DATA), "--data", str(WRONG), "reconcile")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    index = lines.index(
        "CONTRADICTED  #25 BMW M Team RLL (GTP): ms:overallPosition reported 5, official 7 "
        "(different value)"
    )
    assert lines[index + 1] == (
        "              reported in msr:test-made-up-article (msr:test-made-up-result-25); "
        f"official: {RESULTS_DOC}"
    )
    assert lines[-1] == "19 checks: 18 corroborated, 1 contradicted, 0 cannot say"


def test_an_unknown_event_is_a_usage_error(run_kg) -> None:
    result = run_kg("reconcile", "Le Mans 1923")
    assert result.exit_code == 2
    assert "no entity is named 'Le Mans 1923'" in result.stderr


def test_without_official_results_nothing_can_be_said(run_kg, tmp_path: Path) -> None:
    articles = DATA / "articles"
    result = run_kg("--data", str(DATA / "entities.ttl"), "--data", str(articles), "reconcile")
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[-1] == "17 checks: 0 corroborated, 0 contradicted, 17 cannot say"
    )
    assert "no official race entry of this event fits (car number)" in result.stdout


def test_reconciliation_for_an_entry() -> None:
    knowledge = open_knowledge("memory")
    checks = reconciliation_for(knowledge, str(MSR["rolex-24-at-daytona-2024-entry-24"]))
    assert sorted((c.checked_property.rsplit("/", 1)[1], c.reported) for c in checks) == [
        ("driver", "msr:dries-vanthoor"),
        ("driver", "msr:philipp-eng"),
        ("position", "8"),
    ]
    assert all(c.verdict == CORROBORATED for c in checks)


def test_write_is_deterministic_and_the_bundled_file_is_current(run_kg, tmp_path: Path) -> None:
    target = tmp_path / "reconciliation.ttl"
    first = run_kg("reconcile", "--write", "--out", str(target))
    assert first.exit_code == 0
    assert first.stderr.startswith("wrote ")
    second = run_kg("reconcile", "--write", "--out", str(target))
    assert second.stderr.startswith("unchanged ")
    knowledge = open_knowledge("memory")
    bundled = DATA / "imsa" / "reconciliation.ttl"
    assert bundled.read_text(encoding="utf-8") == as_turtle(reconcile(knowledge), knowledge)
    assert target.read_bytes() == bundled.read_bytes()


def test_the_saved_query_reads_the_written_checks(run_kg) -> None:
    result = run_kg("query", "reconciliation", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "msr:daytona-2024-report-result-24,position,corroborated,8" in result.stdout


def test_show_lists_the_checks_of_an_entry(run_kg) -> None:
    result = run_kg("show", "msr:rolex-24-at-daytona-2024-entry-25")
    assert result.exit_code == 0, result.output
    assert "\nOfficial results (kg reconcile):\n" in result.stdout
    assert (
        "CORROBORATED  #25 BMW M Team RLL (GTP): ms:position reported 7, official overall 7, "
        "class 7 (matches the position overall and in class)"
    ) in result.stdout
