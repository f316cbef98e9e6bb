"""A read that the engine ends leaves the index rebuilt by the next command (issue 18, item 7).

Damage in a table does not always reach kg as an error: Oxigraph 0.5 may decode the
damaged bytes and abort (SIGABRT: "memory allocation of 1073741824 bytes failed"), or
the system kills the process for its memory (SIGKILL). kg cannot catch either, so each
read leaves a mark naming its process while it runs (kg.stores.read_marks). The next
command finds the mark of a process that is gone, does not trust the index, rebuilds it
from the files and says so. Before, the next command read the same damaged index and
ended the same way. The tests end a real `kg query` with those signals in the middle of
its query, and check that a live reader, Ctrl-C and a reused process number are told
apart from a read cut short.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_core_data

from kg.stores import read_marks

COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# A cross join that runs for minutes on the core data: the read is surely in the engine.
ENDLESS_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 120
NOTE = "may have been damaged (a read by process "


def _command(index: Path, data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kg", "--store", f"oxigraph:{index}", "--data", str(data), *args]


def _environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "KG_STORE"}
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def _count(index: Path, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(index, data, "query", "-e", COUNT_QUERY, "--format", "csv"),
        capture_output=True,
        text=True,
        env=_environment(),
        cwd=ROOT,
        timeout=TIMEOUT,
    )


def _marks(index: Path) -> list[str]:
    """The process numbers of the marks in the index folder."""
    prefix = read_marks.MARK_PREFIX
    return sorted(p.name[len(prefix) :] for p in index.glob(f"{prefix}*"))


def _start_endless(index: Path, data: Path) -> subprocess.Popen[str]:
    """A `kg query` that is inside the engine once this returns (its mark is there)."""
    reader = subprocess.Popen(
        _command(index, data, "query", "-e", ENDLESS_QUERY),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
        cwd=ROOT,
    )
    deadline = time.monotonic() + TIMEOUT
    while str(reader.pid) not in _marks(index):
        if reader.poll() is not None or time.monotonic() > deadline:
            reader.kill()
            pytest.fail(f"the reader never marked its read: {reader.communicate()}")
        time.sleep(0.05)
    time.sleep(0.3)  # well inside the query
    return reader


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The core data, an index of it, and the index's answer to COUNT_QUERY."""
    folder = tmp_path_factory.mktemp("marks")
    data = copy_core_data(folder / "data")
    index = folder / "index"
    answer = _count(index, data)
    assert answer.returncode == 0, answer.stderr
    assert _marks(index) == []  # a read that ends takes its mark away
    return data, index, answer.stdout


@pytest.fixture
def index(built: tuple[Path, Path, str], tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built[1], copy)
    return copy


@pytest.mark.parametrize(
    "ending", [signal.SIGABRT, signal.SIGKILL], ids=["engine aborts", "killed for memory"]
)
def test_the_next_command_rebuilds_after_a_read_cut_short(
    built: tuple[Path, Path, str], index: Path, ending: signal.Signals
) -> None:
    data, _, expected = built
    reader = _start_endless(index, data)
    reader.send_signal(ending)
    reader.communicate(timeout=TIMEOUT)
    assert reader.returncode == -ending
    assert _marks(index) == [str(reader.pid)]

    answer = _count(index, data)

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == expected
    assert f"kg: note: the index at {index} {NOTE}{reader.pid} ended" in answer.stderr
    assert answer.stderr.endswith("; rebuilt from the files\n"), answer.stderr
    assert _marks(index) == []
    again = _count(index, data)
    assert (again.returncode, again.stdout, again.stderr) == (0, expected, "")


def test_a_live_reader_is_neither_taken_for_one_cut_short_nor_waited_for(
    built: tuple[Path, Path, str], index: Path
) -> None:
    data, _, expected = built
    reader = _start_endless(index, data)
    # A file touched with its content unchanged: only the manifest's stats are due,
    # which must not make this command wait for the reader (it waited 30 s, exit 3).
    touched = sorted(data.rglob("*.ttl"))[0]
    os.utime(touched, ns=(time.time_ns(), time.time_ns()))
    try:
        beside = _count(index, data)
    finally:
        reader.send_signal(signal.SIGINT)
        reader.communicate(timeout=TIMEOUT)

    assert (beside.returncode, beside.stdout, beside.stderr) == (0, expected, ""), beside.stderr
    # Ctrl-C ends the read within Python: exit 130, and the mark goes with it.
    assert reader.returncode == 130
    assert _marks(index) == []
    after = _count(index, data)
    assert (after.returncode, after.stdout, after.stderr) == (0, expected, "")


def test_a_process_number_used_again_does_not_pass_for_the_reader(tmp_path: Path) -> None:
    live = tmp_path / f"{read_marks.MARK_PREFIX}{os.getpid()}"
    # This process, as it is: alive.
    with read_marks.reading(tmp_path):
        assert read_marks.cut_short(tmp_path) is None
    assert not live.exists()
    # A process that had this number before it, started at another time: gone.
    live.write_text(f"{os.getpid()} 1\n", encoding="ascii")
    assert read_marks.cut_short(tmp_path) == (
        f"a read by process {os.getpid()} ended without finishing, as damage in the "
        "database can make it end"
    )
    read_marks.clear(tmp_path)
    assert not live.exists()


def test_a_read_where_no_mark_can_be_written_goes_unmarked(tmp_path: Path) -> None:
    # (Tests run as root, for whom a read-only folder is writable: a folder that is
    # not there refuses the mark just the same.)
    nowhere = tmp_path / "not-there"
    with read_marks.reading(nowhere):
        assert not nowhere.exists()
    assert read_marks.cut_short(nowhere) is None
