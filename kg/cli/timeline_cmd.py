"""kg timeline."""

from __future__ import annotations

from datetime import date

import click

from kg.cli.common import (
    Settings,
    answer_format_option,
    as_of_option,
    checked_date,
    handle_errors,
    lang_option,
    pass_settings,
)


@click.command()
@click.argument("entity", required=False)
@click.option(
    "--from",
    "start",
    metavar="DATE",
    callback=checked_date,
    help="Leave out what certainly ended before DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.option(
    "--to",
    "end",
    metavar="DATE",
    callback=checked_date,
    help="Leave out what certainly began after DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@answer_format_option()
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List every dated row of official results files instead of one line per file.",
)
@as_of_option
@lang_option
@pass_settings
@handle_errors
def timeline(
    settings: Settings,
    entity: str | None,
    start: str | None,
    end: str | None,
    output_format: str,
    show_all: bool,
    as_of: date | None,
    lang: str,
) -> None:
    """What happened and what was said, in time order, for the whole graph or
    around one ENTITY (IRI, prefixed name or label), each line with its source.

    "published" lines are when a source appeared; the others are when a claim
    holds (from, until, expected, decided, ...). Vague times sort by their
    earliest day and are kept when they overlap the --from/--to window.

    \b
    Examples:
      kg timeline
      kg timeline msr:bmw-lmdh-customer-programme-decision
      kg timeline "Andreas Roos" --from 2023-07 --to 2023
    """
    from kg.answers.lookup import resolve_one
    from kg.answers.timeline import as_json, as_lines, as_markdown
    from kg.answers.timeline import timeline as build_timeline
    from kg.knowledge.asof import visible_graphs
    from kg.model.errors import UsageError
    from kg.model.timeutil import compare, parse_user_time

    window_start = parse_user_time(start, "--from") if start is not None else None
    window_end = parse_user_time(end, "--to") if end is not None else None
    if window_start and window_end and compare(window_start, window_end) == "after":
        raise UsageError(f"--from {start} is after --to {end}; swap them")
    knowledge = settings.open()
    iri = None
    if entity is not None:
        iri = resolve_one(knowledge.store, entity, visible_graphs(knowledge, as_of))
    found = build_timeline(knowledge, iri, window_start, window_end, lang, as_of, show_all)
    if output_format == "json":
        click.echo(as_json(found), nl=False)
        return
    if not found.items:
        click.echo(
            "Nothing dated is known in that window."
            if lang == "en"
            else "Nichts Datiertes im gewählten Zeitraum."
        )
        return
    if output_format == "markdown":
        click.echo(as_markdown(found), nl=False)
        return
    for line in as_lines(found):
        click.echo(line)
