"""Saved queries people can read: declared column titles, readable values, no IRIs.

Regression tests for issue 16: query tables showed variable names as headings, lap
times as PT1M35.964S, and entries, results, claims and sources as IRIs.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from kg.answers.queries import registry

QUERIES = Path(__file__).parents[2] / "queries"
SAVED = sorted(registry())
REQUIRED = {"entity-facts": ["-p", "entity", "msr:bmw-lmdh-customer-programme-decision"]}
# A prefixed name of the project's own IRIs, as --iris shows them.
IRI = re.compile(r"(?<![\w/])(?:msr|ms|msv):[A-Za-z0-9]")
_COLUMN_LINE = re.compile(r"^# column: (\w+) = ([^|]+?) \| (.+?)\s*$")


def declared(name: str) -> list[tuple[str, str, str]]:
    """The `# column:` lines of a saved query, read here independently of the parser."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    return [m.groups() for line in text.splitlines() if (m := _COLUMN_LINE.match(line))]


def run_query(run_kg, name: str, *args: str):
    result = run_kg("query", name, *REQUIRED.get(name, []), *args)
    assert result.exit_code == 0, result.stderr
    return result


def table_header(text: str) -> list[str]:
    return re.split(r"\s{2,}", text.splitlines()[0].strip())


@pytest.mark.parametrize("name", SAVED)
def test_every_saved_query_titles_all_its_columns_in_english_and_german(name: str) -> None:
    from kg.answers.queries import selected_variables

    saved = registry()[name]
    columns = declared(name)
    assert columns, f"{name}.rq declares no '# column: variable = English | Deutsch' lines"
    # The parser reads the same titles as the lines read here, one per selected variable.
    variables = [variable for variable, _, _ in columns]
    assert [column.name for column in saved.columns] == variables
    assert list(selected_variables(saved.text) or ()) == variables
    assert saved.column_titles(variables, "en") == tuple(en for _, en, _ in columns)
    assert saved.column_titles(variables, "de") == tuple(de for _, _, de in columns)
    for variable, english, german in columns:
        assert english and german, (name, variable)


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("name", SAVED)
def test_tables_people_read_have_the_titles_and_no_iris(run_kg, name: str, lang: str) -> None:
    """Table and Markdown: the declared titles head the columns, and no IRI shows where
    a label or a built name exists."""
    index = 1 if lang == "en" else 2
    titles = [column[index] for column in declared(name)]
    table = run_query(run_kg, name, "--format", "table", "--lang", lang).stdout
    assert table_header(table) == titles
    markdown = run_query(run_kg, name, "--format", "markdown", "--lang", lang).stdout
    assert markdown.splitlines()[0] == "| " + " | ".join(titles) + " |"
    for output_format, text in (("table", table), ("markdown", markdown)):
        found = IRI.findall(text)
        assert not found, f"{name} ({output_format}, {lang}) shows IRIs: {sorted(set(found))}"


@pytest.mark.parametrize("name", SAVED)
def test_machine_formats_keep_the_variable_names(run_kg, name: str) -> None:
    variables = [column[0] for column in declared(name)]
    text = run_query(run_kg, name, "--format", "csv", "--lang", "de").stdout
    assert text.splitlines()[0].split(",") == variables
    payload = json.loads(run_query(run_kg, name, "--format", "json").stdout)
    assert payload["variables"] == variables


def test_reconciliation_reports_the_reported_driver_by_name(run_kg) -> None:
    # kg reconcile wrote the reported driver as the string "msr:dries-vanthoor".
    text = run_query(run_kg, "reconciliation", "--format", "table").stdout
    assert "msr:" not in text


def test_iris_flag_shows_the_iris_again(run_kg) -> None:
    text = run_query(run_kg, "fastest-laps", "--format", "table", "--iris").stdout
    assert "msr:imsa-2024-02-daytona-international-speedway-202401271340-race-results" in text
    assert "msr:rolex-24-at-daytona-2024" in text


