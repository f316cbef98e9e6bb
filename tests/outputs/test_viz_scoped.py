"""A neighbourhood drawing reads only the data around its centre from the store
(kg.outputs.viz.around.data_around); it must be exactly the drawing cut from the whole graph.

Checked on the bundled knowledge and on a synthetic graph with hubs (events,
series, sources shared by many claims), on the on-disk index (the in-memory
store draws from the whole graph it already holds), for every claim mode and
depths 0 to 2, also in a view of some of the files (where a claim may link to fewer
entities than in the whole graph).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from conftest import CORE_DATA

from kg.knowledge.project import Knowledge, open_knowledge
from kg.outputs import viz
from kg.outputs.viz.cuts import neighbourhood, subgraph

ROOT = Path(__file__).resolve().parents[2]


def drawing(graph: nx.MultiDiGraph) -> tuple[object, ...]:
    nodes = sorted((node, sorted(data.items())) for node, data in graph.nodes(data=True))
    edges = sorted(
        (u, v, k, sorted(data.items())) for u, v, k, data in graph.edges(keys=True, data=True)
    )
    facts = sorted(graph.graph["_facts"].items())
    return nodes, edges, facts, graph.graph["centre"]


def cut(whole: nx.MultiDiGraph, centre: str, depth: int) -> nx.MultiDiGraph:
    graph = subgraph(whole, neighbourhood(whole, centre, depth))
    graph.graph["centre"] = centre
    return graph


def check_sample(knowledge: Knowledge, every: int, graphs: list[str] | None = None) -> int:
    compared = 0
    for claims in viz.CLAIM_MODES:
        whole = viz.to_networkx(knowledge, claims=claims, graphs=graphs)
        centres = sorted(node for node, kind in whole.nodes(data="kind") if kind == "entity")
        for centre in centres[::every]:
            for depth in (0, 1, 2):
                scoped = viz.to_networkx(
                    knowledge, entity=centre, depth=depth, claims=claims, graphs=graphs
                )
                assert drawing(scoped) == drawing(cut(whole, centre, depth)), (
                    centre,
                    depth,
                    claims,
                )
                compared += 1
    return compared


def test_bundled_neighbourhoods_equal_the_whole_graph_cut(tmp_path: Path) -> None:
    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", list(CORE_DATA))
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


def test_synthetic_neighbourhoods_in_a_view_equal_its_cut(synthetic: Path, tmp_path: Path) -> None:
    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", [synthetic])
    view = sorted(knowledge.data_graphs)[::2]
    assert 0 < len(view) < len(knowledge.data_graphs)
    assert check_sample(knowledge, every=8, graphs=view) >= 12
    knowledge.store.close()


def test_a_claim_elsewhere_does_not_hide_a_collapsed_link_in_a_view(tmp_path: Path) -> None:
    """In a view without the file that makes msr:e a claim, the claim linking msr:a and
    msr:e has two entity links and is drawn collapsed: msr:e is one hop from msr:a, and
    msr:f, which links to msr:e, two. (In the whole graph msr:e is a claim with three
    links, drawn as a node of its own.)"""
    head = (
        "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
        "@prefix msr: <https://w3id.org/motorsport-kg/id/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    )
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "first.ttl").write_text(
        head
        + 'msr:a a ms:Person ; skos:prefLabel "A"@en .\n'
        + "msr:s1 a ms:SourceDocument .\n"
        + "msr:c a ms:Claim ; ms:statedIn msr:s1 ; ms:driver msr:a ; ms:entry msr:e .\n"
        + "msr:e ms:car msr:k1 ; ms:team msr:k2 ; ms:event msr:k3 .\n"
        + 'msr:f a ms:Person ; skos:prefLabel "F"@en ; ms:teammate msr:e .\n',
        encoding="utf-8",
    )
    (folder / "second.ttl").write_text(
        head + "msr:s2 a ms:SourceDocument .\nmsr:e ms:statedIn msr:s2 .\n", encoding="utf-8"
    )
    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", [folder])
    first = [name for name in knowledge.data_graphs if name.endswith("first")]
    assert len(first) == 1
    centre = "https://w3id.org/motorsport-kg/id/a"
    for graphs in (first, None):
        whole = viz.to_networkx(knowledge, graphs=graphs)
        for depth in (1, 2):
            scoped = viz.to_networkx(knowledge, entity=centre, depth=depth, graphs=graphs)
            assert drawing(scoped) == drawing(cut(whole, centre, depth)), (graphs, depth)
    in_view = viz.to_networkx(knowledge, entity=centre, depth=2, graphs=first)
    assert {"https://w3id.org/motorsport-kg/id/e", "https://w3id.org/motorsport-kg/id/f"} <= set(
        in_view
    )
    knowledge.store.close()


def test_neighbourhoods_from_a_sparql_server_equal_the_whole_graph_cut(oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    """The same walk over the SPARQL protocol: a real Oxigraph server on 127.0.0.1."""
    from kg.stores.sync import open_spec, push

    push(open_spec(oxigraph_server.spec), open_knowledge("memory").files)
    served = open_knowledge(oxigraph_server.spec)
    compared = 0
    for claims in viz.CLAIM_MODES:
        whole = viz.to_networkx(served, claims=claims)
        centres = sorted(node for node, kind in whole.nodes(data="kind") if kind == "entity")
        for centre in centres[::60]:
            for depth in (1, 2):
                scoped = viz.to_networkx(served, entity=centre, depth=depth, claims=claims)
                assert drawing(scoped) == drawing(cut(whole, centre, depth)), (centre, depth)
                compared += 1
    assert compared >= 8
