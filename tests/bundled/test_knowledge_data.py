"""The bundled knowledge keeps the modelling contract (docs/modelling.md).

Every file under data/ parses; every fact in an article file is a claim with its
source and verbatim evidence; the registry holds identity only; labels follow
the one-prefLabel-per-language rule; every saved query runs and answers.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from conftest import CORE_DATA
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.answers.queries import bind, read_query_file
from kg.model.namespaces import MS
from kg.stores.values import inject_values

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
REGISTRY = DATA / "entities.ttl"

DATA_FILES = sorted(DATA.rglob("*.ttl"))
# The articles and the race they report (conftest.py): rdflib and pyshacl over two
# seasons would take minutes; tests/bundled/test_full_bundle.py checks the whole of it
# through the index (every saved query answers, the build conforms).
CORE_FILES = sorted(
    path
    for item in CORE_DATA
    for path in ([item] if item.is_file() else item.rglob("*.ttl"))
    if path.suffix == ".ttl"
)
ARTICLE_FILES = sorted((DATA / "articles").glob("*.ttl"))
QUERY_FILES = sorted(QUERIES.glob("*.rq"))

IDENTITY_PREDICATES = {RDF.type, SKOS.prefLabel, SKOS.altLabel, RDFS.label}

# The claim classes the contract names. The ontology may add subclasses of
# ms:Claim; those are read from it as well (claim_classes below).
CONTRACT_CLAIM_CLASSES = {
    MS[name]
    for name in (
        "Claim",
        "Statement",
        "Entry",
        "Result",
        "Incident",
        "Role",
        "ProgrammeOperation",
        "ProgrammeStatusClaim",
        "CustomerPolicyClaim",
        "StatusReport",
        "Outcome",
        "Consideration",
        "Quote",
        "RacePositionReport",
        "FastestLap",
        "Assessment",
    )
}
CONTRACT_SOURCE_CLASSES = {MS.SourceDocument, MS.NewsArticle}
# Nodes that only carry a value of the claim that points at them.
VALUE_NODE_CLASSES = {MS.TimeSpec}
# Where a name no source gives comes from (tests/bundled/test_label_sources.py):
# the editors' notes and the additions made under them. Neither is a fact.
EDITORIAL_CLASSES = {MS.EditorialNote, MS.EditorialAddition}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def parsed(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


@cache
def ontology_graph() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@cache
def claim_classes() -> frozenset[Node]:
    classes = set(CONTRACT_CLAIM_CLASSES)
    ontology = ontology_graph()
    classes.update(ontology.transitive_subjects(RDFS.subClassOf, MS.Claim))
    return frozenset(classes)


@cache
def source_classes() -> frozenset[Node]:
    classes = set(CONTRACT_SOURCE_CLASSES)
    classes.update(ontology_graph().transitive_subjects(RDFS.subClassOf, MS.SourceDocument))
    return frozenset(classes)


def _typed(graph: Graph, classes: set[Node] | frozenset[Node]) -> set[Node]:
    return {s for s, _, o in graph.triples((None, RDF.type, None)) if o in classes}


def claim_nodes(graph: Graph) -> set[Node]:
    return _typed(graph, claim_classes())


def source_documents(graph: Graph) -> set[Node]:
    return _typed(graph, source_classes())


def editorial_nodes(graph: Graph) -> set[Node]:
    return _typed(graph, EDITORIAL_CLASSES)


def value_nodes(graph: Graph, claims: set[Node]) -> set[Node]:
    """TimeSpec nodes that a claim (or a Statement's rdf:object) points at."""
    candidates = _typed(graph, VALUE_NODE_CLASSES)
    return {
        node
        for node in candidates
        if any(subject in claims for subject in graph.subjects(None, node))
    }


def statement_triples(graph: Graph) -> set[tuple[Node, Node, Node]]:
    covered = set()
    for statement in graph.subjects(RDF.type, MS.Statement):
        subject = graph.value(statement, RDF.subject)
        predicate = graph.value(statement, RDF.predicate)
        obj = graph.value(statement, RDF.object)
        if subject is not None and predicate is not None and obj is not None:
            covered.add((subject, predicate, obj))
    return covered


def text_of(document: Node, graph: Graph) -> str:
    text_file = graph.value(document, MS.textFile)
    assert text_file is not None, f"{document} has no ms:textFile"
    return (DATA / str(text_file)).read_text(encoding="utf-8")


# --- Parsing ----------------------------------------------------------------------


def test_there_is_knowledge_to_check() -> None:
    assert REGISTRY in DATA_FILES
    assert ARTICLE_FILES, "no article files under data/articles/"
    assert QUERY_FILES, "no saved queries under queries/"


@pytest.mark.parametrize("path", DATA_FILES, ids=_rel)
def test_data_file_parses(path: Path) -> None:
    assert len(parsed(path)) > 0, f"{_rel(path)} is empty"


# --- Article files: every fact is a sourced claim -----------------------------------


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=_rel)
def test_every_fact_is_a_claim_or_covered_by_a_statement(path: Path) -> None:
    graph = parsed(path)
    claims = claim_nodes(graph)
    documents = source_documents(graph)
    values = value_nodes(graph, claims)
    editorial = editorial_nodes(graph)
    covered = statement_triples(graph)
    uncovered = sorted(
        f"{s.n3()} {p.n3()} {o.n3()}"
        for s, p, o in graph
        if p not in IDENTITY_PREDICATES
        and s not in claims
        and s not in documents
        and s not in values
        and s not in editorial
        and (s, p, o) not in covered
    )
    assert not uncovered, (
        f"{_rel(path)}: facts that are neither a claim node's nor covered by an "
        "ms:Statement (see docs/modelling.md, 'Claims'):\n" + "\n".join(uncovered)
    )


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=_rel)
def test_every_claim_is_stated_in_a_document_of_the_same_file(path: Path) -> None:
    graph = parsed(path)
    documents = source_documents(graph)
    assert documents, f"{_rel(path)} describes no ms:SourceDocument"
    problems = []
    for claim in sorted(claim_nodes(graph)):
        sources = set(graph.objects(claim, MS.statedIn))
        if not sources:
            problems.append(f"{claim.n3()} has no ms:statedIn")
        elif not sources <= documents:
            problems.append(f"{claim.n3()} is stated in a document this file does not describe")
    assert not problems, f"{_rel(path)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=_rel)
