"""Cutting a drawn graph down: the neighbourhood of a node, a subgraph, some predicates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import networkx as nx


def neighbourhood(graph: nx.MultiDiGraph, centre: str, depth: int) -> list[str]:
    """The nodes within `depth` hops of `centre`, links followed both ways."""
    import networkx as nx

    distances = nx.single_source_shortest_path_length(
        graph.to_undirected(as_view=True), centre, cutoff=depth
    )
    return list(distances)


def subgraph(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> nx.MultiDiGraph:
    """A copy of the graph on `nodes`, with the graph's attributes and only their facts."""
    keep = set(nodes)
    result = graph.subgraph(sorted(keep)).copy()
    result.graph = dict(graph.graph)
    result.graph["_facts"] = {n: f for n, f in graph.graph["_facts"].items() if n in keep}
    return cast("nx.MultiDiGraph", result)


def keep_predicates(graph: nx.MultiDiGraph, predicates: set[str]) -> None:
    """In place: only the edges of `predicates`, and the nodes they join (and the centre)."""
    drop = [
        (u, v, k) for u, v, k, p in graph.edges(keys=True, data="predicate") if p not in predicates
    ]
    graph.remove_edges_from(drop)
    centre = graph.graph.get("centre", "")
    isolated = [n for n in graph if graph.degree(n) == 0 and n != centre]
    graph.remove_nodes_from(isolated)
    graph.graph["_facts"] = {n: f for n, f in graph.graph["_facts"].items() if n in graph}
