"""kg show."""

from __future__ import annotations

from datetime import date

import click

from kg.cli.common import (
    Settings,
    answer_format_option,
    as_of_option,
    handle_errors,
    lang_option,
    pass_settings,
)


@click.command()
@click.argument("entity")
@answer_format_option(
    "facts", extra_help="facts for every stored fact about ENTITY as it is in the graph"
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List every official results row instead of summarising them.",
)
@click.option("--iris", is_flag=True, help="Show IRIs instead of names.")
@click.option(
    "--today",
    metavar="DATE",
    help="Judge overdue decisions on DATE (YYYY-MM-DD) instead of the current date.",
)
@as_of_option
@lang_option
@pass_settings
@handle_errors
def show(
    settings: Settings,
    entity: str,
    output_format: str,
    show_all: bool,
    iris: bool,
    today: str | None,
    as_of: date | None,
    lang: str,
) -> None:
    """A briefing on ENTITY: the few sections an analyst expects for its kind, each
    fact once, in words, with numbered citations and a reference list.

    A person: roles, races with result and what happened to the car, quotes. A
    team: programmes, entries with results and incidents. A manufacturer:
    decisions with status, programmes, cars, results. An event: date, the podium
    of each class, the entries the sources talk about. A car entry: crew, result
    (official and reported), the race in time order. A decision: question,
    status, reports, considerations.

    ENTITY is an IRI, a prefixed name (msr:rll), a label or alias in any
    language, case and accents ignored ("rene rast", "BMW M Team RLL", "RLL"),
    a car number ("#25", "car 25", "#25 Daytona", "25 Daytona 2024"), or a
    word of a name ("Rast"). When several entities match, they are listed with
    what tells them apart; when none does, the closest names are suggested
    (exit code 2 in both cases). See docs/lookup.md and docs/briefings.md.
    """
    from kg.answers.lookup import resolve_one
    from kg.knowledge.asof import visible_graphs
    from kg.model.timeutil import parse_user_time

    judged_on = None
    if today is not None:
        interval = parse_user_time(today, "--today")
        judged_on = interval.latest
    knowledge = settings.open()
    graphs = visible_graphs(knowledge, as_of)
    iri = resolve_one(knowledge.store, entity, graphs)
    if output_format == "facts":
        import dataclasses
        import json

        from kg.answers.entity import entity_card

        card = entity_card(knowledge.store, iri, lang, graphs)
        click.echo(json.dumps(dataclasses.asdict(card), indent=2, ensure_ascii=False))
        return
    from kg.answers.briefing import briefing
    from kg.answers.briefing.render import as_json, as_markdown, as_text

    found = briefing(knowledge, iri, lang, as_of, judged_on, show_all, iris)
    render = {"text": lambda b: as_text(b, iris), "markdown": as_markdown, "json": as_json}
    click.echo(render[output_format](found), nl=False)
