"""Query results as tables, CSV, TSV, JSON or Markdown, with labels in a chosen language."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.answers.labels import Labels
from kg.answers.queries import heading
from kg.model.wording import literal_text
from kg.stores.base import QueryResult

RESULT_FORMATS = ("table", "csv", "tsv", "json", "markdown")


def _cells(result: QueryResult, labels: Labels, show_iris: bool) -> list[list[str]]:
    return [[labels.of(term, show_iris) for term in row] for row in result.rows]


_NARROWEST = 4  # a cut cell keeps at least three characters and its "…"


def readable(term: Identifier | None, labels: Labels, show_iris: bool = False) -> str:
    """A cell as people read it: an IRI as its label (or the name built for it),
    a duration as a stopwatch reads it (1:35.964), a date-time as 2024-01-27 13:40,
    a truth value as a word in the labels' language (yes, ja), any other literal
    as written.

    The human formats (table, Markdown, the site) show this; CSV, TSV and JSON keep
    the literal as written (PT1M35.964S, 2024-01-27T13:40:00, true) for programs,
    CSV and TSV with IRIs as labels.
    """
    if isinstance(term, Literal):
        return literal_text(term, labels.lang)
    return labels.of(term, show_iris)


def _readable_cells(result: QueryResult, labels: Labels, show_iris: bool) -> list[list[str]]:
    return [[readable(term, labels, show_iris) for term in row] for row in result.rows]


def _headings(result: QueryResult, titles: Sequence[str] | None) -> list[str]:
    if titles is None:
        return [heading(variable) for variable in result.variables]
    if len(titles) != len(result.variables):
        raise ValueError(f"{len(titles)} titles for {len(result.variables)} columns")
    return list(titles)


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
    result: QueryResult,
    labels: Labels,
    show_iris: bool = False,
    width: int | None = None,
    titles: Sequence[str] | None = None,
) -> str:
    """An aligned text table of readable values under the column `titles`
    (by default each variable's name in words).

    `width` bounds every line (a cut cell ends with "…"); None shows every cell whole.
    """
    header = _headings(result, titles)
    rows = [
        [cell.replace("\n", " ") for cell in row]
        for row in _readable_cells(result, labels, show_iris)
    ]
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


def as_markdown(
    result: QueryResult,
    labels: Labels,
    show_iris: bool = False,
    titles: Sequence[str] | None = None,
) -> str:
    """A Markdown table of readable values under the column `titles`."""

    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(escape(title) for title in _headings(result, titles)) + " |"]
    lines.append("|" + "|".join(" --- " for _ in result.variables) + "|")
    for row in _readable_cells(result, labels, show_iris):
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
    titles: Sequence[str] | None = None,
) -> str:
    """One SELECT result in one of RESULT_FORMATS.

    `titles` head the table and Markdown columns (CSV, TSV and JSON keep the
    variable names, as programs expect); `width` bounds the table's lines only.
    """
    if format_name == "table":
        return as_table(result, labels, show_iris, width, titles)
    if format_name == "csv":
        return as_delimited(result, labels, ",", show_iris)
    if format_name == "tsv":
        return as_delimited(result, labels, "\t", show_iris)
    if format_name == "markdown":
        return as_markdown(result, labels, show_iris, titles)
    return as_json(result, labels)
