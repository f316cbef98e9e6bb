"""Article claims that whole seasons of official results can check, beyond one car
in one race: who ran a programme's car where and when (ms:ProgrammeOperation), that
a programme's car raced at all (ms:ProgrammeStatusClaim "active"), a driver's first
season in a class (ms:rookieIn), teammates, the country a driver races for, a car
model raced before, a car model's maker, the event that comes next and when it starts.

Each verdict says what the official results show and how far they reach: the results
bundled begin with one season, so "from 2023" or "a rookie" can be corroborated only
as far back as they go, and a series they do not cover (the WEC) gets "cannot say".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from kg.answers.reconcile_base import ClaimNode
from kg.knowledge.project import Knowledge
from kg.model.namespaces import MS, MSV

# When each session started, and the series of each event's season.
SESSIONS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?session ?start WHERE { ?session ms:startTime ?start }
"""
SERIES_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?event ?series WHERE { ?event ms:season ?season . ?season ms:series ?series }
"""

# The claims: operations and status claims of programmes, and the statements whose
# property the results speak to (the property first: the importer writes thousands of
# statements of other properties). Official files are left out: they are the yardstick.
OPERATIONS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?claim ?s ?p ?o ?doc WHERE {
  ?claim a ?kind ; ms:programme ?s ; ?p ?o ; ms:statedIn ?doc .
}
"""
STATEMENTS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?claim ?s ?p ?o ?doc WHERE {
  VALUES ?p { ms:rookieIn ms:teammateOf ms:nationality ms:previouslyRaced
              ms:nextEvent ms:startDate ms:manufacturer }
  ?claim rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o ; ms:statedIn ?doc .
}
"""
_PROGRAMME_CLAIMS = (
    (MS.ProgrammeOperation, MS.operator),
    (MS.ProgrammeStatusClaim, MS.programmeStatus),
)
# Everything said of one node (a claim, a programme, a country, a driver, a time span).
ABOUT_QUERY = "SELECT ?p ?o WHERE { ?s ?p ?o }"
OFFICIAL_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?doc WHERE { ?doc a ms:ResultsFile }
"""


@dataclass(frozen=True)
class Race:
    """One official race entry."""

    entry: str
    doc: str
    event: str
    start: str  # ISO date-time of the race's start, as published
    racing_class: str
    model: str
    maker: str
    team: str
    number: str
    series: str
    drivers: frozenset[str]

    @property
    def year(self) -> str:
        return self.start[:4]

    @property
    def day(self) -> str:
        return self.start[:10]


@dataclass
class Claim:
    """One article claim of a kind the seasons can check."""

    iri: str
    subject: str
    prop: str
    value: Node
    doc: str
    at: str = ""
    start: str = ""
    until: str = ""
    published: str = ""

    @property
    def when(self) -> str:
        """The day the claim speaks of: its own time, else its source's earliest date."""
        return self.at or self.published


