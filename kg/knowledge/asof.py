"""The graph as known on a given day: a bitemporal "as known then" view.

Each data file is one named graph, and a source file describes its source
document (an `ms:SourceDocument`) with its publication date. A view as of
day D is the list of named graphs to query:

- the ontology and the shapes: always;
- a data graph that describes no source document (the entity registry
  data/entities.ttl): always, since it holds identity, not news;
- a data graph whose source documents were all certainly published by D:
  the latest day their publication can mean is on or before D. A month
  ("2023-07") counts as published on its last day, 2023-07-31;
- any other data graph: hidden. An article whose date is only bounded
  (`ms:publishedNotBefore`/`ms:publishedNotAfter`) stays hidden until its
  upper bound, and one with no publication date at all stays hidden in every
  as-of view: we do not claim it was known before we can show it was.

Everything is read through the store with SPARQL, so it works on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import overload

from rdflib import Literal, URIRef

from kg.knowledge.project import Knowledge
from kg.model.errors import InputError
from kg.model.timeutil import TimeInterval, from_bounds, from_literal, known_by
from kg.stores.base import Store

# Source documents per graph, with whatever publication dates are recorded.
# A document is typed in the graph of its own file; subclasses of
# ms:SourceDocument are found through the ontology when it declares them.
SOURCES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?g ?doc ?published ?notBefore ?notAfter WHERE {
  { VALUES ?type { ms:SourceDocument ms:NewsArticle } }
  UNION
  { ?type rdfs:subClassOf+ ms:SourceDocument }
  GRAPH ?g { ?doc a ?type . }
  OPTIONAL { GRAPH ?g { ?doc ms:published ?published } }
  OPTIONAL { GRAPH ?g { ?doc ms:publishedNotBefore ?notBefore } }
  OPTIONAL { GRAPH ?g { ?doc ms:publishedNotAfter ?notAfter } }
}
"""


@dataclass(frozen=True)
class SourcePublication:
    """When one source document appeared, as recorded in the graph of its file."""

    document: str
    graph: str
    published: TimeInterval


def publications(store: Store, graphs: Sequence[str] | None = None) -> list[SourcePublication]:
    """Every source document with its publication interval, sorted by graph and document."""
    result = store.query(SOURCES_QUERY, graphs=graphs)
    found: dict[tuple[str, str], SourcePublication] = {}
    for row in result.dicts():
        graph, document = row["g"], row["doc"]
        if graph is None or document is None:
            continue
        where = f"source document {document.n3()} in graph <{graph}>"
        published = row.get("published")
        if isinstance(published, Literal):
            interval = from_literal(published, f"{where}: ms:published")
        else:
            not_before, not_after = row.get("notBefore"), row.get("notAfter")
            interval = from_bounds(
                not_before if isinstance(not_before, Literal) else None,
                not_after if isinstance(not_after, Literal) else None,
                where=f"{where}: ms:publishedNotBefore/ms:publishedNotAfter",
            )
        key = (str(graph), str(document))
        if key in found and found[key].published != interval:
            raise InputError(
                f"{where} has more than one publication date; keep one ms:published "
                "(or one pair of ms:publishedNotBefore/ms:publishedNotAfter)"
            )
        found[key] = SourcePublication(str(document), str(graph), interval)
    return [found[key] for key in sorted(found)]


def publication_of(store: Store, document: URIRef) -> TimeInterval | None:
    """The publication interval of one source document, or None if it is not one."""
    for item in publications(store):
        if item.document == str(document):
            return item.published
    return None


@overload
def visible_graphs(knowledge: Knowledge, day: date) -> list[str]: ...


@overload
def visible_graphs(knowledge: Knowledge, day: None) -> None: ...


@overload
def visible_graphs(knowledge: Knowledge, day: date | None) -> list[str] | None: ...


def visible_graphs(knowledge: Knowledge, day: date | None) -> list[str] | None:
    """The named graphs to query for a view as of `day` (None: no view, every graph).

    Returns graph IRIs in load order: ontology and shapes, registry files, and
    the source files certainly published by `day`.
    """
    if day is None:
        return None
    by_graph: dict[str, list[SourcePublication]] = {}
    for item in publications(knowledge.store, knowledge.data_graphs):
        by_graph.setdefault(item.graph, []).append(item)
    visible: list[str] = []
    for file in knowledge.files:
        documents = by_graph.get(file.graph, [])
        # Registry files (no source document) hold identity, not news: always shown.
        always = file.kind != "data" or not documents
        if always or all(known_by(doc.published, day) is True for doc in documents):
            visible.append(file.graph)
    return visible


def hidden_graphs(knowledge: Knowledge, day: date | None) -> list[str]:
    """The data graphs an as-of view leaves out (empty when there is no view)."""
    shown = visible_graphs(knowledge, day)
    if shown is None:
        return []
    kept = set(shown)
    return [file.graph for file in knowledge.files if file.graph not in kept]
