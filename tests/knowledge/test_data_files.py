"""Which files a data folder loads, and what kg says about the ones it cannot
(issue 18, item 6): every RDF file a user would expect is read; any file name works;
a folder or file that cannot be read is a clear error (exit 3), never "0 entities
checked ... conforms" and never a traceback. Run on the memory store and on the index
(the second store pass of CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

MS = Namespace("https://w3id.org/motorsport-kg/ontology/")
MSR = Namespace("https://w3id.org/motorsport-kg/id/")


def _team(name: str) -> Graph:
    graph = Graph()
    team = MSR[name]
    graph.add((team, RDF.type, MS.Team))
    graph.add((team, SKOS.prefLabel, Literal(f"Team {name}", lang="en")))
    return graph


def _write(folder: Path, file_name: str, name: str, rdf_format: str = "turtle") -> None:
    _team(name).serialize(folder / file_name, format=rdf_format)


def _labels(run_kg, folder: Path) -> set[str]:  # type: ignore[no-untyped-def]
    query = (
        "SELECT ?label WHERE { ?t a <https://w3id.org/motorsport-kg/ontology/Team> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    )
    result = run_kg("--data", str(folder), "query", "-e", query, "--format", "csv")
    assert result.exit_code == 0, result.output
    return set(result.stdout.splitlines()[1:])


def test_every_rdf_suffix_in_any_case_is_read(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # .rdf, .owl, .xml, .json and an upper-case .TTL were skipped without a word.
    _write(tmp_path, "upper.TTL", "upper")
    _write(tmp_path, "xml.rdf", "rdfxml", "xml")
    _write(tmp_path, "ontology.owl", "owl", "xml")
    _write(tmp_path, "plain.xml", "xml", "xml")
    _write(tmp_path, "linked.json", "json", "json-ld")
    _write(tmp_path, "triples.nt", "nt", "nt")
    (tmp_path / "README.md").write_text("notes, not data\n", encoding="utf-8")
    assert _labels(run_kg, tmp_path) == {
        f"Team {name}" for name in ("upper", "rdfxml", "owl", "xml", "json", "nt")
    }


def test_any_file_name_works(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Spaces and '"' ended in tracebacks on the index; "a>b.ttl" in a parser error
    # about an internal staging file.
    for number, name in enumerate(("race 1.ttl", 'quote"d.ttl', "a>b.ttl", "ü-ber.ttl")):
        _write(tmp_path, name, f"t{number}")
    assert _labels(run_kg, tmp_path) == {f"Team t{n}" for n in range(4)}
    graphs = run_kg(
        "--data",
        str(tmp_path),
        "query",
        "-e",
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--format",
        "csv",
        "--iris",
    )
    assert graphs.exit_code == 0, graphs.output
    assert "race%201" in graphs.stdout and "quote%22d" in graphs.stdout
    assert "a%3Eb" in graphs.stdout


def test_a_loop_of_links_is_named(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "good.ttl", "good")
    (tmp_path / "loop.ttl").symlink_to(tmp_path / "loop.ttl")
    result = run_kg("--data", str(tmp_path), "validate")
    assert result.exit_code == 3
    assert "loop.ttl: cannot be read: Too many levels of symbolic links" in result.stderr


def _nobody_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) drops root to test unreadable files"
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.parametrize("closed", ["folder", "subfolder", "file in a closed folder"])
def test_what_cannot_be_read_is_an_error_naming_it(tmp_path: Path, closed: str) -> None:
    # An unreadable folder read as empty ("0 entities checked ... conforms"); a file in
    # a folder that may not be entered ended in a PermissionError traceback.
    base = Path(os.environ.get("TMPDIR", "/tmp"))
    root = Path(
        subprocess.run(["mktemp", "-d", str(base / "kg-closed-XXXXXX")], capture_output=True)
        .stdout.decode()
        .strip()
    )
    try:
        root.chmod(0o755)
        data = root / "data"
        (data / "sub").mkdir(parents=True)
        _write(data, "a.ttl", "a")
        _write(data / "sub", "b.ttl", "b")
        target = {"folder": data, "subfolder": data / "sub"}.get(closed, data / "sub")
        args = ["--data", str(data / "sub" / "b.ttl") if closed.startswith("file") else str(data)]
        cache = root / "cache"
        cache.mkdir()
        for path in (root, data, data / "sub", cache):
            path.chmod(0o777)
        target.chmod(0o700 if os.geteuid() == 0 else 0)
        result = subprocess.run(
            [*_nobody_prefix(), sys.executable, "-m", "kg", *args, "validate"],
            capture_output=True,
            text=True,
            env={**os.environ, "XDG_CACHE_HOME": str(cache), "HOME": str(cache)},
            timeout=120,
            check=False,
        )
        assert result.returncode == 3, result.stdout + result.stderr
        assert "cannot be read: Permission denied" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        for folder, _, _ in os.walk(root):
            Path(folder).chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


def test_the_graph_of_a_plain_name_is_unchanged() -> None:
    from kg.model.files import graph_iri_for
    from kg.model.paths import project_root

    path = project_root() / "data" / "imsa" / "2024" / "17-tire-rack.com-battle" / "x-y_z.ttl"
    assert graph_iri_for(path) == str(
        URIRef("https://w3id.org/motorsport-kg/graph/data/imsa/2024/17-tire-rack.com-battle/x-y_z")
    )


def test_a_value_too_large_for_the_index_is_named_and_leaves_the_index_usable(
    tmp_path: Path,
) -> None:
    # A 50 MB literal ended in a MemoryError traceback while staging the index (Oxigraph's
    # parser holds at most 16 MiB of one term); the memory store reads it.
    from click.testing import CliRunner

    from kg.cli import cli

    data = tmp_path / "data"
    data.mkdir()
    big = data / "big.ttl"
    big.write_text('<urn:a> <urn:b> "' + "x" * 17_000_000 + '" .\n', encoding="utf-8")
    query = ["query", "-e", "SELECT (STRLEN(?o) AS ?n) WHERE { <urn:a> ?p ?o }", "--format", "csv"]
    index = ["--store", f"oxigraph:{tmp_path / 'index'}", "--data", str(data)]
    refused = CliRunner().invoke(cli, [*index, *query])
    assert refused.exit_code == 3, refused.output
    assert "big.ttl: a value is larger than the on-disk index can hold" in refused.stderr
    assert "--store memory" in refused.stderr
    memory = CliRunner().invoke(cli, ["--store", "memory", "--data", str(data), *query])
    assert memory.exit_code == 0 and memory.stdout.split() == ["n", "17000000"]
    big.write_text('<urn:a> <urn:b> "small" .\n', encoding="utf-8")
    fixed = CliRunner().invoke(cli, [*index, *query])
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout.split() == ["n", "5"]
