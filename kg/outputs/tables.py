"""Query results as tables, CSV, TSV, JSON or Markdown, with labels in a chosen language."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.model.namespaces import shorten
from kg.stores.base import QueryResult, Store

RESULT_FORMATS = ("table", "csv", "tsv", "json", "markdown")

_LABELS_QUERY_HEAD = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label WHERE {
  ?entity skos:prefLabel|rdfs:label ?label .
  VALUES ?entity {
"""


@dataclass(frozen=True)
class Labels:
    """Label of each IRI in one language, falling back to English, then any, then the IRI."""

    by_iri: dict[str, str]

    def of(self, term: Identifier | None, show_iris: bool = False) -> str:
        if term is None:
            return ""
        if isinstance(term, URIRef):
            if show_iris:
                return shorten(str(term))
            return self.by_iri.get(str(term), shorten(str(term)))
        if isinstance(term, BNode):
            return "_:" + str(term)
        return str(term)


def fetch_labels(
    store: Store,
    terms: Iterable[Identifier | None],
    lang: str,
    graphs: Sequence[str] | None = None,
) -> Labels:
    iris = sorted({str(t) for t in terms if isinstance(t, URIRef)})
    if not iris:
        return Labels({})
    found: dict[str, dict[str, str]] = {}
    chunk = 500
    for start in range(0, len(iris), chunk):
        # IRIs from the store's own results, written as N-Triples terms: no user text.
        values = "\n".join(URIRef(iri).n3() for iri in iris[start : start + chunk])
        text = _LABELS_QUERY_HEAD + values + "\n  }\n}\n"
        for entity, label in store.query(text, graphs=graphs).rows:
            if entity is None or not isinstance(label, Literal):
                continue
            language = label.language or ""
            current = found.setdefault(str(entity), {})
            # Keep the smallest label per language so the choice is deterministic.
            if language not in current or str(label) < current[language]:
                current[language] = str(label)
    chosen: dict[str, str] = {}
    for iri, per_language in found.items():
        for preference in (lang, "en", ""):
            if preference in per_language:
                chosen[iri] = per_language[preference]
                break
        else:
            chosen[iri] = per_language[sorted(per_language)[0]]
    return Labels(chosen)


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
