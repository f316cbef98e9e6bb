"""Hits written as results and as a SHACL report graph, the way pyshacl writes them."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.validation.fast.evaluator import Evaluator
from kg.validation.fast.hits import Hit
from kg.validation.fast.index import TripleIndex
from kg.validation.shacl import ValidationResult


def result_key(r: ValidationResult) -> tuple[str, ...]:
    return (
        r.source_file or "",
        r.focus,
        r.severity,
        r.path or "",
        r.message,
        r.value or "",
    )


def result_from_hit(
    hit: Hit, evaluator: Evaluator, source_files: Mapping[Node, str]
) -> ValidationResult:
    from kg.validation.shacl import SEVERITY_NAMES, shown

    label_context = _IndexLabels(evaluator.index)
    messages = sorted(str(m) for m in hit.messages)
    path = hit.path
    return ValidationResult(
        focus=shown(hit.focus),
        focus_label=label_context.label(hit.focus),
        focus_type=label_context.type_label(hit.focus),
        severity=SEVERITY_NAMES.get(hit.shape.severity, "violation"),
        message=messages[0] if messages else "does not meet the shape",
        path=shown(path) if isinstance(path, URIRef) else None,
        value=shown(hit.value) if hit.value is not None else None,
        shape=shown(hit.shape.node)
        if isinstance(hit.shape.node, URIRef)
        else "(an anonymous shape)",
        source_file=source_files.get(hit.focus),
    )


class _IndexLabels:
    """kg.validation's labelling rules, read from the index instead of rdflib graphs."""

    def __init__(self, index: TripleIndex) -> None:
        self.index = index

    def label(self, node: Node) -> str:
        from rdflib.namespace import SKOS

        from kg.validation.shacl import label_rank, shown

        for predicate in (SKOS.prefLabel, RDFS.label):
            labels = sorted(self.index.objects(node, predicate), key=label_rank)
            if labels:
                return str(labels[0])
        return shown(node)

    def type_label(self, node: Node) -> str:
        types = sorted(self.index.objects(node, RDF.type), key=str)
        if not types:
            return "untyped"
        return ", ".join(self.label(t) for t in types)


def graph_of_hits(hits: list[Hit], evaluator: Evaluator) -> Graph:
    from kg.model.namespaces import new_graph

    graph = new_graph()
    for hit in hits:
        _add_result(graph, hit, evaluator.shapes)
    return graph


def _add_result(graph: Graph, hit: Hit, shapes: Graph) -> BNode:
    result = BNode()
    graph.add((result, RDF.type, SH.ValidationResult))
    graph.add((result, SH.sourceConstraintComponent, hit.component))
    graph.add((result, SH.sourceShape, hit.shape.node))
    graph.add((result, SH.resultSeverity, hit.shape.severity))
    graph.add((result, SH.focusNode, hit.focus))
    if hit.value is not None:
        graph.add((result, SH.value, hit.value))
    if hit.path is not None:
        graph.add((result, SH.resultPath, _copy_path(shapes, hit.path, graph)))
    if hit.source_constraint is not None:
        graph.add((result, SH.sourceConstraint, hit.source_constraint))
    if isinstance(hit.shape.node, BNode):
        _copy_shape_term(shapes, hit.shape.node, graph)
    for message in hit.messages:
        graph.add((result, SH.resultMessage, message))
    for detail in hit.details:
        graph.add((result, SH.detail, _add_result(graph, detail, shapes)))
    return result


_PATH_KINDS = (
    SH.inversePath,
    SH.alternativePath,
    SH.zeroOrMorePath,
    SH.oneOrMorePath,
    SH.zeroOrOnePath,
)


def _copy_path(shapes: Graph, path: Node, graph: Graph) -> Node:
    """The path's triples as the engine reads the path: a list is a sequence, else
    its one path predicate; nothing else a strange path node carries (W3C tests
    core/path/path-strange-001 and -002)."""
    if not isinstance(path, BNode):
        return path
    if (path, RDF.first, None) in shapes:
        for predicate in (RDF.first, RDF.rest):
            inner = shapes.value(path, predicate)
            if inner is not None:
                graph.add((path, predicate, _copy_path(shapes, inner, graph)))
        return path
    for kind in _PATH_KINDS:
        inner = shapes.value(path, kind)
        if inner is not None:
            graph.add((path, kind, _copy_path(shapes, inner, graph)))
            return path
    return path


def _copy_shape_term(shapes: Graph, node: Node, graph: Graph) -> None:
    if not isinstance(node, BNode):
        return
    for p, o in shapes.predicate_objects(node):
        if (node, p, o) not in graph:
            graph.add((node, p, o))
            _copy_shape_term(shapes, o, graph)


def finish_report_graph(graph: Graph, conforms: bool) -> None:
    """One sh:ValidationReport over every result; `conforms` as SHACL means it (no result)."""
    for old in list(graph.subjects(RDF.type, SH.ValidationReport)):
        graph.remove((old, None, None))
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, RDFLiteral(conforms)))
    nested = set(graph.objects(None, SH.detail))
    for result in list(graph.subjects(RDF.type, SH.ValidationResult)):
        if result not in nested:
            graph.add((report, SH.result, result))
