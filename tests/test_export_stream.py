"""`kg export --stream`: whole graphs straight from the store, same statements as the
stable export. See docs/export-and-build.md."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from kg import export as ex
from kg import export_stream
from kg.project import Knowledge, open_knowledge

DATA = Path(__file__).parent / "fixtures" / "export" / "data"


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
