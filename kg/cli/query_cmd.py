"""kg queries, kg query."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

import click

from kg.cli.common import (
    Settings,
    as_of_option,
    emit,
    handle_errors,
    lang_option,
    pass_settings,
)
from kg.model.errors import QueryError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rdflib.term import Identifier

    from kg.answers.labels import Labels
    from kg.answers.queries import SavedQuery
    from kg.stores.base import QueryResult, Store


def checked_width(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """--width as a number of characters, 0 for "none" (no limit); refused (exit 2) otherwise."""
    if value is None:
        return None
    text = value.strip().lower()
    if text == "none":
        return 0
    if not text.isdigit():
        raise click.BadParameter(
            f"{value!r} is not a width: give a number of characters, 0 or 'none' for no limit"
        )
    return int(text)


def table_width(given: int | None, on_terminal: bool) -> int | None:
    """The table's line width: --width when given (0: none), else the terminal's, else none.

    Piped or redirected output is never cut unless --width asks for it: what goes to
    a file or another program must hold every character.
    """
    if given is not None:
        return given or None
    if not on_terminal:
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _checked_query(
    name: str | None,
    expression: str | None,
    params: tuple[tuple[str, str], ...],
    allow_service: bool,
) -> SavedQuery | None:
    """The saved query NAME (None for -e text), once its text and the -p values are
    within the limits: checked before anything reads them, no engine sees a query
    over a limit (kg.stores.query_limits)."""
    from kg.answers.queries import find
    from kg.stores.query_limits import check_query

    if expression is not None:
        check_query(expression, allow_service=allow_service)
        return None
    assert name is not None
    saved = find(name)
    raw_bytes = sum(len(raw.encode("utf-8", errors="surrogatepass")) for _, raw in params)
    check_query(saved.text, allow_service=allow_service, bound_bytes=raw_bytes)
    return saved


def _checked_bound(text: str, bindings: dict[str, Identifier], allow_service: bool) -> str:
    """`text` once it is within the limits with its bound values, which some stores
    write into it (kg.stores.values), prefixed names expanded."""
    from kg.stores.query_limits import check_query
    from kg.stores.terms import ntriples

    written = sum(
        len(ntriples(term).encode("utf-8", "surrogatepass")) for term in bindings.values()
    )
    check_query(text, allow_service=allow_service, bound_bytes=written)
    return text


def _labels(
    store: Store, result: QueryResult, lang: str, graphs: Sequence[str] | None, needed: bool
) -> Labels:
    """The labels of the answer's IRIs; none are read when the output shows IRIs as they
    are (--iris, except in JSON, which gives both): the labels query costs 0.1 s and
    more on a big index."""
    from kg.answers.labels import Labels, fetch_labels

    if not needed:
        return Labels({}, lang=lang)
    return fetch_labels(store, [term for row in result.rows for term in row], lang, graphs)


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for programs.",
)
@handle_errors
def queries(output_format: str) -> None:
    """List the saved queries with their titles and parameters."""
    import json

    from kg.answers.queries import registry

    saved = registry()
    if output_format == "json":
        payload = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "params": [
                    {"name": p.name, "type": p.type, "meaning": p.meaning, "default": p.default}
                    for p in q.params
                ],
                "columns": [{"name": c.name, "en": c.en, "de": c.de} for c in q.columns],
            }
            for q in saved.values()
        ]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    for query in saved.values():
        click.echo(f"{query.name}: {query.title}")
        for param in query.params:
            default = "required" if param.default is None else f"default {param.default}"
            click.echo(f"    -p {param.name} ({param.type}, {default}): {param.meaning}")


@click.command()
@click.argument("name", required=False)
@click.option("-e", "--expression", metavar="SPARQL", help="Run this SPARQL text instead of NAME.")
@click.option(
    "-p",
    "--param",
    "params",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="Bind the query's parameter NAME to VALUE (typed as the query declares).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "tsv", "json", "markdown"]),
    default=None,
    help="Result format [default: table on a terminal, csv otherwise].",
)
@click.option(
    "--width",
    metavar="N",
    callback=checked_width,
    default=None,
    help="Cut table lines to N characters, a cut cell ending in '…'; 0 or none for no "
    "limit [default: the terminal's width on a terminal, no limit when piped].",
)
@click.option("--iris", is_flag=True, help="Show IRIs (prefixed) instead of labels.")
@click.option(
    "--allow-service",
    is_flag=True,
    help="Run SERVICE <url> parts of the query, which connect to the servers they name "
    "(refused by default: kg makes no outbound requests unless asked).",
)
@as_of_option
@lang_option
@pass_settings
@handle_errors
def query(
    settings: Settings,
    name: str | None,
    expression: str | None,
    params: tuple[tuple[str, str], ...],
    output_format: str | None,
    width: int | None,
    iris: bool,
    allow_service: bool,
    as_of: date | None,
    lang: str,
) -> None:
    """Run a saved query by NAME, a query file NAME.rq, or SPARQL given with -e.

    \b
    Examples:
      kg query pending-decisions
      kg query event-results -p manufacturer msr:bmw --format csv
      kg query person-quotes --width none
      kg query -e 'SELECT ?team WHERE { ?team a ms:Team }'

    Query text over a limit is refused (exit 2): 1 MiB with its parameters, 64
    levels of brackets, 1000 of nesting; SERVICE only with --allow-service.
    The columns of SELECT * come in the order their variables first appear in
    the query text, on every store.
    """
    from kg.answers.lookup import resolve_one
    from kg.answers.queries import bind, in_language
    from kg.knowledge.asof import visible_graphs
    from kg.model.namespaces import sparql_prologue
    from kg.model.serialize import stable_turtle
    from kg.outputs.tables import render

    if name is None and expression is None:
        raise UsageError("give a query NAME (see 'kg queries') or -e 'SPARQL'")
    if name is not None and expression is not None:
        raise UsageError("give either a query NAME (see 'kg queries') or -e 'SPARQL', not both")
    saved = _checked_query(name, expression, params, allow_service)
    knowledge = settings.open()
    store = knowledge.store
    graphs = visible_graphs(knowledge, as_of)
    if expression is not None:
        if params:
            raise UsageError("-p binds parameters of saved queries; -e takes none")
        text, bindings = sparql_prologue() + expression, {}
    else:
        assert saved is not None
        bindings = bind(saved, params, lambda raw: resolve_one(store, raw, graphs))
        text = _checked_bound(saved.text, bindings, allow_service)
    try:
        result = store.query(text, bindings=bindings, graphs=graphs)
    except QueryError as error:
        if expression is None or error.line is None:
            raise
        # The prefixes added in front of -e text must not shift the reported line.
        offset = sparql_prologue().count("\n")
        raise QueryError(
            error.message.replace(f"line {error.line},", f"line {error.line - offset},", 1),
            error.line - offset,
            error.column,
        ) from error
    if result.kind == "ask":
        click.echo("true" if result.boolean else "false")
        return
    if result.kind == "graph":
        assert result.graph is not None
        click.echo(stable_turtle(result.graph), nl=False)
        return
    if saved is not None:
        # A saved query answers in the reader's language: one row per fact, not one
        # per language of its texts (raw -e text gets exactly what it asks for).
        result = in_language(result, lang)
    on_terminal = sys.stdout.isatty()
    chosen = output_format or ("table" if on_terminal else "csv")
    labels = _labels(store, result, lang, graphs, needed=not iris or chosen == "json")
    lines = table_width(width, on_terminal)
    # The titles a saved query declares head the tables people read; -e text and
    # files without titles get their variable names in words.
    titles = saved.column_titles(result.variables, lang) if saved is not None else None
    emit(render(result, labels, chosen, show_iris=iris, width=lines, titles=titles))
