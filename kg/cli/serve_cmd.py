"""kg serve: the knowledge as a read-only SPARQL endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kg.cli.common import Settings, handle_errors, pass_settings

if TYPE_CHECKING:
    from kg.stores.serve import ServeOptions
    from kg.stores.serve_front import FrontLimits
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
@click.option(
    "--on-disk",
    is_flag=True,
    help="Read a snapshot of the on-disk index instead of holding the knowledge in "
    "memory: slower heavy queries, little memory (for knowledge larger than memory).",
)
@click.option(
    "--refresh-every",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="Look at the files this often and serve them anew when they changed; 0: never.",
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
    on_disk: bool,
    refresh_every: float,
) -> None:
    """Serve the knowledge as a read-only SPARQL 1.1 endpoint until Ctrl-C.

    Builds or refreshes the on-disk index first, answers at once from a snapshot
    of it, and from memory as soon as the knowledge is loaded there (one line
    says when; --on-disk keeps to the snapshot). The default graph is the union
    of all named graphs (one per file), as in every kg command. Every
    --refresh-every seconds it looks at the files; when they changed, it
    refreshes the index and serves the new version (one line says so; a file
    with an error is named once, and the last good version is served meanwhile).

    Clients reach only the query endpoint (GET or POST /query, the SPARQL 1.1
    protocol) and the query page at / (open it in a browser: an editor, the
    saved queries, results as a table; it loads nothing from the web). Each
    query is checked first (HTTP 400 when over a limit: 1 MiB, 64 levels of
    brackets, 1000 levels of nesting; SERVICE unless --allow-service), at most
    --max-queries run at once and each for at most --timeout seconds: a second
    after that, the engine still running it is stopped, whatever the query, and
    another answers (docs/security.md). A query may use kg's prefixes (ms:, msr:, ...)
    without declaring them, as with kg query -e; its own PREFIX lines win.

    Other kg commands read a running kg serve with --store
    sparql:http://127.0.0.1:7878/query (or KG_STORE, or store = "..." in kg.toml)
    and answer as from the index.

    \b
    Examples:
      kg serve
      kg serve --port 8000            (then open http://127.0.0.1:8000/)
      kg serve --on-disk              (little memory, slower heavy queries)
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?t { ?t a ms:Team } LIMIT 3' \\
           http://127.0.0.1:7878/query
      kg --store sparql:http://127.0.0.1:7878/query query fastest-laps
    """
    from kg.stores.serve import ServeOptions
    from kg.stores.serve_front import FrontLimits

    limits = FrontLimits(timeout, max_queries, allow_service)
    _serve(settings, host, port, limits, ServeOptions(on_disk, refresh_every))


def _serve(settings: Settings, host: str, port: int, limits: FrontLimits,
           options: ServeOptions) -> None:  # fmt: skip
    import signal
    import tempfile
    from pathlib import Path

    from kg.model.errors import UsageError
    from kg.stores.config import configured_spec, parse_spec
    from kg.stores.oxigraph_store import OxigraphStore
    from kg.stores.serve import serving
    from kg.stores.serve_refresh import watch

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
            with serving(store, host, port, limits, _page(), options) as served:
                try:
                    # Inside the try: a Ctrl-C right after the URL is printed still stops
                    # cleanly.
                    click.echo(f"SPARQL endpoint: {served.query_url}")
                    click.echo(
                        f"read-only, {served.graphs} named graphs; the default graph is their "
                        "merge. Press Ctrl-C to stop."
                    )
                    click.echo(f"Query page: {served.query_url.removesuffix('query')}")
                    watch(served, lambda: _discover(settings), _say)
                except KeyboardInterrupt:
                    click.echo("stopped", err=True)
        finally:
            signal.signal(signal.SIGTERM, previous)


def _say(line: str) -> None:
    click.echo(line, err=True)


def _discover(settings: Settings):  # type: ignore[no-untyped-def]
    from kg.model.files import discover

    return discover(settings.data_dirs, include_ontology=True)


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
