"""The layout of large graphs: the all-pairs force layout against the grid layout, side by side.

For each size, a generated connected graph (tests/generated_graph.py, about 1.5 edges a
node) is laid out by both methods of kg.outputs.viz.positions: the all-pairs force
layout (every component used it before issue 17; it now lays out components of up to
SPRING_LIMIT nodes) and the grid layout (kg.outputs.viz.grid_layout, above that). Each
prints its time, its peak memory (tracemalloc: numpy's arrays are counted) and how
tight the picture is: the mean edge length over the mean distance between random
pairs of nodes (lower: linked nodes sit closer together than unlinked ones). Then
`viz.layout` as the page and pictures call it, with the networkx work around it.

The all-pairs layout is skipped, saying why, where its matrices (about 48 bytes a pair
of nodes) would not fit in half the memory available, or where its time, estimated
from the smallest size measured (it grows with the square of the nodes), exceeds
--all-pairs-limit seconds.

    python benchmarks/bench_layout.py                        # 1000, 10000, 30000 nodes
    python benchmarks/bench_layout.py --sizes 1000,5000 --all-pairs-limit 60
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

# The all-pairs layout's matrices per pair of nodes: the differences (2 floats), the
# distances, forces, attractions and adjacency (1 float each).
ALL_PAIRS_BYTES = 48


def available_memory() -> int:
    """MemAvailable from /proc/meminfo, in bytes (0 where it cannot be read)."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measured(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """What `run` returns, its seconds and its peak traced memory in MiB."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = run()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return result, seconds, peak


def tightness(positions: Any, pairs: Any) -> float:
    """Mean edge length over the mean distance of 20,000 random (seeded) pairs of nodes."""
    import numpy as np

    edges = np.asarray(pairs)
    linked = np.linalg.norm(positions[edges[:, 0]] - positions[edges[:, 1]], axis=1).mean()
    random = np.random.default_rng(1)
    a, b = random.integers(0, len(positions), (2, 20_000))
    return float(linked / np.linalg.norm(positions[a] - positions[b], axis=1).mean())


def indexed(size: int) -> tuple[Any, list[tuple[int, int]]]:
    """The generated graph and its undirected edges by node number, each once."""
    from generated_graph import generated_graph

    graph = generated_graph(size)
    number = {node: i for i, node in enumerate(sorted(graph))}
    pairs = sorted({tuple(sorted((number[u], number[v]))) for u, v in graph.edges() if u != v})
    return graph, [(a, b) for a, b in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000", help="node counts, comma-separated")
    parser.add_argument(
        "--all-pairs-limit",
        type=float,
        default=900.0,
        help="skip the all-pairs layout where its estimated time exceeds this (seconds)",
    )
    options = parser.parse_args()
    sizes = sorted(int(item) for item in options.sizes.split(",") if item.strip())

    from kg.outputs import viz
    from kg.outputs.viz.grid_layout import grid_spring
    from kg.outputs.viz.positions import SEED, SPRING_LIMIT, _springs

    print(f"SPRING_LIMIT {SPRING_LIMIT}: the all-pairs layout up to it, the grid layout above")
    print(
        f"{'nodes':>6} {'edges':>6}  {'method':<9} {'seconds':>8} {'peak MiB':>9} {'tightness':>9}"
    )
    seconds_per_pair: float | None = None
    for size in sizes:
        graph, pairs = indexed(size)
        head = f"{size:>6} {len(pairs):>6}"
        need = ALL_PAIRS_BYTES * size * size
        free = available_memory()
        estimate = seconds_per_pair * size * size if seconds_per_pair else 0.0
        if free and need > free / 2:
            print(
                f"{head}  all-pairs skipped: its matrices need about {need / 2**30:.1f} GiB "
                f"({ALL_PAIRS_BYTES} bytes x {size:,}²), {free / 2**30:.1f} GiB available"
            )
        elif estimate > options.all_pairs_limit:
            print(
                f"{head}  all-pairs skipped: about {estimate:.0f} s estimated from the "
                f"smallest size, over --all-pairs-limit {options.all_pairs_limit:.0f}"
            )
        else:
            batch, seconds, peak = measured(functools.partial(_springs, size, [pairs], SEED))
            found = batch[0]
            seconds_per_pair = seconds_per_pair or seconds / (size * size)
            print(
                f"{head}  {'all-pairs':<9} {seconds:>8.2f} {peak:>9.1f} "
                f"{tightness(found, pairs):>9.3f}"
            )
        found, seconds, peak = measured(functools.partial(grid_spring, size, pairs, SEED))
        print(f"{head}  {'grid':<9} {seconds:>8.2f} {peak:>9.1f} {tightness(found, pairs):>9.3f}")
        _, seconds, peak = measured(functools.partial(viz.layout, graph))
        print(f"{head}  {'layout()':<9} {seconds:>8.2f} {peak:>9.1f}")


if __name__ == "__main__":
    main()
