"""A damaged on-disk index is rebuilt from the files, saying so (issue 18, item 7).

The index is a cache of the source files: when its files are deleted, cut short or
overwritten, the next command rebuilds it, answers as before with exit 0, and says
on stderr "the index at X was damaged (...); rebuilt from the files". Before, it
failed with exit 3 and advice to delete the folder, and a deleted database folder
gave empty answers without a word.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, copy_core_data

COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TIMEOUT = 120


def _query(index: Path, data: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "KG_STORE"}
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "--store",
            f"oxigraph:{index}",
            "--data",
            str(data),
            "query",
            "-e",
            COUNT_QUERY,
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=TIMEOUT,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The core data, an index of it, and the index's answer to COUNT_QUERY."""
    folder = tmp_path_factory.mktemp("repair")
    data = copy_core_data(folder / "data")
    index = folder / "index"
    answer = _query(index, data)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines()[1] != "0"
    return data, index, answer.stdout


def _tables(index: Path) -> list[Path]:
    tables = sorted((index / "store").glob("*.sst"))
    assert tables
    return tables


def _garbage_current(index: Path) -> None:
    (index / "store" / "CURRENT").write_text("garbage\n", encoding="utf-8")


def _delete_a_table(index: Path) -> None:
    _tables(index)[0].unlink()


def _truncate_a_table(index: Path) -> None:
    table = _tables(index)[-1]
    os.truncate(table, table.stat().st_size // 2)


def _overwrite_a_table_end(index: Path) -> None:
    table = _tables(index)[0]
    content = bytearray(table.read_bytes())
    for place in range(max(0, len(content) - 200), len(content)):
        content[place] ^= 0xFF
    table.write_bytes(bytes(content))


def _delete_database_manifest(index: Path) -> None:
    for path in (index / "store").glob("MANIFEST-*"):
        path.unlink()


def _delete_manifest(index: Path) -> None:
    (index / "manifest.json").unlink()


def _garbage_manifest(index: Path) -> None:
    (index / "manifest.json").write_text('{"version": 5, "files": [', encoding="utf-8")


def _delete_database(index: Path) -> None:
    shutil.rmtree(index / "store")


def _interrupted_refresh(index: Path) -> None:
    (index / "refresh-in-progress").write_text("pid 1\n", encoding="utf-8")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "CURRENT overwritten": _garbage_current,
    "a table deleted": _delete_a_table,
    "a table truncated": _truncate_a_table,
    "a table's end overwritten": _overwrite_a_table_end,
    "the database's MANIFEST deleted": _delete_database_manifest,
    "manifest.json deleted": _delete_manifest,
    "manifest.json cut short": _garbage_manifest,
    "the database folder deleted": _delete_database,
    "a refresh interrupted": _interrupted_refresh,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_index_is_rebuilt_from_the_files(
    built: tuple[Path, Path, str], tmp_path: Path, damage: str
) -> None:
    data, healthy, expected = built
    index = tmp_path / "index"
    shutil.copytree(healthy, index)
    DAMAGE[damage](index)
    answer = _query(index, data)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == expected
    assert f"kg: note: the index at {index} was damaged (" in answer.stderr
    assert "; rebuilt from the files" in answer.stderr
    again = _query(index, data)
    assert (again.returncode, again.stdout, again.stderr) == (0, expected, "")
