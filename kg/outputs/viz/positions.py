"""Where each node goes (a seeded, deterministic layout) and the colour of its class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

# Colour-blind-friendly, distinct at a glance; groups take them in sorted order.
PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
    "#7b4173",
)


# Above this many nodes in one component, the all-pairs force layout costs too much
# memory and time (it holds count x count matrices); a spiral stands in.
SPRING_LIMIT = 1000


def colours(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Group (class) -> colour, assigned in sorted group order so the same classes keep theirs."""
    groups = sorted({str(group) for _, group in graph.nodes(data="group")})
    return {group: PALETTE[index % len(PALETTE)] for index, group in enumerate(groups)}


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Deterministic positions in [-1, 1]: a seeded spring layout per connected component,
    the components packed in rows, largest first.

    One spring layout over everything would fling small components and lone
    nodes to the rim and squeeze the main component into a corner.
    """
    import networkx as nx

    if len(graph) == 0:
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph))
    simple.add_edges_from(sorted((u, v) for u, v in graph.edges() if u != v))
    components = sorted(
        (sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0])
    )
    placed: dict[str, tuple[float, float]] = {}
    sizes = [len(c) ** 0.5 for c in components]
    row_width = max(sizes[0] * 2.2, sum(s * s * 4 for s in sizes) ** 0.5 * 1.15)
    x = y = 0.0
    row_height = 0.0
    for component, size in zip(components, sizes, strict=True):
        if len(component) == 1:
            local = {component[0]: (0.0, 0.0)}
        elif len(component) > SPRING_LIMIT:
            local = _spiral(simple, component)
        else:
            index = {node: i for i, node in enumerate(component)}
            pairs = [(index[u], index[v]) for u, v in simple.subgraph(component).edges()]
            found = _spring(len(component), pairs, seed=20240128)
            local = {node: (float(found[i][0]), float(found[i][1])) for node, i in index.items()}
        width = 2.2 * size
        if x > 0 and x + width > row_width:
            x, y = 0.0, y - row_height
            row_height = 0.0
        for node, (px, py) in local.items():
            placed[node] = (x + width / 2 + px * size, y - width / 2 + py * size)
        x += width
        row_height = max(row_height, width)
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    middle_x, middle_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
    return {
        node: (round((px - middle_x) / half, 4), round((py - middle_y) / half, 4))
        for node, (px, py) in sorted(placed.items())
    }


def _spiral(simple: nx.Graph, component: Sequence[str]) -> dict[str, tuple[float, float]]:
    """A component too large for the force layout: nodes on a sunflower spiral in
    breadth-first order from the best-linked node, so that neighbours stay near.

    Linear in the nodes; the page lays out what it shows by itself, so this only
    places what "show all" draws.
    """
    import math

    start = min(component, key=lambda node: (-simple.degree(node), node))
    order: list[str] = [start]
    seen = {start}
    for node in order:
        for neighbour in sorted(simple.neighbors(node)):
            if neighbour not in seen:
                seen.add(neighbour)
                order.append(neighbour)
    golden = math.pi * (3 - math.sqrt(5))
    count = len(order)
    return {
        node: (
            math.sqrt((i + 0.5) / count) * math.cos(i * golden),
            math.sqrt((i + 0.5) / count) * math.sin(i * golden),
        )
        for i, node in enumerate(order)
    }


def _spring(count: int, pairs: Sequence[tuple[int, int]], seed: int, iterations: int = 120) -> Any:
    """Fruchterman-Reingold force layout (as networkx's spring_layout), vectorised with
    numpy over all node pairs and seeded: the same graph always gets the same picture.

    networkx switches to a slow per-node loop (and needs scipy) from 500 nodes on;
    this stays a few matrix operations per step. Returns an array in [-1, 1].
    """
    import numpy as np

    random = np.random.default_rng(seed)
    positions = random.random((count, 2))
    adjacency = np.zeros((count, count))
    for u, v in pairs:
        adjacency[u, v] = adjacency[v, u] = 1.0
    k = (1.0 / count) ** 0.5
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = positions[:, np.newaxis, :] - positions[np.newaxis, :, :]
        distance = np.clip(np.linalg.norm(delta, axis=-1), 0.01, None)
        force = k * k / distance**2 - adjacency * distance / k
        displacement = np.einsum("ijk,ij->ik", delta, force)
        length = np.linalg.norm(displacement, axis=-1)
        length = np.where(length < 0.01, 0.1, length)
        positions += displacement * (temperature / length)[:, np.newaxis]
        temperature -= cooling
    positions -= positions.mean(axis=0)
    scale = np.abs(positions).max() or 1.0
    return positions / scale
