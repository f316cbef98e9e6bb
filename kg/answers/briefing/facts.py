"""One claim as one line in words: results, incidents, positions, quotes, roles,
programme operations, status reports, considerations, checks against the official results.

Each builder reads the claim node from the local graph and cites its sources; the
composers (kinds.py) decide which lines a briefing shows and in what order.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from kg.answers.briefing.context import Context
from kg.answers.briefing.model import Line
from kg.answers.briefing.names import car_name, role_text
from kg.answers.briefing.when import time_words
from kg.answers.briefing.words import words
from kg.model.namespaces import MS
from kg.model.wording import clock_time, count, ordinal, position

VALIDITY = ((MS.validAt, "at time"), (MS.validFrom, "from"), (MS.validUntil, "until"))


def _int(value: Node | None) -> int | None:
    if isinstance(value, Literal):
        try:
            return int(str(value))
        except ValueError:
            return None
    return None


def validity(ctx: Context, node: Node) -> str:
    """ "July 2023", "from 2023", "2024" for a claim's valid time; "" when it has none."""
    w = words(ctx.lang)
    parts = []
    for prop, key in VALIDITY:
        value = ctx.one(node, prop)
        if value is not None:
            parts.append(w[key].format(t=time_words(ctx, value)))
    return ", ".join(parts)


def _join(*parts: str) -> str:
    """Clauses joined: "a; b; c", a clause's own full stop dropped; a clause that
    begins with a capital is a sentence of its own ("Leak. Together with ...")."""
    text = ""
    for part in (p.rstrip(".") for p in parts if p):
        if text:
            text += ". " if part[:1].isupper() else "; "
        text += part
    return text


def _names(ctx: Context, values: list[Node]) -> str:
    return ", ".join(sorted({ctx.label(v) for v in values}))


def result_text(ctx: Context, result: URIRef) -> str:
    """ "7th in GTP, 7th overall; 778 laps completed; 13 laps down on the class winner"."""
    w = words(ctx.lang)
    entry = ctx.one(result, MS.entry)
    racing_class = ctx.label(ctx.one(entry, MS.racingClass)) if entry is not None else ""
    places = []
    in_class = _int(ctx.one(result, MS.classPosition))
    overall = _int(ctx.one(result, MS.overallPosition))
    plain = _int(ctx.one(result, MS.position))
    if in_class is not None:
        places.append(position(in_class, racing_class or None, ctx.lang))
    if overall is not None:
        places.append(position(overall, "overall", ctx.lang))
    if plain is not None and in_class is None and overall is None:
        places.append(w["reported position"].format(pos=ordinal(plain, ctx.lang)))
    laps = _int(ctx.one(result, MS.lapsCompleted))
    behind = _int(ctx.one(result, MS.lapsBehindClassWinner))
    total = ctx.one(result, MS.totalTime)
    status = ctx.one(result, MS.resultStatus)
    extra = []
    if laps is not None:
        extra.append(w["laps"].format(n=laps))
    if behind:
        extra.append(w["laps behind"].format(n=count(behind, "lap", ctx.lang)))
    if total is not None:
        extra.append(w["total time"].format(t=clock_time(str(total)) or str(total)))
    if str(ctx.one(result, MS.runningAtFinish)) == "false":
        extra.append(w["not running"])
    if status is not None and places == []:
        extra.append(ctx.label(status))
    return _join(", ".join(places), ", ".join(extra))


def result_line(ctx: Context, result: URIRef) -> Line:
    return Line(result_text(ctx, result), ctx.cite(ctx.sources_of(result)), str(result))


