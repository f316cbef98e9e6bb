"""The evaluator: runs compiled shapes over an index, focus node by focus node for
the SHACL-core constraints and once per shape for the SPARQL-based ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from kg.validation.fast.constraints import evaluate
from kg.validation.fast.hits import Hit
from kg.validation.fast.index import TripleIndex
from kg.validation.fast.messages import DefaultMessages
from kg.validation.fast.paths import PathValues
from kg.validation.fast.shapes import Constraint, Shape, sort_key
from kg.validation.fast.sparql import run_sparql
from kg.validation.fast.terms import oxigraph_store, oxigraph_store_from


class Evaluator(PathValues):
    """Checks shapes against the index; SPARQL-based checks share one Oxigraph store."""

    def __init__(self, index: TripleIndex, shapes: Graph) -> None:
        super().__init__(index, shapes)
        self._sparql_store: Any = None
        self.quiet = 0

    # focus nodes ------------------------------------------------------------
    def focus_nodes(self, shape: Shape) -> set[Node]:
        found: set[Node] = set(shape.target_nodes)
        for cls in shape.target_classes:
            found |= self.index.instances(cls)
        for predicate in shape.target_subjects_of:
            for s, po in self.index.out.items():
                if predicate in po:
                    found.add(s)
        for predicate in shape.target_objects_of:
            for o, ps in self.index.inc.items():
                if predicate in ps:
                    found.add(o)
        return found

    def targets_among(self, shape: Shape, nodes: Iterable[Node]) -> set[Node]:
        """The nodes of `nodes` that `shape` targets: focus_nodes(shape) & nodes, asked
        node by node (an incremental check of a few nodes need not list every target)."""
        index = self.index
        found: set[Node] = set()
        for node in nodes:
            out = index.out.get(node, {})
            into = index.inc.get(node, {})
            if (
                node in shape.target_nodes
                or any(index.is_instance(node, cls) for cls in shape.target_classes)
                or any(predicate in out for predicate in shape.target_subjects_of)
                or any(predicate in into for predicate in shape.target_objects_of)
            ):
                found.add(node)
        return found

    # constraints ------------------------------------------------------------
    def check(self, shape: Shape, focus_nodes: Iterable[Node]) -> list[Hit]:
        hits: list[Hit] = []
        if shape.deactivated:
            return hits
        focus_list = list(focus_nodes)
        for focus in focus_list:
            value_nodes = self.values(focus, shape.path) if shape.path is not None else {focus}
            for constraint in shape.constraints:
                if constraint.kind == "sparql":
                    continue
                if constraint.kind == "node":
                    hits.extend(self._node_hits(shape, constraint, focus, value_nodes))
                    continue
                for found in evaluate(self, shape, constraint, focus, value_nodes):
                    value, extra_messages = found[0], found[1]
                    component = found[2] if len(found) > 2 else constraint.component
                    hits.append(
                        Hit(
                            shape,
                            focus,
                            component,
                            value,
                            shape.path,
                            [*shape.messages] or extra_messages,
                        )
                    )
            # A property shape's own property shapes apply to its value nodes (SHACL
            # §2.3.1: a property shape validates each value node against sh:property).
            targets = [focus] if shape.path is None else sorted(value_nodes, key=sort_key)
            for prop in shape.properties:
                hits.extend(self.check(prop, targets))
        for constraint in shape.constraints:
            if constraint.kind == "sparql":
                hits.extend(self._sparql_hits(shape, constraint, focus_list))
        return hits

    def _node_hits(
        self, shape: Shape, constraint: Constraint, focus: Node, value_nodes: set[Node]
    ) -> list[Hit]:
        # Like pyshacl: one result per failing value node, the nested shape's results
        # under it (sh:detail in the report graph).
        hits: list[Hit] = []
        messages = DefaultMessages(self, shape, constraint, focus)
        for value in sorted(value_nodes, key=sort_key):
            for index, rule in enumerate(constraint.values):
                nested = self.check(constraint.extra["shapes"][index], [value])
                if nested:
                    own = [*shape.messages] or messages.for_value(value, rule)
                    component = constraint.component
                    hit = Hit(shape, focus, component, value, shape.path, own, details=nested)
                    hits.append(hit)
        return hits

    def conforms(self, node: Node, shape: Shape) -> bool:
        # Conformance needs no messages: skip building them (pyshacl's wording is costly).
        self.quiet += 1
        try:
            return not self.check(shape, [node])
        finally:
            self.quiet -= 1

    # SPARQL -----------------------------------------------------------------
    def _sparql_hits(
        self, shape: Shape, constraint: Constraint, focus_list: list[Node]
    ) -> list[Hit]:
        hits: list[Hit] = []
        if not focus_list:
            return hits
        store = self._oxigraph()
        for query in constraint.extra["queries"]:
            if query.deactivated:
                continue
            hits.extend(run_sparql(store, shape, query, focus_list))
        return hits

    def _oxigraph(self) -> Any:
        if self._sparql_store is None:
            if self.index.ntriples is not None:
                self._sparql_store = oxigraph_store_from(self.index.ntriples)
            else:
                self._sparql_store = oxigraph_store(self.index.triples())
        return self._sparql_store
