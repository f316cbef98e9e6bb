"""The saved queries' pages: each query run, its rows in a stable order, as HTML and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.model.errors import QueryError
from kg.model.files import display_path
from kg.model.namespaces import shorten
from kg.outputs.site.layout import page

if TYPE_CHECKING:
    from kg.answers.labels import Labels
    from kg.answers.queries import SavedQuery
    from kg.knowledge.project import Knowledge
    from kg.stores.base import QueryResult


@dataclass(frozen=True)
class QueryPage:
    name: str
    title: str
    description: str
    path: str
    rows: int | None
    note: str


def run_queries(knowledge: Knowledge, lang: str, files: dict[str, bytes]) -> list[QueryPage]:
    from kg.answers.labels import fetch_labels
    from kg.answers.queries import bind, in_language, registry
    from kg.outputs.tables import as_delimited

    pages: list[QueryPage] = []
    for name, saved in registry().items():
        path = f"queries/{name}.html"
        missing = [p for p in saved.params if p.required]
        if missing:
            needed = ", ".join(p.name for p in missing)
            example = " ".join(f"-p {p.name} VALUE" for p in missing)
            note = f"Not run: it needs a value for {needed}. Run it with: kg query {name} {example}"
            files[path] = _query_page(saved, None, None, note).encode("utf-8")
            pages.append(QueryPage(name, saved.title, saved.description, path, None, note))
            continue
        bindings = bind(saved, [])
        try:
            result = knowledge.store.query(saved.text, bindings=bindings)
        except QueryError as error:
            # One broken query must not hide the rest of the site: its page says
            # what failed, and the build exits 3 at the end.
            note = f"FAILED: {display_path(saved.path)}: {error.message}"
            files[path] = _query_page(saved, None, None, note).encode("utf-8")
            pages.append(QueryPage(name, saved.title, saved.description, path, None, note))
            continue
        result = stable_rows(saved.text, in_language(result, lang))
        terms = [term for row in result.rows for term in row]
        labels = fetch_labels(knowledge.store, terms, lang)
        shown = ", ".join(f"{key} = {shorten(str(value))}" for key, value in bindings.items())
        note = f"Parameters: {shown}." if shown else ""
        files[path] = _query_page(saved, result, labels, note, lang).encode("utf-8")
        rows: int | None = None
        if result.kind == "select":
            rows = len(result.rows)
            files[f"queries/{name}.csv"] = as_delimited(result, labels, ",").encode("utf-8")
        pages.append(QueryPage(name, saved.title, saved.description, path, rows, note))
    return pages


def stable_rows(sparql: str, result: QueryResult) -> QueryResult:
    """Rows in an order that does not change between runs.

    rdflib returns rows that tie on every ORDER BY key in an order that varies
    with PYTHONHASHSEED, so ties are sorted by their values, keeping the
    query's own order between runs of equal keys; without ORDER BY all rows
    are sorted. When the first key is not a column, the order is left alone.
    """
    import dataclasses

    if result.kind != "select" or not result.rows:
        return result
    keys = _order_keys(sparql)

    def value_key(row: tuple[Identifier | None, ...]) -> tuple[str, ...]:
        return tuple("" if term is None else term.n3() for term in row)

    if keys is None:
        return dataclasses.replace(result, rows=tuple(sorted(result.rows, key=value_key)))
    positions = [result.variables.index(k) for k in keys if k in result.variables]
    positions = positions[
        : next((i for i, k in enumerate(keys) if k not in result.variables), len(keys))
    ]
    if not positions:
        return result
    ordered: list[tuple[Identifier | None, ...]] = []
    run: list[tuple[Identifier | None, ...]] = []
    for row in result.rows:
        if run and [row[i] for i in positions] != [run[0][i] for i in positions]:
            ordered.extend(sorted(run, key=value_key))
            run = []
        run.append(row)
    ordered.extend(sorted(run, key=value_key))
    return dataclasses.replace(result, rows=tuple(ordered))


def _order_keys(sparql: str) -> list[str] | None:
    """The ORDER BY conditions as variable names (an expression gives ""), or None."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    def find(node: object) -> list[object] | None:
        if isinstance(node, CompValue):
            if node.name == "OrderBy":
                return list(node.expr)
            for value in node.values():
                found = find(value)
                if found is not None:
                    return found
        elif isinstance(node, list):
            for item in node:
                found = find(item)
                if found is not None:
                    return found
        return None

    conditions = find(prepareQuery(sparql).algebra)
    if conditions is None:
        return None
    names: list[str] = []
    for condition in conditions:
        expression = condition.get("expr") if isinstance(condition, CompValue) else condition
        names.append(str(expression) if isinstance(expression, Variable) else "")
    return names


def _query_page(
    saved: SavedQuery,
    result: QueryResult | None,
    labels: Labels | None,
    note: str,
    lang: str = "en",
) -> str:
    parts = [f"<h1>{escape(saved.title)}</h1>"]
    if saved.description:
        parts.append(f'<p class="description">{escape(saved.description)}</p>')
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    if result is not None and labels is not None:
        if result.kind == "select":
            parts.append(f'<p><a href="{escape(saved.name)}.csv">Download as CSV</a></p>')
            parts.append(_result_table(result, labels, saved.column_titles(result.variables, lang)))
        elif result.kind == "ask":
            parts.append(f'<p class="answer">{"yes" if result.boolean else "no"}</p>')
        elif result.graph is not None:
            from kg.model.serialize import stable_turtle

            parts.append(f"<pre>{escape(stable_turtle(result.graph))}</pre>")
    parts.append(
        f"<details><summary>SPARQL ({escape(saved.path.name)})</summary>"
        f"<pre>{escape(saved.text)}</pre></details>"
    )
    return page(saved.title, "".join(parts), depth=1)


def _result_table(result: QueryResult, labels: Labels, titles: Sequence[str]) -> str:
    """The rows in words under headings in words: the query's variable is the heading's
    tooltip, an IRI's prefixed name and a literal's written form (2024-01-27T13:40:00
    where the cell reads 2024-01-27 13:40) the cell's."""
    from kg.outputs.tables import readable

    head = "".join(
        f'<th title="?{escape(variable)}">{escape(title)}</th>'
        for variable, title in zip(result.variables, titles, strict=True)
    )
    rows = []
    for row in result.rows:
        cells = []
        for term in row:
            text = escape(readable(term, labels))
            if isinstance(term, URIRef):
                cells.append(f'<td title="{escape(shorten(str(term)))}">{text}</td>')
            elif isinstance(term, Literal) and text != escape(str(term)):
                cells.append(f'<td title="{escape(str(term))}">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    count = len(result.rows)
    caption = f"{count} row{'s' if count != 1 else ''}"
    return (
        f'<table class="results"><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
