"""kg push (alias kg load): publish the knowledge to a store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from kg.cli.common import Settings, handle_errors, pass_settings


def _push_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option(
                "--store",
                "target",
                metavar="SPEC",
                help="Where to publish [default: the global --store]: sparql:QUERY_URL, "
                "oxigraph[:PATH] (rebuilt from scratch) or memory.",
            ),
            click.option(
                "--gsp-url",
                metavar="URL",
                help="The server's Graph Store Protocol endpoint (PUT ?graph=IRI).",
            ),
            click.option(
                "--update-url",
                metavar="URL",
                help="The server's SPARQL Update endpoint, used when there is no --gsp-url.",
            ),
            click.option(
                "--prune",
                is_flag=True,
                help="Also remove the project's graphs that no file provides any more.",
            ),
        ]
    ):
        function = option(function)
    return function


def _run(
    settings: Settings,
    target: str | None,
    gsp_url: str | None,
    update_url: str | None,
    prune: bool,
) -> None:
    from kg.model import paths
    from kg.model.files import discover
    from kg.stores.sync import open_spec, push

    files = discover(settings.data_dirs)
    sources = [paths.ontology_dir(), *(settings.data_dirs or paths.default_data())]
    store = open_spec(target or settings.store_spec, sources, gsp_url, update_url)
    try:
        summary = push(store, files, prune=prune)
    finally:
        store.close()
    click.echo(
        f"pushed {summary.files} files ({summary.triples} triples) as named graphs "
        f"to {summary.target}"
    )
    for name in summary.removed:
        click.echo(f"removed <{name}> (no file provides it any more)")


@click.command()
@_push_options
@pass_settings
@handle_errors
def push(
    settings: Settings,
    target: str | None,
    gsp_url: str | None,
    update_url: str | None,
    prune: bool,
) -> None:
    """Publish the knowledge to a store, one named graph per file.

    Every file is parsed before anything is sent: a file with an error stops
    the push with the store untouched. Each graph is replaced whole, in one
    request: through the Graph Store Protocol (PUT ?graph=IRI), or else by
    SPARQL Update (in parts, into a staging graph moved in place at the end).
    A push that fails leaves each graph as it was or new, says which (exit 3),
    and reads refuse the server until a push completes.
    Credentials: KG_SPARQL_USER and KG_SPARQL_PASSWORD, or ~/.netrc.

    \b
    Examples:
      kg push --store sparql:http://localhost:7878/query --gsp-url http://localhost:7878/store
      kg push --store 'sparql:http://host/query?gsp=http://host/store' --prune
      kg push --store oxigraph      (rebuild the local index from scratch)
    """
    _run(settings, target, gsp_url, update_url, prune)


@click.command()
@_push_options
@pass_settings
@handle_errors
def load(
    settings: Settings,
    target: str | None,
    gsp_url: str | None,
    update_url: str | None,
    prune: bool,
) -> None:
    """Same as push: load the knowledge into a store, one named graph per file."""
    _run(settings, target, gsp_url, update_url, prune)
