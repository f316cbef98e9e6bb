"""`kg import imsa`: IMSA's official timing exports (Al Kamel CSV files) as RDF files.

Each CSV becomes one deterministic Turtle file (its own named graph when
loaded) that describes the file as an `ms:ResultsFile` (name, SHA-256,
publisher, importer version) and states every fact in it as a claim with
`ms:statedIn` that document, in the ontology's own terms (docs/imsa-import.md).

The mapping is plain Python over the csv module: the files need derived
values (class positions, laps behind the class winner, the class's fastest
lap, line-ups joined to the laps file) and entity resolution, which a
declarative mapping such as RML could express only with custom functions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD
from rdflib.term import Node

from kg import __version__
from kg.importers.resolution import DriverName, Note, Resolved, Resolver
from kg.model.errors import InputError, UsageError
from kg.model.fileio import write_atomically
from kg.model.files import display_path
from kg.model.namespaces import MS, MSR, MSV, PREFIXES, SCHEMA

Triple = tuple[Node, Node, Node]

PUBLISHER = MSR["imsa"]
TIMING_PROVIDER = MSR["al-kamel-systems"]
TIMING_PROVIDER_LABEL = "Al Kamel Systems"
SERIES = MSR["imsa-weathertech-sportscar-championship"]

FILE_NAME = re.compile(
    r"^(?P<stamp>\d{12})-(?P<session>[a-z0-9-]+?)-(?P<kind>results|weather|laps)$"
)
YEAR_FOLDER = re.compile(r"^\d{4}$")
ROUND_FOLDER = re.compile(r"^\d{2}-[a-z0-9.-]+$")
MAX_DRIVERS = 6

RACE_RESULT_COLUMNS = (
    "POSITION", "NUMBER", "STATUS", "LAPS", "TOTAL_TIME", "GAP_FIRST", "GAP_PREVIOUS",
    "FL_LAPNUM", "FL_TIME", "FL_KPH", "TEAM", "CLASS", "VEHICLE", "TIRES",
    "IMSA_ManufacturerId",
)  # fmt: skip
SESSION_RESULT_COLUMNS = (
    "POS", "NUMBER", "LAP", "TIME", "GAP_FIRST", "GAP_PREVIOUS", "KPH", "LAPS", "TEAM",
    "CLASS", "VEHICLE", "TIRES", "IMSA_ManufacturerId",
)  # fmt: skip
DRIVER_COLUMNS = ("FIRSTNAME", "SECONDNAME", "LICENSE", "COUNTRY", "IMSA_DriverId")
WEATHER_COLUMNS = (
    "TIME_UTC_SECONDS", "AIR_TEMP", "TRACK_TEMP", "HUMIDITY", "PRESSURE", "WIND_SPEED",
    "WIND_DIRECTION", "RAIN",
)  # fmt: skip
LAP_COLUMNS = (
    "NUMBER", "DRIVER_NUMBER", "LAP_NUMBER", "LAP_TIME", "CROSSING_FINISH_LINE_IN_PIT",
    "S1", "S2", "S3", "KPH", "ELAPSED", "DRIVER_NAME",
)  # fmt: skip

SESSION_KINDS = {"race": MSV.Race, "qualifying": MSV.Qualifying, "practice": MSV.Practice}


# --- Results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedFile:
    """One CSV converted: where its RDF went and whether the bytes changed."""

    source: Path
    output: Path
    kind: str
    triples: int
    written: bool
    sha256: str


@dataclass(frozen=True)
class FailedFile:
    source: Path
    message: str


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[ImportedFile, ...]
    failed: tuple[FailedFile, ...]
    notes: tuple[Note, ...]

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class Converted:
    """A CSV turned into triples and Turtle text, not yet written."""

    source: Path
    output: Path
    kind: str
    triples: tuple[Triple, ...]
    turtle: str
    sha256: str
    notes: tuple[Note, ...]


class RowError(InputError):
    """A value in a row that does not parse: names the file, line and column."""


# --- Reading CSV -----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]  # (line number, values by column)


def read_table(path: Path, required: Sequence[str]) -> Table:
    """Read one CSV strictly: UTF-8 (BOM allowed), a header, equal-width rows."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{shown}: cannot be read: {error.strerror}") from error
    if not data.strip():
        raise InputError(f"{shown}: the file is empty; re-export it from the timing site")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            f"{shown}: line {line}, column {column}: byte 0x{data[error.start]:02x} is not "
            "UTF-8; IMSA exports are UTF-8, so the file was re-saved in another encoding: "
            "use the original download or convert it to UTF-8"
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        raw_header = next(reader)
    except csv.Error as error:
        raise InputError(f"{shown}: line 1: not CSV: {error}") from error
    # The laps file separates its header with ", "; values never carry padding.
    header = tuple(name.strip() for name in raw_header)
    missing = [name for name in required if name not in header]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in raw_header[0] for sep in (";", "\t", "|")):
            hint = " (the file seems to use another delimiter than a comma)"
        raise InputError(
            f"{shown}: line 1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}{hint}; is this an IMSA results, weather or laps export?"
        )
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise InputError(
            f"{shown}: line {last}: the last line has no line end: the file is truncated; "
            "download it again"
        )
    # Results rows stop after their last driver: shorter rows are padded, but
    # every row must reach the columns the import reads.
    needed = max(header.index(name) for name in required) + 1
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not values:
                continue
            if len(values) > len(header) or len(values) < needed:
                raise InputError(
                    f"{shown}: line {line}: {len(values)} fields where the header has "
                    f"{len(header)}; the row is cut short or its delimiter is wrong"
                )
            values = values + [""] * (len(header) - len(values))
            rows.append((line, dict(zip(header, values, strict=True))))
    except csv.Error as error:
        raise InputError(f"{shown}: line {reader.line_num}: not valid CSV: {error}") from error
    if not rows:
        raise InputError(f"{shown}: a header but no rows; the export is incomplete")
    return Table(path, header, tuple(rows))