def test_every_source_document_has_a_language_and_a_date(path: Path) -> None:
    graph = parsed(path)
    for document in source_documents(graph):
        assert graph.value(document, DCTERMS.language) is not None, (
            f"{_rel(path)}: {document.n3()} has no dcterms:language"
        )
        published = graph.value(document, MS.published)
        bounds = [
            graph.value(document, MS.publishedNotBefore),
            graph.value(document, MS.publishedNotAfter),
        ]
        assert published is not None or any(b is not None for b in bounds), (
            f"{_rel(path)}: {document.n3()} has neither ms:published nor a date bound"
        )
        if published is None:
            assert graph.value(document, MS.publicationDateNote) is not None, (
                f"{_rel(path)}: {document.n3()} is dated by bounds only and needs an "
                "ms:publicationDateNote saying why"
            )


@pytest.mark.parametrize("path", DATA_FILES, ids=_rel)
def test_every_source_document_has_a_title_to_cite_it_by(path: Path) -> None:
    """Articles, imported results files and the reconciliation report alike (issue 16)."""
    graph = parsed(path)
    for document in source_documents(graph):
        titles = list(graph.objects(document, DCTERMS.title))
        assert titles, f"{_rel(path)}: {document.n3()} has no dcterms:title"
        assert all(isinstance(t, Literal) and t.language for t in titles), (
            f"{_rel(path)}: {document.n3()} has a dcterms:title without a language tag"
        )
        if graph.value(document, MS.textFile) is not None:
            language = str(graph.value(document, DCTERMS.language))
            assert language in {t.language for t in titles if isinstance(t, Literal)}, (
                f"{_rel(path)}: {document.n3()} has no title in its own language @{language}"
            )


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=_rel)
def test_evidence_and_quotes_are_verbatim_substrings_of_the_source(path: Path) -> None:
    graph = parsed(path)
    problems = []
    checked = 0
    for claim in sorted(claim_nodes(graph)):
        for document in graph.objects(claim, MS.statedIn):
            text = text_of(document, graph)
            language = str(graph.value(document, DCTERMS.language))
            for prop in (MS.evidence, MS.quoteText):
                for span in graph.objects(claim, prop):
                    checked += 1
                    assert isinstance(span, Literal)
                    if span.language != language:
                        problems.append(
                            f"{claim.n3()} {prop.n3()} is tagged @{span.language}, "
                            f"the source is @{language}"
                        )
                    if str(span) not in text:
                        problems.append(f"{claim.n3()} {prop.n3()} not in the text: {span!r}")
    assert checked, f"{_rel(path)} has no evidence at all"
    assert not problems, f"{_rel(path)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=_rel)