@dataclass
class Seasons:
    """The official race entries, and what the claims lean on."""

    races: list[Race]
    facts: dict[tuple[str, str], list[Node]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def fact(self, subject: str, prop: URIRef) -> list[Node]:
        return self.facts.get((subject, str(prop)), [])

    def label(self, iri: object) -> str:
        text = str(iri)
        return self.labels.get(text, text.rsplit("/", 1)[-1])

    def series_covered(self) -> set[str]:
        return {r.series for r in self.races if r.series}

    def years(self, series: str = "", racing_class: str = "") -> list[str]:
        """The seasons the results cover, for a series and class if given."""
        return sorted(
            {
                r.year
                for r in self.races
                if (not series or r.series == series)
                and (not racing_class or r.racing_class == racing_class)
            }
        )

    def event_label(self, race: Race) -> str:
        return self.label(race.event) if race.event else race.day

    def car_label(self, race: Race) -> str:
        number = f"#{race.number} " if race.number else ""
        return f"{number}{self.label(race.team)}".strip()


def load(
    knowledge: Knowledge,
    graphs: list[str],
    labels: dict[str, str],
    entries: Iterable[ClaimNode],
    kinds: dict[str, str],
) -> Seasons:
    """The official race entries of every bundled season (from the entries kg reconcile
    has read), and the series of their events."""
    starts = _pairs(knowledge, SESSIONS_QUERY, graphs)
    series = _pairs(knowledge, SERIES_QUERY, graphs)
    races = []
    for entry in entries:
        session = _text(entry.one(MS.session))
        if not entry.official or kinds.get(session) != str(MSV.Race) or session not in starts:
            continue
        event = _text(entry.one(MS.event))
        races.append(
            Race(
                entry=entry.iri,
                doc=entry.source,
                event=event,
                start=starts[session],
                racing_class=_text(entry.one(MS.racingClass)),
                model=_text(entry.one(MS.carModel)),
                maker=_text(entry.one(MS.manufacturer)),
                team=_text(entry.one(MS.entrant)),
                number=_text(entry.one(MS.carNumber)),
                series=series.get(event, ""),
                drivers=frozenset(entry.all(MS.driver)),
            )
        )
    return Seasons(sorted(races, key=lambda r: (r.start, r.entry)), {}, labels)


def _pairs(knowledge: Knowledge, query: str, graphs: list[str]) -> dict[str, str]:
    rows = knowledge.store.query(query, graphs=graphs).rows
    return {str(a): str(b) for a, b in rows if a is not None and b is not None}


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def claims(knowledge: Knowledge, graphs: list[str]) -> list[Claim]:
    """Every article claim of a kind the seasons can check, once each."""
    official = {str(row[0]) for row in knowledge.store.query(OFFICIAL_QUERY, graphs=graphs).rows}
    found: dict[tuple[str, str, str], Claim] = {}
    rows = [
        *(
            row
            for kind, prop in _PROGRAMME_CLAIMS
            for row in knowledge.store.query(
                OPERATIONS_QUERY, bindings={"kind": kind, "p": prop}, graphs=graphs
            ).rows
        ),
        *knowledge.store.query(STATEMENTS_QUERY, graphs=graphs).rows,
    ]
    for iri, subject, prop, value, doc in rows:
        if iri is None or subject is None or prop is None or value is None or doc is None:
            continue
        if str(doc) in official:
            continue
        key = (str(iri), str(prop), str(value))
        found.setdefault(key, Claim(str(iri), str(subject), str(prop), value, str(doc)))
    return sorted(found.values(), key=lambda c: (c.iri, c.prop, str(c.value)))


def add_facts(
    knowledge: Knowledge, graphs: list[str], seasons: Seasons, found: list[Claim]
) -> None:
    """What the claims lean on, read node by node: each claim's time and scope, its
    source's date, a programme's car and maker, a country's code, a driver's published
    countries, a time span's bounds."""
    nodes = {c.iri for c in found} | {c.doc for c in found} | {c.subject for c in found}
    nodes |= {str(c.value) for c in found if isinstance(c.value, URIRef)}
    for node in sorted(nodes):
        rows = knowledge.store.query(ABOUT_QUERY, bindings={"s": URIRef(node)}, graphs=graphs)
        for prop, value in rows.rows:
            if prop is not None and value is not None and str(prop) in _LEANED_ON:
                seasons.facts.setdefault((node, str(prop)), []).append(value)
    for claim in found:
        claim.at = _first_text(seasons.fact(claim.iri, MS.validAt))
        claim.start = _first_text(seasons.fact(claim.iri, MS.validFrom))
        claim.until = _first_text(seasons.fact(claim.iri, MS.validUntil))
        claim.published = _first_text(seasons.fact(claim.doc, MS.publishedNotBefore))


_LEANED_ON = {
    str(p)
    for p in (
        MS.carModel,
        MS.manufacturer,
        MS.series,
        MS.racingClass,
        MS.notBefore,
        MS.notAfter,
        MS.countryCode,
        MS.timeExpression,
        MS.validAt,
        MS.validFrom,
        MS.validUntil,
        MS.publishedNotBefore,
    )
}


def _first_text(values: list[Node]) -> str:
    return min((str(v) for v in values), default="")


Verdict = tuple[str, str, str, Race | None]  # verdict, official value, why, evidence
