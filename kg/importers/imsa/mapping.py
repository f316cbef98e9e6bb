"""Rows of IMSA results, weather and laps files mapped to RDF in the ontology's terms.

The mapping is plain Python over the csv module: the files need derived
values (class positions, laps behind the class winner, the class's fastest
lap, line-ups joined to the laps file) and entity resolution, which a
declarative mapping such as RML could express only with custom functions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS, XSD
from rdflib.term import Node

from kg.importers.imsa.reading import (
    FileContext,
    Table,
    decimal_number,
    duration_literal,
    duration_seconds,
    fail,
    is_whole_number,
    longest_time,
    read_table,
    seconds_literal,
    whole_number,
)
from kg.importers.imsa.triples import Builder, SessionEnd, context_triples
from kg.importers.resolution import DriverName, Resolved, Resolver, Rules
from kg.model.namespaces import MS, MSR, MSV

MAX_DRIVERS = 6
CAR_NUMBER = re.compile(r"[0-9A-Za-z]{1,5}")


# --- Results files -------------------------------------------------------------------------


@dataclass(frozen=True)
class CarRow:
    line: int
    number: str
    position: int | None
    class_name: str
    status: URIRef | None
    laps: int | None
    best_time: Literal | None
    row: dict[str, str]


def _lineup(table: Table, line: int, row: dict[str, str]) -> list[DriverName]:
    drivers = []
    for index in range(1, MAX_DRIVERS + 1):
        first = row.get(f"DRIVER{index}_FIRSTNAME", "").strip()
        last = row.get(f"DRIVER{index}_SECONDNAME", "").strip()
        if not first and not last:
            continue
        imsa_id = row.get(f"DRIVER{index}_IMSA_DriverId", "").strip()
        if imsa_id and not is_whole_number(imsa_id):
            raise fail(table, line, f"DRIVER{index}_IMSA_DriverId", imsa_id, "a whole number")
        drivers.append(DriverName(first, last, imsa_id))
    return drivers


@dataclass(frozen=True)
class ClassStandings:
    """Derived for each class, by car number: positions, laps behind the winner, fastest."""

    class_position: Mapping[str, int]
    laps_behind: Mapping[str, int]
    class_fastest: frozenset[str]
    # Races: whether the car took the chequered flag (its total time is at least the
    # winner's), by car number; the files mark every starter "Classified".
    running: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ResultsSheet:
    """One results file being mapped: what the triples of each of its cars share."""

    table: Table
    resolver: Resolver
    builder: Builder
    event: URIRef
    session: URIRef
    base: str  # the session's key, which begins every IRI of the file
    start_date: Literal
    race: bool
    standings: ClassStandings


def results(
    table: Table, context: FileContext, resolver: Resolver, builder: Builder, race: bool
) -> None:
    """A results file: its session, then each car's entry, result and fastest lap."""
    event, session = context_triples(
        builder,
        context,
        resolver,
        table.data,
        "race results" if race else "results",
        _longest(table, "TOTAL_TIME", "total time") if race else SessionEnd(),
    )
    builder.fact(session, MS.entriesComplete, Literal(True))
    start_date = Literal(context.session_start.date().isoformat(), datatype=XSD.date)
    cars = _car_rows(table, resolver.rules, race)
    standings = _class_standings(cars, race)
    if race:
        standings = replace(standings, running=_running_at_finish(table, cars))
    base = f"{context.session_key}"
    sheet = ResultsSheet(
        table, resolver, builder, event, session, base, start_date, race, standings
    )
    for car in cars:
        _car_triples(sheet, car)


def _longest(table: Table, column: str, what: str) -> SessionEnd:
    """The session ran at least as long as the longest time in `column`: a race's
    TOTAL_TIME (the last car to take the flag) or a lap chart's ELAPSED."""
    longest = longest_time(table, column)
    if longest is None:
        return SessionEnd()
    return SessionEnd(longest[0], f"the longest {what} in the file ({column} {longest[1]})")