def incident_line(ctx: Context, incident: URIRef) -> Line:
    """ "around 2.30 a.m. on 28 Jan 2024: technical failure, electronics, driven by
    Dries Vanthoor: the car stopped ...; repair: ...; cost 14 laps"."""
    w = words(ctx.lang)
    kind = ctx.label(ctx.one(incident, MS.incidentKind))
    component = ctx.one(incident, MS.component)
    what = f"{kind}, {ctx.label(component)}" if component is not None else kind
    drivers = ctx.all(incident, MS.driver)
    costs = []
    for prop, unit in (
        (MS.costLaps, "lap"),
        (MS.costMinutes, "minute"),
        (MS.costPositions, "place"),
    ):
        number = _int(ctx.one(incident, prop))
        if number is not None:
            costs.append(count(number, unit, ctx.lang))
    repair = ctx.text(incident, MS.repairAction)
    text = _join(
        what + (f" ({w['driven by'].format(who=_names(ctx, drivers))})" if drivers else ""),
        ctx.text(incident, MS.consequence),
        w["repair"].format(what=repair) if repair else "",
        w["cost"].format(what=", ".join(costs)) if costs else "",
    )
    when = time_words(ctx, ctx.one(incident, MS.occurredAt))
    return Line(text, ctx.cite(ctx.sources_of(incident)), str(incident), when=when)


def position_line(ctx: Context, report: URIRef) -> Line:
    """ "at times in the lead, in the first half of the race"."""
    description = ctx.text(report, MS.positionDescription)
    frequency = ctx.text(report, MS.frequency)
    place = _int(ctx.one(report, MS.position))
    text = " ".join(p for p in (frequency, description) if p)
    if not text and place is not None:
        text = ordinal(place, ctx.lang)
    drivers = ctx.all(report, MS.driver)
    if drivers and ctx.one(report, MS.entry) is None:
        text = f"{_names(ctx, drivers)}: {text}"
    when = time_words(ctx, ctx.one(report, MS.raceTime))
    return Line(text, ctx.cite(ctx.sources_of(report)), str(report), when=when)


def fastest_lap_line(ctx: Context, lap: URIRef) -> Line:
    w = words(ctx.lang)
    time = ctx.one(lap, MS.lapTime)
    number = ctx.one(lap, MS.lapNumber)
    speed = ctx.one(lap, MS.speedKph)
    scope = ctx.one(lap, MS.scope)
    drivers = ctx.all(lap, MS.driver)
    if time is None and scope is not None:
        text = w["fastest lap by"].format(c=ctx.label(scope), who=_names(ctx, drivers))
    else:
        text = w["fastest lap"].format(t=clock_time(str(time)) or str(time), n=number)
        if speed is not None:
            text += f" ({w['speed'].format(v=speed)})"
        if scope is not None:
            text += f", {w['fastest in'].format(c=ctx.label(scope))}"
    return Line(text, ctx.cite(ctx.sources_of(lap)), str(lap))


def quote_line(ctx: Context, quote: URIRef) -> Line:
    """The quote once, verbatim, with its translation when the reader reads another language."""
    w = words(ctx.lang)
    texts = ctx.texts_by_language(quote, MS.quoteText)
    language, verbatim = next(iter(sorted(texts.items())), ("", ""))
    translations = ctx.texts_by_language(quote, MS.quoteTranslation)
    translation = translations.get(ctx.lang, "") if language != ctx.lang else ""
    speakers = ctx.all(quote, MS.speaker) or ctx.all(quote, MS.attributedTo)
    about = ctx.all(quote, MS.about)
    who = _names(ctx, speakers)
    manner = ctx.text(quote, MS.manner)
    if manner:
        who = f"{who} ({manner})"
    text = w["said by"].format(who=who, what=_names(ctx, about)) if about else who
    return Line(
        text,
        ctx.cite(ctx.sources_of(quote)),
        str(quote),
        quote=verbatim,
        translation=translation,
    )


