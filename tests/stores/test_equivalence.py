"""Every store gives the same answers (issue 15): every saved query and every command's output
on the bundled knowledge, from the memory store, the on-disk index, a real Oxigraph server
filled with `kg push`, and `kg serve`.

The memory store is the reference. A query's rows (every saved query, a few -e questions)
are compared as multisets (a `Counter` of rows, each value as the JSON the command prints,
labels included), and where the query has an ORDER BY, the sequence of its ORDER BY keys
too: that sequence is fully determined by ORDER BY whatever the ties, the order of rows
within a tie is not (SPARQL leaves it to the engine), so it is not compared. Other output
(cards, validation reports, decisions, timelines, reconciliation, the stable Turtle export)
is compared exactly. A failure names the store and the command that reproduces it (for
`kg-serve`, against `kg serve --port 0`), and the rows whose counts differ.

Blank nodes: a label is the store's own name for a node (rdflib's, Oxigraph's, the server's
upload's), so two stores can name the same answer differently. Labels are replaced by
canonical ones before comparing: in query rows by each blank node's signature (the rows it
occurs in, blank nodes masked, and where), in other output by order of first appearance.
Both are bijections, so outputs that compare equal after them are equal up to a renaming
(no false agreement); two blank nodes with the same signature may be paired wrongly, which
can only report a difference that is not one. Blank nodes are masked in ORDER BY keys
(their order among themselves is the engine's). The data files have none; the shapes do (the
`blank-nodes` query), and `test_blank_nodes_compare_modulo_relabelling` checks the
relabelling itself.

The test names its stores itself and does not read KG_STORE, so it runs in the memory pass
of the suite only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORE_DATA, KgServe, SparqlServer, core_data_args

from kg.answers.queries import registry
from kg.model import paths

pytestmark = pytest.mark.skipif(
    os.environ.get("KG_STORE", "memory") != "memory",
    reason="compares its own stores (memory, index, server, kg serve) whatever KG_STORE says; "
    "it already ran in the KG_STORE=memory pass",
)

DATA = CORE_DATA  # the articles and their race (conftest.py)
REFERENCE = "memory"
ENTITY = "msr:bmw"
SHOWN = 4  # differing rows shown per store

# Parameters for queries whose defaults are not enough (entity-facts has none).
QUERY_PARAMS: dict[str, tuple[tuple[str, str], ...]] = {"entity-facts": (("entity", ENTITY),)}
# The day each saved query is also run --as-of: by 2024-02-15 the 2023 article and the
# official results are known, the Daytona report (published by 2024-03-20 at the latest)
# is not; queries that only the report answers are run as of a day after it.
AS_OF = "2024-02-15"
AFTER_THE_REPORT = "2024-03-31"
ONLY_THE_REPORT = {"incidents-by-component", "next-events", "race-position-reports",
                   "reconciliation"}  # fmt: skip


# -- running kg ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def kg(store: str, *args: str) -> Run:
    """`kg --store STORE --data DATA ARGS...` in-process, as a user runs it."""
    from kg.cli import cli

    result = CliRunner().invoke(
        cli, ["--store", store, *core_data_args(), *args], catch_exceptions=False, prog_name="kg"
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def command_line(store: str, args: Sequence[str]) -> str:
    import shlex

    return shlex.join(["kg", "--store", store, *args])


# -- the stores, once per module ------------------------------------------------------------


def _start_oxigraph_server(folder: Path) -> tuple[subprocess.Popen[bytes], SparqlServer]:
    """A real `oxigraph serve` on 127.0.0.1, as the suite's `oxigraph_server`, for a module."""
    from kg.stores.serve import free_port, server_binary

    port = free_port("127.0.0.1")
    log = folder / "oxigraph.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [server_binary(), "serve", "--location", str(folder / "server-db"),
             "--bind", f"127.0.0.1:{port}"],
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = SparqlServer(port)
    deadline = time.monotonic() + 20
    while True:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D", timeout=2):
                return process, server
        except (urllib.error.URLError, OSError):
            assert time.monotonic() < deadline, "oxigraph serve did not start"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Store name -> spec: memory, the index, a server filled by `kg push`, `kg serve`."""
    folder = tmp_path_factory.mktemp("equivalence")
    index = f"oxigraph:{folder / 'index'}"
    built = kg(index, "push")
    assert built.exit_code == 0, built.stderr
    process, server = _start_oxigraph_server(folder)
    serve: KgServe | None = None
    try:
        pushed = kg(REFERENCE, "push", "--store", server.spec)
        assert pushed.exit_code == 0, pushed.stderr
        serve = KgServe(DATA, folder / "serve-index")
        assert serve.url.startswith("http://127.0.0.1:"), serve.banner
        yield {
            REFERENCE: REFERENCE,
            "index": index,
            "server": server.spec,
            "kg-serve": f"sparql:{serve.url}",
        }
    finally:
        if serve is not None:
            serve.stop()
        process.terminate()
        process.wait(timeout=10)


# -- blank nodes ------------------------------------------------------------------------------


def _masked(row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple("_:" if _bnode(value) is not None else value for value in row)


def _bnode(value: object) -> str | None:
    if isinstance(value, dict) and value.get("type") == "bnode":
        return str(value["value"])
    return None


def relabel_rows(rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Rows with blank nodes renamed _:c0, _:c1, ... in the order of their signatures."""
    signature: dict[str, list[str]] = {}
    for row in rows:
        for position, value in enumerate(row):
            label = _bnode(value)
            if label is not None:
                signature.setdefault(label, []).append(repr((position, _masked(row))))
    ordered = sorted(signature, key=lambda label: sorted(signature[label]))
    canonical = {label: f"_:c{number}" for number, label in enumerate(ordered)}
    return [
        tuple(
            {"type": "bnode", "value": canonical[label]}
            if (label := _bnode(value)) is not None
            else value
            for value in row
        )
        for row in rows
    ]


