"""A node's facts panel: its facts in words, each with the sources that state it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from kg.model.namespaces import MS, shorten
from kg.outputs.viz.terms import LABEL_PREDICATES, PROVENANCE, STATEMENT_PARTS, Terms

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Source:
    """A source document as shown beside a fact."""

    iri: str
    title: str
    date: str
    language: str


@dataclass(frozen=True)
class Fact:
    """One line of a node's facts panel: property, value and where it is stated."""

    property: str
    value: str
    claim: str
    sources: tuple[Source, ...]


def source(terms: Terms, iri: URIRef) -> Source:
    """A source document as shown: title in the best language, when published, language."""
    data = terms.data

    def best_text(predicate: URIRef) -> str:
        values = {
            (o.language or ""): str(o)
            for o in sorted(data.objects(iri, predicate), key=str)
            if isinstance(o, RDFLiteral)
        }
        for language in (terms.lang, "en", ""):
            if language in values:
                return values[language]
        return values[sorted(values)[0]] if values else ""

    title = best_text(DCTERMS.title) or best_text(MS.summary) or terms.label(iri)
    published = data.value(iri, MS.published)
    if published is not None:
        when = str(published)
    else:
        low, high = data.value(iri, MS.publishedNotBefore), data.value(iri, MS.publishedNotAfter)
        when = f"{low or '?'}..{high or '?'}" if low is not None or high is not None else ""
    language = data.value(iri, DCTERMS.language)
    return Source(str(iri), title, when, str(language) if language is not None else "")


def value_text(terms: Terms, value: Node) -> str:
    """A value in words: a literal as it is, a time node as a phrase, anything else by label."""
    if isinstance(value, RDFLiteral):
        return str(value)
    if isinstance(value, URIRef) and MS.TimeSpec in terms.types(value):
        from kg.model import timeutil

        rows = [
            {"property": p, "value": o}
            for p, o in terms.data.predicate_objects(value)
            if isinstance(p, URIRef)
        ]
        try:
            interval = timeutil.from_spec_rows(rows, shorten(str(value)))
        except timeutil.TimeValueError:
            return terms.label(value)
        return timeutil.format_interval(interval, terms.lang)
    return terms.label(value)


def in_language(pairs: Iterable[tuple[Node, Node]], lang: str) -> list[tuple[Node, Node]]:
    """Keep, per predicate, the language-tagged texts in the best language present
    (the chosen one, else English, else the first); other values stay."""
    pairs = sorted(pairs)
    languages: dict[Node, set[str]] = defaultdict(set)
    for p, o in pairs:
        if isinstance(o, RDFLiteral) and o.language:
            languages[p].add(o.language)
    best: dict[Node, str] = {}
    for p, present in languages.items():
        best[p] = next((x for x in (lang, "en") if x in present), min(present))
    return [
        (p, o)
        for p, o in pairs
        if not (isinstance(o, RDFLiteral) and o.language) or o.language == best[p]
    ]


@dataclass(frozen=True)
class ClaimWords:
    """A claim told once for every node it names: its class's name, and each of its
    values in words with the value itself (left out where the value is that node)."""

    name: str
    parts: tuple[tuple[Node, str], ...]


def facts_of_node(
    terms: Terms,
    node: URIRef,
    kinds: Mapping[URIRef, str],
    statements: Mapping[tuple[Node, Node, Node], list[URIRef]],
    sources_of: Any,
    told: dict[URIRef, ClaimWords],
) -> tuple[Fact, ...]:
    """The facts panel of `node`: its values, each with the claim stating it (if one),
    and for an entity the claims that name it. `told` keeps the claims told so far
    (a result names some ten entities: it is told once, not ten times)."""
    data = terms.data
    found: set[Fact] = set()
    own_sources: tuple[Source, ...] = sources_of(node) if kinds[node] == "claim" else ()
    for p, o in in_language(data.predicate_objects(node), terms.lang):
        if p == RDF.type or p in LABEL_PREDICATES or p == MS.statedIn:
            continue
        if kinds[node] == "claim":
            found.add(Fact(terms.label(p), value_text(terms, o), str(node), own_sources))
            continue
        covering = statements.get((node, p, o), [])
        if covering:
            for statement in covering:
                found.add(
                    Fact(
                        terms.label(p), value_text(terms, o), str(statement), sources_of(statement)
                    )
                )
        else:
            found.add(Fact(terms.label(p), value_text(terms, o), "", ()))
    if kinds[node] != "claim":
        for s, p in data.subject_predicates(node):
            if not isinstance(s, URIRef) or p in STATEMENT_PARTS or p == RDF.type:
                continue
            if kinds.get(s) == "claim" and p != MS.statedIn:
                found.add(_claim_fact(terms, s, p, node, sources_of(s), told))
    return tuple(sorted(found, key=lambda f: (f.property, f.value, f.claim)))


def _claim_fact(
    terms: Terms,
    claim: URIRef,
    role: Node,
    node: URIRef,
    sources: tuple[Source, ...],
    told: dict[URIRef, ClaimWords],
) -> Fact:
    """A claim that names `node`, told from the node's side: "role (person)": its other values."""
    words = told.get(claim)
    if words is None:
        words = told[claim] = _claim_words(terms, claim)
    parts = "; ".join(text for value, text in words.parts if value != node)
    return Fact(f"{words.name} ({terms.label(role)})", parts, str(claim), sources)


def _claim_words(terms: Terms, claim: URIRef) -> ClaimWords:
    """A claim's class's name and its values in words, other than type and provenance."""
    parts = []
    for p, o in in_language(terms.data.predicate_objects(claim), terms.lang):
        if p == RDF.type or p in PROVENANCE or p in LABEL_PREDICATES:
            continue
        parts.append((o, f"{terms.label(p)}: {value_text(terms, o)}"))
    claim_type = terms.most_specific(terms.types(claim))
    name = terms.class_label(claim_type) if claim_type is not None else "claim"
    return ClaimWords(name, tuple(parts))


def facts_of(graph: nx.MultiDiGraph) -> Mapping[str, tuple[Fact, ...]]:
    """The facts panel of every node: node IRI -> facts with their sources."""
    return cast("Mapping[str, tuple[Fact, ...]]", graph.graph.get("_facts", {}))
