"""The shapes under test: every node shape accepts a small valid snippet and rejects
at least one invalid one with the message a person needs to fix it.

Fixtures live in tests/fixtures/shapes/{valid,invalid}/. A valid fixture is named
after its shape (`ResultShape.ttl`, or `ResultShape-<variant>.ttl`) and must give
no result at all, not even a warning. An invalid fixture is named
`<Shape>-<problem>.ttl` and starts with comment lines:

    # shape: mss:ResultShape
    # expect: A result must say which entry it belongs to (ms:entry)
    # severity: Warning        (only when the problem is advisory)

Each `# expect:` text must appear in some result message, and every result must
be one of those expected, so a fixture pins one problem and nothing else.
Fixtures are validated together with ontology/*.ttl as the ontology graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from kg.validation.shacl import ValidationReport, validate

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))

MS = "https://w3id.org/motorsport-kg/ontology/"
MSS = "https://w3id.org/motorsport-kg/shapes/"
CLAIM = URIRef(MS + "Claim")
CLAIM_SHAPE = URIRef(MSS + "ClaimShape")
NARROW_TARGETS = (SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def _parse(*paths: Path) -> Graph:
    graph = Graph(bind_namespaces="none")
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return _parse(SHAPES_FILE)


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return _parse(*sorted(ONTOLOGY_DIR.glob("*.ttl")))


def _shape_names() -> list[str]:
    graph = _parse(SHAPES_FILE)
    return sorted(
        str(s)[len(MSS) :] for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)
    )


SHAPE_NAMES = _shape_names()


@dataclass(frozen=True)
class Header:
    shape: str | None
    expects: tuple[str, ...]
    severity: str | None


def _header(path: Path) -> Header:
    shape, expects, severity = None, [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        if key == "shape":
            shape = value.strip()
        elif key == "expect":
            expects.append(value.strip())
        elif key == "severity":
            severity = value.strip()
    return Header(shape, tuple(expects), severity)


def _shape_of(path: Path) -> str:
    return path.stem.split("-", 1)[0]


def _explain(report: ValidationReport) -> str:
    lines = [f"conforms: {report.conforms}"]
    lines += [
        f"  {r.severity}: {r.focus} {r.path or ''} {r.value or ''} [{r.shape}]\n    {r.message}"
        for r in report.results
    ]
    return "\n".join(lines)


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


# -- the fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_valid_fixture_conforms(path: Path, shapes: Graph, ontology: Graph) -> None:
    report = validate(_parse(path), shapes, ontology)
    assert report.conforms and not report.results, _explain(report)


@pytest.mark.parametrize("path", INVALID, ids=_ids(INVALID))
def test_invalid_fixture_is_rejected_with_its_message(
    path: Path, shapes: Graph, ontology: Graph
) -> None:
    header = _header(path)
    assert header.expects, f"{path.name} needs at least one '# expect:' line"
    report = validate(_parse(path), shapes, ontology)
    explanation = _explain(report)
    if header.severity == "Warning":
        # Warnings only: kg exits 0, but in SHACL's terms the data does not conform.
        assert report.passes and not report.conforms, explanation
        assert all(r.severity == "warning" for r in report.results), explanation
    else:
        assert not report.conforms, explanation
    messages = [r.message for r in report.results]
    for expected in header.expects:
        assert any(expected in m for m in messages), f"no message with {expected!r}\n{explanation}"
    unexpected = [m for m in messages if not any(e in m for e in header.expects)]
    assert not unexpected, f"results the fixture does not expect\n{explanation}"


@pytest.mark.parametrize("path", VALID + INVALID, ids=_ids(VALID + INVALID))
def test_fixture_names_an_existing_shape(path: Path) -> None:
    header = _header(path)
    assert header.shape == f"mss:{_shape_of(path)}", (
        f"{path.name} must start with '# shape: mss:{_shape_of(path)}'"
    )
    assert _shape_of(path) in SHAPE_NAMES, f"{path.name}: no node shape {header.shape}"


@pytest.mark.parametrize("name", SHAPE_NAMES)
def test_every_node_shape_has_a_valid_and_an_invalid_fixture(name: str) -> None:
    assert (FIXTURES / "valid" / f"{name}.ttl").exists(), f"add valid/{name}.ttl"
    assert any(_shape_of(p) == name for p in INVALID), f"add invalid/{name}-<problem>.ttl"


# -- the shapes themselves ------------------------------------------------------------------


def _english_messages(shapes: Graph, node: URIRef | BNode) -> list[str]:
    return [
        str(m)
        for m in shapes.objects(node, SH.message)
        if isinstance(m, Literal) and m.language == "en" and str(m).strip()
    ]


def test_every_shape_has_an_english_message(shapes: Graph) -> None:
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape))
    nodes |= set(shapes.subjects(RDF.type, SH.PropertyShape))
    nodes |= set(shapes.objects(None, SH.property))
    nodes |= set(shapes.objects(None, SH.sparql))
    silent = sorted(str(n) for n in nodes if not _english_messages(shapes, n))
    assert not silent, f"shapes without an English sh:message: {silent}"


def test_sparql_constraints_are_narrowly_targeted(shapes: Graph) -> None:
    """pyshacl runs a SPARQL constraint once per focus node: target rare properties."""
    for shape in shapes.subjects(SH.sparql, None):
        targets = {p for p, _ in shapes.predicate_objects(shape) if str(p).startswith(str(SH))}
        assert SH.targetClass not in targets, f"{shape}: target the subjects of a rare property"
        assert targets & set(NARROW_TARGETS), f"{shape} has no narrow target"


def test_sparql_shapes_repeat_their_constraints_message(shapes: Graph) -> None:
    """pyshacl gives a SPARQL result the node shape's message as well as the constraint's,
    unless both are the same literal: then the result carries one, detailed message."""
    for shape, constraint in shapes.subject_objects(SH.sparql):
        assert set(shapes.objects(shape, SH.message)) == set(
            shapes.objects(constraint, SH.message)
        ), f"{shape}: use the SPARQL constraint's sh:message as the shape's sh:message"


def _subclasses(ontology: Graph, root: URIRef) -> set[URIRef]:
    found: set[URIRef] = set()
    todo = [root]
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_claim_shape_targets_every_claim_class(shapes: Graph, ontology: Graph) -> None:
    """Listed explicitly, so that claims are checked even without the ontology's
    rdfs:subClassOf triples."""
    targets = set(shapes.objects(CLAIM_SHAPE, SH.targetClass))
    missing = sorted(str(c) for c in ({CLAIM} | _subclasses(ontology, CLAIM)) - targets)
    assert not missing, f"add to mss:ClaimShape's sh:targetClass: {missing}"


def test_every_class_is_checked_by_a_shape(shapes: Graph, ontology: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    unchecked = []
    for cls in ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")):
        if not str(cls).startswith(MS):
            continue
        lineage = {cls}
        todo = [cls]
        while todo:
            for parent in ontology.objects(todo.pop(), RDFS.subClassOf):
                if parent not in lineage:
                    lineage.add(parent)
                    todo.append(parent)
        if not lineage & targeted:
            unchecked.append(str(cls))
    assert not unchecked, f"no shape targets these classes or their superclasses: {unchecked}"
