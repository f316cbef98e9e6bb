"""kg show."""

from __future__ import annotations

from datetime import date

import click

from kg.cli.common import Settings, as_of_option, handle_errors, lang_option, pass_settings


@click.command()
@click.argument("entity")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
@as_of_option
@lang_option
@pass_settings
@handle_errors
def show(
    settings: Settings, entity: str, output_format: str, as_of: date | None, lang: str
) -> None:
    """Everything the graph knows about ENTITY, each fact with its source.

    ENTITY is an IRI, a prefixed name (msr:rll), a label or alias in any
    language, case and accents ignored ("rene rast", "BMW M Team RLL", "RLL"),
    a car number ("#25", "car 25", "#25 Daytona", "25 Daytona 2024"), or a
    word of a name ("Rast"). When several entities match, they are listed with
    what tells them apart; when none does, the closest names are suggested
    (exit code 2 in both cases). See docs/lookup.md.
    """
    import dataclasses
    import json

    from kg.answers.entity import as_text, entity_card
    from kg.answers.lookup import resolve_one
    from kg.knowledge.asof import visible_graphs

    knowledge = settings.open()
    graphs = visible_graphs(knowledge, as_of)
    iri = resolve_one(knowledge.store, entity, graphs)
    card = entity_card(knowledge.store, iri, lang, graphs)
    if output_format == "json":
        click.echo(json.dumps(dataclasses.asdict(card), indent=2, ensure_ascii=False))
    else:
        click.echo(as_text(card), nl=False)
        from kg.answers.reconcile import reconciliation_for, reconciliation_section

        click.echo(reconciliation_section(reconciliation_for(knowledge, str(iri))), nl=False)
