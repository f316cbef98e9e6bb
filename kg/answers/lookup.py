"""Finding an entity by IRI, prefixed name, label or alias, in any language.

Names are compared folded: case, accents and spacing do not matter, so
"rene rast" finds "René Rast". The folding is shared with entity resolution
of imported data.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from kg.model.errors import UsageError
from kg.model.namespaces import expand, shorten
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


@dataclass(frozen=True)
class Match:
    iri: str
    name: str
    kind: str

    @property
    def short(self) -> str:
        return shorten(self.iri)


@dataclass(frozen=True)
class Lookup:
    """The outcome of looking a name up: one match, several, or suggestions."""

    query: str
    matches: tuple[Match, ...]
    suggestions: tuple[Match, ...] = ()


def _names(store: Store, graphs: Sequence[str] | None) -> list[Match]:
    result = store.query(NAMES_QUERY, graphs=graphs)
    found = {
        Match(iri=str(row[0]), name=str(row[1]), kind=str(row[2]))
        for row in result.rows
        if row[0] is not None and row[1] is not None and row[2] is not None
    }
    return sorted(found, key=lambda m: (m.iri, m.kind, m.name))


def _known(store: Store, iri: str, graphs: Sequence[str] | None) -> bool:
    ask = "ASK { { ?entity ?p ?o } UNION { ?s ?p ?entity } }"
    return bool(store.query(ask, bindings={"entity": URIRef(iri)}, graphs=graphs).boolean)


def lookup(store: Store, text: str, graphs: Sequence[str] | None = None) -> Lookup:
    stripped = text.strip()
    direct = _as_iri(stripped)
    if direct is not None:
        if _known(store, direct, graphs):
            return Lookup(text, (Match(direct, shorten(direct), "IRI"),))
        return Lookup(text, ())
    wanted = fold(stripped)
    names = _names(store, graphs)
    by_entity: dict[str, Match] = {}
    for match in names:
        if fold(match.name) == wanted:
            by_entity.setdefault(match.iri, match)
    if by_entity:
        return Lookup(text, tuple(sorted(by_entity.values(), key=lambda m: m.iri)))
    folded = {fold(m.name): m for m in sorted(names, key=lambda m: (m.kind, m.iri, m.name))}
    close = difflib.get_close_matches(wanted, list(folded), n=5, cutoff=0.6)
    # Also offer names that contain what was typed ("vanthoor" -> "Dries Vanthoor").
    containing = [key for key in sorted(folded) if wanted and wanted in key and key not in close]
    suggestions: dict[str, Match] = {}
    for key in [*close, *containing]:
        suggestions.setdefault(folded[key].iri, folded[key])
    return Lookup(text, (), tuple(list(suggestions.values())[:5]))


def _as_iri(text: str) -> str | None:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*://\S+$", text, re.IGNORECASE):
        return text
    return expand(text) if re.match(r"^[A-Za-z][\w-]*:\S+$", text) else None


def resolve_one(store: Store, text: str, graphs: Sequence[str] | None = None) -> URIRef:
    """Exactly one entity, or a UsageError that lists the candidates or suggestions."""
    found = lookup(store, text, graphs)
    if len(found.matches) == 1:
        return URIRef(found.matches[0].iri)
    if found.matches:
        listing = "; ".join(f"{m.short} ({m.name})" for m in found.matches)
        raise UsageError(f"{text!r} names several entities: {listing}. Use the IRI to choose.")
    hint = ""
    if found.suggestions:
        hint = " Did you mean: " + "; ".join(f"{m.name} ({m.short})" for m in found.suggestions)
        hint += "?"
    raise UsageError(f"no entity is named {text!r}.{hint}")
