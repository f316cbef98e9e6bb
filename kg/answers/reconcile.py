"""Reconciliation: what the official IMSA results say about what articles report.

For each claim of an article that official results can check (finishing
positions, laps down, line-ups, class winners, fastest laps), the verdict is
"corroborated", "contradicted" (both values and both sources are kept) or
"cannot say" (with the reason). Article entries are matched to the official
race entries of the same event: by car number when the article gives one,
otherwise by entrant, class, car model and make, and only when exactly one
official entry fits; an ambiguous match is reported, never guessed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.term import Node

from kg.knowledge.project import Knowledge
from kg.model.namespaces import MS, MSR, MSV, new_graph, shorten

CORROBORATED = "corroborated"
CONTRADICTED = "contradicted"
CANNOT_SAY = "cannot say"
VERDICTS = (CONTRADICTED, CANNOT_SAY, CORROBORATED)

REPORT = MSR["imsa-reconciliation-report"]

# Every triple of every node of one claim class, with whether its source is an
# official results file. One query per class keeps the logic in Python simple.
CLAIMS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?node ?p ?o ?doc ?official ?class WHERE {
  ?node a ?class ; ms:statedIn ?doc .
  ?node ?p ?o .
  BIND(EXISTS { ?doc a ms:ResultsFile } AS ?official)
}
"""

SESSION_KIND_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?session ?kind WHERE { ?session ms:sessionKind ?kind }
"""

LABEL_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?label WHERE {
  ?entity skos:prefLabel ?label . FILTER(langMatches(lang(?label), "en"))
}
"""


@dataclass(frozen=True)
class Check:
    """One value of one article claim, checked against the official results."""

    verdict: str
    claim: str
    subject: str
    checked_property: str
    reported: str
    official: str
    reported_source: str
    official_source: str
    official_claim: str
    entry_label: str
    explanation: str

    @property
    def key(self) -> str:
        text = f"{self.claim} {self.checked_property} {self.reported}"
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


@dataclass
class ClaimNode:
    """A claim node: its values by property, its sources, and whether it is official."""

    iri: str
    values: dict[str, set[Node]]
    sources: set[str]
    official: bool

    def one(self, prop: URIRef) -> Node | None:
        found = sorted(self.values.get(str(prop), set()), key=str)
        return found[0] if found else None

    def all(self, prop: URIRef) -> list[str]:
        return sorted(str(v) for v in self.values.get(str(prop), set()))

    @property
    def source(self) -> str:
        return sorted(self.sources)[0] if self.sources else ""


def _nodes(knowledge: Knowledge, cls: URIRef, graphs: Sequence[str]) -> dict[str, ClaimNode]:
    found: dict[str, ClaimNode] = {}
    result = knowledge.store.query(CLAIMS_QUERY, bindings={"class": cls}, graphs=graphs)
    for node, prop, value, doc, official, _ in result.rows:
        if node is None or prop is None or value is None:
            continue
        item = found.setdefault(
            str(node), ClaimNode(str(node), defaultdict(set), set(), official == Literal(True))
        )
        item.values[str(prop)].add(value)
        if doc is not None:
            item.sources.add(str(doc))
        if official == Literal(True):
            item.official = True
    return found


def _graphs(knowledge: Knowledge) -> list[str]:
    """The data graphs, without an earlier derived reconciliation."""
    return [g for g in knowledge.data_graphs if not g.endswith("/imsa/reconciliation")]


@dataclass(frozen=True)
class _Official:
    entries: dict[str, ClaimNode]
    results: dict[str, ClaimNode]  # by official entry IRI
    fastest: list[ClaimNode]


def reconcile(knowledge: Knowledge, event: str | None = None) -> list[Check]:
    """Every checkable article claim (about `event`, or any event) with its verdict."""
    graphs = _graphs(knowledge)
    entries = _nodes(knowledge, MS.Entry, graphs)
    results = _nodes(knowledge, MS.Result, graphs)
    fastest = _nodes(knowledge, MS.FastestLap, graphs)
    kinds = {
        str(row[0]): str(row[1])
        for row in knowledge.store.query(SESSION_KIND_QUERY, graphs=graphs).rows
    }
    labels = {
        str(row[0]): str(row[1]) for row in knowledge.store.query(LABEL_QUERY, graphs=graphs).rows
    }

    def is_race(node: ClaimNode) -> bool:
        session = node.one(MS.session)
        return session is not None and kinds.get(str(session)) == str(MSV.Race)

    official_entries = {k: v for k, v in entries.items() if v.official and is_race(v)}
    official = _Official(
        entries=official_entries,
        results={
            str(r.one(MS.entry)): r
            for r in results.values()
            if r.official and str(r.one(MS.entry)) in official_entries
        },
        fastest=[f for f in fastest.values() if f.official and is_race(f)],
    )
    checks: list[Check] = []
    for entry in sorted((e for e in entries.values() if not e.official), key=lambda e: e.iri):
        entry_event = entry.one(MS.event)
        if entry_event is None or (event is not None and str(entry_event) != event):
            continue
        claims_results = [
            r for r in results.values() if not r.official and str(r.one(MS.entry)) == entry.iri
        ]
        claims_fastest = [
            f for f in fastest.values() if not f.official and str(f.one(MS.entry)) == entry.iri
        ]
        checks.extend(_check_entry(entry, claims_results, claims_fastest, official, labels))
    return sorted(
        checks, key=lambda c: (c.entry_label, c.subject, c.checked_property, c.claim, c.reported)
    )


