"""`kg export`: round trips, stable bytes, partial exports, atomic writes.

See docs/export-and-build.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kg.knowledge.project import Knowledge, open_knowledge
from kg.outputs import export as ex

FIXTURES = Path(__file__).parents[1] / "fixtures" / "export"
DATA = FIXTURES / "data"
ARTICLE = "msr:article-2023-07-example-shakedown"
ARTICLE_STEM = "2023-07-example-shakedown"


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return open_knowledge(os.environ.get("KG_STORE", "memory"), [DATA])


def run(run_kg, *args: str):  # type: ignore[no-untyped-def]
    return run_kg("--data", str(DATA), "export", *args)


def union_of(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
@pytest.mark.parametrize("format_name", ex.FORMAT_NAMES)
def test_every_format_parses_back_to_what_was_exported(
    knowledge: Knowledge, format_name: str, inferred: bool
) -> None:
    selection = ex.select(knowledge, with_ontology=True, inferred=inferred)
    result = ex.serialize(selection, format_name)
    back = ex.parse_export(result.content, format_name)
    if result.format.has_graphs:
        names = sorted(str(g.identifier) for g in back.graphs() if len(g))
        assert names == sorted(selection.graph_names)
        for name, graph in selection.graphs:
            assert isomorphic(back.graph(URIRef(name)), graph), name
    else:
        assert isomorphic(union_of(back), selection.union())
    assert result.triples == len(selection.union())


def test_the_blank_nodes_of_the_fixture_survive_every_format(knowledge: Knowledge) -> None:
    # The fixture holds a blank node on purpose: canonical names must round-trip too.
    selection = ex.select(knowledge)
    assert any(isinstance(term, BNode) for quad in selection.quads() for term in quad[:3])
    for format_name in ex.FORMAT_NAMES:
        back = union_of(ex.parse_export(ex.serialize(selection, format_name).content, format_name))
        assert isomorphic(back, selection.union()), format_name


def test_jsonld_carries_the_shipped_context_inline_and_reads_back_offline(
    knowledge: Knowledge,
) -> None:
    result = ex.serialize(ex.select(knowledge), "jsonld")
    document = json.loads(result.content)
    assert document["@context"] == ex.jsonld_context()
    shipped = json.loads((Path(ex.__file__).parent / "contexts" / "motorsport.jsonld").read_text())
    assert document["@context"] == shipped["@context"]
    nodes = {node["id"]: node for node in document["@graph"]}
    assert nodes["msr:bmw"]["prefLabel"] == {"de": "BMW", "en": "BMW"}
    # A reader without the inline context can pass the shipped one (nothing is fetched).
    stripped = {"@graph": document["@graph"]}
    graph = Graph().parse(data=json.dumps(stripped), format="json-ld", context=ex.jsonld_context())
    assert isomorphic(graph, ex.select(knowledge).union())


def test_turtle_uses_the_project_prefixes_only_and_sorts_subjects(knowledge: Knowledge) -> None:
    text = ex.serialize(ex.select(knowledge), "turtle").content.decode()
    assert "ns1:" not in text and "@prefix ns" not in text
    prefixes = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert prefixes == sorted(prefixes)
    assert set(prefixes) <= {f"{p}:" for p in ("dcterms", "ms", "msr", "msv", "rdf", "skos", "xsd")}
    subjects = [line.split()[0] for line in text.splitlines() if line.startswith("msr:")]
    assert subjects == sorted(subjects)


def test_one_changed_fact_is_a_small_diff(knowledge: Knowledge, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    entities = copy / "entities.ttl"
    entities.write_text(
        entities.read_text().replace('"Rahal Letterman Lanigan Racing"@en', '"RLL Racing"@en')
    )
    before = ex.serialize(ex.select(knowledge), "turtle").content.decode().splitlines()
    changed = open_knowledge("memory", [copy])
    after = ex.serialize(ex.select(changed), "turtle").content.decode().splitlines()
    import difflib

    diff = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == [
        '-    skos:prefLabel "Rahal Letterman Lanigan Racing"@en .',
        '+    skos:prefLabel "RLL Racing"@en .',
    ]


SEED_SCRIPT = """
import os, sys
from kg.outputs import export as ex
from kg.knowledge.project import open_knowledge
from pathlib import Path
knowledge = open_knowledge("memory", [Path(sys.argv[1])])
selection = ex.select(knowledge, with_ontology=True, inferred=True)
for name in ex.FORMAT_NAMES:
    with open(os.path.join(sys.argv[2], name), "wb") as handle:
        handle.write(ex.serialize(selection, name).content)
