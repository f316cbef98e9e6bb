"""Generate a realistic synthetic motorsport knowledge graph for benchmarks.

The output has the shape of the real data/: an entity registry
(`entities.ttl`: series, classes, manufacturers, teams, drivers, circuits,
events, with identity only) and one file per source document under
`articles/`: race reports (entries, results, fastest laps, race-position
reports, incidents with time specs, quotes) and decision reports (decisions,
options, considerations, status reports, outcomes, roles), every fact a claim
node with `ms:statedIn` and `ms:evidence`, as docs/modelling.md describes.

Seeded and deterministic: the same size and seed give the same bytes.

    python benchmarks/generate.py --size 100k --out benchmarks/data/100k
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}

PREFIXES = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix msv: <https://w3id.org/motorsport-kg/vocab/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

"""

FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "Dries",
    "Elena",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jan",
    "Kai",
    "Lena",
    "Marco",
    "Nina",
    "Otto",
    "Paula",
    "Rene",
    "Sofia",
    "Tom",
    "Ugo",
    "Vera",
    "Wim",
    "Xenia",
    "Yann",
    "Zoe",
]
LAST = [
    "Adler",
    "Berger",
    "Costa",
    "Duval",
    "Eng",
    "Fischer",
    "Garcia",
    "Huber",
    "Ito",
    "Jensen",
    "Krohn",
    "Lopez",
    "Marsh",
    "Novak",
    "Olsen",
    "Petit",
    "Quinn",
    "Rast",
    "Silva",
    "Tanaka",
    "Udo",
    "Vanthoor",
    "Weber",
    "Xu",
    "Young",
    "Zanardi",
]
CIRCUITS = [
    "Daytona",
    "Sebring",
    "Le-Mans",
    "Spa",
    "Monza",
    "Imola",
    "Fuji",
    "Bahrain",
    "Austin",
    "Road-America",
    "Watkins-Glen",
    "Laguna-Seca",
    "Mosport",
    "Lime-Rock",
    "Long-Beach",
    "Portimao",
    "Interlagos",
    "Zandvoort",
    "Hockenheim",
    "Nurburgring",
]
COMPONENTS = [
    "Electronics",
    "SteeringWheel",
    "TowCable",
    "GearboxCooler",
    "RearBrakes",
    "Gearbox",
    "HybridSystem",
    "Suspension",
    "Tyres",
    "Engine",
]
INCIDENT_KINDS = ["TechnicalFailure", "Leak", "Tow", "Repair", "Collision", "Penalty"]
STATUSES = ["Classified", "NotClassified", "DidNotFinish", "DidNotStart", "Disqualified"]
CRITERIA = [
    "GridSlots",
    "CustomerSupportEffort",
    "TechnicalSupport",
    "SparePartsSupply",
    "LogisticsChain",
    "CustomerDemand",
    "FactoryPriority",
    "ProgrammeScale",
]
DECISION_STATUSES = ["Open", "UnderEvaluation", "Decided", "Dropped", "Deferred"]