def _match(entry: ClaimNode, official: _Official) -> tuple[list[ClaimNode], str]:
    event = str(entry.one(MS.event))
    candidates = [e for e in official.entries.values() if str(e.one(MS.event)) == event]
    number = entry.one(MS.carNumber)
    if number is not None:
        return [e for e in candidates if e.one(MS.carNumber) == number], "car number"
    used = []
    for prop, official_prop in (
        (MS.entrant, MS.entrant),
        (MS.racingClass, MS.racingClass),
        (MS.carModel, MS.carModel),
        (MS.carMake, MS.manufacturer),
    ):
        wanted = entry.one(prop)
        if wanted is not None:
            candidates = [e for e in candidates if e.one(official_prop) == wanted]
            used.append(shorten(str(prop)))
    drivers = set(entry.all(MS.driver))
    if len(candidates) > 1 and drivers:
        narrowed = [e for e in candidates if drivers <= set(e.all(MS.driver))]
        if narrowed:
            candidates = narrowed
            used.append("ms:driver")
    return candidates, " + ".join(used) or "event only"


def _label(entry: ClaimNode, labels: dict[str, str]) -> str:
    number = entry.one(MS.carNumber)
    name = entry.one(MS.entrantName)
    if name is None:
        team = entry.one(MS.entrant)
        name = Literal(labels.get(str(team), shorten(str(team)))) if team is not None else None
    racing_class = entry.one(MS.racingClass)
    class_label = labels.get(str(racing_class), "") if racing_class is not None else ""
    parts = [f"#{number}" if number is not None else "", str(name or "")]
    text = " ".join(p for p in parts if p)
    return f"{text} ({class_label})" if class_label else text


def _check_entry(
    entry: ClaimNode,
    result_claims: list[ClaimNode],
    fastest_claims: list[ClaimNode],
    official: _Official,
    labels: dict[str, str],
) -> Iterable[Check]:
    matches, basis = _match(entry, official)

    def make(
        verdict: str,
        claim: ClaimNode,
        prop: URIRef,
        reported: str,
        value: str,
        against: ClaimNode | None,
        why: str,
        label: str,
    ) -> Check:
        return Check(
            verdict=verdict,
            claim=claim.iri,
            subject=entry.iri,
            checked_property=str(prop),
            reported=reported,
            official=value,
            reported_source=claim.source,
            official_source=against.source if against is not None else "",
            official_claim=against.iri if against is not None else "",
            entry_label=label,
            explanation=why,
        )

    checkable = _checkable(entry, result_claims, fastest_claims)
    if len(matches) != 1:
        why = (
            f"no official race entry of this event fits ({basis})"
            if not matches
            else "several official entries fit ("
            + ", ".join(_label(m, labels) for m in matches)
            + f") by {basis}; the article does not say which"
        )
        label = shorten(entry.iri)
        for claim, prop, reported in checkable:
            yield make(CANNOT_SAY, claim, prop, reported, "", None, why, label)
        return
    (match,) = matches
    label = _label(match, labels)
    result = official.results.get(match.iri)
    matched = _Matched(entry, match, result, labels, make, label)
    for claim, prop, reported in checkable:
        if prop == MS.driver:
            yield matched.driver(claim, prop, reported)
            continue
        if prop == MS.scope:
            yield _check_fastest(claim, match, official, labels, make, label)
            continue
        yield matched.result_value(claim, prop, reported)


