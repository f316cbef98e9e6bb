"""Durations a server keeps only approximately (kg.stores.durations): each is turned back
into the form the files write, told apart by the rest of its row, or refused.

The server here is Virtuoso 7.2's rounding written out (tests/stores/test_virtuoso.py runs
the same against a real one): 86404.48 and 86404.521 seconds both come back as 86404.5.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.model.errors import StoreError
from kg.stores.durations import (
    DURATION,
    VALUE,
    WRITTEN,
    Ambiguous,
    DurationPairs,
    pairs_graph,
    resolve,
)
from kg.stores.terms import EXACT_DATATYPE

WHERE = "the SPARQL endpoint http://127.0.0.1:8890/sparql"


def duration(text: str) -> Literal:
    return Literal(text, datatype=XSD.duration)


A, B, LAP = duration("P1DT4.48S"), duration("P1DT4.521S"), duration("PT1M35.964S")
ROUNDED = duration("P1DT4.5S")  # how the server answers A and B
RESULT_A, RESULT_B = URIRef("urn:x:result-a"), URIRef("urn:x:result-b")
PAIRS = DurationPairs.of(WHERE, [(ROUNDED, A), (ROUNDED, B), (LAP, LAP)])


def test_a_duration_only_one_written_one_comes_back_as_is_restored() -> None:
    assert PAIRS.restore(LAP) == LAP


def test_a_duration_two_written_ones_come_back_as_is_ambiguous() -> None:
    restored = PAIRS.restore(ROUNDED)
    assert isinstance(restored, Ambiguous) and restored == ROUNDED


def test_a_duration_the_knowledge_does_not_hold_is_refused() -> None:
    with pytest.raises(StoreError) as refused:
        PAIRS.restore(duration("PT2S"))
    assert refused.value.message == (
        f"{WHERE} keeps xsd:duration values only approximately (it answered PT2S), and kg "
        "knows no duration of the knowledge that it answers so (the query computed it, or "
        "an earlier kg pushed the knowledge): run kg push again, ask for the time in seconds "
        "instead (ms:lapTimeSeconds, ms:totalTimeSeconds, ...), or use another server"
    )


def test_the_rest_of_the_row_tells_two_durations_apart() -> None:
    answered = [(RESULT_A, PAIRS.restore(ROUNDED)), (RESULT_B, PAIRS.restore(ROUNDED))]
    # The same query over the files' graphs: every duration as written, in any order.
    witnesses = [(RESULT_B, B), (RESULT_A, A), (RESULT_A, A)]
    assert resolve(answered, witnesses, PAIRS) == [(RESULT_A, A), (RESULT_B, B)]


def test_rows_that_say_nothing_else_are_refused() -> None:
    answered = [(PAIRS.restore(ROUNDED),), (PAIRS.restore(ROUNDED),)]
    with pytest.raises(StoreError) as refused:
        resolve(answered, [(A,), (B,)], PAIRS)
    assert "2 durations of the knowledge come back so (P1DT4.48S, P1DT4.521S)" in (
        refused.value.message
    )


def test_other_values_match_as_values() -> None:
    # The merge answers a decimal as its value ("203"), the files' graphs as written.
    answered = [(Literal("203", datatype=XSD.decimal), PAIRS.restore(ROUNDED))]
    witnesses = [(Literal("203.0", datatype=XSD.decimal), B)]
    assert resolve(answered, witnesses, PAIRS) == [(Literal("203", datatype=XSD.decimal), B)]


def test_a_row_without_a_witness_is_refused() -> None:
    with pytest.raises(StoreError):
        resolve([(RESULT_A, PAIRS.restore(ROUNDED))], [(RESULT_B, B)], PAIRS)


def test_the_pairs_graph_holds_each_duration_once_as_value_and_as_written() -> None:
    merge = Graph()
    merge.add((RESULT_A, URIRef("urn:x:time"), A))
    merge.add((RESULT_B, URIRef("urn:x:time"), A))
    merge.add((RESULT_B, URIRef("urn:x:lap"), LAP))
    merge.add((RESULT_B, URIRef("urn:x:seconds"), Literal("95.964", datatype=XSD.decimal)))
    pairs = pairs_graph(merge)
    assert sorted(str(o) for o in pairs.objects(None, VALUE)) == ["P1DT4.48S", "PT1M35.964S"]
    written = set(pairs.objects(None, WRITTEN))
    exact = URIRef(EXACT_DATATYPE + DURATION)
    assert written == {Literal("P1DT4.48S", datatype=exact), Literal("PT1M35.964S", datatype=exact)}
    assert set(pairs_graph(merge)) == set(pairs)  # the same IRIs every time
