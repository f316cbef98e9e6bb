"""What evaluating a shape yields (a hit per result), and what the checks read of
the evaluator that runs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.validation.fast.index import TripleIndex
from kg.validation.fast.shapes import Shape


@dataclass
class Hit:
    """One result of the fast engine, before it is written as a ValidationResult."""

    shape: Shape
    focus: Node
    component: URIRef
    value: Node | None
    path: Node | None
    messages: list[Node]
    source_constraint: Node | None = None
    # The nested shape's results behind an sh:node result (sh:detail in the report).
    details: list[Hit] = field(default_factory=list)

    def with_details(self) -> list[Hit]:
        """This hit and every hit nested under it, depth first."""
        found = [self]
        for detail in self.details:
            found.extend(detail.with_details())
        return found


class Evaluation(Protocol):
    """The evaluator as the constraint checks and the default messages see it."""

    index: TripleIndex
    shapes: Graph
    # Above zero while checking conformance only: no messages are wanted then.
    quiet: int

    def conforms(self, node: Node, shape: Shape) -> bool: ...
