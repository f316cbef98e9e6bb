"""Durations that a server keeps only approximately (issue 19).

Virtuoso 7.2 holds an `xsd:duration` as a number of seconds and answers about six
significant digits of it: "PT23H59M3.365S" comes back as 86343.4 seconds, which
would be a wrong answer. kg finds this out rather than assuming it of a server's
name: `kg push` writes one known duration, PROBE_VALUE, into PROBE_GRAPH and reads
it back (every later read gets it with the manifest, in the same request). Where it
comes back otherwise:

- each file's graph holds its durations under kg's own datatype
  (kg.stores.terms.EXACT_DATATYPE), which the server keeps as written: exports,
  `--as-of` views and `GRAPH ?g` answers are exact;
- the merge (the default graph of a query over all graphs) holds them as
  durations, so that a query still compares and sorts them by value;
  DURATIONS_GRAPH beside it pairs each duration of the knowledge as the server
  answers it with its written form, and every duration in an answer is turned back
  into the form the files write (`DurationPairs.restore`);
- a duration that cannot be turned back (two durations of the knowledge that the
  server answers alike, or one the query computed, or one pushed by an earlier kg)
  is refused with an error naming the value and what to do (exit 3), never shown
  rounded.

The official results also give every time as exact decimal seconds beside its
duration (`ms:lapTimeSeconds`, `ms:totalTimeSeconds`, ...), which every server
keeps and which sort and average in SPARQL.

May import: kg.model, kg.stores.terms, kg.stores.base and kg.stores.sparql_results (types
only), rdflib and the standard library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.model.errors import StoreError
from kg.model.namespaces import new_graph
from kg.stores.terms import EXACT_DATATYPE

if TYPE_CHECKING:
    from kg.stores.base import QueryResult
    from kg.stores.sparql_results import Restore

DURATION = str(XSD.duration)
# The probe: a duration with more significant digits than Virtuoso 7.2 answers.
PROBE_GRAPH = "urn:x-motorsport-kg:probes"
PROBE = "urn:x-motorsport-kg:probe-duration"
PROBE_VALUE = Literal("PT23H59M3.365S", datatype=XSD.duration)
# Each duration of the knowledge: as the server holds it (VALUE, a duration), and as
# the files write it (WRITTEN, under kg's own datatype, which the server keeps as is).
DURATIONS_GRAPH = "urn:x-motorsport-kg:durations-as-written"
VALUE = URIRef("urn:x-motorsport-kg:value")
WRITTEN = URIRef("urn:x-motorsport-kg:written")
_PAIR = "urn:x-motorsport-kg:duration:"

# Fixed texts: the IRIs are this module's constants.
PAIRS_QUERY = (
    "SELECT ?value ?written WHERE { ?pair <urn:x-motorsport-kg:value> ?value ; "
    "<urn:x-motorsport-kg:written> ?written }"
)
PROBE_QUERY = "SELECT ?probe WHERE { ?test <urn:x-motorsport-kg:probe-duration> ?probe }"


def probe_line() -> str:
    """The probe as one N-Triples line (the only triple of PROBE_GRAPH)."""
    return f"<{PROBE_GRAPH}> <{PROBE}> {PROBE_VALUE.n3()} .\n"


def is_duration(term: object) -> bool:
    return (
        isinstance(term, Literal) and term.datatype is not None and str(term.datatype) == DURATION
    )


def pairs_graph(merge: Graph) -> Graph:
    """DURATIONS_GRAPH for the knowledge whose merge is `merge`: each distinct duration
    once, as a value and as written (the first plain, the second under kg's datatype)."""
    pairs = new_graph()
    durations = {term for term in merge.objects() if is_duration(term)}
    for duration in sorted(durations, key=str):
        digest = hashlib.sha256(str(duration).encode("utf-8")).hexdigest()[:20]
        pair = URIRef(_PAIR + digest)
        pairs.add((pair, VALUE, duration))
        pairs.add(
            (pair, WRITTEN, Literal(str(duration), datatype=URIRef(EXACT_DATATYPE + DURATION)))
        )
    return pairs


class Ambiguous(Literal):
    """A duration as the server answered it, which several durations of the knowledge
    come back as: told apart by `resolve`, or refused."""

    __slots__ = ()


Row = tuple[Any, ...]


@dataclass(frozen=True)
class DurationPairs:
    """How a server that keeps durations approximately answers each duration of the
    knowledge, and how the files write it."""

    where: str  # the endpoint, for messages
    written: dict[Literal, frozenset[Literal]]
    answered: dict[Literal, Literal]  # each written duration, as the server answers it

    @classmethod
    def of(cls, where: str, rows: Iterable[tuple[object, object]]) -> DurationPairs:
        found: dict[Literal, set[Literal]] = {}
        answered: dict[Literal, Literal] = {}
        for value, written in rows:
            if is_duration(value) and is_duration(written):
                assert isinstance(value, Literal) and isinstance(written, Literal)
                found.setdefault(value, set()).add(written)
                answered[written] = value
        return cls(where, {key: frozenset(values) for key, values in found.items()}, answered)

    def restore(self, answered: Literal) -> Literal:
        """The written form of a duration as the server answered it; an `Ambiguous`
        when several durations come back so; a StoreError when none does."""
        candidates = self.written.get(answered, frozenset())
        if len(candidates) == 1:
            return next(iter(candidates))
        if candidates:
            return Ambiguous(str(answered), datatype=answered.datatype)
        raise StoreError(
            f"{self._deviation(answered)}, and kg knows no duration of the knowledge that "
            "it answers so (the query computed it, or an earlier kg pushed the knowledge): "
            "run kg push again, ask for the time in seconds instead (ms:lapTimeSeconds, "
            "ms:totalTimeSeconds, ...), or use another server"
        )

    def refused(self, answered: Literal) -> StoreError:
        """The error for an ambiguous duration that `resolve` could not tell apart."""
        candidates = sorted(str(c) for c in self.written.get(answered, ()))
        shown = ", ".join(candidates[:3]) + (", ..." if len(candidates) > 3 else "")
        return StoreError(
            f"{self._deviation(answered)}, and {len(candidates)} durations of the knowledge "
            f"come back so ({shown}): kg cannot tell which one the answer holds; ask for the "
            "time in seconds instead (ms:lapTimeSeconds, ms:totalTimeSeconds, ...) or use "
            "another server"
        )

    def _deviation(self, answered: Literal) -> str:
        return f"{self.where} keeps xsd:duration values only approximately (it answered {answered})"

    def key(self, term: Any) -> Any:
        """A term as the server's answer over the merge would hold it: a duration as the
        server answers it, any other literal as its value."""
        if isinstance(term, Ambiguous) or not isinstance(term, Literal):
            return term
        if is_duration(term):
            return self.answered.get(term, term)
        from kg.stores.terms import canonical

        return canonical(term)


def has_ambiguous(rows: Iterable[Row]) -> bool:
    return any(isinstance(term, Ambiguous) for row in rows for term in row)


def resolve(rows: Sequence[Row], witnesses: Iterable[Row], pairs: DurationPairs) -> list[Row]:
    """`rows` with each ambiguous duration replaced by the written one that `witnesses`
    (the same query answered over the files' graphs, where every duration is held as
    written) give in a row that is otherwise the same; a StoreError where they give
    none or several."""
    by_key: dict[Row, list[Row]] = {}
    for witness in witnesses:
        if not has_ambiguous([witness]):
            by_key.setdefault(tuple(pairs.key(term) for term in witness), []).append(witness)
    resolved = []
    for row in rows:
        if not has_ambiguous([row]):
            resolved.append(row)
            continue
        matches = by_key.get(tuple(pairs.key(term) for term in row), [])
        terms = list(row)
        for position, term in enumerate(row):
            if isinstance(term, Ambiguous):
                found = {match[position] for match in matches}
                if len(found) != 1:
                    raise pairs.refused(Literal(str(term), datatype=term.datatype))
                terms[position] = next(iter(found))
        resolved.append(tuple(terms))
    return resolved


class _Server(Protocol):
    """What `ServerDurations` needs of kg.stores.sparql_store.SparqlStore."""

    @property
    def description(self) -> str: ...

    def _select_all(
        self, sparql: str, graphs: Sequence[str] | None, restore: Restore | None = None
    ) -> QueryResult: ...
    def _put(self, name: str, lines: Sequence[str]) -> None: ...
    def _over_the_files(self, text: str, kind: str, restore: Restore) -> list[Row]: ...


class ServerDurations:
    """What one store object knows of its server's durations: whether it keeps them
    (the probe; the server's, so it outlives the store's other caches) and the pairs
    of durations as answered and as written (read once per push seen)."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.keeps: bool | None = None  # None until the probe is read
        self.paired = False  # whether the manifest lists DURATIONS_GRAPH
        self._pairs: DurationPairs | None = None

    def forget(self) -> None:
        self._pairs = None

    def noted(self, probe: object) -> None:
        """The probe as the manifest's request read it."""
        if is_duration(probe):
            self.keeps = probe == PROBE_VALUE

    def restore(self, strict: bool = True) -> Restore | None:
        """How to turn back a duration in an answer, where the server needs it: `strict`
        refuses one that several durations come back as, else it stays `Ambiguous`
        for `told_apart`."""
        if self.keeps in (True, None):
            return None
        return self._restored_strictly if strict else self._restored

    def pairs(self) -> DurationPairs:
        if self._pairs is None:
            rows = []
            if self.paired:
                found = self._server._select_all(PAIRS_QUERY, [DURATIONS_GRAPH])
                rows = [(row[0], row[1]) for row in found.rows]
            self._pairs = DurationPairs.of(f"the {self._server.description}", rows)
        return self._pairs

    def _restored(self, answered: Literal) -> Literal:
        return self.pairs().restore(answered)

    def _restored_strictly(self, answered: Literal) -> Literal:
        restored = self._restored(answered)
        if isinstance(restored, Ambiguous):
            raise self.pairs().refused(answered)
        return restored

    def told_apart(self, text: str, kind: str, rows: Sequence[Row]) -> list[Row]:
        """`rows` (of a query over the merge) with their ambiguous durations told apart
        by the same query over the files' graphs, which hold every duration as written."""
        witnesses = self._server._over_the_files(text, kind, self._restored)
        return resolve(rows, witnesses, self.pairs())

    def probe(self) -> bool:
        """Whether the server keeps durations exactly: the probe, written before the
        first graph of the first push and read back (every read gets it with the
        manifest, in the same request)."""
        if self.keeps is None:
            found = self._server._select_all(PROBE_QUERY, [PROBE_GRAPH]).rows
            if not found:
                try:
                    self._server._put(PROBE_GRAPH, [probe_line()])
                except StoreError:
                    # Virtuoso 7.2 refuses a duration in INSERT DATA: the files' graphs
                    # then hold theirs as written, which it takes.
                    self.keeps = False
                    return False
                found = self._server._select_all(PROBE_QUERY, [PROBE_GRAPH]).rows
            self.keeps = bool(found) and found[0][0] == PROBE_VALUE
        return self.keeps
