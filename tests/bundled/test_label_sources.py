"""Every name in data/ has a source, or says that the editors added it (issue 16).

A skos:prefLabel or skos:altLabel is supported when

- it is verbatim in the text of a source document whose data file mentions the
  entity (data/sources/*.txt, through ms:textFile);
- an official results file gives it: the label is asserted in the file the importer
  wrote, or is verbatim in the published CSV that file was imported from
  (sources/imsa/..., "BMW M Team RLL" in the TEAM column) and that file mentions
  the entity;
- an ms:Statement records the label triple with its source (and, for a text, its
  verbatim evidence, which the validator checks);

or else it is marked as an editorial addition: an ms:EditorialAddition recording
the triple, under an ms:EditorialNote that says who added it, when and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from kg.model.namespaces import MS, shorten

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
IMSA_SOURCES = ROOT / "sources" / "imsa"
LABELS = (SKOS.prefLabel, SKOS.altLabel)

Triple = tuple[Node, Node, Node]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def _files() -> dict[Path, Graph]:
    graphs = {}
    for path in sorted(DATA.rglob("*.ttl")):
        graph = Graph()
        graph.parse(path, format="turtle")
        graphs[path] = graph
    return graphs


@cache
def _union() -> Graph:
    union = Graph()
    for graph in _files().values():
        for triple in graph:
            union.add(triple)
    return union


def _mentioned(graph: Graph) -> set[Node]:
    return {term for triple in graph for term in (triple[0], triple[2]) if isinstance(term, URIRef)}


@dataclass(frozen=True)
class Support:
    """Where the labels of data/ come from: texts, official files, statements, editors."""

    texts: tuple[tuple[str, frozenset[Node]], ...]  # (text, entities its file mentions)
    official: frozenset[Triple]
    official_csvs: tuple[tuple[str, frozenset[Node]], ...]
    stated: frozenset[Triple]
    editorial: frozenset[Triple]

    def sources_of(self, triple: Triple) -> list[str]:
        entity, _, label = triple
        found = []
        if any(str(label) in text and entity in ents for text, ents in self.texts):
            found.append("text")
        if triple in self.official or any(
            str(label) in text and entity in ents for text, ents in self.official_csvs
        ):
            found.append("official results")
        if triple in self.stated:
            found.append("statement")
        return found


@cache
def _support() -> Support:
    texts, csvs = [], []
    official: set[Triple] = set()
    for path, graph in _files().items():
        mentioned = frozenset(_mentioned(graph))
        for document in graph.subjects(MS.textFile, None):
            text_file = DATA / str(graph.value(document, MS.textFile))
            texts.append((text_file.read_text(encoding="utf-8"), mentioned))
        if any(graph.subjects(RDF.type, MS.ResultsFile)):
            official.update(t for t in graph if t[1] in LABELS)
            published = IMSA_SOURCES / path.relative_to(DATA / "imsa").with_suffix(".csv")
            assert published.is_file(), f"{_rel(path)}: no published file {_rel(published)}"
            csvs.append((published.read_text(encoding="utf-8-sig"), mentioned))
    union = _union()
    stated = {
        (union.value(s, RDF.subject), union.value(s, RDF.predicate), union.value(s, RDF.object))
        for s in union.subjects(RDF.type, MS.Statement)
        if union.value(s, MS.statedIn) is not None
    }
    editorial = set()
    for addition in union.subjects(RDF.type, MS.EditorialAddition):
        note = union.value(addition, MS.editorialBasis)
        if note is not None and (note, RDF.type, MS.EditorialNote) in union:
            editorial.add(
                (
                    union.value(addition, RDF.subject),
                    union.value(addition, RDF.predicate),
                    union.value(addition, RDF.object),
                )
            )
    return Support(
        tuple(texts), frozenset(official), tuple(csvs), frozenset(stated), frozenset(editorial)
    )


def _label_triples() -> list[Triple]:
    union = _union()
    return sorted((t for p in LABELS for t in union.triples((None, p, None))), key=str)


def _show(triple: Triple) -> str:
    entity, predicate, label = triple
    assert isinstance(label, Literal)
    return f"{shorten(str(entity))} {shorten(str(predicate))} {label.n3()}"


def test_every_label_has_a_source_or_is_an_editorial_addition() -> None:
    support = _support()
    bare = [
        _show(t)
        for t in _label_triples()
        if not support.sources_of(t) and t not in support.editorial
    ]
    assert not bare, (
        "names that no source gives and that are not marked as editorial additions "
        "(give them a source, or an ms:EditorialAddition under the editors' "
        "ms:EditorialNote in the file that holds the label):\n" + "\n".join(bare)
    )


def test_no_editorial_addition_for_a_name_a_source_gives() -> None:
    support = _support()
    needless = [
        f"{_show(t)} (given by {', '.join(support.sources_of(t))})"
        for t in sorted(support.editorial, key=str)
        if support.sources_of(t)
    ]
    assert not needless, "editorial additions of names a source gives:\n" + "\n".join(needless)


def test_every_editorial_addition_records_a_triple_of_the_data() -> None:
    union = _union()
    stale = [_show(t) for t in sorted(_support().editorial, key=str) if t not in union]
    assert not stale, "editorial additions of triples no data file asserts:\n" + "\n".join(stale)


def test_an_editorial_addition_sits_in_the_file_of_its_label() -> None:
    """So that a reader of a file sees where each of its names comes from."""
    problems = []
    for path, graph in _files().items():
        for addition in graph.subjects(RDF.type, MS.EditorialAddition):
            triple = (
                graph.value(addition, RDF.subject),
                graph.value(addition, RDF.predicate),
                graph.value(addition, RDF.object),
            )
            if triple not in graph:
                problems.append(
                    f"{_rel(path)}: {shorten(str(addition))} records a label of another file"
                )
    assert not problems, "\n".join(problems)


def test_the_editors_note_says_who_when_and_why() -> None:
    union = _union()
    notes = sorted(union.subjects(RDF.type, MS.EditorialNote))
    assert notes, "no ms:EditorialNote in data/"
    for note in notes:
        for prop in (DCTERMS.title, DCTERMS.creator, DCTERMS.created, SKOS.editorialNote):
            assert union.value(note, prop) is not None, f"{shorten(str(note))} has no {prop}"
        languages = {lit.language for lit in union.objects(note, SKOS.editorialNote)}
        assert {"en", "de"} <= languages


def test_the_entrant_name_of_the_results_file_is_supported_by_it() -> None:
    """The IMSA results name BMW's GTP team "BMW M Team RLL": that alias needs no editor."""
    support = _support()
    rll = URIRef("https://w3id.org/motorsport-kg/id/rll")
    triple: Triple = (rll, SKOS.altLabel, Literal("BMW M Team RLL", lang="en"))
    assert triple in _union()
    assert "official results" in support.sources_of(triple)


