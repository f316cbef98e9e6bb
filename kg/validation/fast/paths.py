"""Property paths: the value nodes a path reaches from a focus node, in the index."""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.validation.fast.index import TripleIndex
from kg.validation.fast.shapes import Unsupported

# Looked up once (an rdflib namespace attribute costs a Python call each time).
_FIRST = RDF.first


class PathValues:
    """Follows property paths through the index; each complex path is read once."""

    def __init__(self, index: TripleIndex, shapes: Graph) -> None:
        self.index = index
        self.shapes = shapes
        self._paths: dict[Node, tuple[Any, ...]] = {}

    def values(self, focus: Node, path: Node) -> set[Node]:
        if isinstance(path, URIRef):
            return set(self.index.objects(focus, path))
        return self._path_values({focus}, path)

    def _path_values(self, nodes: set[Node], path: Node) -> set[Node]:
        index = self.index
        if isinstance(path, URIRef):
            result: set[Node] = set()
            for node in nodes:
                result |= index.objects(node, path)
            return result
        plan = self._paths.get(path)
        if plan is None:
            plan = self._paths[path] = self._path_plan(path)
        kind, inner = plan[0], plan[1]
        if kind == "sequence":
            current = nodes
            for member in inner:
                current = self._path_values(current, member)
            return current
        if kind == "inverse":
            result = set()
            for node in nodes:
                result |= self._inverse_values(node, inner)
            return result
        if kind == "alternative":
            result = set()
            for member in inner:
                result |= self._path_values(nodes, member)
            return result
        include_self, repeat = plan[2], plan[3]
        result = set(nodes) if include_self else set()
        frontier = nodes
        seen: set[Node] = set()
        while frontier:
            step = self._path_values(frontier, inner)
            result |= step
            if not repeat:
                break
            frontier = step - seen
            seen |= step
        return result

    def _path_plan(self, path: Node) -> tuple[Any, ...]:
        """A complex path read once from the shapes graph (reading it at every focus
        node was a fifth of the validation time)."""
        shapes = self.shapes
        if (path, _FIRST, None) in shapes:
            return ("sequence", tuple(shapes.items(path)))
        inverse = shapes.value(path, SH.inversePath)
        if inverse is not None:
            return ("inverse", inverse)
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            return ("alternative", tuple(shapes.items(alternatives)))
        for kind, include_self, repeat in (
            (SH.zeroOrMorePath, True, True),
            (SH.oneOrMorePath, False, True),
            (SH.zeroOrOnePath, True, False),
        ):
            inner = shapes.value(path, kind)
            if inner is not None:
                return ("repeat", inner, include_self, repeat)
        raise Unsupported("a property path the fast engine cannot read")

    def _inverse_values(self, node: Node, inner: Node) -> set[Node]:
        if isinstance(inner, URIRef):
            return set(self.index.subjects(inner, node))
        # Inverse of a complex path: search from every subject (rare; small graphs).
        return {s for s in list(self.index.out) if node in self._path_values({s}, inner)}
