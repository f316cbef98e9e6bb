"""`kg export --stream`: whole graphs straight from the store, same statements as the
stable export. See docs/export-and-build.md."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from kg.knowledge.project import Knowledge, open_knowledge
from kg.outputs import export as ex
from kg.outputs import export_stream

DATA = Path(__file__).parents[1] / "fixtures" / "export" / "data"


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return open_knowledge(os.environ.get("KG_STORE", "memory"), [DATA])


def run(run_kg, *args: str):  # type: ignore[no-untyped-def]
    return run_kg("--data", str(DATA), "export", *args)


def by_value(graph: Graph) -> Graph:
    """Typed literals in one lexical form per value ("203.0" and "203" are one decimal)."""
    result = Graph()
    for s, p, o in graph:
        value: Node = o
        if isinstance(o, Literal) and o.datatype is not None and o.value is not None:
            value = Literal(o.value, datatype=o.datatype)
        result.add((s, p, value))
    return result


def streamed(run_kg, tmp_path: Path, format_name: str, *extra: str) -> Dataset:  # type: ignore[no-untyped-def]
    target = tmp_path / f"out.{format_name}"
    result = run(run_kg, "--stream", "--format", format_name, "-o", str(target), *extra)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"wrote {target}: ")
    parser = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig"}
    dataset = Dataset()
    dataset.parse(target, format=parser[format_name])
    return dataset


@pytest.mark.parametrize("format_name", export_stream.STREAM_FORMATS)
def test_streamed_export_holds_the_same_statements_as_the_stable_one(
    run_kg, tmp_path: Path, knowledge: Knowledge, format_name: str
) -> None:
    selection = ex.select(knowledge, with_ontology=True)
    back = streamed(run_kg, tmp_path, format_name, "--with-ontology")
    if format_name in ("nquads", "trig"):
        names = sorted(str(g.identifier) for g in back.graphs() if len(g))
        assert names == sorted(selection.graph_names)
        for name, graph in selection.graphs:
            assert isomorphic(by_value(back.graph(URIRef(name))), by_value(graph)), name
    else:
        union = Graph()
        for s, p, o, _ in back.quads((None, None, None, None)):
            union.add((s, p, o))
        assert isomorphic(by_value(union), by_value(selection.union()))


def test_stream_to_stdout_and_source_selection(run_kg, knowledge: Knowledge) -> None:
    result = run(run_kg, "--stream", "--format", "nquads", "--source", "2023-07-example-shakedown")
    assert result.exit_code == 0, result.stderr
    graphs = {line.rsplit(" ", 2)[-2] for line in result.stdout.splitlines()}
    [graph] = graphs
    assert graph.endswith("2023-07-example-shakedown>")
    assert result.stderr.startswith("wrote stdout: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--entity", "msr:bmw"), "--stream writes whole graphs"),
        (("--inferred",), "--stream writes whole graphs"),
        (("--format", "jsonld"), "--stream writes turtle, ntriples, nquads, trig, not jsonld"),
    ],
)
def test_what_stream_cannot_do_is_a_usage_error(
    run_kg, args: tuple[str, ...], message: str
) -> None:
    result = run(run_kg, "--stream", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_failing_stream_leaves_the_old_file_and_no_temp_files(
    run_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "knowledge.nq"
    target.write_text("old content\n")

    def broken(*args: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_stream, "stream", broken)
    result = run(run_kg, "--stream", "--format", "nquads", "-o", str(target))
    assert result.exit_code == 3
    assert "knowledge.nq: cannot be written (No space left on device)" in result.stderr
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knowledge.nq"]


def test_quad_format_files_and_the_parallel_writer_give_the_same_statements(
    run_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "extra.trig").write_text(
        "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
        '<https://example.org/g1> { <https://example.org/x> ms:name "in a trig graph" . }\n',
        encoding="utf-8",
    )
    (data / "more.nq").write_text(
        '<https://example.org/y> <https://w3id.org/motorsport-kg/ontology/name> "n-quads" '
        "<https://example.org/g2> .\n",
        encoding="utf-8",
    )
    outputs = {}
    for parallel in (False, True):
        # One byte: every run of files goes to a worker process of its own.
        monkeypatch.setattr(export_stream, "PARALLEL_BYTES", 1 if parallel else 1 << 40)
        target = tmp_path / f"out-{parallel}.nq"
        result = run_kg("--data", str(data), "export", "--stream", "--format", "nquads",
                        "-o", str(target))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        dataset = Dataset()
        dataset.parse(target, format="nquads")
        outputs[parallel] = dataset
    knowledge = open_knowledge(os.environ.get("KG_STORE", "memory"), [data])
    for dataset in outputs.values():
        for name, graph in ex.select(knowledge).graphs:
            assert isomorphic(by_value(dataset.graph(URIRef(name))), by_value(graph)), name
    trig_graph = next(item.graph for item in knowledge.files if item.path.name == "extra.trig")
    assert (
        URIRef("https://example.org/x"),
        URIRef("https://w3id.org/motorsport-kg/ontology/name"),
        Literal("in a trig graph"),
    ) in outputs[True].graph(URIRef(trig_graph))


# Files a Turtle export from the index copies as they are, next to files it must parse:
# every way a copied file could change what follows it.
TRICKY = {
    # Its own base and a prefix name the project uses for something else.
    "a-own-prefixes.ttl": "@base <https://example.org/base/> .\n"
    "@prefix ms: <https://example.org/not-the-ontology/> .\n"
    '<relative> ms:name "relative IRI, own ms: prefix" ; ms:list ( 1 2 ) ; ms:b [ ms:c 3 ] .\n',
    # Labelled blank nodes: parsed, so they cannot meet another file's _:b. Right after
    # the file above, so Oxigraph's ms: names must be declared again.
    "a-p-labelled.ttl": "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
    '_:b ms:name "labelled blank node" .\n<https://example.org/z> ms:ref _:b .\n',
    # No prefixes at all, a relative IRI, ends in a comment without a newline.
    "c-bare.ttl": '<other> <https://example.org/p> "bare" . # the end',
    # N-Triples.
    "d-plain.nt": '<https://example.org/n> <https://example.org/p> "n-triples" .\n',
    "e-labelled.ttl": "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
    '_:b ms:name "another labelled blank node" .\n',
    # JSON-LD: rdflib reads it, so it is parsed and written by Oxigraph.
    "f-json.jsonld": '{"@id": "https://example.org/j", "https://example.org/p": "json-ld"}',
}


@pytest.mark.parametrize("parallel", [False, True])
def test_turtle_export_from_the_index_copies_files_and_keeps_their_meaning(
    run_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    import shutil

    from kg.stores.oxigraph_store import OxigraphStore

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for name, text in TRICKY.items():
        (data / name).write_text(text, encoding="utf-8")
    index = tmp_path / "index"
    monkeypatch.setattr(export_stream, "PARALLEL_BYTES", 1 if parallel else 1 << 40)
    copied: list[str] = []
    original = export_stream._copyable

    def spy(store, files):  # type: ignore[no-untyped-def]
        found = original(store, files)
        copied.extend(sorted(Path(item.path).name for item in files if item.graph in found))
        return found

    monkeypatch.setattr(export_stream, "_copyable", spy)
    target = tmp_path / "out.ttl"
    result = run_kg("--store", f"oxigraph:{index}", "--data", str(data), "export", "--stream",
                    "--format", "turtle", "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert isinstance(open_knowledge(f"oxigraph:{index}", [data]).store, OxigraphStore)
    # Every Turtle and N-Triples file may be copied (labelled blank nodes are found
    # when the bytes are read); JSON-LD is not.
    assert "a-own-prefixes.ttl" in copied and "d-plain.nt" in copied
    assert "f-json.jsonld" not in copied
    expected = Graph()
    for path in sorted(data.rglob("*")):
        if path.is_file():
            expected += Graph().parse(path, format="json-ld" if path.suffix == ".jsonld" else
                                      "nt" if path.suffix == ".nt" else "turtle",
                                      publicID=path.resolve().as_uri())  # fmt: skip
    back = Graph().parse(target, format="turtle")
    assert isomorphic(by_value(back), by_value(expected))
    statements = int(result.stderr.split(": ")[1].split(" ")[0])
    assert statements == len(expected)
    # Two labelled blank nodes named alike in two files stay two nodes.
    names = {str(o) for s, p, o in back if str(p).endswith("/name")}
    assert {"labelled blank node", "another labelled blank node"} <= names
    blanks = {s for s, p, o in back if str(o).endswith("labelled blank node")}
    assert len(blanks) == 2


def test_a_file_changed_after_indexing_is_parsed_not_copied(tmp_path: Path) -> None:
    import io
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", [data])
    article = next(item for item in knowledge.files if item.path.name.startswith("2023-07"))
    assert article.graph in export_stream._copyable(knowledge.store, knowledge.files)
    text = article.path.read_text(encoding="utf-8")
    article.path.write_text(text + "\n# touched\n", encoding="utf-8")
    assert article.graph not in export_stream._copyable(knowledge.store, knowledge.files)
    output = io.BytesIO()
    export_stream.stream(knowledge, [article.graph], "turtle", output)
    assert b"# touched" not in output.getvalue()
