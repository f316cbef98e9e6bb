"""One rule per kind of claim the seasons can check (see kg.answers.reconcile_seasons):
each takes the claim and the official race entries, and gives the verdict, the official
value as text, the reason and the official entry that shows it (None: not checkable)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.answers.reconcile_base import CANNOT_SAY, CONTRADICTED, CORROBORATED, Check, ClaimNode
from kg.answers.reconcile_seasons import (
    Claim,
    Race,
    Seasons,
    Verdict,
    add_facts,
    claims,
    load,
)
from kg.knowledge.project import Knowledge
from kg.model.namespaces import MS, MSV


def _first(values: list[Node]) -> str:
    return str(values[0]) if values else ""


def _before(race: Race, day: str) -> bool:
    """Whether the race started on or before `day` (a year, year-month or date)."""
    return bool(day) and race.start[: len(day)] <= day


def _window(claim: Claim) -> tuple[str, str]:
    """(first, last) year the claim speaks of; "" where it is open."""
    if claim.at:
        return claim.at[:4], claim.at[:4]
    if claim.start or claim.until:
        return claim.start[:4], claim.until[:4]
    return claim.published[:4], claim.published[:4]


def _in_window(year: str, window: tuple[str, str]) -> bool:
    first, last = window
    return (not first or year >= first) and (not last or year <= last)


def _runs(claim: Claim, s: Seasons) -> tuple[str, str, list[str], list[str]]:
    """The series, class, car models and makers an operation claim is about."""
    series = _first(s.fact(claim.iri, MS.series))
    racing_class = _first(s.fact(claim.iri, MS.racingClass))
    cars = [str(c) for c in s.fact(claim.subject, MS.carModel)]
    makers = [str(m) for m in s.fact(claim.subject, MS.manufacturer)]
    return series, racing_class, cars, makers


def _covered(s: Seasons, series: str) -> str:
    names = sorted(s.label(x) for x in s.series_covered())
    return f"the official results bundled cover {', '.join(names) or 'no series'} only"


def operation(claim: Claim, s: Seasons) -> Verdict:
    """An operator runs a programme's car in a series (and class) at or from a time."""
    series, racing_class, cars, makers = _runs(claim, s)
    if series and series not in s.series_covered():
        return CANNOT_SAY, "", _covered(s, series), None
    window = _window(claim)
    years = [y for y in s.years(series, racing_class) if _in_window(y, window)]
    where = s.label(racing_class or series) if (racing_class or series) else "any series"
    if not years:
        return CANNOT_SAY, "", f"no official {where} results of {'-'.join(window)}", None
    team = str(claim.value)
    in_scope = [
        r
        for r in s.races
        if r.year in years
        and (not series or r.series == series)
        and (not racing_class or r.racing_class == racing_class)
    ]
    ran = [r for r in in_scope if r.team == team]
    matching = [
        r for r in ran if (r.model in cars if cars else (r.maker in makers if makers else True))
    ]
    if not matching:
        what = (
            "ran " + ", ".join(sorted({s.label(r.model) for r in ran})) + " instead"
            if ran
            else "no official race entry"
        )
        why = f"{s.label(team)}: {what} in {where} in {', '.join(years)}"
        return CONTRADICTED, what, why, ran[0] if ran else None
    official = "; ".join(_season_count(s, year, matching, in_scope) for year in years)
    first = matching[0]
    why = f"first official race: {s.event_label(first)} ({first.day}, {s.car_label(first)})"
    covered_from = s.years(series, racing_class)[0]
    if claim.start and claim.start[:4] <= covered_from:
        why += (
            f"; the bundled results begin with {covered_from}, so they cannot show an earlier start"
        )
    if claim.at:
        why += "; " + _nearest(s, matching, claim.at)
    return CORROBORATED, official, why, first


