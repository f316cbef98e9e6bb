"""The fast SHACL engine gives the same results as pyshacl (the reference)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.model.namespaces import new_graph
from kg.validation.affected import affected_nodes, reads_of
from kg.validation.fast import (
    TripleIndex,
    build_index,
    compile_shapes,
    validate_fast,
    validate_with_engine,
)
from kg.validation.shacl import ValidationReport, validate

FIXTURES = Path(__file__).parents[1] / "fixtures"
OWN = FIXTURES / "fastshacl"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*/*.ttl"))


def load(*paths: Path) -> Graph:
    graph = new_graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def keys(report: ValidationReport) -> set[tuple[str | None, ...]]:
    return {(r.focus, r.path, r.value, r.severity, r.message) for r in report.results}


def assert_same(data: Graph, shapes: Graph, ontology: Graph | None) -> ValidationReport:
    reference = validate(data, shapes, ontology=ontology)
    fast = validate_fast(data, shapes, ontology=ontology)
    assert keys(fast) == keys(reference)
    assert fast.conforms == reference.conforms
    assert fast.entities_checked == reference.entities_checked
    return fast


@pytest.mark.parametrize("name", ["valid.ttl", "invalid.ttl"])
def test_same_results_on_own_fixtures(name: str) -> None:
    report = assert_same(load(OWN / name), load(OWN / "shapes.ttl"), load(OWN / "ontology.ttl"))
    assert report.conforms == (name == "valid.ttl")


def test_own_invalid_fixture_exercises_every_constraint_kind() -> None:
    report = validate_fast(
        load(OWN / "invalid.ttl"), load(OWN / "shapes.ttl"), load(OWN / "ontology.ttl")
    )
    messages = " | ".join(r.message for r in report.results)
    for expected in (
        "A claim needs ms:statedIn",
        "Less than 1 values on msr:untyped-claim->rdf:type",
        "More than 1 values on msr:entry-1->ms:carNumber",
        "Value does not match pattern",
        "String length not <=",
        "Value is not Literal with datatype xsd:positiveInteger",
        "String length not >=",
        "Value is not <= ",
        "Value is not > ",
        "not in list",
        "Value does not have class ms:Person",
        "Value is not of Node Kind sh:IRI",
        "More than one String shares the same Language",
        "String language is not in",
        "must conform to one or more shapes",
        "must not conform to shape",
        "does not contain a value in the set",
        "Value does not conform to Shape mss:HasTypeShape",
        "has evidence",
        "An incident cannot follow itself.",
        "Give at most one ms:published date.",
    ):
        assert expected in messages, expected


@pytest.fixture(scope="module")
def project_schema() -> tuple[Graph, Graph]:
    ontology_dir = Path(__file__).parents[2] / "ontology"
    ontology = load(*sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl"))
    return load(ontology_dir / "shapes.ttl"), ontology


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_results_on_shape_fixtures(path: Path, project_schema: tuple[Graph, Graph]) -> None:
    shapes, ontology = project_schema
    assert_same(load(path), shapes, ontology)


def test_same_results_on_bundled_knowledge() -> None:
    from kg.knowledge.project import open_knowledge

    knowledge = open_knowledge("memory")
    assert_same(knowledge.data(), knowledge.shapes(), knowledge.ontology())


def test_project_shapes_are_fully_supported() -> None:
    shapes = load(Path(__file__).parents[2] / "ontology" / "shapes.ttl")
    assert compile_shapes(shapes).fallbacks == ()


def test_unsupported_shape_falls_back_to_pyshacl_and_says_so() -> None:
    shapes = load(OWN / "closed-shapes.ttl")
    plan = compile_shapes(shapes)
    assert [(f.shape, f.reason) for f in plan.fallbacks] == [
        ("mss:ClosedResultShape", "sh:closed is not supported by the fast engine")
    ]
    data = load(OWN / "invalid.ttl")
    notes: list[str] = []
    fast = validate_with_engine("fast", data, shapes, on_note=notes.append)
    assert notes == [
        "shape mss:ClosedResultShape is checked by pyshacl: "
        "sh:closed is not supported by the fast engine"
    ]
    assert keys(fast) == keys(validate(data, shapes))
    assert any("is closed" in r.message for r in fast.results)


def test_auto_uses_pyshacl_when_a_shape_is_unsupported() -> None:
    shapes = load(OWN / "closed-shapes.ttl")
    notes: list[str] = []
    report = validate_with_engine("auto", load(OWN / "invalid.ttl"), shapes, on_note=notes.append)
    assert notes == [
        "pyshacl checks every shape: the fast engine cannot check shape "
        "mss:ClosedResultShape: sh:closed is not supported by the fast engine"
    ]
    assert keys(report) == keys(validate(load(OWN / "invalid.ttl"), shapes))


def test_incremental_recheck_matches_full_validation() -> None:
    shapes = load(OWN / "shapes.ttl")
    ontology = load(OWN / "ontology.ttl")
    before = load(OWN / "valid.ttl")
    after = load(OWN / "valid.ttl")
    from rdflib import URIRef

    entry = URIRef("https://w3id.org/motorsport-kg/id/entry-1")
    number = URIRef("https://w3id.org/motorsport-kg/ontology/carNumber")
    after.add((entry, number, __import__("rdflib").Literal("99")))
    index = build_index(after, ontology)
    plan = compile_shapes(shapes)
    focus = affected_nodes(index, reads_of(plan), set(before) ^ set(after))
    assert focus == {entry}
    partial = validate_fast(index, shapes, plan=plan, focus=focus)
    full = validate_fast(after, shapes, ontology=ontology)
    assert keys(partial) <= keys(full)
    assert {r for r in keys(full) if r[0] == "msr:entry-1"} == {
        r for r in keys(partial) if r[0] == "msr:entry-1"
    }
    assert any("More than 1 values on msr:entry-1->ms:carNumber" in r[4] for r in keys(partial))


def test_index_counts_and_types() -> None:
    index = TripleIndex(load(OWN / "ontology.ttl"))
    from rdflib.namespace import RDFS

    from kg.model.namespaces import MS

    assert (MS.Entry, RDFS.subClassOf, MS.Claim) in set(index.triples())
    assert MS.Claim in index.superclasses(MS.Entry)
    assert MS.Entry in index.subclasses(MS.Claim)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_engines_print_the_same_report() -> None:
    common = ["validate", "--shapes", str(OWN / "shapes.ttl"), "--format", "json"]
    code_fast, out_fast, err_fast = run(*common, "--engine", "fast", str(OWN / "invalid.ttl"))
    code_ref, out_ref, _ = run(*common, "--engine", "pyshacl", str(OWN / "invalid.ttl"))
    assert (code_fast, code_ref) == (1, 1)
    assert err_fast == ""
    fast = json.loads(out_fast)
    reference = json.loads(out_ref)
    assert fast["violations"] == reference["violations"] == 30
    assert fast["warnings"] == reference["warnings"] == 3
    assert {json.dumps(r, sort_keys=True) for r in fast["results"]} == {
        json.dumps(r, sort_keys=True) for r in reference["results"]
    }


def test_cli_text_report_is_identical_between_engines() -> None:
    args = ["validate", "--shapes", str(OWN / "shapes.ttl"), str(OWN / "invalid.ttl")]
    fast = run(*args, "--engine", "fast")
    reference = run(*args, "--engine", "pyshacl")
    assert fast[0] == reference[0] == 1
    assert fast[1] == reference[1]
    assert fast[1].endswith("10 entities checked: 30 violations, 3 warnings - does not conform\n")


def test_cli_fast_engine_notes_fallback_on_stderr() -> None:
    code, out, err = run(
        "validate",
        "--engine",
        "fast",
        "--shapes",
        str(OWN / "closed-shapes.ttl"),
        str(OWN / "invalid.ttl"),
    )
    assert code == 1
    assert err == (
        "kg: note: shape mss:ClosedResultShape is checked by pyshacl: "
        "sh:closed is not supported by the fast engine\n"
    )
    assert "One car number." in out


def test_cli_fast_engine_refuses_inference() -> None:
    code, out, err = run(
        "validate", "--engine", "fast", "--inference", "rdfs", str(OWN / "valid.ttl")
    )
    assert code == 2
    assert out == ""
    assert err == (
        "kg: error: --engine fast validates the data as given, without inference; "
        "use --engine pyshacl with --inference rdfs\n"
    )


def test_cli_valid_file_conforms_with_fast_engine() -> None:
    code, out, _ = run(
        "validate",
        "--engine",
        "fast",
        "--shapes",
        str(OWN / "shapes.ttl"),
        str(OWN / "valid.ttl"),
    )
    assert code == 0
    assert out.endswith(" - conforms\n")


_SUBQUERY_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:T ;
    sh:sparql [ sh:select \"\"\"
        SELECT $this ?value WHERE {
            $this <http://example.org/p> ?value .
            { SELECT %s ?value (COUNT(*) AS ?n)
              WHERE { ?x <http://example.org/p> ?value . FILTER (STR(?value) != "}") %s }
              GROUP BY %s ?value }
        }\"\"\" ] .
"""
_NOT_PROJECTED = (
    "an sh:sparql sub-query that does not project $this (SHACL §5.3.1: a sub-query "
    "must project every pre-bound variable)"
)