def _fail(table: Table, line: int, column: str, value: str, expected: str) -> RowError:
    return RowError(
        f"{display_path(table.path)}: line {line}, column {column}: {value!r} is not "
        f"{expected}; fix the row or re-export the file"
    )


def _int(table: Table, line: int, row: dict[str, str], column: str) -> int | None:
    value = row[column].strip()
    if not value:
        return None
    if not value.isdigit():
        raise _fail(table, line, column, value, "a whole number")
    return int(value)


def _decimal(table: Table, line: int, row: dict[str, str], column: str) -> str | None:
    value = row[column].strip()
    if not value:
        return None
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise _fail(table, line, column, value, "a decimal number")
    return value


TIME = re.compile(r"^(?:(?:(?P<h>\d+):)?(?P<m>\d+):)?(?P<s>\d+(?:\.\d+)?)$")


def _duration(table: Table, line: int, row: dict[str, str], column: str) -> Literal | None:
    """A clock time as published ("1:35.605", "23:58:24.723") as an xsd:duration."""
    value = row[column].strip()
    if not value:
        return None
    match = TIME.match(value)
    if match is None:
        raise _fail(table, line, column, value, "a time such as 1:35.605")
    hours, minutes = int(match["h"] or 0), int(match["m"] or 0)
    seconds = match["s"].lstrip("0") or "0"
    if seconds.startswith("."):
        seconds = "0" + seconds
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return Literal(text + f"{seconds}S", datatype=XSD.duration)


# --- Building triples ------------------------------------------------------------------


class Builder:
    """Triples of one file plus the ms:Statement for every plain fact."""

    def __init__(self, document: URIRef, key: str, labels: Mapping[str, str]) -> None:
        self.document = document
        self.key = key
        self.labels = labels
        self.triples: set[Triple] = set()

    def add(self, subject: Node, predicate: Node, obj: Node | None) -> None:
        if obj is not None:
            self.triples.add((subject, predicate, obj))

    def claim(
        self,
        node: URIRef,
        cls: URIRef,
        values: Iterable[tuple[URIRef, Node | None]],
        stated: bool = True,
    ) -> None:
        self.add(node, RDF.type, cls)
        if stated:
            self.add(node, MS.statedIn, self.document)
        for predicate, obj in values:
            self.add(node, predicate, obj)

    def fact(
        self, subject: URIRef, predicate: URIRef, obj: Node, valid_at: Node | None = None
    ) -> None:
        """A plain binary fact: the triple, and an ms:Statement that sources it."""
        self.add(subject, predicate, obj)
        digest = hashlib.sha1(
            f"{subject.n3()} {predicate.n3()} {obj.n3()}".encode(), usedforsecurity=False
        ).hexdigest()[:12]
        statement = MSR[f"{self.key}-statement-{digest}"]
        self.claim(
            statement,
            MS.Statement,
            [
                (RDF.subject, subject),
                (RDF.predicate, predicate),
                (RDF.object, obj),
                (MS.validAt, valid_at),
            ],
        )

    def entity(self, resolved: Resolved, cls: URIRef) -> URIRef:
        """Type a resolved entity; only entities created here get a label here."""
        iri = URIRef(resolved.iri)
        self.add(iri, RDF.type, cls)
        if resolved.created:
            label = self.labels.get(resolved.iri, resolved.label)
            self.add(iri, SKOS.prefLabel, Literal(label, lang="en"))
        return iri