def relabel_text(text: str) -> str:
    """Text with blank node labels (_:x) renamed _:c0, _:c1, ... by first appearance."""
    canonical: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return canonical.setdefault(match.group(0), f"_:c{len(canonical)}")

    return re.sub(r"_:[A-Za-z0-9_.-]*[A-Za-z0-9_-]", rename, text)


# -- saved queries ------------------------------------------------------------------------------


def order_keys(sparql: str) -> tuple[str, ...]:
    """The variables of the query's final ORDER BY, each once, in order.

    The rows' sequence of these values must be the same on every store. A key may be
    an expression of them, such as (!BOUND(?lapTime)) to put rows without a time
    last: it orders by values these variables already show."""
    clauses = re.findall(r"ORDER\s+BY\s+([^\n{}]*)\s*$", sparql, re.IGNORECASE | re.MULTILINE)
    if not clauses:
        return ()
    keys = tuple(dict.fromkeys(re.findall(r"\?(\w+)", clauses[-1])))
    assert keys and not re.search(r"\bDESC\b", clauses[-1]), clauses[-1]
    return keys


@dataclass(frozen=True)
class Answer:
    """A query's JSON answer, reduced to what every store must agree on."""

    variables: tuple[str, ...]
    rows: Counter[tuple[str, ...]]
    key_sequence: tuple[tuple[str, ...], ...]


def answer_of(run: Run, keys: tuple[str, ...]) -> Answer:
    payload = json.loads(run.stdout)
    variables = tuple(payload["variables"])
    raw = [tuple(row.get(var) for var in variables) for row in payload["rows"]]
    # Keys the query orders by but does not select cannot be seen: the sequence of the
    # selected ones must still agree (a query that orders by what it hides, as
    # fastest-laps does by the class's English name, ends with a unique key).
    positions = [variables.index(key) for key in keys if key in variables]
    # Blank nodes are masked in the keys: SPARQL leaves their order among themselves open.
    masked = as_text([_masked(row) for row in raw])
    return Answer(
        variables=variables,
        rows=Counter(as_text(relabel_rows(raw))),
        key_sequence=tuple(tuple(row[i] for i in positions) for row in masked),
    )