def test_every_claim_has_evidence(path: Path) -> None:
    graph = parsed(path)
    bare = sorted(
        claim.n3()
        for claim in claim_nodes(graph)
        if graph.value(claim, MS.evidence) is None and graph.value(claim, MS.quoteText) is None
    )
    assert not bare, f"{_rel(path)}: claims without ms:evidence:\n" + "\n".join(bare)


def test_no_entity_is_defined_in_two_article_files() -> None:
    defined_in: dict[Node, list[str]] = defaultdict(list)
    for path in ARTICLE_FILES:
        for subject in set(parsed(path).subjects(RDF.type, None)):
            defined_in[subject].append(_rel(path))
    twice = sorted(
        f"{s.n3()}: {', '.join(files)}" for s, files in defined_in.items() if len(files) > 1
    )
    assert not twice, "entities typed in more than one article file:\n" + "\n".join(twice)


# --- The registry and labels ---------------------------------------------------------


def test_registry_has_identity_triples_only() -> None:
    graph = parsed(REGISTRY)
    editorial = editorial_nodes(graph)
    facts = sorted(
        f"{s.n3()} {p.n3()} {o.n3()}"
        for s, p, o in graph
        if p not in IDENTITY_PREDICATES and s not in editorial
    )
    assert not facts, (
        "data/entities.ttl holds identity only; move these facts, as claims, into "
        "the article file of the source that states them:\n" + "\n".join(facts)
    )


def _all_data(files: list[Path] = DATA_FILES) -> Graph:
    union = Graph()
    for path in files:
        for triple in parsed(path):
            union.add(triple)
    return union


def test_every_entity_has_one_preflabel_per_language() -> None:
    union = _all_data()
    skip = claim_classes() | source_classes() | VALUE_NODE_CLASSES | EDITORIAL_CLASSES
    problems = []
    for entity in sorted(set(union.subjects(RDF.type, None))):
        if any(cls in skip for cls in union.objects(entity, RDF.type)):
            continue
        labels: dict[str | None, list[str]] = defaultdict(list)
        for label in union.objects(entity, SKOS.prefLabel):
            assert isinstance(label, Literal)
            labels[label.language].append(str(label))
        if len(labels.get("en", [])) != 1:
            problems.append(f"{entity.n3()}: {len(labels.get('en', []))} English prefLabels")
        for language, values in labels.items():
            if language is None:
                problems.append(f"{entity.n3()}: prefLabel without a language tag")
            elif len(values) > 1:
                problems.append(f"{entity.n3()}: {len(values)} prefLabels @{language}")
        preferred = {(str(v), lang) for lang, vs in labels.items() for v in vs}
        for alt in union.objects(entity, SKOS.altLabel):
            assert isinstance(alt, Literal)
            if (str(alt), alt.language) in preferred:
                problems.append(f"{entity.n3()}: altLabel {alt.n3()} repeats a prefLabel")
    assert not problems, "\n".join(problems)