def _car_rows(table: Table, rules: Rules, race: bool) -> list[CarRow]:
    """Every row as a car: one row per car number, and in a race a known status."""
    cars: list[CarRow] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        number = car_number(table, line, row)
        if number in seen:
            raise fail(table, line, "NUMBER", number, f"new (line {seen[number]} has the same car)")
        seen[number] = line
        status: URIRef | None = None
        if race:
            published = row["STATUS"].strip()
            mapped = rules.statuses.get(published)
            if mapped is None:
                known = ", ".join(sorted(rules.statuses))
                raise fail(table, line, "STATUS", published, f"a known status ({known})")
            status = URIRef(mapped)
        position_column = "POSITION" if race else "POS"
        best_column = "FL_TIME" if race else "TIME"
        cars.append(
            CarRow(
                line=line,
                number=number,
                position=whole_number(table, line, row, position_column),
                class_name=row["CLASS"].strip(),
                status=status,
                laps=whole_number(table, line, row, "LAPS"),
                best_time=duration_literal(table, line, row, best_column),
                row=row,
            )
        )
    _check_positions(table, cars, "POSITION" if race else "POS")
    return cars


def car_number(table: Table, line: int, row: dict[str, str]) -> str:
    """The row's car number: it names the entry, result and laps (their IRIs), so only
    letters and digits ("7", "01")."""
    number = row["NUMBER"].strip()
    if CAR_NUMBER.fullmatch(number) is None:
        raise fail(
            table, line, "NUMBER", number, "a car number (1 to 5 letters or digits, e.g. 01)"
        )
    return number


def _check_positions(table: Table, cars: Sequence[CarRow], column: str) -> None:
    """Overall positions run from 1 to the number of cars, one car each: the class
    positions and laps behind are derived from them, so a wrong one would spread."""
    taken: dict[int, int] = {}
    for car in cars:
        if car.position is None:
            continue
        if not 1 <= car.position <= len(cars):
            expected = f"a position from 1 to {len(cars)} (the file lists {len(cars)} cars)"
            raise fail(table, car.line, column, str(car.position), expected)
        if car.position in taken:
            expected = f"a position of its own (line {taken[car.position]} has it too)"
            raise fail(table, car.line, column, str(car.position), expected)
        taken[car.position] = car.line


def _running_at_finish(table: Table, cars: Sequence[CarRow]) -> dict[str, bool]:
    """Which cars took the chequered flag: a car that did crossed the line after the
    overall winner, so its TOTAL_TIME is at least the winner's; one that stopped earlier
    (Sebring 2023: the #6 Porsche, 315 laps in 11:40:32 of a race won in 12:00:53) has
    a shorter one. Cars without a total time, and every car when the winner has none,
    are left unsaid."""
    totals: dict[str, Decimal] = {}
    for car in cars:
        total = duration_literal(table, car.line, car.row, "TOTAL_TIME")
        if total is not None and car.status != MSV.DidNotStart:
            totals[car.number] = duration_seconds(total)
    winner = next((c for c in cars if c.position == 1 and c.number in totals), None)
    if winner is None:
        return {}
    return {number: seconds >= totals[winner.number] for number, seconds in totals.items()}


def _class_standings(cars: Sequence[CarRow], race: bool) -> ClassStandings:
    # Class positions, laps behind the class winner and the class's fastest lap are
    # derived: the files give overall positions only.
    by_class: dict[str, list[CarRow]] = defaultdict(list)
    for car in cars:
        if car.position is not None and car.status != MSV.DidNotStart:
            by_class[car.class_name].append(car)
    class_position: dict[str, int] = {}
    laps_behind: dict[str, int] = {}
    class_fastest: set[str] = set()
    for members in by_class.values():
        members.sort(key=lambda c: c.position or 0)
        winner_laps = members[0].laps
        for rank, car in enumerate(members, start=1):
            class_position[car.number] = rank
            if race and winner_laps is not None and car.laps is not None:
                laps_behind[car.number] = winner_laps - car.laps
        timed = [c for c in members if c.best_time is not None]
        if timed:
            best = min(duration_seconds(c.best_time) for c in timed)  # type: ignore[arg-type]
            class_fastest.update(c.number for c in timed if duration_seconds(c.best_time) == best)  # type: ignore[arg-type]
    return ClassStandings(class_position, laps_behind, frozenset(class_fastest))


def _car_triples(sheet: ResultsSheet, car: CarRow) -> None:
    """One car: its entry and drivers, its result and, if it set a time, its fastest lap."""
    entry = MSR[f"{sheet.base}-entry-{car.number}"]
    racing_class = _entry(sheet, car, entry)
    _result(sheet, car, entry)
    if car.best_time is not None:
        _fastest_lap(sheet, car, entry, racing_class)


