"""Finding an entity by the names people type, in any language.

An IRI or prefixed name; a label, alias or entrant name (in any language);
a car number (`#25`, `car 25`, `#25 Daytona`, `25 Daytona 2024`), which names
the race entry; or a word of a name (`Rast`, `Roos`). Names are compared
folded: case, accents and spacing do not matter, so "rene rast" finds
"René Rast". The folding is shared with entity resolution of imported data.
Entities of the data rank before ontology terms (classes, properties,
vocabulary concepts). A name that fits several entities is ambiguous: the
candidates are listed with what tells them apart, never guessed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef

from kg.answers.labels import fetch_labels
from kg.model.errors import UsageError
from kg.model.namespaces import NOT_IN_IRI, expand, shorten
from kg.stores.base import Store

# Everything a person might type to name an entity: its labels, aliases, and
# the entrant names a team races under (held on entries and operations).
NAMES_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?entity ?name ?kind WHERE {
  {
    ?entity skos:prefLabel ?name . BIND("label" AS ?kind)
  } UNION {
    ?entity rdfs:label ?name . BIND("label" AS ?kind)
  } UNION {
    ?entity skos:altLabel ?name . BIND("alias" AS ?kind)
  } UNION {
    ?claim ms:entrantName ?name ; ms:entrant|ms:operator ?entity . BIND("entrant name" AS ?kind)
  }
  FILTER(isIRI(?entity))
}
"""


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name ("René  Rast" -> "rene rast")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").casefold()
    stripped = re.sub(r"[\s_\-./]+", " ", stripped)
    return stripped.strip()


# What makes an IRI a term of the ontology rather than an entity of the data.
TERMS_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?term WHERE {
  ?term a ?kind .
  VALUES ?kind {
    owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
    rdf:Property skos:Concept skos:ConceptScheme owl:Ontology
  }
}
"""

# Every race entry with its car number, and what can narrow it down: its event,
# its entrant, the dates of its session or event, and whether official results state it.
ENTRIES_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?entry ?number ?event ?entrant ?when ?official ?kind WHERE {
  ?entry a ms:Entry ; ms:carNumber ?number .
  OPTIONAL { ?entry ms:session/ms:sessionKind ?kind }
  OPTIONAL { ?entry ms:event ?event }
  OPTIONAL { ?entry ms:entrant ?entrant }
  OPTIONAL { ?entry ms:session/ms:startTime|ms:event/ms:startDate ?when }
  OPTIONAL { ?entry ms:statedIn ?document . ?document a ms:ResultsFile . BIND(true AS ?official) }
}
"""

