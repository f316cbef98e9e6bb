"""kg reconcile."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import Settings, handle_errors, pass_settings
from kg.model.errors import EXIT_NOT_CONFORMING, EXIT_OK


@click.command()
@click.argument("event", required=False)
@click.option(
    "--write",
    "write",
    is_flag=True,
    help="Also write the checks as RDF: those of the cars of a race to "
    "data/imsa/reconciliation.ttl (or --out), those about programmes, drivers and events "
    "to data/imsa/reconciliation-seasons.ttl (or --out's name with -seasons).",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File for --write (default: data/imsa/reconciliation.ttl); the season checks go "
    "beside it, '-seasons' added to its name.",
)
@pass_settings
@handle_errors
def reconcile(settings: Settings, event: str | None, write: bool, out_file: Path | None) -> None:
    """Check what articles report against the official IMSA results.

    For every article claim the official race results can check (finishing
    positions, laps down, line-ups, class winners, fastest laps), prints
    whether the results corroborate it, contradict it (with both values and
    both sources), differ from it (another value, where the claim leaves open
    what it measures: "15 laps behind" without saying behind whom or when)
    or cannot say, and why. EVENT (a name or IRI, e.g.
    "Rolex 24 at Daytona 2024") limits the check to one event.

    Exit code 0 when nothing is contradicted ("differs" included), 1 when a
    claim is contradicted, 2 when EVENT names no entity or several, 3 when
    the data cannot be read.
    """
    from kg.answers.lookup import resolve_one
    from kg.answers.reconcile import reconcile as run
    from kg.answers.reconcile_base import CONTRADICTED
    from kg.answers.reconcile_report import as_text, write_reconciliation
    from kg.model import paths
    from kg.model.files import display_path

    knowledge = settings.open()
    event_iri = str(resolve_one(knowledge.store, event, knowledge.data_graphs)) if event else None
    checks = run(knowledge, event_iri)
    click.echo(as_text(checks), nl=False)
    if write:
        target = out_file or paths.data_dir() / "imsa" / "reconciliation.ttl"
        for path, changed in write_reconciliation(checks, knowledge, target):
            state = "wrote" if changed else "unchanged"
            click.echo(f"{state} {display_path(path)}", err=True)
    contradicted = any(check.verdict == CONTRADICTED for check in checks)
    sys.exit(EXIT_NOT_CONFORMING if contradicted else EXIT_OK)
