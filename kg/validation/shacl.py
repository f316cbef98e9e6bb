"""SHACL validation: the only module that imports pyshacl.

Results come back as small frozen dataclasses, sorted, with enough context
(label, type, source file) for a person to find and fix the problem.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from kg.model.errors import InputError, UsageError
from kg.model.namespaces import new_graph, shorten

Inference = Literal["none", "rdfs", "owlrl"]
INFERENCE_CHOICES: tuple[str, ...] = ("none", "rdfs", "owlrl")

SEVERITY_NAMES: dict[Node, str] = {
    SH.Violation: "violation",
    SH.Warning: "warning",
    SH.Info: "info",
}


class ShapesFailure(InputError):
    """The shapes graph cannot be used as it is: SHACL says validation fails (for
    instance a SPARQL constraint with MINUS, VALUES or SERVICE, §5.3.1)."""


@dataclass(frozen=True)
class ValidationResult:
    """One thing wrong with one entity."""

    focus: str
    focus_label: str
    focus_type: str
    severity: str
    message: str
    path: str | None
    value: str | None
    shape: str
    source_file: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The results, and the SHACL report graph, made only when asked for.

    Building the report graph (tens of thousands of triples on a big graph) takes
    longer than finding the results; only `--format turtle` needs it.

    `conforms` is SHACL's verdict: no result of any severity (SHACL §3.6.1).
    `passes` is what kg's exit codes follow: no violation (warnings may remain).
    """

    results: tuple[ValidationResult, ...]
    entities_checked: int
    graph_maker: Callable[[], Graph] = field(repr=False, compare=False)

    @functools.cached_property
    def report_graph(self) -> Graph:
        return self.graph_maker()

    @property
    def conforms(self) -> bool:
        return not self.results

    @property
    def passes(self) -> bool:
        return self.violations == 0

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == "violation")

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.results if r.severity != "violation")


def validate(
    data: Graph | Dataset,
    shapes: Graph,
    ontology: Graph | None = None,
    inference: str = "none",
    source_files: Mapping[Node, str] | None = None,
) -> ValidationReport:
    """Validate `data` against `shapes`; `ontology` supplies classes and concepts.

    Inference (rdfs or owlrl) is applied to a copy, never to the caller's graphs.
    `source_files` maps subjects to the file that defines them, for the report.
    """
    if inference not in INFERENCE_CHOICES:
        raise UsageError(
            f"unknown inference {inference!r}: use one of {', '.join(INFERENCE_CHOICES)}"
        )
    import pyshacl
    import rdflib
    from pyshacl.errors import ReportableRuntimeError

    # pyshacl sets rdflib.NORMALIZE_LITERALS back to True after it loads a shapes
    # graph (pyshacl.monkey.rdflib_bool_unpatch), for the whole process: kg keeps
    # literals as written (kg.model.namespaces), so the setting is put back.
    normalize = rdflib.NORMALIZE_LITERALS
    try:
        _, report_graph, text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference=inference,
            advanced=True,
            allow_warnings=True,
            inplace=False,
        )
    except ReportableRuntimeError as problem:
        raise ShapesFailure(f"the shapes cannot be used: {problem.message}") from None
    except NotImplementedError as problem:
        raise ShapesFailure(f"pyshacl cannot check these shapes: {problem}") from None
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    if not isinstance(report_graph, Graph):  # pyshacl's ValidationFailure
        reason = str(text).strip().removeprefix("Validation Failure - ").strip()
        raise ShapesFailure(
            f"the shapes cannot be used: {reason} (see SHACL, https://www.w3.org/TR/shacl/)"
        )
    files: Mapping[Node, str] = source_files if source_files is not None else {}
    context = _LabelContext([data, *([ontology] if ontology is not None else [])])
    results = sorted(
        (
            _result(report_graph, node, context, files)
            for node in report_graph.subjects(RDF.type, SH.ValidationResult)
        ),
        key=lambda r: (
            r.source_file or "",
            r.focus,
            r.severity,
            r.path or "",
            r.message,
            r.value or "",
        ),
    )
    stable = new_graph()
    for triple in report_graph:
        stable.add(triple)
    # pyshacl with allow_warnings says sh:conforms true beside warnings; SHACL does not.
    for report in list(stable.subjects(RDF.type, SH.ValidationReport)):
        stable.set((report, SH.conforms, RDFLiteral(not results)))
    return ValidationReport(
        results=tuple(results),
        entities_checked=_count_entities(data),
        graph_maker=lambda: stable,
    )


def _count_entities(data: Graph | Dataset) -> int:
    return len({s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)})


class _LabelContext:
    def __init__(self, graphs: Sequence[Graph]) -> None:
        self.graphs = graphs

    def label(self, node: Node) -> str:
        for graph in self.graphs:
            for predicate in (SKOS.prefLabel, RDFS.label):
                labels = sorted(graph.objects(node, predicate), key=label_rank)
                if labels:
                    return str(labels[0])
        return shown(node)

    def type_label(self, node: Node) -> str:
        types = sorted({t for g in self.graphs for t in g.objects(node, RDF.type)}, key=str)
        if not types:
            return "untyped"
        return ", ".join(self.label(t) for t in types)


def label_rank(label: Node) -> tuple[int, str]:
    """Sort key of labels: English first, then untagged, then the rest, each by text."""
    lang = label.language if isinstance(label, RDFLiteral) else None
    return ({"en": 0, None: 1}.get(lang, 2), str(label))


def shown(node: Node | None) -> str:
    """A term as a report shows it: a prefixed name, a quoted literal with its datatype."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, BNode):
        return "(a blank node)"
    if isinstance(node, RDFLiteral):
        text = str(node)
        return f'"{text}"' if node.datatype is None else f'"{text}" ({shorten(str(node.datatype))})'
    return str(node)


def _result(
    report: Graph, node: Node, context: _LabelContext, source_files: Mapping[Node, str]
) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    severity = report.value(node, SH.resultSeverity)
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    shape = report.value(node, SH.sourceShape)
    return ValidationResult(
        focus=shown(focus),
        focus_label=context.label(focus) if focus is not None else "",
        focus_type=context.type_label(focus) if focus is not None else "",
        severity=SEVERITY_NAMES.get(severity, "violation") if severity is not None else "violation",
        message=messages[0] if messages else "does not meet the shape",
        path=shown(path) if isinstance(path, URIRef) else None,
        value=shown(value) if value is not None else None,
        shape=shown(shape) if isinstance(shape, URIRef) else "(an anonymous shape)",
        source_file=source_files.get(focus) if focus is not None else None,
    )
