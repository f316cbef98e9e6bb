"""The label of each IRI in the reader's language, read through the store.

An IRI without a label (an official entry, a result, a source, a claim) gets a
name built from what it is: an entry as "#25 BMW M Team RLL (Rolex 24 at Daytona
2024)", a source as its title (or the start of its summary), a claim as its type
and its key values ("consideration: customer demand"). Every reader of Labels
(cards, timeline, query tables, the site) shows these instead of IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.model.namespaces import shorten
from kg.stores.base import Store

_CHUNK = 500

_LABELS_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label WHERE {
  ?entity skos:prefLabel|rdfs:label ?label .
}
"""

_MS = "https://w3id.org/motorsport-kg/ontology/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DCTERMS_TITLE = "http://purl.org/dc/terms/title"
_TYPE = _RDF + "type"

# What a node without a label is named by: the properties whose values tell it
# apart, by class. The name reads "<class label>: <values, in this order>".
_KEYS: dict[str, tuple[str, ...]] = {
    _MS + "FastestLap": ("entry", "lapTime"),
    _MS + "Incident": ("entry", "incidentKind", "component"),
    _MS + "RacePositionReport": ("entry", "driver", "positionDescription", "raceTime"),
    _MS + "Quote": ("speaker", "quoteText"),
    _MS + "Role": ("person", "roleKind", "organisation"),
    _MS + "Consideration": ("criterion",),
    _MS + "StatusReport": ("decision", "decisionStatus"),
    _MS + "ProgrammeStatusClaim": ("programme", "programmeStatus"),
    _MS + "CustomerPolicyClaim": ("programme", "customerPolicy"),
    _MS + "ProgrammeOperation": ("operator", "series"),
    _MS + "Assessment": ("description",),
    _MS + "Reconciliation": ("entry", "checkedProperty", "verdict"),
    _MS + "Statement": (_RDF + "subject", _RDF + "predicate", _RDF + "object"),
}
_ENTRY = _MS + "Entry"
_RESULT = _MS + "Result"
_RESULT_KEYS = ("entry", "classPosition", "overallPosition", "position")
_ENTRY_KEYS = (
    "carNumber",
    "entrantName",
    "entrant",
    "carModel",
    "manufacturer",
    "racingClass",
    "event",
)
_TIME_SPEC = _MS + "TimeSpec"
_SOURCE_KEYS = (_DCTERMS_TITLE, _MS + "summary")


def _full(name: str) -> str:
    return name if ":" in name else _MS + name


# The properties a name is built from: those of _KEYS, _ENTRY_KEYS, _RESULT_KEYS and
# _SOURCE_KEYS, the time expression, and the type (a test checks that none is missing).
_FACTS_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?property ?value ?label WHERE {
  ?entity ?property ?value .
  FILTER (?property IN (
    rdf:type, rdf:subject, rdf:predicate, rdf:object, dcterms:title, ms:summary,
    ms:timeExpression, ms:carNumber, ms:entrantName, ms:entrant, ms:carModel,
    ms:manufacturer, ms:racingClass, ms:event, ms:entry, ms:classPosition,
    ms:overallPosition, ms:position, ms:lapTime, ms:incidentKind, ms:component, ms:driver,
    ms:positionDescription, ms:raceTime, ms:speaker, ms:quoteText, ms:person, ms:roleKind,
    ms:organisation, ms:criterion, ms:decision, ms:decisionStatus, ms:programme,
    ms:programmeStatus, ms:customerPolicy, ms:operator, ms:series, ms:about,
    ms:description, ms:checkedProperty, ms:verdict
  ))
  OPTIONAL { ?value skos:prefLabel|rdfs:label ?label }
}
"""


def naming_properties() -> set[str]:
    """Every property a built name reads (for the test that the query fetches them)."""
    keys = [key for keys in _KEYS.values() for key in keys]
    keys += [*_ENTRY_KEYS, *_RESULT_KEYS, *_SOURCE_KEYS, "timeExpression", _TYPE]
    return {_full(key) for key in keys}


_QUOTE_LIMIT = 60
_TITLE_LIMIT = 70


@dataclass(frozen=True)
class Labels:
    """Label of each IRI in one language, falling back to English, then any; an IRI
    without a label reads as the name built for it (`built`), else as the IRI.

    `lang` is the reader's language, for the values shown in words (yes or ja)."""

    by_iri: dict[str, str]
    built: dict[str, str] = field(default_factory=dict)
    lang: str = "en"

    def of(self, term: Identifier | None, show_iris: bool = False) -> str:
        if term is None:
            return ""
        if isinstance(term, URIRef):
            iri = str(term)
            if show_iris:
                return shorten(iri)
            return self.by_iri.get(iri) or self.built.get(iri) or shorten(iri)
        if isinstance(term, BNode):
            return "_:" + str(term)
        return str(term)