def _season_count(s: Seasons, year: str, matching: list[Race], in_scope: list[Race]) -> str:
    races = {r.event for r in in_scope if r.year == year}
    ran = [r for r in matching if r.year == year]
    models = sorted({s.label(r.model) for r in ran})
    return (
        f"{year}: {len({r.event for r in ran})} of {len(races)} races "
        f"({_cars(s, ran)}; {', '.join(models)})"
    )


def _nearest(s: Seasons, races: list[Race], when: str) -> str:
    before = [r for r in races if _before(r, when)]
    after = [r for r in races if not _before(r, when)]
    parts = []
    if before:
        parts.append(f"last race by {when}: {s.event_label(before[-1])} ({before[-1].day})")
    if after:
        parts.append(f"next: {s.event_label(after[0])} ({after[0].day})")
    return ", ".join(parts)


def programme_status(claim: Claim, s: Seasons) -> Verdict | None:
    """An active programme's car raced in the official results of that year."""
    if str(claim.value) != str(MSV.ActiveProgramme):
        return None  # "under consideration" and the like: no race shows them
    cars = [str(c) for c in s.fact(claim.subject, MS.carModel)]
    year = _window(claim)[0]
    if not cars or not year:
        return None
    ran = [r for r in s.races if r.model in cars and r.year == year]
    if not ran:
        why = f"no official race entry of {', '.join(s.label(c) for c in cars)} in {year}"
        return CANNOT_SAY, "", why + "; " + _covered(s, ""), None
    teams = {r.team for r in ran}
    official = (
        f"{len(ran)} entries of the {', '.join(sorted({s.label(r.model) for r in ran}))} "
        f"by {len(teams)} teams in {len({r.event for r in ran})} races of {year}"
    )
    return CORROBORATED, official, _covered(s, ""), ran[0]


def rookie(claim: Claim, s: Seasons) -> Verdict:
    """A driver's first season in a class: no race of theirs in it before that year."""
    person, racing_class = claim.subject, str(claim.value)
    year = _window(claim)[0]
    theirs = [r for r in s.races if person in r.drivers and r.racing_class == racing_class]
    earlier = [r for r in theirs if r.year < year]
    where = s.label(racing_class)
    if earlier:
        first = earlier[0]
        official = f"raced in {where} in {first.year}: {s.event_label(first)} ({first.day})"
        return CONTRADICTED, official, f"a {where} start before {year}", first
    covered = [y for y in s.years(racing_class=racing_class) if y < year]
    if not covered:
        return CANNOT_SAY, "", f"the bundled results have no {where} season before {year}", None
    this_year = [r for r in theirs if r.year == year]
    official = f"no {where} start in {', '.join(covered)}"
    if this_year:
        first = this_year[0]
        official += f"; first: {s.event_label(first)} ({first.day}, {s.car_label(first)})"
    why = (
        f"the official {where} results go back to {covered[0]}; "
        "earlier seasons are not in the bundle"
    )
    return CORROBORATED, official, why, this_year[0] if this_year else None


def teammate(claim: Claim, s: Seasons) -> Verdict:
    """Two drivers in one car or one team: in the season the claim names (ms:validAt), or
    else at the driver's last race by the day its source appeared."""
    person, other = claim.subject, str(claim.value)
    theirs = [r for r in s.races if person in r.drivers]
    if claim.at:
        period = [r for r in theirs if r.start.startswith(claim.at)]
        when = claim.at
    else:
        period = [r for r in theirs if _before(r, claim.published)][-1:]
        when = claim.published
    if not period:
        return CANNOT_SAY, "", f"no official race of {s.label(person)} in {when}", None
    same_car = [r for r in period if other in r.drivers]
    others = {r.event: r for r in s.races if other in r.drivers}
    same_team = [r for r in period if r.event in others and others[r.event].team == r.team]
    races = f"{len(period)} official race{'s' if len(period) > 1 else ''} of {when}"
    if same_car:
        official = f"same car in {len(same_car)} of {races} ({_cars(s, same_car)})"
        return CORROBORATED, official, "in one official line-up", same_car[0]
    if same_team:
        official = f"same team in {len(same_team)} of {races} ({s.label(same_team[0].team)})"
        return CORROBORATED, official, "in one team's official line-ups", same_team[0]
    official = f"{s.label(person)}: {_cars(s, period)}; {s.label(other)}: " + (
        _cars(s, [others[r.event] for r in period if r.event in others]) or "not in these races"
    )
    return CONTRADICTED, official, f"neither in one car nor in one team in {races}", period[0]


