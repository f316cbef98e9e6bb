"""kg query and kg queries on a tiny fixture graph: formats, parameters, errors, injection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cli"
MINI = FIXTURES / "mini"
QUERIES = FIXTURES / "queries"


def query(run_kg, *args: str):
    return run_kg("--data", str(MINI), "query", *args)


def test_csv_shows_labels_in_the_chosen_language(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"), "--format", "csv", "--lang", "de")
    assert result.exit_code == 0, result.output
    assert result.stdout == "person,country\nJesse Krohn,Finnland\n"


def test_iris_instead_of_labels(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"), "--format", "tsv", "--iris")
    assert result.stdout == "person\tcountry\nmsr:jesse-krohn\tmsr:finland\n"


def test_table_format(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"), "--format", "table")
    assert result.stdout == (
        "person       country\n-----------  -------\nJesse Krohn  Finland\n(1 row)\n"
    )


def test_markdown_format(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"), "--format", "markdown")
    assert result.stdout == "| person | country |\n| --- | --- |\n| Jesse Krohn | Finland |\n"


def test_json_format_keeps_iris_and_labels(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"), "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["variables"] == ["person", "country"]
    assert payload["rows"] == [
        {
            "person": {
                "type": "iri",
                "value": "https://w3id.org/motorsport-kg/id/jesse-krohn",
                "label": "Jesse Krohn",
            },
            "country": {
                "type": "iri",
                "value": "https://w3id.org/motorsport-kg/id/finland",
                "label": "Finland",
            },
        }
    ]


def test_default_format_when_piped_is_csv(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"))
    assert result.stdout.startswith("person,country\n")


@pytest.mark.parametrize(
    "value", ["msr:finland", "Finland", "finnland", "<https://w3id.org/motorsport-kg/id/finland>"]
)
def test_iri_parameter_by_prefixed_name_iri_or_label(run_kg, value: str) -> None:
    result = query(
        run_kg, str(QUERIES / "people-from.rq"), "-p", "country", value, "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "person,country\nJesse Krohn,Finland\n"


def test_iri_parameter_that_names_nothing(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"), "-p", "country", "Atlantis")
    assert result.exit_code == 2
    assert "no entity is named 'Atlantis'" in result.stderr


def test_string_parameter(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "by-name.rq"), "-p", "name", "BMW M Team RLL", "--iris")
    assert result.stdout == "entry,name\nmsr:entry-25,BMW M Team RLL\n"


def test_injection_attempt_is_just_a_value_that_matches_nothing(run_kg) -> None:
    attack = 'x" } ?entry ?p ?name . { ?entry ?q "'
    result = query(run_kg, str(QUERIES / "by-name.rq"), "-p", "name", attack)
    assert result.exit_code == 0, result.output
    assert result.stdout == "entry,name\n"


def test_integer_parameter(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "laps-at-least.rq"), "-p", "laps", "700", "--iris")
    assert result.stdout == "result,done\nmsr:result-25,778\n"
    result = query(run_kg, str(QUERIES / "laps-at-least.rq"), "-p", "laps", "800")
    assert result.stdout == "result,done\n"


def test_wrong_type_is_a_usage_error(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "laps-at-least.rq"), "-p", "laps", "many")
    assert result.exit_code == 2
    assert "parameter 'laps' (integer): 'many' is not a whole number" in result.stderr


def test_missing_required_parameter(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "laps-at-least.rq"))
    assert result.exit_code == 2
    assert "needs the parameter 'laps'" in result.stderr
    assert "-p laps VALUE" in result.stderr


def test_unknown_parameter(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "people-from.rq"), "-p", "team", "x")
    assert result.exit_code == 2
    assert "has no parameter 'team' (its parameters: country)" in result.stderr


def test_unknown_saved_query_suggests_names(run_kg) -> None:
    result = run_kg("query", "no-such-query")
    assert result.exit_code == 2
    assert "no saved query named 'no-such-query'" in result.stderr
    assert "kg queries" in result.stderr


def test_syntax_error_in_a_file_gives_line_and_column(run_kg) -> None:
    result = query(run_kg, str(QUERIES / "broken.rq"))
    assert result.exit_code == 3
    assert "SPARQL syntax error at line 5, column" in result.stderr


def test_syntax_error_in_an_expression_counts_lines_from_the_user_text(run_kg) -> None:
    result = query(run_kg, "-e", "SELECT ?x\nWHERE { ?x ?p }")
    assert result.exit_code == 3
    assert "SPARQL syntax error at line 2, column" in result.stderr


def test_expression_with_project_prefixes(run_kg) -> None:
    result = query(run_kg, "-e", "SELECT ?team WHERE { ?team a ms:Team }", "--format", "csv")
    assert result.stdout == "team\nRahal Letterman Lanigan Racing\n"


def test_ask_and_construct(run_kg) -> None:
    assert query(run_kg, "-e", "ASK { msr:rll a ms:Team }").stdout == "true\n"
    result = query(run_kg, "-e", "CONSTRUCT { ?t a ms:Team } WHERE { ?t a ms:Team }")
    assert result.stdout.endswith("msr:rll a ms:Team .\n")
    assert "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> ." in result.stdout


def test_name_and_expression_together_is_a_usage_error(run_kg) -> None:
    result = query(run_kg, "people-from", "-e", "ASK {}")
    assert result.exit_code == 2


def test_params_with_expression_is_a_usage_error(run_kg) -> None:
    result = query(run_kg, "-e", "ASK {}", "-p", "a", "b")
    assert result.exit_code == 2
    assert "-e takes none" in result.stderr


_HISTORIES = """
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix msv: <https://w3id.org/motorsport-kg/vocab/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
msr:src a ms:Source .
# d1: a later deferral replaces the evaluation.
msr:r1 a ms:StatusReport ; ms:decision msr:d1 ; ms:decisionStatus msv:Evaluating ;
    ms:validAt "2023-01-10"^^xsd:date ; ms:statedIn msr:src .
