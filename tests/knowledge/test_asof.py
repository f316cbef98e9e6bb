"""As-of views: only what had been published by a day is visible (kg.knowledge.asof, --as-of)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from click.testing import Result

from kg.knowledge.asof import hidden_graphs, publications, visible_graphs
from kg.knowledge.project import Knowledge, open_knowledge
from kg.model.namespaces import GRAPH

Run = Callable[..., Result]
ONTOLOGY = str(GRAPH["ontology/motorsport"])
ENTITIES = str(GRAPH["data/entities"])
GERMAN = str(GRAPH["data/articles/2023-07-motorsport-total-bmw-lmdh-customers"])
DAYTONA = str(GRAPH["data/articles/2024-01-daytona-bmw-rolex24-report"])
DECISION_QUERY = "SELECT ?d WHERE { ?d a ms:Decision }"


@pytest.fixture(scope="module")
def store_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"oxigraph:{tmp_path_factory.mktemp('asof-index')}"


@pytest.fixture(scope="module")
def knowledge(store_spec: str) -> Knowledge:
    return open_knowledge(store_spec)


@pytest.fixture
def kg(run_kg: Run, store_spec: str) -> Run:
    def run(*args: str) -> Result:
        return run_kg("--store", store_spec, *args)

    return run


def test_publications_keep_their_precision(knowledge: Knowledge) -> None:
    found = {item.graph: item.published for item in publications(knowledge.store)}
    assert (found[GERMAN].earliest, found[GERMAN].latest) == (date(2023, 7, 1), date(2023, 7, 31))
    assert found[GERMAN].precision == "month"
    # No date in the text: bounded by the race and the next race.
    assert (found[DAYTONA].earliest, found[DAYTONA].latest) == (
        date(2024, 1, 28),
        date(2024, 3, 20),
    )


@pytest.mark.parametrize(
    ("day", "german", "daytona"),
    [
        (date(2023, 6, 30), False, False),
        (date(2023, 7, 15), False, False),  # "2023-07" may still be ahead
        (date(2023, 7, 31), True, False),
        (date(2024, 2, 15), True, False),  # bounded date: hidden until its upper bound
        (date(2024, 3, 19), True, False),
        (date(2024, 3, 20), True, True),
    ],
)
def test_visible_graphs(knowledge: Knowledge, day: date, german: bool, daytona: bool) -> None:
    visible = visible_graphs(knowledge, day)
    # Ontology and the registry (no source document) are always there.
    assert ONTOLOGY in visible and ENTITIES in visible
    assert (GERMAN in visible) is german
    assert (DAYTONA in visible) is daytona
    assert set(visible).isdisjoint(hidden_graphs(knowledge, day))
    assert visible == [f.graph for f in knowledge.files if f.graph in set(visible)]


def test_no_day_means_no_view(knowledge: Knowledge) -> None:
    assert visible_graphs(knowledge, None) is None
    assert hidden_graphs(knowledge, None) == []


def csv_rows(result: Result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_query_as_of(kg: Run) -> None:
    args = ["query", "-e", DECISION_QUERY, "--format", "csv"]
    assert csv_rows(kg(*args, "--as-of", "2023-06-30")) == ["d"]
    assert csv_rows(kg(*args, "--as-of", "2023-08-01")) == [
        "d",
        "BMW decision on an LMDh customer programme",
    ]
    assert csv_rows(kg(*args, "--as-of", "2023-08-01", "--lang", "de")) == [
        "d",
        "BMW-Entscheidung über ein LMDh-Kundenprogramm",
    ]


def test_query_as_of_hides_what_only_a_later_source_says(kg: Run) -> None:
    text = (
        "SELECT ?claim WHERE { ?claim ms:statedIn msr:article-2024-01-daytona-bmw-rolex24-report }"
    )
    args = ["query", "-e", text, "--format", "csv", "--iris"]
    assert csv_rows(kg(*args, "--as-of", "2024-02-15")) == ["claim"]
    assert len(csv_rows(kg(*args, "--as-of", "2024-03-20"))) > 10


def test_show_as_of(run_kg: Run) -> None:
    # On the memory store: the index's as-of views are checked in test_asof_official.
    def kg(*args: str) -> Result:
        return run_kg("--store", "memory", *args)

    before = kg("show", "msr:bmw-lmdh-customer-programme-decision", "--as-of", "2023-06-30")
    assert before.exit_code == 2
    assert before.stdout == ""
    assert before.stderr.startswith(
        "kg: error: no entity is named 'msr:bmw-lmdh-customer-programme-decision'."
    )
    after = kg("show", "msr:bmw-lmdh-customer-programme-decision", "--as-of", "2023-08-01")
    assert after.exit_code == 0, after.stderr
    assert after.stdout.startswith(
        "BMW decision on an LMDh customer programme\ndecision\nAs known on 2023-08-01\n"
    )
    # BMW is in the registry, so it is known on any day; facts from July 2023 are not yet.
    bmw_early = kg("show", "BMW", "--as-of", "2023-06-30", "--format", "json")
    bmw_later = kg("show", "BMW", "--as-of", "2023-08-01", "--format", "json")
    assert bmw_early.exit_code == 0 and bmw_later.exit_code == 0
    assert "motorsport-total" not in bmw_early.stdout
    assert "motorsport-total" in bmw_later.stdout


def test_export_as_of(kg: Run) -> None:
    early = kg("export", "--as-of", "2023-06-30")
    later = kg("export", "--as-of", "2023-08-01")
    assert early.exit_code == 0 and later.exit_code == 0
    assert "msr:bmw-lmdh-customer-programme-decision" not in early.stdout
    assert "msr:bmw-lmdh-customer-programme-decision a ms:Decision" in later.stdout
    assert "msr:article-2024-01-daytona-bmw-rolex24-report a ms:NewsArticle" not in later.stdout
    latest = kg("export", "--as-of", "2024-03-20")
    assert "msr:article-2024-01-daytona-bmw-rolex24-report a ms:NewsArticle" in latest.stdout


@pytest.mark.parametrize("bad", ["2023-13-40", "yesterday"])
@pytest.mark.parametrize(
    "command",
    [
        ["query", "-e", DECISION_QUERY],
        ["show", "BMW"],
        ["export"],
        ["decisions"],
        ["timeline"],
    ],
)
def test_bad_as_of_exits_2(kg: Run, command: list[str], bad: str) -> None:
    result = kg(*command, "--as-of", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        f"Invalid value for '--as-of': '{bad}' is not a date; "
        "write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2023-08-01)"
    ) in result.stderr
