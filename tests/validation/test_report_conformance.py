"""SHACL §3.6.1: a report conforms only when it has no result at all (issue 15, item 7).

Warnings keep kg's exit code 0 (documented in the README), but the report graph,
`--format json` and the text summary must not call the data conforming.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:NoteShape a sh:NodeShape ;
  sh:targetClass ex:Note ;
  sh:property [ sh:path ex:text ; sh:minCount 1 ; sh:severity sh:Warning ;
                sh:message "a note should have a text" ] .
ex:TagShape a sh:NodeShape ;
  sh:targetClass ex:Tag ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a tag needs a name" ] .
"""
WARNING_ONLY = "@prefix ex: <http://example.org/> .\nex:n a ex:Note .\n"
CLEAN = '@prefix ex: <http://example.org/> .\nex:n a ex:Note ; ex:text "hello" .\n'
VIOLATION = "@prefix ex: <http://example.org/> .\nex:n a ex:Note .\nex:t a ex:Tag .\n"

ENGINES = ("fast", "pyshacl")


def _files(tmp_path: Path, data: str) -> tuple[Path, Path]:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")
    data_file = tmp_path / "data.ttl"
    data_file.write_text(data, encoding="utf-8")
    return shapes, data_file


def _validate(run_kg, tmp_path: Path, data: str, engine: str, report_format: str):  # type: ignore[no-untyped-def]
    shapes, data_file = _files(tmp_path, data)
    return run_kg(
        "validate", str(data_file), "--shapes", str(shapes),
        "--engine", engine, "--format", report_format,
    )  # fmt: skip


def _graph_conforms(turtle: str) -> set[object]:
    graph = Graph()
    graph.parse(data=turtle, format="turtle")
    reports = set(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1, turtle
    return set(graph.objects(next(iter(reports)), SH.conforms))


@pytest.mark.parametrize("engine", ENGINES)
def test_warnings_only_is_not_conforming_but_exits_0(run_kg, tmp_path: Path, engine: str) -> None:  # type: ignore[no-untyped-def]
    as_json = _validate(run_kg, tmp_path, WARNING_ONLY, engine, "json")
    assert as_json.exit_code == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert (payload["conforms"], payload["passes"]) == (False, True)
    assert (payload["violations"], payload["warnings"]) == (0, 1)

    as_turtle = _validate(run_kg, tmp_path, WARNING_ONLY, engine, "turtle")
    assert as_turtle.exit_code == 0, as_turtle.stderr
    assert _graph_conforms(as_turtle.stdout) == {Literal(False)}

    as_text = _validate(run_kg, tmp_path, WARNING_ONLY, engine, "text")
    assert as_text.exit_code == 0
    assert as_text.stdout.rstrip().endswith(
        "0 violations, 1 warning - no violations, but SHACL says it does not conform "
        "(warnings only)"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_no_result_conforms_and_a_violation_does_not(run_kg, tmp_path: Path, engine: str) -> None:  # type: ignore[no-untyped-def]
    clean = _validate(run_kg, tmp_path, CLEAN, engine, "json")
    assert clean.exit_code == 0
    assert json.loads(clean.stdout)["conforms"] is True
    turtle = _validate(run_kg, tmp_path, CLEAN, engine, "turtle")
    assert _graph_conforms(turtle.stdout) == {Literal(True)}

    broken = _validate(run_kg, tmp_path, VIOLATION, engine, "json")
    assert broken.exit_code == 1
    payload = json.loads(broken.stdout)
    assert (payload["conforms"], payload["passes"]) == (False, False)
    turtle = _validate(run_kg, tmp_path, VIOLATION, engine, "turtle")
    assert _graph_conforms(turtle.stdout) == {Literal(False)}