def _entry(sheet: ResultsSheet, car: CarRow, entry: URIRef) -> URIRef:
    """The car's entry (team, car, class, maker, tyres, line-up) and its drivers' facts.

    Returns the entry's racing class, the scope of a class's fastest lap.
    """
    table, resolver, builder = sheet.table, sheet.resolver, sheet.builder
    event, session, rules = sheet.event, sheet.session, resolver.rules
    row, line = car.row, car.line
    team_resolved = resolver.team(row["TEAM"])
    team = builder.entity(team_resolved, MS.Team)
    model_resolved = resolver.car_model(row["VEHICLE"])
    model = builder.entity(model_resolved, MS.CarModel)
    racing_class = builder.entity(resolver.racing_class(car.class_name), MS.RacingClass)
    maker = resolver.manufacturer(row["IMSA_ManufacturerId"].strip(), row["VEHICLE"])
    manufacturer = builder.entity(maker, MS.Manufacturer) if maker is not None else None
    tyres = row["TIRES"].strip()
    drivers = _lineup(table, line, row)
    resolved_drivers = resolver.lineup(drivers, str(event), car.number)
    driver_iris = [builder.entity(r, MS.Person) for r in resolved_drivers]
    _published_names(builder, resolver, [team_resolved, model_resolved, *resolved_drivers])
    builder.claim(
        entry,
        MS.Entry,
        [
            (MS.event, event),
            (MS.session, session),
            (MS.carNumber, Literal(car.number)),
            (MS.entrant, team),
            (MS.entrantName, Literal(row["TEAM"])),
            (MS.carModel, model),
            (MS.racingClass, racing_class),
            (MS.manufacturer, manufacturer),
            (MS.tyreSupplier, Literal(rules.tyres.get(tyres, tyres)) if tyres else None),
            *[(MS.driver, iri) for iri in driver_iris],
        ],
    )
    for index, (driver, iri) in enumerate(zip(drivers, driver_iris, strict=True), start=1):
        _driver_facts(
            table,
            line,
            index,
            row,
            driver,
            iri,
            builder,
            rules.licence_grades,
            rules.countries,
            sheet.start_date,
        )
    return racing_class


def _published_names(builder: Builder, resolver: Resolver, linked: Sequence[Resolved]) -> None:
    """The file's full name of a team or driver whose curated labels spell it otherwise,
    as a sourced skos:altLabel: the file says "James Calado", the article "Calado"."""
    for resolved in linked:
        name = resolver.unlabelled_name(resolved)
        if name is not None:
            builder.fact(URIRef(resolved.iri), SKOS.altLabel, Literal(name, lang="en"))


def _result(sheet: ResultsSheet, car: CarRow, entry: URIRef) -> None:
    """The car's result: positions overall and in class, laps, status, time and gaps."""
    table, standings = sheet.table, sheet.standings
    row, line = car.row, car.line
    result = MSR[f"{sheet.base}-result-{car.number}"]
    gap_first = row["GAP_FIRST"].strip()
    gap_previous = row["GAP_PREVIOUS"].strip()
    total = duration_literal(table, line, row, "TOTAL_TIME") if sheet.race else None
    sheet.builder.claim(
        result,
        MS.Result,
        [
            (MS.entry, entry),
            (MS.session, sheet.session),
            (MS.overallPosition, _positive(car.position)),
            (MS.classPosition, _positive(standings.class_position.get(car.number))),
            (MS.lapsCompleted, _non_negative(car.laps)),
            (MS.lapsBehindClassWinner, _non_negative(standings.laps_behind.get(car.number))),
            (MS.runningAtFinish, _flag(standings.running.get(car.number))),
            (MS.resultStatus, car.status),
            (MS.totalTime, total),
            (MS.totalTimeSeconds, seconds_literal(total)),
            (MS.gapToFirst, Literal(gap_first) if gap_first not in ("", "-") else None),
            (
                MS.gapToPrevious,
                Literal(gap_previous) if gap_previous not in ("", "-") else None,
            ),
        ],
    )


def _flag(value: bool | None) -> Literal | None:
    return None if value is None else Literal(value)


def _fastest_lap(sheet: ResultsSheet, car: CarRow, entry: URIRef, racing_class: URIRef) -> None:
    """The car's best lap; scoped to its class when no car of the class was faster."""
    table, row, line = sheet.table, car.row, car.line
    lap_column, speed_column = ("FL_LAPNUM", "FL_KPH") if sheet.race else ("LAP", "KPH")
    lap_number = whole_number(table, line, row, lap_column)
    speed = decimal_number(table, line, row, speed_column)
    sheet.builder.claim(
        MSR[f"{sheet.base}-fastest-lap-{car.number}"],
        MS.FastestLap,
        [
            (MS.entry, entry),
            (MS.session, sheet.session),
            (MS.lapTime, car.best_time),
            (MS.lapTimeSeconds, seconds_literal(car.best_time)),
            (MS.lapNumber, _positive(lap_number)),
            (MS.speedKph, Literal(speed, datatype=XSD.decimal) if speed else None),
            (MS.scope, racing_class if car.number in sheet.standings.class_fastest else None),
        ],
    )