"""


def test_the_same_bytes_under_any_pythonhashseed(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        folder = tmp_path / seed
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", SEED_SCRIPT, str(DATA), str(folder)],
            check=True,
            env=env,
            timeout=600,
        )
        outputs.append({name: (folder / name).read_bytes() for name in ex.FORMAT_NAMES})
    for name in ex.FORMAT_NAMES:
        assert outputs[0][name] == outputs[1][name], f"{name} differs between hash seeds"
        assert outputs[0][name]


# --- partial exports ---------------------------------------------------------------


def test_source_by_stem_path_or_iri_exports_only_that_files_graph(run_kg) -> None:
    article_file = DATA / "articles" / f"{ARTICLE_STEM}.ttl"
    expected = Graph().parse(article_file)
    for given in (ARTICLE_STEM, str(article_file), ARTICLE):
        result = run(run_kg, "--source", given, "--format", "nquads")
        assert result.exit_code == 0, result.stderr
        back = Dataset().parse(data=result.stdout, format="nquads")
        names = sorted(str(g.identifier) for g in back.graphs() if len(g))
        assert names == [
            "https://w3id.org/motorsport-kg/graph/tests/fixtures/export/data/articles/"
            "2023-07-example-shakedown"
        ], given
        assert isomorphic(union_of(back), expected)
        assert result.stderr == ""


def test_unknown_source_is_a_usage_error_with_suggestions(run_kg) -> None:
    result = run(run_kg, "--source", "2023-07-example-shakedow")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "kg: error: no source is named '2023-07-example-shakedow': give a source document's "
        "IRI (msr:article-...), or a data file's path or stem. "
        "Did you mean: 2023-07-example-shakedown?\n"
    )


def test_entity_depth_one_is_every_triple_touching_it(run_kg) -> None:
    result = run(run_kg, "--entity", "RLL", "--format", "ntriples")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    rll = "<https://w3id.org/motorsport-kg/id/rll>"
    assert lines and all(rll in line for line in lines)
    assert lines == sorted(lines)
    assert len(lines) == 4  # type, prefLabel, altLabel, and the entry that names it


def test_entity_depth_two_reaches_the_neighbours_but_not_through_classes(
    knowledge: Knowledge,
) -> None:
    one = ex.select(knowledge, entity="rene rast", depth=1).union()
    two = ex.select(knowledge, entity="rene rast", depth=2).union()
    assert set(one) < set(two)
    subjects = {str(s) for s in two.subjects()}
    # The entry that names him, and its whole description (including a blank node).
    assert "https://w3id.org/motorsport-kg/id/example-shakedown-entry-25" in subjects
    # BMW is a Manufacturer like Porsche, but sharing a class is not a link.
    assert "https://w3id.org/motorsport-kg/id/porsche" not in subjects


def test_depth_without_entity_and_unknown_entity_are_usage_errors(run_kg) -> None:
    result = run(run_kg, "--depth", "2")
    assert (result.exit_code, result.stderr) == (
        2,
        "kg: error: --depth counts hops around --entity; give --entity too\n",
    )
    result = run(run_kg, "--entity", "Nobody Atall")
    assert result.exit_code == 2
    assert result.stderr.startswith("kg: error: no entity is named 'Nobody Atall'.")


def test_union_formats_say_they_merge_graphs_and_quad_formats_do_not(run_kg) -> None:
    result = run(run_kg)
    assert result.exit_code == 0
    assert result.stderr == (
        "kg: note: turtle has no named graphs, so the 2 graphs are merged into one; "
        "use --format trig or nquads to keep them apart\n"
    )
    for quad_format in ("trig", "nquads"):
        assert run(run_kg, "--format", quad_format).stderr == ""


def test_with_ontology_and_inferred_graph_kept_apart(run_kg) -> None:
    result = run(run_kg, "--format", "trig", "--inferred")
    assert result.exit_code == 0, result.stderr
    back = Dataset().parse(data=result.stdout, format="trig")
    inferred = back.graph(URIRef(ex.INFERRED_GRAPH))
    # ms:Team is a subclass of ms:Organisation in the ontology: entailed, not asserted.
    rll = URIRef("https://w3id.org/motorsport-kg/id/rll")
    organisation = URIRef("https://w3id.org/motorsport-kg/ontology/Organisation")
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert (rll, rdf_type, organisation) in inferred
    for graph in back.graphs():
        if graph.identifier != URIRef(ex.INFERRED_GRAPH):
            assert (rll, rdf_type, organisation) not in graph
    plain = run(run_kg, "--format", "trig", "--with-ontology")
    names = {
        str(g.identifier)
        for g in Dataset().parse(data=plain.stdout, format="trig").graphs()
        if len(g)
    }
    assert "https://w3id.org/motorsport-kg/graph/ontology/motorsport" in names
    assert "https://w3id.org/motorsport-kg/graph/ontology/shapes" not in names


def test_as_of_hides_sources_not_yet_published(run_kg) -> None:
    before = run(run_kg, "--as-of", "2023-06-30", "--format", "nquads")
    after = run(run_kg, "--as-of", "2023-08-01", "--format", "nquads")
    assert before.exit_code == after.exit_code == 0
    assert ARTICLE_STEM not in before.stdout
    assert ARTICLE_STEM in after.stdout
    bad = run(run_kg, "--as-of", "2023-13-01")
    assert bad.exit_code == 2
    assert "is not a date; write YYYY-MM-DD" in bad.stderr


# --- writing files -----------------------------------------------------------------


def test_output_file_is_written_then_left_alone(run_kg, tmp_path: Path) -> None:
    target = tmp_path / "out.trig"
    first = run(run_kg, "--format", "trig", "-o", str(target))
    assert first.exit_code == 0
    assert first.stdout == ""
    assert first.stderr.startswith(f"wrote {target}: ")
    mtime = target.stat().st_mtime_ns
    second = run(run_kg, "--format", "trig", "-o", str(target))
    assert second.stderr.startswith(f"unchanged {target}: ")
    assert target.stat().st_mtime_ns == mtime


def test_a_failing_serializer_leaves_the_old_file_and_no_temp_files(
    run_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "knowledge.ttl"
    target.write_text("old content\n")

    def broken(quads: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(ex._WRITERS, "turtle", broken)
    with pytest.raises(OSError):
        run(run_kg, "-o", str(target))
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knowledge.ttl"]


def test_a_failing_rename_leaves_the_old_file_and_no_temp_files(
    run_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "knowledge.nq"
    target.write_text("old content\n")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = run(run_kg, "--format", "nquads", "-o", str(target))
    assert result.exit_code == 3
    assert result.stderr.endswith(
        "knowledge.nq: cannot be written (Permission denied); "
        "check that the folder exists and is writable\n"
    )
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knowledge.nq"]


def test_cli_format_choices_match_the_library() -> None:
    from kg.cli.export_cmd import FORMAT_CHOICES

    assert FORMAT_CHOICES == ex.FORMAT_NAMES
