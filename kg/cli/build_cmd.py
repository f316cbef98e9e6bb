"""kg build."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import (
    Settings,
    handle_errors,
    inference_option,
    lang_option,
    pass_settings,
)


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the site into: new, empty, or one kg built into before.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Write into a non-empty folder kg did not build into, and replace site files "
    "changed since kg wrote them. Files kg did not write are never deleted.",
)
@inference_option(
    "Inference applied to a copy of the data before validating; with rdfs or owlrl "
    "the exports also carry the RDFS entailments (a separate named graph in TriG/N-Quads)."
)
@lang_option
@pass_settings
@handle_errors
def build(settings: Settings, out: Path, overwrite: bool, inference: str, lang: str) -> None:
    """Load, validate, query, export and draw the knowledge into a static site.

    Writes OUT/index.html (the pending decisions, what changed, the entities,
    then the numbers: things per class, sources, languages, validation), a page
    per saved query, the exports in every format, the interactive graph and
    pictures, the ontology reference, and validation.txt/json. Open
    OUT/index.html in a browser; it needs no network.

    A re-run with nothing changed rewrites no file; files an earlier build
    wrote that are no longer produced are removed (and nothing else).
    OUT/.kg-build.json records a checksum of each file kg wrote: a file someone
    changed or made since is kept as it is, and a "kg: note: kept" line says so.
    A folder that is not empty and that kg did not build into is refused
    (exit 2) unless --overwrite is given.

    Exit codes: 0 built and no shape is violated (warnings may remain); 1 built,
    but the data violates a shape (the site shows a banner, validation.txt
    says why); 2 usage error (including a folder kg did not build into);
    3 input that cannot be read, a site that cannot be written, or a saved
    query that fails (the site is still written; that query's page says why).
    """
    from kg.outputs.site import build as build_site
    from kg.outputs.site.out_folder import open_out_folder

    open_out_folder(out, overwrite)  # refuse the folder before loading anything

    interactive = sys.stderr.isatty()

    def progress(index: int, total: int, step: str) -> None:
        if interactive:
            click.echo(f"[{index}/{total}] {step}", err=True)

    if interactive:
        click.echo("loading the knowledge", err=True)
    knowledge = settings.open()
    result = build_site(
        knowledge, out, inference=inference, lang=lang, progress=progress, overwrite=overwrite
    )
    kept = f", {len(result.kept)} kept" if result.kept else ""
    removed = f", {len(result.removed)} removed" if result.removed else ""
    click.echo(
        f"built {out}/index.html: {len(result.files)} files "
        f"({len(result.written)} written, {result.unchanged} unchanged{kept}{removed}); "
        f"{result.validation_summary}"
    )
    for kept_file in result.kept:
        click.echo(f"kg: note: kept {kept_file}", err=True)
    for note in result.notes:
        click.echo(f"kg: note: {note}", err=True)
    for failure in result.failed_queries:
        click.echo(f"kg: error: saved query {failure.removeprefix('FAILED: ')}", err=True)
    if not result.passes:
        click.echo(f"kg: the data does not conform: see {out / 'validation.txt'}", err=True)
    sys.exit(result.exit_code)