def test_the_articles_and_their_race_conform_to_the_shapes() -> None:
    from kg.validation.shacl import validate

    shapes = Graph()
    shapes.parse(ONTOLOGY / "shapes.ttl", format="turtle")
    ontology = Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        if path.name != "shapes.ttl":
            ontology.parse(path, format="turtle")
    report = validate(_all_data(CORE_FILES), shapes, ontology)
    problems = [f"{r.focus} {r.path or ''}: {r.message} ({r.value})" for r in report.results]
    assert report.conforms, "data/ does not conform to ontology/shapes.ttl:\n" + "\n".join(problems)


# --- Saved queries -------------------------------------------------------------------


@cache
def knowledge_graph() -> Graph:
    union = Graph()
    for triple in ontology_graph():
        union.add(triple)
    for triple in _all_data(CORE_FILES):
        union.add(triple)
    return union


@pytest.mark.parametrize("path", QUERY_FILES, ids=_rel)
def test_query_has_headers_and_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert any(line.startswith("# title:") for line in lines), f"{_rel(path)}: no '# title:'"
    assert any(line.startswith("# description:") for line in lines), (
        f"{_rel(path)}: no '# description:'"
    )
    prepareQuery(text)


# A parameter without a default is bound, for this test, to an entity that
# every bundled query of that kind can describe.
EXAMPLE_VALUES = {"iri": "msr:rolex-24-at-daytona-2024-entry-24"}


def _example_bindings(path: Path) -> dict[str, Node]:
    saved = read_query_file(path)
    given = []
    for param in saved.params:
        if param.default is not None:
            given.append((param.name, param.default))
        else:
            assert param.type in EXAMPLE_VALUES, (
                f"{_rel(path)}: parameter {param.name} ({param.type}) has no default and "
                "the test has no example value for its type"
            )
            given.append((param.name, EXAMPLE_VALUES[param.type]))
    return dict(bind(saved, given))


def _rows(text: str, bindings: dict[str, Node] | None = None) -> list[tuple[Node | None, ...]]:
    result = knowledge_graph().query(prepareQuery(text), initBindings=bindings or {})
    return [tuple(row) for row in result]  # type: ignore[arg-type]


@pytest.mark.parametrize("path", QUERY_FILES, ids=_rel)
def test_query_answers_with_its_default_parameters(path: Path) -> None:
    bindings = _example_bindings(path)
    rows = _rows(read_query_file(path).text, bindings)
    assert rows, f"{_rel(path)} returns no rows on the bundled data with {bindings}"


@pytest.mark.parametrize("path", [p for p in QUERY_FILES if read_query_file(p).params], ids=_rel)
def test_query_gives_the_same_rows_when_bound_by_values(path: Path) -> None:
    """Stores without native binding get parameters as a VALUES block (kg.stores.values).

    A query that only works with pre-bound variables (initBindings) would answer
    differently there.
    """
    saved = read_query_file(path)
    bindings = _example_bindings(path)
    with_init = _rows(saved.text, bindings)
    with_values = _rows(inject_values(saved.text, bindings))
    assert sorted(map(repr, with_values)) == sorted(map(repr, with_init)), (
        f"{_rel(path)} answers differently when its parameters come as VALUES"
    )


def test_query_parameters_are_variables_of_the_query() -> None:
    problems = []
    for path in QUERY_FILES:
        saved = read_query_file(path)
        for param in saved.params:
            if f"?{param.name}" not in saved.text:
                problems.append(f"{_rel(path)}: parameter {param.name} is not ?{param.name}")
    assert not problems, "\n".join(problems)


def test_article_subjects_are_iris() -> None:
    """No blank nodes in article files: every claim and value node is cited by its IRI."""
    problems = []
    for path in ARTICLE_FILES:
        for s, _, _ in parsed(path):
            if not isinstance(s, URIRef):
                problems.append(f"{_rel(path)}: blank-node subject {s.n3()}")
    assert not problems, "\n".join(problems)