def _column(text: str, title: str) -> list[str]:
    """The cells of one column of a Markdown table (no cell is cut there)."""
    lines = text.splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split(" | ")]
    index = header.index(title)
    return [line.strip("|").split(" | ")[index].strip() for line in lines[2:]]


def test_lap_times_read_as_a_stopwatch(run_kg) -> None:
    text = run_query(run_kg, "fastest-laps", "--format", "markdown").stdout
    times = [cell for cell in _column(text, "Lap time") if cell]
    assert times and all(re.fullmatch(r"\d:\d\d\.\d{1,3}", cell) for cell in times), times
    assert "1:35.964" in times
    assert "PT1M" not in text
    table = run_query(run_kg, "fastest-laps", "--format", "table").stdout
    assert "1:35.964" in table and "PT1M" not in table


def test_machine_formats_keep_durations_as_written(run_kg) -> None:
    rows = list(csv.DictReader(io.StringIO(run_query(run_kg, "fastest-laps").stdout)))
    assert "PT1M35.964S" in {row["lapTime"] for row in rows}
    payload = json.loads(run_query(run_kg, "fastest-laps", "--format", "json").stdout)
    laps = [row["lapTime"] for row in payload["rows"] if row["lapTime"]]
    assert {"type": "literal", "value": "PT1M35.964S", "datatype": XSD_DURATION} in laps


XSD_DURATION = "http://www.w3.org/2001/XMLSchema#duration"


def test_a_total_time_reads_hours_minutes_seconds(run_kg) -> None:
    result = run_kg(
        "query", "-e",
        "SELECT ?t WHERE { ?r ms:totalTime ?t FILTER (STR(?t) = 'PT23H58M29.338S') }",
        "--format", "markdown",
    )  # fmt: skip
    assert result.stdout.splitlines()[2] == "| 23:58:29.338 |"


def test_json_keeps_iris_with_the_built_names_as_labels(run_kg) -> None:
    payload = json.loads(run_query(run_kg, "fastest-laps", "--format", "json").stdout)
    source = payload["rows"][0]["source"]
    assert source["type"] == "iri"
    assert source["value"].startswith("https://w3id.org/motorsport-kg/id/")
    assert not IRI.search(source["label"]) and not source["label"].startswith("http")


# -- names for what has no label --------------------------------------------------------------

ENTRY_25 = "msr:imsa-2024-02-daytona-international-speedway-race-entry-25"


def test_an_official_entry_is_named_by_number_entrant_and_event(run_kg) -> None:
    result = run_kg(
        "query", "-e", "SELECT ?entry WHERE { VALUES ?entry { " + ENTRY_25 + " } }",
        "--format", "markdown",
    )  # fmt: skip
    assert result.stdout.splitlines()[2] == "| #25 BMW M Team RLL (Rolex 24 at Daytona 2024) |"


def test_an_entry_without_a_number_is_named_by_entrant_car_and_class(run_kg) -> None:
    text = run_query(run_kg, "event-results", "--format", "markdown").stdout
    assert "Paul Miller Racing BMW M4 GT3 in GTD Pro (Rolex 24 at Daytona 2024)" in _column(
        text, "Car"
    )


def test_claims_are_named_by_their_kind_and_key_values(run_kg) -> None:
    text = run_query(run_kg, "decision-considerations", "--format", "markdown").stdout
    assert "consideration: customer demand" in _column(text, "Consideration")
    text = run_query(run_kg, "reconciliation", "--format", "markdown").stdout
    assert "result: #24 Rahal Letterman Lanigan Racing, 8th" in _column(text, "Claim")
    text = run_query(run_kg, "incidents-by-component", "--format", "markdown").stdout
    assert (
        "incident: #24 Rahal Letterman Lanigan Racing, technical failure, electronics"
        in _column(text, "Incident")
    )


