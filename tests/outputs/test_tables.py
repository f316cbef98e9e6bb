"""Query tables people read: whole cells unless a width is asked for, headings in words.

Regression tests for issue 16: tables cut every cell at 60 characters, with no way to
widen them, and showed camelCase variable names as column headings.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal

from kg.answers.labels import Labels
from kg.outputs.tables import as_table, heading, render
from kg.stores.base import QueryResult

MINI = Path(__file__).parents[1] / "fixtures" / "cli" / "mini"

QUOTE = (
    "We have decided to run customer cars from the start, because the teams asked for "
    "them and the platform is ready for it: the first two go to the United States."
)
# One row: a long quote, a camelCase variable and a snake_case one.
SPARQL = (
    "SELECT ?quoteText ?entry_class ?carNumber WHERE { VALUES (?quoteText ?entry_class ?carNumber)"
    f' {{ ("{QUOTE}" "GTD Pro" "24") }} }}'
)


def one_row() -> QueryResult:
    return QueryResult(
        kind="select",
        variables=("quoteText", "entry_class", "carNumber"),
        rows=((Literal(QUOTE), Literal("GTD Pro"), Literal("24")),),
    )


@pytest.mark.parametrize(
    ("variable", "words"),
    [
        ("entryClass", "entry class"),
        ("entry_class", "entry class"),
        ("lapTime", "lap time"),
        ("speedKph", "speed kph"),
        ("person", "person"),
        ("sourceIRI", "source IRI"),
        ("lap2Time", "lap2 time"),
    ],
)
def test_variable_names_become_words(variable: str, words: str) -> None:
    assert heading(variable) == words


def test_table_without_a_width_cuts_nothing() -> None:
    text = as_table(one_row(), Labels({}))
    assert QUOTE in text
    assert "…" not in text


def test_table_headings_are_words() -> None:
    header = as_table(one_row(), Labels({})).splitlines()[0]
    assert header.split("  ")[0].strip() == "quote text"
    assert "entry class" in header and "car number" in header
    assert "quoteText" not in header and "entry_class" not in header


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_a_width_bounds_every_line_and_marks_cut_cells(width: int) -> None:
    lines = as_table(one_row(), Labels({}), width=width).splitlines()
    assert all(len(line) <= width for line in lines), lines
    row = lines[2]
    # The short columns keep their text; the quote is cut and says so.
    assert row.rstrip().endswith("24")
    assert "GTD Pro" in row
    quote_cell = row.split("  ")[0]
    assert quote_cell.endswith("…")
    assert QUOTE.startswith(quote_cell[:-1])


def test_a_width_the_table_fits_in_changes_nothing() -> None:
    assert as_table(one_row(), Labels({}), width=1000) == as_table(one_row(), Labels({}))


def test_machine_formats_keep_the_variable_names() -> None:
    labels = Labels({})
    assert render(one_row(), labels, "csv").splitlines()[0] == "quoteText,entry_class,carNumber"
    assert render(one_row(), labels, "tsv").splitlines()[0] == "quoteText\tentry_class\tcarNumber"
    payload = json.loads(render(one_row(), labels, "json"))
    assert payload["variables"] == ["quoteText", "entry_class", "carNumber"]
    # Markdown is for people, like the table.
    assert render(one_row(), labels, "markdown").splitlines()[0] == (
        "| quote text | entry class | car number |"
    )


def test_piped_table_is_never_cut(run_kg) -> None:
    result = run_kg("--data", str(MINI), "query", "-e", SPARQL, "--format", "table")
    assert result.exit_code == 0, result.output
    assert QUOTE in result.stdout
    assert "…" not in result.stdout


@pytest.mark.parametrize("value", ["0", "none", "NONE"])
def test_width_zero_or_none_is_no_limit(run_kg, value: str) -> None:
    result = run_kg(
        "--data", str(MINI), "query", "-e", SPARQL, "--format", "table", "--width", value
    )
    assert result.exit_code == 0, result.output
    assert QUOTE in result.stdout


def test_width_option_cuts_the_table(run_kg) -> None:
    result = run_kg(
        "--data", str(MINI), "query", "-e", SPARQL, "--format", "table", "--width", "50"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 50 for line in lines), lines
    assert "…" in lines[2]


def test_width_does_not_touch_csv(run_kg) -> None:
    result = run_kg("--data", str(MINI), "query", "-e", SPARQL, "--format", "csv", "--width", "20")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["quoteText", "entry_class", "carNumber"], [QUOTE, "GTD Pro", "24"]]


@pytest.mark.parametrize("value", ["-3", "wide", "1.5"])
def test_bad_width_is_a_usage_error(run_kg, value: str) -> None:
    result = run_kg("--data", str(MINI), "query", "-e", SPARQL, "--width", value)
    assert result.exit_code == 2
    assert "--width" in result.stderr
    assert "0 or 'none' for no limit" in result.stderr


def run_on_a_terminal(*args: str, columns: int) -> str:
    """`kg ARGS` with its stdout on a pseudo-terminal COLUMNS wide; what it wrote there."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal is closed once the process has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors.decode()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_on_a_terminal_the_table_fits_its_width() -> None:
    output = run_on_a_terminal("--data", str(MINI), "query", "-e", SPARQL, columns=60)
    lines = output.splitlines()
    assert lines[0].startswith("quote text"), output
    assert all(len(line) <= 60 for line in lines), lines
    assert lines[2].split("  ")[0].endswith("…")


