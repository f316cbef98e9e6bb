"""Fuzzing `kg import imsa`: a few hundred mutants of small IMSA exports (flipped bytes,
lost or doubled lines and columns, odd cells, truncation, other encodings) go through
the importer in-process. None may end in a traceback: the importer either writes
Turtle that parses or refuses the file with the project's own error, naming it, and
writes nothing of it (issue 18, item 5).

The seed is fixed, so a failure names a mutant that the same run reproduces.
"""

from __future__ import annotations

import random
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

from kg.importers.imsa import import_files
from kg.importers.resolution import Rules, empty_resolver, load_rules
from kg.model.errors import EXIT_INPUT, EXIT_USAGE, KGError
from kg.model.files import display_path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "sources" / "imsa"
DAYTONA = "2024/02-daytona-international-speedway"
SEBRING = "2024/05-sebring-international-raceway"
SEED = 20240127
MUTANTS_PER_FILE = 150
SECONDS_PER_MUTANT = 20  # a hang, not a measure of speed: a mutant takes milliseconds

# Cells that have broken importers: other digits, signs, huge numbers, IRI breakers,
# quotes, control characters, times out of range, a very long name.
ODD_CELLS = (
    "", " ", "-", "-1", "0", "00", "1e5", "3.5", "NaN", "²", "٣", "１２",
    "99999999999999999999999999", "7> <x", "a b", "#7", "é", '"', '""', "\x00", "\x1b[31m",
    "\\u0000", "24:99:99", "1:60.000", "99999:00:00", ":", "1::2", "P1D", "\U0001f3ce",
    "x" * 5000,
)  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """A small, valid export and where it sits in the published layout."""

    relative: str
    data: bytes
    companion: tuple[str, bytes] | None = None  # a laps file's results file


