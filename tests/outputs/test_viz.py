"""kg viz: the networkx conversion, the file writers and the command as a user runs it.

The fixture (tests/fixtures/viz/data) has two sources: a German interview
published 2023-07 (Roos's role at BMW, René Rast's nationality, a decision
under evaluation with an expected window) and an English report published
2024-02-01 (the same role again, the #25 entry, the decision open).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from conftest import FIXTURES, GOLDEN

from kg.knowledge.project import Knowledge, open_knowledge
from kg.model.errors import UsageError
from kg.outputs import viz

DATA = FIXTURES / "viz" / "data"
MSR = "https://w3id.org/motorsport-kg/id/"
MS = "https://w3id.org/motorsport-kg/ontology/"
ROOS, BMW, RAST = MSR + "andreas-roos", MSR + "bmw", MSR + "rene-rast"
GERMANY, ENTRY = MSR + "germany", MSR + "viz-2024-02-entry-25"
ENTITIES = {
    ROOS,
    BMW,
    RAST,
    GERMANY,
    MSR + "rll",
    MSR + "rolex-24-at-daytona-2024",
    MSR + "bmw-m-hybrid-v8",
    MSR + "bmw-customer-decision",
}
CLAIM_NODES = {ENTRY, MSR + "viz-2023-07-decision-status", MSR + "viz-2024-02-decision-status"}


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return open_knowledge("memory", [DATA])


def kg_viz(run_kg: object, *args: str) -> object:
    return run_kg("--store", "memory", "--data", str(DATA), "viz", *args)  # type: ignore[operator]


# --------------------------------------------------------------------------- conversion


def test_nodes_are_entities_and_uncollapsed_claims(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge)
    assert isinstance(graph, nx.MultiDiGraph)
    assert set(graph) == ENTITIES | CLAIM_NODES
    assert graph.number_of_edges() == 9
    assert graph.nodes[RAST]["label"] == "René Rast"
    assert graph.nodes[RAST]["type_iri"] == MS + "Person"
    assert graph.nodes[RAST]["kind"] == "entity"
    assert graph.nodes[ENTRY]["kind"] == "claim"
    assert graph.nodes[MSR + "rll"]["aliases"] == "RLL"
    # Concepts and time specifications are values, sources are not nodes by default.
    assert not any("vocab/" in node or "article-" in node for node in graph)


def test_collapsed_claims_keep_parallel_edges_with_claim_and_source(
    knowledge: Knowledge,
) -> None:
    graph = viz.to_networkx(knowledge)
    roles = graph.get_edge_data(ROOS, BMW)
    assert sorted(roles) == [
        "ms:Role msr:viz-2023-07-role-roos",
        "ms:Role msr:viz-2024-02-role-roos",
    ]
    first = roles["ms:Role msr:viz-2023-07-role-roos"]
    assert first["label"] == "role: motorsport director"
    assert first["claim"] == MSR + "viz-2023-07-role-roos"
    assert first["sources"] == "Roos: Kundenentscheidung Ende 2023"
    assert first["predicate"] == MS + "Role"


def test_statement_becomes_the_asserted_edge_with_its_claim(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge)
    (edge,) = graph.get_edge_data(RAST, GERMANY).values()
    assert edge["predicate"] == MS + "nationality"
    assert edge["claim"] == MSR + "viz-2023-07-statement-rast-nationality"
    assert edge["label"] == "nationality"


def test_links_of_claim_nodes_carry_the_claim(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge)
    (edge,) = graph.get_edge_data(ENTRY, RAST).values()
    assert edge["predicate"] == MS + "driver"
    assert edge["claim"] == ENTRY
    assert edge["sources"] == "BMW at the Rolex 24"


def test_claims_show_keeps_every_claim_and_source_as_node(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge, claims="show")
    assert MSR + "viz-2023-07-role-roos" in graph
    assert MSR + "article-viz-2023-07" in graph
    assert graph.nodes[MSR + "article-viz-2023-07"]["kind"] == "source"
    assert graph.has_edge(MSR + "viz-2023-07-role-roos", ROOS)
    assert graph.has_edge(MSR + "viz-2023-07-role-roos", MSR + "article-viz-2023-07")
    assert not graph.has_edge(ROOS, BMW)


def test_labels_follow_the_language_with_english_fallback(knowledge: Knowledge) -> None:
    german = viz.to_networkx(knowledge, lang="de")
    assert german.nodes[GERMANY]["label"] == "Deutschland"
    assert german.nodes[MSR + "rolex-24-at-daytona-2024"]["label"] == "24 Stunden von Daytona 2024"
    assert german.nodes[RAST]["label"] == "René Rast"
    assert german.nodes[RAST]["type"] == "Person"
    assert "Germany" in german.nodes[GERMANY]["aliases"]
    (edge,) = german.get_edge_data(RAST, GERMANY).values()
    assert edge["label"] == "Staatsangehörigkeit"


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (0, {RAST}),
        (1, {RAST, GERMANY, ENTRY}),
        (
            2,
            {
                RAST,
                GERMANY,
                ENTRY,
                MSR + "rll",
                MSR + "rolex-24-at-daytona-2024",
                MSR + "bmw-m-hybrid-v8",
            },
        ),
    ],
)
def test_neighbourhood_depth(knowledge: Knowledge, depth: int, expected: set[str]) -> None:
    graph = viz.to_networkx(knowledge, entity="rene rast", depth=depth)
    assert set(graph) == expected
    assert graph.graph["centre"] == RAST


def test_class_filter_includes_subclasses(knowledge: Knowledge) -> None:
    people = viz.to_networkx(knowledge, classes=["ms:Person"])
    assert set(people) == {ROOS, RAST}
    assert people.number_of_edges() == 0
    claims = viz.to_networkx(knowledge, classes=["ms:Claim"])
    assert set(claims) == CLAIM_NODES


def test_predicate_filter_keeps_joined_nodes(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge, predicates=["ms:nationality", "ms:Role"])
    assert set(graph) == {RAST, GERMANY, ROOS, BMW}
    assert graph.number_of_edges() == 3


def test_as_of_view_hides_later_sources(knowledge: Knowledge) -> None:
    from kg.knowledge.asof import visible_graphs

    graph = viz.to_networkx(knowledge, graphs=visible_graphs(knowledge, date(2023, 8, 1)))
    assert ENTRY not in graph
    assert len(graph.get_edge_data(ROOS, BMW)) == 1


def test_unknown_names_are_usage_errors(knowledge: Knowledge) -> None:
    with pytest.raises(UsageError, match="no entity is named 'Nobody'"):
        viz.to_networkx(knowledge, entity="Nobody")
    with pytest.raises(UsageError, match="--class: no entity is named 'ms:Nothing'"):
        viz.to_networkx(knowledge, classes=["ms:Nothing"])
    with pytest.raises(UsageError, match="is not drawn as a node"):
        viz.to_networkx(knowledge, entity="msv:UnderEvaluation")
    with pytest.raises(UsageError, match="unknown claims mode"):
        viz.to_networkx(knowledge, claims="hide")  # type: ignore[arg-type]


def test_facts_carry_sources(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge)
    facts = viz.facts_of(graph)
    nationality = [f for f in facts[RAST] if f.property == "nationality"]
    assert nationality == [
        viz.Fact(
            "nationality",
            "Germany",
            MSR + "viz-2023-07-statement-rast-nationality",
            (
                viz.Source(
                    MSR + "article-viz-2023-07",
                    "Roos: Kundenentscheidung Ende 2023",
                    "2023-07",
                    "de",
                ),
            ),
        )
    ]
    expected = [
        f for f in facts[MSR + "viz-2023-07-decision-status"] if f.property == "expected at"
    ]
    assert expected[0].value == 'Sep–Dec 2023 (in the source: "gegen Ende 2023")'


def test_schema_graph_has_classes_subclass_and_property_edges(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge, schema=True)
    assert graph.graph["kind"] == "schema"
    assert graph.nodes[MS + "Person"]["kind"] == "class"
    assert graph.nodes[MS + "Person"]["group"] == "ms"
    nationality = graph.get_edge_data(MS + "Person", MS + "Country")
    assert "ms:nationality" in nationality
    subclass = graph.get_edge_data(MS + "NewsArticle", MS + "SourceDocument")
    assert (
        subclass["rdfs:subClassOf"]["predicate"]
        == "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    )
    around = viz.to_networkx(knowledge, schema=True, entity="ms:Country", depth=1)
    assert MS + "Person" in around and MS + "Claim" not in around


def test_layout_is_deterministic_and_bounded(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge)
    first, second = viz.layout(graph), viz.layout(graph)
    assert first == second
    assert set(first) == set(graph)
    assert all(-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0 for x, y in first.values())
    assert len(set(first.values())) == len(first)


# --------------------------------------------------------------------------- writers


def test_graphml_and_gexf_read_back(knowledge: Knowledge, tmp_path: Path) -> None:
    graph = viz.to_networkx(knowledge)
    assert viz.write_graphml(graph, tmp_path / "g.graphml")
    assert viz.write_gexf(graph, tmp_path / "g.gexf")
    for reader, name in ((nx.read_graphml, "g.graphml"), (nx.read_gexf, "g.gexf")):
        back = reader(tmp_path / name)
        assert back.is_multigraph() and back.is_directed()
        assert back.number_of_nodes() == graph.number_of_nodes()
        assert back.number_of_edges() == graph.number_of_edges()
    graphml = nx.read_graphml(tmp_path / "g.graphml")
    assert graphml.nodes[RAST]["label"] == "René Rast"
    assert len(graphml.get_edge_data(ROOS, BMW)) == 2
    gexf = (tmp_path / "g.gexf").read_text(encoding="utf-8")
    assert "lastmodifieddate" not in gexf
    # Unchanged bytes: nothing is rewritten.
    assert not viz.write_graphml(graph, tmp_path / "g.graphml")


def test_exportable_stringifies_every_attribute(knowledge: Knowledge) -> None:
    graph = viz.to_networkx(knowledge)
    graph.nodes[RAST]["odd"] = None
    graph.nodes[BMW]["odd"] = ["b", "a"]
    copy = viz.exportable(graph)
    assert copy.nodes[RAST]["odd"] == ""
    assert copy.nodes[BMW]["odd"] == "a | b"
    values = [v for _, attrs in copy.nodes(data=True) for v in attrs.values()]
    values += [v for *_, attrs in copy.edges(data=True) for v in attrs.values()]
    assert all(isinstance(v, str) for v in values)
    assert not any(key.startswith("_") for key in copy.graph)


def test_dot_matches_golden(knowledge: Knowledge, tmp_path: Path) -> None:
    graph = viz.to_networkx(knowledge)
    assert viz.write_dot(graph, tmp_path / "g.dot", title='Fixture "viz"')
    golden = GOLDEN / "viz" / "fixture.dot"
    assert (tmp_path / "g.dot").read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


def test_dot_quotes_awkward_text() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", label='say "hi"\\ now\nplease', type="t", group="g")
    graph.add_node("b", label="b", type="t", group="g")
    graph.add_edge("a", "b", key="k", label='x"y')
    text = viz.render_dot(graph, title="t")
    assert '"a" [label="say \\"hi\\"\\\\ now\\nplease", tooltip="t", fillcolor="#4e79a7"];' in text
    assert '"a" -> "b" [label="x\\"y", tooltip="k"];' in text


def _svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]


def test_svg_is_xml_with_labels_legend_and_same_bytes_every_run(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    graph = viz.to_networkx(knowledge)
    assert viz.write_svg(graph, tmp_path / "g.svg", title="Fixture")
    texts = _svg_texts(tmp_path / "g.svg")
    for expected in ("Fixture", "René Rast", "Andreas Roos", "BMW", "Germany", "person", "team"):
        assert expected in texts
    assert "role: motorsport director" in texts  # edge labels of a small graph
    first = (tmp_path / "g.svg").read_bytes()
    assert not viz.write_svg(graph, tmp_path / "g.svg", title="Fixture")
    assert (tmp_path / "g.svg").read_bytes() == first


def test_png_is_a_real_picture_with_many_colours(knowledge: Knowledge, tmp_path: Path) -> None:
    from PIL import Image

    graph = viz.to_networkx(knowledge)
    viz.write_png(graph, tmp_path / "g.png")
    with Image.open(tmp_path / "g.png") as image:
        assert image.format == "PNG"
        assert image.width > 600 and image.height > 400
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50


def test_html_is_self_contained_and_escapes_script_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "odd.ttl").write_text(
        "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
        "@prefix msr: <https://w3id.org/motorsport-kg/id/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        'msr:odd a ms:Team ; skos:prefLabel "</script><script>alert(1)</script> & <b>"@en .\n'
        'msr:other a ms:Team ; skos:prefLabel "{{DATA}}"@en .\n',
        encoding="utf-8",
    )
    knowledge = open_knowledge("memory", [data])
    page = viz.render_html(viz.to_networkx(knowledge), title="A <title> & {{JS}}")
    assert page.count("</script>") == 2
    assert "<title>A &lt;title&gt; &amp; {{JS}}</title>" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    match = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    payload = json.loads(match.group(1))
    labels = {node["label"] for node in payload["nodes"]}
    assert labels == {"</script><script>alert(1)</script> & <b>", "{{DATA}}"}


def test_html_same_bytes_under_another_hash_seed(knowledge: Knowledge, tmp_path: Path) -> None:
    viz.write_html(viz.to_networkx(knowledge), tmp_path / "here.html")
    script = (
        "import sys; from pathlib import Path; from kg.knowledge.project import open_knowledge; "
        "from kg.outputs import viz; k = open_knowledge('memory', [Path(sys.argv[1])]); "
        "viz.write_html(viz.to_networkx(k), Path(sys.argv[2]))"
    )
    environment = dict(os.environ, PYTHONHASHSEED="4242")
    subprocess.run(
        [sys.executable, "-c", script, str(DATA), str(tmp_path / "there.html")],
        check=True,
        env=environment,
        timeout=300,
    )
    assert (tmp_path / "here.html").read_bytes() == (tmp_path / "there.html").read_bytes()


def test_decision_timeline_draws_statuses_window_and_as_of(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    summary = viz.decision_timeline(knowledge, tmp_path / "t.svg", as_of=date(2023, 8, 1))
    assert (summary.decisions, summary.reports, summary.written) == (1, 1, True)
    texts = _svg_texts(tmp_path / "t.svg")
    assert "BMW LMDh customer decision" in texts
    assert "under evaluation" in texts
    assert " as of 2023-08-01" in texts
    assert 'Sep–Dec 2023 (in the source: "gegen Ende 2023")' in texts
    everything = viz.decision_timeline(knowledge, tmp_path / "all.png", lang="de")
    assert (everything.decisions, everything.reports) == (1, 2)
    assert (tmp_path / "all.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(UsageError, match=r"name the file \.svg or \.png"):
        viz.decision_timeline(knowledge, tmp_path / "t.html")


# --------------------------------------------------------------------------- the command


def test_cli_writes_each_format(run_kg: object, tmp_path: Path) -> None:
    for name in ("g.html", "g.svg", "g.png", "g.dot", "g.graphml", "g.gexf"):
        result = kg_viz(run_kg, "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"wrote {tmp_path / name}: 11 nodes, 9 edges\n"
        assert result.stderr == ""
    again = kg_viz(run_kg, "-o", str(tmp_path / "g.dot"))
    assert again.stdout == f"unchanged {tmp_path / 'g.dot'}: 11 nodes, 9 edges\n"
    forced = kg_viz(run_kg, "-o", str(tmp_path / "graph.txt"), "--format", "graphml")
    assert forced.exit_code == 0
    assert nx.read_graphml(tmp_path / "graph.txt").number_of_nodes() == 11


def test_cli_filters_language_and_as_of(run_kg: object, tmp_path: Path) -> None:
    out = tmp_path / "rast.graphml"
    result = kg_viz(run_kg, "--entity", "Rene Rast", "--depth", "1", "--lang", "de", "-o", str(out))
    assert result.stdout == f"wrote {out}: 3 nodes, 2 edges\n"
    assert nx.read_graphml(out).nodes[GERMANY]["label"] == "Deutschland"
    people = kg_viz(run_kg, "--class", "ms:Person", "-o", str(tmp_path / "p.dot"))
    assert people.stdout == f"wrote {tmp_path / 'p.dot'}: 2 nodes, 0 edges\n"
    nationality = kg_viz(run_kg, "--predicate", "ms:nationality", "-o", str(tmp_path / "n.dot"))
    assert nationality.stdout == f"wrote {tmp_path / 'n.dot'}: 2 nodes, 1 edge\n"
    then = kg_viz(run_kg, "--as-of", "2023-08-01", "-o", str(tmp_path / "then.html"))
    assert then.stdout == f"wrote {tmp_path / 'then.html'}: 9 nodes, 3 edges\n"
    assert "(as of 2023-08-01)" in (tmp_path / "then.html").read_text(encoding="utf-8")
    shown = kg_viz(run_kg, "--claims", "show", "-o", str(tmp_path / "show.gexf"))
    assert shown.stdout == f"wrote {tmp_path / 'show.gexf'}: 16 nodes, 19 edges\n"
    schema = kg_viz(run_kg, "--schema", "-o", str(tmp_path / "schema.svg"))
    assert schema.exit_code == 0
    assert "person" in _svg_texts(tmp_path / "schema.svg")


def test_cli_decision_timeline(run_kg: object, tmp_path: Path) -> None:
    out = tmp_path / "timeline.svg"
    result = kg_viz(run_kg, "--decisions", "--as-of", "2023-08-01", "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == f"wrote {out}: 1 decision, 1 status report\n"
    png = kg_viz(run_kg, "--decisions", "-o", str(tmp_path / "t.png"))
    assert png.stdout == f"wrote {tmp_path / 't.png'}: 1 decision, 2 status reports\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--entity", "Nobody", "-o", "{tmp}/x.svg"], "kg: error: no entity is named 'Nobody'.\n"),
        (
            ["--entity", "msv:UnderEvaluation", "-o", "{tmp}/x.svg"],
            "kg: error: 'msv:UnderEvaluation' (msv:UnderEvaluation) is not drawn as a node here "
            "(nodes are entities, and claims that are not collapsed); name one of those with "
            "--entity\n",
        ),
        (
            ["-o", "{tmp}/x.pdf"],
            "kg: error: {tmp}/x.pdf: cannot tell the format from the suffix '.pdf'; name the file "
            "with one of .dot, .gexf, .graphml, .gv, .htm, .html, .png, .svg or give --format "
            "(html, svg, png, dot, graphml, gexf)\n",
        ),
        (
            ["--decisions", "-o", "{tmp}/x.html"],
            "kg: error: the decision timeline is a picture: write it as svg or png, not html\n",
        ),
        (
            ["--decisions", "--entity", "BMW", "-o", "{tmp}/x.svg"],
            "kg: error: --decisions draws every decision; drop --entity, --class and --predicate\n",
        ),
        (
            ["--schema", "--decisions", "-o", "{tmp}/x.svg"],
            "kg: error: --schema and --decisions draw different pictures; give one of them\n",
        ),
        (
            ["--predicate", "ms:noSuchThing", "-o", "{tmp}/x.svg"],
            "kg: error: --predicate: no entity is named 'ms:noSuchThing'.\n",
        ),
    ],
)
def test_cli_usage_errors_exit_2_and_write_nothing(
    run_kg: object, tmp_path: Path, args: list[str], message: str
) -> None:
    result = kg_viz(run_kg, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message.replace("{tmp}", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_cli_option_errors_exit_2(run_kg: object, tmp_path: Path) -> None:
    bad_date = kg_viz(run_kg, "--as-of", "2023-13-01", "-o", str(tmp_path / "x.svg"))
    assert bad_date.exit_code == 2
    assert "'2023-13-01' is not a date; write YYYY-MM-DD" in bad_date.stderr
    bad_depth = kg_viz(run_kg, "--entity", "BMW", "--depth", "-1", "-o", str(tmp_path / "x.svg"))
    assert bad_depth.exit_code == 2
    no_output = kg_viz(run_kg)
    assert no_output.exit_code == 2
    assert "Missing option '-o' / '--output'" in no_output.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_unwritable_output_exits_3(run_kg: object, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = kg_viz(run_kg, "-o", str(blocker / "g.svg"))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"kg: error: {blocker / 'g.svg'}: cannot be written: ")
    assert result.stderr.endswith("; choose another output path\n")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_cli_on_the_bundled_knowledge(run_kg: object, tmp_path: Path) -> None:
    out = tmp_path / "bmw.svg"
    result = run_kg(
        "--store", "memory", "viz", "--entity", "msr:bmw", "--depth", "1", "-o", str(out)
    )  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(rf"wrote {re.escape(str(out))}: \d+ nodes, \d+ edges\n", result.stdout)
    assert "BMW" in _svg_texts(out)


def test_viz_is_listed_with_help(run_kg: object) -> None:
    listing = run_kg("--help")  # type: ignore[operator]
    assert "viz" in listing.stdout
    result = run_kg("viz", "--help")  # type: ignore[operator]
    assert result.exit_code == 0
    for option in (
        "--entity",
        "--depth",
        "--class",
        "--predicate",
        "--claims",
        "--schema",
        "--decisions",
        "--as-of",
        "--lang",
        "--format",
    ):
        assert option in result.stdout


def test_cli_same_drawing_on_the_oxigraph_store(run_kg: object, tmp_path: Path) -> None:
    out = tmp_path / "g.dot"
    store = f"oxigraph:{tmp_path / 'index'}"
    args = [
        "--store",
        store,
        "--data",
        str(DATA),
        "viz",
        "--title",
        'Fixture "viz"',
        "-o",
        str(out),
    ]
    result = run_kg(*args)  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == (GOLDEN / "viz" / "fixture.dot").read_text(
        encoding="utf-8"
    )
