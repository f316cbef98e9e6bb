"""A car at a race as one block: what it was, how it finished (official and reported),
and what happened to it in time order.

A reported car (an article's entry) and the official entry of the same car are one
block: the reconciliation report links them, and a reader wants one story per car.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef

from kg.answers.briefing.context import Context
from kg.answers.briefing.facts import (
    check_line,
    fastest_lap_line,
    incident_line,
    position_line,
    result_line,
    result_text,
)
from kg.answers.briefing.model import Line
from kg.answers.briefing.names import car_name
from kg.answers.briefing.when import time_words
from kg.model.namespaces import MS


def twins(ctx: Context, entry: URIRef) -> set[URIRef]:
    """The entries that are the same car at the same race as `entry`, `entry` included."""
    found = {entry}
    for check in ctx.pointing(MS.entry, entry, MS.Reconciliation) + ctx.pointing(
        MS.againstClaim, entry, MS.Reconciliation
    ):
        for side in (MS.entry, MS.checksClaim, MS.againstClaim):
            for claim in ctx.all(check, side):
                if isinstance(claim, URIRef) and ctx.is_a(claim, MS.Entry):
                    found.add(claim)
    for result in ctx.pointing(MS.entry, entry, MS.Result):
        for check in ctx.pointing(MS.againstClaim, result, MS.Reconciliation):
            for other in ctx.all(check, MS.entry):
                if isinstance(other, URIRef):
                    found.add(other)
    return found


def groups(ctx: Context, entries: Iterable[URIRef]) -> list[tuple[URIRef, ...]]:
    """Entries gathered into one group per car, official entry first, in race order."""
    remaining = set(entries)
    found: list[tuple[URIRef, ...]] = []
    while remaining:
        first = min(remaining, key=str)
        group = twins(ctx, first)
        for member in list(group):
            group |= twins(ctx, member)
        remaining -= group
        ordered = sorted(group, key=lambda e: (not _official(ctx, e), str(e)))
        found.append(tuple(ordered))
    return sorted(found, key=lambda g: _group_key(ctx, g))


def _official(ctx: Context, entry: URIRef) -> bool:
    return any(ctx.is_official(s) for s in ctx.sources_of(entry))


def _group_key(ctx: Context, group: tuple[URIRef, ...]) -> tuple[object, ...]:
    event = ctx.one(group[0], MS.event)
    places = []
    for rank, prop in enumerate((MS.overallPosition, MS.classPosition, MS.position)):
        for entry in group:
            for result in ctx.pointing(MS.entry, entry, MS.Result):
                value = ctx.one(result, prop)
                if value is not None:
                    places.append((rank, int(str(value))))
    return (ctx.label(event), min(places, default=(9, 0)), car_name(ctx, group[0]))


def _chain_order(ctx: Context, incidents: list[URIRef]) -> list[URIRef]:
    """Incidents in time order: a chain of ms:followedBy stays in its order and takes the
    time of its first timed member; untimed chains keep the order the source tells them."""
    followers = {i: [f for f in ctx.all(i, MS.followedBy) if f in incidents] for i in incidents}
    followed = {f for fs in followers.values() for f in fs}
    chains: list[list[URIRef]] = []
    seen: set[URIRef] = set()
    for start in sorted((i for i in incidents if i not in followed), key=str):
        chain, node = [], start
        while node is not None and node not in seen:
            seen.add(node)
            chain.append(node)
            nexts = [f for f in followers.get(node, []) if isinstance(f, URIRef)]
            node = min(nexts, key=str) if nexts else None  # type: ignore[assignment]
        chains.append(chain)
    chains += [[i] for i in sorted(set(incidents) - seen, key=str)]

    def chain_key(chain: list[URIRef]) -> tuple[object, ...]:
        from kg.model.timeutil import TimeValueError

        for node in chain:
            when = ctx.one(node, MS.occurredAt)
            if when is not None:
                low = ctx.one(when, MS.notBefore)
                try:
                    return (0, str(low or when), str(chain[0]))
                except TimeValueError:
                    break
        return (1, "", str(chain[0]))

    return [node for chain in sorted(chains, key=chain_key) for node in chain]


def race_details(ctx: Context, group: tuple[URIRef, ...], checks: bool = False) -> list[Line]:
    """Under a car's line: the reported results, positions in the race, incidents,
    fastest lap and (on a car's own card) the checks against the official results."""
    details: list[Line] = []
    official = [e for e in group if _official(ctx, e)]
    for entry in group:
        if entry in official:
            continue
        for result in ctx.pointing(MS.entry, entry, MS.Result):
            line = result_line(ctx, result)
            note = ctx.text(result, URIRef("http://www.w3.org/2004/02/skos/core#scopeNote"))
            label = "reported" if ctx.lang != "de" else "berichtet"
            details.append(Line(f"{label}: {line.text}", line.cites, line.iri))
            del note
    for entry in group:
        for report in ctx.pointing(MS.entry, entry, MS.RacePositionReport):
            details.append(position_line(ctx, report))
    incidents = [i for e in group for i in ctx.pointing(MS.entry, e, MS.Incident)]
    details += [incident_line(ctx, i) for i in _chain_order(ctx, incidents)]
    for entry in group:
        for lap in ctx.pointing(MS.entry, entry, MS.FastestLap):
            details.append(fastest_lap_line(ctx, lap))
    for entry in group:
        for check in ctx.pointing(MS.entry, entry, MS.Reconciliation):
            # A number the official results do not bear out belongs under the car on any
            # card; the checks that agree only on the car's own card.
            agrees = str(ctx.one(check, MS.verdict) or "") == "corroborated"
            if checks or not agrees:
                details.append(check_line(ctx, check))
    return details


def race_line(
    ctx: Context, group: tuple[URIRef, ...], with_event: bool = True, checks: bool = False
) -> Line:
    """ "Rolex 24 at Daytona 2024: #25 BMW M Team RLL, BMW M Hybrid V8, GTP: 7th in GTP,
    7th overall; ..." with the details under it."""
    first = group[0]
    event = ctx.one(first, MS.event)
    model = ctx.one(first, MS.carModel)
    racing_class = ctx.one(first, MS.racingClass)
    what = ", ".join(
        p
        for p in (
            car_name(ctx, first),
            ctx.label(model) if model is not None else "",
            ctx.label(racing_class) if racing_class is not None else "",
        )
        if p
    )
    results = [r for e in group if _official(ctx, e) for r in ctx.pointing(MS.entry, e, MS.Result)]
    outcome = "; ".join(result_text(ctx, r) for r in results)
    cites: list[URIRef] = [s for e in group if _official(ctx, e) for s in ctx.sources_of(e)]
    cites += [s for r in results for s in ctx.sources_of(r)]
    if not results:
        cites += [s for e in group for s in ctx.sources_of(e)]
    text = f"{ctx.label(event)}: {what}" if with_event and event is not None else what
    if outcome:
        text += f": {outcome}"
    when = ""
    session = ctx.one(results[0], MS.session) if results else None
    if session is not None:
        when = time_words(ctx, ctx.one(session, MS.startTime))
    return Line(
        text,
        ctx.cite(cites),
        str(first),
        when=when,
        details=tuple(race_details(ctx, group, checks)),
    )
