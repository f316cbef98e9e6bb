"""kg.validation.affected finds every focus node a change can affect (issue 20).

The oracle is a full validation: after each edit of the core data (the articles and
one official race, where every shape of the project finds data), the cached results
of the focus nodes not found, merged with a fresh check of those found, must equal
the full validation's results. The edits touch every predicate of the data once
(its first triple given the value of another triple of that predicate, or removed;
six predicates to an edit),
and then the cross-node rules by name: a driver id shared by two people (a SPARQL
join through a literal), two results of a session in one class position, a decided
status report, a source published later than a decision's expected time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORE_DATA
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.model.files import discover, parse_file
from kg.model.namespaces import MS, MSR, new_graph
from kg.validation.affected import affected_nodes, reads_of
from kg.validation.cache import focus_key, merge
from kg.validation.checking import shapes_graph
from kg.validation.fast import build_index, compile_shapes, validate_fast

Triple = tuple[Node, Node, Node]
BATCH = 6
MSV = "https://w3id.org/motorsport-kg/vocab/"


def _graph(kinds: tuple[str, ...], folders: list[Path]) -> Graph:
    graph = new_graph()
    for item in discover(folders, include_ontology=True):
        if item.kind in kinds:
            for triple in parse_file(item.path):
                graph.add(triple)
    return graph


DATA = _graph(("data",), list(CORE_DATA))
ONTOLOGY = _graph(("ontology",), [])
SHAPES = shapes_graph([], None)
PLAN = compile_shapes(SHAPES)
READS = reads_of(PLAN)
BEFORE = validate_fast(build_index(DATA, ONTOLOGY), SHAPES, plan=PLAN)


def _every_predicate() -> Iterator[tuple[str, set[Triple], set[Triple]]]:
    """One edit per predicate: its first triple takes another triple's value (or goes).
    Six predicates' edits at a time (one at a time took 90 s)."""
    predicates = sorted(set(DATA.predicates()))
    for start in range(0, len(predicates), BATCH):
        removed: set[Triple] = set()
        added: set[Triple] = set()
        for predicate in predicates[start : start + BATCH]:
            triples = sorted(DATA.triples((None, predicate, None)))
            first = triples[0]
            removed.add(first)
            others = [o for _, _, o in triples if o != first[2]]
            if others and (first[0], predicate, others[-1]) not in DATA:
                added.add((first[0], predicate, others[-1]))
        names = [str(p).rsplit("/", 1)[-1] for p in predicates[start : start + BATCH]]
        yield f"{names[0]} to {names[-1]}", removed, added


def _first(predicate: URIRef, obj: Node | None = None) -> Triple:
    return sorted(DATA.triples((None, predicate, obj)))[0]


def _cross_node() -> Iterator[tuple[str, set[Triple], set[Triple]]]:
    """Edits whose violations a shape of another node reports."""
    people = sorted(DATA.triples((None, MS.imsaDriverId, None)))
    mine, theirs = people[0], next(t for t in people if t[0] != people[0][0])
    yield "a driver id shared", {mine}, {(mine[0], MS.imsaDriverId, theirs[2])}
    results = sorted(DATA.subjects(MS.classPosition, None))
    first, second = results[0], results[1]
    [position] = DATA.objects(second, MS.classPosition)
    [old] = DATA.objects(first, MS.classPosition)
    yield (
        "a class position taken twice",
        {(first, MS.classPosition, old)},
        {(first, MS.classPosition, position)},
    )
    report = _first(MS.decisionStatus)
    yield (
        "a status report says decided",
        {report},
        {(report[0], MS.decisionStatus, URIRef(MSV + "Decided"))},
    )
    published = _first(MS.published)
    yield (
        "a source published late",
        {published},
        {(published[0], MS.published, Literal("2031-01-01", datatype=published[2].datatype))},
    )
    typed = _first(RDF.type, MS.Entry)
    yield "an entry that is no entry", {typed}, {(typed[0], RDF.type, MS.Team)}
    yield "a result's entry gone", {_first(MS.entry)}, set()
    yield "a new claim without a source", set(), {(MSR["x-new"], RDF.type, MS.Quote)}


EDITS = [*_every_predicate(), *_cross_node()]


@pytest.mark.parametrize(("removed", "added"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_rechecking_the_affected_nodes_gives_the_full_report(
    removed: set[Triple], added: set[Triple]
) -> None:
    after = new_graph()
    for triple in DATA:
        if triple not in removed:
            after.add(triple)
    for triple in added:
        after.add(triple)
    index = build_index(after, ONTOLOGY)
    assert not READS.unbounded, READS.unbounded
    focus = affected_nodes(index, READS, (removed - added) | (added - removed))
    partial = validate_fast(index, SHAPES, plan=PLAN, focus=focus)
    merged = merge(BEFORE.results, partial.results, {focus_key(node) for node in focus})
    full = validate_fast(after, SHAPES, ontology=ONTOLOGY, plan=PLAN)
    assert set(merged) == set(full.results)
    assert len(focus) < 100  # the core data has some 1,500 entities
