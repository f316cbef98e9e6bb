"""The label of each IRI in the reader's language, read through the store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.model.namespaces import shorten
from kg.stores.base import Store

_LABELS_QUERY_HEAD = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label WHERE {
  ?entity skos:prefLabel|rdfs:label ?label .
  VALUES ?entity {
"""


@dataclass(frozen=True)
class Labels:
    """Label of each IRI in one language, falling back to English, then any, then the IRI."""

    by_iri: dict[str, str]

    def of(self, term: Identifier | None, show_iris: bool = False) -> str:
        if term is None:
            return ""
        if isinstance(term, URIRef):
            if show_iris:
                return shorten(str(term))
            return self.by_iri.get(str(term), shorten(str(term)))
        if isinstance(term, BNode):
            return "_:" + str(term)
        return str(term)


def fetch_labels(
    store: Store,
    terms: Iterable[Identifier | None],
    lang: str,
    graphs: Sequence[str] | None = None,
) -> Labels:
    iris = sorted({str(t) for t in terms if isinstance(t, URIRef)})
    if not iris:
        return Labels({})
    found: dict[str, dict[str, str]] = {}
    chunk = 500
    for start in range(0, len(iris), chunk):
        # IRIs from the store's own results, written as N-Triples terms: no user text.
        values = "\n".join(URIRef(iri).n3() for iri in iris[start : start + chunk])
        text = _LABELS_QUERY_HEAD + values + "\n  }\n}\n"
        for entity, label in store.query(text, graphs=graphs).rows:
            if entity is None or not isinstance(label, Literal):
                continue
            language = label.language or ""
            current = found.setdefault(str(entity), {})
            # Keep the smallest label per language so the choice is deterministic.
            if language not in current or str(label) < current[language]:
                current[language] = str(label)
    chosen: dict[str, str] = {}
    for iri, per_language in found.items():
        for preference in (lang, "en", ""):
            if preference in per_language:
                chosen[iri] = per_language[preference]
                break
        else:
            chosen[iri] = per_language[sorted(per_language)[0]]
    return Labels(chosen)