# --- The file's context: event, session, document ---------------------------------------


@dataclass(frozen=True)
class FileContext:
    path: Path
    year: str
    round_venue: str
    stamp: str
    session_slug: str
    kind: str

    @property
    def folder_key(self) -> str:
        return f"{self.year}/{self.round_venue}"

    @property
    def event_key(self) -> str:
        return f"imsa-{self.year}-{self.round_venue}"

    @property
    def session_key(self) -> str:
        return f"{self.event_key}-{self.session_slug}"

    @property
    def document_key(self) -> str:
        return f"{self.event_key}-{self.path.stem}"

    @property
    def session_start(self) -> datetime:
        return datetime.strptime(self.stamp, "%Y%m%d%H%M")

    @property
    def output_relative(self) -> Path:
        return Path(self.year) / self.round_venue / f"{self.path.stem}.ttl"


def file_context(path: Path) -> FileContext:
    """Where a file sits tells its season and event; its name, the session and kind."""
    shown = display_path(path)
    if path.suffix.lower() != ".csv":
        raise InputError(f"{shown}: not a CSV file; IMSA exports end in .csv")
    match = FILE_NAME.match(path.stem)
    if match is None:
        raise InputError(
            f"{shown}: not an IMSA results, weather or laps file: the name should be "
            "<YYYYMMDDHHMM>-<session>-<results|weather|laps>.csv, as published"
        )
    round_venue, year = path.parent.name, path.parent.parent.name
    if not ROUND_FOLDER.match(round_venue) or not YEAR_FOLDER.match(year):
        raise InputError(
            f"{shown}: cannot tell the event: keep the published layout "
            "<year>/<round>-<venue>/<file>.csv (e.g. 2024/02-daytona-international-speedway/)"
        )
    try:
        datetime.strptime(match["stamp"], "%Y%m%d%H%M")
    except ValueError as error:
        raise InputError(
            f"{shown}: {match['stamp']!r} in the name is not a date and time"
        ) from error
    if match["stamp"][:4] != year:
        raise InputError(f"{shown}: the file name's year is not the folder's year {year}")
    return FileContext(path, year, round_venue, match["stamp"], match["session"], match["kind"])


def _session_kind(session_slug: str) -> URIRef | None:
    return SESSION_KINDS.get(session_slug.split("-")[0])


