"""The entity card behind `kg show`: every fact about an entity and pointing at it, sourced.

The facts come from the saved query `entity-facts` (so that what `kg show`
prints is what any SPARQL user can ask); this module groups them and adds the
details of claim nodes and of sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Identifier

from kg.answers.labels import Labels, fetch_labels
from kg.answers.queries import find
from kg.stores.base import Store

FACTS_QUERY = "entity-facts"

_IDENTITY_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?kind ?value WHERE {
  { ?entity skos:prefLabel ?value . BIND("label" AS ?kind) }
  UNION { ?entity skos:altLabel ?value . BIND("alias" AS ?kind) }
  UNION { ?entity a ?value . BIND("type" AS ?kind) }
}
"""

_DETAILS_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?property ?value WHERE {
  ?claim ?property ?value .
  FILTER(?property NOT IN (ms:statedIn, ms:evidence,
                           rdf:subject, rdf:predicate, rdf:object))
}
"""

_SOURCE_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?title ?summary ?published ?notBefore ?notAfter ?language WHERE {
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL { ?source ms:summary ?summary }
  OPTIONAL { ?source ms:published ?published }
  OPTIONAL { ?source ms:publishedNotBefore ?notBefore }
  OPTIONAL { ?source ms:publishedNotAfter ?notAfter }
  OPTIONAL { ?source dcterms:language ?language }
}
"""


@dataclass(frozen=True)
class SourceRef:
    iri: str
    title: str
    date: str
    language: str


@dataclass(frozen=True)
class Detail:
    property: str
    value: str


@dataclass(frozen=True)
class Fact:
    direction: str
    property: str
    value: str
    value_iri: str | None
    claim: str | None
    details: tuple[Detail, ...]
    sources: tuple[SourceRef, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class EntityCard:
    iri: str
    label: str
    labels: tuple[tuple[str, str], ...]
    aliases: tuple[str, ...]
    types: tuple[str, ...]
    facts: tuple[Fact, ...]


def _text(term: Identifier | None) -> str:
    return "" if term is None else str(term)


def _source(
    store: Store, iri: str, labels: Labels, graphs: Sequence[str] | None, lang: str = "en"
) -> SourceRef:
    rows = store.query(_SOURCE_QUERY, bindings={"source": URIRef(iri)}, graphs=graphs).rows
    title = published = not_before = not_after = language = ""
    # The summary in the reader's language, else English, else any.
    summaries: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: tuple(_text(t) for t in r)):
        t, s, p, nb, na, lang_code = (_text(term) for term in row)
        if s:
            written_in = row[1].language if isinstance(row[1], Literal) else None
            summaries.setdefault(written_in or "", s)
        title = title or t
        published, not_before, not_after = published or p, not_before or nb, not_after or na
        language = language or lang_code
    summary = summaries.get(lang) or summaries.get("en") or next(iter(summaries.values()), "")
    if published:
        date = published
    elif not_before or not_after:
        date = f"between {not_before or '?'} and {not_after or '?'} (exact date unknown)"
    else:
        date = "date unknown"
    return SourceRef(iri, title or summary or labels.of(URIRef(iri)), date, language)


_Row = dict[str, Identifier | None]
_Pairs = list[tuple[Identifier, Identifier]]
_FactKey = tuple[str, Identifier | None, Identifier | None, Identifier | None]


@dataclass(frozen=True)
class _Grouped:
    """The fact rows grouped by (direction, property, value, claim), with their sources."""

    facts: dict[_FactKey, tuple[set[str], set[str]]]
    sources: dict[str, SourceRef]


def entity_card(
    store: Store, entity: URIRef, lang: str = "en", graphs: Sequence[str] | None = None
) -> EntityCard:
    identity = store.query(_IDENTITY_QUERY, bindings={"entity": entity}, graphs=graphs).rows
    saved = find(FACTS_QUERY)
    rows = store.query(saved.text, bindings={"entity": entity}, graphs=graphs).dicts()
    claim_details = _claim_details(store, rows, graphs)
    labels = _card_labels(store, entity, identity, rows, claim_details, lang, graphs)
    grouped = _group_facts(store, rows, labels, graphs, lang)
    facts = [
        _fact(key, found, grouped.sources, claim_details, labels, entity, lang)
        for key, found in grouped.facts.items()
    ]
    facts.sort(key=lambda f: (f.direction != "out", f.property, f.value, f.claim or ""))
    label_pairs = sorted(
        {
            (t.language or "", str(t))
            for kind, t in identity
            if str(kind) == "label" and isinstance(t, Literal)
        }
    )
    return EntityCard(
        iri=str(entity),
        label=labels.of(entity),
        labels=tuple(label_pairs),
        aliases=tuple(sorted({str(t) for kind, t in identity if str(kind) == "alias"})),
        types=tuple(
            sorted({labels.of(t) for kind, t in identity if str(kind) == "type" and t is not None})
        ),
        facts=tuple(facts),
    )