def cell(value: object) -> str:
    """One JSON value of a row, short: msr:bmw [BMW], "203.0"^^xsd:decimal, "text"@de."""
    from kg.model.namespaces import shorten

    if not isinstance(value, dict):
        return "UNBOUND"
    if value["type"] == "iri":
        return f"{shorten(value['value'])} [{value.get('label')}]"
    if value["type"] == "bnode":
        return str(value["value"])
    text = json.dumps(value["value"], ensure_ascii=False)
    if "lang" in value:
        return f"{text}@{value['lang']}"
    return f"{text}^^{shorten(value['datatype'])}" if "datatype" in value else text


def as_text(rows: Sequence[tuple[object, ...]]) -> list[tuple[str, ...]]:
    """Rows of JSON values as rows of their JSON text (hashable, comparable)."""
    return [tuple(json.dumps(value, sort_keys=True) for value in row) for row in rows]


def describe_rows(
    store: str, reference: Answer, other: Answer, variables: Sequence[str]
) -> list[str]:
    """The rows whose counts differ (at most SHOWN), each with its count on both stores."""
    differing = sorted(set(reference.rows - other.rows) | set(other.rows - reference.rows))
    lines = [f"  rows: {sum(reference.rows.values())} on {REFERENCE}, "
             f"{sum(other.rows.values())} on {store}; these differ:"]  # fmt: skip
    for row in differing[:SHOWN]:
        cells = ", ".join(
            f"{var}={cell(json.loads(text))}" for var, text in zip(variables, row, strict=True)
        )
        lines.append(
            f"    {reference.rows[row]} on {REFERENCE}, {other.rows[row]} on {store}: {cells}"
        )
    if len(differing) > SHOWN:
        lines.append(f"    ... and {len(differing) - SHOWN} more")
    return lines


def query_difference(store: str, spec: str, args: Sequence[str], reference: Answer,
                     other: Answer) -> str:  # fmt: skip
    """What differs between the reference's answer and a store's, or "" when nothing does."""
    problems: list[str] = []
    if other.variables != reference.variables:
        problems.append(f"  variables: {other.variables} instead of {reference.variables}")
    if other.rows != reference.rows:
        problems += describe_rows(store, reference, other, reference.variables)
    elif other.key_sequence != reference.key_sequence:
        first = next(
            number
            for number, (a, b) in enumerate(
                zip(reference.key_sequence, other.key_sequence, strict=True)
            )
            if a != b
        )
        problems.append(
            f"  the same rows in another ORDER BY order, from row {first}: "
            f"{REFERENCE} {reference.key_sequence[first]}, {store} {other.key_sequence[first]}"
        )
    if not problems:
        return ""
    return f"{store}: {command_line(spec, args)} differs from --store {REFERENCE}:\n" + (
        "\n".join(problems)
    )


@dataclass(frozen=True)
class QueryCase:
    """A saved query by name, or SPARQL given with -e (then `query` names the case)."""

    query: str
    as_of: str | None = None
    extra: tuple[str, ...] = ()
    expression: str | None = None

    @property
    def args(self) -> tuple[str, ...]:
        as_of = ("--as-of", self.as_of) if self.as_of else ()
        if self.expression is not None:
            return ("query", "-e", self.expression, "--format", "json", *as_of, *self.extra)
        params = [arg for name, value in QUERY_PARAMS.get(self.query, ()) for arg in
                  ("-p", name, value)]  # fmt: skip
        return ("query", self.query, *params, "--format", "json", *as_of, *self.extra)

    @property
    def text(self) -> str:
        return self.expression if self.expression is not None else SAVED[self.query].text

    @property
    def id(self) -> str:
        return "-".join([self.query, *([self.as_of] if self.as_of else []), *self.extra])


def as_of_day(name: str) -> str:
    if name in ONLY_THE_REPORT:
        return AFTER_THE_REPORT
    # At AS_OF the entity's facts are the 2023 article's and the results'; on this day,
    # the article's alone.
    return "2023-08-01" if name == "entity-facts" else AS_OF


