"""Deterministic serialisation: the same graph gives the same bytes on every run."""

from __future__ import annotations

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from kg.model.namespaces import new_graph


def canonical(graph: Graph) -> Graph:
    """A copy whose blank nodes carry names derived from their content, not from chance."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        copy = new_graph()
        for triple in graph:
            copy.add(triple)
        return copy
    canon = new_graph()
    for triple in to_canonical_graph(graph):
        canon.add(triple)
    return canon


def stable_turtle(graph: Graph) -> str:
    """Sorted Turtle with the project's prefixes only."""
    text = canonical(graph).serialize(format="turtle")
    return text.rstrip() + "\n"
