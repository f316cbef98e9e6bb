"""A chronological list of what happened and what was said, each item with its source.

Two kinds of item, kept apart as the modelling guide keeps the two times apart:

- "said": a source document appeared (its publication time, with its precision);
- "holds": a claim's valid time (`ms:validFrom`, `ms:validUntil`, `ms:validAt`,
  `ms:occurredAt`, `ms:decidedAt`, `ms:expectedTime`) or an entity's own date
  (`ms:startDate`, `ms:endDate`, `ms:startTime`) with the sources that state it.

Items are ordered by the earliest day their time can mean, then the latest,
then the exact instant, then the text, so the output is the same on every run.
A --from/--to window keeps the items that are not certainly outside it: a
vague time that overlaps the window stays in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Identifier

from kg.answers.labels import Labels, fetch_labels
from kg.knowledge.asof import publications, visible_graphs
from kg.knowledge.project import Knowledge
from kg.knowledge.timespec import from_node
from kg.model.namespaces import MS, shorten
from kg.model.timeutil import TimeInterval, compare

TIME_PROPERTIES: dict[str, str] = {
    "validFrom": "from",
    "validUntil": "until",
    "validAt": "",
    "occurredAt": "",
    "decidedAt": "decided",
    "expectedTime": "expected",
    "startDate": "starts",
    "endDate": "ends",
    "startTime": "starts",
}
ROLE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "from": "from",
        "until": "until",
        "decided": "decided",
        "expected": "expected",
        "starts": "starts",
        "ends": "ends",
        "published": "published",
    },
    "de": {
        "from": "ab",
        "until": "bis",
        "decided": "entschieden",
        "expected": "erwartet",
        "starts": "Beginn",
        "ends": "Ende",
        "published": "veröffentlicht",
    },
}

# What a claim is about, shown when it has no description of its own.
_NOT_CONTENT = {
    str(RDF.type),
    str(MS.statedIn),
    str(MS.evidence),
    str(MS.description),
    str(SKOS.prefLabel),
    str(SKOS.altLabel),
    str(RDFS.label),
    *(str(MS[name]) for name in TIME_PROPERTIES),
}

TIMED_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?subject ?property ?value ?source WHERE {
  VALUES ?property {
    ms:validFrom ms:validUntil ms:validAt ms:occurredAt ms:decidedAt ms:expectedTime
    ms:startDate ms:endDate ms:startTime
  }
  ?subject ?property ?value .
  OPTIONAL {
    { ?subject ms:statedIn ?source }
    UNION
    { ?statement rdf:subject ?subject ; rdf:predicate ?property ; ms:statedIn ?source }
  }
}
"""

