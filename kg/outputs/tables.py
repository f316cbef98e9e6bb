"""Query results as tables, CSV, TSV, JSON or Markdown, with labels in a chosen language."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.answers.labels import Labels
from kg.stores.base import QueryResult

RESULT_FORMATS = ("table", "csv", "tsv", "json", "markdown")


def _cells(result: QueryResult, labels: Labels, show_iris: bool) -> list[list[str]]:
    return [[labels.of(term, show_iris) for term in row] for row in result.rows]


def as_table(result: QueryResult, labels: Labels, show_iris: bool = False) -> str:
    header = list(result.variables)
    rows = _cells(result, labels, show_iris)
    widths = [len(h) for h in header]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = min(max(widths[index], len(cell)), 60)

    def line(cells: Sequence[str]) -> str:
        parts = []
        for index, cell in enumerate(cells):
            text = cell.replace("\n", " ")
            if len(text) > widths[index]:
                text = text[: widths[index] - 1] + "…"
            parts.append(text.ljust(widths[index]))
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in rows)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def as_delimited(
    result: QueryResult, labels: Labels, delimiter: str, show_iris: bool = False
) -> str:
    buffer = io.StringIO()
    rows = _cells(result, labels, show_iris)
    if delimiter == "\t":
        # TSV has no quoting: tabs and newlines inside values become spaces.
        buffer.write("\t".join(result.variables) + "\n")
        for row in rows:
            clean = [c.replace("\t", " ").replace("\r", " ").replace("\n", " ") for c in row]
            buffer.write("\t".join(clean) + "\n")
        return buffer.getvalue()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.variables)
    writer.writerows(rows)
    return buffer.getvalue()


def as_markdown(result: QueryResult, labels: Labels, show_iris: bool = False) -> str:
    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(result.variables) + " |"]
    lines.append("|" + "|".join(" --- " for _ in result.variables) + "|")
    for row in _cells(result, labels, show_iris):
        lines.append("| " + " | ".join(escape(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def _json_term(term: Identifier | None, labels: Labels) -> object:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "iri", "value": str(term), "label": labels.of(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    item: dict[str, object] = {"type": "literal", "value": str(term)}
    if term.language:
        item["lang"] = term.language
    if term.datatype is not None:
        item["datatype"] = str(term.datatype)
    return item


def as_json(result: QueryResult, labels: Labels) -> str:
    payload = {
        "variables": list(result.variables),
        "rows": [
            {var: _json_term(term, labels) for var, term in zip(result.variables, row, strict=True)}
            for row in result.rows
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def render(result: QueryResult, labels: Labels, format_name: str, show_iris: bool = False) -> str:
    """One SELECT result in one of RESULT_FORMATS."""
    if format_name == "table":
        return as_table(result, labels, show_iris)
    if format_name == "csv":
        return as_delimited(result, labels, ",", show_iris)
    if format_name == "tsv":
        return as_delimited(result, labels, "\t", show_iris)
    if format_name == "markdown":
        return as_markdown(result, labels, show_iris)
    return as_json(result, labels)
