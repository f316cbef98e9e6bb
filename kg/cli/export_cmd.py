"""kg export."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from kg.cli.common import Settings, as_of_option, emit, handle_errors, pass_settings
from kg.model.errors import UsageError

# Kept in step with kg.outputs.export.FORMAT_NAMES (a test checks), so that --help needs no rdflib.
FORMAT_CHOICES = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")


@click.command()
@click.option(
    "--format",
    "format_name",
    type=click.Choice(FORMAT_CHOICES),
    default="turtle",
    show_default=True,
    help="Output format. trig and nquads keep one named graph per source file; "
    "the others get the union.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (atomically; untouched when the bytes are the same). Default: stdout.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="SOURCE",
    help="Export only this source's file: a source document IRI or prefixed name, "
    "or a data file's path or stem (repeatable).",
)
@click.option(
    "--entity",
    metavar="ENTITY",
    help="Export only the triples around ENTITY (IRI, prefixed name, label or alias).",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=None,
    help="Hops around --entity, links followed both ways [default: 1].",
)
@click.option("--with-ontology", is_flag=True, help="Add the ontology and vocabularies.")
@click.option(
    "--inferred",
    is_flag=True,
    help="Add the RDFS entailments; quad formats keep them in the graph "
    "<https://w3id.org/motorsport-kg/graph/inferred>.",
)
@click.option(
    "--stream",
    is_flag=True,
    help="For big graphs: write whole graphs straight from the index, in store order "
    "(turtle, ntriples, nquads, trig; not with --entity or --inferred). "
    "Same statements as the stable export, not the same bytes.",
)
@as_of_option
@pass_settings
@handle_errors
def export(
    settings: Settings,
    format_name: str,
    output: Path | None,
    sources: tuple[str, ...],
    entity: str | None,
    depth: int | None,
    with_ontology: bool,
    inferred: bool,
    as_of: date | None,
    stream: bool,
) -> None:
    """Write the knowledge graph, or a part of it, as RDF.

    The output is stable: the same bytes on every run, subjects and lines
    sorted, the project's prefixes only, so that a change to one fact is a
    small diff in git. JSON-LD carries the shipped context inline, so it
    reads back offline.

    \b
    Examples:
      kg export -o knowledge.ttl
      kg export --format trig -o knowledge.trig
      kg export --source 2024-01-daytona-bmw-rolex24-report --format nquads
      kg export --entity "BMW" --depth 2 --format jsonld
      kg export --as-of 2023-08-01 --with-ontology -o known-then.ttl
      kg export --stream --format nquads -o everything.nq

    Exit codes: 0 written, 2 usage error (unknown entity, source or date),
    3 input that cannot be read or an output file that cannot be written.
    """
    from kg.outputs.export import describe, export_format, serialize, write_export
    from kg.outputs.export_selection import select

    if depth is not None and entity is None:
        raise UsageError("--depth counts hops around --entity; give --entity too")
    chosen = export_format(format_name)
    if stream:
        if entity is not None or inferred:
            raise UsageError("--stream writes whole graphs: drop --entity and --inferred")
        _stream(settings, chosen.name, output, sources, with_ontology, as_of)
        return
    knowledge = settings.open()
    selection = select(
        knowledge,
        sources=sources,
        entity=entity,
        depth=depth or 1,
        with_ontology=with_ontology,
        inferred=inferred,
        as_of=as_of,
    )
    result = serialize(selection, chosen.name)
    if result.merged:
        click.echo(
            f"kg: note: {chosen.name} has no named graphs, so the {len(result.graphs)} graphs "
            "are merged into one; use --format trig or nquads to keep them apart",
            err=True,
        )
    if output is None:
        emit(result.content)
        return
    written = write_export(result, output)
    state = "wrote" if written else "unchanged"
    click.echo(f"{state} {output}: {describe(result)}", err=True)


def _stream(
    settings: Settings,
    format_name: str,
    output: Path | None,
    sources: tuple[str, ...],
    with_ontology: bool,
    as_of: date | None,
) -> None:
    from kg.outputs.export_selection import select_graphs
    from kg.outputs.export_stream import stream, stream_to_file

    knowledge = settings.open()
    graphs = select_graphs(knowledge, sources, with_ontology, as_of)
    if output is None:
        sys.stdout.flush()
        written = stream(knowledge, graphs, format_name, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        written = stream_to_file(
            lambda target: stream(knowledge, graphs, format_name, target), output
        )
    where = "stdout" if output is None else str(output)
    click.echo(f"wrote {where}: {written} statements from {len(graphs)} graphs", err=True)
