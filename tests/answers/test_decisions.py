"""kg decisions and kg decisions show: status, as-of views, overdue, history, languages.

The fixture folders under tests/fixtures/decisions/ hold made-up later
articles (TEST FIXTURE in their summaries) that show the workflow "recording
what happens next": a new source file changes the answer, no code changes.
Goldens: tests/golden/decisions/; regenerate on purpose with KG_REGENERATE_GOLDEN=1.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from conftest import CORE_DATA, core_data_args

from kg.answers.decisions import check_status, get_decision, list_decisions
from kg.knowledge.project import open_knowledge
from kg.model.errors import UsageError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "decisions"
GOLDEN = Path(__file__).parents[1] / "golden" / "decisions"
DECIDES = FIXTURES / "bmw-decides"
DEFERS = FIXTURES / "bmw-defers"
DECISION = "msr:bmw-lmdh-customer-programme-decision"

Run = Callable[..., Result]


@pytest.fixture(scope="module")
def store_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private on-disk Oxigraph index: fast, and shared with no other test run."""
    return f"oxigraph:{tmp_path_factory.mktemp('decisions-index')}"


@pytest.fixture
def kg(run_kg: Run, store_spec: str) -> Run:
    def run(*args: str) -> Result:
        return run_kg("--store", store_spec, *args)

    return run


def with_data(*folders: Path) -> list[str]:
    args = core_data_args()
    for folder in folders:
        args += ["--data", str(folder)]
    return args


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KG_REGENERATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def row_of(output: str) -> list[str]:
    """The cells of the one decision row, split on the two-space column gaps."""
    lines = output.splitlines()
    # Header, rule, the row, the count; then the references its sources column cites.
    assert lines[3].startswith("("), output
    assert lines[4:6] == ["", "References" if "(1 decision" in lines[3] else "Quellen"], output
    return [cell.strip() for cell in lines[2].split("  ") if cell.strip()]


# --- the table, as of days before, during and after --------------------------------


def test_not_known_before_the_article(kg: Run) -> None:
    out = ok(kg("decisions", "--as-of", "2023-06-30"))
    assert out == "No decisions are known as of 2023-06-30.\n"


def test_pending_after_the_article(kg: Run) -> None:
    out = ok(kg("decisions", "--as-of", "2023-08-01"))
    golden("as-of-2023-08-01.txt", out)
    assert row_of(out) == [
        "BMW decision on an LMDh customer programme",
        "BMW (Andreas Roos)",
        "under evaluation",
        "July 2023",
        'Sep–Dec 2023 (in the source: "gegen Ende 2023")',
        "no",
        "[1]",
    ]
    # Issue 16: the sources column named the article by IRI; it now cites it by number.
    assert "msr:" not in out
    assert "\n  [1] BMW yet to decide on LMDh customer teams" in out
    assert "\n(1 decision as of 2023-08-01)\n" in out


def test_a_month_is_published_on_its_last_day(kg: Run) -> None:
    # "2023-07" may mean 2023-07-31: on 2023-07-15 it is not certainly out.
    assert ok(kg("decisions", "--as-of", "2023-07-15")).startswith("No decisions")
    assert "under evaluation" in ok(kg("decisions", "--as-of", "2023-07-31"))


def test_not_overdue_while_the_expected_time_runs(kg: Run) -> None:
    assert row_of(ok(kg("decisions", "--as-of", "2023-12-31")))[5] == "no"


def test_overdue_after_the_expected_time(kg: Run) -> None:
    out = ok(kg("decisions", "--as-of", "2024-02-15"))
    golden("as-of-2024-02-15.txt", out)
    assert row_of(out)[2] == "under evaluation"
    assert row_of(out)[5] == "yes"
    assert row_of(ok(kg("decisions", "--as-of", "2024-01-01")))[5] == "yes"