def _head(path: Path, lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def _samples() -> list[Sample]:
    race = SOURCES / DAYTONA / "202401271340-race-results.csv"
    rows = race.read_bytes().splitlines(keepends=True)
    # The header, three GTP cars and the first two of each later class, numbered
    # 1 to 11 (a file lists every car, so positions run from 1 to their number).
    classes: dict[bytes, int] = {}
    picked = rows[:4]
    for row in rows[4:]:
        cls = row.split(b",")[11]
        if classes.setdefault(cls, 0) < 2 and cls != b"GTP":
            classes[cls] += 1
            picked.append(b"%d," % len(picked) + row.split(b",", 1)[1])
    laps_folder = ROOT / "tests" / "fixtures" / "imsa" / "laps" / SEBRING
    laps_results = laps_folder / "202403160940-race-results.csv"
    return [
        Sample(f"{DAYTONA}/202401271340-race-results.csv", b"".join(picked)),
        Sample(
            f"{DAYTONA}/202401251005-practice-1-results.csv",
            _head(SOURCES / DAYTONA / "202401251005-practice-1-results.csv", 7),
        ),
        Sample(
            f"{DAYTONA}/202401271340-race-weather.csv",
            _head(SOURCES / DAYTONA / "202401271340-race-weather.csv", 8),
        ),
        Sample(
            f"{SEBRING}/202403160940-race-laps.csv",
            _head(laps_folder / "202403160940-race-laps.csv", 9),
            (f"{SEBRING}/202403160940-race-results.csv", _head(laps_results, 6)),
        ),
    ]


# --- Mutations ---------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    changed = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if changed:
            changed[rng.randrange(len(changed))] = rng.randrange(256)
    return bytes(changed)


def insert_bytes(rng: random.Random, data: bytes) -> bytes:
    where = rng.randint(0, len(data))
    extra = rng.choice([b"\x00", b'"', b"\r", b"\n", b",", b"\xff\xfe", b"\xef\xbb\xbf", b";"])
    return data[:where] + extra * rng.randint(1, 3) + data[where:]


def delete_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def duplicate_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    where = rng.randrange(len(lines))
    lines.insert(where, lines[where])
    return b"".join(lines)


def _column(rng: random.Random, width: int) -> int:
    """Mostly one of the first columns, which the importer reads (a results file's
    later ones are mostly drivers' columns that it skips)."""
    return rng.randrange(min(width, 16) if rng.random() < 0.7 else width)


def _columns(rng: random.Random, data: bytes, edit: Callable[[list[bytes], int], None]) -> bytes:
    lines = _lines(data)
    width = len(lines[0].split(b","))
    column = _column(rng, width)
    changed = []
    for line in lines:
        body = line.rstrip(b"\r\n")
        cells = body.split(b",")
        if column < len(cells):
            edit(cells, column)
        changed.append(b",".join(cells) + line[len(body) :])
    return b"".join(changed)


def delete_column(rng: random.Random, data: bytes) -> bytes:
    return _columns(rng, data, lambda cells, column: cells.pop(column))


def duplicate_column(rng: random.Random, data: bytes) -> bytes:
    return _columns(rng, data, lambda cells, column: cells.insert(column, cells[column]))


def odd_cell(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    where = rng.randrange(len(lines))
    body = lines[where].rstrip(b"\r\n")
    cells = body.split(b",")
    cells[_column(rng, len(cells))] = rng.choice(ODD_CELLS).encode("utf-8")
    lines[where] = b",".join(cells) + lines[where][len(body) :]
    return b"".join(lines)


def swap_cells(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    where = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
    body = lines[where].rstrip(b"\r\n")
    cells = body.split(b",")
    first, second = _column(rng, len(cells)), _column(rng, len(cells))
    cells[first], cells[second] = cells[second], cells[first]
    lines[where] = b",".join(cells) + lines[where][len(body) :]
    return b"".join(lines)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def reencode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    encoding = rng.choice(["latin-1", "cp1252", "utf-16", "utf-16-be", "utf-32", "utf-8"])
    if encoding == "utf-8":
        return text.replace("\n", "\r\n").encode("utf-8")  # Windows line ends
    return text.encode(encoding, errors="replace")


MUTATIONS = (
    flip_bytes, insert_bytes, delete_line, duplicate_line, delete_column, duplicate_column,
    odd_cell, odd_cell, odd_cell, swap_cells, truncate, reencode,
)  # fmt: skip


def _mutants(samples: list[Sample]) -> Iterator[tuple[Sample, str, bytes]]:
    rng = random.Random(SEED)
    for sample in samples:
        for _ in range(MUTANTS_PER_FILE):
            data = sample.data
            applied = []
            for _ in range(rng.choice([1, 1, 2, 3])):
                mutation = rng.choice(MUTATIONS)
                data = mutation(rng, data)
                applied.append(mutation.__name__)
            yield sample, "+".join(applied), data


# --- Running a mutant ----------------------------------------------------------------------


class Hung(Exception):
    pass


@contextmanager
def _bounded(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise Hung(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run(folder: Path, sample: Sample, data: bytes, rules: Rules, keep_going: bool) -> int:
    """Import one mutant as `kg import imsa` does; the exit code the CLI would give."""
    import pyoxigraph as ox

    source = folder / "in" / sample.relative
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    if sample.companion is not None:
        (folder / "in" / sample.companion[0]).write_bytes(sample.companion[1])
    out = folder / "out"
    try:
        report = import_files([source], out, empty_resolver(rules), keep_going=keep_going)
    except KGError as error:
        assert error.exit_code in (EXIT_USAGE, EXIT_INPUT), error.message
        assert not out.exists()
        return error.exit_code
    if report.failed:
        (failure,) = report.failed
        assert display_path(source) in failure.message, failure.message
        assert not out.exists(), "a refused file writes nothing"
        return EXIT_INPUT
    (imported,) = report.imported
    ox.parse(path=str(imported.output), format=ox.RdfFormat.TURTLE)  # raises if it does not
    return 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_mutants_of_imsa_exports_import_or_are_refused(tmp_path: Path) -> None:
    rules = load_rules()
    samples = _samples()
    codes: dict[int, int] = {}
    for number, (sample, applied, data) in enumerate(_mutants(samples)):
        folder = tmp_path / str(number)
        where = f"mutant {number} of {sample.relative} ({applied})"
        try:
            with _bounded(SECONDS_PER_MUTANT):
                code = _run(folder, sample, data, rules, keep_going=number % 2 == 0)
        except Exception as error:  # the point of the test: name the mutant, keep its file
            kept = tmp_path / "failing" / sample.relative
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(data)
            raise AssertionError(
                f"{where}: {type(error).__name__}: {error} (see {kept})"
            ) from error
        codes[code] = codes.get(code, 0) + 1
        shutil.rmtree(folder)
    assert set(codes) <= {0, EXIT_USAGE, EXIT_INPUT}
    # The mutants exercise both outcomes, so neither path goes untested.
    assert codes.get(0, 0) > 20 and codes.get(EXIT_INPUT, 0) > 100, codes


def test_mutants_together_through_the_cli_with_keep_going(run_kg, tmp_path: Path) -> None:
    """One `kg import imsa --keep-going` over 60 mutants, each in its own round folder:
    the good ones are written and parse, every bad one is listed, no traceback."""
    import pyoxigraph as ox

    sources = tmp_path / "in"
    placed = []
    for number, (sample, _, data) in enumerate(_mutants(_samples())):
        if number % 10:
            continue  # every tenth: all four kinds of file, 60 mutants
        year, _, name = sample.relative.split("/")
        folder = sources / year / f"{number // 10:02d}-fuzz"  # a round folder: two digits
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data)
        if sample.companion is not None:
            (folder / Path(sample.companion[0]).name).write_bytes(sample.companion[1])
        placed.append(folder / name)
    out = tmp_path / "out"
    result = run_kg("import", "imsa", str(sources), "--out", str(out), "--keep-going")
    assert result.exit_code in (0, EXIT_INPUT), result.output
    for line in result.stderr.splitlines():
        assert line.startswith("kg: "), line  # messages, not a traceback
    refused = result.stderr.rpartition("file(s) not imported: ")[2]
    outcomes = {"written": 0, "refused": 0}
    for path in placed:
        written = out / path.relative_to(sources).with_suffix(".ttl")
        if written.exists():
            ox.parse(path=str(written), format=ox.RdfFormat.TURTLE)
            outcomes["written"] += 1
        else:
            assert display_path(path) in refused, f"{path} is neither written nor listed"
            outcomes["refused"] += 1
    assert outcomes["written"] and outcomes["refused"], outcomes


def test_the_samples_import_unchanged(tmp_path: Path) -> None:
    """The mutants start from good files."""
    rules = load_rules()
    for number, sample in enumerate(_samples()):
        assert _run(tmp_path / str(number), sample, sample.data, rules, False) == 0