def test_editorial_names_are_counted_per_entity() -> None:
    """The full team names and series expansions the audit found are marked editorial."""
    by_entity: dict[str, set[str]] = defaultdict(set)
    for entity, _, label in _support().editorial:
        by_entity[str(entity).rsplit("/", 1)[1]].add(str(label))
    assert "Rahal Letterman Lanigan Racing" in by_entity["rll"]
    assert "W Racing Team" in by_entity["wrt"]
    assert "International Motor Sports Association" in by_entity["imsa"]
    assert (
        "IMSA WeatherTech SportsCar Championship"
        in by_entity["imsa-weathertech-sportscar-championship"]
    )


def test_every_registry_entity_is_mentioned_by_a_source_file() -> None:
    """An entity that no source file mentions (the WEC's Hypercar class once) has no place."""
    registry_path = DATA / "entities.ttl"
    registry = _files()[registry_path]
    editorial = set(registry.subjects(RDF.type, MS.EditorialAddition)) | set(
        registry.subjects(RDF.type, MS.EditorialNote)
    )
    mentioned: set[Node] = set()
    for path, graph in _files().items():
        if path != registry_path:
            mentioned |= _mentioned(graph)
    orphans = sorted(
        shorten(str(entity))
        for entity in set(registry.subjects(RDF.type, None)) - editorial
        if entity not in mentioned
    )
    assert not orphans, "registry entities that no source file mentions:\n" + "\n".join(orphans)