def _cars(s: Seasons, races: list[Race]) -> str:
    """ "Rahal Letterman Lanigan Racing #24, #25": the cars of some races, by team."""
    numbers: dict[str, set[str]] = {}
    for race in races:
        numbers.setdefault(s.label(race.team), set()).add(f"#{race.number}")
    return "; ".join(
        f"{team} {', '.join(sorted(cars, key=lambda n: (len(n), n)))}"
        for team, cars in sorted(numbers.items())
    )


def nationality(claim: Claim, s: Seasons) -> Verdict:
    """The country a driver races for, against the code the official results give: the
    country's ISO 3166-1 alpha-3 code, found by its English name (pycountry)."""
    person, country = claim.subject, str(claim.value)
    theirs = [r for r in s.races if person in r.drivers]
    published = sorted({str(c) for c in s.fact(person, MS.countryCode)})
    if not theirs or not published:
        return CANNOT_SAY, "", "the official results do not give this driver's country", None
    code = iso_code(s.label(country))
    if code is None:
        why = f"no ISO 3166 code is known for {s.label(country)!r} to compare with"
        return CANNOT_SAY, ", ".join(published), why, theirs[0]
    if code in published:
        why = f"the country code the official results give ({code} in ISO 3166)"
        return CORROBORATED, ", ".join(published), why, theirs[0]
    why = f"another country code ({s.label(country)} is {code} in ISO 3166)"
    return CONTRADICTED, ", ".join(published), why, theirs[0]


def iso_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a country named in English, or None."""
    import pycountry

    try:
        found = pycountry.countries.lookup(name)
    except LookupError:
        return None
    return str(found.alpha_3)


def raced_before(claim: Claim, s: Seasons) -> Verdict:
    """A car model the driver raced before the claim's time."""
    person, model = claim.subject, str(claim.value)
    when = claim.when
    earlier = [
        r for r in s.races if person in r.drivers and r.model == model and r.start[:10] < when
    ]
    if earlier:
        first = earlier[0]
        official = f"{s.event_label(first)} ({first.day}, {s.car_label(first)})"
        return CORROBORATED, official, f"first official race in the {s.label(model)}", first
    begin = s.races[0].day if s.races else "?"
    why = (
        f"no official race of {s.label(person)} in the {s.label(model)}; "
        f"the bundled results begin on {begin}, earlier seasons are not covered"
    )
    return CANNOT_SAY, "", why, None


def _race_days(s: Seasons) -> dict[str, tuple[str, Race]]:
    """Each event with an official race: (day of its race, one entry of it)."""
    days: dict[str, tuple[str, Race]] = {}
    for race in s.races:
        if race.event and race.event not in days:
            days[race.event] = (race.day, race)
    return days


def next_event(claim: Claim, s: Seasons) -> Verdict:
    """The event that follows, against the next race of the same series."""
    event, named = claim.subject, str(claim.value)
    days = _race_days(s)
    if event not in days:
        return CANNOT_SAY, "", "the official results have no race of this event", None
    day, race = days[event]
    later = sorted((d, e, r) for e, (d, r) in days.items() if d > day and r.series == race.series)
    if not later:
        return CANNOT_SAY, "", "the official results have no later race of the series", None
    next_day, following, evidence = later[0]
    official = f"{s.label(following)} ({next_day})"
    why = "the next race of the series with official results"
    verdict = CORROBORATED if following == named else CONTRADICTED
    return verdict, official, why, evidence


