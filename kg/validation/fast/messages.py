"""Default messages in pyshacl's wording, so that both engines report the same."""

from __future__ import annotations

from typing import cast

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import SH
from rdflib.term import Node

from kg.validation.fast.hits import Evaluation
from kg.validation.fast.index import TripleIndex
from kg.validation.fast.shapes import Constraint, Shape, Unsupported, show_term


class DefaultMessages:
    """pyshacl's default messages for one constraint at one focus node; none when the
    shape has its own messages or while only conformance is checked."""

    def __init__(self, evaluator: Evaluation, shape: Shape, constraint: Constraint, focus: Node):
        self.evaluator = evaluator
        self.shape = shape
        self.constraint = constraint
        self.focus = focus

    def _needed(self) -> bool:
        return not self.shape.messages and not self.evaluator.quiet

    def _shape_term(self, node: Node) -> str:
        return _stringify(self.evaluator.shapes, node)

    def _data_term(self, node: Node) -> str:
        return _stringify_data(self.evaluator, node)

    def count(self, words: str, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        count = str(rule.toPython())  # type: ignore[attr-defined]
        focus = self._data_term(self.focus)
        if self.shape.path is not None:
            path = self._shape_term(self.shape.path)
            return [RDFLiteral(f"{words} {count} values on {focus}->{path}")]
        return [RDFLiteral(f"{words} {count} values on {focus}")]

    def qualified(self, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        counts = ""
        if self.constraint.extra["min"] is not None:
            counts += f" MinCount {self.constraint.extra['min']}"
        if self.constraint.extra["max"] is not None:
            counts += f" MaxCount {self.constraint.extra['max']}"
        shapes = ",".join(self._shape_term(s) for s in self.constraint.values)
        plural = "s" if len(self.constraint.values) > 1 else ""
        listed = f"({shapes})" if plural else shapes
        return [RDFLiteral(f"Focus node does not conform to shape{plural}{counts}: {listed}")]

    def pair(self, value: Node, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        sign = {
            SH.equals: "!=",
            SH.disjoint: "==",
            SH.lessThan: "<=",
            SH.lessThanOrEquals: "<",
        }[cast(URIRef, self.constraint.parameter)]
        rules = ", ".join(self._shape_term(r) for r in self.constraint.values)
        focus = self._data_term(self.focus)
        return [RDFLiteral(f"Value of {focus}->{rules} {sign} {self._data_term(value)}")]

    def has_value(self) -> list[Node]:
        if not self._needed():
            return []
        values = [self._shape_term(v) for v in self.constraint.values]
        if self.shape.path is not None:
            focus = self._data_term(self.focus)
            path = self._shape_term(self.shape.path)
            return [
                RDFLiteral(f"Node {focus}->{path} does not contain a value in the set: {values}")
            ]
        focus = self._data_term(self.focus)
        return [RDFLiteral(f"Node {focus} value is not a in the set of values: {values}")]

    def for_value(self, value: Node, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        parameter = self.constraint.parameter
        rules = self.constraint.values
        shape_term = self._shape_term
        if parameter == SH.datatype:
            text = f"Value is not Literal with datatype {shape_term(rule)}"
        elif parameter == SH["class"]:
            text = (
                f"Value does not have class {shape_term(rules[0])}"
                if len(rules) < 2
                else f"Value class is not in classes ({', '.join(shape_term(c) for c in rules)})"
            )
        elif parameter == SH.nodeKind:
            text = f"Value is not of Node Kind {shape_term(rule)}"
        elif parameter == SH["in"]:
            members = [shape_term(m) for m in self.constraint.extra["members"][0]]
            text = f"Value {self._data_term(value)} not in list {members}"
        elif parameter == SH.languageIn:
            text = f"String language is not in {shape_term(rules[0])}"
        elif parameter == SH.pattern:
            if len(rules) < 2:
                text = f"Value does not match pattern '{rules[0]}'"
            else:
                text = "Value does not match every pattern in ('{}')".format(
                    "', '".join(str(r) for r in rules)
                )
        elif parameter in (SH.minLength, SH.maxLength):
            sign = ">=" if parameter == SH.minLength else "<="
            text = f"String length not {sign} {self._data_term(rules[0])}"
        elif parameter in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            sign = {
                SH.minInclusive: ">=",
                SH.maxInclusive: "<=",
                SH.minExclusive: ">",
                SH.maxExclusive: "<",
            }[cast(URIRef, parameter)]
            if len(rules) < 2:
                text = f"Value is not {sign} {shape_term(rules[0])}"
            else:
                text = f"Value is not {sign} in ({', '.join(shape_term(r) for r in rules)})"
        elif parameter in (SH["or"], SH["and"], SH.xone):
            word = {
                SH["or"]: "must conform to one or more shapes in",
                SH["and"]: "must conform to all shapes in",
                SH.xone: "must conform to exactly one shape in",
            }[cast(URIRef, parameter)]
            graph = self.evaluator.shapes
            if len(rules) < 2:
                listed = " , ".join(shape_term(item) for item in graph.items(rules[0]))
            else:
                listed = " and ".join(
                    "({})".format(" , ".join(shape_term(item) for item in graph.items(r)))
                    for r in rules
                )
            text = f"Node {self._data_term(value)} {word} {listed}"
        elif parameter == SH["not"]:
            if len(rules) == 1:
                text = f"Node {self._data_term(value)} must not conform to shape {shape_term(rule)}"
            else:
                listed = " , ".join(shape_term(n) for n in rules)
                text = f"Node {self._data_term(value)} must not conform to any shapes in {listed}"
        elif parameter == SH.node:
            if len(rules) < 2:
                text = f"Value does not conform to Shape {shape_term(rules[0])}."
            else:
                listed = "', '".join(shape_term(c) for c in rules)
                text = f"Value must conform to every Shape in ('{listed}')."
            text += " See details for more information."
        else:  # pragma: no cover - every supported parameter is listed above
            raise Unsupported(f"no message for {show_term(parameter)}")
        return [RDFLiteral(text)]


def _stringify(graph: Graph, node: Node) -> str:
    """pyshacl's rendering of a term (prefixed names, literals, blank nodes)."""
    from pyshacl.rdfutil.stringify import stringify_node

    return str(stringify_node(graph, node))


def _stringify_data(evaluator: Evaluation, node: Node) -> str:
    if isinstance(node, BNode):
        # pyshacl renders a blank node from its description in the data graph.
        graph = _namespaced_graph()
        _copy_description(evaluator.index, node, graph, set())
        return _stringify(graph, node)
    return _stringify(_data_prefix_graph(), node)


_PREFIX_GRAPH: list[Graph] = []


def _data_prefix_graph() -> Graph:
    if not _PREFIX_GRAPH:
        _PREFIX_GRAPH.append(_namespaced_graph())
    return _PREFIX_GRAPH[0]


def _namespaced_graph() -> Graph:
    # pyshacl's working copy of the data graph gets rdflib's default bindings plus
    # the data graph's own; the project's graphs bind the project's prefixes.
    from kg.model.namespaces import bind_all

    graph = Graph()
    bind_all(graph)
    return graph


def _copy_description(index: TripleIndex, node: Node, target: Graph, seen: set[Node]) -> None:
    if node in seen:
        return
    seen.add(node)
    for predicate, objects in index.out.get(node, {}).items():
        for obj in objects:
            target.add((node, predicate, obj))
            if isinstance(obj, BNode):
                _copy_description(index, obj, target, seen)
