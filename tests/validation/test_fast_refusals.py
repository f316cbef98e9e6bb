"""What the fast engine does not evaluate goes to pyshacl, once, and kg says so.

Regression tests for issue 15 item 5 ("The fast SHACL engine can pass what it
does not understand"); the W3C suite itself runs in tests/validation/w3c.
"""

from __future__ import annotations

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, SH

from kg.cli import cli
from kg.validation.fast import compile_shapes, validate_fast, validate_with_engine
from kg.validation.shacl import validate

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""

DATA = (
    PREFIXES
    + """
ex:a a ex:T ; ex:p 1 .
ex:b a ex:T ; ex:p 2 ; ex:extra 3 .
"""
)


def graph(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def results_in(report_graph: Graph) -> int:
    return sum(1 for _ in report_graph.objects(None, SH.result))


def test_one_anonymous_fallback_is_checked_once() -> None:
    # Two anonymous shapes share a name; only the closed one goes to pyshacl. Both
    # went, and the other's results were reported twice.
    shapes = graph(
        """
        [] a sh:NodeShape ; sh:targetClass ex:T ; sh:closed true ;
           sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ex:p ) .
        [] a sh:NodeShape ; sh:targetClass ex:T ;
           sh:property [ sh:path ex:q ; sh:minCount 1 ] .
        """
    )
    data = Graph().parse(data=DATA, format="turtle")
    plan = compile_shapes(shapes)
    assert [f.reason for f in plan.fallbacks] == ["sh:closed is not supported by the fast engine"]
    fast = validate_fast(data, shapes, plan=plan)
    reference = validate(data, shapes)
    assert results_in(fast.report_graph) == results_in(reference.report_graph) == 3


def test_custom_target_is_handed_to_pyshacl() -> None:
    # sh:target (a SPARQL-based target) was never compiled: "conforms".
    shapes = graph(
        """
        ex:S a sh:NodeShape ;
           sh:target [ a sh:SPARQLTarget ;
                       sh:select "SELECT ?this WHERE { ?this <http://example.org/extra> ?x }" ] ;
           sh:property [ sh:path ex:q ; sh:minCount 1 ] .
        """
    )
    data = Graph().parse(data=DATA, format="turtle")
    notes: list[str] = []
    report = validate_with_engine("fast", data, shapes, on_note=notes.append)
    assert notes == [
        "shape <http://example.org/S> is checked by pyshacl: "
        "sh:target is not supported by the fast engine"
    ]
    assert [r.focus for r in report.results] == ["<http://example.org/b>"]
    notes.clear()
    auto = validate_with_engine("auto", data, shapes, on_note=notes.append)
    assert [r.focus for r in auto.results] == ["<http://example.org/b>"]
    assert notes == [
        "pyshacl checks every shape: the fast engine cannot check shape <http://example.org/S>: "
        "sh:target is not supported by the fast engine"
    ]


def test_a_shape_found_unsupported_while_checking_is_noted() -> None:
    # Blank-node focus nodes cannot be joined into a SPARQL query: that shape goes to
    # pyshacl, and now kg says so.
    shapes = graph(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ;
           sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/p> 2 }" ] .
        """
    )
    data = Graph().parse(data=PREFIXES + "[] a ex:T ; ex:p 2 .", format="turtle")
    notes: list[str] = []
    report = validate_with_engine("auto", data, shapes, on_note=notes.append)
    assert notes == [
        "shape <http://example.org/S> is checked by pyshacl: "
        "a blank-node focus node in a SPARQL-based constraint"
    ]
    assert len(report.results) == len(validate(data, shapes).results) == 1


def test_node_results_are_nested_under_sh_detail() -> None:
    shapes = graph(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ;
           sh:property [ sh:path ex:p ; sh:node ex:Inner ] .
        ex:Inner a sh:NodeShape ; sh:class ex:Missing .
        """
    )
    data = Graph().parse(data=DATA, format="turtle")
    fast = validate_fast(data, shapes).report_graph
    top = set(fast.objects(None, SH.result))
    nested = set(fast.objects(None, SH.detail))
    assert len(top) == 2 and len(nested) == 2 and not top & nested
    assert {fast.value(r, SH.sourceConstraintComponent) for r in top} == {
        SH.NodeConstraintComponent
    }
    assert len(set(fast.subjects(RDF.type, SH.ValidationResult))) == 4


def test_forbidden_query_is_a_clear_error_on_every_engine() -> None:
    shapes = (
        PREFIXES
        + """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
           sh:sparql [ sh:select '''SELECT $this WHERE {
               $this ?p ?o MINUS { $this <http://example.org/p> 1 } }''' ] .
        """
    )
    runner = CliRunner()
    with runner.isolated_filesystem():
        with open("shapes.ttl", "w", encoding="utf-8") as handle:
            handle.write(shapes)
        with open("data.ttl", "w", encoding="utf-8") as handle:
            handle.write(DATA)
        for engine in ("auto", "fast", "pyshacl"):
            args = ["validate", "--engine", engine, "--shapes", "shapes.ttl", "data.ttl"]
            result = runner.invoke(cli, args)
            assert result.exit_code == 3, (engine, result.output)
            assert "Traceback" not in result.stderr
            assert (
                "kg: error: the shapes cannot be used: A SPARQL Constraint must not contain "
                "a MINUS clause."
            ) in result.stderr


def test_pyshacl_leaves_literals_as_written() -> None:
    # pyshacl switches rdflib.NORMALIZE_LITERALS back on after loading shapes; kg
    # keeps literals as written, so "007"^^xsd:integer must stay "007" afterwards.
    data = Graph().parse(data=DATA, format="turtle")
    validate(data, graph("ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:nodeKind sh:IRI ."))
    assert rdflib.NORMALIZE_LITERALS is False
    after = Graph().parse(
        data=PREFIXES + 'ex:a ex:p "007"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        format="turtle",
    )
    assert {str(o) for o in after.objects()} == {"007"}


@pytest.mark.parametrize(
    ("where", "refused"),
    [
        ("{ $this <http://example.org/p> ?x . FILTER ($this != ?x) }", None),
        (
            "{ $this <http://example.org/p> ?x . OPTIONAL { $this <http://example.org/q> ?y } }",
            None,
        ),
        (
            "{ ?x <http://example.org/p> ?y . OPTIONAL { ?y ?q ?z . FILTER (?z = $this) } }",
            "expression",
        ),
        ("{ { ?x <http://example.org/p> ?y } UNION { $this <http://example.org/q> ?y } }", None),
        ("{ $this ?p ?o . OPTIONAL { ?o ?q ?r . OPTIONAL { $this ?s ?r } } }", "pattern"),
        ("{ $this ?p ?o } LIMIT 1", "LIMIT"),
        (
            "{ $this ?p ?o . { SELECT $this (COUNT(*) AS ?n) WHERE { $this ?q ?r } "
            "GROUP BY $this LIMIT 5 } }",
            "LIMIT",
        ),
    ],
)
def test_values_join_only_where_it_equals_pre_binding(where: str, refused: str | None) -> None:
    shapes = graph(
        f"""
        ex:S a sh:NodeShape ; sh:targetNode ex:a ;
           sh:sparql [ sh:select '''SELECT $this WHERE {where}''' ] .
        """
    )
    reasons = [f.reason for f in compile_shapes(shapes).fallbacks]
    if refused is None:
        assert reasons == []
    else:
        assert len(reasons) == 1 and refused in reasons[0], reasons
