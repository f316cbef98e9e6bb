"""kg timeline: ordering, entity filter, --from/--to windows, bad dates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from kg.model import paths

Run = Callable[..., Result]
DECIDES = Path(__file__).parents[1] / "fixtures" / "decisions" / "bmw-decides"
DECISION = "msr:bmw-lmdh-customer-programme-decision"
GERMAN = "msr:article-2023-07-motorsport-total-bmw-lmdh-customers"
DAYTONA = "msr:article-2024-01-daytona-bmw-rolex24-report"


@pytest.fixture(scope="module")
def store_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"oxigraph:{tmp_path_factory.mktemp('timeline-index')}"


@pytest.fixture
def kg(run_kg: Run, store_spec: str) -> Run:
    def run(*args: str) -> Result:
        return run_kg("--store", store_spec, *args)

    return run


def lines(result: Result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.splitlines()


def test_around_a_decision(kg: Run) -> None:
    out = lines(kg("timeline", DECISION))
    assert len(out) == 3
    assert out[0].startswith("2023-07 (month)".ljust(49) + "published: BMW has not yet")
    assert out[0].endswith(f"  [{GERMAN}]")
    assert out[1] == (
        "2023-07 (month)".ljust(49) + "decision status report: Andreas Roos; "
        f"BMW decision on an LMDh customer programme; under evaluation  [{GERMAN}]"
    )
    assert out[2] == (
        'Sep–Dec 2023 (in the source: "gegen Ende 2023")  expected: decision status report: '
        f"Andreas Roos; BMW decision on an LMDh customer programme; under evaluation  [{GERMAN}]"
    )


def test_a_recorded_outcome_joins_the_timeline_in_order(kg: Run) -> None:
    out = lines(kg("--data", str(paths.data_dir()), "--data", str(DECIDES), "timeline", DECISION))
    # Vague times sort by their earliest day: the month 2024-03 before 2024-03-10.
    assert [line.split("  ")[0].strip() for line in out] == [
        "2023-07 (month)",
        "2023-07 (month)",
        'Sep–Dec 2023 (in the source: "gegen Ende 2023")',
        "2024-03 (month)",
        "2024-03 (month)",
        "2024-03-10 (day)",
    ]
    assert out[3].split("  ", 1)[1].strip() == (
        "decided: decision outcome: TEST FIXTURE: BMW keeps the M Hybrid V8 with the factory "
        "teams; no LMDh customer programme for now.  [msr:article-2024-03-fixture-bmw-decides]"
    )
    assert out[5].startswith("2024-03-10 (day)".ljust(49) + "published: TEST FIXTURE")


def test_whole_graph_is_in_time_order(kg: Run) -> None:
    out = lines(kg("timeline", "--to", "2024-01"))
    assert len(out) > 5
    assert any(GERMAN in line for line in out)
    # The Daytona report may have appeared in January, so its publication stays in
    # the window; what it says holds "from 2024" is kept too (overlaps January).
    assert any("published" in line and DAYTONA in line for line in out)


def test_library_order_never_goes_backwards(store_spec: str) -> None:
    from kg.answers.timeline import timeline
    from kg.knowledge.project import open_knowledge

    items = timeline(open_knowledge(store_spec))
    keys = [item.sort_key() for item in items]
    assert keys == sorted(keys)
    earliest = [item.when.earliest for item in items if item.when.earliest is not None]
    assert earliest == sorted(earliest)
    assert {item.kind for item in items} == {"said", "holds"}


def test_window_keeps_what_overlaps_it(kg: Run) -> None:
    out = lines(kg("timeline", DECISION, "--from", "2023-10", "--to", "2023-11"))
    # Only the expected time ("end of 2023" overlaps October-November) is left.
    assert len(out) == 1
    assert out[0].startswith('Sep–Dec 2023 (in the source: "gegen Ende 2023")  expected:')
    assert lines(kg("timeline", DECISION, "--from", "2024")) == [
        "Nothing dated is known in that window."
    ]


def test_german_labels(kg: Run) -> None:
    out = lines(kg("timeline", DECISION, "--lang", "de"))
    assert out[0].startswith("2023-07 (Monat)")
    assert "veröffentlicht: BMW hat noch nicht entschieden" in out[0]
    assert "erwartet: " in out[2]


def test_as_of_hides_later_sources(kg: Run) -> None:
    out = lines(kg("timeline", "--as-of", "2024-02-15"))
    assert not any(DAYTONA in line for line in out)
    assert any(GERMAN in line for line in out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2023-13-40"],
            "Invalid value for '--from': '2023-13-40' is not a date; write YYYY-MM-DD, "
            "YYYY-MM or YYYY (e.g. 2023-08-01)\n",
        ),
        (
            ["--to", "yesterday"],
            "Invalid value for '--to': 'yesterday' is not a date; write YYYY-MM-DD, "
            "YYYY-MM or YYYY (e.g. 2023-08-01)\n",
        ),
        (
            ["--from", "2024", "--to", "2023"],
            "kg: error: --from 2024 is after --to 2023; swap them\n",
        ),
    ],
)
def test_bad_windows_exit_2(kg: Run, args: list[str], message: str) -> None:
    result = kg("timeline", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(message)
    assert "Traceback" not in result.stderr


def test_unknown_entity_exits_2(kg: Run) -> None:
    result = kg("timeline", "no such thing at all")
    assert result.exit_code == 2
    assert result.stderr.startswith("kg: error: no entity is named 'no such thing at all'.")