def _checkable(
    entry: ClaimNode, result_claims: list[ClaimNode], fastest_claims: list[ClaimNode]
) -> list[tuple[ClaimNode, URIRef, str]]:
    """(claim, property, reported value) for every value the official results can check."""
    checkable: list[tuple[ClaimNode, URIRef, str]] = [
        (entry, MS.driver, shorten(d)) for d in entry.all(MS.driver)
    ]
    for claim in result_claims:
        for prop in (
            MS.position,
            MS.overallPosition,
            MS.classPosition,
            MS.lapsBehindClassWinner,
            MS.lapsCompleted,
        ):
            value = claim.one(prop)
            if value is not None:
                checkable.append((claim, prop, str(value)))
    for claim in fastest_claims:
        checkable.append((claim, MS.scope, shorten(str(claim.one(MS.scope) or ""))))
    return checkable


@dataclass(frozen=True)
class _Matched:
    """An article entry and the one official race entry it matches: what a check compares."""

    entry: ClaimNode
    match: ClaimNode
    result: ClaimNode | None  # the matched car's official result, if there is one
    labels: dict[str, str]
    make: Callable[..., Check]
    label: str

    def driver(self, claim: ClaimNode, prop: URIRef, reported: str) -> Check:
        """Whether a driver the article names is in the official line-up of the car."""
        lineup = self.match.all(MS.driver)
        names = ", ".join(self.labels.get(d, shorten(d)) for d in lineup)
        driver = next(d for d in self.entry.all(MS.driver) if shorten(d) == reported)
        if driver in lineup:
            return self.make(
                CORROBORATED,
                claim,
                prop,
                reported,
                names,
                self.match,
                "in the official line-up",
                self.label,
            )
        return self.make(
            CONTRADICTED,
            claim,
            prop,
            reported,
            names,
            self.match,
            "not in the official line-up",
            self.label,
        )

    def result_value(self, claim: ClaimNode, prop: URIRef, reported: str) -> Check:
        """A position or lap count the article reports, against the car's official result."""
        result = self.result
        if result is None:
            return self.make(
                CANNOT_SAY,
                claim,
                prop,
                reported,
                "",
                self.match,
                "the official results have no result for this car",
                self.label,
            )
        if prop == MS.position:
            return self.position(claim, prop, reported, result)
        official_value = result.one(prop)
        if official_value is None:
            return self.make(
                CANNOT_SAY,
                claim,
                prop,
                reported,
                "",
                result,
                "the official result does not give this value",
                self.label,
            )
        if str(official_value) == reported:
            return self.make(
                CORROBORATED,
                claim,
                prop,
                reported,
                str(official_value),
                result,
                "same value",
                self.label,
            )
        return self.make(
            CONTRADICTED,
            claim,
            prop,
            reported,
            str(official_value),
            result,
            "different value",
            self.label,
        )

    def position(self, claim: ClaimNode, prop: URIRef, reported: str, result: ClaimNode) -> Check:
        """A place the article gives, against both the overall and the class position."""
        overall = result.one(MS.overallPosition)
        in_class = result.one(MS.classPosition)
        # The article does not say whether the place is overall or in class.
        both = f"overall {overall}, class {in_class}"
        hits = [
            name
            for name, v in (("overall", overall), ("in class", in_class))
            if v is not None and str(v) == reported
        ]
        if hits:
            why = "matches the position " + " and ".join(hits)
            return self.make(CORROBORATED, claim, prop, reported, both, result, why, self.label)
        return self.make(
            CONTRADICTED,
            claim,
            prop,
            reported,
            both,
            result,
            "matches neither the overall nor the class position",
            self.label,
        )


def _check_fastest(
    claim: ClaimNode,
    match: ClaimNode,
    official: _Official,
    labels: dict[str, str],
    make: Callable[..., Check],
    label: str,
) -> Check:
    scope = claim.one(MS.scope)
    reported = shorten(str(scope)) if scope is not None else ""
    session = match.one(MS.session)
    if scope is None:
        return make(
            CANNOT_SAY,
            claim,
            MS.scope,
            reported,
            "",
            None,
            "the article does not say in which class the lap was fastest",
            label,
        )
    best = [
        f for f in official.fastest if f.one(MS.scope) == scope and f.one(MS.session) == session
    ]
    if not best:
        return make(
            CANNOT_SAY,
            claim,
            MS.scope,
            reported,
            "",
            None,
            "the official results name no fastest lap in that class",
            label,
        )
    holders = [official.entries.get(str(f.one(MS.entry))) for f in best]
    names = ", ".join(
        f"{_label(h, labels)} {f.one(MS.lapTime)}"
        for h, f in zip(holders, best, strict=True)
        if h is not None
    )
    driver_note = (
        "; the results do not say which driver set it" if claim.one(MS.driver) is not None else ""
    )
    if any(str(f.one(MS.entry)) == match.iri for f in best):
        held = next(f for f in best if str(f.one(MS.entry)) == match.iri)
        return make(
            CORROBORATED,
            claim,
            MS.scope,
            reported,
            names,
            held,
            "this car set the fastest lap of the class" + driver_note,
            label,
        )
    return make(
        CONTRADICTED,
        claim,
        MS.scope,
        reported,
        names,
        best[0],
        "another car set the fastest lap of the class",
        label,
    )


