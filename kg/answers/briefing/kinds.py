"""The sections of a briefing for each kind of entity, in order of importance.

A person: profile, roles, races (result and what happened to the car), quotes, what
the sources say. A team: programmes, entries, quotes. A manufacturer: decisions,
programmes, cars, people, results. An event: date, podium of each class, the entries
the sources talk about. A car entry: crew, result, the race in time order, checks.
A decision: question, status, reports, options, considerations. Anything else: its
facts, each once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.answers.briefing.context import Context
from kg.answers.briefing.facts import (
    claim_line,
    claim_status_line,
    described_line,
    fact_line,
    operation_line,
    quote_line,
    result_text,
    role_lines,
    status_line,
)
from kg.answers.briefing.model import Line, Section
from kg.answers.briefing.podiums import podiums, session_sources
from kg.answers.briefing.races import groups, race_line
from kg.answers.briefing.seasons import seasons_of
from kg.answers.briefing.when import time_words
from kg.answers.briefing.words import words
from kg.model.namespaces import MS

Composer = Callable[[Context, URIRef, "Options"], list[Section]]

# Properties that are identity or bookkeeping, not facts a briefing states.
_NOT_FACTS = {
    RDF.type,
    SKOS.prefLabel,
    SKOS.altLabel,
    RDFS.label,
    MS.statedIn,
    MS.evidence,
    MS.imsaDriverId,
    MS.summary,
    DCTERMS.title,
}


# Properties whose statement is as true read from its object's side.
_BOTH_WAYS = {MS.teammateOf}


class Options:
    """What the reader asked for: every official row (--all), the day to judge on."""

    def __init__(self, show_all: bool, today: date, decisions: Sequence[object] = ()) -> None:
        self.show_all = show_all
        self.today = today
        self.decisions = decisions


def _section(ctx: Context, key: str, lines: list[Line], note: str = "") -> list[Section]:
    if not lines:
        return []
    return [Section(key, words(ctx.lang)[key], tuple(lines), note)]


def _by_time(lines: list[Line]) -> list[Line]:
    return lines


def profile(ctx: Context, entity: URIRef) -> list[Line]:
    """The plain facts about the entity (out-going), each once with its sources."""
    lines = []
    for prop, value in sorted(
        ctx.graph.predicate_objects(entity), key=lambda pv: (str(pv[0]), str(pv[1]))
    ):
        if prop in _NOT_FACTS or not isinstance(prop, URIRef):
            continue
        lines.append(fact_line(ctx, entity, prop, value))
    # Facts recorded only by statements (official per-driver rows).
    for statement in sorted(ctx.graph.subjects(RDF.subject, entity), key=str):
        said, stated = ctx.one(statement, RDF.predicate), ctx.one(statement, RDF.object)
        if not isinstance(said, URIRef) or stated is None or said in _NOT_FACTS:
            continue
        if (entity, said, stated) not in ctx.graph:
            lines.append(fact_line(ctx, entity, said, stated))
    # Facts that name the entity as their value and read the same both ways ("teammate
    # of"): said from the entity's side.
    for statement in sorted(ctx.graph.subjects(RDF.object, entity), key=str):
        said, other = ctx.one(statement, RDF.predicate), ctx.one(statement, RDF.subject)
        if said in _BOTH_WAYS and other is not None and isinstance(said, URIRef):
            line = fact_line(ctx, other, said, entity)
            text = fact_line(ctx, entity, said, other).text
            lines.append(dataclasses.replace(line, text=text))
    unique: dict[str, Line] = {}
    for line in lines:
        unique.setdefault(line.text, line)
    return list(unique.values())


def quotes(ctx: Context, quotes_found: list[URIRef]) -> list[Line]:
    ordered = sorted(
        set(quotes_found), key=lambda q: (min(ctx.cite(ctx.sources_of(q)) or (0,)), str(q))
    )
    return [quote_line(ctx, q) for q in ordered]


def said_about(ctx: Context, entity: URIRef, exclude: set[URIRef] = frozenset()) -> list[Line]:  # type: ignore[assignment]
    """Assessments and other described claims about the entity."""
    claims = [
        c for c in ctx.pointing(MS.about, entity) if not ctx.is_a(c, MS.Quote) and c not in exclude
    ]
    return [described_line(ctx, c) for c in claims]


def _races(ctx: Context, entries: list[URIRef], with_event: bool = True) -> list[Line]:
    return [race_line(ctx, group, with_event) for group in groups(ctx, entries)]


def person(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    entries = ctx.pointing(MS.driver, entity, MS.Entry)
    roles = role_lines(ctx, ctx.pointing(MS.person, entity, MS.Role), with_person=False)
    spoken = ctx.pointing(MS.speaker, entity, MS.Quote)
    reported_speech = [
        c
        for c in ctx.pointing(MS.attributedTo, entity)
        if not ctx.is_a(c, MS.Quote) and not ctx.is_a(c, MS.StatusReport)
    ]
    statuses = [
        status_line(ctx, s, with_decision=True)
        for s in ctx.pointing(MS.attributedTo, entity, MS.StatusReport)
    ]
    positions = [
        p
        for p in ctx.pointing(MS.driver, entity, MS.RacePositionReport)
        if ctx.one(p, MS.entry) is None
    ]
    from kg.answers.briefing.facts import position_line

    said = [described_line(ctx, c) for c in reported_speech] + statuses
    said += said_about(ctx, entity, set(reported_speech))
    said += [position_line(ctx, p) for p in positions]
    seasons, listed, note = seasons_of(ctx, entries, options.show_all)
    return [
        *_section(ctx, "profile", profile(ctx, entity)),
        *_section(ctx, "roles", roles),
        *_section(ctx, "seasons", seasons, note),
        *_section(ctx, "races", _races(ctx, listed)),
        *_section(ctx, "quotes", quotes(ctx, spoken)),
        *_section(ctx, "said about", said),
    ]


def team(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    operations = [
        operation_line(ctx, o) for o in ctx.pointing(MS.operator, entity, MS.ProgrammeOperation)
    ]
    entries = ctx.pointing(MS.entrant, entity, MS.Entry)
    seasons, listed, note = seasons_of(ctx, entries, options.show_all)
    return [
        *_section(ctx, "profile", profile(ctx, entity)),
        *_section(ctx, "programmes", operations),
        *_section(ctx, "seasons", seasons, note),
        *_section(ctx, "entries", _races(ctx, listed)),
        *_section(ctx, "quotes", quotes(ctx, ctx.pointing(MS.about, entity, MS.Quote))),
        *_section(ctx, "said about", said_about(ctx, entity)),
    ]


def _decision_lines(ctx: Context, decisions: list[URIRef], options: Options) -> list[Line]:
    """Each decision with its current status, expected time and overdue flag."""
    w = words(ctx.lang)
    known = {getattr(d, "iri", ""): d for d in options.decisions}
    lines = []
    for decision in decisions:
        judged = known.get(str(decision))
        reports = ctx.pointing(MS.decision, decision, MS.StatusReport)
        latest = [status_line(ctx, r) for r in reports]
        parts = [ctx.label(decision)]
        cites: list[int] = []
        for line in latest:
            cites += line.cites
        if judged is not None:
            status = getattr(judged, "status", None)
            if status is not None:
                parts.append(status.label)
            expected = getattr(judged, "expected", None)
            if expected is not None:
                report = next((r for r in reports if ctx.one(r, MS.expectedTime) is not None), None)
                if report is not None:
                    parts.append(
                        w["expected"].format(t=time_words(ctx, ctx.one(report, MS.expectedTime)))
                    )
            if getattr(judged, "overdue", False):
                parts.append(w["overdue"])
                if expected is not None and expected.latest is not None:
                    from kg.answers.briefing.when import day_words

                    parts[-1] += " " + w["overdue since"].format(
                        d=day_words(expected.latest, ctx.lang)
                    )
        lines.append(
            Line(
                ": ".join(parts[:2]) + "".join(f"; {p}" for p in parts[2:]),
                tuple(sorted(set(cites))),
                str(decision),
            )
        )
    return lines


def manufacturer(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    decisions = ctx.pointing(MS.owner, entity, MS.Decision)
    programmes = ctx.pointing(MS.manufacturer, entity, MS.Programme)
    cars = ctx.pointing(MS.manufacturer, entity, MS.CarModel)
    entries = set(ctx.pointing(MS.manufacturer, entity, MS.Entry))
    for car in cars:
        entries |= set(ctx.pointing(MS.carModel, car, MS.Entry))
    people = role_lines(ctx, ctx.pointing(MS.organisation, entity, MS.Role))
    seasons, listed, note = seasons_of(ctx, sorted(entries, key=str), options.show_all)
    return [
        *_section(ctx, "decisions", _decision_lines(ctx, decisions, options)),
        *_section(ctx, "programmes", [_programme_line(ctx, p) for p in programmes]),
        *_section(
            ctx,
            "cars",
            [
                Line(
                    ctx.label(c), ctx.cite(ctx.sources_of_fact(c, MS.manufacturer, entity)), str(c)
                )
                for c in cars
            ],
        ),
        *_section(ctx, "people", people),
        *_section(ctx, "seasons", seasons, note),
        *_section(ctx, "results", _races(ctx, listed)),
        *_section(ctx, "quotes", quotes(ctx, ctx.pointing(MS.about, entity, MS.Quote))),
        *_section(ctx, "said about", said_about(ctx, entity)),
    ]


def _programme_line(ctx: Context, programme: URIRef) -> Line:
    facts = profile(ctx, programme)
    cites = sorted({c for f in facts for c in f.cites})
    details = [
        operation_line(ctx, o) for o in ctx.pointing(MS.programme, programme, MS.ProgrammeOperation)
    ]
    details += [
        claim_status_line(ctx, c)
        for c in ctx.pointing(MS.programme, programme)
        if ctx.is_a(c, MS.ProgrammeStatusClaim) or ctx.is_a(c, MS.CustomerPolicyClaim)
    ]
    summary = ", ".join(f.text for f in facts if not f.text.startswith(("Made by", "Hersteller")))
    text = ctx.label(programme) + (f" ({summary})" if summary else "")
    return Line(text, tuple(cites), str(programme), details=tuple(details))


def programme(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    operations = [
        operation_line(ctx, o) for o in ctx.pointing(MS.programme, entity, MS.ProgrammeOperation)
    ]
    status = [
        claim_status_line(ctx, c)
        for c in ctx.pointing(MS.programme, entity)
        if ctx.is_a(c, MS.ProgrammeStatusClaim) or ctx.is_a(c, MS.CustomerPolicyClaim)
    ]
    decisions = ctx.pointing(MS.concerns, entity, MS.Decision)
    return [
        *_section(ctx, "profile", profile(ctx, entity)),
        *_section(ctx, "status", status),
        *_section(ctx, "operations", operations),
        *_section(ctx, "decisions", _decision_lines(ctx, decisions, options)),
        *_section(ctx, "quotes", quotes(ctx, ctx.pointing(MS.about, entity, MS.Quote))),
        *_section(ctx, "said about", said_about(ctx, entity)),
    ]


def car_model(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    """A car: its facts, the programmes that use it, and its seasons in the official
    results (every team's entries of it, counted; --all lists every race)."""
    programmes = [_programme_line(ctx, p) for p in ctx.pointing(MS.carModel, entity, MS.Programme)]
    entries = ctx.pointing(MS.carModel, entity, MS.Entry)
    seasons, listed, note = seasons_of(ctx, entries, options.show_all)
    return [
        *_section(ctx, "profile", profile(ctx, entity)),
        *_section(ctx, "programmes", programmes),
        *_section(ctx, "seasons", seasons, note),
        *_section(ctx, "entries", _races(ctx, listed)),
        *_section(ctx, "quotes", quotes(ctx, ctx.pointing(MS.about, entity, MS.Quote))),
        *_section(ctx, "said about", said_about(ctx, entity)),
    ]


def event(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    w = words(ctx.lang)
    facts = profile(ctx, entity)
    for session in ctx.pointing(MS.partOfEvent, entity, MS.Session):
        start = ctx.one(session, MS.startTime)
        if start is not None:
            facts.insert(
                0,
                Line(
                    w["session starts"].format(
                        session=ctx.label(session), t=time_words(ctx, start)
                    ),
                    ctx.cite(
                        ctx.sources_of_fact(session, MS.startTime, start)
                        or session_sources(ctx, session)
                    ),
                    str(session),
                ),
            )
    entries = ctx.pointing(MS.event, entity, MS.Entry)
    official = [e for e in entries if any(ctx.is_official(s) for s in ctx.sources_of(e))]
    reported = [e for e in entries if e not in official]
    talked: set[URIRef] = set()
    from kg.answers.briefing.races import twins

    for entry in reported:
        talked |= twins(ctx, entry)
    podium_lines, classes = podiums(ctx, official)
    note = ""
    sections = [
        *_section(ctx, "when where", facts),
        *_section(ctx, "podiums", podium_lines),
        *_section(ctx, "talked about", _races(ctx, sorted(talked, key=str), with_event=False)),
    ]
    if official:
        note = w["summary bulk"].format(n=len(official), k=classes)
        if options.show_all:
            sections += _section(ctx, "all results", _races(ctx, official, with_event=False))
        elif sections and sections[0].key == "when where":
            pass
    sections += [
        *_section(ctx, "quotes", quotes(ctx, ctx.pointing(MS.about, entity, MS.Quote))),
        *_section(ctx, "said about", said_about(ctx, entity)),
    ]
    if note and not options.show_all:
        sections = [
            Section(s.key, s.title, s.lines, note) if s.key == "podiums" else s for s in sections
        ]
    return sections


def entry(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    from kg.answers.briefing.races import race_details, twins

    w = words(ctx.lang)
    group = tuple(
        sorted(
            twins(ctx, entity),
            key=lambda e: (not any(ctx.is_official(s) for s in ctx.sources_of(e)), str(e)),
        )
    )
    crew = []
    event_node = ctx.one(entity, MS.event)
    if event_node is not None:
        crew.append(
            Line(
                w["event"].format(what=ctx.label(event_node)),
                ctx.cite(ctx.sources_of(entity)),
                str(event_node),
            )
        )
    for member in group:
        cites = ctx.cite(ctx.sources_of(member))
        parts = []
        model = ctx.one(member, MS.carModel)
        if model is not None:
            parts.append(w["car"].format(what=ctx.label(model)))
        entrant = ctx.one(member, MS.entrant)
        if entrant is not None:
            name = ctx.text(member, MS.entrantName)
            shown = ctx.label(entrant) + (
                f" ({name})" if name and name != ctx.label(entrant) else ""
            )
            parts.append(w["entered by"].format(who=shown))
        racing_class = ctx.one(member, MS.racingClass)
        if racing_class is not None:
            parts.append(w["class"].format(what=ctx.label(racing_class)))
        drivers = ctx.all(member, MS.driver)
        if drivers:
            parts.append(w["drivers"].format(who=", ".join(sorted(ctx.label(d) for d in drivers))))
        tyres = ctx.one(member, MS.tyreSupplier)
        if tyres is not None:
            parts.append(w["tyres"].format(what=tyres))
        crew.append(Line("; ".join(parts), cites, str(member)))
    results = []
    for member in group:
        for result in ctx.pointing(MS.entry, member, MS.Result):
            official = any(ctx.is_official(s) for s in ctx.sources_of(result))
            label = w["official"] if official else w["reported"]
            results.append(
                Line(
                    f"{label}: {result_text(ctx, result)}",
                    ctx.cite(ctx.sources_of(result)),
                    str(result),
                )
            )
    from kg.answers.briefing.facts import check_line

    found = [c for m in group for c in ctx.pointing(MS.entry, m, MS.Reconciliation)]
    checks = [check_line(ctx, c) for c in found]
    # Each fact once: the checks have their own section on a car's card.
    checked = {str(c) for c in found}
    during = [
        d
        for d in race_details(ctx, group, checks=False)
        if not d.text.startswith(w["reported"] + ":") and d.iri not in checked
    ]
    said: list[Line] = []
    for member in group:
        said += said_about(ctx, member)
    return [
        *_section(ctx, "crew", crew),
        *_section(ctx, "result", results),
        *_section(ctx, "during", during),
        *_section(ctx, "checks", checks),
        *_section(ctx, "said about", said),
    ]


def decision(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    w = words(ctx.lang)
    question = ctx.text(entity, MS.question)
    status = _decision_lines(ctx, [entity], options)
    reports = [status_line(ctx, r) for r in ctx.pointing(MS.decision, entity, MS.StatusReport)]
    outcomes = [described_line(ctx, o) for o in ctx.pointing(MS.decision, entity, MS.Outcome)]
    considerations = [
        described_line(ctx, c) for c in ctx.pointing(MS.decision, entity, MS.Consideration)
    ]
    facts = [
        line
        for line in profile(ctx, entity)
        if not line.text.startswith((w["question"], "Question", "Frage"))
    ]
    question_line = []
    if question:
        sources = []
        for value in ctx.all(entity, MS.question):
            sources += ctx.sources_of_fact(entity, MS.question, value)
        question_line = [Line(question, ctx.cite(sources), None)]
    about = [entity, *ctx.all(entity, MS.process), *ctx.all(entity, MS.concerns)]
    spoken = [q for a in about for q in ctx.pointing(MS.about, a, MS.Quote)]
    return [
        *_section(ctx, "question", question_line),
        *_section(ctx, "status", [Line(s.text.split(": ", 1)[-1], s.cites, s.iri) for s in status]),
        *_section(ctx, "history", reports + outcomes),
        *_section(ctx, "considerations", considerations),
        *_section(ctx, "facts", facts),
        *_section(ctx, "quotes", quotes(ctx, spoken)),
    ]


def generic(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    """Anything else: its facts, and what points at it, each once; official bulk rows
    counted unless --all."""
    w = words(ctx.lang)
    facts = profile(ctx, entity)
    linked: list[Line] = []
    bulk = 0
    for subject in sorted(
        {s for s, _ in ctx.graph.subject_predicates(entity) if isinstance(s, URIRef)}, key=str
    ):
        if ctx.is_a(subject, MS.Statement):
            continue
        official = any(ctx.is_official(s) for s in ctx.sources_of(subject))
        if official and not options.show_all:
            bulk += 1
            continue
        props = sorted({ctx.label(p) for p in ctx.graph.predicates(subject, entity)})
        if ctx.sources_of(subject):
            line = claim_line(ctx, subject)
        else:
            line = Line(ctx.label(subject), (), str(subject))
        if not ctx.is_a(subject, MS.Quote) and props:
            line = dataclasses.replace(line, text=f"{line.text} ({', '.join(props)})")
        linked.append(line)
    note = w["and more"].format(n=bulk) if bulk else ""
    sections = [*_section(ctx, "facts", facts)]
    if linked or note:
        sections.append(Section("pointing", w["pointing"], tuple(linked), note))
    return sections


_SOURCE_KINDS = (MS.SourceDocument, MS.NewsArticle, MS.ResultsFile, MS.ReconciliationReport)


def source(ctx: Context, entity: URIRef, options: Options) -> list[Section]:
    """A source document: the reference itself, then what it states, each claim once;
    an official results file's rows counted by kind unless --all."""
    w = words(ctx.lang)
    cite = ctx.cite([entity])
    about = []
    for prop in (
        MS.publicationDateNote,
        MS.interviewGivenTo,
        MS.textFile,
        MS.sourceFileName,
        MS.sha256,
    ):
        value = ctx.one(entity, prop)
        if value is None:
            continue
        shown = (
            ctx.text(entity, prop)
            if isinstance(value, Literal) and value.language
            else ctx.label(value)
        )
        about.append(Line(f"{ctx.label(prop)}: {shown}", cite, None))
    stated = [c for c in ctx.pointing(MS.statedIn, entity)]
    official = ctx.is_official(entity)
    lines: list[Line] = []
    note = ""
    if official and not options.show_all:
        counts: dict[str, int] = {}
        for claim in stated:
            for kind in ctx.all(claim, RDF.type):
                counts[ctx.label(kind)] = counts.get(ctx.label(kind), 0) + 1
        lines = [Line(f"{kind}: {n}", cite, None) for kind, n in sorted(counts.items())]
        note = w["rows stated"].format(n=len(stated))
    else:
        lines = [claim_line(ctx, c) for c in stated]
    return [*_section(ctx, "about source", about), *_section(ctx, "states", lines, note)]


COMPOSERS: tuple[tuple[URIRef, Composer], ...] = (
    *((kind, source) for kind in _SOURCE_KINDS),
    (MS.Entry, entry),
    (MS.Decision, decision),
    (MS.Person, person),
    (MS.Manufacturer, manufacturer),
    (MS.Team, team),
    (MS.Event, event),
    (MS.Programme, programme),
    (MS.CarModel, car_model),
)


def composer_for(ctx: Context, entity: URIRef) -> tuple[str, Composer]:
    for kind, compose in COMPOSERS:
        if ctx.is_a(entity, kind):
            return str(kind).rsplit("/", 1)[-1].lower(), compose
    return "other", generic
