"""A neighbourhood drawing reads only the data around its centre from the store
(kg.viz._data_around); it must be exactly the drawing cut from the whole graph.

Checked on the bundled knowledge and on a synthetic graph with hubs (events,
series, sources shared by many claims), on the on-disk index (the in-memory
store draws from the whole graph it already holds), for every claim mode and
depths 0 to 2.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from kg import paths, viz
from kg.project import Knowledge, open_knowledge

ROOT = Path(__file__).resolve().parent.parent


def drawing(graph: nx.MultiDiGraph) -> tuple[object, ...]:
    nodes = sorted((node, sorted(data.items())) for node, data in graph.nodes(data=True))
    edges = sorted(
        (u, v, k, sorted(data.items())) for u, v, k, data in graph.edges(keys=True, data=True)
    )
    facts = sorted(graph.graph["_facts"].items())
    return nodes, edges, facts, graph.graph["centre"]


def cut(whole: nx.MultiDiGraph, centre: str, depth: int) -> nx.MultiDiGraph:
    graph = viz._subgraph(whole, viz._neighbourhood(whole, centre, depth))
    graph.graph["centre"] = centre
    return graph


def check_sample(knowledge: Knowledge, every: int) -> int:
    compared = 0
    for claims in viz.CLAIM_MODES:
        whole = viz.to_networkx(knowledge, claims=claims)
        centres = sorted(node for node, kind in whole.nodes(data="kind") if kind == "entity")
        for centre in centres[::every]:
            for depth in (0, 1, 2):
                scoped = viz.to_networkx(knowledge, entity=centre, depth=depth, claims=claims)
                assert drawing(scoped) == drawing(cut(whole, centre, depth)), (
                    centre,
                    depth,
                    claims,
                )
                compared += 1
    return compared


def test_bundled_neighbourhoods_equal_the_whole_graph_cut(tmp_path: Path) -> None:
    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", [paths.data_dir()])
    assert check_sample(knowledge, every=25) >= 20
    knowledge.store.close()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--size", "1500",
         "--out", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


def test_synthetic_neighbourhoods_equal_the_whole_graph_cut(
    synthetic: Path, tmp_path: Path
) -> None:
    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", [synthetic])
    assert check_sample(knowledge, every=8) >= 12
    knowledge.store.close()
