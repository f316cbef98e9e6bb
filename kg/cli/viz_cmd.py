"""kg viz."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from kg.cli.common import Settings, as_of_option, handle_errors, lang_option, pass_settings
from kg.model.errors import UsageError

_FORMATS = ("html", "svg", "png", "dot", "graphml", "gexf")


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="File to write; its suffix (.html .svg .png .dot .graphml .gexf) picks the format.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_FORMATS),
    default=None,
    help="Format to write, whatever the suffix.",
)
@click.option(
    "--entity",
    metavar="ENTITY",
    help="Draw the neighbourhood of this entity (IRI, msr:name, label).",
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Hops around --entity, following links both ways.",
)
@click.option(
    "--class",
    "classes",
    multiple=True,
    metavar="CLASS",
    help="Keep only nodes of this class or its subclasses (repeatable).",
)
@click.option(
    "--predicate",
    "predicates",
    multiple=True,
    metavar="PRED",
    help="Keep only edges with this predicate, and the nodes they join (repeatable).",
)
@click.option(
    "--claims",
    type=click.Choice(["collapse", "show"]),
    default="collapse",
    show_default=True,
    help="collapse: a claim linking two entities becomes an edge; show: claims stay nodes.",
)
@click.option("--schema", is_flag=True, help="Draw the ontology's classes and properties.")
@click.option(
    "--decisions", is_flag=True, help="Draw the decision timeline (statuses, expected windows)."
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="With --decisions: the day drawn as today, against which expected decisions "
    "are judged overdue (default: the current date; ignored with --as-of).",
)
@click.option("--title", metavar="TEXT", help="Title of the page or picture.")
@lang_option
@as_of_option
@pass_settings
@handle_errors
def viz(
    settings: Settings,
    output: Path,
    output_format: str | None,
    entity: str | None,
    depth: int,
    classes: tuple[str, ...],
    predicates: tuple[str, ...],
    claims: str,
    schema: bool,
    decisions: bool,
    today: datetime | None,
    title: str | None,
    lang: str,
    as_of: date | None,
) -> None:
    """Draw the graph as an interactive HTML page, SVG, PNG, DOT, GraphML or GEXF.

    \b
    Examples:
      kg viz -o graph.html
      kg viz --entity "BMW" --depth 1 -o bmw.svg
      kg viz --schema -o ontology.png
      kg viz --decisions --as-of 2023-08-01 -o timeline.svg
      kg viz --decisions --today 2024-03-01 -o timeline.png

    The decision timeline marks today (--today to pick the day) and flags the
    decisions still awaited after their expected window as overdue; with --as-of
    the as-of day takes today's place.

    SVG and PNG take at most 1,000 nodes and 3,000 edges (more cannot be read):
    narrow the graph with --entity, --class, --predicate or --as-of, or write
    .html, which opens on a neighbourhood, or .graphml/.gexf for a graph program.

    Exit codes: 0 written, 2 usage error (or a picture too large to read),
    3 unreadable input or unwritable output.
    """
    from kg.outputs import viz as library

    chosen = library.output_format(output, output_format)
    if schema and decisions:
        raise UsageError("--schema and --decisions draw different pictures; give one of them")
    if today is not None and not decisions:
        raise UsageError("--today is the day drawn on the decision timeline; add --decisions")
    if decisions:
        if entity or classes or predicates:
            raise UsageError(
                "--decisions draws every decision; drop --entity, --class and --predicate"
            )
        _timeline(settings, output, chosen, as_of, lang, title, today)
        return
    knowledge = settings.open()
    graphs = None
    if as_of is not None:
        from kg.knowledge.asof import visible_graphs

        graphs = visible_graphs(knowledge, as_of)
    if chosen in ("svg", "png") and not (entity or classes or predicates or schema):
        # Counted in the store: a picture surely too large is refused before it is read.
        library.check_whole_picture_size(knowledge, chosen, graphs=graphs)
    graph = library.to_networkx(
        knowledge,
        graphs=graphs,
        entity=entity,
        depth=depth,
        classes=classes,
        predicates=predicates,
        lang=lang,
        claims="show" if claims == "show" else "collapse",
        schema=schema,
    )
    default_title = "motorsport-kg: ontology" if schema else "motorsport-kg"
    if as_of is not None:
        default_title += f" (as of {as_of.isoformat()})"
    written = library.write(graph, output, format=chosen, title=title or default_title)
    verb = "wrote" if written else "unchanged"
    click.echo(
        f"{verb} {output}: {_count(graph.number_of_nodes(), 'node')}, "
        f"{_count(graph.number_of_edges(), 'edge')}"
    )


def _timeline(
    settings: Settings,
    output: Path,
    chosen: str,
    as_of: date | None,
    lang: str,
    title: str | None,
    today: datetime | None,
) -> None:
    """kg viz --decisions: the decision timeline, as SVG or PNG."""
    from kg.outputs import viz as library

    if chosen not in ("svg", "png"):
        raise UsageError(
            f"the decision timeline is a picture: write it as svg or png, not {chosen}"
        )
    summary = library.decision_timeline(
        settings.open(),
        output,
        as_of=as_of,
        lang=lang,
        title=title,
        format=chosen,
        today=today.date() if today is not None else None,
    )
    verb = "wrote" if summary.written else "unchanged"
    click.echo(
        f"{verb} {output}: {_count(summary.decisions, 'decision')}, "
        f"{_count(summary.reports, 'status report')}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