msr:r2 a ms:StatusReport ; ms:decision msr:d1 ; ms:decisionStatus msv:Deferred ;
    ms:validAt "2023-06-01"^^xsd:date ; ms:statedIn msr:src .
# d2: decided later, so no longer pending.
msr:r3 a ms:StatusReport ; ms:decision msr:d2 ; ms:decisionStatus msv:Evaluating ;
    ms:validAt "2023-01-10"^^xsd:date ; ms:statedIn msr:src .
msr:r4 a ms:StatusReport ; ms:decision msr:d2 ; ms:decisionStatus msv:Decided ;
    ms:validAt "2023-06-01"^^xsd:date ; ms:statedIn msr:src .
# d3: no time at all; d4: the report without a time stays, as does the latest one.
msr:r5 a ms:StatusReport ; ms:decision msr:d3 ; ms:decisionStatus msv:Evaluating ;
    ms:statedIn msr:src .
msr:r6 a ms:StatusReport ; ms:decision msr:d4 ; ms:decisionStatus msv:Evaluating ;
    ms:validAt "2023-01"^^xsd:gYearMonth ; ms:statedIn msr:src .
msr:r7 a ms:StatusReport ; ms:decision msr:d4 ; ms:decisionStatus msv:Deferred ;
    ms:statedIn msr:src .
msr:r8 a ms:StatusReport ; ms:decision msr:d4 ; ms:decisionStatus msv:Evaluating ;
    ms:validAt "2022-12-31"^^xsd:date ; ms:statedIn msr:src .
