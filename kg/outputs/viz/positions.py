"""Where each node goes (a seeded, deterministic layout) and the colour of its class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kg.outputs.viz.grid_layout import grid_spring

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


# Up to this many nodes in one component, the all-pairs force layout, which holds
# count x count matrices (about 2 s and 20 MiB at 600 nodes, 424 s and 4.5 GiB at
# 10,000, on 2 cores); above it, the grid layout of grid_layout.py: the same forces,
# memory and time near linear (2.4 s and 11 MiB at 10,000 nodes), benchmarks/bench_layout.py.
# 600 keeps the bundled data's largest component (573 nodes) on the all-pairs layout,
# so its pictures stay the same bytes.
SPRING_LIMIT = 600

# Every layout starts from the same random positions: the same graph, the same picture.
SEED = 20240128

# Components of the same size laid out together hold this many node pairs at most
# (some 48 bytes each: about 25 MB).
_BATCH_CELLS = 1 << 19


def colours(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Group (class) -> colour, assigned in sorted group order so the same classes keep theirs."""
    groups = sorted({str(group) for _, group in graph.nodes(data="group")})
    return {group: PALETTE[index % len(PALETTE)] for index, group in enumerate(groups)}


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Deterministic positions in [-1, 1]: a seeded force layout per connected component
    (all pairs up to SPRING_LIMIT nodes, the grid layout above), the components packed
    in rows, largest first.

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
    # Each node's component and place in it, and each component's edges by those places:
    # one pass over the edges (a subgraph view per component walks them again each time).
    where = {node: (number, i) for number, c in enumerate(components) for i, node in enumerate(c)}
    edges: list[list[tuple[int, int]]] = [[] for _ in components]
    for u, v in simple.edges():
        (number, i), (_, j) = where[u], where[v]
        edges[number].append((i, j))
    found = _component_layouts([len(c) for c in components], edges)
    placed: dict[str, tuple[float, float]] = {}
    sizes = [len(c) ** 0.5 for c in components]
    row_width = max(sizes[0] * 2.2, sum(s * s * 4 for s in sizes) ** 0.5 * 1.15)
    x = y = 0.0
    row_height = 0.0
    for component, size, local in zip(components, sizes, found, strict=True):
        width = 2.2 * size
        if x > 0 and x + width > row_width:
            x, y = 0.0, y - row_height
            row_height = 0.0
        for node, (px, py) in zip(component, local, strict=True):
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


def _component_layouts(
    sizes: Sequence[int], edges: Sequence[list[tuple[int, int]]]
) -> list[list[list[float]]]:
    """Each component's positions in [-1, 1], node by node: a lone node in the middle,
    a large component by the grid layout, the others by the all-pairs layout, those of
    the same size together (up to _BATCH_CELLS matrix cells at a time)."""
    found: list[list[list[float]]] = [[[0.0, 0.0]] if size == 1 else [] for size in sizes]
    by_size: dict[int, list[int]] = {}
    for number, size in enumerate(sizes):
        if size > SPRING_LIMIT:
            found[number] = grid_spring(size, edges[number], seed=SEED).tolist()
        elif size > 1:
            by_size.setdefault(size, []).append(number)
    for size, numbers in by_size.items():
        step = max(1, _BATCH_CELLS // (size * size))
        for first in range(0, len(numbers), step):
            batch = numbers[first : first + step]
            for number, local in zip(
                batch, _springs(size, [edges[n] for n in batch], seed=SEED), strict=True
            ):
                found[number] = local.tolist()
    return found


def _springs(
    count: int, pair_lists: Sequence[Sequence[tuple[int, int]]], seed: int, iterations: int = 120
) -> Any:
    """Fruchterman-Reingold force layout (as networkx's spring_layout) of components of
    `count` nodes each (edges by node number, one list per component), vectorised with
    numpy over all node pairs and seeded: the same graph always gets the same picture.

    networkx switches to a slow per-node loop (and needs scipy) from 500 nodes on;
    this stays a few matrix operations per step, into matrices made once (making them
    anew each step took half the time), for many components at once (a thousand pairs
    of nodes, one at a time, took seconds of numpy calls). Returns an array,
    components x count x 2, in [-1, 1].
    """
    import numpy as np

    batch = len(pair_lists)
    start = np.random.default_rng(seed).random((count, 2))
    positions = np.repeat(start[np.newaxis], batch, axis=0)
    adjacency = np.zeros((batch, count, count))
    for number, pairs in enumerate(pair_lists):
        for u, v in pairs:
            adjacency[number, u, v] = adjacency[number, v, u] = 1.0
    k = (1.0 / count) ** 0.5
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    delta = np.empty((batch, count, count, 2))
    distance = np.empty((batch, count, count))
    force = np.empty((batch, count, count))
    pull = np.empty((batch, count, count))
    for _ in range(iterations):
        np.subtract(positions[:, :, np.newaxis, :], positions[:, np.newaxis, :, :], out=delta)
        # The same operations, in the same order, as norm, clip, k*k/distance**2 -
        # adjacency*distance/k: the same bits as before the matrices were reused.
        np.multiply(delta[..., 0], delta[..., 0], out=distance)
        np.multiply(delta[..., 1], delta[..., 1], out=pull)
        np.add(distance, pull, out=distance)
        np.sqrt(distance, out=distance)
        np.clip(distance, 0.01, None, out=distance)
        np.multiply(distance, distance, out=force)
        np.divide(k * k, force, out=force)
        np.multiply(adjacency, distance, out=pull)
        np.divide(pull, k, out=pull)
        np.subtract(force, pull, out=force)
        displacement = np.einsum("bijk,bij->bik", delta, force)
        length = np.linalg.norm(displacement, axis=-1)
        length = np.where(length < 0.01, 0.1, length)
        positions += displacement * (temperature / length)[..., np.newaxis]
        temperature -= cooling
    positions -= positions.mean(axis=1, keepdims=True)
    scale = np.abs(positions).max(axis=(1, 2))
    return positions / np.where(scale > 0, scale, 1.0)[:, np.newaxis, np.newaxis]