@pytest.mark.parametrize(
    ("projected", "inside", "reason"),
    [
        # Projecting $this keeps the sub-query's solutions apart per focus node.
        ("$this", "?x <http://example.org/q> $this .", None),
        # Braces in comments, strings and IRIs do not count.
        ("$this", "?x <http://example.org/q> $this . # a comment with }\n", None),
        # SHACL requires every sub-query to project $this, even one that does not use it
        # (W3C test unsupported-sparql-004): pyshacl then reports the failure.
        ("", "", _NOT_PROJECTED),
        ("", "?x <http://example.org/q> $this .", _NOT_PROJECTED),
        # $this in an expression inside a sub-query is unbound before the VALUES join.
        ("$this", "?x <http://example.org/q> $this . FILTER ($this != ?x)", "expression"),
    ],
)
def test_sparql_sub_query_support(projected: str, inside: str, reason: str | None) -> None:
    text = _SUBQUERY_SHAPE % (projected, inside, projected)
    shapes = Graph().parse(data=text, format="turtle")
    reasons = [f.reason for f in compile_shapes(shapes).fallbacks]
    if reason is None:
        assert reasons == []
    elif reason == "expression":
        assert reasons == [
            "an sh:sparql query with $this in an expression inside a sub-select: joining "
            "the focus nodes in by VALUES could differ from SHACL's pre-binding of $this"
        ]
    else:
        assert reasons == [reason]
