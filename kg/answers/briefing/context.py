"""The neighbourhood of one entity, read through the store into a small local graph.

A briefing needs the facts along the paths that matter (a driver's entries, what
happened to them, the official results of the same car), not only the triples
that touch the entity. `neighbourhood` reads them in a few rounds of one query
each (whatever the store: memory, the index, a SPARQL server); `Context` then
answers the composers' questions from the local graph, picks texts in the
reader's language and numbers the sources in the order they are first cited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.answers.briefing.model import Reference
from kg.answers.briefing.names import made_name, term_words
from kg.answers.briefing.when import interval_of, publication_words
from kg.model.namespaces import MS, SCHEMA, shorten
from kg.stores.base import Store
from kg.stores.values import inject_rows

_OUT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
# What a briefing needs of a thing it only names: its name and kind, the parts of a
# time value, the reference details of a source, what names a role or a car.
_NAMING = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?s ?p ?o WHERE {
  # Each subject's triples, then the naming ones kept: a VALUES block of properties
  # would make one index lookup per subject and property.
  ?s ?p ?o .
  FILTER (?p IN (
    rdf:type, skos:prefLabel, rdfs:label, skos:altLabel, ms:notBefore, ms:notAfter,
    ms:timePrecision, ms:timeExpression, ms:assumption, dcterms:title, dcterms:language,
    dcterms:creator, ms:summary, ms:published, ms:publishedNotBefore,
    ms:publishedNotAfter, ms:textFile, ms:sourceFileName, ms:editorialTitle,
    schema:publisher, prov:wasAttributedTo, ms:roleKind, ms:organisation, ms:person,
    ms:carNumber, ms:entrantName, ms:entrant, ms:carModel, ms:manufacturer,
    ms:racingClass, ms:event, ms:startTime, ms:partOfEvent, ms:sessionKind
  ))
}
"""
_IN = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_CHUNK = 200
PROV_ATTRIBUTED = URIRef("http://www.w3.org/ns/prov#wasAttributedTo")

# Nodes whose incoming links a briefing follows one step further: what points at
# an entry (results, incidents, laps), a programme (operations, status) or a
# decision (status reports, considerations) is what they are about.
HUBS = (MS.Entry, MS.Programme, MS.Decision)
# Ontology terms are not briefed along paths: everything points at ms:Entry.
_TERMS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme)
LANGUAGE_NAMES = {
    "en": {"en": "English", "de": "German"},
    "de": {"en": "Englisch", "de": "Deutsch"},
}


def _fetch(
    store: Store,
    graph: Graph,
    query: str,
    name: str,
    nodes: Iterable[Node],
    graphs: Sequence[str] | None,
) -> set[Node]:
    """Add the triples with `name` bound to each node; the other ends that are IRIs."""
    found: set[Node] = set()
    ordered = sorted((n for n in nodes if isinstance(n, URIRef)), key=str)
    if _binds_natively(store):
        # rdflib joins a VALUES block after matching every triple; bound one node at a
        # time it looks each up in its index (10 nodes: 0.02 s instead of 0.13 s).
        for node in ordered:
            for row in store.query(query, bindings={name: node}, graphs=graphs).dicts():
                # The bound end comes back unbound; `or` would also replace a false or a
                # 0 (rdflib literals are falsy then) by the node.
                subject, prop, value = row.get("s"), row.get("p"), row.get("o")
                subject = node if subject is None else subject
                value = node if value is None else value
                found |= _add(graph, subject, prop, value, name)
        return found
    for start in range(0, len(ordered), _CHUNK):
        text = inject_rows(query, name, ordered[start : start + _CHUNK])
        for triple in store.query(text, graphs=graphs).rows:
            found |= _add(graph, triple[0], triple[1], triple[2], name)
    return found


def _add(graph: Graph, s: Node | None, p: Node | None, o: Node | None, name: str) -> set[Node]:
    if s is None or p is None or o is None:
        return set()
    graph.add((s, p, o))
    other = o if name == "s" else s
    return {other} if isinstance(other, URIRef) else set()


def _binds_natively(store: Store) -> bool:
    from kg.stores.memory import MemoryStore

    return isinstance(store, MemoryStore)