def reconciliation_for(knowledge: Knowledge, entity_iri: str) -> list[Check]:
    """The checks that concern one entity: a claim, the entry it is about, or a driver."""
    return [
        check
        for check in reconcile(knowledge)
        if entity_iri in (check.claim, check.subject)
        or (check.checked_property == str(MS.driver) and check.reported == shorten(entity_iri))
    ]


# --- Output ----------------------------------------------------------------------------


def as_text(checks: Sequence[Check]) -> str:
    """Two lines per check: the verdict with both values, then both sources."""
    lines = []
    for check in checks:
        official = check.official or "-"
        lines.append(
            f"{check.verdict.upper():<13} {check.entry_label}: {shorten(check.checked_property)} "
            f"reported {check.reported}, official {official} ({check.explanation})"
        )
        sources = f"reported in {shorten(check.reported_source)} ({shorten(check.claim)})"
        if check.official_source:
            sources += f"; official: {shorten(check.official_source)}"
        lines.append(f"{'':13} {sources}")
    counts = {v: sum(1 for c in checks if c.verdict == v) for v in VERDICTS}
    lines.append(
        f"{len(checks)} checks: {counts[CORROBORATED]} corroborated, "
        f"{counts[CONTRADICTED]} contradicted, {counts[CANNOT_SAY]} cannot say"
    )
    return "\n".join(lines) + "\n"


def as_turtle(checks: Sequence[Check], knowledge: Knowledge) -> str:
    """The checks as ms:Reconciliation claims of one derived ms:ReconciliationReport."""
    from kg.model.serialize import stable_turtle

    graph = new_graph()
    graph.add((REPORT, RDF.type, MS.ReconciliationReport))
    graph.add((REPORT, DCTERMS.language, Literal("en", datatype=XSD.language)))
    graph.add(
        (
            REPORT,
            MS.summary,
            Literal(
                "What the official IMSA results say about the claims of the articles "
                "(written by kg reconcile --write).",
                lang="en",
            ),
        )
    )
    dates = _official_dates(knowledge, {c.official_source for c in checks if c.official_source})
    if dates:
        graph.add((REPORT, MS.publishedNotBefore, Literal(max(dates), datatype=XSD.date)))
    graph.add(
        (
            REPORT,
            MS.publicationDateNote,
            Literal(
                "Derived from the sources it compares; it cannot predate the latest of them.",
                lang="en",
            ),
        )
    )
    for check in checks:
        node = MSR[f"reconciliation-{check.key}"]
        graph.add((node, RDF.type, MS.Reconciliation))
        graph.add((node, MS.statedIn, REPORT))
        graph.add((node, MS.checksClaim, URIRef(check.claim)))
        graph.add((node, MS.checkedProperty, URIRef(check.checked_property)))
        graph.add((node, MS.verdict, Literal(check.verdict)))
        graph.add((node, MS.reportedValue, Literal(check.reported)))
        graph.add((node, MS.entry, URIRef(check.subject)))
        if check.official:
            graph.add((node, MS.officialValue, Literal(check.official)))
        if check.official_claim:
            graph.add((node, MS.againstClaim, URIRef(check.official_claim)))
        graph.add((node, MS.description, Literal(check.explanation, lang="en")))
        for source in (check.reported_source, check.official_source):
            if source:
                graph.add((REPORT, PROV.wasDerivedFrom, URIRef(source)))
    return stable_turtle(graph)


def _official_dates(knowledge: Knowledge, documents: set[str]) -> list[str]:
    query = """
    PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
    SELECT ?doc ?date WHERE { ?doc ms:publishedNotBefore ?date }
    """
    dates: list[str] = []
    for doc in sorted(documents):
        rows = knowledge.store.query(query, bindings={"doc": URIRef(doc)}).rows
        dates.extend(str(row[1]) for row in rows if row[1] is not None)
    return dates


def write_reconciliation(checks: Sequence[Check], knowledge: Knowledge, path: Path) -> bool:
    from kg.model.fileio import write_atomically

    return write_atomically(path, as_turtle(checks, knowledge))


def reconciliation_section(checks: Sequence[Check]) -> str:
    """The checks as a section of `kg show` (empty when there are none)."""
    if not checks:
        return ""
    return "\nOfficial results (kg reconcile):\n" + as_text(checks)
