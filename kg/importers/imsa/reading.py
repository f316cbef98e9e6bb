"""Reading IMSA's CSV exports: finding the files, telling their kind and event from
where they sit and what they are called, decoding them strictly, checking headers,
and parsing a row's values (numbers, clock times) with errors that name the cell."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import XSD

from kg.model.errors import InputError, UsageError
from kg.model.files import display_path

FILE_NAME = re.compile(
    r"^(?P<stamp>[0-9]{12})-(?P<session>[a-z0-9-]+?)-(?P<kind>results|weather|laps)$"
)
YEAR_FOLDER = re.compile(r"^(?:19|20)[0-9]{2}$")  # a season of IMSA timing
ROUND_FOLDER = re.compile(r"^[0-9]{2}-[a-z0-9.-]+$")

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


# --- Reading CSV -----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]  # (line number, values by column)
    data: bytes  # the file as read: what its checksum and derived facts come from


def read_source(path: Path) -> bytes:
    """The bytes of one input file; an unreadable one (permissions, a folder) is an
    InputError that names it."""
    try:
        return path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(
            f"{display_path(path)}: cannot be read: {reason}; check that the file exists "
            "and that you may read it"
        ) from error


def read_table(path: Path, required: Sequence[str], data: bytes | None = None) -> Table:
    """Read one CSV strictly: UTF-8 (BOM allowed), a header, equal-width rows.

    `data` is the file's content when the caller has read it already: the table then
    describes exactly those bytes.
    """
    shown = display_path(path)
    if data is None:
        data = read_source(path)
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
    _refuse_duplicate_columns(shown, header)
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
    return Table(path, header, tuple(rows), data)


def _refuse_duplicate_columns(shown: str, header: Sequence[str]) -> None:
    """Two columns of one name: a row maps to one of them only, so the other's values
    would vanish without a word (a second POSITION column blanked every position)."""
    first_seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if not name:
            continue
        if name in first_seen:
            raise InputError(
                f"{shown}: line 1, column {number}: the column name {name!r} appears twice "
                f"(also column {first_seen[name]}), so which one holds the values cannot be "
                "told; remove or rename one, or re-export the file"
            )
        first_seen[name] = number


# --- Values in a row ------------------------------------------------------------------


class RowError(InputError):
    """A value in a row that does not parse: names the file, line and column."""


def fail(table: Table, line: int, column: str, value: str, expected: str) -> RowError:
    # repr() shows control characters escaped; a cell of pages is cut to one line.
    shown = value if len(value) <= 60 else value[:57] + "..."
    return RowError(
        f"{display_path(table.path)}: line {line}, column {column}: {shown!r} is not "
        f"{expected}; fix the row or re-export the file"
    )


# ASCII digits only (str.isdigit and \d also take "²" or "٣", which are no xsd:integer);
# at most 18 of them, so that every store holds the same 64-bit value.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
DECIMAL_NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")


def is_whole_number(value: str) -> bool:
    return WHOLE_NUMBER.fullmatch(value) is not None


def whole_number(table: Table, line: int, row: dict[str, str], column: str) -> int | None:
    value = row[column].strip()
    if not value:
        return None
    if not is_whole_number(value):
        raise fail(table, line, column, value, "a whole number (at most 18 digits)")
    return int(value)


def decimal_number(table: Table, line: int, row: dict[str, str], column: str) -> str | None:
    value = row[column].strip()
    if not value:
        return None
    if not DECIMAL_NUMBER.fullmatch(value):
        raise fail(table, line, column, value, "a decimal number")
    return value


# Hours, minutes and seconds as the exports print them; a larger unit before them
# keeps minutes and seconds below 60 (checked by _clock).
TIME = re.compile(
    r"^(?:(?:(?P<h>[0-9]{1,3}):)?(?P<m>[0-9]{1,3}):)?(?P<s>[0-9]{1,6}(?:\.[0-9]{1,9})?)$"
)


def _clock(value: str) -> re.Match[str] | None:
    match = TIME.match(value)
    if match is None:
        return None
    if match["h"] is not None and int(match["m"]) >= 60:
        return None
    if match["m"] is not None and float(match["s"]) >= 60:
        return None
    return match


def duration_literal(table: Table, line: int, row: dict[str, str], column: str) -> Literal | None:
    """A clock time as published ("1:35.605", "23:58:24.723") as an xsd:duration."""
    value = row[column].strip()
    if not value:
        return None
    match = _clock(value)
    if match is None:
        raise fail(table, line, column, value, "a time such as 1:35.605")
    hours, minutes = int(match["h"] or 0), int(match["m"] or 0)
    seconds = match["s"].lstrip("0") or "0"
    if "." in seconds:
        # The canonical form ("27.560" as 27.56, "35.000" as 35, 24 hours as P1D): what
        # every store holds as the value, so that the term is the same in all of them.
        seconds = seconds.rstrip("0").rstrip(".") or "0"
    if seconds.startswith("."):
        seconds = "0" + seconds
    days, hours = divmod(hours, 24)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    time += f"{seconds}S" if seconds != "0" or not (days or time) else ""
    return Literal(("P" + f"{days}D" if days else "P") + (f"T{time}" if time else ""),
                   datatype=XSD.duration)  # fmt: skip


# A duration as duration_literal writes it: "PT1M35.964S", "P1DT17.685S", "PT0S".
_WRITTEN_DURATION = re.compile(r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9.]+)S)?)?")


def duration_seconds(duration: Literal) -> Decimal:
    """The exact number of seconds of a duration as duration_literal writes it."""
    match = _WRITTEN_DURATION.fullmatch(str(duration))
    assert match is not None, duration
    days, hours, minutes = (int(match[i] or 0) for i in (1, 2, 3))
    return Decimal(days * 86400 + hours * 3600 + minutes * 60) + Decimal(match[4] or 0)


def seconds_literal(duration: Literal | None) -> Literal | None:
    """A duration's exact seconds as an xsd:decimal ("PT1M35.964S" as 95.964), written
    beside it: every store keeps a decimal as written (Virtuoso 7.2 keeps a duration
    as a number of seconds and answers about 6 significant digits of it), and a
    decimal sorts and averages in SPARQL, where a duration does not everywhere."""
    if duration is None:
        return None
    return Literal(format(duration_seconds(duration), "f"), datatype=XSD.decimal)


def longest_time(table: Table, column: str) -> tuple[timedelta, str] | None:
    """The longest clock time in `column` (a race's TOTAL_TIME, a lap's ELAPSED) and its
    text as published, or None when no row gives one.

    A cell that is not a time is skipped here: mapping its row rejects it with the
    file, line and column.
    """
    longest: tuple[timedelta, str] | None = None
    for _, row in table.rows:
        value = row[column].strip()
        match = _clock(value)
        if match is None:
            continue
        length = timedelta(
            hours=int(match["h"] or 0), minutes=int(match["m"] or 0), seconds=float(match["s"])
        )
        if longest is None or length > longest[0]:
            longest = (length, value)
    return longest


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


# --- Telling the kind of file and finding files ----------------------------------------


def required_columns(context: FileContext, data: bytes) -> tuple[Sequence[str], str]:
    """The columns a file of this kind must have, and the kind in words; `data` is the
    file's content (a results file's header tells a race from another session)."""
    if context.kind == "weather":
        return WEATHER_COLUMNS, "weather"
    if context.kind == "laps":
        return LAP_COLUMNS, "laps"
    head = data[:4096].decode("utf-8-sig", errors="replace").split("\n", 1)[0]
    names = {name.strip() for name in head.split(",")}
    if "POSITION" in names or "POS" not in names:
        race = (*RACE_RESULT_COLUMNS, *_driver_columns())
        return race, "race results"
    return (*SESSION_RESULT_COLUMNS, *_driver_columns()), "session results"


def _driver_columns() -> list[str]:
    return [f"DRIVER1_{name}" for name in DRIVER_COLUMNS]


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