def _context_triples(
    builder: Builder, context: FileContext, resolver: Resolver, data: bytes, kind_label: str
) -> tuple[URIRef, URIRef]:
    """The document, season, event and session, each fact sourced to the document."""
    doc = builder.document
    start = context.session_start
    builder.claim(
        doc,
        MS.ResultsFile,
        [
            (DCTERMS.language, Literal("en", datatype=XSD.language)),
            (SCHEMA.publisher, PUBLISHER),
            (PROV.wasAttributedTo, TIMING_PROVIDER),
            (MS.sourceFileName, Literal(context.path.name)),
            (MS.sha256, Literal(hashlib.sha256(data).hexdigest())),
            (MS.importerVersion, Literal(__version__)),
            (MS.publishedNotBefore, Literal(start.date().isoformat(), datatype=XSD.date)),
            (
                MS.publicationDateNote,
                Literal(
                    "The export carries no publication date. It cannot predate the session it "
                    "reports, which started at the local time in its file name "
                    f"({start.isoformat(timespec='minutes')}).",
                    lang="en",
                ),
            ),
            (
                MS.summary,
                Literal(
                    f"IMSA official {kind_label} of the session '{context.session_slug}' "
                    f"({context.folder_key}), exported by Al Kamel Systems.",
                    lang="en",
                ),
            ),
        ],
        stated=False,
    )
    builder.add(TIMING_PROVIDER, RDF.type, MS.Organisation)
    builder.add(TIMING_PROVIDER, SKOS.prefLabel, Literal(TIMING_PROVIDER_LABEL, lang="en"))
    builder.add(PUBLISHER, RDF.type, MS.Publisher)

    season = MSR[f"imsa-wtscc-{context.year}"]
    builder.entity(
        Resolved(str(season), True, f"IMSA WeatherTech SportsCar Championship {context.year}"),
        MS.Season,
    )
    builder.fact(season, MS.series, SERIES)
    builder.fact(season, MS.year, Literal(context.year, datatype=XSD.gYear))

    event_resolved = resolver.event(context.folder_key, context.year, context.round_venue)
    event = builder.entity(event_resolved, MS.Event)
    builder.fact(event, MS.season, season)

    session = builder.entity(
        resolver.session(context.session_key, context.folder_key, context.session_slug),
        MS.Session,
    )
    builder.fact(session, MS.partOfEvent, event)
    kind = _session_kind(context.session_slug)
    if kind is not None:
        builder.fact(session, MS.sessionKind, kind)
    builder.fact(
        session, MS.startTime, Literal(start.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    )
    return event, session


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
        if imsa_id and not imsa_id.isdigit():
            raise _fail(table, line, f"DRIVER{index}_IMSA_DriverId", imsa_id, "a whole number")
        drivers.append(DriverName(first, last, imsa_id))
    return drivers


def _results(
    table: Table, context: FileContext, resolver: Resolver, builder: Builder, race: bool
) -> None:
    event, session = _context_triples(
        builder, context, resolver, context.path.read_bytes(), "race results" if race else "results"
    )
    builder.fact(session, MS.entriesComplete, Literal(True))
    start_date = Literal(context.session_start.date().isoformat(), datatype=XSD.date)
    rules = resolver.rules
    cars: list[CarRow] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        number = row["NUMBER"].strip()
        if not number:
            raise _fail(table, line, "NUMBER", number, "a car number")
        if number in seen:
            raise _fail(
                table, line, "NUMBER", number, f"new (line {seen[number]} has the same car)"
            )
        seen[number] = line
        status: URIRef | None = None
        if race:
            published = row["STATUS"].strip()
            mapped = rules.statuses.get(published)
            if mapped is None:
                known = ", ".join(sorted(rules.statuses))
                raise _fail(table, line, "STATUS", published, f"a known status ({known})")
            status = URIRef(mapped)
        position_column = "POSITION" if race else "POS"
        best_column = "FL_TIME" if race else "TIME"
        cars.append(
            CarRow(
                line=line,
                number=number,
                position=_int(table, line, row, position_column),
                class_name=row["CLASS"].strip(),
                status=status,
                laps=_int(table, line, row, "LAPS"),
                best_time=_duration(table, line, row, best_column),
                row=row,
            )
        )

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
            best = min(_seconds(c.best_time) for c in timed)  # type: ignore[arg-type]
            class_fastest.update(c.number for c in timed if _seconds(c.best_time) == best)  # type: ignore[arg-type]

    for car in cars:
        row, line = car.row, car.line
        base = f"{context.session_key}"
        entry = MSR[f"{base}-entry-{car.number}"]
        team = builder.entity(resolver.team(row["TEAM"]), MS.Team)
        model = builder.entity(resolver.car_model(row["VEHICLE"]), MS.CarModel)
        racing_class = builder.entity(resolver.racing_class(car.class_name), MS.RacingClass)
        maker = resolver.manufacturer(row["IMSA_ManufacturerId"].strip(), row["VEHICLE"])
        manufacturer = builder.entity(maker, MS.Manufacturer) if maker is not None else None
        tyres = row["TIRES"].strip()
        drivers = _lineup(table, line, row)
        resolved_drivers = resolver.lineup(drivers, str(event), car.number)
        driver_iris = [builder.entity(r, MS.Person) for r in resolved_drivers]
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
                start_date,
            )

        result = MSR[f"{base}-result-{car.number}"]
        gap_first = row["GAP_FIRST"].strip()
        gap_previous = row["GAP_PREVIOUS"].strip()
        total = _duration(table, line, row, "TOTAL_TIME") if race else None
        builder.claim(
            result,
            MS.Result,
            [
                (MS.entry, entry),
                (MS.session, session),
                (MS.overallPosition, _positive(car.position)),
                (MS.classPosition, _positive(class_position.get(car.number))),
                (MS.lapsCompleted, _non_negative(car.laps)),
                (MS.lapsBehindClassWinner, _non_negative(laps_behind.get(car.number))),
                (MS.resultStatus, car.status),
                (MS.totalTime, total),
                (MS.gapToFirst, Literal(gap_first) if gap_first not in ("", "-") else None),
                (
                    MS.gapToPrevious,
                    Literal(gap_previous) if gap_previous not in ("", "-") else None,
                ),
            ],
        )
        if car.best_time is not None:
            lap_column, speed_column = ("FL_LAPNUM", "FL_KPH") if race else ("LAP", "KPH")
            lap_number = _int(table, line, row, lap_column)
            speed = _decimal(table, line, row, speed_column)
            builder.claim(
                MSR[f"{base}-fastest-lap-{car.number}"],
                MS.FastestLap,
                [
                    (MS.entry, entry),
                    (MS.session, session),
                    (MS.lapTime, car.best_time),
                    (MS.lapNumber, _positive(lap_number)),
                    (MS.speedKph, Literal(speed, datatype=XSD.decimal) if speed else None),
                    (MS.scope, racing_class if car.number in class_fastest else None),
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
            raise _fail(
                table, line, f"DRIVER{index}_LICENSE", licence, f"a licence grade ({known})"
            )
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


def _seconds(duration: Literal) -> float:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?([\d.]+)S", str(duration))
    assert match is not None
    return int(match[1] or 0) * 3600 + int(match[2] or 0) * 60 + float(match[3])


# --- Weather files ---------------------------------------------------------------------------


def _weather(table: Table, context: FileContext, resolver: Resolver, builder: Builder) -> None:
    _, session = _context_triples(builder, context, resolver, context.path.read_bytes(), "weather")
    seen: dict[int, int] = {}
    for line, row in table.rows:
        stamp = _int(table, line, row, "TIME_UTC_SECONDS")
        if stamp is None:
            raise _fail(table, line, "TIME_UTC_SECONDS", "", "a UTC time in seconds")
        if stamp in seen:
            raise _fail(table, line, "TIME_UTC_SECONDS", str(stamp), f"new (line {seen[stamp]})")
        seen[stamp] = line
        observed = datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rain = row["RAIN"].strip()
        if rain not in ("", "-1", "0", "1"):
            raise _fail(table, line, "RAIN", rain, "0, 1 or -1 (no reading)")
        direction = _int(table, line, row, "WIND_DIRECTION")

        def number(column: str, line: int = line, row: dict[str, str] = row) -> Literal | None:
            value = _decimal(table, line, row, column)
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
        number = row["NUMBER"].strip()
        lineups[number] = resolver.lineup(_lineup(table, line, row), event.iri, number)
    return lineups


def _laps(table: Table, context: FileContext, resolver: Resolver, builder: Builder) -> None:
    _context_triples(builder, context, resolver, context.path.read_bytes(), "lap chart")
    lineups = _sibling_lineups(context, resolver)
    resolver.take_notes()  # the results file reports its own resolutions
    seen: dict[tuple[str, int], int] = {}
    for line, row in table.rows:
        number = row["NUMBER"].strip()
        lap = _int(table, line, row, "LAP_NUMBER")
        if not number or lap is None or lap < 1:
            raise _fail(table, line, "LAP_NUMBER", row["LAP_NUMBER"], "a lap number")
        if (number, lap) in seen:
            raise _fail(
                table,
                line,
                "LAP_NUMBER",
                str(lap),
                f"new for car {number} (line {seen[number, lap]})",
            )
        seen[number, lap] = line
        driver_index = _int(table, line, row, "DRIVER_NUMBER")
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
            raise _fail(table, line, "CROSSING_FINISH_LINE_IN_PIT", pit, "empty or B")
        speed = _decimal(table, line, row, "KPH")
        builder.claim(
            MSR[f"{context.session_key}-lap-{number}-{lap}"],
            MS.Lap,
            [
                (MS.entry, MSR[f"{context.session_key}-entry-{number}"]),
                (MS.driver, driver),
                (MS.driverName, driver_name),
                (MS.lapNumber, Literal(str(lap), datatype=XSD.integer)),
                (MS.lapTime, _duration(table, line, row, "LAP_TIME")),
                (MS.sectorTime1, _duration(table, line, row, "S1")),
                (MS.sectorTime2, _duration(table, line, row, "S2")),
                (MS.sectorTime3, _duration(table, line, row, "S3")),
                (MS.inPit, Literal(pit == "B")),
                (MS.elapsedTime, _duration(table, line, row, "ELAPSED")),
                (MS.speedKph, Literal(speed, datatype=XSD.decimal) if speed else None),
            ],
        )


# --- Converting and writing ----------------------------------------------------------------------


def _required_columns(context: FileContext, path: Path) -> tuple[Sequence[str], str]:
    if context.kind == "weather":
        return WEATHER_COLUMNS, "weather"
    if context.kind == "laps":
        return LAP_COLUMNS, "laps"
    head = path.read_bytes()[:4096].decode("utf-8-sig", errors="replace").split("\n", 1)[0]
    names = {name.strip() for name in head.split(",")}
    if "POSITION" in names or "POS" not in names:
        race = (*RACE_RESULT_COLUMNS, *_driver_columns())
        return race, "race results"
    return (*SESSION_RESULT_COLUMNS, *_driver_columns()), "session results"


def _driver_columns() -> list[str]:
    return [f"DRIVER1_{name}" for name in DRIVER_COLUMNS]


def convert(path: Path, resolver: Resolver) -> Converted:
    """Read one CSV and build its RDF; raises InputError and writes nothing on bad input."""
    context = file_context(path)
    required, kind = _required_columns(context, path)
    table = read_table(path, required)
    data = path.read_bytes()
    document = MSR[f"{context.document_key}"]
    builder = Builder(document, context.document_key, resolver.rules.labels)
    resolver.take_notes()
    if kind == "weather":
        _weather(table, context, resolver, builder)
    elif kind == "laps":
        _laps(table, context, resolver, builder)
    else:
        _results(table, context, resolver, builder, race=kind == "race results")
    triples = tuple(sorted(builder.triples, key=_sort_key))
    header = (
        f"# Imported by kg import imsa {__version__} from {context.folder_key}/{path.name}\n"
        f"# (sha256 {hashlib.sha256(data).hexdigest()}). Generated: do not edit; re-import.\n"
    )
    return Converted(
        source=path,
        output=context.output_relative,
        kind=kind,
        triples=triples,
        turtle=header + to_turtle(triples),
        sha256=hashlib.sha256(data).hexdigest(),
        notes=tuple(resolver.take_notes()),
    )


def _sort_key(triple: Triple) -> tuple[str, int, str, str]:
    subject, predicate, obj = triple
    # rdf:type first in each subject's block, then predicates and objects in order.
    return (str(subject), 0 if predicate == RDF.type else 1, str(predicate), obj.n3())


def to_turtle(triples: Sequence[Triple]) -> str:
    """Sorted triples as Turtle, written by pyoxigraph (rdflib is ~20x slower here).

    pyoxigraph writes in the order given and groups a subject's triples, so
    sorted input gives the same bytes on every run.
    """
    import pyoxigraph as ox

    def term(node: Node) -> ox.NamedNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        assert isinstance(node, Literal)
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))

    used = {"ms", "msr", "msv", "rdf", "skos", "xsd", "dcterms", "prov", "schema"}
    prefixes = {name: iri for name, iri in PREFIXES.items() if name in used}
    converted = [
        ox.Triple(term(s), term(p), term(o))  # type: ignore[arg-type]
        for s, p, o in triples
    ]
    output = ox.serialize(converted, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert isinstance(output, bytes)
    return output.decode("utf-8")


def find_csv_files(paths: Sequence[Path]) -> list[Path]:
    """The CSV files named, or found below named folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.csv") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    if not unique:
        raise UsageError(f"no .csv files in {', '.join(str(p) for p in paths)}")
    return unique


def import_files(
    paths: Sequence[Path],
    out_dir: Path,
    resolver: Resolver,
    keep_going: bool = False,
    progress: Callable[[int, int, Path], None] | None = None,
) -> ImportReport:
    """Convert every file first, then write: a bad file is never half-imported.

    Without `keep_going`, one bad file stops the import before anything is
    written; with it, the good files are written and the bad ones listed.
    """
    files = find_csv_files(paths)
    converted: list[Converted] = []
    failed: list[FailedFile] = []
    for number, path in enumerate(files, start=1):
        if progress is not None:
            progress(number, len(files), path)
        try:
            converted.append(convert(path, resolver))
        except InputError as error:
            failed.append(FailedFile(path, error.message))
            if not keep_going:
                break
    if failed and not keep_going:
        return ImportReport((), tuple(failed), ())
    imported = []
    notes: list[Note] = []
    for item in converted:
        target = out_dir / item.output
        written = write_atomically(target, item.turtle)
        imported.append(
            ImportedFile(item.source, target, item.kind, len(item.triples), written, item.sha256)
        )
        notes.extend(item.notes)
    return ImportReport(tuple(imported), tuple(failed), tuple(dict.fromkeys(notes)))
