"""The force layout of large components, in memory and time near linear in the nodes and
edges: Fruchterman-Reingold forces as in `positions._spring`, but the repulsion between
all pairs comes from a mesh (the nodes' density convolved with the repulsive force by
FFT) and from exact sums over the pairs closer than one mesh cell (found by binning the
nodes into cells), the attraction from the edges alone.

Per iteration: O(nodes + edges + close pairs) for the forces and O(G² log G) for a mesh of
G x G cells, G about the square root of the nodes (at most 256). The all-pairs layout
holds nodes x nodes matrices instead: 7.7 GiB for 22,666 nodes.
"""

from __future__ import annotations

from typing import Any

# The mesh: about one node per cell, so that the exact sums see a few pairs per node.
MIN_MESH = 16
MAX_MESH = 256

# The cells whose pairs are summed exactly with a node's own: itself and four of its eight
# neighbours, so that each pair of nearby nodes is met once.
_HALF_STENCIL = ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1))

# Close pairs summed per numpy step: bounds the memory of a crowded mesh (about 25 MB).
_PAIR_CHUNK = 1 << 18


def mesh_size(count: int) -> int:
    """Cells along each side of the mesh: the power of two at or above sqrt(count)."""
    side = MIN_MESH
    while side * side < count and side < MAX_MESH:
        side *= 2
    return side


def grid_spring(count: int, pairs: Any, seed: int, iterations: int = 120) -> Any:
    """Positions (an array, count x 2, in [-1, 1]) of a connected component of `count`
    nodes joined by `pairs` (an int array, edges x 2, each undirected edge once).

    Seeded and deterministic, with the start, temperature and steps of the all-pairs
    layout, so that the two give pictures of the same kind (benchmarks/bench_layout.py).
    """
    import numpy as np

    random = np.random.default_rng(seed)
    positions = random.random((count, 2))
    edges = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    k = (1.0 / count) ** 0.5
    side = mesh_size(count)
    spectra = _kernel_spectra(side)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        force = _repulsion(positions, side, spectra, k)
        force -= _attraction(positions, edges, k)
        length = np.sqrt(force[:, 0] ** 2 + force[:, 1] ** 2)
        length = np.where(length < 0.01, 0.1, length)
        positions += force * (temperature / length)[:, np.newaxis]
        temperature -= cooling
    positions -= positions.mean(axis=0)
    scale = np.abs(positions).max() or 1.0
    return positions / scale


def _kernel_spectra(side: int) -> tuple[Any, Any]:
    """The repulsion d / |d|² between cells (x and y parts) at every offset of a
    side x side mesh, transformed once: padded to twice the side, so that the FFT's
    convolution does not wrap around."""
    import numpy as np

    size = 2 * side
    offsets = np.arange(size, dtype=float)
    offsets = np.where(offsets < side, offsets, offsets - size)
    dx, dy = np.meshgrid(offsets, offsets, indexing="ij")
    squared = dx * dx + dy * dy
    squared[0, 0] = 1.0  # the zero offset: dx = dy = 0, no force
    return np.fft.rfft2(dx / squared), np.fft.rfft2(dy / squared)


def _repulsion(positions: Any, side: int, spectra: tuple[Any, Any], k: float) -> Any:
    """k² d / |d|² summed over all other nodes: from the mesh, plus exactly for the pairs
    closer than a cell (where the mesh smooths the force away)."""
    import numpy as np

    count = len(positions)
    low = positions.min(axis=0)
    cell = float((positions.max(axis=0) - low).max()) / (side - 1.001) or 1.0
    grid = (positions - low) / cell
    corner = grid.astype(np.int64)
    fx, fy = (grid - corner).T
    # Cloud in cell: each node spread over the four cells around it, and its force read
    # back with the same weights (so that it does not push itself).
    weights = np.concatenate([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy])
    base = corner[:, 0] * side + corner[:, 1]
    cells = np.concatenate([base, base + side, base + 1, base + side + 1])
    padded = np.zeros((2 * side, 2 * side))
    padded[:side, :side] = np.bincount(cells, weights, side * side).reshape(side, side)
    density = np.fft.rfft2(padded)
    force = np.empty((count, 2))
    for axis, spectrum in enumerate(spectra):
        field = np.fft.irfft2(density * spectrum, s=padded.shape)[:side, :side].ravel()
        force[:, axis] = (field[cells] * weights).reshape(4, count).sum(axis=0)
    force *= k * k / cell
    force += _close_repulsion(positions, corner, side, cell, k)
    return force


def _close_repulsion(positions: Any, corner: Any, side: int, cell: float, k: float) -> Any:
    """The exact repulsion k² d / |d|² of every pair closer than `cell`: the nodes sorted
    by cell, each met with those later in its own cell and in four neighbouring cells."""
    import numpy as np

    count = len(positions)
    key = corner[:, 0] * side + corner[:, 1]
    order = np.argsort(key, kind="stable")
    members = np.bincount(key, minlength=side * side)
    first = np.cumsum(members) - members
    cx, cy = corner[order, 0], corner[order, 1]
    starts, lengths = [], []
    for ox, oy in _HALF_STENCIL:
        tx, ty = cx + ox, cy + oy
        inside = (tx < side) & (ty >= 0) & (ty < side)
        target = np.where(inside, tx * side + ty, 0)
        start = first[target]
        stop = start + members[target]
        if (ox, oy) == (0, 0):
            start = np.arange(count) + 1  # the later members of its own cell only
        starts.append(start)
        lengths.append(np.where(inside, np.maximum(stop - start, 0), 0))
    # One row per (node, neighbouring cell): the node (in sorted order) and its partners'
    # range, in the sorted order too.
    node = np.tile(np.arange(count), len(_HALF_STENCIL))
    start = np.concatenate(starts)
    length = np.concatenate(lengths)
    keep = length > 0
    node, start, length = node[keep], start[keep], length[keep]
    ends = np.cumsum(length)
    xs, ys = positions[order, 0], positions[order, 1]
    found = np.zeros((count, 2))
    floor = 1e-4 * k * k  # as the all-pairs layout's 0.01 at its scale: no division by zero
    row = 0
    while row < len(node):
        done = int(ends[row - 1]) if row else 0
        last = max(int(np.searchsorted(ends, done + _PAIR_CHUNK, side="right")), row + 1)
        rows = slice(row, last)
        counts = length[rows]
        a = np.repeat(node[rows], counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        b = np.repeat(start[rows], counts) + within
        dx, dy = xs[a] - xs[b], ys[a] - ys[b]
        squared = dx * dx + dy * dy
        close = squared < cell * cell
        a, b, dx, dy = a[close], b[close], dx[close], dy[close]
        strength = k * k / np.maximum(squared[close], floor)
        for axis, part in enumerate((dx * strength, dy * strength)):
            found[:, axis] += np.bincount(a, part, count) - np.bincount(b, part, count)
        row = last
    force = np.empty((count, 2))
    force[order] = found
    return force


def _attraction(positions: Any, edges: Any, k: float) -> Any:
    """d |d| / k along every edge, pulling its two ends together."""
    import numpy as np

    count = len(positions)
    force = np.zeros((count, 2))
    if not len(edges):
        return force
    u, v = edges[:, 0], edges[:, 1]
    delta = positions[u] - positions[v]
    pull = delta * (np.sqrt(delta[:, 0] ** 2 + delta[:, 1] ** 2) / k)[:, np.newaxis]
    for axis in (0, 1):
        force[:, axis] = np.bincount(u, pull[:, axis], count) - np.bincount(v, pull[:, axis], count)
    return force
