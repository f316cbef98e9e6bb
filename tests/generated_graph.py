"""A generated graph for the interactive page at sizes the bundled knowledge does not
reach: used by tests/outputs/test_graph_large_browser.py and by
benchmarks/bench_graph_page.py, so that both measure the same shape."""

from __future__ import annotations

import networkx as nx

GROUPS = tuple(f"class {letter}" for letter in "abcdefghijkl")


def generated_graph(nodes: int) -> nx.MultiDiGraph:
    """A connected graph of twelve classes: a chain through every node plus a link
    every other node to a node further on (about 1.5 edges a node); labels as long
    as real ones."""
    graph = nx.MultiDiGraph()
    for index in range(nodes):
        group = GROUPS[index % len(GROUPS)]
        graph.add_node(
            f"urn:node:{index}",
            short=f"node:{index}",
            label=f"Generated {group} number {index}",
            aliases="",
            type=group,
            group=group,
            kind="entity" if index % 3 else "claim",
        )
    for index in range(1, nodes):
        graph.add_edge(
            f"urn:node:{(index * 7) % index}", f"urn:node:{index}", label="linked to", claim=""
        )
        if index % 2 == 0:
            target = (index * 31 + 17) % nodes
            graph.add_edge(f"urn:node:{index}", f"urn:node:{target}", label="next to", claim="")
    return graph