def _choose(per_language: dict[str, str], lang: str) -> str:
    for preference in (lang, "en", ""):
        if preference in per_language:
            return per_language[preference]
    return per_language[sorted(per_language)[0]]


def _labels_of(
    store: Store, iris: Sequence[str], lang: str, graphs: Sequence[str] | None
) -> dict[str, str]:
    from kg.stores.values import inject_rows

    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(iris), _CHUNK):
        chunk = [URIRef(iri) for iri in iris[start : start + _CHUNK]]
        text = inject_rows(_LABELS_QUERY, "entity", chunk)
        for entity, label in store.query(text, graphs=graphs).rows:
            if entity is None or not isinstance(label, Literal):
                continue
            current = found.setdefault(str(entity), {})
            language = label.language or ""
            # Keep the smallest label per language so the choice is deterministic.
            if language not in current or str(label) < current[language]:
                current[language] = str(label)
    return {iri: _choose(per_language, lang) for iri, per_language in found.items()}


def fetch_labels(
    store: Store,
    terms: Iterable[Identifier | None],
    lang: str,
    graphs: Sequence[str] | None = None,
) -> Labels:
    """The labels of the IRIs among `terms`, and a built name for each IRI without one."""
    iris = sorted({str(t) for t in terms if isinstance(t, URIRef)})
    if not iris:
        return Labels({}, lang=lang)
    chosen = _labels_of(store, iris, lang, graphs)
    unlabelled = [iri for iri in iris if iri not in chosen]
    built = _Namer(store, lang, graphs).names(unlabelled) if unlabelled else {}
    return Labels(chosen, built, lang)


# -- names for nodes without a label ---------------------------------------------------------


@dataclass
class _Node:
    """What the facts query found about one node: its values by property."""

    types: set[str] = field(default_factory=set)
    values: dict[str, list[Identifier]] = field(default_factory=dict)