def test_without_as_of_everything_counts_and_overdue_is_judged_today(kg: Run) -> None:
    out = ok(kg("decisions"))
    assert row_of(out)[5] == "yes"
    assert "\n(1 decision)\n" in out


def test_german(kg: Run) -> None:
    out = ok(kg("decisions", "--as-of", "2024-02-15", "--lang", "de"))
    golden("as-of-2024-02-15-de.txt", out)
    assert out.splitlines()[0].split() == [
        "Entscheidung",
        "Eigentümer",
        "Stand",
        "seit",
        "erwartet",
        "überfällig",
        "Quellen",
    ]
    assert row_of(out)[0] == "BMW-Entscheidung über ein LMDh-Kundenprogramm"
    assert row_of(out)[5] == "ja"
    assert "\n(1 Entscheidung am 2024-02-15)\n" in out


@pytest.mark.parametrize(
    ("status", "as_of", "listed"),
    [
        ("pending", "2023-08-01", True),
        ("under-evaluation", "2023-08-01", True),
        ("Under evaluation", "2023-08-01", True),
        ("overdue", "2023-08-01", False),
        ("overdue", "2024-02-15", True),
        ("decided", "2024-02-15", False),
        ("open", "2024-02-15", False),
    ],
)
def test_status_filter(kg: Run, status: str, as_of: str, listed: bool) -> None:
    out = ok(kg("decisions", "--status", status, "--as-of", as_of))
    if listed:
        assert "BMW decision on an LMDh customer programme" in out
    else:
        wanted = check_status(status)
        assert out == f"No decisions with status {wanted} are known as of {as_of}.\n"


# --- recording what happens next: a new source file, no code change ----------------


def test_outcome_flips_pending_to_decided_on_its_day_and_not_before(kg: Run) -> None:
    args = with_data(DECIDES)
    before = ok(kg(*args, "decisions", "--as-of", "2024-03-09"))
    assert row_of(before)[2:6] == [
        "under evaluation",
        "July 2023",
        'Sep–Dec 2023 (in the source: "gegen Ende 2023")',
        "yes",
    ]
    after = ok(kg(*args, "decisions", "--as-of", "2024-03-10"))
    golden("fixture-decides-as-of-2024-03-10.txt", after)
    assert row_of(after)[2:] == [
        "decided",
        "March 2024",
        'Sep–Dec 2023 (in the source: "gegen Ende 2023")',
        "no",
        "[1][2]",
    ]
    references = after.split("\nReferences\n", 1)[1].splitlines()
    assert references[0].startswith("  [1] BMW yet to decide on LMDh customer teams")
    assert references[1].startswith("  [2] TEST FIXTURE")
    pending = ok(kg(*args, "decisions", "--status", "pending", "--as-of", "2024-03-10"))
    assert pending == "No decisions with status pending are known as of 2024-03-10.\n"
    decided = ok(kg(*args, "decisions", "--status", "decided", "--as-of", "2024-03-10"))
    assert "BMW decision on an LMDh customer programme" in decided


def test_a_deferral_moves_the_expected_time(kg: Run) -> None:
    args = with_data(DEFERS)
    out = ok(kg(*args, "decisions", "--as-of", "2024-02-15"))
    assert row_of(out)[2:6] == [
        "deferred",
        "15 Oct 2023",
        "mid-2024 (May–Aug 2024)",
        "no",
    ]
    later = ok(kg(*args, "decisions", "--as-of", "2024-09-01"))
    assert row_of(later)[5] == "yes"
    # Before the deferral was published, the July status still holds.
    earlier = ok(kg(*args, "decisions", "--as-of", "2023-10-14"))
    assert row_of(earlier)[2] == "under evaluation"


# --- kg decisions show --------------------------------------------------------------