def role_lines(ctx: Context, roles: list[URIRef], with_person: bool = True) -> list[Line]:
    """One line per role held, however many sources report it and when: the times
    and the citations gathered on it ("July 2023, January 2024")."""
    gathered: dict[str, tuple[dict[str, str], set[int], str]] = {}
    for role in roles:
        text = role_text(ctx, role, with_person)
        times, cites, _ = gathered.setdefault(text, ({}, set(), str(role)))
        when = validity(ctx, role)
        if when:
            # Sorted by the valid time as written (ISO dates sort as they read).
            key = "".join(str(ctx.one(role, prop) or "") for prop, _ in VALIDITY)
            times.setdefault(key, when)
        cites |= set(ctx.cite(ctx.sources_of(role)))
    return [
        Line(text, tuple(sorted(cites)), first, when=", ".join(t for _, t in sorted(times.items())))
        for text, (times, cites, first) in gathered.items()
    ]


def operation_line(ctx: Context, operation: URIRef) -> Line:
    """ "Rahal Letterman Lanigan Racing runs the BMW LMDh factory programme in the IMSA
    WeatherTech SportsCar Championship (GTP) as factory team"."""
    w = words(ctx.lang)
    operator = ctx.label(ctx.one(operation, MS.operator))
    programme = ctx.label(ctx.one(operation, MS.programme))
    where = ""
    series = ctx.one(operation, MS.series)
    racing_class = ctx.one(operation, MS.racingClass)
    if series is not None:
        where += " " + w["in series"].format(what=ctx.label(series))
    if racing_class is not None:
        where += f" ({ctx.label(racing_class)})"
    role = ctx.one(operation, MS.operatorRole)
    if role is not None:
        where += " " + w["as role"].format(what=ctx.label(role))
    text = w["runs"].format(who=operator, what=programme, where=where)
    return Line(
        text, ctx.cite(ctx.sources_of(operation)), str(operation), when=validity(ctx, operation)
    )


def described_line(ctx: Context, claim: URIRef) -> Line:
    """An assessment, consideration or other claim with a description of its own."""
    w = words(ctx.lang)
    text = ctx.text(claim, MS.description) or ctx.label(claim)
    criterion = ctx.one(claim, MS.criterion)
    if criterion is not None:
        text = f"{ctx.label(criterion)}: {text}"
    who = ctx.all(claim, MS.attributedTo)
    if who:
        text += f" ({w['according to'].format(who=_names(ctx, who))})"
    return Line(text, ctx.cite(ctx.sources_of(claim)), str(claim), when=validity(ctx, claim))


def status_line(ctx: Context, report: URIRef, with_decision: bool = False) -> Line:
    """ "under evaluation; decision expected Sep–Dec 2023 (...) (according to Andreas Roos)"."""
    w = words(ctx.lang)
    status = ctx.label(ctx.one(report, MS.decisionStatus))
    expected = ctx.one(report, MS.expectedTime)
    text = _join(
        status, w["expected"].format(t=time_words(ctx, expected)) if expected is not None else ""
    )
    who = ctx.all(report, MS.attributedTo)
    if who:
        text += f" ({w['according to'].format(who=_names(ctx, who))})"
    if with_decision:
        text = f"{ctx.label(ctx.one(report, MS.decision))}: {text}"
    return Line(text, ctx.cite(ctx.sources_of(report)), str(report), when=validity(ctx, report))


def claim_status_line(ctx: Context, claim: URIRef) -> Line:
    """A programme's status or customer policy as the source reports it."""
    w = words(ctx.lang)
    programme = ctx.label(ctx.one(claim, MS.programme))
    policy = ctx.one(claim, MS.customerPolicy)
    if policy is not None:
        text = w["policy"].format(what=programme, policy=ctx.label(policy))
    else:
        text = w["programme status"].format(
            what=programme, status=ctx.label(ctx.one(claim, MS.programmeStatus))
        )
    return Line(text, ctx.cite(ctx.sources_of(claim)), str(claim), when=validity(ctx, claim))