class _Namer:
    """Builds names from a node's facts, read in two queries: the nodes asked for, then
    the unlabelled nodes their names mention (the entry of a result)."""

    def __init__(self, store: Store, lang: str, graphs: Sequence[str] | None) -> None:
        self.store = store
        self.lang = lang
        self.graphs = graphs
        self.nodes: dict[str, _Node] = {}
        self.labels: dict[str, dict[str, str]] = {}

    def names(self, iris: Sequence[str]) -> dict[str, str]:
        self._read(iris)
        nested = sorted(
            {
                str(value)
                for iri in iris
                for prop, values in self.nodes.get(iri, _Node()).values.items()
                if prop != _TYPE
                for value in values
                if isinstance(value, URIRef)
                and str(value) not in self.labels
                and str(value) not in self.nodes
            }
        )
        if nested:
            self._read(nested)
        names: dict[str, str] = {}
        for iri in iris:
            name = self._name(iri, depth=0)
            if name:
                names[iri] = name
        return names

    def _read(self, iris: Sequence[str]) -> None:
        from kg.stores.values import inject_rows

        for iri in iris:
            self.nodes.setdefault(iri, _Node())
        for start in range(0, len(iris), _CHUNK):
            chunk = [URIRef(iri) for iri in iris[start : start + _CHUNK]]
            text = inject_rows(_FACTS_QUERY, "entity", chunk)
            for entity, prop, value, label in self.store.query(text, graphs=self.graphs).rows:
                if entity is None or prop is None or value is None:
                    continue
                node = self.nodes[str(entity)]
                if str(prop) == _TYPE:
                    node.types.add(str(value))
                values = node.values.setdefault(str(prop), [])
                if value not in values:
                    values.append(value)
                if isinstance(label, Literal) and isinstance(value, URIRef):
                    current = self.labels.setdefault(str(value), {})
                    language = label.language or ""
                    if language not in current or str(label) < current[language]:
                        current[language] = str(label)

    def _label(self, iri: str) -> str | None:
        per_language = self.labels.get(iri)
        return _choose(per_language, self.lang) if per_language else None

    def _text(self, values: Sequence[Identifier], depth: int) -> str:
        """One property's values in words: labels or built names (several joined in
        sorted order, so that every store gives the same name), else a literal in the
        reader's language, a duration as a clock time."""
        named: set[str] = set()
        literals: dict[str, str] = {}
        for value in values:
            if isinstance(value, URIRef):
                text = self._label(str(value))
                if text is None and depth < 1:
                    text = self._name(str(value), depth + 1)
                named.add(text or shorten(str(value)))
            elif isinstance(value, Literal):
                from kg.model.wording import literal_text

                text = literal_text(value, self.lang)
                current = literals.get(value.language or "")
                if current is None or text < current:
                    literals[value.language or ""] = text
        if named:
            return ", ".join(sorted(named))
        return _choose(literals, self.lang) if literals else ""

    def _value(self, node: _Node, prop: str, depth: int) -> str:
        return self._text(node.values.get(_full(prop), []), depth)

    def _name(self, iri: str, depth: int) -> str | None:
        node = self.nodes.get(iri)
        if node is None:
            return None
        if any(_full(p) in node.values for p in _SOURCE_KEYS):
            return self._source_name(node)
        if _ENTRY in node.types:
            return self._entry_name(node, with_event=depth == 0)
        if _RESULT in node.types:
            return self._result_name(node, depth)
        if _TIME_SPEC in node.types:
            return self._value(node, "timeExpression", depth) or None
        for kind in sorted(node.types):
            keys = _KEYS.get(kind)
            if keys is None:
                continue
            parts = [self._value(node, key, depth) for key in keys]
            shown = [_shortened(part, _QUOTE_LIMIT) for part in parts if part]
            kind_label = self._label(kind) or shorten(kind)
            return f"{kind_label}: {', '.join(shown)}" if shown else kind_label
        return None

    def _entry_name(self, node: _Node, with_event: bool) -> str:
        number = self._value(node, "carNumber", 1)
        entrant = self._value(node, "entrantName", 1) or self._value(node, "entrant", 1)
        parts = [f"#{number}" if number else "", entrant]
        if not number:
            parts.append(self._value(node, "carModel", 1) or self._value(node, "manufacturer", 1))
            racing_class = self._value(node, "racingClass", 1)
            parts.append(f"in {racing_class}" if racing_class else "")
        name = " ".join(part for part in parts if part) or self._label(_ENTRY) or "entry"
        event = self._value(node, "event", 1)
        return f"{name} ({event})" if event and with_event else name

    def _result_name(self, node: _Node, depth: int) -> str:
        """ "result: #25 BMW M Team RLL, 7th in GTP", the place in words."""
        from kg.model.wording import position

        entry = self._value(node, "entry", depth)
        entries = sorted(
            str(v) for v in node.values.get(_MS + "entry", []) if isinstance(v, URIRef)
        )
        entry_node = self.nodes.get(entries[0]) if entries else None
        racing_class = self._value(entry_node, "racingClass", 1) if entry_node else ""
        place = ""
        for prop, scope in (
            ("classPosition", racing_class or None),
            ("overallPosition", "overall"),
            ("position", None),
        ):
            number = self._value(node, prop, 1)
            if number.isdigit():
                place = position(int(number), scope, self.lang)
                break
        kind = self._label(_RESULT) or "result"
        shown = ", ".join(part for part in (entry, place) if part)
        return f"{kind}: {shown}" if shown else kind

    def _source_name(self, node: _Node) -> str:
        title = self._text(node.values.get(_DCTERMS_TITLE, []), 1)
        if title:
            return title
        summary = self._text(node.values.get(_MS + "summary", []), 1)
        return _first_clause(summary)


def _shortened(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, ending in "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–")
    return cut + "…"


def _first_clause(summary: str) -> str:
    """The start of a summary as a title: up to its first colon or semicolon when that
    makes a phrase of some length, at most _TITLE_LIMIT characters."""
    for mark in (": ", "; ", ". "):
        head = summary.split(mark, 1)[0]
        if 20 <= len(head) < len(summary):
            return _shortened(head, _TITLE_LIMIT)
    return _shortened(summary, _TITLE_LIMIT)
