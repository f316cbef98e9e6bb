"""Official results in a briefing: two seasons of rows as a few lines per year, class and
car (starts, wins, podiums, class poles, best and average place), and which session
an official entry belongs to. The saved query season-summary counts the same way."""

from __future__ import annotations

from rdflib import URIRef

from kg.answers.briefing.context import Context
from kg.answers.briefing.model import Line
from kg.answers.briefing.words import words
from kg.model.namespaces import MS, MSV


def official_session(ctx: Context, entry: URIRef) -> tuple[URIRef, URIRef] | None:
    """(session, kind of session) of an official entry; None for a reported one."""
    if not any(ctx.is_official(s) for s in ctx.sources_of(entry)):
        return None
    session = ctx.one(entry, MS.session)
    kind = ctx.one(session, MS.sessionKind) if session is not None else None
    if not isinstance(session, URIRef) or not isinstance(kind, URIRef):
        return None
    return session, kind


def _class_place(ctx: Context, entry: URIRef) -> int | None:
    places = [ctx.one(r, MS.classPosition) for r in ctx.pointing(MS.entry, entry, MS.Result)]
    return next((int(str(p)) for p in places if p is not None), None)


def _retired(ctx: Context, entry: URIRef) -> bool:
    """Not running at the finish, as the importer derives it (ms:runningAtFinish)."""
    flags = [ctx.one(r, MS.runningAtFinish) for r in ctx.pointing(MS.entry, entry, MS.Result)]
    return any(str(flag) == "false" for flag in flags if flag is not None)


def _count(
    ctx: Context, entries: list[URIRef]
) -> tuple[dict[URIRef, int], set[tuple[str, str]], int]:
    """Official race entries with their class place, class poles as (event, car number)
    first in class in qualifying, and how many official rows there were."""
    races: dict[URIRef, int] = {}
    poles: set[tuple[str, str]] = set()
    summarised = 0
    for entry in entries:
        found = official_session(ctx, entry)
        if found is None:
            continue
        session, kind = found
        place = _class_place(ctx, entry)
        summarised += 1
        event = str(ctx.one(session, MS.partOfEvent) or ctx.one(entry, MS.event))
        if kind == MSV.Qualifying and place == 1:
            poles.add((event, str(ctx.one(entry, MS.carNumber))))
        elif kind == MSV.Race and place is not None:
            races[entry] = place
    return races, poles, summarised


def _season_lines(
    ctx: Context, races: dict[URIRef, int], poles: set[tuple[str, str]]
) -> list[Line]:
    """One line per year, class and car model, with the results files as citations."""
    from statistics import mean

    from kg.model.wording import count, ordinal

    groups: dict[tuple[str, str, str], list[URIRef]] = {}
    for entry in races:
        race = ctx.one(entry, MS.session)
        start = str(ctx.one(race, MS.startTime) or "") if race is not None else ""
        racing_class, model = ctx.one(entry, MS.racingClass), ctx.one(entry, MS.carModel)
        key = (
            start[:4],
            ctx.label(racing_class) if racing_class is not None else "?",
            ctx.label(model) if model is not None else "?",
        )
        groups.setdefault(key, []).append(entry)
    lines = []
    for (year, cls, car), group in sorted(groups.items()):
        places = [races[e] for e in group]
        events = {str(ctx.one(e, MS.event)) for e in group}
        pole_count = sum(
            (str(ctx.one(e, MS.event)), str(ctx.one(e, MS.carNumber))) in poles for e in group
        )
        average = f"{mean(places):.1f}"
        text = words(ctx.lang)["season line"].format(
            year=year,
            cls=cls,
            car=car,
            starts=count(len(group), "start", ctx.lang),
            rounds=count(len(events), "race", ctx.lang),
            wins=count(places.count(1), "win", ctx.lang),
            podiums=count(sum(p <= 3 for p in places), "podium", ctx.lang),
            retirements=count(sum(_retired(ctx, e) for e in group), "retirement", ctx.lang),
            poles=count(pole_count, "class pole", ctx.lang),
            best=ordinal(min(places), ctx.lang),
            average=average if ctx.lang == "en" else average.replace(".", ","),
        )
        lines.append(Line(text, ctx.cite({s for e in group for s in ctx.sources_of(e)})))
    return lines


def seasons_of(
    ctx: Context, entries: list[URIRef], show_all: bool
) -> tuple[list[Line], list[URIRef], str]:
    """Two seasons of official rows as a few lines: per year, class and car, the starts,
    wins, podiums, class poles, best and average class finish (the saved query
    season-summary counts the same way). Returns those lines, the entries still to list
    one by one (what a source reports, and the official twin of each; every official
    race with --all) and a note saying how many rows were summarised."""
    from kg.answers.briefing.races import twins
    from kg.model.wording import count

    races, poles, summarised = _count(ctx, entries)
    listed = [e for e in entries if official_session(ctx, e) is None]
    talked = {t for e in listed for t in twins(ctx, e)}
    # An official race a source talks about (its reported twin may not name this
    # driver: the article's #24 lists Eng and Vanthoor, the results Krohn too).
    talked |= {
        e for e in races if any(official_session(ctx, t) is None for t in twins(ctx, e) - {e})
    }
    if show_all:
        listed = sorted(set(listed) | set(races), key=str)
    else:
        listed = sorted(set(listed) | (talked & set(entries)), key=str)
    results = count(summarised, "official result", ctx.lang)
    note = words(ctx.lang)["season note"].format(n=results) if summarised and not show_all else ""
    return _season_lines(ctx, races, poles), listed, note
