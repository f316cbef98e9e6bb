"""kg timeline: ordering, entity filter, --from/--to windows, bad dates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import core_data_args

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


def items(result: Result) -> list[str]:
    """The timeline's lines, without the reference list."""
    return lines(result)[: lines(result).index("")] if "" in lines(result) else lines(result)


def test_around_a_decision(kg: Run) -> None:
    out = lines(kg("timeline", DECISION))
    assert out[:3] == [
        'July 2023: Published: "BMW yet to decide on LMDh customer teams: Andreas Roos speaking'
        ' to Motorsport-Total.com (July 2023)" [1]',
        "July 2023: BMW decision on an LMDh customer programme: under evaluation; decision"
        ' expected Sep–Dec 2023 (in the source: "gegen Ende 2023") (according to Andreas Roos)'
        " [1]",
        'Sep–Dec 2023 (in the source: "gegen Ende 2023"): BMW decision on an LMDh customer'
        " programme: the decision is expected (so Andreas Roos said, July 2023) [1]",
    ]
    # One reference, cited by number, with its title, date and language.
    assert out[3:5] == ["", "References"]
    assert out[5].startswith("  [1] BMW yet to decide on LMDh customer teams")
    assert "Published July 2023. German." in out[5]
    assert len(out) == 6


def test_a_recorded_outcome_joins_the_timeline_in_order(kg: Run) -> None:
    import json

    args = (*core_data_args(), "--data", str(DECIDES), "timeline", DECISION)
    data = json.loads(kg(*args, "--format", "json").stdout)
    # Vague times sort by their earliest day: the month 2024-03 before 2024-03-10.
    assert [item["when"] for item in data["items"]] == [
        "July 2023",
        "July 2023",
        'Sep–Dec 2023 (in the source: "gegen Ende 2023")',
        "March 2024",
        "March 2024",
        "10 Mar 2024",
    ]
    out = items(kg(*args))
    assert set(out[3:5]) == {
        "March 2024: Decided: TEST FIXTURE: BMW keeps the M Hybrid V8 with the factory "
        "teams; no LMDh customer programme for now. [2]",
        "March 2024: BMW decision on an LMDh customer programme: decided [2]",
    }
    assert out[5].startswith('10 Mar 2024: Published: "TEST FIXTURE')


def test_whole_graph_is_in_time_order(kg: Run) -> None:
    out = items(kg("timeline", "--to", "2024-01"))
    assert len(out) > 5
    assert any("BMW yet to decide on LMDh customer teams" in line for line in out)
    # The Daytona report may have appeared in January, so its publication stays in
    # the window; what it says holds "from 2024" is kept too (overlaps January).
    assert any("Published" in line and "race report" in line for line in out)


def test_official_rows_are_one_line_per_file_unless_all(kg: Run) -> None:
    # Issue 16: 450 of 476 lines were official rows such as "AUS; country code; Matt Campbell".
    out = items(kg("timeline"))
    assert len(out) < 40
    official = [line for line in out if "official results, " in line]
    assert len(official) == 1
    # One line per session, at its start: what the rows state, no row a line of its own,
    # and neither the file's publication nor the session's start a line of their own.
    assert official[0].startswith("27 Jan 2024, 13:40: Rolex 24 at Daytona 2024, race starts: ")
    assert "456 dated rows (228 country code, 228 licence grade)" in official[0]
    assert "--all lists them" in official[0]
    assert not any("official results (Al Kamel Systems)" in line for line in out)
    assert not any(line.startswith("27 Jan 2024, 13:40: Starts:") for line in out)
    assert not any("country code" in line.lower() for line in out if line not in official)
    every = items(kg("timeline", "--all"))
    assert len(every) > 400
    assert any("Country code (official)" in line for line in every)


def test_an_event_timeline_holds_what_happened_to_its_cars(kg: Run) -> None:
    # Issue 16: the Rolex 24's timeline had 3 lines and missed the 2.30 a.m. failure.
    out = items(kg("timeline", "Rolex 24 at Daytona 2024"))
    assert out[0].startswith("27 Jan 2024, 13:40: Starts: Rolex 24 at Daytona 2024, race [")
    failure = [line for line in out if "electronics" in line]
    assert len(failure) == 1
    assert failure[0].startswith("Around 2.30 a.m. on 28 Jan 2024: #24 ") or failure[0].startswith(
        "around 2.30 a.m. on 28 Jan 2024: #24 "
    )
    assert "driven by Dries Vanthoor" in failure[0]
    assert "msr:" not in "\n".join(out)


def test_timeline_formats(kg: Run) -> None:
    import json

    data = json.loads(kg("timeline", DECISION, "--format", "json").stdout)
    assert data["schema_version"] == 1
    assert [item["kind"] for item in data["items"]] == ["said", "holds", "holds"]
    assert data["items"][2]["earliest"] == "2023-09-01"
    assert data["items"][2]["latest"] == "2023-12-31"
    assert {n for item in data["items"] for n in item["cites"]} == {
        r["number"] for r in data["references"]
    }
    markdown = kg("timeline", DECISION, "--format", "markdown").stdout
    assert markdown.startswith("- **July 2023**: Published: ")
    assert "\n## References\n" in markdown


def test_library_order_never_goes_backwards(store_spec: str) -> None:
    from kg.answers.timeline import timeline
    from kg.knowledge.project import open_knowledge

    found = timeline(open_knowledge(store_spec)).items
    keys = [item.sort_key() for item in found]
    assert keys == sorted(keys)
    earliest = [item.when.earliest for item in found if item.when.earliest is not None]
    assert earliest == sorted(earliest)
    assert {item.kind for item in found} == {"said", "holds"}


def test_window_keeps_what_overlaps_it(kg: Run) -> None:
    out = items(kg("timeline", DECISION, "--from", "2023-10", "--to", "2023-11"))
    # Only the expected time ("end of 2023" overlaps October-November) is left.
    assert len(out) == 1
    assert out[0].startswith('Sep–Dec 2023 (in the source: "gegen Ende 2023"): BMW decision')
    assert lines(kg("timeline", DECISION, "--from", "2024")) == [
        "Nothing dated is known in that window."
    ]


def test_german_labels(kg: Run) -> None:
    out = items(kg("timeline", DECISION, "--lang", "de"))
    assert out[0].startswith('Juli 2023: Veröffentlicht: "BMW noch ohne Entscheidung')
    assert out[2].startswith("Gegen Ende 2023 (Sep.–Dez. 2023): ") or out[2].startswith(
        "gegen Ende 2023 (Sep.–Dez. 2023): "
    )
    assert "die Entscheidung wird erwartet" in out[2]


def test_as_of_hides_later_sources(kg: Run) -> None:
    out = lines(kg("timeline", "--as-of", "2024-02-15"))
    assert not any("race report" in line for line in out)
    assert any("BMW yet to decide on LMDh customer teams" in line for line in out)


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
