"""Times in words (issue 16): "around 2.30 a.m. on 28 Jan 2024", "July 2023", vague
times with the source's wording, in the reader's language."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.answers.briefing.context import Context
from kg.answers.briefing.when import span_words, time_words
from kg.model.namespaces import MS, MSV


def _spec(graph: Graph, **values: object) -> BNode:
    node = BNode()
    graph.add((node, URIRef(str(MS) + "timePrecision"), values.pop("precision")))  # type: ignore[arg-type]
    for name, value in values.items():
        graph.add((node, MS[name], value))  # type: ignore[arg-type]
    return node


@pytest.fixture
def graph() -> Graph:
    return Graph()


def test_around_a_clock_time(graph: Graph) -> None:
    node = _spec(
        graph,
        precision=MSV.AroundTime,
        notBefore=Literal("2024-01-28T02:00:00-05:00", datatype=XSD.dateTime),
        notAfter=Literal("2024-01-28T03:00:00-05:00", datatype=XSD.dateTime),
        timeExpression=Literal("at around 2.30 a.m.", lang="en"),
    )
    assert time_words(Context(graph, "en"), node) == "around 2.30 a.m. on 28 Jan 2024"
    assert time_words(Context(graph, "de"), node) == (
        'gegen 2:30 Uhr am 28. Jan. 2024 (in der Quelle: "at around 2.30 a.m.")'
    )


def test_a_vague_time_keeps_its_wording_and_says_what_it_means(graph: Graph) -> None:
    node = _spec(
        graph,
        precision=MSV.PartOfYear,
        notBefore=Literal("2023-09-01", datatype=XSD.date),
        notAfter=Literal("2023-12-31", datatype=XSD.date),
        timeExpression=Literal("gegen Ende 2023", lang="de"),
    )
    assert time_words(Context(graph, "de"), node) == "gegen Ende 2023 (Sep.–Dez. 2023)"
    assert time_words(Context(graph, "en"), node) == (
        'Sep–Dec 2023 (in the source: "gegen Ende 2023")'
    )


@pytest.mark.parametrize(
    ("literal", "english", "german"),
    [
        (Literal("2023-07", datatype=XSD.gYearMonth), "July 2023", "Juli 2023"),
        (Literal("2024-01-28", datatype=XSD.date), "28 Jan 2024", "28. Jan. 2024"),
        (Literal("2023", datatype=XSD.gYear), "2023", "2023"),
        (
            Literal("2024-01-27T13:40:00", datatype=XSD.dateTime),
            "27 Jan 2024, 13:40",
            "27. Jan. 2024, 13:40",
        ),
    ],
)
def test_literals(graph: Graph, literal: Literal, english: str, german: str) -> None:
    assert time_words(Context(graph, "en"), literal) == english
    assert time_words(Context(graph, "de"), literal) == german


def test_spans() -> None:
    from datetime import date

    assert span_words(date(2024, 1, 28), date(2024, 3, 20)) == "between 28 Jan 2024 and 20 Mar 2024"
    assert span_words(date(2024, 1, 28), None) == "not before 28 Jan 2024"
    assert span_words(None, None) == "date unknown"
    assert span_words(date(2023, 11, 1), date(2024, 2, 29)) == "Nov 2023–Feb 2024"
    assert span_words(date(2023, 11, 1), date(2024, 2, 29), "de") == "Nov. 2023–Feb. 2024"


def test_a_false_or_a_zero_reaches_the_briefing_on_every_store() -> None:
    """The memory store's neighbourhood read `row.get("o") or node`: a false or a 0
    (falsy rdflib literals) became the result node itself, so `kg show --all` said
    "not running at the finish" on the index and nothing on the memory store."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from kg.answers.briefing.context import neighbourhood
    from kg.knowledge.project import open_knowledge
    from kg.model.namespaces import MS, MSR

    base = "imsa-2024-02-daytona-international-speedway-race-result-"
    for spec in ("memory", "oxigraph"):
        knowledge = open_knowledge(spec if spec == "memory" else None)
        graph = neighbourhood(knowledge.store, URIRef(MSR["rolex-24-at-daytona-2024"]), None)
        retired, winner = URIRef(MSR[f"{base}65"]), URIRef(MSR[f"{base}7"])
        assert list(graph.objects(retired, MS.runningAtFinish)) == [
            Literal("false", datatype=XSD.boolean)
        ], spec
        assert list(graph.objects(winner, MS.lapsBehindClassWinner)) == [
            Literal("0", datatype=XSD.integer)
        ], spec
        knowledge.store.close()
