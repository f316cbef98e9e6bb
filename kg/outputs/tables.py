"""Query results as tables, CSV, TSV, JSON or Markdown, with labels in a chosen language."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.answers.labels import Labels
from kg.stores.base import QueryResult

RESULT_FORMATS = ("table", "csv", "tsv", "json", "markdown")


def _cells(result: QueryResult, labels: Labels, show_iris: bool) -> list[list[str]]:
    return [[labels.of(term, show_iris) for term in row] for row in result.rows]


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NARROWEST = 4  # a cut cell keeps at least three characters and its "…"


def heading(variable: str) -> str:
    """A column heading in words: entryClass and entry_class both read "entry class".

    Words in capitals (IRI, GTP) keep them; the machine formats (CSV, TSV, JSON) keep
    the variable names instead, so that programs reading them see stable columns.
    """
    words = []
    for part in re.split(r"[_\-\s]+", variable):
        for word in _CAMEL_BOUNDARY.split(part):
            if word:
                words.append(word if len(word) > 1 and word.isupper() else word.lower())
    return " ".join(words) or variable


def _column_widths(natural: Sequence[int], headings: Sequence[int], width: int | None) -> list[int]:
    """Each column's width so that a line fits `width` (None: no limit).

    The widest columns give way first: every column wider than a common cap is cut
    to it, and the cap is the widest that lets the line fit. Narrow columns (numbers,
    classes) keep their whole text, and a heading is cut only when the headings
    alone are wider than the line.
    """
    gaps = 2 * (len(natural) - 1)
    if width is None or sum(natural) + gaps <= width:
        return list(natural)
    room = width - gaps
    floors = [min(n, h) for n, h in zip(natural, headings, strict=True)]
    if sum(max(f, _NARROWEST) for f in floors) > room:
        floors = [0] * len(natural)

    def fitted(cap: int) -> list[int]:
        return [max(f, min(n, cap)) for n, f in zip(natural, floors, strict=True)]

    cap = max(natural)
    while cap > _NARROWEST and sum(fitted(cap)) > room:
        cap -= 1
    widths = fitted(cap)
    # Hand what is left over to the cut columns, left to right, one character each.
    spare = room - sum(widths)
    for index, natural_width in enumerate(natural):
        if spare <= 0:
            break
        if widths[index] < natural_width:
            widths[index] += 1
            spare -= 1
    return widths


def as_table(
    result: QueryResult, labels: Labels, show_iris: bool = False, width: int | None = None
) -> str:
    """An aligned text table with headings in words.

    `width` bounds every line (a cut cell ends with "…"); None shows every cell whole.
    """
    header = [heading(variable) for variable in result.variables]
    rows = [[cell.replace("\n", " ") for cell in row] for row in _cells(result, labels, show_iris)]
    natural = [len(h) for h in header]
    for row in rows:
        for index, cell in enumerate(row):
            natural[index] = max(natural[index], len(cell))
    widths = _column_widths(natural, [len(h) for h in header], width)

    def line(cells: Sequence[str]) -> str:
        parts = []
        for index, text in enumerate(cells):
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

    lines = ["| " + " | ".join(escape(heading(v)) for v in result.variables) + " |"]
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


def render(
    result: QueryResult,
    labels: Labels,
    format_name: str,
    show_iris: bool = False,
    width: int | None = None,
) -> str:
    """One SELECT result in one of RESULT_FORMATS; `width` bounds the table's lines only."""
    if format_name == "table":
        return as_table(result, labels, show_iris, width)
    if format_name == "csv":
        return as_delimited(result, labels, ",", show_iris)
    if format_name == "tsv":
        return as_delimited(result, labels, "\t", show_iris)
    if format_name == "markdown":
        return as_markdown(result, labels, show_iris)
    return as_json(result, labels)