def start_date(claim: Claim, s: Seasons) -> Verdict:
    """When an event starts, against the day of its official race."""
    first, last = _bounds(claim, s)
    days = _race_days(s)
    if claim.subject not in days:
        return CANNOT_SAY, "", "the official results have no race of this event", None
    day, race = days[claim.subject]
    official = f"race on {day}"
    if first and last and first <= day <= last:
        return CORROBORATED, official, f"within {first} to {last}", race
    return CONTRADICTED, official, f"outside {first} to {last}", race


def _bounds(claim: Claim, s: Seasons) -> tuple[str, str]:
    if isinstance(claim.value, Literal):
        text = str(claim.value)
        return text, text
    spec = str(claim.value)
    return _first(s.fact(spec, MS.notBefore)), _first(s.fact(spec, MS.notAfter))


def maker(claim: Claim, s: Seasons) -> Verdict | None:
    """A car model's maker, against the maker its official entries give."""
    raced = [r for r in s.races if r.model == claim.subject and r.maker]
    if not raced:
        return None  # a programme's maker, or a car the results never saw
    makers = sorted({r.maker for r in raced})
    official = ", ".join(s.label(m) for m in makers)
    if makers == [str(claim.value)]:
        return CORROBORATED, official, f"the maker of all {len(raced)} official entries", raced[0]
    return CONTRADICTED, official, "the official entries give another maker", raced[0]


def reported(claim: Claim, s: Seasons) -> str:
    """The claim's value as a reader reads it."""
    if claim.prop == str(MS.operator):
        series, racing_class, cars, _ = _runs(claim, s)
        text = f"{s.label(claim.value)} runs the {', '.join(s.label(c) for c in cars) or '?'}"
        if series:
            text += f" in {s.label(series)}"
        if racing_class:
            text += f", {s.label(racing_class)}"
        if claim.at:
            text += f", at {claim.at}"
        if claim.start:
            text += f", from {claim.start}"
        if claim.until:
            text += f", until {claim.until}"
        return text
    if claim.prop == str(MS.startDate):
        first, last = _bounds(claim, s)
        expression = _first(s.fact(str(claim.value), MS.timeExpression))
        span = first if first == last else f"{first} to {last}"
        return f"{expression} ({span})" if expression else span
    if isinstance(claim.value, URIRef):
        return s.label(claim.value)
    return str(claim.value)


def check_seasons(
    knowledge: Knowledge,
    graphs: list[str],
    labels: dict[str, str],
    entries: Iterable[ClaimNode],
    kinds: dict[str, str],
) -> list[Check]:
    """Every claim the seasons can check, with its verdict."""
    seasons = load(knowledge, graphs, labels, entries, kinds)
    found = claims(knowledge, graphs)
    add_facts(knowledge, graphs, seasons, found)
    checkers: dict[str, Callable[[Claim, Seasons], Verdict | None]] = {
        str(MS.operator): operation,
        str(MS.programmeStatus): programme_status,
        str(MS.rookieIn): rookie,
        str(MS.teammateOf): teammate,
        str(MS.nationality): nationality,
        str(MS.previouslyRaced): raced_before,
        str(MS.nextEvent): next_event,
        str(MS.startDate): start_date,
        str(MS.manufacturer): maker,
    }
    return list(_checks(found, seasons, checkers))


def _checks(
    found: Iterable[Claim],
    seasons: Seasons,
    checkers: dict[str, Callable[[Claim, Seasons], Verdict | None]],
) -> Iterable[Check]:
    for claim in found:
        verdict = checkers[claim.prop](claim, seasons)
        if verdict is None:
            continue  # not a claim the results speak to (a programme's maker, ...)
        outcome, official, why, evidence = verdict
        yield Check(
            verdict=outcome,
            claim=claim.iri,
            subject=claim.subject,
            checked_property=claim.prop,
            reported=reported(claim, seasons),
            official=official,
            reported_source=claim.doc,
            official_source=evidence.doc if evidence is not None else "",
            official_claim=evidence.entry if evidence is not None else "",
            entry_label=seasons.label(claim.subject),
            explanation=why,
            about_entry=False,
        )
