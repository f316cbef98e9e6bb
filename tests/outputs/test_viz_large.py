"""Pictures of large graphs (issue 17): the layout stays near linear in memory, and a
static picture too large to read is refused, saying what to narrow, never a traceback.

The regression: on a knowledge graph of two IMSA seasons (22,666 nodes) `kg viz` failed
with "Unable to allocate 7.66 GiB for an array with shape (22666, 22666, 2)", and
`kg build` was killed at 22.6 GB: the all-pairs layout held nodes x nodes matrices.
No timings are asserted here (benchmarks/bench_layout.py measures them).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import networkx as nx
import pytest
from generated_graph import generated_graph

from kg.outputs import viz
from kg.outputs.viz.positions import SPRING_LIMIT, _springs

ROOT = Path(__file__).resolve().parents[2]
MSR = "https://w3id.org/motorsport-kg/id/"


def _tightness(graph: nx.MultiDiGraph, positions: dict[str, tuple[float, float]]) -> float:
    """Mean edge length over the mean distance between all pairs of a sample of nodes."""
    import numpy as np

    nodes = sorted(graph)
    sample = np.array([positions[n] for n in nodes[:: max(1, len(nodes) // 300)]])
    apart = np.linalg.norm(sample[:, None, :] - sample[None, :, :], axis=-1).mean()
    linked = np.mean([np.hypot(*np.subtract(positions[u], positions[v])) for u, v in graph.edges()])
    return float(linked / apart)


def test_layout_of_30000_nodes_stays_in_bounded_memory() -> None:
    graph = generated_graph(30_000)
    tracemalloc.start()
    try:
        positions = viz.layout(graph)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # All pairs would hold some 48 bytes a pair of nodes: 40 GiB here.
    assert peak < 300 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert set(positions) == set(graph)
    assert all(-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0 for x, y in positions.values())
    # Nodes are not stacked on each other (positions are rounded to 4 decimals).
    assert len(set(positions.values())) > 0.999 * len(positions)


def test_grid_layout_is_the_same_on_every_run_and_hash_seed() -> None:
    script = (
        "import hashlib, json, sys; sys.path.insert(0, 'tests');"
        "from generated_graph import generated_graph; from kg.outputs import viz;"
        "print(hashlib.sha256(json.dumps(viz.layout(generated_graph(1500))).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    here = hashlib.sha256(json.dumps(viz.layout(generated_graph(1500))).encode()).hexdigest()
    assert digests == {here}


def test_grid_layout_keeps_linked_nodes_close_and_every_node_apart() -> None:
    lattice = nx.MultiDiGraph()
    for (x, y), (x2, y2) in nx.grid_2d_graph(30, 30).edges():
        lattice.add_edge(f"{x},{y}", f"{x2},{y2}")
    assert len(lattice) > SPRING_LIMIT
    positions = viz.layout(lattice)
    # A lattice drawn at random gives about 1.
    assert _tightness(lattice, positions) < 0.15
    assert len(set(positions.values())) == len(lattice)
    # A hub with a thousand leaves: the leaves, all pulled the same way, stay apart.
    star = generated_graph(2000)
    assert len(set(viz.layout(star).values())) == len(star)


def test_components_laid_out_together_are_placed_as_when_alone() -> None:
    chain = [(i, i + 1) for i in range(11)]
    ring = [*chain, (11, 0)]
    star = [(0, i) for i in range(1, 12)]
    together = _springs(12, [chain, ring, star], seed=7)
    for number, pairs in enumerate((chain, ring, star)):
        assert (together[number] == _springs(12, [pairs], seed=7)[0]).all()


def test_many_small_components_and_a_large_one_are_all_placed() -> None:
    graph = generated_graph(SPRING_LIMIT + 50)
    for pair in range(2000):
        graph.add_edge(f"urn:pair:{pair}:a", f"urn:pair:{pair}:b", label="with", claim="")
    graph.add_node("urn:alone")
    positions = viz.layout(graph)
    assert set(positions) == set(graph)
    assert len(set(positions.values())) == len(graph)


# --------------------------------------------------------------------------- pictures


@pytest.mark.parametrize("image_format", ["svg", "png"])
def test_a_picture_too_large_is_refused_and_nothing_is_written(
    tmp_path: Path, image_format: str
) -> None:
    out = tmp_path / f"big.{image_format}"
    with pytest.raises(viz.PictureTooLarge) as refused:
        viz.write(generated_graph(viz.MAX_PICTURE_NODES + 1), out)
    assert refused.value.exit_code == 2
    assert refused.value.message.startswith(
        f"1,001 nodes and 1,500 edges are too many for a readable {image_format.upper()} "
        "picture (at most 1,000 nodes and 3,000 edges): narrow it with --entity ENTITY "
        "--depth 1, --class CLASS, --predicate PRED or --as-of DATE, or write it as .html"
    )
    assert not out.exists()


def test_a_picture_with_too_many_edges_is_refused() -> None:
    graph = nx.MultiDiGraph()
    for index in range(viz.MAX_PICTURE_EDGES + 1):
        graph.add_edge(f"urn:n:{index % 50}", f"urn:n:{(index * 7) % 50}")
    with pytest.raises(viz.PictureTooLarge, match=r"^50 nodes and 3,001 edges are too many"):
        viz.check_picture_size(graph)


@pytest.fixture(scope="module")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """benchmarks/generate.py at 10k triples: 1,612 nodes and 3,338 edges once drawn."""
    out = tmp_path_factory.mktemp("generated") / "10k"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--size",
            "10k",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_kg_viz_of_a_graph_too_large_for_a_picture_says_what_to_narrow(
    run_kg: object, generated_data: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"big.{suffix}"
    result = run_kg("--store", "memory", "--data", str(generated_data), "viz", "-o", str(out))  # type: ignore[operator]
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"kg: error: 1,612 nodes and 3,338 edges are too many for a readable {suffix.upper()} "
        "picture (at most 1,000 nodes and 3,000 edges): narrow it with --entity ENTITY "
        "--depth 1, --class CLASS, --predicate PRED or --as-of DATE, or write it as .html "
        "(the page opens on a neighbourhood), .graphml or .gexf (for Gephi, yEd or Cytoscape)\n"
    )
    assert not out.exists()


def test_kg_viz_narrowed_as_the_error_says_draws_and_the_page_takes_everything(
    run_kg: object, generated_data: Path, tmp_path: Path
) -> None:
    def kg_viz(*args: str) -> object:
        return run_kg("--store", "memory", "--data", str(generated_data), "viz", *args)  # type: ignore[operator]

    narrowed = kg_viz("--entity", "msr:driver-0", "--depth", "1", "-o", str(tmp_path / "d.svg"))
    assert narrowed.exit_code == 0, narrowed.stderr  # type: ignore[attr-defined]
    assert (tmp_path / "d.svg").read_bytes().startswith(b"<?xml")
    page = kg_viz("-o", str(tmp_path / "all.html"))
    assert page.exit_code == 0, page.stderr  # type: ignore[attr-defined]
    assert page.stdout == f"wrote {tmp_path / 'all.html'}: 1612 nodes, 3338 edges\n"  # type: ignore[attr-defined]


def test_a_site_leaves_out_a_picture_too_large_and_says_why(
    generated_data: Path,
) -> None:
    from kg.knowledge.project import open_knowledge
    from kg.outputs.site import downloads
    from kg.outputs.site.index import _pictures_section

    files: dict[str, bytes] = {}
    pictures = downloads.pictures(open_knowledge("memory", [generated_data]), "en", files)
    left_out = [p for p in pictures if not p.path]
    assert [p.detail for p in left_out] == [f"1612 nodes, 3338 edges: {downloads.LEFT_OUT}"]
    assert "graph.svg" not in files and "graph.html" in files
    section = _pictures_section(pictures)
    assert f"<li>{left_out[0].title} (1612 nodes, 3338 edges: left out, " in section
    assert 'src="graph.svg"' not in section