def _claim_details(
    store: Store, rows: Sequence[_Row], graphs: Sequence[str] | None
) -> dict[str, _Pairs]:
    """The other (property, value) pairs of every claim node the facts go through."""
    claim_details: dict[str, _Pairs] = {}
    for row in rows:
        claim = row.get("claim")
        if isinstance(claim, URIRef) and str(claim) not in claim_details:
            found = store.query(_DETAILS_QUERY, bindings={"claim": claim}, graphs=graphs).rows
            claim_details[str(claim)] = [
                (p, v) for p, v in found if p is not None and v is not None
            ]
    return claim_details


def _card_labels(
    store: Store,
    entity: URIRef,
    identity: Sequence[tuple[Identifier | None, ...]],
    rows: Sequence[_Row],
    claim_details: dict[str, _Pairs],
    lang: str,
    graphs: Sequence[str] | None,
) -> Labels:
    """The labels of every term the card shows, fetched in one go."""
    terms: list[Identifier | None] = [entity]
    terms += [kind_value[1] for kind_value in identity]
    for row in rows:
        terms += [row.get("property"), row.get("value"), row.get("claim"), row.get("source")]
    for pairs in claim_details.values():
        for pair in pairs:
            terms += list(pair)
    return fetch_labels(store, terms, lang, graphs)


def _group_facts(
    store: Store,
    rows: Sequence[_Row],
    labels: Labels,
    graphs: Sequence[str] | None,
    lang: str = "en",
) -> _Grouped:
    """One group per fact, gathering its sources and quotes from every row that states it."""
    sources: dict[str, SourceRef] = {}
    grouped: dict[_FactKey, tuple[set[str], set[str]]] = {}
    for row in rows:
        claim = row.get("claim")
        key: _FactKey = (
            _text(row.get("direction")) or "out",
            row.get("property"),
            row.get("value"),
            claim if isinstance(claim, URIRef) else None,
        )
        source_iris, evidence = grouped.setdefault(key, (set(), set()))
        source = row.get("source")
        if isinstance(source, URIRef):
            source_iris.add(str(source))
            if str(source) not in sources:
                sources[str(source)] = _source(store, str(source), labels, graphs, lang)
        if row.get("evidence") is not None:
            evidence.add(_text(row.get("evidence")))
    return _Grouped(grouped, sources)


def _fact(
    key: _FactKey,
    found: tuple[set[str], set[str]],
    sources: dict[str, SourceRef],
    claim_details: dict[str, _Pairs],
    labels: Labels,
    entity: URIRef,
    lang: str,
) -> Fact:
    """One fact as the card shows it: labels for terms, the claim's details, its sources."""
    direction, prop, value, claim_term = key
    source_iris, evidence = found
    claim_iri = str(claim_term) if claim_term is not None else None
    pairs = claim_details.get(claim_iri or "", [])
    kinds = sorted(labels.of(v) for p, v in pairs if p == RDF.type)
    details = tuple(
        sorted(
            {
                Detail(labels.of(p), labels.of(v))
                for p, v in _in_language(pairs, lang)
                if v != entity and p != RDF.type
            },
            key=lambda d: (d.property, d.value),
        )
    )
    shown = labels.of(value)
    if isinstance(value, URIRef) and str(value) == claim_iri and kinds and ":" in shown:
        # A claim has no name of its own: say what kind of fact it is.
        shown = f"{', '.join(kinds)} ({shown})"
    return Fact(
        direction=direction,
        property=labels.of(prop),
        value=shown,
        value_iri=str(value) if isinstance(value, URIRef) else None,
        claim=claim_iri,
        details=details,
        sources=tuple(sources[s] for s in sorted(source_iris)),
        evidence=tuple(sorted(evidence)),
    )


def _in_language(
    pairs: Sequence[tuple[Identifier, Identifier]], lang: str
) -> list[tuple[Identifier, Identifier]]:
    """Drop texts in other languages where the same property has one in `lang`."""
    has_lang = {p for p, v in pairs if isinstance(v, Literal) and v.language and v.language == lang}
    return [
        (p, v)
        for p, v in pairs
        if not (isinstance(v, Literal) and v.language and v.language != lang and p in has_lang)
    ]


def as_text(card: EntityCard) -> str:
    from kg.model.namespaces import shorten

    lines = [f"{card.label}  ({shorten(card.iri)})"]
    if card.types:
        lines.append("type: " + ", ".join(card.types))
    for language, label in card.labels:
        lines.append(f"label ({language or 'no language'}): {label}")
    if card.aliases:
        lines.append("also known as: " + ", ".join(card.aliases))
    if not card.facts:
        lines.append("")
        lines.append("No facts recorded about it.")
    current: tuple[str, str] | None = None
    for fact in card.facts:
        heading = (fact.direction, fact.property)
        if heading != current:
            current = heading
            arrow = "" if fact.direction == "out" else " (pointing here)"
            lines.append("")
            lines.append(f"{fact.property}{arrow}:")
        lines.append(f"  - {fact.value}")
        for detail in fact.details:
            lines.append(f"      {detail.property}: {detail.value}")
        for source in fact.sources:
            lang = f", {source.language}" if source.language else ""
            lines.append(f"      source: {source.title} ({source.date}{lang})")
        for quote in fact.evidence:
            lines.append(f'      says: "{quote}"')
    return "\n".join(lines) + "\n"