def check_line(ctx: Context, check: URIRef) -> Line:
    """What the official results say about a reported value, with both values."""
    w = words(ctx.lang)
    prop = ctx.one(check, MS.checkedProperty)
    reported = ctx.one(check, MS.reportedValue)
    reported_text = ctx.label(_as_term(reported))
    verdict = str(ctx.one(check, MS.verdict) or "?")
    official = ctx.one(check, MS.officialValue)
    # "cannot say" has no official value to show: the reason says why.
    text = w["reported vs official" if official is not None else "reported only"].format(
        what=ctx.label(prop) if prop is not None else "",
        r=reported_text,
        o=str(official),
        v=_VERDICTS.get(ctx.lang, {}).get(verdict, verdict),
    )
    description = ctx.text(check, MS.description)
    if description:
        text += f": {description}"
    sources = ctx.sources_of(check)
    for side in (MS.checksClaim, MS.againstClaim):
        for claim in ctx.all(check, side):
            sources += ctx.sources_of(claim)
    return Line(text, ctx.cite(sources), str(check))


# The verdicts kg reconcile writes, in the reader's words.
_VERDICTS = {
    "en": {"corroborated": "corroborated", "contradicted": "contradicted"},
    "de": {
        "corroborated": "bestätigt",
        "contradicted": "widerlegt",
        "differs": "weicht ab",
        "not checkable": "nicht prüfbar",
        "cannot say": "nicht prüfbar",
        "ambiguous": "mehrdeutig",
        "not found": "nicht gefunden",
    },
}


def _as_term(value: Node | None) -> Node | None:
    """A reported value written as a prefixed name ("msr:calado") is the entity."""
    if isinstance(value, Literal) and str(value).startswith("msr:"):
        from kg.model.namespaces import MSR

        return MSR[str(value)[4:]]
    return value


# Plain facts asserted with an ms:Statement: a few read as sentences, the rest as
# "property: value".
_PHRASES = {
    "en": {
        MS.nationality: "From {o}",
        MS.basedIn: "Based in {o}",
        MS.teammateOf: "Teammate of {o}",
        MS.previouslyRaced: "Has raced the {o} before",
        MS.rookieIn: "Rookie in {o}",
        MS.formerChampionOf: "Former {o} champion",
        MS.manufacturer: "Made by {o}",
        MS.platform: "Platform: {o}",
        MS.programmeKind: "Kind: {o}",
        MS.carModel: "Car: {o}",
        MS.ofSeries: "A class of the {o}",
        MS.edition: "Edition {o}",
        MS.eventSeries: "An edition of the {o}",
        MS.nextEvent: "Next event: {o}",
        MS.startDate: "Starts {o}",
        MS.owner: "Decided by {o}",
        MS.concerns: "Concerns {o}",
        MS.option: "Option: {o}",
        MS.process: "Process: {o}",
        MS.question: "Question: {o}",
        MS.partOfEvent: "Part of {o}",
        MS.sessionKind: "Session: {o}",
        MS.season: "Season: {o}",
        MS.ownerPost: "Owner's post: {o}",
        MS.series: "Series: {o}",
        MS.year: "Year: {o}",
        MS.countryCode: "Country code (official): {o}",
        MS.licenceGrade: "Licence grade (official): {o}",
    },
    "de": {
        MS.nationality: "Aus {o}",
        MS.basedIn: "Wohnhaft in {o}",
        MS.teammateOf: "Teamkollege von {o}",
        MS.previouslyRaced: "Fuhr schon den {o}",
        MS.rookieIn: "Neuling in der {o}",
        MS.formerChampionOf: "Ehemaliger {o}-Meister",
        MS.manufacturer: "Hersteller: {o}",
        MS.platform: "Plattform: {o}",
        MS.programmeKind: "Art: {o}",
        MS.carModel: "Auto: {o}",
        MS.ofSeries: "Eine Klasse der {o}",
        MS.edition: "Auflage {o}",
        MS.eventSeries: "Eine Auflage von {o}",
        MS.nextEvent: "Nächste Veranstaltung: {o}",
        MS.startDate: "Beginn {o}",
        MS.owner: "Entscheidet: {o}",
        MS.concerns: "Betrifft {o}",
        MS.option: "Option: {o}",
        MS.process: "Verfahren: {o}",
        MS.question: "Frage: {o}",
        MS.partOfEvent: "Teil von {o}",
        MS.sessionKind: "Sitzung: {o}",
        MS.season: "Saison: {o}",
        MS.ownerPost: "Zuständige Funktion: {o}",
        MS.series: "Serie: {o}",
        MS.year: "Jahr: {o}",
        MS.countryCode: "Ländercode (offiziell): {o}",
        MS.licenceGrade: "Lizenzstufe (offiziell): {o}",
    },
}