def _driver_facts(
    table: Table,
    line: int,
    index: int,
    row: dict[str, str],
    driver: DriverName,
    iri: URIRef,
    builder: Builder,
    grades: Mapping[str, str],
    countries: Mapping[str, str],
    valid_at: Literal,
) -> None:
    if driver.imsa_id:
        builder.fact(iri, MS.imsaDriverId, Literal(driver.imsa_id))
    licence = row.get(f"DRIVER{index}_LICENSE", "").strip()
    if licence:
        grade = grades.get(licence)
        if grade is None:
            known = ", ".join(sorted(grades))
            raise fail(table, line, f"DRIVER{index}_LICENSE", licence, f"a licence grade ({known})")
        builder.fact(iri, MS.licenceGrade, Literal(grade), valid_at)
    country = row.get(f"DRIVER{index}_COUNTRY", "").strip()
    # Some exports print "?" for an unknown country: that says nothing.
    if re.fullmatch(r"[A-Z]{3}", country):
        builder.fact(iri, MS.countryCode, Literal(country), valid_at)
        mapped = countries.get(country)
        if mapped is not None:
            builder.fact(iri, MS.nationality, URIRef(mapped))


def _positive(value: int | None) -> Literal | None:
    if value is None or value < 1:
        return None
    return Literal(str(value), datatype=XSD.integer)


def _non_negative(value: int | None) -> Literal | None:
    if value is None or value < 0:
        return None
    return Literal(str(value), datatype=XSD.integer)


# --- Weather files ---------------------------------------------------------------------------


def weather(table: Table, context: FileContext, resolver: Resolver, builder: Builder) -> None:
    window = _observation_window(context)
    _, session = context_triples(
        builder, context, resolver, table.data, "weather", _observed_span(table, window)
    )
    seen: dict[int, int] = {}
    for line, row in table.rows:
        stamp = whole_number(table, line, row, "TIME_UTC_SECONDS")
        if stamp is None or not window[0] <= stamp <= window[1]:
            expected = (
                "a UTC time in seconds within a week of the session's start "
                f"({context.session_start:%Y-%m-%d %H:%M} in the file name)"
            )
            raise fail(table, line, "TIME_UTC_SECONDS", row["TIME_UTC_SECONDS"], expected)
        if stamp in seen:
            raise fail(table, line, "TIME_UTC_SECONDS", str(stamp), f"new (line {seen[stamp]})")
        seen[stamp] = line
        observed = datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rain = row["RAIN"].strip()
        if rain not in ("", "-1", "0", "1"):
            raise fail(table, line, "RAIN", rain, "0, 1 or -1 (no reading)")
        direction = whole_number(table, line, row, "WIND_DIRECTION")

        def number(column: str, line: int = line, row: dict[str, str] = row) -> Literal | None:
            value = decimal_number(table, line, row, column)
            return Literal(value, datatype=XSD.decimal) if value is not None else None

        builder.claim(
            MSR[f"{context.session_key}-weather-{stamp}"],
            MS.WeatherObservation,
            [
                (MS.session, session),
                (MS.observedAt, Literal(observed, datatype=XSD.dateTime)),
                (MS.airTemperature, number("AIR_TEMP")),
                (MS.trackTemperature, number("TRACK_TEMP")),
                (MS.humidity, number("HUMIDITY")),
                (MS.airPressure, number("PRESSURE")),
                (MS.windSpeed, number("WIND_SPEED")),
                (MS.windDirection, Literal(direction) if direction is not None else None),
                # -1 is the timing system's "no rain reading": say nothing.
                (MS.rain, Literal(rain == "1") if rain in ("0", "1") else None),
            ],
        )


def _observation_window(context: FileContext) -> tuple[int, int]:
    """The UTC seconds a weather observation of the session can carry: within a week of
    the start in the file name (a 24-hour race and the time zone stay well inside)."""
    start = int(context.session_start.replace(tzinfo=UTC).timestamp())
    week = 7 * 24 * 3600
    return start - week, start + week


