"""A picture too large to read is refused before the graph is read (issue 17, follow-up).

The regression: `kg viz -o graph.svg` on the two bundled seasons refused rightly
("6,169 nodes and 23,706 edges are too many ..."), but only after reading the whole
graph into memory and drawing it, some 12 to 17 s. Without --entity, --class,
--predicate or --schema a count taken from the store (kg.outputs.viz.sizing) now
refuses first, whenever what is certainly drawn is already too much. That count
must never exceed what would be drawn: a picture the drawing would allow is never
refused early. No timings are asserted here; the tests check that nothing is read.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from conftest import CORE_DATA

from kg.knowledge.asof import visible_graphs
from kg.knowledge.project import Knowledge, open_knowledge
from kg.outputs import viz
from kg.stores.memory import MemoryStore
from kg.stores.oxigraph_store import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = """@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

"""


def _people(folder: Path, count: int, links: list[tuple[int, int]]) -> Path:
    """A data folder of `count` people (entities, each drawn) and teammate links."""
    lines = [PREFIXES]
    for number in range(count):
        lines.append(f'msr:person-{number} a ms:Person ; skos:prefLabel "Person {number}"@en .\n')
    for tail, head in links:
        lines.append(f"msr:person-{tail} ms:teammateOf msr:person-{head} .\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.ttl").write_text("".join(lines), encoding="utf-8")
    return folder


@pytest.fixture
def nothing_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the whole graph is read or drawn."""

    def read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole graph was read before the picture was refused")

    monkeypatch.setattr(viz, "to_networkx", read)
    monkeypatch.setattr(MemoryStore, "union", read)
    monkeypatch.setattr(OxigraphStore, "union", read)


def _store(kind: str, folder: Path) -> str:
    return "memory" if kind == "memory" else f"oxigraph:{folder / 'index'}"


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("suffix", ["svg", "png"])
@pytest.mark.usefixtures("nothing_read")
def test_kg_viz_refuses_a_picture_of_too_many_nodes_before_reading_the_graph(
    run_kg: object, tmp_path: Path, store: str, suffix: str
) -> None:
    data = _people(tmp_path / "data", 1200, [(n, n + 1) for n in range(1199)])
    out = tmp_path / f"all.{suffix}"
    result = run_kg("--store", _store(store, tmp_path), "--data", str(data), "viz", "-o", str(out))  # type: ignore[operator]
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"kg: error: at least 1,200 nodes and 1,199 edges are too many for a readable "
        f"{suffix.upper()} picture (at most 1,000 nodes and 3,000 edges): narrow it with "
        "--entity ENTITY --depth 1, --class CLASS, --predicate PRED or --as-of DATE, or "
        "write it as .html (the page opens on a neighbourhood), .graphml or .gexf (for "
        "Gephi, yEd or Cytoscape)\n"
    )
    assert not out.exists()


@pytest.mark.usefixtures("nothing_read")
def test_kg_viz_refuses_a_picture_of_too_many_edges_before_reading_the_graph(
    run_kg: object, tmp_path: Path
) -> None:
    everyone = [(tail, head) for tail in range(60) for head in range(60) if tail != head]
    data = _people(tmp_path / "data", 60, everyone)
    out = tmp_path / "all.svg"
    result = run_kg("--store", "memory", "--data", str(data), "viz", "-o", str(out))  # type: ignore[operator]
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "kg: error: at least 60 nodes and 3,540 edges are too many for a readable SVG picture"
    )
    assert not out.exists()


def test_kg_viz_narrowed_draws_a_picture_of_data_too_large_as_a_whole(
    run_kg: object, tmp_path: Path
) -> None:
    data = _people(tmp_path / "data", 1200, [(n, n + 1) for n in range(1199)])
    out = tmp_path / "around.svg"
    result = run_kg(  # type: ignore[operator]
        "--store", "memory", "--data", str(data), "viz", "--entity", "msr:person-7", "--depth", "1",
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {out}: 3 nodes, 2 edges\n"
    page = tmp_path / "all.html"
    whole = run_kg("--store", "memory", "--data", str(data), "viz", "-o", str(page))  # type: ignore[operator]
    assert whole.exit_code == 0, whole.stderr
    assert whole.stdout == f"wrote {page}: 1200 nodes, 1199 edges\n"


def _drawn(graph: nx.MultiDiGraph) -> tuple[int, int]:
    return graph.number_of_nodes(), graph.number_of_edges()


def _check_bound(knowledge: Knowledge, graphs: list[str] | None) -> viz.DrawnAtLeast:
    bound = viz.drawn_at_least(knowledge, graphs=graphs)
    for claims in viz.CLAIM_MODES:
        nodes, edges = _drawn(viz.to_networkx(knowledge, graphs=graphs, claims=claims))
        assert bound.nodes <= nodes and bound.edges <= edges, (claims, bound, nodes, edges)
    return bound


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_the_early_count_never_exceeds_the_drawing(tmp_path: Path, store: str) -> None:
    """On the articles and a race of the bundle, as a whole and as known on a day."""
    knowledge = open_knowledge(_store(store, tmp_path), list(CORE_DATA))
    whole = _check_bound(knowledge, None)
    assert whole.nodes > 0 and whole.edges > 0
    _check_bound(knowledge, visible_graphs(knowledge, date(2023, 8, 1)))
    knowledge.store.close()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--size", "3000",
         "--out", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_the_early_count_of_a_synthetic_graph_never_exceeds_the_drawing(
    synthetic: Path, tmp_path: Path, store: str
) -> None:
    """On generated race and decision reports, as a whole and in a view of half the files."""
    knowledge = open_knowledge(_store(store, tmp_path), [synthetic])
    whole = _check_bound(knowledge, None)
    assert whole.nodes > 0 and whole.edges > 0
    _check_bound(knowledge, sorted(knowledge.data_graphs)[::2])
    knowledge.store.close()


def test_the_early_count_takes_a_claim_elsewhere_for_no_entity(tmp_path: Path) -> None:
    """msr:e is a claim in the whole graph (stated in the second file) and an entity in a
    view of the first file alone; msr:c, a claim of two entity links, is drawn collapsed:
    neither is counted as surely drawn from what another file says of it."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "first.ttl").write_text(
        PREFIXES
        + 'msr:a a ms:Person ; skos:prefLabel "A"@en .\n'
        + "msr:s1 a ms:SourceDocument .\n"
        + "msr:c a ms:Claim ; ms:statedIn msr:s1 ; ms:driver msr:a ; ms:entry msr:e .\n"
        + "msr:e ms:car msr:k1 ; ms:team msr:k2 .\n",
        encoding="utf-8",
    )
    (folder / "second.ttl").write_text(
        PREFIXES + "msr:s2 a ms:SourceDocument .\nmsr:e ms:statedIn msr:s2 ; ms:event msr:k3 .\n",
        encoding="utf-8",
    )
    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", [folder])
    first = [name for name in knowledge.data_graphs if name.endswith("first")]
    for graphs in (first, None):
        _check_bound(knowledge, graphs)
    knowledge.store.close()
