"""An event's official results in a briefing: the podium of each class, its pole, and
the makers of the class head to head (each one's best place)."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

from kg.answers.briefing.context import Context
from kg.answers.briefing.model import Line
from kg.answers.briefing.names import car_and_model
from kg.answers.briefing.seasons import official_session
from kg.answers.briefing.words import words
from kg.model.namespaces import MS, MSV


def session_sources(ctx: Context, session: URIRef) -> list[URIRef]:
    found = set()
    for result in ctx.pointing(MS.session, session, MS.Result):
        found |= set(ctx.sources_of(result))
    return sorted(found, key=str)


def podiums(ctx: Context, entries: list[URIRef]) -> tuple[list[Line], int]:
    """The first three of each class in the race, classes in the order of their best
    overall place; under them, the class's pole (first in class in qualifying) and,
    where several makers raced in the class, each maker's best place in it."""
    by_class: dict[Node, list[tuple[int, URIRef, URIRef]]] = {}
    poles: dict[Node, tuple[URIRef, URIRef]] = {}
    for entry in entries:
        found = official_session(ctx, entry)
        if found is not None and found[1] == MSV.Qualifying:
            racing_class = ctx.one(entry, MS.racingClass)
            for result in ctx.pointing(MS.entry, entry, MS.Result):
                if str(ctx.one(result, MS.classPosition)) == "1" and racing_class is not None:
                    poles[racing_class] = (entry, result)
            continue
        if found is not None and found[1] != MSV.Race:
            continue  # practice and warm-up places are not results
        for result in ctx.pointing(MS.entry, entry, MS.Result):
            place = ctx.one(result, MS.classPosition)
            racing_class = ctx.one(entry, MS.racingClass)
            if place is not None and racing_class is not None:
                by_class.setdefault(racing_class, []).append((int(str(place)), entry, result))
    lines = []

    def best_overall(racing_class: Node) -> int:
        places = [ctx.one(r, MS.overallPosition) for _, _, r in by_class[racing_class]]
        return min((int(str(p)) for p in places if p is not None), default=10**6)

    for racing_class in sorted(by_class, key=lambda c: (best_overall(c), str(c))):
        ranked = sorted(by_class[racing_class], key=lambda t: (t[0], str(t[1])))[:3]
        from kg.model.wording import ordinal

        places = []
        cites: list[URIRef] = []
        for rank, entry, result in ranked:
            drivers = ", ".join(sorted(ctx.label(d) for d in ctx.all(entry, MS.driver)))
            car = car_and_model(ctx, entry)
            places.append(f"{ordinal(rank, ctx.lang)} {car}: {drivers}")
            cites += ctx.sources_of(result)
        if racing_class in poles:
            entry, result = poles[racing_class]
            places.append(words(ctx.lang)["class pole"].format(car=car_and_model(ctx, entry)))
            cites += ctx.sources_of(result)
        makers = head_to_head(ctx, by_class[racing_class])
        if makers:
            places.append(makers)
        lines.append(
            Line(
                ctx.label(racing_class),
                ctx.cite(cites),
                str(racing_class),
                details=tuple(Line(p) for p in places),
            )
        )
    return lines, len(by_class)


def head_to_head(ctx: Context, ranked: list[tuple[int, URIRef, URIRef]]) -> str:
    """ "Makers: Porsche 1st, Acura 2nd, Cadillac 3rd, BMW 7th": each maker's best place
    in the class, best first; "" when one maker had the class to itself."""
    from kg.model.wording import ordinal

    best: dict[str, int] = {}
    for place, entry, _ in ranked:
        maker = ctx.one(entry, MS.manufacturer)
        if maker is not None:
            name = ctx.label(maker)
            best[name] = min(place, best.get(name, place))
    if len(best) < 2:
        return ""
    order = sorted(best.items(), key=lambda item: (item[1], item[0]))
    text = ", ".join(f"{name} {ordinal(place, ctx.lang)}" for name, place in order)
    return words(ctx.lang)["makers head to head"].format(makers=text)
