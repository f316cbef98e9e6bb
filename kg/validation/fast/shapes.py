"""Compiled shapes: what the fast engine checks, and what it hands to pyshacl."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node


@dataclass(frozen=True)
class Fallback:
    """A shape the fast engine hands to pyshacl, and why. `node` is the shape itself:
    two anonymous shapes have the same name but only the one that falls back goes."""

    shape: str
    reason: str
    node: Node | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ShapesPlan:
    """What the fast engine will do with a shapes graph."""

    shapes: tuple[Shape, ...] = field(repr=False)
    fallbacks: tuple[Fallback, ...]
    shapes_graph: Graph = field(repr=False, compare=False)

    @property
    def fully_supported(self) -> bool:
        return not self.fallbacks


@dataclass
class Constraint:
    """One constraint parameter of a shape, its values read once (`extra` holds what
    its check needs ready: members, regexes, nested shapes, queries)."""

    parameter: Node
    component: URIRef
    values: tuple[Node, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    # The parameter's local name, compared as a plain string in the hot loop
    # (rdflib's SH.x attribute lookups are slow).
    kind: str = ""

    def __post_init__(self) -> None:
        self.kind = str(self.parameter)[len(str(SH)) :]


@dataclass
class Shape:
    """A shape with a target, or one nested in it (property shapes, sh:node, sh:or...)."""

    node: Node
    path: Node | None
    severity: Node
    messages: tuple[Node, ...]
    constraints: list[Constraint]
    properties: list[Shape]
    target_classes: tuple[Node, ...] = ()
    target_nodes: tuple[Node, ...] = ()
    target_subjects_of: tuple[Node, ...] = ()
    target_objects_of: tuple[Node, ...] = ()
    deactivated: bool = False

    @property
    def has_targets(self) -> bool:
        return bool(
            self.target_classes
            or self.target_nodes
            or self.target_subjects_of
            or self.target_objects_of
        )


class Unsupported(Exception):
    """Something the fast engine does not evaluate: its shape goes to pyshacl."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sort_key(node: Node) -> tuple[int, str]:
    """IRIs before blank nodes, each by its text: the order focus and value nodes are checked in."""
    return (0 if isinstance(node, URIRef) else 1, str(node))


def show_term(node: Node) -> str:
    """A shape or parameter as a fallback note names it."""
    from kg.validation.shacl import shown

    return shown(node) if not isinstance(node, BNode) else "(an anonymous shape)"
