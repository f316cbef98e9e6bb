"""`kg reconcile`: article claims against the imported official results."""

from __future__ import annotations

from pathlib import Path

from kg.answers.reconcile import (
    CORROBORATED,
    DIFFERS,
    reconcile,
    reconciliation_for,
)
from kg.answers.reconcile_report import RACES, SEASONS, as_turtle, seasons_path
from kg.knowledge.project import open_knowledge
from kg.model.namespaces import MSR
from tests.conftest import core_data_args

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
WRONG = ROOT / "tests" / "fixtures" / "imsa" / "made-up-wrong-article.ttl"
GOLDEN = ROOT / "tests" / "golden" / "imsa" / "reconcile-rolex-24-2024.txt"
SEASON_CHECKS = DATA / "imsa" / "reconciliation-seasons.ttl"
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
    # The article's "next chance: Sebring" is checked against the calendar of official
    # races; this view of the knowledge holds the Daytona race only (the whole bundle
    # corroborates it: tests/bundled/test_full_bundle.py).
    assert (
        "CANNOT SAY    Rolex 24 at Daytona 2024: ms:nextEvent reported 12 Hours of Sebring 2024, "
        "official - (the official results have no later race of the series)"
    ) in lines
    assert lines[-1] == "19 checks: 17 corroborated, 0 contradicted, 1 differs, 1 cannot say"


LAPS_BEHIND_25 = (
    "DIFFERS       #25 BMW M Team RLL (GTP): ms:lapsBehind reported 15, official 13 "
    "(finished 13 laps behind the class winner; the article does not say behind whom or "
    "when it counted; #24 BMW M Team RLL (GTP) of the same team finished 15 laps down, so "
    "the article's number may be about that car)"
)


def test_15_laps_behind_differs_from_the_official_13_and_names_the_sister_car(run_kg) -> None:
    # The article's "15 laps behind" for the #25: officially 13 laps down in class at the
    # finish, and the #24 was 15 down. Never corroborated, not a contradiction either:
    # the article leaves open what it counted. Exit 0: nothing is contradicted.
    result = run_kg("reconcile", "Rolex 24 at Daytona 2024")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    index = lines.index(LAPS_BEHIND_25)
    assert lines[index + 1] == (
        "              reported in msr:article-2024-01-daytona-bmw-rolex24-report "
        f"(msr:daytona-2024-report-position-25-15-laps-behind); official: {RESULTS_DOC}"
    )


def test_the_written_report_keeps_both_lap_counts() -> None:
    knowledge = open_knowledge("memory")
    (check,) = [c for c in reconcile(knowledge) if c.checked_property.endswith("/lapsBehind")]
    assert (check.verdict, check.reported, check.official) == (DIFFERS, "15", "13")
    text = as_turtle([check], knowledge)
    assert 'ms:verdict "differs"' in text
    assert 'ms:reportedValue "15"' in text and 'ms:officialValue "13"' in text
    assert "#24 BMW M Team RLL (GTP) of the same team finished 15 laps down" in text


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
    # The whole bundle: the claims about the seasons are checked too.
    assert lines[-1] == "33 checks: 28 corroborated, 1 contradicted, 1 differs, 3 cannot say"


def test_an_unknown_event_is_a_usage_error(run_kg) -> None:
    result = run_kg("reconcile", "Le Mans 1923")
    assert result.exit_code == 2
    assert "no entity is named 'Le Mans 1923'" in result.stderr


def test_without_official_results_nothing_can_be_said(run_kg, tmp_path: Path) -> None:
    articles = DATA / "articles"
    result = run_kg("--data", str(DATA / "entities.ttl"), "--data", str(articles), "reconcile")
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[-1]
        == "29 checks: 0 corroborated, 0 contradicted, 0 differs, 29 cannot say"
    )
    assert "no official race entry of this event fits (car number)" in result.stdout


