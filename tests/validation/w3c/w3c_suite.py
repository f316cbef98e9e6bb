"""The W3C SHACL test suite (core and SPARQL), run on each engine kg offers.

Reads the suite's manifests (``mf:Manifest``, ``mf:include``, ``mf:entries`` of
``sht:Validate``), validates each entry's data graph against its shapes graph
with an engine, and compares the report with the expected one the way the
suite describes it (its "full compliance"): only the top-level results of the
report count (nested ``sh:detail`` results are left out), each with only
``rdf:type``, ``sh:focusNode``, ``sh:resultPath`` (its path structure cloned per
result), ``sh:resultSeverity``, ``sh:sourceConstraint``,
``sh:sourceConstraintComponent``, ``sh:sourceShape`` and ``sh:value`` (and
``sh:resultMessage`` where the expected report gives one, as message-001
requires), and the two graphs must be isomorphic, blank nodes included.
An entry whose result is ``sht:Failure`` expects the engine to refuse the
shapes graph with an error (kg's ``ShapesFailure``).

Each (entry, engine) is one of

- passed: the engine gave the expected report (or the expected failure) itself;
- refused: the engine handed shapes to pyshacl, said so in a note, and the
  outcome was right;
- known: pyshacl gave a wrong answer on an entry listed, with the reason, in
  KNOWN_PYSHACL_FAILURES, and the engine is pyshacl or said it handed the shapes
  to pyshacl;
- wrong: anything else (a different report, no failure where one is due, a
  failure or crash where a report is due).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rdflib import BNode, Graph, Namespace
from rdflib import Literal as RDFLiteral
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

# kg keeps literals as written (rdflib.NORMALIZE_LITERALS off, set when kg's model
# is imported): the expected reports must be read the same way as the data, or
# "2011-01-01"^^xsd:dateTime in one would be "2011-01-01T00:00:00" in the other.
import kg.model.namespaces  # noqa: F401

SUITE = Path(__file__).parent / "sht_tests"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

ENGINES: tuple[str, ...] = ("pyshacl", "fast", "auto")

# The predicates of a result that the suite compares (besides rdf:type).
COMPARED = (
    SH.focusNode,
    SH.resultPath,
    SH.resultSeverity,
    SH.sourceConstraint,
    SH.sourceConstraintComponent,
    SH.sourceShape,
    SH.value,
)

# Entries where the reference, pyshacl as kg runs it, does not give the expected
# answer, each with the reason. Such an entry counts as "known" for pyshacl (and
# for an engine that hands it to pyshacl, saying so); test_w3c_shacl.py checks
# that pyshacl is still wrong on each, so the list cannot outlive a fix.
KNOWN_PYSHACL_FAILURES: dict[str, str] = {
    "sparql/pre-binding/shapesGraph-001": (
        "pyshacl does not pre-bind $shapesGraph and $currentShape: it raises "
        "NotImplementedError, which kg reports as a ShapesFailure (pyshacl's own suite "
        "lists this entry as an allowed failure). The fast engine hands such queries "
        "to pyshacl."
    ),
    "core/property/uniqueLang-002": (
        'the shapes say sh:uniqueLang "1"^^xsd:boolean, which is not the term true, so '
        "the constraint does not apply. pyshacl reads that literal as false only while "
        "it parses a shapes file itself; kg hands it a parsed graph, in which rdflib "
        "reads it as true, so pyshacl reports a violation. The fast engine gets it right."
    ),
}

Outcome = Literal["passed", "refused", "known", "wrong"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "refused", "known", "wrong")


@dataclass(frozen=True)
class Case:
    """One sht:Validate entry."""

    name: str  # e.g. "core/node/hasValue-001": the entry's file, relative to the suite
    label: str
    data: Path
    shapes: Path
    expects_failure: bool
    expected: Graph  # the expected report, reduced as the suite compares it
    keeps_messages: bool


@dataclass(frozen=True)
class Verdict:
    case: Case
    engine: str
    outcome: Outcome
    detail: str  # why it is wrong, or what was handed to pyshacl
    handed: bool = False  # the engine said it handed shapes to pyshacl


def _parse(path: Path) -> Graph:
    graph = Graph(bind_namespaces="core")
    graph.parse(path, format="turtle", publicID=path.as_uri())
    return graph


def _path_of(node: Node) -> Path:
    text = str(node)
    if not text.startswith("file://"):
        raise ValueError(f"{text} is not a file of the suite")
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(text).path))


def cases(manifest: Path = SUITE / "manifest.ttl") -> list[Case]:
    """Every sht:Validate entry reachable from `manifest`, in manifest order."""
    return list(_cases(manifest, set()))


def _cases(manifest: Path, seen: set[Path]) -> Iterator[Case]:
    if manifest in seen:
        return
    seen.add(manifest)
    graph = _parse(manifest)
    for root in graph.subjects(RDF.type, MF.Manifest):
        for included in sorted(graph.objects(root, MF.include), key=str):
            yield from _cases(_path_of(included), seen)
        for entries in graph.objects(root, MF.entries):
            for entry in Collection(graph, entries):
                if (entry, RDF.type, SHT.Validate) in graph:
                    yield _case(graph, entry, manifest)


def _case(graph: Graph, entry: Node, manifest: Path) -> Case:
    action = graph.value(entry, MF.action)
    result = graph.value(entry, MF.result)
    if action is None or result is None:
        raise ValueError(f"{manifest}: entry {entry} has no mf:action or mf:result")
    data = graph.value(action, SHT.dataGraph)
    shapes = graph.value(action, SHT.shapesGraph)
    if data is None or shapes is None:
        raise ValueError(f"{manifest}: entry {entry} lacks sht:dataGraph or sht:shapesGraph")
    name = manifest.relative_to(SUITE).with_suffix("").as_posix()
    fragment = str(entry).rsplit("/", 1)[-1]
    if fragment != manifest.stem:
        name = f"{name}#{fragment}"
    expects_failure = result == SHT.Failure
    keeps_messages = any(
        (r, SH.resultMessage, None) in graph for r in graph.objects(result, SH.result)
    )
    expected = Graph() if expects_failure else comparable(graph, result, keeps_messages)
    return Case(
        name=name,
        label=str(graph.value(entry, RDFS.label) or name),
        data=_path_of(data),
        shapes=_path_of(shapes),
        expects_failure=expects_failure,
        expected=expected,
        keeps_messages=keeps_messages,
    )


def comparable(graph: Graph, report: Node, keep_messages: bool) -> Graph:
    """The report as the suite compares it: the report node, its conforms, and its
    top-level results with the compared predicates only."""
    reduced = Graph()
    top = BNode()
    reduced.add((top, RDF.type, SH.ValidationReport))
    for conforms in graph.objects(report, SH.conforms):
        reduced.add((top, SH.conforms, RDFLiteral(bool(conforms.toPython()))))  # type: ignore[attr-defined]
    for result in graph.objects(report, SH.result):
        reduced.add((top, SH.result, result))
        reduced.add((result, RDF.type, SH.ValidationResult))
        predicates = COMPARED + ((SH.resultMessage,) if keep_messages else ())
        for predicate in predicates:
            for value in graph.objects(result, predicate):
                if predicate == SH.resultPath and isinstance(value, BNode):
                    value = _clone(graph, value, reduced)
                reduced.add((result, predicate, value))
    return reduced


def _clone(source: Graph, node: BNode, target: Graph) -> BNode:
    """A copy of a blank-node path structure under fresh blank nodes (the suite: path
    structures must not be shared between results)."""
    copy = BNode()
    for predicate, value in source.predicate_objects(node):
        if isinstance(value, BNode):
            value = _clone(source, value, target)
        target.add((copy, predicate, value))
    return copy


def run(case: Case, engine: str) -> Verdict:
    """Validate `case` with `engine` and judge the outcome."""
    from kg.model.errors import KGError
    from kg.validation.fast import validate_with_engine
    from kg.validation.shacl import ShapesFailure

    notes: list[str] = []
    data = _parse(case.data)
    shapes = _parse(case.shapes)
    try:
        report = validate_with_engine(engine, data, shapes, on_note=notes.append)
        actual = report.report_graph
    except ShapesFailure as failure:
        if not case.expects_failure:
            return _verdict(case, engine, notes, f"failed where a report is due: {failure}")
        return _verdict(case, engine, notes)
    except (KGError, Exception) as crash:  # noqa: BLE001 - a crash is a wrong answer here
        return _verdict(case, engine, notes, f"{type(crash).__name__}: {crash}")
    if case.expects_failure:
        return _verdict(case, engine, notes, "gave a report where the suite expects a failure")
    reports = list(actual.subjects(RDF.type, SH.ValidationReport))
    if len(reports) != 1:
        return _verdict(case, engine, notes, f"{len(reports)} sh:ValidationReport nodes")
    reduced = comparable(actual, reports[0], case.keeps_messages)
    if not isomorphic(reduced, case.expected):
        return _verdict(case, engine, notes, difference(case.expected, reduced))
    return _verdict(case, engine, notes)


def _verdict(case: Case, engine: str, notes: list[str], wrong: str | None = None) -> Verdict:
    handed = bool(notes)
    if wrong is not None:
        pyshacl_answered = engine == "pyshacl" or handed
        known = case.name in KNOWN_PYSHACL_FAILURES and pyshacl_answered
        return Verdict(case, engine, "known" if known else "wrong", wrong, handed)
    return Verdict(case, engine, "refused" if handed else "passed", "; ".join(notes), handed)


def difference(expected: Graph, actual: Graph) -> str:
    """What the reports differ in, as N-Triples lines (for a failing test's message)."""
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = ["missing:", *_lines(only_expected), "unexpected:", *_lines(only_actual)]
    return "\n".join(lines)


def _lines(graph: Graph) -> list[str]:
    return sorted(f"  {s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph)  # type: ignore[union-attr]


def run_all(engines: tuple[str, ...] = ENGINES) -> list[Verdict]:
    return [run(case, engine) for case in cases() for engine in engines]
