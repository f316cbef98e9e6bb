"""The decision timeline shows today, the overdue decisions and the source of each report.

Regression tests for issue 16: the picture had no "today" marker, no overdue
signal and no source. The fixture's decision was expected "gegen Ende 2023"
(Sep–Dec 2023) by an interview of 2023-07 and reported open on 2024-02-01,
with no outcome.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES

from kg.knowledge.project import Knowledge, open_knowledge
from kg.outputs import viz

DATA = FIXTURES / "viz" / "data"
OVERDUE = " overdue (2023-12-31 →)"
SOURCES = ("Roos: Kundenentscheidung Ende 2023, July 2023", "BMW at the Rolex 24, 1 February 2024")


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return open_knowledge("memory", [DATA])


def texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]


def test_today_line_overdue_window_and_sources(knowledge: Knowledge, tmp_path: Path) -> None:
    viz.decision_timeline(knowledge, tmp_path / "t.svg", today=date(2024, 3, 1))
    drawn = texts(tmp_path / "t.svg")
    assert " today 2024-03-01" in drawn
    assert OVERDUE in drawn
    for source in SOURCES:
        assert source in drawn


def test_nothing_is_overdue_before_the_window_ends(knowledge: Knowledge, tmp_path: Path) -> None:
    viz.decision_timeline(knowledge, tmp_path / "t.svg", today=date(2023, 12, 31))
    drawn = texts(tmp_path / "t.svg")
    assert " today 2023-12-31" in drawn
    assert OVERDUE not in drawn


def test_as_of_takes_the_place_of_today(knowledge: Knowledge, tmp_path: Path) -> None:
    viz.decision_timeline(
        knowledge, tmp_path / "then.svg", as_of=date(2024, 1, 15), today=date(2026, 1, 1)
    )
    drawn = texts(tmp_path / "then.svg")
    assert " as of 2024-01-15" in drawn and not any("today" in t for t in drawn)
    assert OVERDUE in drawn  # judged on the as-of day: the window had ended
    assert SOURCES[0] in drawn and SOURCES[1] not in drawn  # not yet published


def test_without_a_today_mark_nothing_depends_on_the_day(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    viz.decision_timeline(knowledge, tmp_path / "a.svg", mark_today=False)
    drawn = texts(tmp_path / "a.svg")
    assert not any("today" in t for t in drawn) and OVERDUE not in drawn
    assert SOURCES[1] in drawn


def test_same_day_same_bytes(knowledge: Knowledge, tmp_path: Path) -> None:
    for name in ("a.svg", "b.svg"):
        viz.decision_timeline(knowledge, tmp_path / name, today=date(2024, 3, 1))
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_cli_today_option(run_kg: object, tmp_path: Path) -> None:
    out = tmp_path / "timeline.svg"
    args = ("--store", "memory", "--data", str(DATA), "viz", "--decisions")
    result = run_kg(*args, "--today", "2024-03-01", "-o", str(out))  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {out}: 1 decision, 2 status reports\n"
    drawn = texts(out)
    assert " today 2024-03-01" in drawn and OVERDUE in drawn
    german = run_kg(*args, "--today", "2024-03-01", "--lang", "de", "-o", str(tmp_path / "de.svg"))  # type: ignore[operator]
    assert german.exit_code == 0
    assert " heute 2024-03-01" in texts(tmp_path / "de.svg")
    wrong = run_kg(  # type: ignore[operator]
        "--store",
        "memory",
        "--data",
        str(DATA),
        "viz",
        "--today",
        "2024-03-01",
        "-o",
        str(tmp_path / "g.svg"),
    )
    assert wrong.exit_code == 2
    assert wrong.stderr == (
        "kg: error: --today is the day drawn on the decision timeline; add --decisions\n"
    )
