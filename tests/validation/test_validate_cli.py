"""kg validate as a user runs it: report text, machine formats, input formats, inference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH

FIXTURES = Path(__file__).parents[1] / "fixtures" / "validate"
GOLDEN = Path(__file__).parents[1] / "golden"
INVALID = str(FIXTURES / "invalid.ttl")


def test_bundled_knowledge_conforms(run_kg) -> None:
    result = run_kg("validate")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith(" checked: 0 violations, 0 warnings - conforms\n")


def test_report_text_for_a_small_invalid_file(run_kg) -> None:
    result = run_kg("validate", INVALID)
    assert result.exit_code == 1
    assert result.stdout == (GOLDEN / "validate-invalid.txt").read_text(encoding="utf-8")


def test_report_is_the_same_on_every_run(run_kg) -> None:
    assert run_kg("validate", INVALID).stdout == run_kg("validate", INVALID).stdout


def test_json_report(run_kg) -> None:
    result = run_kg("validate", INVALID, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["violations"] == 5
    assert report["entities_checked"] == 2
    first = report["results"][0]
    assert first["focus"] == "msr:example-person"
    assert first["file"] == "tests/fixtures/validate/invalid.ttl"
    assert first["path"] == "skos:prefLabel"
    assert {r["path"] for r in report["results"]} == {
        "skos:prefLabel",
        "ms:classPosition",
        "ms:entry",
        "ms:session",
        "ms:statedIn",
    }


def test_turtle_report_is_the_shacl_report_graph(run_kg) -> None:
    result = run_kg("validate", INVALID, "--format", "turtle")
    assert result.exit_code == 1
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (None, SH.conforms, Literal(False)) in graph
    assert len(set(graph.subjects(SH.resultSeverity, SH.Violation))) >= 5
    assert "ns1:" not in result.stdout


@pytest.mark.parametrize("name", ["valid.trig", "valid.nt", "valid.jsonld"])
def test_every_input_format_by_suffix(run_kg, name: str) -> None:
    result = run_kg("validate", str(FIXTURES / name))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 entity checked: 0 violations, 0 warnings - conforms\n"


def test_input_format_named_explicitly(run_kg, tmp_path: Path) -> None:
    unnamed = tmp_path / "person.data"
    unnamed.write_text((FIXTURES / "valid.nt").read_text(encoding="utf-8"), encoding="utf-8")
    result = run_kg("validate", "--input-format", "ntriples", str(unnamed))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_inference_before_validation_leaves_the_file_untouched(run_kg, inference: str) -> None:
    before = (FIXTURES / "invalid.ttl").read_bytes()
    result = run_kg("validate", INVALID, "--inference", inference, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["violations"] == 5
    assert (FIXTURES / "invalid.ttl").read_bytes() == before


def test_other_shapes(run_kg, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<urn:shape> a sh:NodeShape ; sh:targetClass ms:Person ;\n"
        "  sh:property [ sh:path ms:nationality ; sh:minCount 1 ;\n"
        '    sh:message "needs a nationality"@en ] .\n',
        encoding="utf-8",
    )
    result = run_kg("validate", str(FIXTURES / "valid.nt"), "--shapes", str(shapes))
    assert result.exit_code == 1
    assert "violation: needs a nationality (property ms:nationality)" in result.stdout
