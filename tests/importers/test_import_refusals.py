"""`kg import imsa` refuses a file it would misread, naming the file, line, column and
value, with exit 3 and nothing written (issue 18, item 5).

Each case starts from a few rows of the 2024 Rolex 24 results, copied to a temporary
tree and edited the way an outside tester found the importer writing wrong data
without a word (or ending in a traceback).
"""

from __future__ import annotations

import pathlib
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAYTONA = "2024/02-daytona-international-speedway"
SOURCES = ROOT / "sources" / "imsa" / DAYTONA
RACE = "202401271340-race-results.csv"
WEATHER = "202401271340-race-weather.csv"


def _race_rows(count: int = 7) -> str:
    """The header and the first `count` cars of the race (the GTP class)."""
    text = (SOURCES / RACE).read_text(encoding="utf-8-sig")
    return "".join(text.splitlines(keepends=True)[: count + 1])


def _tree(tmp_path: Path, name: str, text: str, folder: str = "in") -> Path:
    path = tmp_path / folder / DAYTONA / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + text, encoding="utf-8")
    return path


def _refused(run_kg, tmp_path: Path, path: Path, *expected: str) -> str:
    out = tmp_path / "out"
    result = run_kg("import", "imsa", str(path), "--out", str(out))
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    message = result.stderr.splitlines()[0]
    assert message.startswith(f"kg: error: {path}: "), message
    for part in expected:
        assert part in message, message
    assert not out.exists(), "nothing is written for a refused file"
    return message


def test_the_reduced_race_imports(run_kg, tmp_path: Path) -> None:
    """The starting point of every case below is a good file."""
    path = _tree(tmp_path, RACE, _race_rows())
    result = run_kg("import", "imsa", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output


def test_a_second_column_of_one_name_is_refused(run_kg, tmp_path: Path) -> None:
    # GROUP (column 13) renamed POSITION: every position, class position and laps
    # behind used to vanish, and the import exited 0.
    text = _race_rows().replace(",GROUP,", ",POSITION,", 1)
    path = _tree(tmp_path, RACE, text)
    _refused(
        run_kg,
        tmp_path,
        path,
        "line 1, column 13: the column name 'POSITION' appears twice (also column 1)",
        "remove or rename one",
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("\n1,7,", "\n0,7,"),
            "line 2, column POSITION: '0' is not a position from 1 to 7 (the file lists 7 cars)",
        ),
        (
            ("\n4,6,", "\n3,6,"),
            "line 5, column POSITION: '3' is not a position of its own (line 4 has it too)",
        ),
        (
            ("\n4,6,", "\n12345678901234567890123456,6,"),
            "line 5, column POSITION: '12345678901234567890123456' is not a whole number",
        ),
        (
            ("\n4,6,", "\n9,6,"),
            "line 5, column POSITION: '9' is not a position from 1 to 7",
        ),
    ],
    ids=["zero", "twice", "26-digits", "beyond-the-cars"],
)
def test_a_position_that_cannot_be_is_refused(
    run_kg, tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    # Each gave wrong class positions without a word.
    text = _race_rows()
    assert edit[0] in text
    path = _tree(tmp_path, RACE, text.replace(*edit, 1))
    _refused(run_kg, tmp_path, path, expected)


def test_a_practice_position_twice_is_refused(run_kg, tmp_path: Path) -> None:
    source = SOURCES / "202401251005-practice-1-results.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:4]
    second = lines[2].split(",", 1)
    lines[2] = "1," + second[1]
    path = _tree(tmp_path, source.name, "".join(lines))
    _refused(run_kg, tmp_path, path, "line 3, column POS: '1' is not a position of its own")


def test_a_car_number_that_cannot_name_an_entry_is_refused(run_kg, tmp_path: Path) -> None:
    # The number is part of the entry's IRI: "7> <x" ended in a traceback from rdflib.
    path = _tree(tmp_path, RACE, _race_rows().replace("\n4,6,", "\n4,7> <x,", 1))
    _refused(run_kg, tmp_path, path, "line 5, column NUMBER: '7> <x' is not a car number")


def test_keep_going_imports_the_good_file_beside_a_bad_car_number(run_kg, tmp_path: Path) -> None:
    bad = _tree(tmp_path, RACE, _race_rows().replace("\n4,6,", "\n4,7> <x,", 1), "bad")
    good = tmp_path / "good" / DAYTONA / WEATHER
    good.parent.mkdir(parents=True)
    shutil.copy(SOURCES / WEATHER, good)
    out = tmp_path / "out"
    result = run_kg("import", "imsa", str(bad), str(good), "--out", str(out), "--keep-going")
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("wrote ")
    assert f"kg: error: {bad}: line 5, column NUMBER: '7> <x'" in result.stderr
    assert f"1 file(s) not imported: {bad}" in result.stderr
    assert [p.name for p in out.rglob("*.ttl")] == ["202401271340-race-weather.ttl"]


def test_a_lap_chart_car_number_that_cannot_name_an_entry_is_refused(
    run_kg, tmp_path: Path
) -> None:
    laps = ROOT / "tests" / "fixtures" / "imsa" / "laps" / "2024"
    lines = next(laps.rglob("*-laps.csv")).read_text(encoding="utf-8-sig").splitlines(True)
    lines[3] = "a/b" + lines[3][lines[3].index(",") :]
    path = _tree(tmp_path, "202401271340-race-laps.csv", "".join(lines[:6]))
    _refused(run_kg, tmp_path, path, "line 4, column NUMBER: 'a/b' is not a car number")


def test_a_weather_time_far_from_the_session_is_refused(run_kg, tmp_path: Path) -> None:
    # A stamp of year 33658 used to end in a ValueError from datetime.
    lines = (SOURCES / WEATHER).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[2] = "999999999999" + lines[2][lines[2].index(",") :]
    path = _tree(tmp_path, WEATHER, "".join(lines[:5]))
    _refused(
        run_kg,
        tmp_path,
        path,
        "line 3, column TIME_UTC_SECONDS: '999999999999' is not a UTC time in seconds "
        "within a week of the session's start (2024-01-27 13:40 in the file name)",
    )


def test_a_file_that_cannot_be_read_is_an_input_error(
    run_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sandbox runs as root, which reads a mode-000 file: the refusal of the
    # operating system is played by Path.read_bytes. It was a PermissionError traceback.
    path = _tree(tmp_path, RACE, _race_rows())
    real_read_bytes = pathlib.Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == RACE:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    _refused(run_kg, tmp_path, path, "cannot be read: Permission denied", "that you may read it")