@dataclass
class _Reader:
    store: Store
    graphs: Sequence[str] | None
    graph: Graph = field(default_factory=lambda: Graph(store="SimpleMemory"))
    done_out: set[Node] = field(default_factory=set)
    done_in: set[Node] = field(default_factory=set)
    done_names: set[Node] = field(default_factory=set)

    def out(self, nodes: Iterable[Node]) -> set[Node]:
        todo = {n for n in nodes if isinstance(n, URIRef)} - self.done_out
        self.done_out |= todo
        return _fetch(self.store, self.graph, _OUT, "s", todo, self.graphs) if todo else set()

    def names(self, nodes: Iterable[Node]) -> set[Node]:
        """Only what names `nodes` (_NAMING), for things the briefing mentions."""
        todo = {n for n in nodes if isinstance(n, URIRef)} - self.done_out - self.done_names
        self.done_names |= todo
        return _fetch(self.store, self.graph, _NAMING, "s", todo, self.graphs) if todo else set()

    def into(self, nodes: Iterable[Node]) -> set[Node]:
        todo = {n for n in nodes if isinstance(n, URIRef)} - self.done_in
        self.done_in |= todo
        return _fetch(self.store, self.graph, _IN, "o", todo, self.graphs) if todo else set()

    def typed(self, nodes: Iterable[Node], *types: URIRef) -> set[Node]:
        return {n for n in nodes if any((n, RDF.type, t) in self.graph for t in types)}


def neighbourhood(store: Store, entity: URIRef, graphs: Sequence[str] | None) -> Graph:
    """The triples of `entity`, of what points at it, and along its entries, programmes
    and decisions to results, incidents, reports and the official twin of a reported car."""
    reader = _Reader(store, graphs)
    objects = reader.out({entity})
    pointing = reader.into({entity})
    if reader.typed({entity}, *_TERMS):
        reader.out(objects | pointing)
        reader.out(set(reader.graph.objects()))
        return reader.graph
    objects |= reader.out(pointing | objects)
    hubs = reader.typed({entity} | pointing, *HUBS)
    hubs |= {o for n in pointing for o in reader.graph.objects(n, MS.entry)}
    # Entries and programmes reached through a claim (an incident names its entry).
    objects |= reader.out(hubs)
    around = reader.into(hubs)
    objects |= reader.out(around)
    # The other side of a reconciliation: the official entry of a reported car, and
    # the reported entry of an official one.
    twins: set[Node] = set()
    for check in reader.typed(around, MS.Reconciliation):
        for side in (MS.againstClaim, MS.checksClaim, MS.entry):
            twins |= set(reader.graph.objects(check, side))
    reader.out(twins)
    twins |= {o for t in list(twins) for o in reader.graph.objects(t, MS.entry)}
    twins = reader.typed(twins, MS.Entry) - hubs
    reader.out(twins)
    reader.out(reader.into(twins))
    if reader.typed({entity}, MS.Decision):
        # Quotes and claims about the evaluation and the programme a decision is about.
        related = set(reader.graph.objects(entity, MS.process))
        related |= set(reader.graph.objects(entity, MS.concerns))
        reader.out(reader.into(related))
    # Names, types, time values and sources of everything seen.
    for _ in range(2):
        # Twice: a source's publisher, a role's person, a TimeSpec's precision.
        reader.names({o for o in reader.graph.objects() if isinstance(o, URIRef)})
    return reader.graph