@dataclass
class World:
    series: list[str]
    classes: list[str]
    manufacturers: list[str]
    teams: list[str]
    drivers: list[str]
    circuits: list[str]
    car_models: list[str]
    programmes: list[str]
    people: list[str]


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class Writer:
    """Turtle text and a running triple count."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.triples = 0

    def node(self, subject: str, *pairs: tuple[str, str | list[str]]) -> None:
        lines = []
        for predicate, value in pairs:
            values = value if isinstance(value, list) else [value]
            if not values:
                continue
            lines.append(f"    {predicate} {', '.join(values)}")
            self.triples += len(values)
        self.parts.append(f"{subject}\n" + " ;\n".join(lines) + " .\n\n")

    def text(self) -> str:
        return PREFIXES + "".join(self.parts)


def lit(text: str, lang: str = "en") -> str:
    return f'"{esc(text)}"@{lang}'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^xsd:{datatype}'


def make_world(rng: random.Random, scale: int) -> tuple[World, Writer]:
    w = Writer()
    series = ["imsa-weathertech-sportscar-championship", "fia-wec", "dtm", "elms", "asian-le-mans"]
    for s in series:
        w.node(f"msr:{s}", ("a", "ms:Series"), ("skos:prefLabel", lit(s.replace("-", " ").title())))
    classes = []
    for s in series:
        for c in ("gtp", "gtd-pro", "gtd", "lmp2", "hypercar", "lmgt3"):
            iri = f"{s}-{c}"
            classes.append(iri)
            w.node(
                f"msr:{iri}",
                ("a", "ms:RacingClass"),
                ("skos:prefLabel", lit(f"{c.upper()} ({s})")),
            )
    manufacturers = [f"maker-{i}" for i in range(12)]
    for m in manufacturers:
        w.node(f"msr:{m}", ("a", "ms:Manufacturer"), ("skos:prefLabel", lit(f"Maker {m[6:]}")))
    car_models = []
    for m in manufacturers:
        for k in range(3):
            iri = f"{m}-car-{k}"
            car_models.append(iri)
            w.node(
                f"msr:{iri}",
                ("a", "ms:CarModel"),
                ("skos:prefLabel", lit(f"Maker {m[6:]} Model {k}")),
            )
    team_count = max(8, min(400, scale // 2_500))
    teams = [f"team-{i}" for i in range(team_count)]
    for t in teams:
        w.node(f"msr:{t}", ("a", "ms:Team"), ("skos:prefLabel", lit(f"Team {t[5:]} Racing")))
    driver_count = max(20, min(5_000, scale // 200))
    drivers = []
    for i in range(driver_count):
        iri = f"driver-{i}"
        drivers.append(iri)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        w.node(f"msr:{iri}", ("a", "ms:Person"), ("skos:prefLabel", lit(name)))
    people = [f"official-{i}" for i in range(max(5, driver_count // 20))]
    for p in people:
        w.node(f"msr:{p}", ("a", "ms:Person"), ("skos:prefLabel", lit(f"Official {p[9:]}")))
    circuits = []
    for c in CIRCUITS:
        iri = f"circuit-{c.lower()}"
        circuits.append(iri)
        w.node(f"msr:{iri}", ("a", "ms:Circuit"), ("skos:prefLabel", lit(c.replace("-", " "))))
    programmes = [f"{m}-lmdh-programme" for m in manufacturers]
    for p in programmes:
        w.node(
            f"msr:{p}",
            ("a", "ms:Programme"),
            ("skos:prefLabel", lit(p.replace("-", " "))),
        )
    return (
        World(
            series, classes, manufacturers, teams, drivers, circuits, car_models, programmes, people
        ),
        w,
    )


def source_header(w: Writer, slug: str, year: int, month: int, title: str) -> str:
    doc = f"msr:article-{slug}"
    w.node(
        doc,
        ("a", "ms:NewsArticle"),
        ("ms:summary", lit(title)),
        ("dcterms:language", typed("en", "language")),
        ("ms:published", typed(f"{year}-{month:02d}", "gYearMonth")),
        ("ms:textFile", f'"sources/{slug}.txt"'),
    )
    return doc


def race_report(rng: random.Random, world: World, number: int) -> tuple[str, Writer]:
    w = Writer()
    year = 2015 + number % 10
    month = 1 + number % 12
    circuit = world.circuits[number % len(world.circuits)]
    series = world.series[number % len(world.series)]
    slug = f"{year}-{month:02d}-race-{number}"
    doc = source_header(w, slug, year, month, f"Race report {number} at {circuit}")
    event = f"msr:event-{number}"
    w.node(
        event,
        ("a", "ms:Event"),
        ("skos:prefLabel", lit(f"Race {number} at {circuit}")),
        ("ms:venue", f"msr:{circuit}"),
        ("ms:startDate", typed(f"{year}-{month:02d}-{1 + number % 27:02d}", "date")),
    )
    race = f"msr:event-{number}-race"
    w.node(
        race,
        ("a", "ms:Session"),
        ("ms:partOfEvent", event),
        ("ms:sessionKind", "msv:Race"),
        ("skos:prefLabel", lit(f"Race {number}, race session")),
    )
    series_classes = [c for c in world.classes if c.startswith(series)][:3]
    entries = []
    for car in range(rng.randint(18, 40)):
        entry = f"msr:event-{number}-entry-{car}"
        entries.append(entry)
        drivers = rng.sample(world.drivers, 3)
        w.node(
            entry,
            ("a", "ms:Entry"),
            ("ms:event", event),
            ("ms:carNumber", f'"{car + 1}"'),
            ("ms:entrant", f"msr:{rng.choice(world.teams)}"),
            ("ms:carModel", f"msr:{rng.choice(world.car_models)}"),
            ("ms:racingClass", f"msr:{rng.choice(series_classes)}"),
            ("ms:driver", [f"msr:{d}" for d in drivers]),
            ("ms:statedIn", doc),
            ("ms:evidence", lit(f"car #{car + 1}")),
        )
    order = list(entries)
    rng.shuffle(order)
    for position, entry in enumerate(order, start=1):
        status = "Classified" if position < len(order) - 3 else rng.choice(STATUSES)
        w.node(
            f"{entry}-result",
            ("a", "ms:Result"),
            ("ms:entry", entry),
            ("ms:session", race),
            ("ms:overallPosition", typed(position, "integer")),
            ("ms:lapsCompleted", typed(rng.randint(300, 800), "integer")),
            ("ms:resultStatus", f"msv:{status}"),
            ("ms:statedIn", doc),
            ("ms:evidence", lit(f"finished P{position}")),
        )
        # Lap-by-lap: the leader board at several race hours.
        for hour in range(1, 4):
            w.node(
                f"{entry}-position-h{hour}",
                ("a", "ms:RacePositionReport"),
                ("ms:entry", entry),
                ("ms:position", typed(rng.randint(1, len(entries)), "integer")),
                ("ms:positionDescription", lit(f"after hour {hour}")),
                ("ms:statedIn", doc),
                ("ms:evidence", lit(f"after {hour} hours")),
            )
    for lap in range(3):
        entry = rng.choice(entries)
        w.node(
            f"msr:event-{number}-fastest-lap-{lap}",
            ("a", "ms:FastestLap"),
            ("ms:entry", entry),
            ("ms:session", race),
            (
                "ms:lapTime",
                typed(f"PT1M{30 + rng.randint(0, 29)}.{rng.randint(100, 999)}S", "duration"),
            ),
            ("ms:lapNumber", typed(rng.randint(1, 700), "integer")),
            ("ms:statedIn", doc),
            ("ms:evidence", lit("fastest lap of the race")),
        )
    for k in range(rng.randint(3, 8)):
        entry = rng.choice(entries)
        when = f"msr:event-{number}-incident-{k}-time"
        w.node(
            when,
            ("a", "ms:TimeSpec"),
            ("ms:notBefore", typed(f"{year}-{month:02d}-02T0{k % 9}:00:00-05:00", "dateTime")),
            ("ms:notAfter", typed(f"{year}-{month:02d}-02T0{k % 9}:59:00-05:00", "dateTime")),
            ("ms:timeExpression", lit(f"around {k} a.m.")),
        )
        w.node(
            f"msr:event-{number}-incident-{k}",
            ("a", "ms:Incident"),
            ("ms:entry", entry),
            ("ms:incidentKind", f"msv:{rng.choice(INCIDENT_KINDS)}"),
            ("ms:component", f"msv:{rng.choice(COMPONENTS)}"),
            ("ms:occurredAt", when),
            ("ms:costLaps", typed(rng.randint(0, 20), "integer")),
            ("ms:consequence", lit("lost time in the pits")),
            ("ms:statedIn", doc),
            ("ms:evidence", lit(f"a problem with car {k}")),
        )
    speaker = rng.choice(world.drivers)
    w.node(
        f"msr:event-{number}-quote",
        ("a", "ms:Quote"),
        ("ms:speaker", f"msr:{speaker}"),
        ("ms:quoteText", lit("We learnt a lot this weekend.")),
        ("ms:about", event),
        ("ms:statedIn", doc),
        ("ms:evidence", lit("We learnt a lot this weekend.")),
    )
    return slug, w


def decision_report(rng: random.Random, world: World, number: int) -> tuple[str, Writer]:
    w = Writer()
    year = 2018 + number % 7
    month = 1 + number % 12
    slug = f"{year}-{month:02d}-decision-{number}"
    doc = source_header(w, slug, year, month, f"Decision report {number}")
    maker = rng.choice(world.manufacturers)
    programme = f"msr:{maker}-lmdh-programme"
    person = f"msr:{rng.choice(world.people)}"
    role = f"msr:decision-{number}-role"
    w.node(
        role,
        ("a", "ms:Role"),
        ("ms:person", person),
        ("ms:organisation", f"msr:{maker}"),
        ("ms:roleKind", "msv:MotorsportDirector"),
        ("ms:validAt", typed(f"{year}-{month:02d}", "gYearMonth")),
        ("ms:statedIn", doc),
        ("ms:evidence", lit("Motorsport Director")),
    )
    decision = f"msr:decision-{number}"
    options = [f"{decision}-option-{k}" for k in range(2)]
    w.node(
        decision,
        ("a", "ms:Decision"),
        ("skos:prefLabel", lit(f"Decision {number}: customer cars?")),
        ("ms:question", lit("Will customer teams get the car?")),
        ("ms:owner", f"msr:{maker}"),
        ("ms:ownerPost", role),
        ("ms:option", options),
        ("ms:concerns", programme),
    )
    for k, option in enumerate(options):
        w.node(option, ("a", "ms:Option"), ("skos:prefLabel", lit(f"Option {k}")))
    for k in range(rng.randint(2, 6)):
        w.node(
            f"{decision}-consideration-{k}",
            ("a", "ms:Consideration"),
            ("ms:decision", decision),
            ("ms:criterion", f"msv:{rng.choice(CRITERIA)}"),
            ("ms:description", lit(f"Consideration {k}")),
            ("ms:statedIn", doc),
            ("ms:evidence", lit(f"the point {k}")),
        )
    expected = f"{decision}-expected-time"
    w.node(
        expected,
        ("a", "ms:TimeSpec"),
        ("ms:notBefore", typed(f"{year}-09-01", "date")),
        ("ms:notAfter", typed(f"{year}-12-31", "date")),
        ("ms:timeExpression", lit(f"towards the end of {year}")),
    )
    w.node(
        f"{decision}-status",
        ("a", "ms:StatusReport"),
        ("ms:decision", decision),
        ("ms:decisionStatus", f"msv:{rng.choice(DECISION_STATUSES)}"),
        ("ms:validAt", typed(f"{year}-{month:02d}", "gYearMonth")),
        ("ms:expectedTime", expected),
        ("ms:statedIn", doc),
        ("ms:evidence", lit("a decision is expected")),
    )
    if rng.random() < 0.3:
        w.node(
            f"{decision}-outcome",
            ("a", "ms:Outcome"),
            ("ms:decision", decision),
            ("ms:chosenOption", options[0]),
            ("ms:description", lit("Decided for option 0")),
            ("ms:statedIn", doc),
            ("ms:evidence", lit("it has been decided")),
        )
    w.node(
        f"{decision}-quote",
        ("a", "ms:Quote"),
        ("ms:speaker", person),
        ("ms:quoteText", lit("We are evaluating all options.")),
        ("ms:about", decision),
        ("ms:statedIn", doc),
        ("ms:evidence", lit("We are evaluating all options.")),
    )
    return slug, w


def sources(rng: random.Random, world: World) -> Iterator[tuple[str, Writer]]:
    number = 0
    while True:
        if number % 5 == 4:
            yield decision_report(rng, world, number)
        else:
            yield race_report(rng, world, number)
        number += 1


def generate(target_triples: int, out: Path, seed: int = 7) -> int:
    """Write about `target_triples` triples under `out`; returns the exact count."""
    rng = random.Random(seed)
    world, registry = make_world(rng, target_triples)
    articles = out / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    texts = out / "sources"
    texts.mkdir(parents=True, exist_ok=True)
    for old in [*articles.glob("*.ttl"), *texts.glob("*.txt")]:
        old.unlink()
    (out / "entities.ttl").write_text(registry.text(), encoding="utf-8")
    total = registry.triples
    for slug, writer in sources(rng, world):
        if total >= target_triples:
            break
        text = writer.text()
        (articles / f"{slug}.ttl").write_text(text, encoding="utf-8")
        # The article's text holds every span its claims quote (kg validate checks it).
        (texts / f"{slug}.txt").write_text(source_text(text), encoding="utf-8")
        total += writer.triples
    return total


SPAN = re.compile(r'ms:(?:evidence|quoteText) "((?:[^"\\]|\\.)*)"@')


def source_text(turtle: str) -> str:
    """A stand-in article text: each quoted span once, a sentence a line."""
    spans = dict.fromkeys(
        match.group(1).replace('\\"', '"').replace("\\\\", "\\") for match in SPAN.finditer(turtle)
    )
    return "".join(f"{span}.\n" for span in spans)


def parse_size(text: str) -> int:
    key = text.lower()
    if key in SIZES:
        return SIZES[key]
    try:
        return int(key)
    except ValueError:
        raise SystemExit(
            f"unknown size {text!r}: use one of {', '.join(SIZES)} or a number"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help=f"one of {', '.join(SIZES)} or a number")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    count = generate(parse_size(args.size), args.out, args.seed)
    print(f"wrote {count} triples to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