# What tells candidates apart; the VALUES list holds IRIs from the store, never user text.
_DETAILS_QUERY_HEAD = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?entity ?type ?number ?event ?entrant ?document WHERE {
  OPTIONAL { ?entity a ?type }
  OPTIONAL { ?entity ms:carNumber ?number }
  OPTIONAL { ?entity ms:event|ms:partOfEvent ?event }
  OPTIONAL { ?entity ms:entrant|ms:team ?entrant }
  OPTIONAL { ?entity ms:statedIn ?document }
  VALUES ?entity {
"""

_TERM_TYPE_WORDS = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2000/01/rdf-schema#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "property",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "property",
    "http://www.w3.org/2004/02/skos/core#Concept": "concept",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "concept scheme",
    "http://www.w3.org/2002/07/owl#Ontology": "ontology",
}
_UNINFORMATIVE_TYPES = {"http://www.w3.org/2002/07/owl#NamedIndividual"}

# "#25", "car 25", "no. 25", "Startnummer 25", "25 Daytona 2024": a number of at most
# three digits first (four digits are a year), or "#25" anywhere.
_CAR_LEADING = re.compile(
    r"^(?:(?:car|no|nr|number|startnummer|auto|wagen)\s*\.?\s*)?#?\s*(\d{1,3})(?:\s+(.*))?$",
    re.IGNORECASE,
)
_CAR_HASH = re.compile(r"#\s*(\d{1,3})\b")
# Words that may sit between a car number and its event ("#25 at Daytona").
_FILLER_WORDS = frozenset({"at", "in", "of", "the", "von", "bei", "beim", "im", "der", "die"})
_MAX_LISTED = 10


@dataclass(frozen=True)
class Match:
    iri: str
    name: str
    kind: str
    term: bool = False
    """True for a term of the ontology (class, property, concept), False for data."""

    @property
    def short(self) -> str:
        return shorten(self.iri)


@dataclass(frozen=True)
class Lookup:
    """The outcome of looking a name up: one match, several, or suggestions."""

    query: str
    matches: tuple[Match, ...]
    suggestions: tuple[Match, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One of several entities a name fits, with what tells it apart."""

    iri: str
    name: str
    what: str
    facts: tuple[str, ...]

    @property
    def short(self) -> str:
        return shorten(self.iri)

    def line(self) -> str:
        facts = "".join(f", {fact}" for fact in self.facts)
        named = "" if self.name == self.short else f" {self.name}:"
        return f"{self.short} {named} {self.what}{facts}".replace("  ", " ")


@dataclass(frozen=True)
class _Entry:
    iri: str
    number: str
    event: str
    entrant: str
    words: frozenset[str]
    official: bool
    race: bool = True  # the race's entry, or one that names no session


def _names(store: Store, graphs: Sequence[str] | None) -> list[Match]:
    terms = {str(row[0]) for row in store.query(TERMS_QUERY, graphs=graphs).rows if row[0]}
    result = store.query(NAMES_QUERY, graphs=graphs)
    found = {
        Match(iri=str(row[0]), name=str(row[1]), kind=str(row[2]), term=str(row[0]) in terms)
        for row in result.rows
        if row[0] is not None and row[1] is not None and row[2] is not None
    }
    # Entities of the data first, then the ontology's terms.
    return sorted(found, key=lambda m: (m.term, m.iri, m.kind, m.name))


def _known(store: Store, iri: str, graphs: Sequence[str] | None) -> bool:
    ask = "ASK { { ?entity ?p ?o } UNION { ?s ?p ?entity } }"
    return bool(store.query(ask, bindings={"entity": URIRef(iri)}, graphs=graphs).boolean)


def _one_per_entity(matches: Sequence[Match]) -> tuple[Match, ...]:
    by_entity: dict[str, Match] = {}
    for match in matches:
        by_entity.setdefault(match.iri, match)
    return tuple(sorted(by_entity.values(), key=lambda m: (m.term, m.iri)))


def lookup(store: Store, text: str, graphs: Sequence[str] | None = None) -> Lookup:
    """The entities TEXT names: by IRI, exact name, car number, then a word of a name."""
    stripped = text.strip()
    direct = _as_iri(stripped)
    if direct is not None:
        # No entity has an IRI no IRI may be ('msr:a>b'): the same answer on every
        # store (the index had refused it with another message).
        if NOT_IN_IRI.search(direct) is None and _known(store, direct, graphs):
            return Lookup(text, (Match(direct, shorten(direct), "IRI"),))
        return Lookup(text, ())
    wanted = fold(stripped)
    names = _names(store, graphs)
    exact = _one_per_entity([m for m in names if fold(m.name) == wanted])
    if exact:
        return Lookup(text, exact)
    cars, other_cars = _car_matches(store, stripped, names, graphs)
    if cars:
        return Lookup(text, cars)
    if other_cars:
        return Lookup(text, (), other_cars[:5])
    words = _word_matches(wanted, names)
    if words:
        return Lookup(text, words)
    return Lookup(text, (), _suggestions(wanted, names))


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,;:()'\"]+", fold(text)) if word]


def _has_run(words: Sequence[str], run: Sequence[str]) -> bool:
    """Whether RUN occurs in WORDS as consecutive whole words."""
    size = len(run)
    return size > 0 and any(
        list(words[i : i + size]) == list(run) for i in range(len(words) - size + 1)
    )


def _word_matches(wanted: str, names: Sequence[Match]) -> tuple[Match, ...]:
    """Entities with a name that holds what was typed as whole words ("Rast", "Daytona")."""
    typed = _words(wanted)
    if not typed or all(word.isdigit() for word in typed):
        return ()
    found = [
        Match(m.iri, m.name, "word of a name", m.term)
        for m in names
        if _has_run(_words(m.name), typed)
    ]
    data = [m for m in found if not m.term]
    return _one_per_entity(data or found)


def _suggestions(wanted: str, names: Sequence[Match]) -> tuple[Match, ...]:
    typed = _words(wanted)
    # A full name typed where the graph knows a shorter one: "James Calado" -> "Calado".
    within = [
        Match(m.iri, m.name, "name within what was typed", m.term)
        for m in names
        if not m.term and len(_words(m.name)) < len(typed) and _has_run(typed, _words(m.name))
    ]
    folded: dict[str, Match] = {}
    for match in names:
        folded.setdefault(fold(match.name), match)
    close = difflib.get_close_matches(wanted, list(folded), n=10, cutoff=0.6)
    # Also offer names that contain what was typed ("vanthoor" -> "Dries Vanthoor").
    containing = [key for key in sorted(folded) if wanted and wanted in key and key not in close]
    ranked = [folded[key] for key in [*close, *containing]]
    ranked.sort(key=lambda m: m.term)  # stable: closeness kept within data and within terms
    suggestions: dict[str, Match] = {}
    for match in [*within, *ranked]:
        suggestions.setdefault(match.iri, match)
    return tuple(list(suggestions.values())[:5])


def _car_query(text: str) -> tuple[str, list[str]] | None:
    """The car number and the other words of "#25 Daytona", "car 25", "25 Daytona 2024"."""
    leading = _CAR_LEADING.match(text)
    if leading:
        return leading.group(1), _words(leading.group(2) or "")
    anywhere = _CAR_HASH.search(text)
    if anywhere:
        rest = text[: anywhere.start()] + " " + text[anywhere.end() :]
        return anywhere.group(1), _words(rest)
    return None


def _entries(
    store: Store, number: str, names: Sequence[Match], graphs: Sequence[str] | None
) -> list[_Entry]:
    words_of: dict[str, set[str]] = {}
    for match in names:
        words_of.setdefault(match.iri, set()).update(_words(match.name))
    found: dict[str, _Entry] = {}
    for entry, car, event, entrant, when, official, kind in store.query(
        ENTRIES_QUERY, graphs=graphs
    ).rows:
        if entry is None or str(car) != number:
            continue
        words = set(words_of.get(str(event), ())) | set(words_of.get(str(entrant), ()))
        # "#25 Sebring 2024 qualifying": the kind of session is a word of the entry.
        session_word = str(kind).rsplit("/", 1)[-1].lower() if kind is not None else "race"
        words.add(session_word)
        if isinstance(when, Literal):
            words.update(_words(str(when)[:10]))  # "2024-03-16" folds to its three numbers
        before = found.get(str(entry))
        if before is not None:
            words |= before.words
        found[str(entry)] = _Entry(
            str(entry),
            number,
            str(event or ""),
            str(entrant or ""),
            frozenset(words),
            official is not None or (before is not None and before.official),
            session_word == "race",
        )
    return sorted(found.values(), key=lambda e: e.iri)


def _car_matches(
    store: Store, text: str, names: Sequence[Match], graphs: Sequence[str] | None
) -> tuple[tuple[Match, ...], tuple[Match, ...]]:
    """The race entries a car number names, narrowed by the words that follow it.

    Second, when the words narrow it to nothing: the cars with that number, to suggest.
    """
    parsed = _car_query(text)
    if parsed is None:
        return (), ()
    number, rest = parsed
    wanted = [word for word in rest if word not in _FILLER_WORDS]
    with_number = _entries(store, number, names, graphs)
    narrowed = [entry for entry in with_number if all(word in entry.words for word in wanted)]
    if narrowed:
        return _one_account_per_car(narrowed), ()
    cars = _one_account_per_car(with_number)
    events = fetch_labels(
        store, [URIRef(entry.event) for entry in with_number if entry.event], "en", graphs
    )
    by_iri = {entry.iri: entry for entry in with_number}
    return (), tuple(
        Match(m.iri, f"{m.name} in {events.of(URIRef(by_iri[m.iri].event))}", m.kind)
        if by_iri[m.iri].event
        else m
        for m in cars
    )


def _one_account_per_car(entries: Sequence[_Entry]) -> tuple[Match, ...]:
    cars: dict[tuple[str, str], list[_Entry]] = {}
    for entry in entries:
        cars.setdefault((entry.event, entry.number), []).append(entry)
    chosen: list[_Entry] = []
    for accounts in cars.values():
        official = [entry for entry in accounts if entry.official]
        if len(official) > 1:
            # Qualifying and race list the car once each: the race is the car's result.
            official = [entry for entry in official if entry.race] or official
        # One car in one event, told by several sources: the official results are its record
        # (the articles' accounts are checked against it, see kg reconcile).
        chosen.extend(official if len(official) == 1 else accounts)
    return tuple(Match(entry.iri, f"#{entry.number}", "car number") for entry in chosen)


def _as_iri(text: str) -> str | None:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*://\S+$", text, re.IGNORECASE):
        return text
    return expand(text) if re.match(r"^[A-Za-z][\w-]*:\S+$", text) else None


def describe(
    store: Store, matches: Sequence[Match], graphs: Sequence[str] | None = None, lang: str = "en"
) -> tuple[Candidate, ...]:
    """What tells the matches apart: their kind, car number, event, entrant, source."""
    if not matches:
        return ()
    values = "\n".join(URIRef(m.iri).n3() for m in matches)
    rows = store.query(_DETAILS_QUERY_HEAD + values + "\n  }\n}\n", graphs=graphs).rows
    seen: dict[str, dict[str, set[str]]] = {m.iri: {} for m in matches}
    terms = []
    for row in rows:
        if row[0] is None:
            continue
        fields = seen.setdefault(str(row[0]), {})
        for key, value in zip(
            ("type", "number", "event", "entrant", "document"), row[1:], strict=True
        ):
            if value is not None and str(value) not in _UNINFORMATIVE_TYPES:
                fields.setdefault(key, set()).add(str(value))
                terms.append(value)
    labels = fetch_labels(store, [*terms, *(URIRef(m.iri) for m in matches)], lang, graphs)

    def said(fields: dict[str, set[str]], key: str) -> list[str]:
        return sorted(labels.of(URIRef(v)) if ":" in v else v for v in fields.get(key, ()))

    described = []
    for match in matches:
        fields = seen.get(match.iri, {})
        types = fields.get("type", set())
        words = sorted({_TERM_TYPE_WORDS[t] for t in types if t in _TERM_TYPE_WORDS})
        if match.term and words:
            what = " and ".join(words) + " of the ontology"
        else:
            data_types = [t for t in types if t not in _TERM_TYPE_WORDS]
            what = ", ".join(sorted(labels.of(URIRef(t)) for t in data_types)) or "entity"
        facts = [f"car #{n}" for n in sorted(fields.get("number", ()))]
        facts += said(fields, "event") + said(fields, "entrant")
        facts += [f"stated in {shorten(d)}" for d in sorted(fields.get("document", ()))]
        shown = labels.by_iri.get(match.iri, match.name)
        name = shown if match.kind not in {"car number", "IRI"} else match.short
        described.append(Candidate(match.iri, name, what, tuple(facts)))
    return tuple(described)


def resolve_one(store: Store, text: str, graphs: Sequence[str] | None = None) -> URIRef:
    """Exactly one entity, or a UsageError that lists the candidates or suggestions."""
    found = lookup(store, text, graphs)
    if len(found.matches) == 1:
        return URIRef(found.matches[0].iri)
    if found.matches:
        candidates = describe(store, found.matches[:_MAX_LISTED], graphs)
        listing = "; ".join(f"{c.short} ({c.name})" for c in candidates)
        more = len(found.matches) - len(candidates)
        if more:
            listing += f"; and {more} more"
        lines = "".join(f"\n  {c.line()}" for c in candidates)
        raise UsageError(
            f"{text!r} names several entities: {listing}. Use the IRI to choose:{lines}"
        )
    hint = ""
    if found.suggestions:
        hint = " Did you mean: " + "; ".join(f"{m.name} ({m.short})" for m in found.suggestions)
        hint += "?"
    raise UsageError(f"no entity is named {text!r}.{hint}")
