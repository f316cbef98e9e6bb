"""The graph as known on a given day: a bitemporal "as known then" view.

Each data file is one named graph, and a source file describes its source
document (an `ms:SourceDocument`, or an instance of any subclass the ontology
or a data file declares: `ms:NewsArticle`, `ms:ResultsFile`,
`ms:ReconciliationReport`, ...) with its publication date. A view as of day D
is the list of named graphs to query:

- the ontology and the shapes: always;
- a data graph that describes no source document (the entity registry
  data/entities.ttl): always, since it holds identity, not news;
- a data graph whose source documents were all known by D;
- any other data graph: hidden.

When a document counts as known:

- one with a publication date (`ms:published`): from the latest day that date
  can mean ("2023-07" counts as published on 2023-07-31);
- an official results file (`ms:ResultsFile`): from the day its session ended,
  which the importer records as its `ms:publishedNotBefore` (results come out
  when the session ends), or from its `ms:published` where that is later;
- a document derived from others (`prov:wasDerivedFrom`, such as the
  reconciliation report): only once it and every document it derives from are
  known; its own `ms:publishedNotBefore` is the day it could first be made. A
  source that no data file describes is never known, so neither is the
  document derived from it;
- any other document whose date is only bounded (`ms:publishedNotBefore`/
  `ms:publishedNotAfter`): from its upper bound; with no upper bound or no
  date at all it stays hidden in every as-of view: we do not claim it was
  known before we can show it was.

Everything is read through the store with SPARQL, so it works on every backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import overload

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.knowledge.project import Knowledge
from kg.model.errors import InputError
from kg.model.namespaces import shorten
from kg.model.timeutil import TimeInterval, from_bounds, from_literal
from kg.stores.base import Store

# Source documents per graph, with whatever publication dates are recorded. A
# document is typed in the graph of its own file; the subclasses of
# ms:SourceDocument (and of ms:ResultsFile) come from the ontology, so the query
# runs with the ontology graphs in its default graph. The kinds of source come
# first, in a query of their own, and are given to the second as a VALUES block:
# joined in one query, Oxigraph reads every rdf:type triple of every graph first
# (0.4 s with two seasons of results, against 2 ms).
# Written so that every server answers it alike (issue 19): Virtuoso 7.2 refuses a
# property path beside a VALUES block in a UNION ("transitive start not given"), and
# answers a boolean made by BIND or EXISTS as the integer 0 or 1, and
# `BIND (... || EXISTS {...})` with HTTP 500. So each kind comes with a word saying
# which it is, and whether a document is official is decided here from those words.
SOURCE_TYPES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?type ?kind WHERE {
  { ?type rdfs:subClassOf* ms:SourceDocument . BIND ("source" AS ?kind) }
  UNION
  { BIND (ms:NewsArticle AS ?type) BIND ("source" AS ?kind) }
  UNION
  { ?type rdfs:subClassOf* ms:ResultsFile . BIND ("official" AS ?kind) }
}
"""
SOURCES_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?g ?doc ?type ?published ?notBefore ?notAfter WHERE {
  GRAPH ?g { ?doc a ?type . }
  OPTIONAL { GRAPH ?g { ?doc ms:published ?published } }
  OPTIONAL { GRAPH ?g { ?doc ms:publishedNotBefore ?notBefore } }
  OPTIONAL { GRAPH ?g { ?doc ms:publishedNotAfter ?notAfter } }
}
"""

# What each document says it was derived from, in the graph of its file.
DERIVED_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?g ?doc ?source WHERE {
  GRAPH ?g { ?doc prov:wasDerivedFrom ?source . }
  FILTER (isIRI(?source))
}
"""


@dataclass(frozen=True)
class SourcePublication:
    """When one source document appeared, as recorded in the graph of its file."""

    document: str
    graph: str
    published: TimeInterval  # its ms:published, else its bounds
    official: bool = False  # an ms:ResultsFile: known once its session ended
    stated: bool = False  # `published` is an ms:published date, not bounds
    not_before: date | None = None  # its ms:publishedNotBefore, also beside ms:published
    derived_from: tuple[str, ...] = ()  # its prov:wasDerivedFrom, sorted


