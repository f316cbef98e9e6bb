"""Reconciliation: what the official IMSA results say about what articles report.

For each claim of an article that official results can check (finishing
positions, laps down, line-ups, class winners, fastest laps), the verdict is
"corroborated", "contradicted" (both values and both sources are kept),
"differs" (the official value is another, but the claim leaves open what it
measures: "15 laps behind" without saying behind whom or when) or "cannot
say" (with the reason). Article entries are matched to the official
race entries of the same event: by car number when the article gives one,
otherwise by entrant, class, car model and make, and only when exactly one
official entry fits; an ambiguous match is reported, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef

from kg.answers.reconcile_base import (
    CANNOT_SAY,
    CONTRADICTED,
    CORROBORATED,
    DIFFERS,
    Check,
    ClaimNode,
)
from kg.knowledge.project import Knowledge
from kg.model.namespaces import MS, MSR, MSV, expand, shorten
from kg.model.wording import literal_text

REPORT = MSR["imsa-reconciliation-report"]
REPORT_TITLE = "Articles checked against the official IMSA results (kg reconcile)"
REPORT_TITLE_DE = "Artikel, geprüft an den offiziellen IMSA-Ergebnissen (kg reconcile)"

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
    derived = ("/imsa/reconciliation", "/imsa/reconciliation-seasons")
    return [g for g in knowledge.data_graphs if not g.endswith(derived)]


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
    reports = _nodes(knowledge, MS.RacePositionReport, graphs)
    kinds = {
        str(row[0]): str(row[1])
        for row in knowledge.store.query(SESSION_KIND_QUERY, graphs=graphs).rows
    }
    # Over every graph: a reported value may be a term of the vocabularies.
    labels = {str(row[0]): str(row[1]) for row in knowledge.store.query(LABEL_QUERY).rows}

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
        claims_behind = [
            r
            for r in reports.values()
            if not r.official
            and str(r.one(MS.entry)) == entry.iri
            and r.one(MS.lapsBehind) is not None
        ]
        checks.extend(
            _check_entry(entry, [*claims_results, *claims_behind], claims_fastest, official, labels)
        )
    from kg.answers.reconcile_season_rules import check_seasons

    # Claims about programmes, drivers and events, checked against whole seasons;
    # with an event given, those about the event itself.
    season_checks = check_seasons(knowledge, graphs, labels, entries.values(), kinds)
    checks.extend(c for c in season_checks if event is None or c.subject == event)
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
            # A driver or class the article names: shown by name, not IRI.
            named = labels.get(expand(reported) or reported, reported)
            yield make(CANNOT_SAY, claim, prop, named, "", None, why, label)
        return
    (match,) = matches
    label = _label(match, labels)
    result = official.results.get(match.iri)
    matched = _Matched(entry, match, result, labels, make, label)
    for claim, prop, reported in checkable:
        if prop == MS.lapsBehind:
            yield matched.laps_behind(claim, prop, reported, official)
            continue
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
            MS.lapsBehind,
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
        # The reported value is what a reader sees: the driver's name, not an IRI.
        reported = self.labels.get(driver, reported)
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

    def laps_behind(
        self, claim: ClaimNode, prop: URIRef, reported: str, official: _Official
    ) -> Check:
        """Laps behind that the article gives without saying behind whom or when.

        Compared with the car's official deficit to its class winner at the finish:
        the same number is corroborated; another one differs (it may have been
        counted at another time, or against another car) but does not contradict.
        A car of the same team that finished that many laps down is named, since the
        article's number may be about it.
        """
        result = self.result
        finished = result.one(MS.lapsBehindClassWinner) if result is not None else None
        if result is None or finished is None:
            why = "the official results do not say how many laps behind this car finished"
            return self.make(CANNOT_SAY, claim, prop, reported, "", result, why, self.label)
        if str(finished) == reported:
            why = f"finished {finished} laps behind the class winner"
            return self.make(
                CORROBORATED, claim, prop, reported, str(finished), result, why, self.label
            )
        others = [
            _label(other, self.labels)
            for other in sorted(official.entries.values(), key=lambda e: e.iri)
            if other.iri != self.match.iri
            and other.one(MS.event) == self.match.one(MS.event)
            and other.one(MS.entrant) == self.match.one(MS.entrant)
            and (other_result := official.results.get(other.iri)) is not None
            and str(other_result.one(MS.lapsBehindClassWinner)) == reported
        ]
        why = (
            f"finished {finished} laps behind the class winner; the article does not say "
            "behind whom or when it counted"
        )
        if others:
            why += (
                f"; {', '.join(others)} of the same team finished {reported} laps down, "
                "so the article's number may be about that car"
            )
        return self.make(DIFFERS, claim, prop, reported, str(finished), result, why, self.label)

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
    reported = labels.get(str(scope), shorten(str(scope))) if scope is not None else ""
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
        f"{_label(h, labels)}, {literal_text(f.one(MS.lapTime))}"
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
