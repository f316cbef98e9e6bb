"""kg serve: the knowledge as a read-only SPARQL endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kg.cli.common import Settings, handle_errors, pass_settings

if TYPE_CHECKING:
    from kg.stores.serve_page import QueryPage


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
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop a query that runs longer (HTTP 504).",
)
@click.option(
    "--max-queries",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    metavar="N",
    help="Queries that run at once; one more is answered 503 (try again), not queued.",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Run SERVICE <url> parts of queries, which make this server connect to the "
    "addresses they name (refused with HTTP 400 by default).",
)
@pass_settings
@handle_errors
def serve(
    settings: Settings,
    host: str,
    port: int,
    timeout: float,
    max_queries: int,
    allow_service: bool,
) -> None:
    """Serve the knowledge as a read-only SPARQL 1.1 endpoint until Ctrl-C.

    Builds or refreshes the on-disk index first, then runs Oxigraph's server
    over a snapshot of it. The default graph is the union of all named graphs
    (one per file), as in every kg command.

    Clients reach only the query endpoint (GET or POST /query, the SPARQL 1.1
    protocol) and the query page at / (open it in a browser: an editor, the
    saved queries, results as a table; it loads nothing from the web). Each
    query is checked first (HTTP 400 when over a limit: 1 MiB, 64 levels of
    brackets, 1000 levels of nesting; SERVICE unless --allow-service), at most
    --max-queries run at once and each for at most --timeout seconds
    (docs/security.md). A query may use kg's prefixes (ms:, msr:, ...) without
    declaring them, as with kg query -e; its own PREFIX lines win.

    \b
    Examples:
      kg serve
      kg serve --port 8000            (then open http://127.0.0.1:8000/)
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?t { ?t a ms:Team } LIMIT 3' \\
           http://127.0.0.1:7878/query
    """
    import signal
    import tempfile
    from pathlib import Path

    from kg.model.errors import UsageError
    from kg.stores.config import configured_spec, parse_spec
    from kg.stores.oxigraph_store import OxigraphStore
    from kg.stores.serve import serving
    from kg.stores.serve_front import FrontLimits

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
            limits = FrontLimits(timeout, max_queries, allow_service)
            with serving(store, host, port, limits, _page()) as endpoint:
                try:
                    # Inside the try: a Ctrl-C right after the URL is printed still stops
                    # cleanly.
                    click.echo(f"SPARQL endpoint: {endpoint.query_url}")
                    click.echo(
                        f"read-only, {endpoint.graphs} named graphs; the default graph is "
                        "their merge. Press Ctrl-C to stop."
                    )
                    page_url = endpoint.query_url.removesuffix("query")
                    click.echo(f"Query page: {page_url}")
                    code = endpoint.process.wait()
                except KeyboardInterrupt:
                    click.echo("stopped", err=True)
                    return
                from kg.model.errors import StoreError

                raise StoreError(f"the oxigraph server stopped by itself (exit {code})")
        finally:
            signal.signal(signal.SIGTERM, previous)


def _page() -> QueryPage:
    """The query page, listing the saved queries with their parameters in the text."""
    from kg.answers.queries import registry
    from kg.answers.query_editor import editable_text
    from kg.stores.serve_page import ListedParameter, ListedQuery, QueryPage

    listed = [
        ListedQuery(
            saved.name,
            saved.title,
            saved.description,
            editable_text(saved),
            tuple(ListedParameter(p.name, p.type, p.meaning, p.default) for p in saved.params),
        )
        for saved in registry().values()
    ]
    return QueryPage(listed)


def _open(settings: Settings, spec: str):  # type: ignore[no-untyped-def]
    from kg.knowledge.project import open_knowledge

    return open_knowledge(spec, settings.data_dirs)