# Questions of a journalist's kind over all the knowledge: things that several files
# type or state (one row each, however many files say so), and each file's graph.
TEAMS = "SELECT ?team WHERE { ?team a ms:Team } ORDER BY ?team"
SHARED = "SELECT ?person ?country WHERE { ?person ms:nationality ?country } ORDER BY ?person"
COUNT = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
# Blank nodes: the shapes' alternative paths and sh:or options (lists of blank nodes).
ALTERNATIVES = (
    "SELECT ?shape ?path ?alternative ?option ?datatype WHERE { "
    "{ ?shape sh:path ?path . ?path sh:alternativePath/rdf:rest*/rdf:first ?alternative } "
    "UNION { ?shape sh:or/rdf:rest*/rdf:first ?option . ?option sh:datatype ?datatype } } "
    "ORDER BY ?shape ?alternative ?datatype"
)
PER_GRAPH = (
    "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
)

SAVED = registry()
QUERY_CASES = [
    *(QueryCase(name) for name in SAVED),
    *(QueryCase(name, as_of_day(name)) for name in SAVED),
    QueryCase("decision-considerations", extra=("--lang", "de")),
    *(QueryCase(name, day, expression=sparql)
      for name, sparql in (("teams", TEAMS), ("nationalities", SHARED), ("triples", COUNT),
                           ("triples-per-graph", PER_GRAPH), ("blank-nodes", ALTERNATIVES))
      for day in (None, AS_OF)),
]  # fmt: skip


@pytest.mark.parametrize("case", QUERY_CASES, ids=lambda case: case.id)
def test_query_answers_alike_on_every_store(stores: dict[str, str], case: QueryCase) -> None:
    keys = order_keys(case.text)
    answers: dict[str, Answer] = {}
    for name, spec in stores.items():
        run = kg(spec, *case.args)
        assert run.exit_code == 0, f"{command_line(spec, case.args)}: {run.stderr}"
        answers[name] = answer_of(run, keys)
    reference = answers.pop(REFERENCE)
    assert not keys or set(keys) & set(reference.variables), (keys, reference.variables)
    assert reference.rows, f"{command_line(REFERENCE, case.args)} gives no rows"
    differences = [
        query_difference(name, stores[name], case.args, reference, answer)
        for name, answer in answers.items()
    ]
    assert not any(differences), "\n".join(d for d in differences if d)


def test_every_saved_query_is_compared() -> None:
    names = {path.stem for path in paths.queries_dir().glob("*.rq")}
    saved_cases = [case for case in QUERY_CASES if case.expression is None]
    assert names == set(SAVED) == {case.query for case in saved_cases if case.as_of is None}
    assert names == {case.query for case in saved_cases if case.as_of is not None}
    assert names >= ONLY_THE_REPORT


# -- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandCase:
    args: tuple[str, ...]
    # Reads the output: JSON (compared as parsed) or text; blank nodes relabelled first.
    read: Callable[[str], object] = relabel_text

    @property
    def id(self) -> str:
        return " ".join(self.args)


def _json(text: str) -> object:
    return json.loads(relabel_text(text))


DECISION = "msr:bmw-lmdh-customer-programme-decision"
EVENT = "msr:rolex-24-at-daytona-2024"
COMMAND_CASES = [
    # kg show --format json: a manufacturer, a person by name (in German), a decision, an
    # entry; as known on a day.
    *(CommandCase(("show", entity, "--format", "json"), _json)
      for entity in (ENTITY, DECISION, f"{EVENT}-entry-24")),
    CommandCase(("show", "Andreas Roos", "--format", "json", "--lang", "de"), _json),
    CommandCase(("show", ENTITY, "--format", "json", "--as-of", "2023-08-01"), _json),
    # Briefings that follow paths (a driver to the incidents of the car, a reported car
    # to its official twin, an event to every entry), and every stored fact.
    CommandCase(("show", "Dries Vanthoor")),
    CommandCase(("show", "#25", "--lang", "de")),
    CommandCase(("show", EVENT, "--all")),
    CommandCase(("show", ENTITY, "--format", "facts"), _json),
    CommandCase(("timeline", EVENT)),
    CommandCase(("timeline", "--format", "json"), _json),
    CommandCase(("decisions", "--format", "json"), _json),
    CommandCase(("validate", "--format", "json"), _json),
    # Commands that answer in text only: compared exactly.
    CommandCase(("decisions",)),
    CommandCase(("decisions", "show", DECISION, "--lang", "de", "--as-of", AS_OF)),
    CommandCase(("timeline",)),
    CommandCase(("timeline", DECISION, "--as-of", "2023-08-01")),
    CommandCase(("reconcile",)),
    CommandCase(("reconcile", "Rolex 24 at Daytona 2024")),
    CommandCase(("export",)),
    CommandCase(("export", "--as-of", "2023-08-01")),
]  # fmt: skip


