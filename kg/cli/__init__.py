"""The command line: thin click commands that parse options and print answers.

Owns `kg` and its commands (one module each, imported only when the command
runs), the shared options and the exit codes. The work itself is done below.

May import: every other package of kg.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from kg.cli.common import Settings, interrupt_exits

HELP = """kg: build, check, query and draw the motorsport knowledge graph.

Every command reads the bundled knowledge (the ontology, the shapes and the
files under data/) unless told otherwise with --data.

\b
Exit codes:
  0  ok (validation: the data conforms)
  1  the data does not conform to the shapes
  2  usage error: unknown command, option, name or parameter; bad date
  3  input that cannot be read, a query that fails, a store that fails
  130  interrupted (Ctrl-C)
  141  the reader of the output stopped reading (kg ... | head)
"""

# Command name -> "module:function", imported only when the command runs, so
# that `kg --help` stays fast (no rdflib, pyshacl or networkx at start-up).
COMMANDS: dict[str, str] = {
    "validate": "kg.cli.validate_cmd:validate",
    "queries": "kg.cli.query_cmd:queries",
    "query": "kg.cli.query_cmd:query",
    "show": "kg.cli.show_cmd:show",
    "push": "kg.cli.push_cmd:push",
    "load": "kg.cli.push_cmd:load",
    "serve": "kg.cli.serve_cmd:serve",
    "viz": "kg.cli.viz_cmd:viz",
    "decisions": "kg.cli.decisions_cmd:decisions",
    "timeline": "kg.cli.timeline_cmd:timeline",
    "export": "kg.cli.export_cmd:export",
    "build": "kg.cli.build_cmd:build",
    "import": "kg.cli.import_cmd:import_group",
    "reconcile": "kg.cli.reconcile_cmd:reconcile",
}

# One line each for `kg --help`, kept here so the listing needs no imports.
SUMMARIES: dict[str, str] = {
    "validate": "Check the knowledge (or given files) against the SHACL shapes.",
    "queries": "List the saved queries with their parameters.",
    "query": "Run a saved query, a .rq file, or SPARQL given with -e.",
    "show": "Everything the graph knows about one entity, with sources.",
    "push": "Publish the knowledge to a store (a SPARQL server, or rebuild the index).",
    "load": "Same as push.",
    "serve": "Serve the knowledge as a read-only SPARQL endpoint on 127.0.0.1.",
    "viz": "Draw the graph: interactive HTML, SVG, PNG, DOT, GraphML, GEXF; decision timeline.",
    "decisions": "Decisions: status, since when, expected time, overdue, sources.",
    "timeline": "What happened and what was said, in time order, with sources.",
    "export": "Write the graph (or a part) as stable Turtle, TriG, N-Quads, JSON-LD...",
    "build": "Load, validate, query, export and draw everything into a static site.",
    "import": "Import external data (IMSA results, weather, laps) as RDF files.",
    "reconcile": "Check what articles report against the official IMSA results.",
}


class LazyGroup(click.Group):
    """Commands imported when they run; Ctrl-C at any moment is one line and exit 130
    (click alone says "Aborted!" and exits 1 while it reads the command line or finds
    the command, the code that means "does not conform")."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with interrupt_exits():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with interrupt_exits():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _version() -> str:
    from kg import __version__

    return __version__


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store_spec",
    envvar="KG_STORE",
    default=None,
    metavar="SPEC",
    help="Where the graph lives: oxigraph (default: an on-disk index kept in step with the "
    'files), oxigraph:PATH, memory, or sparql:QUERY_URL. Also KG_STORE, or store = "..." '
    "in ./kg.toml. See docs/stores.md.",
)
@click.option(
    "--data",
    "data_dirs",
    multiple=True,
    type=click.Path(path_type=Path, readable=False),
    metavar="PATH",
    help="Data folder or file to load instead of the bundled data/ (repeatable; also "
    'KG_DATA, paths separated by ":").',
)
@click.version_option(version=None, package_name="motorsport-kg", message="kg %(version)s")
@click.pass_context
def cli(ctx: click.Context, store_spec: str | None, data_dirs: tuple[Path, ...]) -> None:
    import logging

    # rdflib logs a traceback for every ill-typed literal it parses ("2024-13-45"^^xsd:date);
    # kg says what is wrong itself (a validation result, or an error naming the value).
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    from click.core import ParameterSource

    if ctx.get_parameter_source("store_spec") == ParameterSource.ENVIRONMENT:
        # Left to kg.stores.config, which reads KG_STORE itself and says, in any error,
        # that the spec came from there, not from --store.
        store_spec = None
    ctx.obj = Settings(store_spec=store_spec, data_dirs=tuple(data_dirs) or None)


def main() -> None:
    cli(prog_name="kg")