def test_reconciliation_for_an_entry() -> None:
    knowledge = open_knowledge("memory")
    checks = reconciliation_for(knowledge, str(MSR["rolex-24-at-daytona-2024-entry-24"]))
    assert sorted((c.checked_property.rsplit("/", 1)[1], c.reported) for c in checks) == [
        # The reported driver by name, as a reader sees it (it was "msr:dries-vanthoor").
        ("driver", "Dries Vanthoor"),
        ("driver", "Philipp Eng"),
        ("position", "8"),
    ]
    assert all(c.verdict == CORROBORATED for c in checks)


def test_write_is_deterministic(run_kg, tmp_path: Path) -> None:
    # The bundled file is what the whole bundle gives (tests/bundled/test_full_bundle.py).
    target = tmp_path / "reconciliation.ttl"
    first = run_kg("reconcile", "--write", "--out", str(target))
    assert first.exit_code == 0
    assert first.stderr.startswith("wrote ")
    second = run_kg("reconcile", "--write", "--out", str(target))
    assert second.stderr.startswith("unchanged ")
    knowledge = open_knowledge("memory")
    checks = reconcile(knowledge)
    races = [c for c in checks if c.about_entry]
    assert target.read_text(encoding="utf-8") == as_turtle(races, knowledge, RACES)
    seasons = [c for c in checks if not c.about_entry]
    assert seasons, "the articles' claims about programmes, drivers and events"
    assert seasons_path(target).read_text(encoding="utf-8") == as_turtle(
        seasons, knowledge, SEASONS
    )


def test_the_saved_query_reads_the_written_checks(run_kg) -> None:
    result = run_kg("query", "reconciliation", "--format", "csv", "--iris")
    assert result.exit_code == 0, result.output
    assert "msr:daytona-2024-report-result-24,ms:position,corroborated,8," in result.stdout
    car_25 = run_kg(
        "query",
        "reconciliation",
        "-p",
        "entry",
        "msr:rolex-24-at-daytona-2024-entry-25",
        "--format",
        "csv",
        "--iris",
    )
    assert car_25.exit_code == 0, car_25.output
    assert (
        "msr:daytona-2024-report-position-25-15-laps-behind,ms:lapsBehind,differs,15,13,"
        in car_25.stdout
    )


def test_show_lists_the_checks_of_an_entry(run_kg) -> None:
    result = run_kg("show", "msr:rolex-24-at-daytona-2024-entry-25")
    assert result.exit_code == 0, result.output
    checks = result.stdout.split("\nChecked against the official results\n", 1)[1]
    assert "  - Position: reported 7, official overall 7, class 7 (corroborated)" in checks
    # Issue 16: "15 laps behind" is checkable; both numbers are shown.
    assert "Laps behind: reported 15, official 13 (differs)" in checks


def test_the_saved_query_reads_the_season_checks_of_a_driver(run_kg) -> None:
    # The season checks are a file of the whole bundle, beside the core view's data.
    result = run_kg(
        *core_data_args(),
        "--data",
        str(SEASON_CHECKS),
        "query",
        "reconciliation",
        "-p",
        "entry",
        "msr:jesse-krohn",
        "--format",
        "csv",
        "--iris",
    )
    assert result.exit_code == 0, result.output
    rows = [line.split(",")[:4] for line in result.stdout.splitlines()[1:]]
    assert sorted((prop, verdict) for _, _, prop, verdict in rows) == [
        ("ms:nationality", "corroborated"),
        ("ms:previouslyRaced", "cannot say"),
        ("ms:rookieIn", "corroborated"),
        ("ms:teammateOf", "corroborated"),
    ]


def test_show_puts_a_drivers_checks_after_the_profile(run_kg) -> None:
    result = run_kg(*core_data_args(), "--data", str(SEASON_CHECKS), "show", "Jesse Krohn")
    assert result.exit_code == 0, result.output
    titles = [line for line in result.stdout.splitlines() if line and not line[0].isspace()]
    assert titles[2:4] == ["Profile", "Checked against the official results"]
    assert "  - Previously raced: reported BMW M8 GTE (cannot say): no official race" in (
        result.stdout
    )