def test_claim_names_are_in_german_with_lang_de(run_kg) -> None:
    text = run_query(run_kg, "decision-considerations", "--format", "markdown", "--lang", "de")
    names = _column(text.stdout, "Abwägungspunkt")
    assert names and all(name.startswith("Abwägungspunkt: ") for name in names), names


SOURCES = """
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
msr:titled a ms:NewsArticle ;
    dcterms:title "Rast and Eng lead early"@en , "Rast und Eng führen früh"@de ;
    ms:summary "A summary nobody reads here."@en ;
    ms:textFile "sources/titled.txt" .
msr:untitled a ms:NewsArticle ;
    ms:summary "BMW at the 62nd Rolex 24 at Daytona 2024: both cars led but lost laps."@en ;
    ms:textFile "sources/untitled.txt" .
msr:long a ms:NewsArticle ;
    ms:summary '''A very long summary without any clause mark that goes on and on about
        the race and the cars and the teams.'''@en ;
    ms:textFile "sources/long.txt" .
msr:claim a ms:Consideration ; ms:criterion msr:cost ; ms:statedIn msr:titled .
msr:cost skos:prefLabel "cost"@en , "Kosten"@de .
ms:Consideration skos:prefLabel "consideration"@en , "Abwägungspunkt"@de .
"""


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            {
                "msr:titled": "Rast and Eng lead early",
                "msr:untitled": "BMW at the 62nd Rolex 24 at Daytona 2024",
                "msr:long": "A very long summary without any clause mark that goes on and on…",
                "msr:claim": "consideration: cost",
            },
        ),
        ("de", {"msr:titled": "Rast und Eng führen früh", "msr:claim": "Abwägungspunkt: Kosten"}),
    ],
)
def test_a_source_is_named_by_its_title_else_the_start_of_its_summary(
    run_kg, tmp_path: Path, lang: str, expected: dict[str, str]
) -> None:
    (tmp_path / "sources.ttl").write_text(SOURCES, encoding="utf-8")
    for iri, name in expected.items():
        result = run_kg(
            "--data", str(tmp_path), "query", "-e", f"SELECT ?x WHERE {{ VALUES ?x {{ {iri} }} }}",
            "--format", "markdown", "--lang", lang,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert result.stdout.splitlines()[2] == f"| {name} |"
        shown = run_kg(
            "--data", str(tmp_path), "query", "-e", f"SELECT ?x WHERE {{ VALUES ?x {{ {iri} }} }}",
            "--format", "markdown", "--iris",
        )  # fmt: skip
        assert shown.stdout.splitlines()[2] == f"| {iri} |"


# -- the header syntax and its checks ------------------------------------------------------


def write_query(tmp_path: Path, header: str) -> Path:
    path = tmp_path / "q.rq"
    path.write_text(
        "# title: Test\n" + header + "PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>\n"
        "SELECT ?team (COUNT(?entry) AS ?entries)\nWHERE { ?entry ms:entrant ?team }\n"
        "GROUP BY ?team\n",
        encoding="utf-8",
    )
    return path


def test_declared_titles_head_a_query_file(run_kg, tmp_path: Path) -> None:
    path = write_query(
        tmp_path, "# column: team = Team | Mannschaft\n# column: entries = Cars entered | Autos\n"
    )
    for lang, titles in (("en", ["Team", "Cars entered"]), ("de", ["Mannschaft", "Autos"])):
        result = run_kg("query", str(path), "--format", "table", "--lang", lang)
        assert result.exit_code == 0, result.stderr
        assert table_header(result.stdout) == titles


def test_a_title_for_a_variable_the_query_does_not_select(run_kg, tmp_path: Path) -> None:
    path = write_query(
        tmp_path,
        "# column: team = Team | Team\n# column: entries = Cars | Autos\n"
        "# column: driver = Driver | Fahrer\n",
    )
    result = run_kg("query", str(path))
    assert result.exit_code == 3
    assert f"{path}: line 4: column 'driver' is not a selected variable" in result.stderr
    assert "?team, ?entries" in result.stderr


def test_a_selected_variable_without_a_title(run_kg, tmp_path: Path) -> None:
    path = write_query(tmp_path, "# column: team = Team | Team\n")
    result = run_kg("query", str(path))
    assert result.exit_code == 3
    assert f"{path}: line 4: the query selects ?entries without a title" in result.stderr
    assert "# column: entries = " in result.stderr


@pytest.mark.parametrize("line", ["# column: team\n", "# column: team = | Team\n"])
def test_a_column_line_that_is_not_written_as_documented(run_kg, tmp_path: Path, line) -> None:
    result = run_kg("query", str(write_query(tmp_path, line)))
    assert result.exit_code == 3
    assert "line 2: a column title is written '# column: variable = English title" in (
        result.stderr
    )


def test_a_variable_titled_twice(run_kg, tmp_path: Path) -> None:
    path = write_query(tmp_path, "# column: team = Team\n# column: team = Crew\n")
    result = run_kg("query", str(path))
    assert result.exit_code == 3
    assert "line 3: column 'team' is already titled on line 2" in result.stderr


def test_a_file_without_column_lines_gets_its_variable_names_in_words(run_kg, tmp_path) -> None:
    result = run_kg("query", str(write_query(tmp_path, "")), "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert table_header(result.stdout) == ["team", "entries"]


def test_a_german_title_may_be_left_out(run_kg, tmp_path: Path) -> None:
    path = write_query(tmp_path, "# column: team = Team\n# column: entries = Cars | Autos\n")
    result = run_kg("query", str(path), "--format", "table", "--lang", "de")
    assert table_header(result.stdout) == ["Team", "Autos"]


def test_kg_queries_lists_the_column_titles(run_kg) -> None:
    payload = json.loads(run_kg("queries", "--format", "json").stdout)
    fastest = next(q for q in payload if q["name"] == "fastest-laps")
    assert {"name": "lapTime", "en": "Lap time", "de": "Rundenzeit"} in fastest["columns"]


def test_the_naming_query_reads_every_property_a_name_is_built_from() -> None:
    from rdflib.plugins.sparql import prepareQuery

    from kg.answers import labels

    # The IRIs the query's FILTER lists, prefixes expanded by the SPARQL parser.
    query = prepareQuery(labels._FACTS_QUERY)
    listed = {str(term) for term in _iris_in(query.algebra)}
    assert labels.naming_properties() <= listed, labels.naming_properties() - listed


def _iris_in(node: object) -> set[object]:
    from rdflib import URIRef

    if isinstance(node, URIRef):
        return {node}
    if isinstance(node, dict):
        return {iri for value in node.values() for iri in _iris_in(value)}
    if isinstance(node, (list, tuple)):
        return {iri for value in node for iri in _iris_in(value)}
    return set()


_TWO_VALUES = """
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
msr:claim a ms:Consideration ; ms:criterion msr:z-budget , msr:a-time , msr:m-entry .
msr:z-budget skos:prefLabel "budget"@en .
msr:a-time skos:prefLabel "time"@en .
msr:m-entry a ms:Entry ; ms:carNumber "7" ; ms:entrantName "Crew" .
"""


def test_a_name_of_several_values_is_the_same_on_every_store(run_kg, tmp_path: Path) -> None:
    """Regression: the first value a store returned named the node, so the memory store
    and Oxigraph named one assessment differently."""
    (tmp_path / "two.ttl").write_text(_TWO_VALUES, encoding="utf-8")
    result = run_kg(
        "--data", str(tmp_path), "query", "-e", "SELECT ?x WHERE { VALUES ?x { msr:claim } }",
        "--format", "markdown",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # Sorted by the words shown; the entry without a label by the name built for it.
    assert result.stdout.splitlines()[2] == "| consideration: #7 Crew, budget, time |"