def test_show_as_of_2024_02_15(kg: Run) -> None:
    out = ok(kg("decisions", "show", DECISION, "--as-of", "2024-02-15"))
    golden("show-as-of-2024-02-15.txt", out)
    lines = out.splitlines()
    assert lines[0] == "BMW decision on an LMDh customer programme"
    assert "msr:" not in out
    assert "Owner: BMW, through Andreas Roos" in lines
    assert "Status: under evaluation since July 2023" in lines
    assert (
        "Overdue: yes (the expected time ended before 2024-02-15 and no outcome is known)" in lines
    )
    assert "  none recorded" in lines


def test_show_with_the_outcome_in_german_by_label(kg: Run) -> None:
    out = ok(
        kg(
            *with_data(DECIDES),
            "decisions",
            "show",
            "bmw entscheidung uber ein lmdh kundenprogramm",
            "--lang",
            "de",
            "--as-of",
            "2024-03-10",
        )
    )
    golden("show-fixture-decides-de.txt", out)
    assert "Stand: entschieden seit März 2024" in out.splitlines()


def test_decisions_in_markdown_and_json(kg: Run) -> None:
    import json

    markdown = ok(kg("decisions", "--as-of", "2024-02-15", "--format", "markdown"))
    assert markdown.startswith("| decision | owner | status |")
    assert "| BMW decision on an LMDh customer programme | BMW (Andreas Roos) |" in markdown
    assert "\n## References\n\n1. BMW yet to decide on LMDh customer teams" in markdown
    shown = ok(kg("decisions", "show", DECISION, "--format", "markdown", "--as-of", "2024-02-15"))
    assert shown.startswith("# BMW decision on an LMDh customer programme\n")
    assert "\n## Considerations\n" in shown
    data = json.loads(ok(kg("decisions", "--as-of", "2024-02-15", "--format", "json")))
    assert data["schema_version"] == 1
    (decision,) = data["decisions"]
    assert decision["iri"].endswith("/bmw-lmdh-customer-programme-decision")
    assert decision["overdue"] is True and decision["pending"] is True
    assert decision["expected"]["earliest"] == "2023-09-01"
    assert decision["expected"]["latest"] == "2023-12-31"
    assert decision["cites"] == [1]
    assert data["references"][0]["number"] == 1
    assert data["references"][0]["language"] == "German"
    through_group = kg("decisions", "--format", "json", "show", DECISION)
    assert json.loads(ok(through_group))["decisions"][0]["label"] == decision["label"]


def test_group_options_reach_show(kg: Run) -> None:
    direct = kg("decisions", "show", DECISION, "--as-of", "2024-02-15", "--lang", "de")
    through_group = kg("decisions", "--as-of", "2024-02-15", "--lang", "de", "show", DECISION)
    assert ok(direct) == ok(through_group)


def test_show_before_it_was_known_says_so(kg: Run) -> None:
    result = kg("decisions", "show", DECISION, "--as-of", "2023-06-30")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"kg: error: {DECISION} is not known as of 2023-06-30: no source describing it "
        "had certainly been published by then; try a later --as-of\n"
    )