def publications(
    store: Store, graphs: Sequence[str] | None = None, vocabulary: Sequence[str] = ()
) -> list[SourcePublication]:
    """Every source document with its publication interval, sorted by graph and document.

    Documents are taken from `graphs` (every graph when None); the class axioms of
    `vocabulary` (the ontology graphs) count as well, so that an `ms:ResultsFile`
    is a source document even when only data graphs are asked for.
    """
    shown = None if graphs is None else [*graphs, *vocabulary]
    wanted = None if graphs is None else set(graphs)
    found: dict[tuple[str, str], SourcePublication] = {}
    from kg.stores.values import inject_rows

    kinds: dict[str, set[Identifier]] = {"source": set(), "official": set()}
    for kind_type, kind in store.query(SOURCE_TYPES_QUERY, graphs=shown).rows:
        if kind_type is not None and str(kind) in kinds:
            kinds[str(kind)].add(kind_type)
    documents = inject_rows(SOURCES_QUERY, "type", sorted(kinds["source"]))
    for row in store.query(documents, graphs=shown).dicts():
        graph, document = row["g"], row["doc"]
        if graph is None or document is None or (wanted is not None and str(graph) not in wanted):
            continue
        item = _publication(str(graph), document, row, row["type"] in kinds["official"])
        key = (item.graph, item.document)
        previous = found.get(key)
        if previous is not None:
            if replace(previous, official=item.official) != item:
                where = f"source document {document.n3()} in graph <{graph}>"
                raise InputError(
                    f"{where} has more than one publication date; keep one ms:published "
                    "(or one pair of ms:publishedNotBefore/ms:publishedNotAfter)"
                )
            # A document typed twice (ms:ResultsFile and another kind) is official.
            item = replace(item, official=item.official or previous.official)
        found[key] = item
    derived: dict[tuple[str, str], set[str]] = {}
    for graph, document, source in store.query(DERIVED_QUERY, graphs=shown).rows:
        key = (str(graph), str(document))
        if key in found and source is not None:
            derived.setdefault(key, set()).add(str(source))
    return [
        replace(found[key], derived_from=tuple(sorted(derived.get(key, ()))))
        for key in sorted(found)
    ]


def _publication(
    graph: str, document: Identifier, row: Mapping[str, Identifier | None], official: bool
) -> SourcePublication:
    where = f"source document {document.n3()} in graph <{graph}>"
    published, not_before, not_after = (
        row.get("published"),
        row.get("notBefore"),
        row.get("notAfter"),
    )
    bounds = from_bounds(
        not_before if isinstance(not_before, Literal) else None,
        not_after if isinstance(not_after, Literal) else None,
        where=f"{where}: ms:publishedNotBefore/ms:publishedNotAfter",
    )
    return SourcePublication(
        document=str(document),
        graph=graph,
        published=(
            from_literal(published, f"{where}: ms:published")
            if isinstance(published, Literal)
            else bounds
        ),
        official=official,
        stated=isinstance(published, Literal),
        not_before=bounds.earliest,
    )


def publication_of(store: Store, document: URIRef) -> TimeInterval | None:
    """The publication interval of one source document, or None if it is not one."""
    for item in publications(store):
        if item.document == str(document):
            return item.published
    return None


# --- When each document is known --------------------------------------------------------

_NOTHING_TO_WAIT_FOR = date.min


def _own_day(item: SourcePublication) -> date | None:
    """The first day one description makes its document known, sources aside."""
    latest = item.published.latest
    if item.stated:
        if item.official and item.not_before is not None and latest is not None:
            return max(item.not_before, latest)
        return latest
    if item.official or item.derived_from:
        # Results come out when the session ends, a derived document when it is
        # made: the lower bound is the day; else the upper bound.
        if item.not_before is not None or latest is not None:
            return item.not_before or latest
        return _NOTHING_TO_WAIT_FOR if item.derived_from else None
    return latest


