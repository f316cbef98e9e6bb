"""The ontology is the thing under test: ontology/motorsport.ttl and vocabularies.ttl.

Every ms:/msv: term that the ontology, the shapes, the data, the saved queries or
the modelling guide use must be declared, named in English and German, and
defined; labels are unique per language; every concept sits in a scheme and is
typed with its scheme's class. Deliberately imports nothing from kg, so that it
runs even when the package does not import.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
MODELLING_GUIDE = ROOT / "docs" / "modelling.md"

MS = "https://w3id.org/motorsport-kg/ontology/"
MSV = "https://w3id.org/motorsport-kg/vocab/"
ONTOLOGY_IRI = URIRef(MS)
VERSION = "0.1.0"
VERSION_IRI = URIRef(MS + VERSION)

# The namespaces docs/modelling.md allows, plus the alignment-only IRIs it lists.
ALLOWED_NAMESPACES = (
    "https://w3id.org/motorsport-kg/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/prov#",
    "https://schema.org/",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/2006/time#",
    "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "http://www.w3.org/ns/oa#",
    "http://www.w3.org/ns/shacl#",
    "http://xmlns.com/foaf/0.1/",
    "https://privatealpha.com/ontology/ibis/1#",
    "https://sportschema.org/ontologies/main/",
    "https://sportschema.org/ontologies/motor-racing/",
)
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
CONCEPT_TYPES = (SKOS.Concept, SKOS.ConceptScheme)

REQUIRED_SCHEMES = (
    "DecisionStatusScheme",
    "ProgrammeKindScheme",
    "PlatformScheme",
    "ProgrammeStatusScheme",
    "CustomerPolicyScheme",
    "OperatorRoleScheme",
    "ResultStatusScheme",
    "IncidentKindScheme",
    "ComponentScheme",
    "RoleKindScheme",
    "CriterionScheme",
    "SessionKindScheme",
    "TimePrecisionScheme",
)


def _graph(paths: Iterable[Path]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """motorsport.ttl and vocabularies.ttl: where terms are declared (not the shapes)."""
    return _graph(p for p in sorted(ONTOLOGY_DIR.glob("*.ttl")) if p.name != "shapes.ttl")


@pytest.fixture(scope="module")
def declared(ontology: Graph) -> set[URIRef]:
    terms: set[URIRef] = set()
    for kind in (*TERM_TYPES, *CONCEPT_TYPES):
        terms.update(s for s in ontology.subjects(RDF.type, kind) if isinstance(s, URIRef))
    return {t for t in terms if _ours(t)}


def _ours(iri: object) -> bool:
    return isinstance(iri, URIRef) and (str(iri).startswith(MS) or str(iri).startswith(MSV))


def _short(iri: URIRef) -> str:
    text = str(iri)
    return "msv:" + text[len(MSV) :] if text.startswith(MSV) else "ms:" + text[len(MS) :]


def _literals(graph: Graph, subject: URIRef, predicate: URIRef, lang: str) -> list[str]:
    return sorted(
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == lang
    )


# -- the ontology header -------------------------------------------------------------------


def test_exactly_one_ontology_with_its_metadata() -> None:
    everything = _graph(sorted(ONTOLOGY_DIR.glob("*.ttl")))
    headers = list(everything.subjects(RDF.type, OWL.Ontology))
    assert headers == [ONTOLOGY_IRI], f"expected one owl:Ontology <{MS}>, found {headers}"
    assert set(everything.objects(ONTOLOGY_IRI, OWL.versionIRI)) == {VERSION_IRI}
    assert [str(v) for v in everything.objects(ONTOLOGY_IRI, OWL.versionInfo)] == [VERSION]
    for predicate in (DCTERMS.title, DCTERMS.description):
        for lang in ("en", "de"):
            values = _literals(everything, ONTOLOGY_IRI, predicate, lang)
            assert len(values) == 1, f"the ontology needs one {predicate} @{lang}, has {values}"
    assert set(everything.objects(ONTOLOGY_IRI, DCTERMS.license)) == {LICENSE}
    assert [str(c) for c in everything.objects(ONTOLOGY_IRI, DCTERMS.creator)] == [
        "motorsport-kg contributors"
    ]


# -- every term used is declared -------------------------------------------------------------

_PREFIX_DECLARATION = re.compile(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_PREFIXED_NAME = re.compile(r"(?<![\w:/#-])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)")
_FULL_IRI = re.compile(r"<(https://w3id\.org/motorsport-kg/(?:ontology|vocab)/[^>\s]+)>")


def _terms_in_text(text: str) -> set[URIRef]:
    """ms:/msv: names in SPARQL or Markdown: prefixed (with any PREFIX lines) or in full."""
    prefixes = {"ms": MS, "msv": MSV}
    for prefix, iri in _PREFIX_DECLARATION.findall(text):
        prefixes[prefix] = iri
    found = {URIRef(iri) for iri in _FULL_IRI.findall(text)}
    for prefix, local in _PREFIXED_NAME.findall(text):
        namespace = prefixes.get(prefix)
        if namespace in (MS, MSV):
            found.add(URIRef(namespace + local.rstrip("-")))
    return found


def _terms_in_turtle(path: Path) -> set[URIRef]:
    graph = _graph([path])
    found = {term for triple in graph for term in triple if _ours(term)}
    # SPARQL constraints name terms inside string literals.
    for query in graph.objects(None, SH.select):
        found |= _terms_in_text(str(query))
    return found


def _usage_files() -> Iterator[Path]:
    yield from sorted(ONTOLOGY_DIR.glob("*.ttl"))
    yield from sorted((ROOT / "data").glob("**/*.ttl"))
    yield from sorted((ROOT / "queries").glob("*.rq"))
    yield MODELLING_GUIDE


@pytest.mark.parametrize("path", list(_usage_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_term_used_is_declared(path: Path, declared: set[URIRef]) -> None:
    if path.suffix == ".ttl":
        used = _terms_in_turtle(path)
    else:
        used = _terms_in_text(path.read_text(encoding="utf-8"))
    used -= {ONTOLOGY_IRI, VERSION_IRI}
    missing = sorted(_short(t) for t in used - declared)
    assert not missing, (
        f"{path.relative_to(ROOT)} uses terms that ontology/ does not declare: "
        f"{', '.join(missing)}. Declare them in ontology/motorsport.ttl (classes, "
        "properties) or ontology/vocabularies.ttl (concepts), and in docs/modelling.md."
    )


def test_ontology_files_use_only_documented_namespaces() -> None:
    everything = _graph(sorted(ONTOLOGY_DIR.glob("*.ttl")))
    foreign = sorted(
        {
            str(term)
            for triple in everything
            for term in triple
            if isinstance(term, URIRef)
            and term != LICENSE
            and not str(term).startswith(ALLOWED_NAMESPACES)
        }
    )
    assert not foreign, f"IRIs outside the namespaces of docs/modelling.md: {foreign}"


# -- declarations, labels and definitions ----------------------------------------------------


def test_every_term_has_exactly_one_kind(ontology: Graph, declared: set[URIRef]) -> None:
    problems = []
    for term in sorted(declared):
        kinds = [k for k in (*TERM_TYPES, *CONCEPT_TYPES) if (term, RDF.type, k) in ontology]
        if len(kinds) != 1:
            problems.append(f"{_short(term)} is declared as {[str(k) for k in kinds]}")
    assert not problems, "\n".join(problems)


def test_domains_and_ranges_are_declared(ontology: Graph, declared: set[URIRef]) -> None:
    problems = [
        f"{_short(term)} {predicate.n3()} {_short(target)}, which is not declared"
        for predicate in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf)
        for term, target in ontology.subject_objects(predicate)
        if _ours(term) and _ours(target) and target not in declared
    ]
    assert not problems, "\n".join(sorted(problems))


def test_every_term_is_named_in_english_and_german(ontology: Graph, declared: set[URIRef]) -> None:
    problems = []
    for term in sorted(declared):
        is_concept = any((term, RDF.type, k) in ontology for k in CONCEPT_TYPES)
        predicates = (SKOS.prefLabel,) if is_concept else (RDFS.label, SKOS.prefLabel)
        for lang in ("en", "de"):
            values = {p: _literals(ontology, term, p, lang) for p in predicates}
            for predicate, labels in values.items():
                if len(labels) != 1:
                    problems.append(
                        f"{_short(term)}: needs exactly one {ontology.qname(predicate)} "
                        f"@{lang}, has {labels}"
                    )
            if len({tuple(v) for v in values.values()}) > 1:
                problems.append(f"{_short(term)}: rdfs:label and skos:prefLabel differ @{lang}")
    assert not problems, "\n".join(problems)


def test_every_term_has_an_english_definition(ontology: Graph, declared: set[URIRef]) -> None:
    problems = [
        f"{_short(term)}: needs exactly one skos:definition @en"
        for term in sorted(declared)
        if len(_literals(ontology, term, SKOS.definition, "en")) != 1
    ]
    assert not problems, "\n".join(problems)


def test_no_two_terms_share_a_label(ontology: Graph, declared: set[URIRef]) -> None:
    owners: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    for term in declared:
        for predicate in (RDFS.label, SKOS.prefLabel):
            for label in ontology.objects(term, predicate):
                if isinstance(label, Literal) and label.language:
                    owners[(label.language, str(label).casefold())].add(term)
    clashes = sorted(
        f'"{text}"@{lang}: {", ".join(sorted(_short(t) for t in terms))}'
        for (lang, text), terms in owners.items()
        if len(terms) > 1
    )
    assert not clashes, "labels shared by several terms:\n" + "\n".join(clashes)


# -- concepts and schemes --------------------------------------------------------------------


def test_required_schemes_exist(ontology: Graph) -> None:
    missing = [
        name
        for name in REQUIRED_SCHEMES
        if (URIRef(MSV + name), RDF.type, SKOS.ConceptScheme) not in ontology
    ]
    assert not missing, f"missing concept schemes: {missing}"


def _concepts(ontology: Graph) -> list[URIRef]:
    return sorted(c for c in ontology.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef))


def _concept_classes(ontology: Graph) -> set[URIRef]:
    return {
        c
        for c in ontology.subjects(RDFS.subClassOf, SKOS.Concept)
        if _ours(c) and (c, RDF.type, OWL.Class) in ontology
    }


def test_every_concept_is_in_a_scheme(ontology: Graph) -> None:
    schemes = set(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    problems = []
    for concept in _concepts(ontology):
        in_schemes = set(ontology.objects(concept, SKOS.inScheme))
        if not in_schemes:
            problems.append(f"{_short(concept)} is in no scheme (skos:inScheme)")
        elif not in_schemes <= schemes:
            problems.append(f"{_short(concept)} is in an undeclared scheme")
        broader = set(ontology.objects(concept, SKOS.broader))
        top_of = set(ontology.objects(concept, SKOS.topConceptOf))
        if not broader and top_of != in_schemes:
            problems.append(f"{_short(concept)} has no broader concept: make it skos:topConceptOf")
        if broader and top_of:
            problems.append(f"{_short(concept)} has a broader concept and is a top concept")
        for parent in broader:
            if not in_schemes & set(ontology.objects(parent, SKOS.inScheme)):
                problems.append(f"{_short(concept)} and its broader concept share no scheme")
    assert not problems, "\n".join(problems)


def test_every_concept_is_typed_with_its_schemes_class(ontology: Graph) -> None:
    """Shapes check controlled values with sh:class, so one class per scheme."""
    classes = _concept_classes(ontology)
    class_of_scheme: dict[URIRef, set[URIRef]] = defaultdict(set)
    problems = []
    for concept in _concepts(ontology):
        own = {t for t in ontology.objects(concept, RDF.type) if t in classes}
        if len(own) != 1:
            problems.append(f"{_short(concept)} has concept classes {sorted(map(_short, own))}")
        for scheme in ontology.objects(concept, SKOS.inScheme):
            class_of_scheme[scheme] |= own
    problems += [
        f"{_short(scheme)} mixes concept classes {sorted(map(_short, cls))}"
        for scheme, cls in class_of_scheme.items()
        if len(cls) != 1
    ]
    unused = classes - set().union(*class_of_scheme.values())
    problems += [f"{_short(c)} types no concept" for c in sorted(unused)]
    assert not problems, "\n".join(problems)


def test_concepts_and_schemes_reach_the_validated_graph(ontology: Graph) -> None:
    """pyshacl copies only OWL axioms and owl:NamedIndividual nodes from the ontology
    graph into the graph it validates; without the type, sh:class on a concept fails."""
    missing = sorted(
        _short(node)
        for kind in CONCEPT_TYPES
        for node in ontology.subjects(RDF.type, kind)
        if (node, RDF.type, OWL.NamedIndividual) not in ontology
    )
    assert not missing, f"type these owl:NamedIndividual as well: {missing}"


def test_vocabularies_link_only_upwards(ontology: Graph) -> None:
    """pyshacl copies a named individual with everything reachable from it, up to ten
    links deep: scheme-to-concept or concept-to-narrower links make that copy explode
    (validation hung for minutes). State skos:topConceptOf and skos:broader only."""
    downward = sorted(
        f"{_short(s)} {ontology.qname(p)} {_short(o)}"
        for p in (SKOS.hasTopConcept, SKOS.narrower, SKOS.member)
        for s, o in ontology.subject_objects(p)
    )
    assert not downward, "\n".join(downward)