# The content of every subject that has a time, to describe it.
CONTENT_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?subject ?p ?o WHERE {
  VALUES ?timed {
    ms:validFrom ms:validUntil ms:validAt ms:occurredAt ms:decidedAt ms:expectedTime
    ms:startDate ms:endDate ms:startTime
  }
  ?subject ?timed ?time .
  ?subject ?p ?o .
}
"""

# Documents and the claims they state: for "around one entity" and summaries.
DOCUMENTS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?doc ?summary ?title ?mention WHERE {
  { ?doc ms:summary ?summary } UNION { ?doc <http://purl.org/dc/terms/title> ?title }
  UNION { ?claim ms:statedIn ?doc . ?claim ?p ?mention . FILTER(isIRI(?mention)) }
  UNION { ?claim ms:statedIn ?doc . BIND(?claim AS ?mention) }
}
"""


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline."""

    when: TimeInterval
    kind: str  # "said" or "holds"
    role: str  # "published", "from", "until", "expected", "decided", ... or ""
    subject: str
    text: str
    sources: tuple[str, ...]

    def sort_key(self) -> tuple[object, ...]:
        return (*self.when.sort_key(), 0 if self.kind == "said" else 1, self.text, self.subject)


def timeline(
    knowledge: Knowledge,
    entity: URIRef | None = None,
    start: TimeInterval | None = None,
    end: TimeInterval | None = None,
    lang: str = "en",
    as_of: date | None = None,
) -> list[TimelineItem]:
    """Every dated item (around `entity` when given) inside [start, end], in time order."""
    graphs = visible_graphs(knowledge, as_of)
    store = knowledge.store
    words = ROLE_WORDS.get(lang, ROLE_WORDS["en"])

    doc_text: dict[str, list[Identifier]] = {}
    doc_mentions: dict[str, set[str]] = {}
    for row in store.query(DOCUMENTS_QUERY, graphs=graphs).dicts():
        doc = str(row["doc"])
        for key in ("summary", "title"):
            value = row.get(key)
            if value is not None:
                doc_text.setdefault(doc, []).append(value)
        mention = row.get("mention")
        if mention is not None:
            doc_mentions.setdefault(doc, set()).add(str(mention))

    content: dict[str, list[tuple[str, Identifier]]] = {}
    for row in store.query(CONTENT_QUERY, graphs=graphs).dicts():
        predicate, value = row["p"], row["o"]
        assert predicate is not None and value is not None
        content.setdefault(str(row["subject"]), []).append((str(predicate), value))

    timed: dict[tuple[str, str, Identifier], set[str]] = {}
    for row in store.query(TIMED_QUERY, graphs=graphs).dicts():
        node, timed_property, time_value = row["subject"], row["property"], row["value"]
        assert node is not None and timed_property is not None and time_value is not None
        sources = timed.setdefault((str(node), str(timed_property), time_value), set())
        if row.get("source") is not None:
            sources.add(str(row["source"]))

    terms: list[Identifier] = [URIRef(s) for s in content]
    for pairs in content.values():
        terms.extend(value for _, value in pairs)
    labels = fetch_labels(store, terms, lang, graphs)

    wanted = str(entity) if entity is not None else None
    items: list[TimelineItem] = []
    for item in publications(store, graphs):
        mentions = doc_mentions.get(item.document, set())
        if wanted is not None and wanted != item.document and wanted not in mentions:
            continue
        summary = _pick_lang(doc_text.get(item.document, []), lang) or shorten(item.document)
        items.append(
            TimelineItem(
                when=item.published,
                kind="said",
                role=words["published"],
                subject=item.document,
                text=summary,
                sources=(shorten(item.document),),
            )
        )
    for (subject, prop, value), sources in sorted(timed.items(), key=lambda i: _key(i[0])):
        pairs = content.get(subject, [])
        if wanted is not None and wanted != subject and not any(str(v) == wanted for _, v in pairs):
            continue
        local = prop.rsplit("/", 1)[-1]
        when = from_node(store, value, graphs, where=f"{shorten(subject)} ms:{local}")
        role = words.get(TIME_PROPERTIES.get(local, ""), "")
        items.append(
            TimelineItem(
                when=when,
                kind="holds",
                role=role,
                subject=subject,
                text=_describe(subject, pairs, labels, lang),
                sources=tuple(sorted(shorten(s) for s in sources)),
            )
        )
    kept = [i for i in items if _inside(i.when, start, end)]
    return sorted(kept, key=lambda i: i.sort_key())


def _key(triple: tuple[str, str, Identifier]) -> tuple[str, str, str]:
    return (triple[0], triple[1], triple[2].n3())


def _inside(when: TimeInterval, start: TimeInterval | None, end: TimeInterval | None) -> bool:
    if start is not None and compare(when, start) == "before":
        return False
    return not (end is not None and compare(when, end) == "after")


def _pick_lang(values: Iterable[Identifier], lang: str) -> str | None:
    literals = sorted((v for v in values if isinstance(v, Literal)), key=str)
    by_lang: dict[str, str] = {}
    for value in literals:
        by_lang.setdefault(value.language or "", str(value))
    for preference in (lang, "en", ""):
        if preference in by_lang:
            return by_lang[preference]
    return str(literals[0]) if literals else None


def _describe(
    subject: str, pairs: Sequence[tuple[str, Identifier]], labels: Labels, lang: str
) -> str:
    kinds = sorted(
        labels.of(value) for p, value in pairs if p == str(RDF.type) and isinstance(value, URIRef)
    )
    head = f"{kinds[0]}: " if kinds else ""
    if not any(p == str(MS.statedIn) for p, _ in pairs):
        # An entity's own date (an event's start): name the entity, not its facts.
        return f"{head}{labels.of(URIRef(subject))}"
    description = _pick_lang([v for p, v in pairs if p == str(MS.description)], lang)
    if description:
        return f"{head}{description}"
    parts: list[str] = []
    for predicate, value in sorted(pairs, key=lambda pair: (pair[0], pair[1].n3())):
        if predicate in _NOT_CONTENT:
            continue
        if isinstance(value, Literal) and value.language not in (None, lang):
            continue
        text = labels.of(value)
        if text not in parts:
            parts.append(text)
    return head + (labels.of(URIRef(subject)) if not parts else "; ".join(parts))