def _later(first: date | None, second: date | None) -> date | None:
    """The later of two days, where None (never known) wins."""
    if first is None or second is None:
        return None
    return max(first, second)


@dataclass(frozen=True)
class _Documents:
    items: list[SourcePublication]
    known: dict[str, date | None]  # document -> first day known (None: never)


def _documents(knowledge: Knowledge) -> _Documents:
    items = publications(knowledge.store, knowledge.data_graphs, knowledge.ontology_graphs)
    own: dict[str, date | None] = {}
    sources: dict[str, set[str]] = {}
    graphs: dict[str, set[str]] = {}
    for item in items:
        day = _own_day(item)
        # A document described in two files is known when both say it is.
        own[item.document] = _later(own[item.document], day) if item.document in own else day
        sources.setdefault(item.document, set()).update(item.derived_from)
        graphs.setdefault(item.document, set()).add(item.graph)
    known: dict[str, date | None] = {}

    def resolve(document: str, chain: tuple[str, ...]) -> date | None:
        if document in known:
            return known[document]
        if document in chain:
            _cycle(knowledge, [*chain[chain.index(document) :], document], graphs)
        if document not in own:
            return None  # no data file describes it: nothing shows it was known
        day = own[document]
        for source in sorted(sources[document]):
            day = _later(day, resolve(source, (*chain, document)))
        known[document] = day
        return day

    for document in sorted(own):
        resolve(document, ())
    return _Documents(items, known)


def _cycle(knowledge: Knowledge, chain: list[str], graphs: dict[str, set[str]]) -> None:
    files = sorted(
        {
            file.display if (file := knowledge.file_of(graph)) is not None else graph
            for document in chain
            for graph in graphs.get(document, ())
        }
    )
    raise InputError(
        "source documents derive from each other (prov:wasDerivedFrom): "
        f"{' -> '.join(shorten(document) for document in chain)}; a document cannot be "
        f"known before itself: remove one of these links (in {', '.join(files)})"
    )


def known_since(knowledge: Knowledge) -> dict[str, date | None]:
    """The first day each source document of the data counts as known, by document IRI.

    None: never, in any as-of view (no date that shows it, or a source that is never
    known). The rules are in this module's docstring.
    """
    found = _documents(knowledge)
    return {document: found.known[document] for document in sorted(found.known)}


@overload
def visible_graphs(knowledge: Knowledge, day: date) -> list[str]: ...


@overload
def visible_graphs(knowledge: Knowledge, day: None) -> None: ...


@overload
def visible_graphs(knowledge: Knowledge, day: date | None) -> list[str] | None: ...


def visible_graphs(knowledge: Knowledge, day: date | None) -> list[str] | None:
    """The named graphs to query for a view as of `day` (None: no view, every graph).

    Returns graph IRIs in load order: ontology and shapes, registry files, and
    the source files whose documents were all known by `day` (see the module's rules).
    """
    if day is None:
        return None
    found = _documents(knowledge)
    by_graph: dict[str, set[str]] = {}
    for item in found.items:
        by_graph.setdefault(item.graph, set()).add(item.document)
    visible: list[str] = []
    for file in knowledge.files:
        documents = by_graph.get(file.graph, set())
        # Registry files (no source document) hold identity, not news: always shown.
        always = file.kind != "data" or not documents
        if always or all(_known_by(found.known[doc], day) for doc in documents):
            visible.append(file.graph)
    return visible


def _known_by(known: date | None, day: date) -> bool:
    return known is not None and known <= day


def hidden_graphs(knowledge: Knowledge, day: date | None) -> list[str]:
    """The data graphs an as-of view leaves out (empty when there is no view)."""
    shown = visible_graphs(knowledge, day)
    if shown is None:
        return []
    kept = set(shown)
    return [file.graph for file in knowledge.files if file.graph not in kept]