def _observed_span(table: Table, window: tuple[int, int]) -> SessionEnd:
    """The session ran at least from the first observation to the last.

    The observations are in UTC and the file name in local time, so only the span
    counts (the station reports from the session's start on). Stamps outside `window`
    are left out here: the row's own check rejects them.
    """
    stamps = [
        int(v)
        for _, row in table.rows
        if is_whole_number(v := row["TIME_UTC_SECONDS"].strip())
        and window[0] <= int(v) <= window[1]
    ]
    if len(stamps) < 2:
        return SessionEnd()
    seconds = max(stamps) - min(stamps)
    span = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return SessionEnd(
        timedelta(seconds=seconds),
        f"the span of its weather observations (TIME_UTC_SECONDS, {span})",
    )


# --- Laps files --------------------------------------------------------------------------------


def _sibling_lineups(context: FileContext, resolver: Resolver) -> dict[str, list[Resolved]]:
    """Line-ups of the same session's results file, to name each lap's driver."""
    sibling = context.path.with_name(f"{context.stamp}-{context.session_slug}-results.csv")
    if not sibling.is_file():
        return {}
    table = read_table(sibling, ("NUMBER",))
    event = resolver.event(context.folder_key, context.year, context.round_venue)
    lineups = {}
    for line, row in table.rows:
        number = car_number(table, line, row)
        lineups[number] = resolver.lineup(_lineup(table, line, row), event.iri, number)
    return lineups


def laps(table: Table, context: FileContext, resolver: Resolver, builder: Builder) -> None:
    ended = _longest(table, "ELAPSED", "elapsed time")
    context_triples(builder, context, resolver, table.data, "lap chart", ended)
    lineups = _sibling_lineups(context, resolver)
    resolver.take_notes()  # the results file reports its own resolutions
    seen: dict[tuple[str, int], int] = {}
    for line, row in table.rows:
        number = car_number(table, line, row)
        lap = whole_number(table, line, row, "LAP_NUMBER")
        if lap is None or lap < 1:
            raise fail(table, line, "LAP_NUMBER", row["LAP_NUMBER"], "a lap number")
        if (number, lap) in seen:
            raise fail(
                table,
                line,
                "LAP_NUMBER",
                str(lap),
                f"new for car {number} (line {seen[number, lap]})",
            )
        seen[number, lap] = line
        driver_index = whole_number(table, line, row, "DRIVER_NUMBER")
        lineup = lineups.get(number, [])
        driver: Node | None = None
        driver_name: Node | None = None
        if driver_index is not None and 1 <= driver_index <= len(lineup):
            resolved = lineup[driver_index - 1]
            driver = URIRef(resolved.iri)
            builder.entity(resolved, MS.Person)
        elif row["DRIVER_NAME"].strip():
            driver_name = Literal(row["DRIVER_NAME"].strip())
        pit = row["CROSSING_FINISH_LINE_IN_PIT"].strip()
        if pit not in ("", "B"):
            raise fail(table, line, "CROSSING_FINISH_LINE_IN_PIT", pit, "empty or B")
        speed = decimal_number(table, line, row, "KPH")
        builder.claim(
            MSR[f"{context.session_key}-lap-{number}-{lap}"],
            MS.Lap,
            [
                (MS.entry, MSR[f"{context.session_key}-entry-{number}"]),
                (MS.driver, driver),
                (MS.driverName, driver_name),
                (MS.lapNumber, Literal(str(lap), datatype=XSD.integer)),
                *_timed(MS.lapTime, MS.lapTimeSeconds, table, line, row, "LAP_TIME"),
                *_timed(MS.sectorTime1, MS.sectorTime1Seconds, table, line, row, "S1"),
                *_timed(MS.sectorTime2, MS.sectorTime2Seconds, table, line, row, "S2"),
                *_timed(MS.sectorTime3, MS.sectorTime3Seconds, table, line, row, "S3"),
                (MS.inPit, Literal(pit == "B")),
                *_timed(MS.elapsedTime, MS.elapsedTimeSeconds, table, line, row, "ELAPSED"),
                (MS.speedKph, Literal(speed, datatype=XSD.decimal) if speed else None),
            ],
        )


def _timed(
    duration_property: URIRef,
    seconds_property: URIRef,
    table: Table,
    line: int,
    row: dict[str, str],
    column: str,
) -> list[tuple[URIRef, Literal | None]]:
    """A clock time of the row as a duration, and its seconds beside it."""
    duration = duration_literal(table, line, row, column)
    return [(duration_property, duration), (seconds_property, seconds_literal(duration))]