def test_show_something_that_is_not_a_decision(kg: Run) -> None:
    result = kg("decisions", "show", "msr:bmw")
    assert result.exit_code == 2
    assert result.stderr == (
        "kg: error: msr:bmw is not a decision (ms:Decision); 'kg decisions' lists them\n"
    )


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2023-13-40", "yesterday"])
@pytest.mark.parametrize("command", [["decisions"], ["decisions", "show", DECISION]])
def test_bad_dates_exit_2(kg: Run, bad: str, command: list[str]) -> None:
    result = kg(*command, "--as-of", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Invalid value for '--as-of': '{bad}' is not a date; write YYYY-MM-DD" in result.stderr


def test_unknown_status_exits_2(kg: Run) -> None:
    result = kg("decisions", "--status", "stalled")
    assert result.exit_code == 2
    assert result.stderr == (
        "kg: error: unknown decision status 'stalled': use one of pending, overdue, open, "
        "under-evaluation, decided, dropped, deferred\n"
    )


# --- the library ---------------------------------------------------------------------


def test_library_history_and_state(store_spec: str) -> None:
    knowledge = open_knowledge("memory", data_dirs=[*CORE_DATA, DECIDES, DEFERS])
    try:
        found = list_decisions(knowledge, as_of=date(2024, 3, 10))
        assert len(found) == 1
        decision = found[0]
        assert [entry.status.label for entry in decision.history] == [
            "under evaluation",
            "deferred",
            "decided",
        ]
        assert decision.decided and not decision.overdue and not decision.pending
        assert decision.outcomes[0].chosen_option is not None
        assert decision.outcomes[0].chosen_option.label == (
            "Keep the BMW M Hybrid V8 with the factory teams only"
        )
        assert [s.short for s in decision.sources] == [
            "msr:article-2023-07-motorsport-total-bmw-lmdh-customers",
            "msr:article-2023-10-fixture-bmw-defers",
            "msr:article-2024-03-fixture-bmw-decides",
        ]
        assert {c.criterion.short for c in decision.considerations if c.criterion} >= {
            "msv:GridSlots",
            "msv:CustomerSupportEffort",
        }
        # Overdue without --as-of is judged on the day given as today.
        now = list_decisions(open_knowledge(store_spec), as_of=None, today=date(2023, 10, 1))
        assert not now[0].overdue
        with pytest.raises(UsageError, match="is not a decision"):
            get_decision(knowledge, "msr:bmw")
    finally:
        knowledge.store.close()


# --- the shapes that keep histories sane, on the fixtures ------------------------------

_DECIDES_TTL = DECIDES / "articles" / "2024-03-fixture-bmw-decides.ttl"
_DEFERS_TTL = DEFERS / "articles" / "2023-10-fixture-bmw-defers.ttl"


def _no_decided_at(text: str) -> str:
    return text.replace('    ms:decidedAt "2024-03"^^xsd:gYearMonth ;\n', "")


def _no_outcome(text: str) -> str:
    return text[: text.index("msr:fixture-2024-03-decision-outcome")]


def _no_outcome_source(text: str) -> str:
    outcome = text.index("msr:fixture-2024-03-decision-outcome")
    head, tail = text[:outcome], text[outcome:]
    return head + tail.replace("    ms:statedIn msr:article-2024-03-fixture-bmw-decides ;\n", "")


def _expected_before_first_report(text: str) -> str:
    return text.replace('"2024-05-01"^^xsd:date', '"2023-01-01"^^xsd:date').replace(
        '"2024-08-31"^^xsd:date', '"2023-03-31"^^xsd:date'
    )


@pytest.mark.parametrize(
    ("source", "broken", "message"),
    [
        (_DECIDES_TTL, _no_decided_at, "An outcome must say once when the decision was made"),
        (_DECIDES_TTL, _no_outcome, "needs an outcome claim (ms:Outcome)"),
        (_DECIDES_TTL, _no_outcome_source, "(property ms:statedIn)"),
        (
            _DEFERS_TTL,
            _expected_before_first_report,
            "ends by 2023-03-31, before the first report on the decision was published (2023-07)",
        ),
    ],
)
def test_shapes_reject_broken_histories(
    run_kg: Run,
    tmp_path: Path,
    source: Path,
    broken: Callable[[str], str],
    message: str,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    target = folder / source.name
    target.write_text(broken(source.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_kg("--store", "memory", *with_data(tmp_path), "validate")
    assert result.exit_code == 1
    report = result.stdout + result.stderr
    assert f"(in {target})" in report or target.name in report
    assert message in report


def test_fixtures_add_no_violation(run_kg: Run) -> None:
    result = run_kg("--store", "memory", *with_data(DECIDES, DEFERS), "validate")
    report = result.stdout + result.stderr
    assert "fixture" not in report.replace("fixtures/", "")
