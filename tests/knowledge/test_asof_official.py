"""As-of views of official results (issue 15, item 2): a results file is known once its
session ended, and a document derived from others once they are all known.

The 2024 Rolex 24 started 2024-01-27 13:40 and its last car took the flag 23:58 later,
on 2024-01-28; the article the reconciliation report compares is known from 2024-03-20.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from conftest import kg_args
from rdflib import Dataset

from kg.knowledge.asof import hidden_graphs, known_since, visible_graphs
from kg.knowledge.project import open_knowledge
from kg.model.namespaces import GRAPH, MSR

Run = Callable[..., Result]
WINNER = "SELECT ?w WHERE { ?r ms:overallPosition 1 ; ms:entry ?e . ?e ms:entrant ?w }"
CHECKS = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a ms:Reconciliation }"
RESULTS = str(GRAPH["data/imsa/2024/02-daytona-international-speedway/202401271340-race-results"])
RESULTS_FILE = str(MSR["imsa-2024-02-daytona-international-speedway-202401271340-race-results"])
RECONCILIATION = str(GRAPH["data/imsa/reconciliation"])
ENTITIES = str(GRAPH["data/entities"])
WINNING_TEAM = "msr:imsa-team-porsche-penske-motorsports"
WINNING_RESULT = "msr:imsa-2024-02-daytona-international-speedway-race-result-7"


def csv_rows(result: Result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def winner(run_kg: Run, day: str) -> list[str]:
    return csv_rows(run_kg("query", "-e", WINNER, "--format", "csv", "--iris", "--as-of", day))


# --- the bundled knowledge, on the suite's store (KG_STORE) -----------------------------


@pytest.mark.parametrize(
    ("day", "known"),
    [
        ("2023-01-01", False),  # the example: a year before the race
        ("2024-01-27", False),  # the race started, but had not ended
        ("2024-01-28", True),  # the session ended
        ("2024-01-29", True),
        ("2023", False),  # a year means its last day, 2023-12-31...
        ("2024-01", True),  # ...and a month too: 2024-01-31
    ],
)
def test_the_winner_is_known_only_once_the_race_ended(run_kg: Run, day: str, known: bool) -> None:
    assert winner(run_kg, day) == (["w", WINNING_TEAM] if known else ["w"])


def test_without_as_of_the_winner_is_there(run_kg: Run) -> None:
    rows = csv_rows(run_kg("query", "-e", WINNER, "--format", "csv", "--iris"))
    assert rows == ["w", WINNING_TEAM]


def test_export_as_of_holds_no_results_graph_before_the_race(run_kg: Run) -> None:
    def graphs(day: str) -> set[str]:
        result = run_kg("export", "--as-of", day, "--format", "trig")
        assert result.exit_code == 0, result.stderr
        back = Dataset().parse(data=result.stdout, format="trig")
        return {str(g.identifier) for g in back.graphs() if len(g)}

    before = graphs("2023-08-01")
    assert RESULTS not in before and RECONCILIATION not in before
    assert ENTITIES in before  # the registry holds identity, not news
    assert RESULTS not in graphs("2024-01-27")
    after = graphs("2024-01-28")
    assert RESULTS in after and RECONCILIATION not in after


@pytest.mark.parametrize(("day", "known"), [("2023-08-01", False), ("2024-01-28", True)])
def test_a_streamed_export_follows_the_session_end(run_kg: Run, day: str, known: bool) -> None:
    result = run_kg("export", "--stream", "--as-of", day, "--format", "nquads")
    assert result.exit_code == 0, result.stderr
    back = Dataset().parse(data=result.stdout, format="nquads")
    assert (RESULTS in {str(g.identifier) for g in back.graphs() if len(g)}) is known


def test_the_reconciliation_report_is_known_once_all_it_compares_is(run_kg: Run) -> None:
    # The results are known from 2024-01-28, the article only from 2024-03-20.
    assert winner(run_kg, "2024-03-19") == ["w", WINNING_TEAM]
    query = ["query", "-e", CHECKS, "--format", "csv", "--as-of"]
    assert csv_rows(run_kg(*query, "2024-03-19")) == ["n", "0"]
    assert csv_rows(run_kg(*query, "2024-03-20")) == ["n", "18"]


def test_show_follows_the_session_end(run_kg: Run) -> None:
    before = run_kg("show", WINNING_RESULT, "--as-of", "2024-01-27")
    assert before.exit_code == 2
    assert before.stdout == ""
    assert f"no entity is named '{WINNING_RESULT}'" in before.stderr
    after = run_kg("show", WINNING_RESULT, "--as-of", "2024-01-28")
    assert after.exit_code == 0, after.stderr
    assert after.stdout.startswith("result (#7 Porsche Penske Motorsports)\n")
    assert "File: 202401271340-race-results.csv." in after.stdout


def test_timeline_follows_the_session_end(run_kg: Run) -> None:
    def mentions(day: str) -> bool:
        result = run_kg("timeline", "--as-of", day)
        assert result.exit_code == 0, result.stderr
        # The file is cited by its title in the reference list.
        return "Rolex 24 at Daytona 2024, race: official results" in result.stdout

    assert not mentions("2023-01-01")
    assert not mentions("2024-01-27")
    assert mentions("2024-01-28")


def test_viz_follows_the_session_end(run_kg: Run, tmp_path: Path) -> None:
    def drawn(day: str) -> bool:
        out = tmp_path / f"{day}.graphml"
        result = run_kg("viz", "-o", str(out), "--as-of", day)
        assert result.exit_code == 0, result.stderr
        return "race-result-7" in out.read_text(encoding="utf-8")

    assert not drawn("2024-01-27")
    assert drawn("2024-01-28")


def test_the_registry_stays_visible_and_the_days_are_read_from_the_files() -> None:
    knowledge = open_knowledge()
    known = known_since(knowledge)
    assert known[RESULTS_FILE] == date(2024, 1, 28)
    assert known[str(MSR["imsa-reconciliation-report"])] == date(2024, 3, 20)
    for day in (date(1990, 1, 1), date(2024, 1, 27), date(2030, 1, 1)):
        assert ENTITIES in visible_graphs(knowledge, day)
    assert RESULTS in hidden_graphs(knowledge, date(2024, 1, 27))
    assert RESULTS not in hidden_graphs(knowledge, date(2024, 1, 28))


# --- the rule on small made-up files --------------------------------------------------

PREFIXES = """
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def made_up(tmp_path: Path, files: dict[str, str]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name, body in files.items():
        (data / f"{name}.ttl").write_text(PREFIXES + body, encoding="utf-8")
    return data


LATE_RESULTS = """
msr:late-results a ms:ResultsFile ;
    ms:publishedNotBefore "2024-01-28"^^xsd:date ;
    ms:published "2024-02-03"^^xsd:date .
msr:late-result a ms:Result ; ms:statedIn msr:late-results .
"""
EARLY_RESULTS = """
msr:early-results a ms:ResultsFile ; ms:publishedNotBefore "2024-01-28"^^xsd:date .
msr:early-result a ms:Result ; ms:statedIn msr:early-results .
"""
REPORT = """
msr:report a ms:ReconciliationReport ;
    ms:publishedNotBefore "2024-01-28"^^xsd:date ;
    prov:wasDerivedFrom msr:early-results , msr:article .
"""
ARTICLE = """
msr:article a ms:NewsArticle ; ms:published "2024-02-10"^^xsd:date .
"""
THINGS = "SELECT ?x WHERE { { ?x a ms:Result } UNION { ?x a ms:ReconciliationReport } }"


def things(run_kg: Run, data: Path, day: str) -> list[str]:
    result = run_kg(
        *kg_args("query", "-e", THINGS, "--iris", "--format", "csv", "--as-of", day, data=[data])
    )
    return sorted(csv_rows(result)[1:])


def test_a_later_publication_date_wins_over_the_session_end(run_kg: Run, tmp_path: Path) -> None:
    data = made_up(tmp_path, {"late": LATE_RESULTS, "early": EARLY_RESULTS})
    assert things(run_kg, data, "2024-01-27") == []
    assert things(run_kg, data, "2024-01-28") == ["msr:early-result"]
    assert things(run_kg, data, "2024-02-02") == ["msr:early-result"]
    assert things(run_kg, data, "2024-02-03") == ["msr:early-result", "msr:late-result"]


def test_a_derived_document_waits_for_every_source(run_kg: Run, tmp_path: Path) -> None:
    data = made_up(tmp_path, {"early": EARLY_RESULTS, "report": REPORT, "article": ARTICLE})
    assert things(run_kg, data, "2024-01-28") == ["msr:early-result"]
    assert things(run_kg, data, "2024-02-09") == ["msr:early-result"]
    assert things(run_kg, data, "2024-02-10") == ["msr:early-result", "msr:report"]


def test_a_derived_document_with_an_unknown_source_stays_hidden(
    run_kg: Run, tmp_path: Path
) -> None:
    # Without the article's file, nothing shows that the article was known.
    data = made_up(tmp_path, {"early": EARLY_RESULTS, "report": REPORT})
    assert things(run_kg, data, "2030-01-01") == ["msr:early-result"]


def test_a_subclass_declared_in_a_data_file_counts_too(run_kg: Run, tmp_path: Path) -> None:
    # The class axioms of the whole view count, the ontology's and a data file's alike:
    # a document of a local kind of results file is one, known when its session ended.
    local = """
    msr:MyResults rdfs:subClassOf ms:ResultsFile .
    msr:mine a msr:MyResults ; ms:publishedNotBefore "2024-01-28"^^xsd:date .
    msr:my-result a ms:Result ; ms:statedIn msr:mine .
    """
    data = made_up(tmp_path, {"mine": local})
    assert things(run_kg, data, "2024-01-27") == []
    assert things(run_kg, data, "2024-01-28") == ["msr:my-result"]


def test_documents_deriving_from_each_other_are_an_error(run_kg: Run, tmp_path: Path) -> None:
    loop = """
    msr:a a ms:ReconciliationReport ; ms:publishedNotBefore "2024-01-28"^^xsd:date ;
        prov:wasDerivedFrom msr:b .
    msr:b a ms:ReconciliationReport ; ms:publishedNotBefore "2024-01-28"^^xsd:date ;
        prov:wasDerivedFrom msr:a .
    """
    data = made_up(tmp_path, {"loop": loop})
    result = run_kg(*kg_args("query", "-e", THINGS, "--as-of", "2024-02-01", data=[data]))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(
        "kg: error: source documents derive from each other (prov:wasDerivedFrom): "
        "msr:a -> msr:b -> msr:a"
    )


# --- a real SPARQL server --------------------------------------------------------------


def test_a_sparql_server_gives_the_same_view(run_kg: Run, oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    from kg.stores.sync import open_spec, push

    memory = open_knowledge("memory")
    push(open_spec(oxigraph_server.spec), memory.files)

    def remote(day: str) -> list[str]:
        result = run_kg(
            "--store", oxigraph_server.spec, "query", "-e", WINNER, "--format", "csv",
            "--iris", "--as-of", day,
        )  # fmt: skip
        return csv_rows(result)

    assert remote("2024-01-27") == ["w"]
    assert remote("2024-01-28") == ["w", WINNING_TEAM]
    server = open_knowledge(oxigraph_server.spec)
    assert visible_graphs(server, date(2024, 3, 19)) == visible_graphs(memory, date(2024, 3, 19))
    assert known_since(server) == known_since(memory)