"""


def test_pending_decisions_keeps_only_the_latest_report(run_kg, tmp_path: Path) -> None:
    (tmp_path / "histories.ttl").write_text(_HISTORIES, encoding="utf-8")
    result = run_kg("--data", str(tmp_path), "query", "pending-decisions", "--iris",
                    "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split(",")
    rows = {
        (row[header.index("decision")], row[header.index("status")])
        for row in (line.split(",") for line in lines[1:])
    }
    assert rows == {
        ("msr:d1", "msv:Deferred"),
        ("msr:d3", "msv:Evaluating"),
        ("msr:d4", "msv:Deferred"),
        ("msr:d4", "msv:Evaluating"),
    }


# -- exit-code slips (issue 18, item 11) ---------------------------------------------------

DECIMAL_QUERY = """# title: Over a threshold
# description: a saved query with a decimal parameter
# param: threshold (decimal): the threshold
SELECT ?threshold WHERE { BIND(?threshold AS ?seen) }
"""


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-Infinity", "1e999", "2.5e1", "", "1,5"])
def test_a_decimal_parameter_refuses_what_is_no_decimal(run_kg, tmp_path, raw: str) -> None:  # type: ignore[no-untyped-def]
    query = tmp_path / "over.rq"
    query.write_text(DECIMAL_QUERY, encoding="utf-8")
    result = run_kg("query", str(query), "-p", "threshold", raw)
    assert result.exit_code == 2, result.output
    assert "is not a decimal number such as 2.5" in result.stderr


@pytest.mark.parametrize("raw", ["2.5", "-0.75", "+3", ".5", "7."])
def test_a_decimal_parameter_takes_decimals(run_kg, tmp_path, raw: str) -> None:  # type: ignore[no-untyped-def]
    query = tmp_path / "over.rq"
    query.write_text(DECIMAL_QUERY, encoding="utf-8")
    result = run_kg("query", str(query), "-p", "threshold", raw, "--format", "csv")
    assert result.exit_code == 0, result.stderr


def test_no_query_at_all_is_asked_for_not_called_both(run_kg) -> None:  # type: ignore[no-untyped-def]
    result = run_kg("query")
    assert result.exit_code == 2
    assert "give a query NAME (see 'kg queries') or -e 'SPARQL'" in result.stderr
    assert "not both" not in result.stderr


def test_a_bad_store_from_kg_store_is_said_to_come_from_there(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from kg.cli import cli

    monkeypatch.setenv("KG_STORE", "bogus")
    result = CliRunner().invoke(cli, ["show", "BMW"], prog_name="kg")
    assert result.exit_code == 2
    assert "unknown store 'bogus' (from the KG_STORE environment variable)" in result.stderr
    monkeypatch.delenv("KG_STORE")
    result = CliRunner().invoke(cli, ["--store", "bogus", "show", "BMW"], prog_name="kg")
    assert result.exit_code == 2
    assert "unknown store 'bogus' (from --store)" in result.stderr


@pytest.mark.parametrize(
    ("raw", "held"),
    [
        ("msr:a>b", "'>'"),
        ("msr:a b", "' '"),
        ("https://example.org/a{b}", "'{'"),
        ("msr:a\x01b", "'\\x01'"),
    ],
)
def test_an_iri_parameter_no_iri_could_be_is_a_usage_error_on_every_store(  # type: ignore[no-untyped-def]
    run_kg, raw: str, held: str
) -> None:
    """Issue 18 item 11: `-p event msr:a>b` exited 2 with an rdflib repr on the index
    and 0 on the memory store. Both stores now say the same (this runs on each)."""
    result = run_kg("query", "event-results", "-p", "event", raw)
    assert result.exit_code == 2, result.output
    assert f"is not an IRI: it holds {held}, which no IRI may hold" in result.stderr
    assert "rdflib" not in result.stderr


@pytest.mark.parametrize(("lang", "running"), [("en", "yes"), ("de", "ja")])
def test_a_saved_query_shows_race_starts_and_truth_values_in_words(  # type: ignore[no-untyped-def]
    run_kg, lang: str, running: str
) -> None:
    """Regression: season-results printed 2024-01-27T13:40:00 and true to people.
    Programs (CSV) keep the literals as written."""
    args = ("query", "season-results", "-p", "manufacturer", "msr:bmw", "--lang", lang)
    table = run_kg(*args, "--format", "table", "--width", "none")
    assert table.exit_code == 0, table.output
    first = table.stdout.splitlines()[2]
    assert "  2024-01-27 13:40  " in first and f"  {running}  " in first, first
    assert "T13:40" not in table.stdout and "true" not in table.stdout
    markdown = run_kg(*args, "--format", "markdown")
    assert "| 2024-01-27 13:40 |" in markdown.stdout and f"| {running} |" in markdown.stdout
    csv_text = run_kg(*args, "--format", "csv")
    assert csv_text.exit_code == 0, csv_text.output
    first_csv = csv_text.stdout.splitlines()[1]
    assert ",2024-01-27T13:40:00," in first_csv and ",true," in first_csv, first_csv
    assert "2024-01-27 13:40" not in csv_text.stdout and f",{running}," not in csv_text.stdout


def test_a_time_with_a_zone_keeps_its_zone_in_the_table(run_kg) -> None:  # type: ignore[no-untyped-def]
    result = run_kg("query", "incidents-by-component", "--format", "table", "--width", "none")
    assert result.exit_code == 0, result.output
    assert "  2024-01-28 02:00 -05:00  2024-01-28 03:00 -05:00  " in result.stdout
    written = run_kg("query", "incidents-by-component", "--format", "csv")
    assert ",2024-01-28T02:00:00-05:00,2024-01-28T03:00:00-05:00," in written.stdout