@pytest.mark.parametrize("case", COMMAND_CASES, ids=lambda case: case.id)
def test_command_answers_alike_on_every_store(stores: dict[str, str], case: CommandCase) -> None:
    runs = {name: kg(spec, *case.args) for name, spec in stores.items()}
    reference = runs.pop(REFERENCE)
    assert reference.exit_code in (0, 1), reference.stderr
    assert reference.stdout.strip(), f"{command_line(REFERENCE, case.args)} printed nothing"
    expected = case.read(reference.stdout)
    differences = []
    for name, run in runs.items():
        line = f"{name}: {command_line(stores[name], case.args)}"
        if run.exit_code != reference.exit_code:
            differences.append(f"{line}: exit {run.exit_code} instead of {reference.exit_code}"
                               f"\n{run.stderr}")  # fmt: skip
        elif case.read(run.stdout) != expected:
            differences.append(f"{line} differs from --store {REFERENCE}:\n"
                               + text_difference(reference.stdout, run.stdout))  # fmt: skip
    assert not differences, "\n".join(differences)


def text_difference(expected: str, actual: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        relabel_text(expected).splitlines(), relabel_text(actual).splitlines(),
        REFERENCE, "store", lineterm="", n=1,
    )  # fmt: skip
    return "\n".join(list(lines)[:80])


# -- the comparison itself ----------------------------------------------------------------------


def test_blank_nodes_compare_modulo_relabelling() -> None:
    def row(*labels: str) -> tuple[object, ...]:
        return tuple({"type": "bnode", "value": label} for label in labels)

    iri = {"type": "iri", "value": "urn:x"}
    one = [(*row("a"), iri), row("a", "b"), row("b", "b")]
    renamed = [row("y", "y"), (*row("x"), iri), row("x", "y")]
    assert Counter(as_text(relabel_rows(one))) == Counter(as_text(relabel_rows(renamed)))
    joined_otherwise = [(*row("x"), iri), row("y", "x"), row("y", "y")]
    assert Counter(as_text(relabel_rows(one))) != Counter(as_text(relabel_rows(joined_otherwise)))
    assert relabel_text("_:n1 p _:n2 .\n_:n2 q _:n1 .") == relabel_text(
        "_:ab p _:cd .\n_:cd q _:ab ."
    )
    assert relabel_text("_:n1 p _:n2 .") != relabel_text("_:n1 p _:n1 .")


def test_another_order_by_order_is_a_difference() -> None:
    def answer(*keys: str) -> Answer:
        rows = [(json.dumps(key),) for key in keys]
        return Answer(("x",), Counter(rows), tuple(rows))

    reported = query_difference("index", "oxigraph", ["query"], answer("a", "b"), answer("b", "a"))
    assert "the same rows in another ORDER BY order, from row 0" in reported
    assert (
        query_difference("index", "oxigraph", ["query"], answer("a", "b"), answer("a", "b")) == ""
    )
    assert "1 on memory, 2 on index" in query_difference(
        "index", "oxigraph", ["query"], answer("a"), answer("a", "a")
    )


def test_order_keys_are_the_final_order_by() -> None:
    assert order_keys(SAVED["pending-decisions"].text) == ("decision", "part", "item")
    assert order_keys(SAVED["source-catalogue"].text) == (
        "published",
        "publishedNotBefore",
        "source",
    )
    assert order_keys(COUNT) == ()