def test_on_a_terminal_width_none_shows_whole_cells() -> None:
    output = run_on_a_terminal(
        "--data", str(MINI), "query", "-e", SPARQL, "--width", "none", columns=60
    )
    assert QUOTE in output


# -- declared titles and readable values (issue 16) -------------------------------------------


def timed_row() -> QueryResult:
    from rdflib import URIRef
    from rdflib.namespace import XSD

    return QueryResult(
        kind="select",
        variables=("entry", "lapTime", "totalTime"),
        rows=(
            (
                URIRef("https://w3id.org/motorsport-kg/id/entry-25"),
                Literal("PT1M35.964S", datatype=XSD.duration),
                Literal("PT23H59M3.365S", datatype=XSD.duration),
            ),
        ),
    )


NAMED = Labels({}, {"https://w3id.org/motorsport-kg/id/entry-25": "#25 BMW M Team RLL"})


def test_declared_titles_head_the_table_and_markdown() -> None:
    titles = ("Car", "Lap time", "Total time")
    table = render(timed_row(), NAMED, "table", titles=titles)
    assert table.splitlines()[0] == "Car                 Lap time  Total time"
    markdown = render(timed_row(), NAMED, "markdown", titles=titles)
    assert markdown.splitlines()[0] == "| Car | Lap time | Total time |"
    # Programs keep the variable names.
    assert render(timed_row(), NAMED, "csv", titles=titles).splitlines()[0] == (
        "entry,lapTime,totalTime"
    )


def test_titles_must_match_the_columns() -> None:
    with pytest.raises(ValueError, match="2 titles for 3 columns"):
        render(timed_row(), NAMED, "table", titles=("Car", "Lap time"))


def test_people_read_durations_as_a_stopwatch_and_names_for_iris() -> None:
    for output_format in ("table", "markdown"):
        text = render(timed_row(), NAMED, output_format)
        assert "#25 BMW M Team RLL" in text
        assert "1:35.964" in text and "23:59:03.365" in text
        assert "PT1M35.964S" not in text
    assert "msr:entry-25" in render(timed_row(), NAMED, "table", show_iris=True)


def test_programs_read_durations_as_written() -> None:
    text = render(timed_row(), NAMED, "csv")
    assert text.splitlines()[1] == "#25 BMW M Team RLL,PT1M35.964S,PT23H59M3.365S"
    payload = json.loads(render(timed_row(), NAMED, "json"))
    row = payload["rows"][0]
    assert row["lapTime"]["value"] == "PT1M35.964S"
    assert row["entry"] == {
        "type": "iri",
        "value": "https://w3id.org/motorsport-kg/id/entry-25",
        "label": "#25 BMW M Team RLL",
    }


def dated_row() -> QueryResult:
    from rdflib.namespace import XSD

    return QueryResult(
        kind="select",
        variables=("raceStart", "runningAtFinish", "finished", "published"),
        rows=(
            (
                Literal("2024-01-28T02:00:00-05:00", datatype=XSD.dateTime),
                Literal("true", datatype=XSD.boolean),
                Literal("0", datatype=XSD.boolean),
                Literal("2023-07", datatype=XSD.gYearMonth),
            ),
        ),
    )


@pytest.mark.parametrize(
    ("lang", "table_row", "markdown_row"),
    [
        (
            "en",
            "2024-01-28 02:00 -05:00  yes  no   2023-07",
            "| 2024-01-28 02:00 -05:00 | yes | no | 2023-07 |",
        ),
        (
            "de",
            "2024-01-28 02:00 -05:00  ja   nein  2023-07",
            "| 2024-01-28 02:00 -05:00 | ja | nein | 2023-07 |",
        ),
    ],
)
def test_people_read_times_and_truth_values_in_words(
    lang: str, table_row: str, markdown_row: str
) -> None:
    """Regression: tables showed 2024-01-28T02:00:00-05:00 and true/false."""
    labels = Labels({}, lang=lang)
    titles = ("Start", "Ran", "Fin", "Month")
    assert render(dated_row(), labels, "table", titles=titles).splitlines()[2] == table_row
    assert render(dated_row(), labels, "markdown").splitlines()[2] == markdown_row


@pytest.mark.parametrize("lang", ["en", "de"])
def test_programs_read_times_and_truth_values_as_written(lang: str) -> None:
    labels = Labels({}, lang=lang)
    written = ["2024-01-28T02:00:00-05:00", "true", "0", "2023-07"]
    assert render(dated_row(), labels, "csv").splitlines()[1] == ",".join(written)
    assert render(dated_row(), labels, "tsv").splitlines()[1] == "\t".join(written)
    row = json.loads(render(dated_row(), labels, "json"))["rows"][0]
    assert [row[name]["value"] for name in dated_row().variables] == written


def test_the_site_shows_times_and_truth_values_in_words() -> None:
    from kg.outputs.site.queries import _result_table

    html = _result_table(dated_row(), Labels({}, lang="de"), ("Start", "Im Ziel", "Aus", "Monat"))
    cells = html.split("<tbody>", 1)[1]
    assert '<td title="2024-01-28T02:00:00-05:00">2024-01-28 02:00 -05:00</td>' in cells
    assert '<td title="true">ja</td><td title="0">nein</td><td>2023-07</td>' in cells
