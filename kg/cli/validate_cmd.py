"""kg validate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import Settings, handle_errors, inference_option, pass_settings
from kg.model.errors import EXIT_NOT_CONFORMING, EXIT_OK


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--format",
    "report_format",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="text for people; json, or turtle (the SHACL report graph) for machines.",
)
@click.option(
    "--input-format",
    metavar="FORMAT",
    help="RDF format of FILES when their suffix does not say it: "
    "turtle, trig, ntriples, nquads, jsonld, rdfxml.",
)
@click.option(
    "--shapes",
    "shapes_files",
    multiple=True,
    type=click.Path(path_type=Path, readable=False),
    help="Validate against these shapes files instead of the bundled ones (repeatable).",
)
@inference_option(
    "Inference applied to a copy of the data before validating; the files are untouched."
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="auto: the fast engine when it supports every shape (else pyshacl); "
    "fast: kg.validation.fast, handing unsupported shapes to pyshacl; pyshacl: the reference.",
)
@click.option(
    "--changed",
    is_flag=True,
    help="Re-check only what the data files changed since the last --changed run can "
    "affect, and reuse the rest of that run's report (the first run validates fully). "
    "Fast engine; not with FILES, --inference or --format turtle.",
)
@pass_settings
@handle_errors
def validate(
    settings: Settings,
    files: tuple[Path, ...],
    report_format: str,
    input_format: str | None,
    shapes_files: tuple[Path, ...],
    inference: str,
    engine: str,
    changed: bool,
) -> None:
    """Check the knowledge against the SHACL shapes.

    Without FILES, checks the bundled data (or what --data names). With FILES,
    checks those files against the bundled ontology and shapes. Exit code 0
    when no shape is violated (warnings may remain: the report then says, as
    SHACL does, that the data does not conform), 1 when one is, 3 when a file
    cannot be read.
    """
    from kg.validation.checking import validate_files, validate_knowledge
    from kg.validation.report import as_json, as_text, as_turtle

    def note(message: str) -> None:
        click.echo(f"kg: note: {message}", err=True)

    if changed:
        from kg.model.errors import UsageError
        from kg.validation.cache import validate_changed

        refused = (
            "FILES" if files else
            "--engine pyshacl" if engine == "pyshacl" else
            f"--inference {inference}" if inference != "none" else
            "--format turtle (the report graph needs a full validation)"
            if report_format == "turtle" else None
        )  # fmt: skip
        if refused is not None:
            raise UsageError(f"--changed cannot be used with {refused}; drop one of them")
        report = validate_changed(settings.open(), shapes_files, note)
    elif files:
        report = validate_files(files, input_format, shapes_files, inference, engine, note)
    else:
        report = validate_knowledge(settings.open(), shapes_files, inference, engine, note)
    render = {"text": as_text, "json": as_json, "turtle": as_turtle}[report_format]
    click.echo(render(report), nl=False)
    sys.exit(EXIT_OK if report.passes else EXIT_NOT_CONFORMING)
