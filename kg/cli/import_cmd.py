"""kg import: turn external data into RDF files of the knowledge."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import Settings, handle_errors, pass_settings
from kg.model.errors import EXIT_INPUT


@click.group(name="import")
def import_group() -> None:
    """Import external data as RDF files, one per input file."""


@import_group.command(name="imsa")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the RDF files (default: data/imsa/ of the project).",
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="Import the good files even when some fail, and list the bad ones (exit 3).",
)
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Entity resolution rules (TOML) instead of kg/importers/imsa_rules.toml.",
)
@click.option(
    "--report",
    "show_report",
    is_flag=True,
    help="Also list every name linked to a curated entity (stdout).",
)
@pass_settings
@handle_errors
def imsa(
    settings: Settings,
    paths: tuple[Path, ...],
    out_dir: Path | None,
    keep_going: bool,
    rules_file: Path | None,
    show_report: bool,
) -> None:
    """Import IMSA timing exports (results, weather, laps CSV) from files or folders.

    Folders are searched recursively; files keep IMSA's published layout
    <year>/<round>-<venue>/<YYYYMMDDHHMM>-<session>-<kind>.csv. Each CSV becomes
    one Turtle file under --out with the same layout; re-importing an unchanged
    file rewrites nothing. Names are linked to curated entities by the rules
    file and the curated labels; ambiguous names are reported on stderr.

    Exit code 0 when every file was imported, 3 when any file could not be
    read or holds a value that cannot be right (a position twice, a column name
    twice: the message names the file, line and column). Nothing of such a file
    is written; without --keep-going nothing at all.
    """
    from kg.importers.imsa import import_files
    from kg.importers.imsa.importing import documents_of
    from kg.importers.resolution import (
        build_resolver,
        curated_graphs,
        imported_graphs,
        load_rules,
    )
    from kg.model import paths as project_paths
    from kg.model.files import display_path

    rules = load_rules(rules_file)
    knowledge = settings.open()
    graphs = curated_graphs(knowledge.store, knowledge.data_graphs)
    # Entities that other results files created keep the name those files gave them.
    resolver = build_resolver(
        knowledge.store,
        graphs,
        rules,
        imported=imported_graphs(knowledge.store, knowledge.data_graphs),
        reimported=documents_of(paths),
    )
    target = out_dir if out_dir is not None else project_paths.data_dir() / "imsa"
    on_terminal = sys.stderr.isatty()

    def progress(number: int, total: int, path: Path) -> None:
        if on_terminal:
            click.echo(f"\r[{number}/{total}] {display_path(path)}\x1b[K", err=True, nl=False)

    report = import_files(paths, target, resolver, keep_going=keep_going, progress=progress)
    if on_terminal:
        click.echo("\r\x1b[K", err=True, nl=False)
    for item in report.imported:
        state = "wrote" if item.written else "unchanged"
        click.echo(f"{state} {display_path(item.output)} ({item.triples} triples)")
    for note in sorted({n.line() for n in report.notes if n.kind != "linked"}):
        click.echo(f"kg: warning: {note}", err=True)
    if show_report:
        for line in sorted({n.line() for n in report.notes if n.kind == "linked"}):
            click.echo(line)
    for failure in report.failed:
        click.echo(f"kg: error: {failure.message}", err=True)
    if report.failed:
        if not keep_going:
            click.echo(
                "kg: nothing was imported (use --keep-going to import the good files)", err=True
            )
        else:
            bad = ", ".join(display_path(f.source) for f in report.failed)
            click.echo(f"kg: {len(report.failed)} file(s) not imported: {bad}", err=True)
        sys.exit(EXIT_INPUT)