@dataclass
class Context:
    """Questions a composer asks about the local graph, in the reader's language."""

    graph: Graph
    lang: str
    show_iris: bool = False
    references: dict[str, Reference] = field(default_factory=dict)

    # --- terms ------------------------------------------------------------------------

    def one(self, subject: Node, prop: URIRef) -> Node | None:
        values = sorted(self.graph.objects(subject, prop), key=str)
        return values[0] if values else None

    def all(self, subject: Node, prop: URIRef) -> list[Node]:
        return sorted(set(self.graph.objects(subject, prop)), key=str)

    def pointing(self, prop: URIRef, target: Node, kind: URIRef | None = None) -> list[URIRef]:
        found = {
            s
            for s in self.graph.subjects(prop, target)
            if isinstance(s, URIRef) and (kind is None or self.is_a(s, kind))
        }
        return sorted(found, key=str)

    def is_a(self, node: Node, kind: URIRef) -> bool:
        return (node, RDF.type, kind) in self.graph

    def text(self, subject: Node, prop: URIRef) -> str:
        """The value of `prop` in the reader's language, else English, else any."""
        return self.pick(self.graph.objects(subject, prop))

    def texts_by_language(self, subject: Node, prop: URIRef) -> dict[str, str]:
        found: dict[str, str] = {}
        for value in sorted(self.graph.objects(subject, prop), key=str):
            if isinstance(value, Literal):
                found.setdefault(value.language or "", str(value))
        return found

    def pick(self, values: Iterable[Node]) -> str:
        by_lang: dict[str, str] = {}
        for value in sorted(values, key=str):
            if isinstance(value, Literal):
                by_lang.setdefault(value.language or "", str(value))
        for preference in (self.lang, "en", ""):
            if preference in by_lang:
                return by_lang[preference]
        return next(iter(by_lang.values()), "")

    def label(self, term: Node | None) -> str:
        """The name of a term: its label in the reader's language, else a name made
        from what it is; an IRI only when nothing else is known or --iris asks."""
        if term is None:
            return ""
        if not isinstance(term, URIRef):
            from kg.model.wording import literal_text

            return literal_text(term, self.lang) if isinstance(term, Literal) else str(term)
        if self.show_iris:
            return shorten(str(term))
        found = self.pick(self.graph.objects(term, SKOS.prefLabel)) or self.pick(
            self.graph.objects(term, RDFS.label)
        )
        if found:
            return self._full_name(term, found)
        return made_name(self, term) or term_words(term)

    def _full_name(self, term: URIRef, name: str) -> str:
        """A person a source names by surname alone ("Calado") under the full name
        that another source gives ("James Calado"), so that a reader knows who it is."""
        if " " in name.strip() or (term, RDF.type, MS.Person) not in self.graph:
            return name

        def folded(text: str) -> str:
            return " ".join(text.replace("-", " ").casefold().split())

        longer = sorted(
            str(alias)
            for alias in self.graph.objects(term, SKOS.altLabel)
            if folded(str(alias)).endswith(" " + folded(name))
        )
        return longer[0] if longer else name

    # --- sources ------------------------------------------------------------------------

    def sources_of(self, node: Node) -> list[URIRef]:
        """The sources that state a claim node or an official row."""
        return sorted(
            {s for s in self.graph.objects(node, MS.statedIn) if isinstance(s, URIRef)}, key=str
        )

    def sources_of_fact(self, subject: Node, prop: URIRef, value: Node) -> list[URIRef]:
        """The sources of a plain fact, through the ms:Statement nodes that record it."""
        found: set[URIRef] = set()
        for statement in self.graph.subjects(RDF.subject, subject):
            if (statement, RDF.predicate, prop) in self.graph and (
                statement,
                RDF.object,
                value,
            ) in self.graph:
                found |= set(self.sources_of(statement))
        return sorted(found, key=str)

    def statement_of(self, subject: Node, prop: URIRef, value: Node) -> URIRef | None:
        for statement in sorted(self.graph.subjects(RDF.subject, subject), key=str):
            if (
                (statement, RDF.predicate, prop) in self.graph
                and (
                    statement,
                    RDF.object,
                    value,
                )
                in self.graph
                and isinstance(statement, URIRef)
            ):
                return statement
        return None

    def cite(self, sources: Iterable[URIRef]) -> tuple[int, ...]:
        """The reference numbers of `sources`, numbering new ones in order of citation."""
        numbers = []
        for source in sorted(set(sources), key=self._source_order):
            key = str(source)
            if key not in self.references:
                self.references[key] = self._reference(source, len(self.references) + 1)
            numbers.append(self.references[key].number)
        return tuple(sorted(numbers))

    def _source_order(self, source: URIRef) -> tuple[object, ...]:
        when = interval_of(self, source)
        return (when.sort_key() if when is not None else (), str(source))

    def is_official(self, source: URIRef) -> bool:
        return self.is_a(source, MS.ResultsFile)

    def _reference(self, source: URIRef, number: int) -> Reference:
        graph = self.graph
        title = self.text(source, DCTERMS.title) or self.text(source, MS.summary)
        kinds = [self.label(t) for t in self.all(source, RDF.type)]
        outlet = self.one(source, SCHEMA.publisher)
        author = self.one(source, PROV_ATTRIBUTED) or self.one(source, DCTERMS.creator)
        language = str(self.one(source, DCTERMS.language) or "")
        names = LANGUAGE_NAMES.get(self.lang, LANGUAGE_NAMES["en"])
        text_file = self.one(source, MS.textFile) or self.one(source, MS.sourceFileName)
        del graph
        return Reference(
            number=number,
            iri=str(source),
            title=title or shorten(str(source)),
            kind=", ".join(sorted(kinds)),
            outlet=self.label(outlet) if outlet is not None else "",
            author=self.label(author) if author is not None else "",
            published=publication_words(self, source),
            language=names.get(language, language),
            text_file=str(text_file or ""),
            our_title=str(self.one(source, MS.editorialTitle) or "").lower() in ("true", "1"),
        )


def source_context(
    store: Store, sources: Iterable[str], graphs: Sequence[str] | None, lang: str
) -> Context:
    """A context that knows `sources` (and their publishers and authors), for answers
    other than briefings that cite by number: the decisions table, a decision's history."""
    reader = _Reader(store, graphs)
    objects = reader.out({URIRef(s) for s in sources})
    reader.out(objects)
    return Context(reader.graph, lang)
