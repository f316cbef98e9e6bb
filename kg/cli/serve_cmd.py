"""kg serve: the knowledge as a read-only SPARQL endpoint."""

from __future__ import annotations

import click

from kg.cli.common import Settings, handle_errors, pass_settings


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (127.0.0.1: this machine only).",
)
@click.option(
    "--port",
    type=int,
    default=7878,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@pass_settings
@handle_errors
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the knowledge as a read-only SPARQL 1.1 endpoint until Ctrl-C.

    Builds or refreshes the on-disk index first, then runs Oxigraph's server
    over a snapshot of it. The default graph is the union of all named graphs
    (one per file), as in every kg command.

    \b
    Examples:
      kg serve
      kg serve --port 8000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' \\
           http://127.0.0.1:7878/query
    """
    import signal
    import tempfile
    from pathlib import Path

    from kg.model.errors import UsageError
    from kg.stores.config import configured_spec, parse_spec
    from kg.stores.oxigraph_store import OxigraphStore
    from kg.stores.serve import serving

    spec = settings.store_spec or configured_spec()[0]
    kind = parse_spec(spec).kind
    if kind == "sparql":
        raise UsageError(f"{spec} is a SPARQL server already; kg serve serves the local index")
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as scratch:
        if kind == "memory":
            # "memory" keeps no index: build a throwaway one for the server.
            spec = f"oxigraph:{Path(scratch) / 'index'}"
        knowledge = _open(settings, spec)
        store = knowledge.store
        assert isinstance(store, OxigraphStore)

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            with serving(store, host, port) as endpoint:
                try:
                    # Inside the try: a Ctrl-C right after the URL is printed still stops
                    # cleanly.
                    click.echo(f"SPARQL endpoint: {endpoint.query_url}")
                    click.echo(
                        f"read-only, {endpoint.graphs} named graphs; the default graph is "
                        "their merge. Press Ctrl-C to stop."
                    )
                    code = endpoint.process.wait()
                except KeyboardInterrupt:
                    click.echo("stopped", err=True)
                    return
                from kg.model.errors import StoreError

                raise StoreError(f"the oxigraph server stopped by itself (exit {code})")
        finally:
            signal.signal(signal.SIGTERM, previous)


def _open(settings: Settings, spec: str):  # type: ignore[no-untyped-def]
    from kg.knowledge.project import open_knowledge

    return open_knowledge(spec, settings.data_dirs)