def value_words(ctx: Context, value: Node) -> str:
    if isinstance(value, URIRef) and ctx.is_a(value, MS.TimeSpec):
        return time_words(ctx, value)
    if isinstance(value, Literal) and value.datatype is not None and "date" in str(value.datatype):
        return time_words(ctx, value)
    if isinstance(value, Literal) and str(value.datatype or "").endswith("gYear"):
        return str(value)
    return ctx.label(value)


def fact_line(ctx: Context, subject: Node, prop: URIRef, value: Node) -> Line:
    """A plain fact in words, cited through its statement nodes."""
    phrases = _PHRASES.get(ctx.lang, _PHRASES["en"])
    shown = value_words(ctx, value)
    template = phrases.get(prop)
    text = template.format(o=shown) if template else f"{ctx.label(prop)}: {shown}"
    statement = ctx.statement_of(subject, prop, value)
    extra = ""
    if statement is not None:
        extra = validity(ctx, statement)
        description = ctx.text(statement, MS.description)
        nuance = ctx.text(statement, SKOS.note)
        if description:
            text += f": {description}"
        if nuance:
            text += f" ({nuance})"
    sources = ctx.sources_of_fact(subject, prop, value) or ctx.sources_of(subject)
    return Line(text, ctx.cite(sources), str(statement) if statement else None, when=extra)


def is_claim(ctx: Context, node: Node) -> bool:
    return bool(ctx.sources_of(node)) and not ctx.is_a(node, MS.Statement)


def kinds_of(ctx: Context, node: Node) -> set[Node]:
    return set(ctx.all(node, RDF.type))


def entry_name(ctx: Context, entry: URIRef) -> str:
    return car_name(ctx, entry)


def claim_line(ctx: Context, node: URIRef) -> Line:
    """Any claim node as its line, with what it is about where the line alone does not say."""
    if ctx.is_a(node, MS.Statement):
        subject, prop, value = (ctx.one(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        if isinstance(prop, URIRef) and subject is not None and value is not None:
            line = fact_line(ctx, subject, prop, value)
            return Line(f"{ctx.label(subject)}: {line.text}", line.cites, str(node), line.when)
    entry = ctx.one(node, MS.entry)
    car = f"{entry_name(ctx, entry)}: " if isinstance(entry, URIRef) else ""
    for kind, build in _BUILDERS:
        if ctx.is_a(node, kind):
            line = build(ctx, node)
            if kind in (MS.Result, MS.Incident, MS.RacePositionReport, MS.FastestLap):
                return Line(car + line.text, line.cites, line.iri, line.when)
            return line
    if ctx.is_a(node, MS.Entry):
        return Line(ctx.label(node), ctx.cite(ctx.sources_of(node)), str(node))
    return described_line(ctx, node)


_BUILDERS = (
    (MS.Result, result_line),
    (MS.Incident, incident_line),
    (MS.RacePositionReport, position_line),
    (MS.FastestLap, fastest_lap_line),
    (MS.Quote, quote_line),
    (MS.ProgrammeOperation, operation_line),
    (MS.StatusReport, lambda ctx, node: status_line(ctx, node, with_decision=True)),
    (MS.ProgrammeStatusClaim, claim_status_line),
    (MS.CustomerPolicyClaim, claim_status_line),
    (MS.Reconciliation, check_line),
    (
        MS.Role,
        lambda ctx, node: Line(
            role_text(ctx, node), ctx.cite(ctx.sources_of(node)), str(node), validity(ctx, node)
        ),
    ),
)
